"""Tests for symalign.verify.smt (SymPy -> Z3 proofs with exact counterexamples)."""

from __future__ import annotations

import itertools
from fractions import Fraction
from types import MappingProxyType

import pytest
import sympy
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symalign.verify import smt
from symalign.errors import InputError, NotExpressibleError
from symalign.verify.smt import Proof, check_sat, prove, to_z3

x, y = sympy.symbols("x y")
Eq = sympy.Eq


def assert_refuted(p: Proof):
    """The counterexample is exact and re-checks by substitution, independently of smt."""
    assert p.status == "refuted" and p.refuted and not p.proved and not p.unknown
    assert isinstance(p.counterexample, MappingProxyType)
    for value in p.counterexample.values():
        assert isinstance(value, sympy.Rational)
    for h in p.hypotheses:
        assert h.subs(p.counterexample) is sympy.true
    assert p.conclusion.subs(p.counterexample) is sympy.false


# --- proved ---------------------------------------------------------------

def test_proves_product_of_positives():
    p = prove([x > 0, y > 0], x * y > 0)
    assert p.status == "proved" and p.proved and p.reason == "" and p.counterexample is None
    assert p.hypotheses == (x > 0, y > 0) and p.conclusion == (x * y > 0)
    assert p.seconds >= 0


def test_proves_symbolic_n_claim_with_integer_symbol():
    b, g = sympy.symbols("beta gamma")
    N = sympy.Symbol("N", integer=True)
    p = prove([b > 0, g >= 0, N >= 2, g < b * (N - 1)], b - g / (N - 1) > 0)
    assert p.status == "proved"
    # the claim fails without g < b*(N-1): a refutation with an integer N
    q = prove([b > 0, g >= 0, N >= 2], b - g / (N - 1) > 0)
    assert_refuted(q)
    assert q.counterexample[N].is_integer and q.counterexample[N] >= 2


def test_integer_symbol_is_integer_in_z3():
    n = sympy.Symbol("n", integer=True)
    # over the reals 0 < n < 1 is satisfiable, over the integers it is not
    assert prove([n > 0], n >= 1).proved
    assert_refuted(prove([x > 0], x >= 1))


def test_symbol_sign_assumptions_become_hypotheses():
    p, q = sympy.symbols("p q", positive=True)
    nn = sympy.Symbol("nn", nonnegative=True)
    ng = sympy.Symbol("ng", negative=True)
    npos = sympy.Symbol("npos", nonpositive=True)
    claims = [p + x**2 > 0, nn + x**2 >= 0, ng - x**2 < 0, npos - x**2 <= 0, p * q + x**2 > 0]
    for claim in claims:
        assert claim not in (sympy.true, sympy.false)  # SymPy alone cannot decide these
        assert prove([], claim).proved, claim
    assert_refuted(prove([], y + x**2 > 0))


def test_division_side_condition():
    # 1/y is only meaningful for y != 0: proved under that side condition
    assert prove([y >= 0], 1 / y > 0).proved
    p = prove([], 1 / y > 0)
    assert_refuted(p)
    assert p.counterexample[y] != 0


def test_same_name_different_symbols_are_distinct():
    xp = sympy.Symbol("x", positive=True)
    p = prove([xp > 1], x > 1)  # unrelated plain x: must not be identified with xp
    assert_refuted(p)
    assert set(p.counterexample) == {x, xp}


def test_inconsistent_hypotheses_prove_anything_and_boolean_constants():
    assert prove([x > 1, x < 0], sympy.false).proved
    assert prove([], True).proved
    assert_refuted(prove([], sympy.false))
    assert prove([sympy.Implies(x > 1, y > 1), x > 2], y > 1).proved
    assert prove([sympy.Or(x > 1, x < -1)], sympy.Not(Eq(x, 0))).proved
    assert_refuted(prove([sympy.Implies(x > 1, y > 1)], y > 1))
    assert_refuted(prove([sympy.Or(x > 1, x < -1)], x > 1))
    assert_refuted(prove([x > 0], sympy.And(x > 0, x > 1)))
    assert prove([x > 2], sympy.Equivalent(x > 1, x > 0)).proved
    assert_refuted(prove([], sympy.Equivalent(x > 1, x > 0)))
    assert prove([sympy.And(x >= 0, x <= 0)], Eq(x, 0)).proved
    assert prove([sympy.Ne(x, 0)], x**2 > 0).proved
    assert prove([x > 0], x**-2 > 0).proved


# --- refuted / unknown ----------------------------------------------------

def test_refutes_linear_with_rational_counterexample():
    p = prove([x > 0], x > 1)
    assert_refuted(p)
    cx = p.counterexample[x]
    assert 0 < cx <= 1
    assert p.reason


def test_refutes_nonlinear():
    assert_refuted(prove([x**2 >= 2], x >= 2))
    p = prove([x**2 <= 2, x > 1], x < 1)
    assert_refuted(p)
    assert 1 < p.counterexample[x] and p.counterexample[x] ** 2 <= 2


def test_irrational_model_is_rationalised():
    hyps, concl = [Eq(x**2 + y**2, 2)], x < 0
    # precondition: Z3's own first model is irrational, so the rationalising code runs
    s = z3.Solver()
    s.add(*[to_z3(h) for h in hyps], z3.Not(to_z3(concl)))
    assert s.check() == z3.sat
    m = s.model()
    assert any(z3.is_algebraic_value(m.eval(to_z3(v), model_completion=True)) for v in (x, y))
    assert_refuted(prove(hyps, concl))


def test_only_irrational_counterexamples_give_unknown():
    p = prove([Eq(x**2, 2)], x < 0)  # the only counterexample is sqrt(2)
    assert p.status == "unknown" and p.unknown
    assert "irrational" in p.reason and p.counterexample is None
    # x^2 + y^2 = 3 has no rational points at all
    assert prove([Eq(x**2 + y**2, 3)], x < 0).unknown


def test_timeout_gives_unknown_not_exception():
    a, b, c = sympy.symbols("a b c", integer=True)
    # sums of three cubes: nonlinear integer arithmetic, Z3 cannot finish
    p = prove([Eq(a**3 + b**3 + c**3, 114)], sympy.false, timeout=0.05)
    assert p.status == "unknown"
    assert p.reason in ("timeout", "canceled")
    assert p.seconds < 5


def test_failed_recheck_is_unknown(monkeypatch):
    # simulate an unsound Z3 model: x = 5 does not violate x > 1
    monkeypatch.setattr(smt, "_solve", lambda tr, facts, deadline: ("sat", {x: sympy.Integer(5)}, ""))
    p = prove([x > 0], x > 1)
    assert p.status == "unknown" and p.reason == "Z3 counterexample failed exact re-check"


def test_assumptions_z3_cannot_express_are_rechecked():
    e = sympy.Symbol("e", even=True)
    p = prove([e > 0], e > 1)  # Z3 only knows e is an integer: e = 1 is not even
    assert p.status == "unknown" and "assumptions" in p.reason


# --- Proof object ---------------------------------------------------------

def test_proof_has_no_truth_value():
    p = prove([x > 0], x > -1)
    with pytest.raises(TypeError):
        bool(p)
    with pytest.raises(TypeError):
        if p:
            pass
    with pytest.raises(InputError):
        Proof("true", (), sympy.true, None, "", 0.0)


def test_counterexample_is_read_only():
    p = prove([x > 0], x > 1)
    with pytest.raises(TypeError):
        p.counterexample[x] = sympy.Integer(7)


# --- translation ----------------------------------------------------------

@pytest.mark.parametrize(
    "expr, piece",
    [
        (sympy.sqrt(x) > 0, "sqrt(x)"),
        (sympy.sin(x) < 1, "sin(x)"),
        (x > sympy.Float(0.1), "0.1"),
        (sympy.Abs(x) > 1, "Abs(x)"),
        (sympy.log(x) > 0, "log(x)"),
        (sympy.Max(x, y) > 0, "Max(x, y)"),
        (sympy.Piecewise((x, x > 0), (0, True)) >= 0, "Piecewise"),
        (x**y > 0, "x**y"),
        (x < sympy.pi, "pi"),
        (x < sympy.oo, "oo"),
    ],
)
def test_not_expressible_names_the_piece(expr, piece):
    with pytest.raises(NotExpressibleError) as info:
        prove([], expr)
    assert piece in str(info.value) and "not expressible for SMT" in str(info.value)
    assert isinstance(info.value, TypeError)
    with pytest.raises(NotExpressibleError):
        to_z3(expr)


def test_messages_explain_float_and_pow():
    with pytest.raises(NotExpressibleError, match="use Rational"):
        to_z3(sympy.Float(0.1))
    with pytest.raises(NotExpressibleError, match=r"sqrt\(x\) \(Pow with non-integer exponent\)"):
        to_z3(sympy.sqrt(x))
    with pytest.raises(NotExpressibleError):
        to_z3(0.5)  # Python float


def test_to_z3_values_and_variables():
    assert z3.is_true(z3.simplify(to_z3(True)))
    assert z3.simplify(to_z3(3)).eq(z3.RealVal(3))
    assert z3.simplify(to_z3(sympy.Rational(1, 3))).eq(z3.RealVal("1/3"))
    a = z3.Real("a")
    e = to_z3(x**2 - 2 * x >= 1, variables={x: a})
    s = z3.Solver()
    s.add(e != (a * a - 2 * a >= 1))
    assert s.check() == z3.unsat
    k = z3.Int("k")
    s = z3.Solver()  # Int variables are promoted, / is real division
    s.add(to_z3(Eq(x / 2, sympy.Rational(1, 2)), variables={x: k}), k == 1)
    assert s.check() == z3.sat


def test_bad_arguments():
    for bad in (0, -1, float("nan"), float("inf"), "10", True):
        with pytest.raises(InputError):
            prove([x > 0], x > -1, timeout=bad)
        with pytest.raises(InputError):
            check_sat([x > 0], timeout=bad)
    with pytest.raises(InputError):
        prove(["x > 0"], x > 1)
    with pytest.raises(InputError):
        prove([x + 1], x > 1)  # arithmetic, not a relation
    with pytest.raises(InputError, match="sympy.Eq"):
        prove([x**2 == 2], x < 0)  # Python == gives False: would prove anything
    with pytest.raises(InputError):
        prove([x > 0], (x + 1) ** 2 == x**2 + 2 * x + 1)


def test_single_relation_accepted_as_hypotheses():
    assert prove(x > 1, x > 0).proved


# --- check_sat ------------------------------------------------------------

def test_check_sat():
    status, model, reason = check_sat([x > 0, y > x, x + y < 1])
    assert status == "sat" and reason == ""
    assert all(isinstance(v, sympy.Rational) for v in model.values())
    assert 0 < model[x] < model[y] and model[x] + model[y] < 1
    assert check_sat([x > 0, x < 0]) == ("unsat", None, "")
    status, model, reason = check_sat([Eq(x**2, 2), x > 0])
    assert status == "sat" and sympy.simplify(model[x] - sympy.sqrt(2)) == 0
    a, b, c = sympy.symbols("a b c", integer=True)
    status, model, reason = check_sat([Eq(a**3 + b**3 + c**3, 114)], timeout=0.05)
    assert (status, model) == ("unknown", None) and reason in ("timeout", "canceled")


# --- property test --------------------------------------------------------

coef = st.integers(-3, 3)
ineq = st.tuples(coef, coef, coef, st.sampled_from(["<", "<="]))  # a*x + b*y + c (op) 0


def as_sympy(t):
    a, b, c, op = t
    return sympy.Rel(a * x + b * y + c, 0, op)


def holds(t, px, py):
    a, b, c, op = t
    v = a * px + b * py + c
    return v < 0 if op == "<" else v <= 0


GRID = [Fraction(k, 4) for k in range(-24, 25)] + [Fraction(1, 7), Fraction(-22, 7)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ineq, min_size=0, max_size=3), ineq)
def test_linear_inequalities_agree_with_sampling(hyps, concl):
    hs = [as_sympy(h) for h in hyps]
    c = as_sympy(concl)
    if any(h in (sympy.true, sympy.false) for h in hs) or c in (sympy.true, sympy.false):
        return  # constant relations (all coefficients zero) are exercised elsewhere
    p = prove(hs, c, timeout=10)
    assert p.status in ("proved", "refuted")  # linear real arithmetic is decidable
    if p.refuted:
        assert_refuted(p)
        px, py = (Fraction(str(p.counterexample.get(v, 0))) for v in (x, y))
        assert all(holds(h, px, py) for h in hyps) and not holds(concl, px, py)
    else:
        for px, py in itertools.product(GRID, GRID):
            if all(holds(h, px, py) for h in hyps):
                assert holds(concl, px, py), (px, py)

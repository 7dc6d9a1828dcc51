"""Exact SMT checks of SymPy inequalities with Z3.

Polynomial and rational arithmetic over the reals (and integers, for
symbols assumed ``integer=True``) is translated to Z3.  A refutation is
only reported with an exact rational counterexample that has been
re-checked by substitution in SymPy; everything Z3 cannot settle is
reported as ``"unknown"``, never raised.

Semantics: symbols are real (``Int`` when assumed integer); the sign
assumptions ``positive``, ``nonnegative``, ``negative``, ``nonpositive`` and
``nonzero`` become extra hypotheses; every division ``p / q`` adds the side
condition ``q != 0`` to the hypotheses, i.e. results hold wherever the
expressions are defined.
"""

from __future__ import annotations

import math
import time
import types
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import sympy
import z3

from symalign.errors import InputError, NotExpressibleError

__all__ = ["Proof", "to_z3", "prove", "check_sat", "nonvacuous"]

_STATUSES = ("proved", "refuted", "unknown")
_SIGNS = {"positive": ">", "nonnegative": ">=", "negative": "<", "nonpositive": "<=", "nonzero": "!="}
_METHODS = {"==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


def _cmp(op: str, a: z3.ArithRef, b: z3.ArithRef) -> z3.BoolRef:
    # call a's method directly: `a >= b` would dispatch to b.__le__ when b is a numeral subclass
    return getattr(a, _METHODS[op])(b)


@dataclass(frozen=True)
class Proof:
    """Outcome of :func:`prove`; check ``status`` (or the properties) explicitly.

    Attributes
    ----------
    status : str
        ``"proved"``, ``"refuted"`` or ``"unknown"``.
    hypotheses : tuple
        The SymPy hypotheses as given (sympified).
    conclusion : sympy.Basic
        The SymPy conclusion.
    counterexample : Mapping or None
        Read-only map ``Symbol -> sympy.Rational``; only when refuted.
    reason : str
        ``""`` when proved, Z3's ``reason_unknown()`` or another explanation
        when unknown, a short text when refuted.
    seconds : float
        Wall-clock time spent.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> p = prove([x > 0], x > 1)
    >>> p.status, p.counterexample[x] > 0, p.counterexample[x] <= 1
    ('refuted', True, True)
    """

    status: str
    hypotheses: tuple
    conclusion: Any
    counterexample: Mapping[sympy.Symbol, sympy.Rational] | None
    reason: str
    seconds: float

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise InputError("status", self.status, f"must be one of {_STATUSES}")

    proved = property(lambda self: self.status == "proved", doc="Z3 showed the implication holds.")
    refuted = property(lambda self: self.status == "refuted", doc="An exact counterexample exists.")
    unknown = property(lambda self: self.status == "unknown", doc="Undecided (timeout, ...).")

    def __bool__(self) -> bool:
        raise TypeError("a Proof has no truth value; test .proved, .refuted or .status")


class _Translator:
    """SymPy -> Z3 translation state: symbol constants, side conditions, assumptions."""

    def __init__(self, variables: Mapping | None, ctx: z3.Context | None):
        self.given = {sympy.sympify(k, strict=True): v for k, v in (variables or {}).items()}
        self.ctx = ctx or (next(iter(self.given.values())).ctx if self.given else z3.main_ctx())
        self.leaves: dict[sympy.Symbol, z3.ExprRef] = {}
        self.side: dict[sympy.Basic, z3.BoolRef] = {}
        self.names: set[str] = set()

    def fail(self, e: Any, why: str) -> NotExpressibleError:
        return NotExpressibleError(f"not expressible for SMT: {e} ({why})")

    def symbol(self, s: sympy.Symbol) -> z3.ArithRef:
        if s not in self.leaves:
            leaf = self.given.get(s)
            if leaf is None:
                name, k = s.name, 0
                while name in self.names:
                    k, name = k + 1, f"{s.name}!{k + 1}"
                self.names.add(name)
                make = z3.Int if s.is_integer else z3.Real
                leaf = make(name, self.ctx)
            if not z3.is_arith(leaf):
                raise self.fail(s, f"mapped to non-arithmetic Z3 term {leaf}")
            self.leaves[s] = leaf
        leaf = self.leaves[s]
        return z3.ToReal(leaf) if leaf.is_int() else leaf

    def assumptions(self) -> list[z3.BoolRef]:
        zero = z3.RealVal(0, self.ctx)
        facts = []
        for s in self.leaves:  # the strongest sign fact only: positive before nonzero
            op = next((op for key, op in _SIGNS.items() if getattr(s, f"is_{key}")), None)
            if op:
                facts.append(_cmp(op, self.symbol(s), zero))
        return facts

    def arith(self, e: Any) -> z3.ArithRef:
        if isinstance(e, sympy.Float):
            raise self.fail(e, "Float; exact arithmetic only, use Rational")
        if isinstance(e, sympy.Rational):
            return z3.RealVal(f"{e.p}/{e.q}", self.ctx)
        if isinstance(e, sympy.Symbol):
            return self.symbol(e)
        if isinstance(e, sympy.Add):
            return z3.Sum(*[self.arith(a) for a in e.args])
        if isinstance(e, sympy.Mul):
            return z3.Product(*[self.arith(a) for a in e.args])
        if isinstance(e, sympy.Pow):
            if not isinstance(e.exp, sympy.Integer):
                raise self.fail(e, "Pow with non-integer exponent")
            base, n = self.arith(e.base), int(e.exp)
            power = z3.Product(*[base] * abs(n)) if n else z3.RealVal(1, self.ctx)
            if n >= 0:
                return power
            self.side.setdefault(e.base, base != 0)
            return z3.RealVal(1, self.ctx) / power
        raise self.fail(e, type(e).__name__)

    def boolean(self, e: Any) -> z3.BoolRef:
        if e is sympy.true or e is sympy.false:
            return z3.BoolVal(bool(e), self.ctx)
        if isinstance(e, sympy.core.relational.Relational) and e.rel_op in _METHODS:
            return _cmp(e.rel_op, self.arith(e.lhs), self.arith(e.rhs))
        ops = {sympy.And: z3.And, sympy.Or: z3.Or, sympy.Not: z3.Not,
               sympy.Implies: z3.Implies, sympy.Equivalent: lambda a, b: a == b}
        if type(e) in ops and not (type(e) is sympy.Equivalent and len(e.args) != 2):
            return ops[type(e)](*[self.boolean(a) for a in e.args])
        raise self.fail(e, f"{type(e).__name__} is not a supported boolean")

    def translate(self, e: Any) -> z3.ExprRef:
        e = _sympify(e, "expr")
        if isinstance(e, sympy.logic.boolalg.Boolean) and not isinstance(e, sympy.Symbol):
            return self.boolean(e)  # (a Symbol is also a sympy Boolean; here it is a number)
        return self.arith(e)


def _sympify(e: Any, argument: str) -> sympy.Basic:
    """SymPy object from a SymPy object, bool or int (strings are refused: no eval)."""
    if isinstance(e, str):
        raise InputError(argument, e, "strings are not accepted; pass SymPy objects")
    try:
        return sympy.sympify(e, strict=True)
    except (sympy.SympifyError, TypeError) as exc:
        raise NotExpressibleError(f"not expressible for SMT: {e!r} ({type(e).__name__})") from exc


def to_z3(expr: Any, variables: Mapping | None = None, ctx: z3.Context | None = None) -> z3.ExprRef:
    """Translate a SymPy expression or relation to Z3.

    Parameters
    ----------
    expr : sympy.Basic, bool or int
        Polynomial/rational arithmetic (exact numbers only), relations and
        ``And``/``Or``/``Not``/``Implies``/``Equivalent``.
    variables : Mapping, optional
        ``Symbol -> Z3 arithmetic term`` to use instead of fresh constants
        (``Real``, or ``Int`` for ``integer=True`` symbols).
    ctx : z3.Context, optional
        Context for new terms (default: that of ``variables``, else Z3's main one).

    Returns
    -------
    z3.ExprRef
        Division is Z3's (total) division; symbol assumptions are not added.

    Raises
    ------
    NotExpressibleError
        Naming the offending subexpression (``sqrt``, ``sin``, ``Float``, ...).

    Examples
    --------
    >>> import sympy
    >>> x, y = sympy.symbols("x y")
    >>> to_z3(x**2 + y / 2 >= 1)
    x*x + 1/2*y >= 1
    >>> to_z3(sympy.sqrt(x))
    Traceback (most recent call last):
    ...
    symalign.errors.NotExpressibleError: not expressible for SMT: sqrt(x) (Pow with non-integer exponent)
    """
    return _Translator(variables, ctx).translate(expr)


def _number(v: z3.ExprRef) -> sympy.Basic | None:
    """Exact SymPy value of a Z3 numeral (CRootOf for algebraic numbers), else None."""
    if z3.is_int_value(v):
        return sympy.Integer(v.as_long())
    if z3.is_rational_value(v):
        return sympy.Rational(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        t = sympy.Dummy("t")
        coeffs = [int(str(c)) for c in v.poly()]
        return sympy.CRootOf(sum(c * t**i for i, c in enumerate(coeffs)), v.index() - 1)
    return None


def _approximations(v: z3.AlgebraicNumRef, count: int = 40) -> list[z3.ArithRef]:
    """Continued-fraction convergents of ``v``: simplest rationals first, from both sides."""
    r = v.approx(30)
    a, b = r.numerator_as_long(), r.denominator_as_long()
    p0, q0, p1, q1 = 0, 1, 1, 0
    out = []
    while b and len(out) < count:
        t = a // b
        a, b = b, a - t * b
        p0, q0, p1, q1 = p1, q1, t * p1 + p0, t * q1 + q0
        out.append(z3.RealVal(f"{p1}/{q1}", v.ctx))
    return out


def _solve(tr: _Translator, facts: list, deadline: float) -> tuple[str, dict | None, str]:
    """Check ``facts``; on sat pin irrational values to nearby rationals where possible."""
    s = z3.Solver(ctx=tr.ctx)
    s.add(*facts, *tr.assumptions(), *tr.side.values())

    def check() -> z3.CheckSatResult:
        left = deadline - time.monotonic()
        if left <= 0:
            return z3.unknown
        s.set("timeout", max(1, int(left * 1000)))
        return s.check()

    result = check()
    if result == z3.unsat:
        return "unsat", None, ""
    if result != z3.sat:
        return "unknown", None, (s.reason_unknown() if time.monotonic() < deadline else "timeout")
    while True:  # pin one irrational variable at a time to a nearby rational
        vals = {sym: s.model().eval(leaf, model_completion=True) for sym, leaf in tr.leaves.items()}
        bad = [sym for sym, v in vals.items() if z3.is_algebraic_value(v)]
        if not bad:
            return "sat", {sym: _number(v) for sym, v in vals.items()}, ""
        if not any(_pin(s, tr.leaves[sym], vals[sym], check) for sym in bad):
            if time.monotonic() >= deadline:
                return "unknown", None, "timeout"
            return "sat", {sym: _number(v) for sym, v in vals.items()}, "irrational"


def _pin(s: z3.Solver, leaf: z3.ArithRef, value: z3.AlgebraicNumRef, check: Any) -> bool:
    for cand in _approximations(value):
        s.push()
        s.add(leaf == cand)
        if check() == z3.sat:
            return True
        s.pop()
    return False


def _holds(e: sympy.Basic, values: Mapping) -> bool | None:
    """Exact truth value of ``e`` at ``values`` (None if SymPy cannot decide)."""
    try:
        r = e.xreplace(dict(values))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return bool(r) if r in (sympy.true, sympy.false) else None


def _respects_assumptions(values: Mapping) -> bool:
    return all(getattr(v, f"is_{k}", None) == a
               for s, v in values.items() for k, a in s.assumptions0.items())


def _setup(timeout: float, variables: Mapping | None) -> tuple[_Translator, float]:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or not math.isfinite(timeout) or timeout <= 0:
        raise InputError("timeout", timeout, "must be a positive finite number of seconds")
    ctx = None if variables else z3.Context()
    return _Translator(variables, ctx), time.monotonic() + timeout


def _as_tuple(items: Any, argument: str) -> tuple:
    if isinstance(items, (sympy.Basic, bool)):
        items = [items]
    items = list(items)
    if any(h is False for h in items):
        raise InputError(argument, items, "contains the Python bool False; write sympy.Eq(a, b), "
                         "not a == b (which compares structure)")
    out = tuple(_sympify(h, argument) for h in items)
    for h in out:
        if not isinstance(h, sympy.logic.boolalg.Boolean):
            raise InputError(argument, h, "must be boolean relations, not arithmetic expressions")
    return out


def prove(hypotheses: Iterable | Any, conclusion: Any, *, timeout: float = 10.0,
          variables: Mapping | None = None) -> Proof:
    """Decide whether the hypotheses imply the conclusion, with Z3.

    Parameters
    ----------
    hypotheses : iterable of SymPy booleans (or a single one)
    conclusion : SymPy boolean
    timeout : float, default 10.0
        Total budget in seconds; running out gives status ``"unknown"``.
    variables : Mapping, optional
        As in :func:`to_z3`.

    Returns
    -------
    Proof
        ``"proved"`` (Z3: unsat), ``"refuted"`` (with an exact rational
        counterexample re-checked in SymPy) or ``"unknown"``.

    Examples
    --------
    >>> import sympy
    >>> b, g = sympy.symbols("beta gamma", positive=True)
    >>> N = sympy.Symbol("N", integer=True)
    >>> prove([N >= 2, g < b * (N - 1)], b - g / (N - 1) > 0).status
    'proved'
    >>> x = sympy.Symbol("x")
    >>> prove([sympy.Eq(x**2, 2)], x < 0).reason
    'counterexample is irrational and could not be rationalised'
    """
    start = time.monotonic()
    hyps = _as_tuple(hypotheses, "hypotheses")
    (concl,) = _as_tuple([conclusion], "conclusion")
    tr, deadline = _setup(timeout, variables)
    facts = [tr.boolean(h) for h in hyps] + [z3.Not(tr.boolean(concl))]
    status, model, why = _solve(tr, facts, deadline)

    def done(status: str, reason: str, cex: Mapping | None = None) -> Proof:
        cex = types.MappingProxyType(dict(cex)) if cex is not None else None
        return Proof(status, hyps, concl, cex, reason, time.monotonic() - start)

    if status == "unsat":
        return done("proved", "")
    if status == "unknown":
        return done("unknown", why)
    if why:
        return done("unknown", "counterexample is irrational and could not be rationalised")
    if not _respects_assumptions(model):
        return done("unknown", "counterexample violates symbol assumptions not expressible in Z3")
    if not (all(_holds(h, model) is True for h in hyps) and _holds(concl, model) is False):
        return done("unknown", "Z3 counterexample failed exact re-check")
    return done("refuted", "counterexample found and re-checked exactly", model)


def nonvacuous(proof: Proof, *, timeout: float = 10.0, hypotheses: Iterable | None = None) -> Proof:
    """``proof`` unless it is ``"proved"`` from premises Z3 cannot show satisfiable (then ``"unknown"``).

    Contradictory hypotheses imply anything; a proof is kept only when Z3
    finds an exactly re-checked point satisfying ``hypotheses`` (default:
    the proof's own).

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> nonvacuous(prove([x > 1, x < 0], x > 5)).reason
    'the hypotheses contradict each other (the proof would be vacuous)'
    >>> nonvacuous(prove([x > 1], x > 0)).status
    'proved'
    """
    hyps = proof.hypotheses if hypotheses is None else _as_tuple(hypotheses, "hypotheses")
    if not proof.proved or not hyps:
        return proof
    sat = prove(hyps, sympy.false, timeout=timeout)
    if sat.refuted:
        return proof
    why = ("the hypotheses contradict each other (the proof would be vacuous)" if sat.proved else
           f"the hypotheses could not be shown satisfiable ({sat.reason})")
    return Proof("unknown", proof.hypotheses, proof.conclusion, None, why, proof.seconds + sat.seconds)


def check_sat(constraints: Iterable | Any, *, timeout: float = 10.0) -> tuple[str, dict | None, str]:
    """Satisfiability of SymPy constraints, with an exactly re-checked model.

    Returns
    -------
    tuple
        ``("sat", model, "")`` with ``model`` a dict ``Symbol -> exact value``
        (``Rational`` when Z3 allows, else ``CRootOf``); ``("unsat", None, "")``;
        ``("unknown", None, reason)``, also when SymPy cannot confirm the model.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> check_sat([sympy.Eq(x**2, 2), x > 0])
    ('sat', {x: CRootOf(_t**2 - 2, 1)}, '')
    >>> check_sat([x**2 < 0])
    ('unsat', None, '')
    """
    cons = _as_tuple(constraints, "constraints")
    tr, deadline = _setup(timeout, None)
    status, model, why = _solve(tr, [tr.boolean(c) for c in cons], deadline)
    if status != "sat":
        return status, None, why
    if not (_respects_assumptions(model) and all(_holds(c, model) is True for c in cons)):
        return "unknown", None, "Z3 model failed exact re-check"
    return "sat", model, ""

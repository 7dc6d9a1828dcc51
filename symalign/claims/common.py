"""Shared pieces of the claim checkers: the per-instance result and exact helpers.

:class:`InstanceResult` (the outcome of a claim on one instance, exported by
:mod:`symalign.claims.checks`) and the helpers every checker by kind uses:
the instance's hypotheses, Z3 implications cross-checked (:func:`_implies`,
:func:`_compare`), exact zero and truth tests, the numeric game at a
counterexample, and the Min/Max elimination for Z3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sympy as sp
from sympy.core.relational import Relational

from symalign.verify.certificates import _hyps as _game_hyps
from symalign.verify.population import PopulationGame
from symalign.verify.signs import cross_checked, relevant as _relevant
from symalign.claims.instances import Instance
from symalign.verify.smt import nonvacuous, prove

__all__ = ["minmax_to_boolean"]  # InstanceResult is exported (and documented) by symalign.claims.checks


@dataclass(frozen=True)
class InstanceResult:
    """Outcome of a claim on one instance."""

    label: str
    status: str
    detail: str
    counterexample: Mapping | None = None
    recheck: str = ""
    seconds: float = 0.0
    sampled: bool = False
    witness: str = ""
    """Game file (TOML) of the counterexample, when it is a real game confirmed by the solver."""


def _hyps(inst: Instance) -> tuple:
    """Parameter constraints, the family's hypotheses and the claim's (as the certificates assume them)."""
    return tuple(h for h in _game_hyps(inst.game, inst.hypotheses) if h is not sp.true)


def _solve_for(claim, inst):
    name = claim.body.get("solve_for")
    if not name:
        return None
    value = inst.names.get(name)
    if isinstance(value, sp.Symbol):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(x for x in value if isinstance(x, sp.Symbol))
    return None


def _terms(cert) -> str:
    """Distinct eigenvalues of a certificate with multiplicities ('' when it used minors)."""
    seen = {}
    for t in cert.derivation:
        if t.label.startswith("eigenvalue"):
            seen.setdefault(t.value, t.multiplicity)
    return ", ".join(f"{v}" + (f" (x{sp.factor(m)})" if m != 1 else "") for v, m in seen.items())


def _cond(c) -> str:
    return "all admissible parameters" if c is sp.true else str(c)


def _fmt(mapping) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(mapping.items(), key=lambda kv: str(kv[0])))


def _implies(hyps, premise, conclusion, timeout):
    """Z3 proof (cross-checked) of ``premise => conclusion`` under the relevant hypotheses; premise may be True.

    Min/Max are first translated into and/or (:func:`minmax_to_boolean`); any
    left (under a factor of unknown sign) become fresh variables with their
    defining constraints.
    """
    premise, conclusion = minmax_to_boolean(premise), minmax_to_boolean(conclusion)
    hyps = tuple(minmax_to_boolean(h) for h in hyps)
    (premise, conclusion), extra = _eliminate_minmax([premise, conclusion])
    premises = ([] if premise is sp.true else [premise]) + list(extra)
    relevant = _relevant(tuple(hyps), sp.And(conclusion, *premises))
    proof = cross_checked(prove(list(relevant) + premises, conclusion, timeout=timeout))
    # a proof from contradictory premises proves anything: refuse it (all hypotheses, not only the relevant)
    return nonvacuous(proof, timeout=timeout, hypotheses=list(hyps) + premises)


def _float_minmax(e):
    """Move Min/Max to the top of ``e`` where signs allow: c*Min(a, b) = Min(c a, c b) for c > 0, etc."""
    if not isinstance(e, sp.Basic) or not e.args or isinstance(e, Relational):
        return e
    args = [_float_minmax(a) for a in e.args]
    if isinstance(e, (sp.Min, sp.Max)):
        return e.func(*args, evaluate=False)
    if isinstance(e, sp.Add):
        for k, a in enumerate(args):
            if isinstance(a, (sp.Min, sp.Max)):
                rest = sp.Add(*(args[:k] + args[k + 1:]))
                return _float_minmax(a.func(*[x + rest for x in a.args], evaluate=False))
    if isinstance(e, sp.Mul):
        for k, a in enumerate(args):
            if isinstance(a, (sp.Min, sp.Max)):
                rest = sp.Mul(*(args[:k] + args[k + 1:]))
                if rest.is_positive or rest.is_nonnegative:
                    return _float_minmax(a.func(*[rest * x for x in a.args], evaluate=False))
                if rest.is_negative or rest.is_nonpositive:
                    other = sp.Max if isinstance(a, sp.Min) else sp.Min
                    return _float_minmax(other(*[rest * x for x in a.args], evaluate=False))
                return e.func(*args)
    return e.func(*args)


def minmax_to_boolean(cond):
    """Rewrite relations with Min/Max as and/or of plain relations (exact, no new variables).

    ``x < Min(a, b)`` becomes ``x < a & x < b``, ``x < Max(a, b)`` becomes
    ``x < a | x < b``, and so on for every relation; Min/Max under a sum or
    a product of known sign are moved to the top first.  Parts it cannot
    rewrite are left as they are.

    Examples
    --------
    >>> b, g, N = sp.symbols("beta gamma N", positive=True)
    >>> minmax_to_boolean(g < b * sp.Min(N - 1, 150))
    (gamma < 150*beta) & (gamma < beta*(N - 1))
    >>> minmax_to_boolean(sp.Max(g, 1) <= b)
    (1 <= beta) & (gamma <= beta)
    """
    cond = sp.sympify(cond, strict=True)
    if isinstance(cond, (sp.And, sp.Or, sp.Not)):
        return cond.func(*[minmax_to_boolean(a) for a in cond.args])
    if not isinstance(cond, Relational) or not cond.has(sp.Min, sp.Max):
        return cond
    if isinstance(cond, (sp.Eq, sp.Ne)):
        return cond
    if isinstance(cond, (sp.GreaterThan, sp.StrictGreaterThan)):  # a > b as b < a
        cond = (sp.StrictLessThan if isinstance(cond, sp.StrictGreaterThan) else sp.LessThan)(cond.rhs, cond.lhs)
    op = type(cond)
    lhs, rhs = _float_minmax(cond.lhs), _float_minmax(cond.rhs)
    if isinstance(rhs, (sp.Min, sp.Max)):  # x < Min: all; x < Max: any
        join = sp.And if isinstance(rhs, sp.Min) else sp.Or
        return join(*[minmax_to_boolean(op(lhs, a)) for a in rhs.args])
    if isinstance(lhs, (sp.Min, sp.Max)):  # Min < x: any; Max < x: all
        join = sp.Or if isinstance(lhs, sp.Min) else sp.And
        return join(*[minmax_to_boolean(op(a, rhs)) for a in lhs.args])
    return op(lhs, rhs)


def _compare(derived, stated, hyps, relation, timeout):
    """Prove the directions of ``stated <=> derived`` that ``relation`` asks for.

    Returns ``(if_proof, only_if_proof)`` (None for a direction not asked):
    ``if``: stated => derived; ``only_if``: derived => stated.
    """
    p_if = _implies(hyps, stated, derived, timeout) if relation in ("iff", "if") else None
    p_only = _implies(hyps, derived, stated, timeout) if relation in ("iff", "only_if") else None
    return p_if, p_only


def _numeric_game_at(inst: Instance, values: Mapping):
    """A numeric game at the counterexample; parameters it does not fix get neutral values."""
    g = inst.game
    if isinstance(g, PopulationGame):
        g = g.instance(int(values[g.N]))
    g = g.subs({k: v for k, v in values.items() if not (isinstance(inst.game, PopulationGame) and k == inst.game.N)})
    fill = _neutral_values(g)
    return g.subs(fill) if fill else g


def _neutral_values(game) -> dict:
    """Values for the game's free parameter symbols: 1 (positive), the uniform prior (simplex), else 0."""
    out = {}
    for spec in game.family.parameters():
        value = game.params[spec.name]
        flat = list(value) if isinstance(value, (tuple, sp.MatrixBase)) else [value]
        neutral = {"positive": sp.Integer(1), "simplex": sp.Rational(1, game.n_groups)}.get(spec.sign, sp.Integer(0))
        for x in flat:
            out.update(dict.fromkeys(sp.sympify(x, strict=True).free_symbols, neutral))
    return out


def _truth(cond, values):
    """Exact truth value of ``cond`` at ``values`` (None when undefined or undecided)."""
    try:
        r = cond.xreplace(dict(values))
    except (TypeError, ZeroDivisionError):
        return None
    return r if r in (sp.true, sp.false) else None


def _eliminate_minmax(exprs):
    """Replace Min/Max by fresh reals with defining constraints (for Z3)."""
    constraints = []

    def walk(e):
        if not isinstance(e, sp.Basic) or not e.args:
            return e
        args = [walk(a) for a in e.args]
        if isinstance(e, (sp.Min, sp.Max)):
            t = sp.Dummy("minmax", real=True)
            bound = (lambda a: t <= a) if isinstance(e, sp.Min) else (lambda a: t >= a)
            constraints.extend(bound(a) for a in args)
            constraints.append(sp.Or(*[sp.Eq(t, a) for a in args]))
            return t
        return e.func(*args)

    return [walk(sp.sympify(e, strict=True)) for e in exprs], constraints


def _impose_simplex(expr, game):
    """Substitute ``p_{i,D} = 1 - sum_{d<D} p_{i,d}`` for symbolic prior rows."""
    subs = {}
    specs = [s for s in game.family.parameters() if s.sign == "simplex"]
    for spec in specs:
        M = game.params[spec.name]
        for i in range(M.rows):
            row = list(M.row(i))
            last = row[-1]
            if isinstance(last, sp.Symbol) and last not in subs:
                subs[last] = 1 - sum(row[:-1])
    return expr.xreplace(subs) if subs else expr


def _is_zero(expr) -> bool:
    """Exact zero test: rational functions in the sparse fraction field, else expand_log + cancel."""
    expr = sp.sympify(expr, strict=True)
    if expr.is_number and expr.is_Rational:
        return expr == 0
    syms = sorted(expr.free_symbols, key=sp.default_sort_key)
    if syms and not expr.has(sp.log, sp.exp):
        try:
            return sp.QQ.frac_field(*syms).from_sympy(expr) == 0
        except (sp.polys.polyerrors.CoercionFailed, sp.polys.polyerrors.PolynomialError):
            pass
    return sp.cancel(sp.together(sp.expand_log(expr, force=True))) == 0


def _random_point(symbols, seed=0):
    import random

    rng = random.Random(seed)
    out = {}
    for s in symbols:
        v = sp.Rational(rng.randint(1, 97), rng.randint(1, 29))
        out[s] = v if (s.is_positive or s.is_nonnegative) else v * rng.choice([-1, 1])
    return out


def _full_hessian(g, i):
    w = list(g.weights.row(i))
    return sp.hessian(g.utility(i), w)


def _positive_under(exprs, hyps):
    """SymPy's assumptions decide positivity after symbols assumed ``> 0`` get positive dummies."""
    pos = {}
    for h in hyps:
        for rel in (h.args if isinstance(h, sp.And) else (h,)):
            if isinstance(rel, sp.StrictGreaterThan) and rel.rhs == 0 and isinstance(rel.lhs, sp.Symbol):
                pos[rel.lhs] = sp.Dummy(rel.lhs.name, positive=True)
            elif isinstance(rel, sp.StrictLessThan) and rel.lhs == 0 and isinstance(rel.rhs, sp.Symbol):
                pos[rel.rhs] = sp.Dummy(rel.rhs.name, positive=True)
    return all(sp.sympify(e, strict=True).xreplace(pos).is_positive for e in exprs)

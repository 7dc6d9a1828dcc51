"""Re-checking the ``[counterexample]`` a refuted claim file states, against its literal statement.

The point must first be *admissible*: every value an exact number naming
a symbol of the claim, signs as the symbols' assumptions say, priors on the
simplex, the family's and the claim's hypotheses true, and the point inside
the claim's ``scope`` (for ``scope = "reduced_interior"``: the reduced game
interior).  Only then is the statement evaluated there, exactly, by a route
independent of the derivation:

``uniqueness``
    several equilibria (support enumeration, exact KKT) where the stated
    condition holds, or the Sylvester test of the DSC matrix;
``exclusion_threshold``
    the solved game's exclusion against the stated condition;
``steering``
    the true minimal subsidy (:func:`symalign.claims.steering.true_minimal_subsidy`)
    against the stated amount.

For other kinds only admissibility is checked, and the text says so.
Parameters the file does not give take neutral values: 1 for positive
scalars, 0 for other scalars and attractiveness, the uniform prior.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from symalign.claims.common import _fmt, _neutral_values, _truth
from symalign.verify.population import PopulationGame

__all__ = ["file_counterexample"]


def _free_symbols(inst):
    g = inst.game
    return g.scalar_symbols() if isinstance(g, PopulationGame) else g.free_symbols()


def _parse(claim, inst):
    """``(values, None)`` or ``(None, reason)``: the file's values as exact numbers keyed by the claim's symbols."""
    symbols = {s.name: s for s in _free_symbols(inst)}
    values = {}
    for k, v in claim.counterexample.items():
        sym = symbols.get(k) or (inst.names.get(k) if isinstance(inst.names.get(k), sp.Symbol) else None)
        if sym is None:
            return None, f"{k} is not a symbol of the claim"
        frac = Fraction(str(v).strip())
        values[sym] = sp.Rational(frac.numerator, frac.denominator)
    return values, None


def _instance(claim):
    """The instance the counterexample is about: the first (not sampled) one that has all its symbols."""
    candidates = [x for x in claim.instances if not x.sampled] or list(claim.instances)
    for inst in candidates:
        names = {s.name for s in _free_symbols(inst)} | set(inst.names)
        if set(claim.counterexample) <= names:
            return inst
    return candidates[0]


def _signs(values):
    """The first value whose symbol's assumptions it violates, as text ('' when none)."""
    for sym, v in values.items():
        if (sym.is_positive and not v > 0) or (sym.is_nonnegative and not v >= 0) \
                or (sym.is_integer and not v.is_integer):
            kind = "positive" if sym.is_positive else "nonnegative" if sym.is_nonnegative else "an integer"
            return f"{sym} = {v} is not {kind}"
    return ""


def _admissible(claim, inst, values):
    """``(point, None)`` (values completed) or ``(None, reason)``."""
    from symalign.claims.witness import admissible

    bad = _signs(values)
    if bad:
        return None, bad
    if isinstance(inst.game, PopulationGame):
        n = values.get(inst.game.N)
        if n is not None and (not n.is_integer or n < 2):
            return None, f"N = {n} is not an integer >= 2"
        point = {**_neutral_values(inst.game.representative), **values}
        bad = next((h for h in inst.hypotheses if _truth(h, point) is not sp.true), None)
        return (None, f"{bad} fails (claim hypothesis)") if bad is not None else (point, None)
    extra = ()
    if claim.body.get("scope") == "reduced_interior" and claim.kind in ("exclusion_threshold", "steering"):
        from symalign.analysis.exclusion import exclusion_condition
        from symalign.claims.exclusion import _group_index

        validity = getattr(exclusion_condition(inst.game, _group_index(inst, claim.body["group"])), "validity", ())
        extra = (sp.And(*validity),) if validity else ()
    return admissible(inst, values, extra)


def file_counterexample(claim):
    """Re-check the counterexample a refuted file states; returns ``(text, whether it is one)``.

    Examples
    --------
    >>> from pathlib import Path
    >>> import symalign
    >>> from symalign.claims.schema import load_claim
    >>> root = Path(symalign.__file__).resolve().parents[1]
    >>> c = load_claim(root / "theorems/active_alignment/T3_interior_uniqueness.toml")
    >>> file_counterexample(c)[1]
    True
    """
    inst = _instance(claim)
    values, why = _parse(claim, inst)
    if values is None:
        return why, False
    point, why = _admissible(claim, inst, values)
    if point is None:
        return f"{_fmt(values)}: not an admissible point: {why}", False
    text, valid = _recheck(claim, inst, point)
    return f"{_fmt(values)}: admissible (signs, priors on the simplex, hypotheses, scope); {text}", valid


def _recheck(claim, inst, point):
    kind = claim.kind
    if kind == "uniqueness":
        from symalign.claims.uniqueness import recheck_uniqueness_point

        return recheck_uniqueness_point(claim, inst, point)
    if isinstance(inst.game, PopulationGame) or kind not in ("exclusion_threshold", "steering"):
        return f"the conclusion is not re-checked at the point for kind {kind!r}", True
    from symalign.claims.exclusion import _bound_condition, _disagree, _group_index
    from symalign.claims.witness import excluded_by_solver

    d = _group_index(inst, claim.body["group"])
    if kind == "steering":
        from symalign.claims.steering import _refutation

        found = _refutation(inst, d, point, inst.expression(claim.body["amount"], None, d), "")
        return (found.recheck, True) if found is not None else \
            ("the stated amount is not shown wrong there (true minimal subsidy by the solver)", False)
    excluded, eq = excluded_by_solver(inst.game.subs(point), d)
    stated = _truth(_bound_condition(inst, claim.body["condition"], d), point) is sp.true
    if excluded is None:
        return "the solver gives no single certified answer there", False
    ok = _disagree(claim.body.get("relation", "iff"), excluded, stated)
    return (f"solved: group {'' if excluded else 'not '}excluded at {eq.weights.tolist()}; stated condition "
            f"{stated}"), ok

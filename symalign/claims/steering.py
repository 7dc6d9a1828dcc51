"""Checking ``steering`` claims: the minimal subsidy ending the exclusion of one group.

The minimal subsidy is derived on the reduced game (the other groups) by
:func:`symalign.analysis.steering.minimal_subsidy`; the derivation is valid
only where that reduced game is interior (its *validity*, the same as the
exclusion condition's).  Inside the validity the stated and derived amounts
are compared by Z3.  The claim's ``scope`` says where it must hold:

``"all"`` (default)
    wherever the hypotheses hold: the validity must follow from the
    hypotheses, or the region outside it is searched for a game whose true
    minimal subsidy differs from the stated amount (``refuted``), else
    ``open``.
``"reduced_interior"``
    only where the reduced game is interior.

Every refutation carries a real game (a game file) and the *true* minimal
subsidy there, computed by an independent route: the numeric steering
analysis of that game (support found by the solver, probes solved exactly),
confirmed by solving the game steered half-way between the stated and the
true amount (:func:`symalign.claims.witness.excluded_by_solver`): there the
group is still excluded (stated too small) or no longer excluded (stated
too large), so the stated amount is not the minimal one.
"""

from __future__ import annotations

import sympy as sp

from symalign.claims.common import InstanceResult, _eliminate_minmax, _hyps, _implies
from symalign.claims.exclusion import _group_index, _without_dummies, scope_verdict

__all__ = ["check_steering", "true_minimal_subsidy"]


def true_minimal_subsidy(game, d):
    """``(amount, how)`` for a numeric game by the independent route, or ``(None, why)``.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 2, 4, alpha=1, beta=1, gamma=0,
    ...                 a=[[0, 2, -10, -10]] * 2, p=["1/4"] * 4)
    >>> true_minimal_subsidy(g, 0)[0]     # the reduced game excludes two more groups
    1
    """
    from symalign.analysis.steering import minimal_subsidy
    from symalign.errors import SymalignError

    try:
        sub = minimal_subsidy(game, d)
    except SymalignError as exc:
        return None, f"steering analysis failed: {exc}"
    check = getattr(sub, "check", None)
    amount = sp.sympify(sub.amount, strict=True)
    if check is None or not check.passed or not amount.is_Rational:
        return None, "the steering analysis of the game did not pass its own solver check"
    if amount > 0:
        from symalign.analysis.steering import shift_attractiveness
        from symalign.claims.witness import excluded_by_solver

        below, _ = excluded_by_solver(shift_attractiveness(game, {d: amount / 2}), d)
        if below is not True:
            return None, f"half the steering analysis's subsidy ({amount / 2}) does not leave the group excluded"
    return amount, f"numeric steering analysis (support found by the solver), probes solved: {check.details[-1]}"


def _step_confirms(game, d, stated, true) -> str | None:
    """Solve the game steered half-way between ``stated`` and ``true``: the stated amount is not minimal."""
    from symalign.analysis.steering import shift_attractiveness
    from symalign.claims.witness import excluded_by_solver

    mid = (stated + true) / 2
    if mid < 0:
        return None
    excluded, eq = excluded_by_solver(shift_attractiveness(game, {d: mid}), d)
    if excluded is None:
        return None
    if stated < true and excluded:
        return f"with subsidy {mid} > stated {stated} the group is still excluded (solved: {eq.weights.tolist()})"
    if stated > true and not excluded:
        return f"with subsidy {mid} < stated {stated} the group is no longer excluded (solved: {eq.weights.tolist()})"
    return None


def _refutation(inst, d, values, stated, detail):
    """A confirmed refutation at an admissible point, or None."""
    from symalign.claims.witness import game_file_text

    game = inst.game.subs(values)
    s_val = sp.sympify(stated, strict=True).xreplace(values)
    if not s_val.is_Rational:
        return None
    true, how = true_minimal_subsidy(game, d)
    if true is None or true == s_val:
        return None
    step = _step_confirms(game, d, s_val, true)
    if step is None:
        return None
    group = inst.game.groups[d]
    text = game_file_text(game, comment=f"counterexample: the minimal subsidy ending the exclusion of group "
                                        f"{group} is {true}; the claim states {s_val}")
    return InstanceResult(inst.label, "refuted", detail, values,
                          f"stated {s_val}, true minimal subsidy {true} ({how}); {step}", witness=text or "")


def check_steering(claim, inst, timeout):
    from symalign.analysis.exclusion import exclusion_condition
    from symalign.analysis.steering import minimal_subsidy
    from symalign.claims.witness import complete_point, random_points

    d = _group_index(inst, claim.body["group"])
    derived = sp.sympify(minimal_subsidy(inst.game, d).amount, strict=True)
    validity0 = sp.And(*getattr(exclusion_condition(inst.game, d), "validity", ()))
    stated = inst.expression(claim.body["amount"], None, d)
    scope = claim.body.get("scope", "all")
    (a, b, validity), extra = _eliminate_minmax([derived, stated, validity0])
    within = (validity,) if validity is not sp.true else ()
    p = _implies(_hyps(inst) + tuple(extra) + within, sp.true, sp.Eq(a, b), timeout)
    base = f"derived minimal subsidy: {derived}" + (f" (valid where {validity0})" if within else "")
    if p.refuted:
        cex = _without_dummies(p.counterexample)
        values = complete_point(inst, cex, extra=(validity0,))
        found = None if values is None else _refutation(inst, d, values, stated, f"{base}; differs from the "
                                                                                   "stated amount")
        if found is not None:
            return found
        return InstanceResult(inst.label, "open", f"{base}; Z3 finds the stated amount different at {cex}, but "
                              "no admissible game there confirms it (true minimal subsidy by the solver)")
    if not p.proved:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {p.reason}")
    done, seeds = scope_verdict(inst, f"{base}; equal to the stated amount", within, scope, extra, validity,
                                timeout)
    if done is not None:
        return done
    outside = (sp.Not(validity0),)
    points = [q for q in (complete_point(inst, s, outside) for s in seeds) if q is not None]
    for values in points + list(random_points(inst, 40, seed=7, extra=outside)):
        found = _refutation(inst, d, values, stated, "outside the derived subsidy's validity (the reduced "
                                                     "game on the other groups is not interior there) the "
                                                     "stated amount is not the minimal subsidy; the claim "
                                                     "states no scope")
        if found is not None:
            return found
    return InstanceResult(inst.label, "open", f"{base}; equal to the stated amount where the derivation is "
                          "valid, but the claim states no scope and the hypotheses do not imply the validity "
                          "(no counterexample found outside it): state scope = \"reduced_interior\" or "
                          "hypotheses that imply it")

"""Checking ``exclusion_threshold`` claims about one group (``steering``: :mod:`symalign.claims.steering`).

The derived exclusion condition (:mod:`symalign.analysis.exclusion`) and
minimal subsidy (:mod:`symalign.analysis.steering`) are compared with the
stated ones by Z3, after Min/Max are eliminated; counterexamples are
re-checked by exact substitution.
"""

from __future__ import annotations

import sympy as sp

from symalign.claims.common import InstanceResult, _compare, _eliminate_minmax, _hyps, _implies, _truth
from symalign.errors import InputError

__all__ = ["check_exclusion"]


def _without_dummies(cex):
    """A Z3 counterexample without the auxiliary Min/Max variables of :func:`_eliminate_minmax`."""
    return {k: v for k, v in cex.items() if not isinstance(k, sp.Dummy)}


def _group_index(inst, group):
    groups = inst.game.groups
    if isinstance(group, int):
        if not 0 <= group < len(groups):
            raise InputError("claim.group", group, f"group index must be in 0..{len(groups) - 1}")
        return group
    if group not in groups:
        raise InputError("claim.group", group, f"unknown group; groups are {list(groups)}")
    return groups.index(group)


def _bound_condition(inst, text, d):
    """Conjunction over agents when ``i`` is referenced; ``d`` bound to the group."""
    from symalign.core.expr import parse_condition, referenced_names

    agents = range(inst.game.n_agents) if "i" in referenced_names(text) else [None]
    return sp.And(*[parse_condition(text, inst.scope(i, d)) for i in agents])


def check_exclusion(claim, inst, timeout):
    """Compare the stated exclusion condition with the derived one, within its validity.

    The derived condition decides exclusion only where the reduced game (the
    other groups) has the derived support (its *validity*: interior reduced
    equilibrium).  Inside the validity the two conditions are compared by
    Z3; a counterexample is completed to an admissible game and confirmed by
    the independent solver.  A claim with ``scope = "reduced_interior"`` is
    about that region only; an unscoped claim must also hold outside it: the
    validity must follow from the hypotheses, or the region outside is
    searched for a game where the stated condition and the solver disagree
    (refuted), else the claim stays ``open``.
    """
    from symalign.analysis.exclusion import exclusion_condition

    d = _group_index(inst, claim.body["group"])
    cond = exclusion_condition(inst.game, d)
    derived0 = sp.sympify(cond.condition, strict=True)
    validity0 = sp.And(*cond.validity)
    stated0 = _bound_condition(inst, claim.body["condition"], d)
    (derived, stated, validity), extra = _eliminate_minmax([derived0, stated0, validity0])
    relation = claim.body.get("relation", "iff")
    scope = claim.body.get("scope", "all")
    within = (validity,) if validity is not sp.true else ()
    p_if, p_only = _compare(derived, stated, _hyps(inst) + tuple(extra) + within, relation, timeout)
    base = f"derived exclusion condition: {derived0}" + (f" (valid where {validity0})" if within else "")
    for p, what in ((p_if, "stated condition holds but the group is not excluded"),
                    (p_only, "the group is excluded although the stated condition fails")):
        if p is not None and p.refuted:
            return _confirmed(inst, d, _without_dummies(p.counterexample), derived0, stated0, validity0,
                              relation, f"{base}; {what}")
    pending = [p for p in (p_if, p_only) if p is not None and not p.proved]
    if pending:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {pending[0].reason}")
    done, seeds = scope_verdict(inst, f"{base}; {relation} proved", within, scope, extra, validity, timeout)
    if done is not None:
        return done
    found = _outside_validity(inst, d, stated0, validity0, relation, seeds)
    if found is not None:
        return found
    return InstanceResult(inst.label, "open", f"{base}; {relation} proved where the derived condition is "
                          "valid, but the claim states no scope and the hypotheses do not imply the validity "
                          "(no counterexample found outside it): state scope = \"reduced_interior\" or "
                          "hypotheses that imply it")


def scope_verdict(inst, proved_text, within, scope, extra, validity, timeout):
    """After the comparison is proved inside the validity: ``(proved result, [])`` or ``(None, seeds)``.

    Proved when the claim is scoped to the reduced interior, when there is
    no validity condition, or when the hypotheses imply it (Z3); otherwise
    the region outside must be searched, from the Z3 point (``seeds``).
    """
    if not within or scope == "reduced_interior":
        tail = " within the stated scope (reduced game interior)" if within else ""
        return InstanceResult(inst.label, "proved", f"{proved_text}{tail}"), []
    p_v = _implies(_hyps(inst) + tuple(extra), sp.true, validity, timeout)
    if p_v.proved:
        return InstanceResult(inst.label, "proved", f"{proved_text}, and the hypotheses imply the validity"), []
    return None, ([_without_dummies(p_v.counterexample)] if p_v.refuted else [])


def _disagree(relation, excluded, stated_true) -> bool:
    if relation == "if":
        return stated_true and not excluded
    if relation == "only_if":
        return excluded and not stated_true
    return excluded != stated_true


def _confirmed(inst, d, cex, derived0, stated0, validity0, relation, detail):
    """A Z3 counterexample as a real game, confirmed by the independent solver (else ``open``)."""
    from symalign.claims.witness import complete_point, excluded_by_solver, game_file_text

    values = complete_point(inst, cex, extra=(validity0,))
    if values is None:
        return InstanceResult(inst.label, "open", f"{detail}, but Z3's point {cex} does not complete to an "
                                                  "admissible game: not confirmed")
    game = inst.game.subs(values)
    excluded, eq = excluded_by_solver(game, d)
    stated_true = _truth(stated0, values) is sp.true
    if excluded is None or excluded != (_truth(derived0, values) is sp.true) \
            or not _disagree(relation, excluded, stated_true):
        return InstanceResult(inst.label, "open", f"{detail}, but the solver does not confirm it at {values}")
    text = game_file_text(game, comment=f"counterexample: group {inst.game.groups[d]} is "
                                         f"{'' if excluded else 'not '}excluded; the stated condition is "
                                         f"{stated_true}")
    return InstanceResult(inst.label, "refuted", detail, values,
                          f"confirmed by the solver: group {'' if excluded else 'not '}excluded at "
                          f"{eq.weights.tolist()}; stated condition {stated_true}", witness=text or "")


def _outside_validity(inst, d, stated0, validity0, relation, seeds, draws: int = 40):
    """A game outside the derivation's validity where the solver and the stated condition disagree."""
    from symalign.claims.witness import complete_point, excluded_by_solver, game_file_text, random_points

    outside = (sp.Not(validity0),)
    points = [p for p in (complete_point(inst, s, outside) for s in seeds) if p is not None]
    for values in points + list(random_points(inst, draws, seed=7, extra=outside)):
        game = inst.game.subs(values)
        excluded, eq = excluded_by_solver(game, d)
        if excluded is None:
            continue
        stated_true = _truth(stated0, values) is sp.true
        if _disagree(relation, excluded, stated_true):
            what = "the group is excluded although" if excluded else "the group is not excluded although"
            text = game_file_text(game, comment=f"counterexample outside the reduced-interior validity: "
                                                f"{what} the stated condition is {stated_true}")
            return InstanceResult(inst.label, "refuted", f"outside the derived condition's validity "
                                  f"({validity0} fails) {what} the stated condition is {stated_true}; the "
                                  "claim states no scope", values,
                                  f"confirmed by the solver: equilibrium {eq.weights.tolist()}",
                                  witness=text or "")
    return None

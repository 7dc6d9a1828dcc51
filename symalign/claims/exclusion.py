"""Checking ``exclusion_threshold`` and ``steering`` claims about one group.

The derived exclusion condition (:mod:`symalign.analysis.exclusion`) and
minimal subsidy (:mod:`symalign.analysis.steering`) are compared with the
stated ones by Z3, after Min/Max are eliminated; counterexamples are
re-checked by exact substitution.
"""

from __future__ import annotations

import sympy as sp

from symalign.claims.common import InstanceResult, _compare, _eliminate_minmax, _hyps, _implies, _truth
from symalign.errors import InputError

__all__ = ["check_exclusion", "check_steering"]


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
    from symalign.analysis.exclusion import exclusion_condition

    d = _group_index(inst, claim.body["group"])
    derived0 = sp.sympify(exclusion_condition(inst.game, d).condition, strict=True)
    stated0 = _bound_condition(inst, claim.body["condition"], d)
    (derived, stated), extra = _eliminate_minmax([derived0, stated0])
    relation = claim.body.get("relation", "iff")
    p_if, p_only = _compare(derived, stated, _hyps(inst) + tuple(extra), relation, timeout)
    base = f"derived exclusion condition: {derived0}"
    for p, what in ((p_if, "stated condition holds but the group is not excluded"),
                    (p_only, "the group is excluded although the stated condition fails")):
        if p is not None and p.refuted:
            cex = _without_dummies(p.counterexample)
            return InstanceResult(inst.label, "refuted", f"{base}; {what}", cex,
                                  f"re-checked by exact substitution: derived {_truth(derived0, cex)}, "
                                  f"stated {_truth(stated0, cex)}")
    pending = [p for p in (p_if, p_only) if p is not None and not p.proved]
    if pending:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {pending[0].reason}")
    return InstanceResult(inst.label, "proved", f"{base}; {relation} proved")


def check_steering(claim, inst, timeout):
    from symalign.analysis.steering import minimal_subsidy

    d = _group_index(inst, claim.body["group"])
    derived = sp.sympify(minimal_subsidy(inst.game, d).amount, strict=True)
    stated = inst.expression(claim.body["amount"], None, d)
    (a, b), extra = _eliminate_minmax([derived, stated])
    p = _implies(_hyps(inst) + tuple(extra), sp.true, sp.Eq(a, b), timeout)
    base = f"derived minimal subsidy: {derived}"
    if p.refuted:
        cex = _without_dummies(p.counterexample)
        return InstanceResult(inst.label, "refuted", f"{base}; differs from the stated amount", cex,
                              f"re-checked exactly: derived {derived.xreplace(cex)}, stated {stated.xreplace(cex)}")
    if not p.proved:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {p.reason}")
    return InstanceResult(inst.label, "proved", f"{base}; equal to the stated amount")

"""Checking ``closed_form`` and ``identity`` claims: exact equality of expressions.

A stated equilibrium is compared with the one derived on the interior (affine
families) or checked to be feasible and stationary for every agent
(non-affine ones); an identity's two sides must cancel exactly.  A difference
is shown at an exact point where the two sides differ.
"""

from __future__ import annotations

import sympy as sp

from symalign.claims.common import InstanceResult, _impose_simplex, _is_zero, _positive_under, _random_point
from symalign.errors import InputError

__all__ = ["check_closed_form", "check_identity"]


def check_closed_form(claim, inst, timeout):
    from symalign.core.kkt import kkt_system

    if inst.symbolic_n:
        raise InputError("agents", "N", "closed-form claims need an explicit number of agents")
    game = inst.game
    stated = inst.matrix(claim.body["weights"])
    kkt = kkt_system(game)
    if kkt.is_affine():
        from symalign.core.derive import derive_on_support

        eq = derive_on_support(game, None, kkt=kkt)
        diff = [_impose_simplex(x, game) for x in (eq.weights - stated)]
        bad = [k for k, x in enumerate(diff) if not _is_zero(x)]
        if bad:
            return _differs(inst, eq.weights, stated, bad)
        how = "derived by derive_on_support (interior KKT, exact) and equal to the stated form"
        status = "checked-by-property" if inst.sampled else "derived"
        return InstanceResult(inst.label, status, how + (" (sum_d p_{i,d} = 1 imposed)" if not inst.sampled else ""))
    return _stationary_form(claim, inst, stated, kkt)


def _differs(inst, derived, stated, bad):
    k = bad[0]
    i, d = divmod(k, inst.game.n_groups)
    free = sorted((derived[k] - stated[k]).free_symbols, key=sp.default_sort_key)
    for seed in range(20):
        point = _random_point(free, seed)
        try:
            a, b = derived[k].xreplace(point), stated[k].xreplace(point)
        except ZeroDivisionError:
            continue
        if a.is_finite and b.is_finite and a != b:
            return InstanceResult(inst.label, "refuted", f"w[{i + 1},{d + 1}]: derived {derived[k]} differs from "
                                  f"the stated form", point, f"re-checked exactly: derived {a}, stated {b}")
    return InstanceResult(inst.label, "open", f"w[{i + 1},{d + 1}]: the difference does not cancel, "
                                              "but no point separating them was found")


def _stationary_form(claim, inst, stated, kkt):
    """Non-affine families: the stated profile is interior, feasible and stationary for every agent."""
    game = inst.game
    W = game.weights
    sub = {W[i, d]: stated[i, d] for i in range(W.rows) for d in range(W.cols)}
    for i in range(W.rows):
        if not _is_zero(sum(stated.row(i)) - 1):
            return InstanceResult(inst.label, "refuted", f"row {i + 1} of the stated form does not sum to 1")
        g = [kkt.gradients[i, d].xreplace(sub) for d in range(W.cols)]
        if any(not _is_zero(x - g[0]) for x in g):
            return InstanceResult(inst.label, "refuted", f"agent {i + 1}: own-gradient not constant at the stated form")
    detail = "stated form lies on the simplex and makes every own-gradient constant (interior KKT, exact); " \
             "strictly concave, so it is the equilibrium"
    if claim.body.get("positive"):
        pos = _positive_under(list(stated), inst.hypotheses + tuple(game.parameter_constraints()))
        if not pos:
            return InstanceResult(inst.label, "open", detail + "; positivity of every weight not established")
        detail += "; every weight is positive under the hypotheses (no exact exclusion)"
    return InstanceResult(inst.label, "checked-by-property" if inst.sampled else "proved", detail)


def check_identity(claim, inst, timeout):
    game = inst.game
    lhs_t, rhs_t = claim.body["lhs"], claim.body["rhs"]
    pairs = inst.indices(lhs_t + " + " + rhs_t)
    for i, d in pairs:
        lhs, rhs = inst.expression(lhs_t, i, d), inst.expression(rhs_t, i, d)
        diff = lhs - rhs if inst.symbolic_n else _impose_simplex(lhs - rhs, game)
        if not _is_zero(diff):
            free = sorted(diff.free_symbols, key=sp.default_sort_key)
            point = _random_point(free, 1)
            return InstanceResult(inst.label, "refuted", f"lhs - rhs = {sp.factor(diff)} is not zero"
                                  + (f" at i={i}" if i is not None else "") + (f", d={d}" if d is not None else ""),
                                  point, f"re-checked exactly: lhs - rhs = {diff.xreplace(point)}")
    return InstanceResult(inst.label, "checked-by-property" if inst.sampled else "proved",
                          "lhs - rhs cancels exactly" + ("" if inst.symbolic_n else " (sum_d p_{i,d} = 1 imposed)"))

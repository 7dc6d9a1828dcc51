"""Checking ``comparative_statics`` claims: the derivative of an equilibrium or a threshold.

``of = "weights"`` (default): ``dw*_{i,d}/dtheta`` on the interior support by
the implicit function theorem (:func:`symalign.analysis.statics.comparative_statics`).
``of = "exclusion_threshold"``: the derivative of each agent's exclusion
threshold on ``parameter`` for ``group``
(:func:`symalign.analysis.exclusion.exclusion_condition`) with respect to ``wrt``.

A stated ``derivative`` must equal the derived one exactly (``i``, ``d``
free indices); a stated ``sign`` must follow from the claim's hypotheses and
the support's validity conditions (Z3, cross-checked).  A refutation of a
weight derivative comes with an exact parameter point, and is confirmed there
by central finite differences of the independent iterative solver
(:func:`symalign.numeric.solvers.solve`), which shares nothing with the
derivation.
"""

from __future__ import annotations

import sympy as sp

from symalign.claims.common import InstanceResult, _hyps, _impose_simplex, _implies, _is_zero, _random_point
from symalign.claims.exclusion import _group_index
from symalign.errors import InputError

__all__ = ["check_comparative_statics", "finite_difference"]

_SIGNS = {"positive": sp.StrictGreaterThan, "negative": sp.StrictLessThan,
          "nonnegative": sp.GreaterThan, "nonpositive": sp.LessThan}


def check_comparative_statics(claim, inst, timeout):
    body = claim.body
    if inst.symbolic_n:
        raise InputError("game.agents", "N", "comparative_statics claims need an explicit number of agents")
    theta = inst.names.get(body["wrt"])
    if not isinstance(theta, sp.Symbol):
        raise InputError("claim.wrt", body["wrt"], "must name a symbol of the game (a shared parameter or a declared symbol)")
    entries, derived, conditions, how = _derived(claim, inst, theta)
    if "derivative" in body:
        for i, d in entries:
            stated = inst.expression(body["derivative"], i, d)
            diff = _impose_simplex(derived[(i, d)] - stated, inst.game)
            if not _is_zero(diff):
                return _differs(claim, inst, theta, i, d, derived[(i, d)], stated, conditions, how)
        status = "checked-by-property" if inst.sampled else "derived"
        return _in_scope(claim, inst, conditions, InstanceResult(
            inst.label, status, f"{how}; equal to the stated derivative for every entry"), timeout)
    rel = _SIGNS[body["sign"]]
    hyps = _hyps(inst) + tuple(c for c in conditions if c is not sp.true)
    for i, d in entries:
        num, den = sp.fraction(sp.factor(derived[(i, d)]))
        p = _implies(hyps, sp.true, rel(sp.expand(num * den), 0), timeout)
        where = f"d/d{theta} of entry (agent {i + 1}, group {d + 1})" if d is not None else f"agent {i + 1}"
        if p.refuted:
            cex = dict(p.counterexample)
            return InstanceResult(inst.label, "refuted", f"{how}; {where} = {derived[(i, d)]} is not {body['sign']}",
                                  cex, _recheck(claim, inst, theta, i, d, derived[(i, d)], cex))
        if not p.proved:
            return InstanceResult(inst.label, "open", f"{how}; {where}: Z3 {p.reason}")
    status = "checked-by-property" if inst.sampled else "proved"
    return _in_scope(claim, inst, conditions, InstanceResult(
        inst.label, status, f"{how}; {body['sign']} on the region (Z3, cross-checked)"), timeout)


def _in_scope(claim, inst, conditions, result, timeout):
    """The derivative is derived on the interior support: an unscoped claim needs the hypotheses to imply it.

    ``scope = "interior"`` states the claim where the interior support is
    valid; with the default ``scope = "all"`` it must hold wherever the
    hypotheses hold, so the validity conditions must follow from them (Z3),
    else the claim stays ``open`` (outside the interior the equilibrium and
    its derivative are those of another support).
    """
    conds = [c for c in conditions if c is not sp.true]
    if not conds or claim.body.get("scope", "all") != "all":
        tail = " (scope: interior)" if conds else ""
        return InstanceResult(result.label, result.status, result.detail + tail)
    p = _implies(_hyps(inst), sp.true, sp.And(*conds), timeout)
    if p.proved:
        return InstanceResult(result.label, result.status, result.detail + "; the hypotheses imply the interior "
                              "support (Z3)")
    return InstanceResult(result.label, "open", result.detail + " on the interior support, but the claim states "
                          "no scope and the hypotheses do not imply that support"
                          + (f" (e.g. at {dict(p.counterexample)})" if p.refuted else f" (Z3: {p.reason})")
                          + ": state scope = \"interior\" or hypotheses that imply it")


def _derived(claim, inst, theta):
    body = claim.body
    game = inst.game
    of = body.get("of", "weights")
    if of == "weights":
        from symalign.analysis.statics import comparative_statics

        st = comparative_statics(game, theta, support=[list(range(game.n_groups))] * game.n_agents)
        agents = [body["agent"]] if "agent" in body else range(game.n_agents)
        groups = [_group_index(inst, body["group"])] if "group" in body else range(game.n_groups)
        entries = [(i, d) for i in agents for d in groups]
        derived = {(i, d): st.derivative[i, d] for i, d in entries}
        return entries, derived, st.conditions, "implicit function theorem on the interior KKT system"
    from symalign.analysis.exclusion import exclusion_condition

    d = _group_index(inst, body["group"])
    param = inst.names.get(body["parameter"])
    cond = exclusion_condition(game, d)
    ths = {t.agent: t.bound for t in cond.thresholds if t.parameter == param}
    if len(ths) != game.n_agents:
        raise InputError("claim.parameter", body["parameter"], "no exclusion threshold on it for every agent")
    derived = {(i, d): sp.factor(sp.diff(ths[i], theta)) for i in range(game.n_agents)}
    return list(derived), derived, (), (f"derivative of the derived exclusion thresholds on {param} "
                                        f"(group {d + 1}) with respect to {theta}")


def _differs(claim, inst, theta, i, d, derived, stated, conditions, how):
    free = sorted((derived - stated).free_symbols | inst.game.free_symbols(), key=sp.default_sort_key)
    weights = claim.body.get("of", "weights") == "weights"
    fallback = None
    for seed in range(40):
        point = _random_point(free, seed) if seed % 2 else _moderate_point(free, seed)
        point.update(_simplex_rows(inst.game, point))
        try:
            a, b = derived.xreplace(point), stated.xreplace(point)
        except ZeroDivisionError:
            continue
        if not (a.is_finite and b.is_finite) or a == b:
            continue
        fallback = fallback or (point, a, b)
        if not weights or not all(c.xreplace(point) is sp.true for c in conditions):
            continue
        try:
            fd = finite_difference(inst.game, theta, point, i, d)
        except Exception:  # noqa: BLE001 - a point where the solver fails is skipped
            continue
        scale = 1e-4 * (1 + abs(float(a)))
        if abs(fd - float(a)) < scale and abs(fd - float(b)) > scale:
            return InstanceResult(inst.label, "refuted", f"{how}; entry (agent {i + 1}, group {d + 1}): derived "
                                  f"{derived} differs from the stated {stated}", point,
                                  f"independent solver, central finite difference at this point: {fd:.6g}; "
                                  f"derived {float(a):.6g}, stated {float(b):.6g}")
    if fallback is not None:
        point, a, b = fallback
        return InstanceResult(inst.label, "refuted", f"{how}; derived {derived} differs from the stated {stated}",
                              point, f"re-checked exactly: derived {a}, stated {b}"
                              + ("" if not weights else "; no sampled point was confirmed by finite differences"))
    return InstanceResult(inst.label, "open", f"{how}; the difference does not cancel but no separating point was found")


def _moderate_point(symbols, seed):
    """Exact values of moderate size (positive in [1/2, 2], nonnegative in [0, 1], real in [-1/2, 1/2])."""
    import random

    rng = random.Random(seed)
    out = {}
    for x in symbols:
        if x.is_positive:
            out[x] = sp.Rational(rng.randint(4, 16), 8)
        elif x.is_nonnegative:
            out[x] = sp.Rational(rng.randint(0, 8), 8)
        else:
            out[x] = sp.Rational(rng.randint(-4, 4), 8)
    return out


def _simplex_rows(game, point):
    """Make symbolic simplex rows (priors) of the sampled point sum to one."""
    out = {}
    for spec in game.family.parameters():
        if spec.sign != "simplex":
            continue
        M = game.params[spec.name]
        for r in range(M.rows):
            row = [x for x in M.row(r) if isinstance(x, sp.Symbol)]
            if not row:
                continue
            vals = [abs(point.get(x, 1)) or 1 for x in row]
            fixed = sum(x for x in M.row(r) if x.is_number)
            scale = (1 - fixed) / sum(vals)
            out.update({x: v * scale for x, v in zip(row, vals)})
    return out


def _recheck(claim, inst, theta, i, d, derived, point):
    value = derived.xreplace(point)
    if claim.body.get("of", "weights") != "weights":
        return f"re-checked by exact substitution: the derivative is {value} there"
    try:
        fd = finite_difference(inst.game, theta, point, i, d)
    except Exception as exc:  # noqa: BLE001 - the recheck must not hide the refutation
        return f"exact value {value}; finite-difference recheck unavailable ({type(exc).__name__}: {exc})"
    return f"exact value {value}; independent solver, central finite difference at this point: {fd:.6g}"


def finite_difference(game, theta, point, i, d, h: float = 1e-5) -> float:
    """Central finite difference of ``w*_{i,d}`` in ``theta`` by the iterative solver (no derivation involved)."""
    import numpy as np

    from symalign.numeric import solvers
    from symalign.numeric.compile import numeric_game

    base = {k: v for k, v in point.items() if k != theta}
    t0 = sp.Rational(point[theta])
    vals = []
    for step in (h, -h):
        g = game.subs({**base, theta: t0 + sp.Rational(step)})
        ng = numeric_game(g)
        res = solvers.solve(ng.grad, g.n_agents, g.n_groups, method="extragradient", tol=1e-13)
        vals.append(np.asarray(res.weights)[i, d])
    return float((vals[0] - vals[1]) / (2 * h))

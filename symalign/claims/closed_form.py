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

__all__ = ["check_closed_form", "check_identity", "check_positive"]


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
            return _confirm(inst, stated, _differs(inst, eq.weights, stated, bad), derived=eq.weights)
        how = "derived by derive_on_support (interior KKT, exact) and equal to the stated form"
        status = "checked-by-property" if inst.sampled else "derived"
        how += " (sum_d p_{i,d} = 1 imposed)" if not inst.sampled else ""
        result = _scoped(claim, inst, stated, InstanceResult(inst.label, status, how), timeout)
        return _with_concavity(inst, stated, result, timeout)
    return _with_concavity(inst, stated, _stationary_form(claim, inst, stated, kkt, timeout), timeout)


def _scoped(claim, inst, stated, result, timeout):
    """``positive = true``: every entry > 0; else with the default ``scope = "all"``: every entry >= 0.

    The interior KKT solution is an equilibrium only where it lies on the
    simplex; a closed form stated for every parameter the hypotheses allow
    must be nonnegative there.  ``scope = "interior"`` states it only
    where every entry is positive (``support = "interior"`` says the same).
    """
    if claim.body.get("positive"):
        return check_positive(inst, stated, result, timeout)
    scope = claim.body.get("scope") or ("interior" if claim.body.get("support") == "interior" else "all")
    if scope == "all":
        return check_positive(inst, stated, result, timeout, strict=False)
    return InstanceResult(result.label, result.status, result.detail + "; stated for the interior only "
                          "(scope = \"interior\": where every entry is positive)")


def check_positive(inst, stated, result, timeout, strict: bool = True):
    """``positive = true``: every entry of the stated form is > 0 wherever the hypotheses hold (Z3, exact).

    ``strict=False``: every entry >= 0 (the form is on the simplex, the
    default scope of a closed-form claim).

    Proved: the result keeps its status, with the proof in its detail.
    Refuted: an admissible game (a game file) where an entry is <= 0,
    evaluated exactly, with the equilibria the independent solver finds
    there.  Undecided: ``open``.
    """
    from symalign.claims.common import _hyps, _implies
    from symalign.claims.witness import complete_point, game_file_text

    if result.status not in ("proved", "derived", "checked-by-property"):
        return result
    entries = [_impose_simplex(x, inst.game) for x in stated]
    what, op = ("positive = true", "> 0") if strict else ("the default scope (wherever the hypotheses hold)", ">= 0")
    p = _implies(_hyps(inst), sp.true, sp.And(*[(x > 0) if strict else (x >= 0) for x in entries]), timeout)
    if p.proved:
        return InstanceResult(result.label, result.status, result.detail + ("; every weight is positive wherever "
                              "the hypotheses hold (Z3, cross-checked; positive = true)" if strict else
                              "; every weight is >= 0 wherever the hypotheses hold (Z3, cross-checked)"))
    if not p.refuted:
        return InstanceResult(result.label, "open", result.detail + f"; {what}: every weight {op} not decided "
                              f"(Z3: {p.reason}); state scope = \"interior\" if it is meant for the interior only")
    values = complete_point(inst, p.counterexample)
    if values is None:
        return InstanceResult(result.label, "open", result.detail + f"; {what}: Z3's point "
                              f"{dict(p.counterexample)} does not complete to an admissible game")
    rows = stated.xreplace({**values})
    bad = next(((i, d) for i in range(rows.rows) for d in range(rows.cols)
                if not (rows[i, d] > 0 if strict else rows[i, d] >= 0)), None)
    if bad is None:
        return InstanceResult(result.label, "open", result.detail + f"; {what}: Z3's point does not "
                              "re-check exactly")
    game = inst.game.subs(values)
    from symalign.numeric.solve import solve

    sol = solve(game)
    found = "; ".join(str(sp.ImmutableMatrix(eq.weights).tolist()) for eq in sol.equilibria[:3])
    i, d = bad
    why = ("positive = true is false: an entry of the stated form is <= 0 where the hypotheses hold" if strict else
           "an entry of the stated form is negative where the hypotheses hold, so it is not an equilibrium "
           "there (the claim states no scope; scope = \"interior\" restricts it)")
    return InstanceResult(result.label, "refuted", result.detail + f"; but {why}", values,
                          f"re-checked exactly: w[{i + 1},{d + 1}] = {rows[i, d]} (1-based agent, group); the "
                          f"independent solver finds the equilibria {found}",
                          witness=game_file_text(game, comment=f"counterexample ({what}): "
                                                               f"w[{i + 1},{d + 1}] = {rows[i, d]}") or "")


def _with_concavity(inst, stated, result, timeout):
    """A KKT point is an equilibrium only under own-concavity: check it (existence certificate).

    Where concavity is not proved, the stated form is checked at the
    certificate's counterexample (or a sample point) by the independent
    deviation search; a profitable deviation refutes the claim with a real
    game, otherwise the claim stays ``open``.
    """
    if result.status not in ("proved", "derived", "checked-by-property"):
        return result
    from symalign.verify.certificates import existence_certificate

    cert = existence_certificate(inst.game, assuming=inst.hypotheses, timeout=timeout)
    if cert.status == "proved":
        where = "" if "every weight is positive" in result.detail else " wherever its weights are nonnegative"
        return InstanceResult(result.label, result.status, result.detail + "; own-concavity proved "
                              f"(existence certificate: {cert.condition}), so the KKT point is an equilibrium{where}")
    why = f"own-concavity {cert.status} (existence certificate: {cert.condition})"
    point = dict(cert.counterexample or {})
    gain = _deviation_at(inst, stated, point)
    if gain is not None and gain[0] > 1e-9:
        return InstanceResult(result.label, "refuted", f"{why}; the stated form is a stationary point, "
                              "not an equilibrium", gain[2],
                              f"re-checked by the independent deviation search at these values: agent "
                              f"{gain[1] + 1} gains {gain[0]:.6g} by deviating")
    return InstanceResult(result.label, "open", f"{result.detail}; but {why}: a stationary point is not "
                          "known to be an equilibrium")


def _confirm(inst, stated, result, draws: int = 12, derived=None):
    """A refutation with a real game: an admissible point where an agent gains by deviating from the stated form.

    The symbolic refutation stands on its own; this adds the game (exact
    parameter values in the domain, written as a game file) where the
    independent deviation search confirms it.
    """
    if result.status != "refuted" or inst.symbolic_n:
        return result
    from symalign.claims.witness import complete_point, game_file_text, random_points

    seed = complete_point(inst, result.counterexample) if result.counterexample else None
    candidates = ([seed] if seed is not None else []) + list(random_points(inst, draws, seed=11))
    from symalign.claims.common import _neutral_values

    for point in candidates:
        values = {**_neutral_values(inst.game), **point}
        rows = stated.xreplace(values)
        if rows.free_symbols:
            continue
        exact = ""
        if derived is not None:
            k = next((k for k in range(len(rows)) if derived[k].xreplace(values) != rows[k]), None)
            if k is None:
                continue  # derived and stated agree at this point: it shows nothing
            i, d = divmod(k, inst.game.n_groups)
            exact = (f"re-checked exactly at these values: w[{i + 1},{d + 1}] derived "
                     f"{derived[k].xreplace(values)}, stated {rows[k]}; ")
        if any(sum(rows.row(i)) != 1 or any(x < 0 for x in rows.row(i)) for i in range(rows.rows)):
            return InstanceResult(result.label, "refuted", result.detail, values,
                                  exact + "confirmed in a game of the domain: the stated form is not on the simplex",
                                  witness=game_file_text(inst.game.subs(values)) or "")
        gain = _deviation_at(inst, stated, values)
        if gain is not None and gain[0] > 1e-9:
            return InstanceResult(result.label, "refuted", result.detail, gain[2],
                                  exact + f"confirmed in a game of the domain: agent {gain[1] + 1} gains {gain[0]:.6g} "
                                  "by deviating from the stated form",
                                  witness=game_file_text(inst.game.subs(gain[2])) or "")
    return InstanceResult(result.label, result.status, result.detail + " (no game of the domain confirming it "
                          "was found among the points tried)", result.counterexample, result.recheck)


def _deviation_at(inst, stated, point):
    """``(gain, agent, values)``: best deviation from the stated form at ``point`` (neutral values elsewhere).

    None when the game is not numeric there.
    """
    import numpy as np

    from symalign.claims.common import _neutral_values
    from symalign.numeric.compile import numeric_game
    from symalign.numeric.deviation import global_deviation_gain

    values = {**_neutral_values(inst.game), **point}
    try:
        game = inst.game.subs(values)
        W = stated.xreplace(values)
        if game.free_symbols() or W.free_symbols:
            return None
        arr = np.array(W.evalf(17).tolist(), dtype=float)
        ng = numeric_game(game)
        gains = [global_deviation_gain(ng.utility, ng.grad, arr, i)[0] for i in range(game.n_agents)]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    k = int(np.argmax(gains))
    return float(gains[k]), k, values


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


def _stationary_form(claim, inst, stated, kkt, timeout):
    """Non-affine families: the stated profile is interior, feasible and stationary for every agent."""
    game = inst.game
    W = game.weights
    sub = {W[i, d]: stated[i, d] for i in range(W.rows) for d in range(W.cols)}
    for i in range(W.rows):
        if not _is_zero(sum(stated.row(i)) - 1):
            return _confirm(inst, stated, InstanceResult(inst.label, "refuted",
                                                         f"row {i + 1} of the stated form does not sum to 1"))
        g = [kkt.gradients[i, d].xreplace(sub) for d in range(W.cols)]
        if any(not _is_zero(x - g[0]) for x in g):
            return _confirm(inst, stated, InstanceResult(
                inst.label, "refuted", f"agent {i + 1}: own-gradient not constant at the stated form"))
    detail = "stated form lies on the simplex and makes every own-gradient constant (interior KKT, exact)"
    result = InstanceResult(inst.label, "checked-by-property" if inst.sampled else "proved", detail)
    if claim.body.get("positive"):
        if _positive_under(list(stated), inst.hypotheses + tuple(game.parameter_constraints())):
            return InstanceResult(inst.label, result.status, detail + "; every weight is positive under the "
                                  "hypotheses (no exact exclusion)")
        return check_positive(inst, stated, result, timeout)
    return _scoped(claim, inst, stated, result, timeout)


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
                                  + (f" for agent {i + 1}" if i is not None else "")
                                  + (f", group {d + 1}" if d is not None else ""),
                                  point, f"re-checked exactly: lhs - rhs = {diff.xreplace(point)}")
    return InstanceResult(inst.label, "checked-by-property" if inst.sampled else "proved",
                          "lhs - rhs cancels exactly" + ("" if inst.symbolic_n else " (sum_d p_{i,d} = 1 imposed)"))

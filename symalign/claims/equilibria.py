"""Checking ``equilibrium_count`` and ``symmetric_equilibrium`` claims.

``equilibrium_count``: every equilibrium of the (numeric) instance is
enumerated exactly (:func:`symalign.numeric.enumerate.enumerate_equilibria`);
a continuum counts as infinitely many.  The count is proved when own
concavity is established (KKT points are then exactly the equilibria);
every equilibrium behind a refutation is confirmed by the independent
checker (KKT residual and best unilateral deviation gain).

``symmetric_equilibrium``: the stated common mixture ``x_d`` lies on the
simplex, makes agent 1's own-gradient constant on its support at the
symmetric profile (exact), and each utility is concave in own weights
(:func:`symalign.core.symmetric.own_concavity`), so every agent
best-responds.  With ``only = true`` the symmetric first-order conditions
are solved on every support (:func:`symalign.core.symmetric.symmetric_equilibria`)
and the stated form must be the only valid solution.  A refutation comes
with an exact parameter point where the stated profile is not an
equilibrium, confirmed by the independent deviation check.
"""

from __future__ import annotations

import sympy as sp

from symalign.claims.common import InstanceResult, _hyps, _implies, _is_zero, _random_point
from symalign.errors import InputError

__all__ = ["check_equilibrium_count", "check_symmetric_equilibrium"]


def check_equilibrium_count(claim, inst, timeout):
    from symalign.numeric.deviation import deviation_gain
    from symalign.numeric.enumerate import enumerate_equilibria

    game = inst.game
    if inst.symbolic_n or not game.is_numeric:
        raise InputError("game.parameters", None, "equilibrium_count claims need numeric games (fix every parameter)")
    k = claim.body["count"]
    relation = claim.body.get("relation", "exactly")
    res = enumerate_equilibria(game, engine="symalign")  # a proof needs our exact enumeration, not Gambit's
    found = float("inf") if res.components else len(res.isolated)
    ok = found == k if relation == "exactly" else found >= k
    what = (f"{len(res.isolated)} isolated equilibri{'um' if len(res.isolated) == 1 else 'a'}"
            + (f" and {len(res.components)} component(s) of positive dimension" if res.components else ""))
    gains = [deviation_gain(game, eq) for eq in res.isolated]
    recheck = "independent check: " + ", ".join(f"{_profile(eq.weights)} gain {g:.2g}, residual {eq.residual:.2g}"
                                                 for eq, g in zip(res.isolated, gains))
    recheck += "".join(f"; component {c.kind} with vertices {[_profile(v) for v in c.vertices]}" for c in res.components)
    if res.concave is not True:
        return InstanceResult(inst.label, "open", f"enumeration found {what}, but own concavity is not established "
                              "(KKT points need not be equilibria)")
    if any(g > 1e-9 for g in gains):
        return InstanceResult(inst.label, "open", f"enumeration found {what}, but the independent deviation check "
                              f"disagrees ({recheck})")
    status = "checked-by-property" if inst.sampled else "proved"
    detail = f"exact support enumeration ({res.profiles} support profiles) finds {what}"
    if ok:
        return InstanceResult(inst.label, status, detail, recheck=recheck)
    cex = {f"equilibrium {j + 1}": _profile(eq.weights) for j, eq in enumerate(res.isolated)}
    from symalign.claims.witness import game_file_text

    comment = f"counterexample: this game has {what}, not {relation.replace('_', ' ')} {k}"
    return InstanceResult(inst.label, "refuted", f"{detail}, not {relation.replace('_', ' ')} {k}", cex, recheck,
                          witness=game_file_text(game, comment=comment) or "")


def check_symmetric_equilibrium(claim, inst, timeout):
    from symalign.core.symmetric import is_symmetric, own_concavity, symmetric_equilibria

    if inst.symbolic_n:
        raise InputError("game.agents", "N", "symmetric_equilibrium claims need an explicit number of agents")
    game = inst.game
    if not is_symmetric(game):
        return InstanceResult(inst.label, "refuted", "the game is not symmetric (utilities differ beyond relabelling)")
    D = game.n_groups
    x = [inst.expression(claim.body["weights"], None, d) for d in range(D)]
    support = [d for d in range(D) if not _is_zero(x[d])]
    if not _is_zero(sum(x) - 1):
        return _refute(inst, x, f"the stated mixture sums to {sp.factor(sum(x))}, not 1")
    neg = []
    for d in support:
        if x[d].is_positive is True:
            continue
        p = _implies(_hyps(inst), sp.true, x[d] > 0, timeout)
        if p.refuted:
            return InstanceResult(inst.label, "refuted", f"the stated weight on group {d + 1}, {x[d]}, is not "
                                  "positive under the hypotheses", dict(p.counterexample),
                                  f"re-checked exactly: {x[d].xreplace(dict(p.counterexample))}")
        if not p.proved:
            neg.append(d)
    W = game.weights
    at = {W[j, d]: x[d] for j in range(game.n_agents) for d in range(D)}
    u0 = game.utility(0)
    g = [sp.diff(u0, W[0, d]).xreplace(at) for d in range(D)]
    lam = g[support[0]]
    for d in support[1:]:
        if not _is_zero(g[d] - lam):
            return _refute(inst, x, f"agent 1's own-gradient differs between groups {support[0] + 1} and {d + 1} "
                                    "at the stated profile")
    slack_open = []
    for d in sorted(set(range(D)) - set(support)):
        gap = sp.factor(sp.cancel(lam - g[d]))
        if gap.is_negative:
            return _refute(inst, x, f"group {d + 1} is more attractive than the support at the stated profile")
        if gap.is_nonnegative:
            continue
        p = _implies(_hyps(inst), sp.true, gap >= 0, timeout)  # KKT slack off the support, under the hypotheses
        if p.refuted:
            cex = dict(p.counterexample)
            return InstanceResult(inst.label, "refuted", f"group {d + 1} is more attractive than the support at "
                                  "the stated profile under the hypotheses", cex,
                                  f"re-checked exactly: KKT slack {gap.xreplace(cex)} < 0")
        if not p.proved:
            slack_open.append(d + 1)
    concave = own_concavity(game)
    detail = ("stated mixture on the simplex; agent 1's own-gradient is constant on its support at the symmetric "
              "profile (exact); the game is symmetric")
    if concave is not True:
        refuted = _deviation_refutation(inst, x)
        if refuted is not None:
            return refuted
        return InstanceResult(inst.label, "open", detail + "; own concavity not established, so the stationary "
                                                           "point need not be a best response (no exact profitable "
                                                           "deviation found by the global search)")
    if neg:
        return InstanceResult(inst.label, "open", detail + "; positivity of the stated weights not established")
    if slack_open:
        return InstanceResult(inst.label, "open", detail + f"; the KKT slack of group(s) {slack_open} off the support "
                                                           "is not established")
    detail += "; each utility is concave in own weights, so every agent best-responds"
    if claim.body.get("only"):
        res = symmetric_equilibria(game, supports="all")
        valid = [s for s in res.solutions if s.is_equilibrium is not False]
        others = [s for s in valid if not all(_is_zero(a - b) for a, b in zip(s.weights, x))]
        for other in others:
            # excluded when the hypotheses contradict its validity conditions
            p = _implies(_hyps(inst), sp.true, sp.Not(sp.And(*other.conditions)), timeout)
            if p.refuted:
                cex = dict(p.counterexample)
                return InstanceResult(inst.label, "refuted", detail + f"; but another symmetric equilibrium exists: "
                                      f"{other.weights}", cex, "re-checked exactly: its validity conditions "
                                      f"{[c.xreplace(cex) for c in other.conditions]}")
            if not p.proved:
                return InstanceResult(inst.label, "open", detail + f"; another symmetric solution {other.weights} "
                                      f"is not excluded (Z3: {p.reason})")
        if not res.complete:
            return InstanceResult(inst.label, "open", detail + "; the search for other symmetric solutions was "
                                  "incomplete: " + "; ".join(res.notes))
        detail += "; the symmetric first-order conditions on every support have no other solution"
    return InstanceResult(inst.label, "checked-by-property" if inst.sampled else "proved", detail)


def _refute(inst, x, why):
    """A refutation with an exact parameter point, confirmed by the independent deviation check there."""
    from symalign.numeric.deviation import deviation_gain
    from symalign.core.equilibrium import Equilibrium

    game = inst.game
    free = sorted(game.free_symbols() | set().union(*[sp.sympify(e, strict=True).free_symbols for e in x]), key=str)
    for seed in range(30):
        point = _random_point(free, seed)
        xs = [sp.sympify(e, strict=True).xreplace(point) for e in x]
        if any(not v.is_Rational or v < 0 for v in xs) or sum(xs) != 1:
            continue
        try:
            g = game.subs(point)
        except (InputError, ZeroDivisionError):
            continue
        prof = sp.ImmutableMatrix([xs] * game.n_agents)
        try:
            gain = deviation_gain(g, Equilibrium(g, prof, ()))
        except (InputError, ValueError):
            continue
        if gain > 1e-9:
            return InstanceResult(inst.label, "refuted", why, point,
                                  f"independent deviation check at this point: the stated profile {xs} can be "
                                  f"improved by {gain:.3g}")
    return InstanceResult(inst.label, "refuted" if not free else "open",
                          why + ("" if not free else "; no parameter point confirmed it by the deviation check"))


def _deviation_refutation(inst, x):
    """Refuted by an exact profitable deviation of agent 1 (:func:`symalign.numeric.counterexample.profitable_deviation`:
    vertices, a rational grid, multi-start ascent) at the stated profile, at a rational parameter point; or None."""
    from symalign.numeric.counterexample import profitable_deviation

    game = inst.game
    free = sorted(game.free_symbols() | set().union(*[sp.sympify(e, strict=True).free_symbols for e in x]), key=str)
    for seed in range(3 if free else 1):
        point = _random_point(free, seed) if free else {}
        xs = [sp.sympify(e, strict=True).xreplace(point) for e in x]
        if any(not v.is_Rational or v < 0 for v in xs) or sum(xs) != 1:
            continue
        try:
            g = game.subs(point) if point else game
        except (InputError, ZeroDivisionError):
            continue
        dev = profitable_deviation(g, sp.ImmutableMatrix([xs] * g.n_agents), 0)
        if dev is not None:
            cex = dict(point)
            cex.update({f"deviation of agent 1": [str(v) for v in dev.weights], "exact gain": str(dev.gain)})
            return InstanceResult(inst.label, "refuted", "the stated symmetric profile is not an equilibrium: agent 1 "
                                  f"gains {dev.gain} exactly by deviating to {[str(v) for v in dev.weights]} "
                                  f"(found by {dev.found_by})", cex,
                                  f"re-checked exactly: U_1(deviation) - U_1(stated) = {dev.gain} > 0")
    return None


def _profile(W) -> str:
    """A profile as text, one row per agent in order: ``((1, 0), (0, 1))``."""
    return "(" + ", ".join("(" + ", ".join(str(v) for v in W.row(i)) + ")" for i in range(W.rows)) + ")"

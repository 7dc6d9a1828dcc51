"""Checking ``best_response`` claims: the stated map is each agent's best response.

Symbolically, agent i's KKT system is matched with that of the Euclidean
projection (or made stationary by the stated softmax); on numeric samples,
the stated best response is checked against agent i's KKT at random profiles.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symalign.claims.common import InstanceResult, _hyps, _implies, _is_zero, _positive_under
from symalign.errors import InputError

__all__ = ["check_best_response"]


def check_best_response(claim, inst, timeout):
    if inst.symbolic_n:
        raise InputError("agents", "N", "best-response claims need an explicit number of agents")
    if inst.sampled:
        return _sample_best_response(claim, inst)
    from symalign.core.kkt import kkt_system

    kkt = kkt_system(inst.game)
    W = inst.game.weights
    kind = claim.body["map"]
    scales = []
    for i in range(inst.game.n_agents):
        z = [inst.expression(claim.body["argument"], i, d) for d in range(inst.game.n_groups)]
        g = list(kkt.gradients.row(i))
        if kind == "simplex_projection":
            c = sp.cancel(-sp.diff(g[0], W[i, 0]))
            resid = [sp.expand(g[d] - c * (z[d] - W[i, d])) for d in range(len(g))]
            if c.free_symbols & set(W) or any(not _is_zero(r - resid[0]) for r in resid):
                return InstanceResult(inst.label, "refuted", f"agent {i + 1}: the gradient is not "
                                      f"c*(v - w) + const with v the stated argument (c = {c})")
            p = _implies(_hyps(inst), sp.true, c > 0, timeout)
            if p.status != "proved":
                return InstanceResult(inst.label, "refuted" if p.refuted else "open",
                                      f"scale {c} of the projection not positive", p.counterexample)
            scales.append(c)
        else:
            S = sum(sp.exp(x) for x in z)
            sub = {W[i, d]: sp.exp(z[d]) / S for d in range(len(g))}
            gs = [x.xreplace(sub) for x in g]
            if any(not _is_zero(x - gs[0]) for x in gs):
                return InstanceResult(inst.label, "refuted", f"agent {i + 1}: the stated softmax is not stationary")
            if claim.body.get("positive") and not _positive_under(list(sub.values()), _hyps(inst)):
                return InstanceResult(inst.label, "open", f"agent {i + 1}: positivity of the best response not established")
    what = (f"KKT of agent i's problem = c_i x KKT of the Euclidean projection of the stated argument "
            f"(same support conditions; c_i = {', '.join(map(str, dict.fromkeys(scales)))} > 0)") if kind == "simplex_projection" else \
        "the stated softmax makes the own-gradient constant across groups (interior stationarity)" + \
        ("; every weight of it is positive under the hypotheses, so no equilibrium excludes a group exactly"
         if claim.body.get("positive") else "")
    return InstanceResult(inst.label, "proved", f"{what}; strictly concave, so it is the best response")


def _exact_projection(v):
    """Euclidean projection onto the simplex in exact arithmetic (sort based)."""
    u = sorted(v, reverse=True)
    total, tau = sp.Integer(0), None
    for k, x in enumerate(u, 1):
        total += x
        t = (total - 1) / k
        if x - t > 0:
            tau = t
    return [sp.Max(x - tau, 0) for x in v]


def _sample_best_response(claim, inst):
    from symalign.core.kkt import kkt_system
    from symalign.numeric.simplex import project, softmax

    game = inst.game
    W = game.weights
    rng = np.random.default_rng(7)
    grads = kkt_system(game).gradients
    for trial in range(3):
        others = rng.dirichlet(np.ones(game.n_groups), size=game.n_agents)
        prof = {W[j, d]: sp.Rational(int(round(others[j, d] * 10**6)), 10**6) for j in range(W.rows) for d in range(W.cols)}
        for i in range(game.n_agents):
            z = [inst.expression(claim.body["argument"], i, d).xreplace(prof) for d in range(game.n_groups)]
            if claim.body["map"] == "simplex_projection":
                w = _exact_projection(z)
                flt = project(np.array([float(x) for x in z]))
                if np.max(np.abs(flt - np.array([float(x) for x in w]))) > 1e-12:
                    return InstanceResult(inst.label, "open", "exact and float projections disagree")
                at = dict(prof)
                at.update({W[i, d]: w[d] for d in range(game.n_groups)})
                g = [grads[i, d].xreplace(at) for d in range(game.n_groups)]
                lam = max(g[d] for d in range(game.n_groups) if w[d] > 0)
                bad = [d for d in range(game.n_groups) if (w[d] > 0 and g[d] != lam) or g[d] > lam]
            else:
                w = softmax(np.array([float(x) for x in z]))
                at = {k: float(v) for k, v in prof.items()}
                at.update({W[i, d]: w[d] for d in range(game.n_groups)})
                g = [float(grads[i, d].xreplace(at)) for d in range(game.n_groups)]
                bad = [d for d in range(game.n_groups) if abs(g[d] - g[0]) > 1e-9]
            if bad:
                cex = {str(k): v for k, v in prof.items() if k not in set(W.row(i))}
                return InstanceResult(inst.label, "refuted", f"agent {i + 1}: KKT of its own problem fails at the "
                                      f"stated best response on groups {bad}", cex)
    exact = "exactly" if claim.body["map"] == "simplex_projection" else "to 1e-9"
    return InstanceResult(inst.label, "checked-by-property",
                          f"the stated best response satisfies agent i's KKT {exact} at 3 random profiles")

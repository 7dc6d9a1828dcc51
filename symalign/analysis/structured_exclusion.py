"""Exclusion conditions in a plane of parameters, derived through the aggregate (the structured route).

For an aggregative game (:func:`symalign.core.aggregate.detect`: agent i's
gradient depends on every other agent ``j`` through the same matrix ``K_i``)
with the two swept parameters ``x``, ``y`` as its only free symbols, the KKT
system of the reduced game on a support decouples exactly as in
:mod:`symalign.core.aggregate`, but every coefficient is an element of the
rational-function field ``QQ(x, y)`` (SymPy's ``DomainMatrix``), so no
expression is built, expanded or cancelled along the way:

1. with ``T = sum_j w_j``, agent i's stationarity on ``S_i`` and
   ``sum_{d in S_i} w_{i,d} = 1`` give ``(w_i, lambda_i) = u_i + V_i T``
   (a system of size ``|S_i| + 1``, one per agent);
2. ``(I - sum_i V_i) T = sum_i u_i`` is D x D;
3. each slack ``lambda_i - g_{i,d}`` is a reduced fraction in ``QQ(x, y)``.

The result is the same :class:`~symalign.analysis.exclusion.ExclusionCondition`
as :func:`~symalign.analysis.exclusion.exclusion_condition` (slacks, validity
conditions, thresholds, the reduced equilibrium); a test requires both
routes to agree.  The time it takes never changes what is derived.

Examples
--------
>>> from symalign import Game, get_family
>>> from symalign.analysis.inputs import free_parameters
>>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
...                 a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
>>> pg, _ = free_parameters(g, ["beta", "gamma"], shift=False)
>>> c = structured_exclusion_condition(pg, 2, ((0, 1), (0, 1)))
>>> c.slacks
(-3*beta/10 - gamma/2 + 3/4, -3*beta/10 - gamma/2 + 3/4)
>>> from symalign.analysis.exclusion import exclusion_condition   # the general route agrees
>>> all(sp.cancel(s - t) == 0 for s, t in zip(c.slacks, exclusion_condition(pg, 2, support=c.support).slacks))
True
"""

from __future__ import annotations

import weakref
from types import MappingProxyType

import sympy as sp
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.exceptions import DMNonInvertibleMatrixError

from symalign.analysis import boundary_cache
from symalign.analysis.exclusion import ExclusionCondition, Threshold, _solve_for, _threshold_symbols
from symalign.analysis.reduced import reduced_conditions
from symalign.core.aggregate import detect
from symalign.core.derive import normalise_support
from symalign.core.equilibrium import Equilibrium
from symalign.core.kkt import kkt_system
from symalign.errors import InputError

__all__ = ["structured_exclusion_condition"]

METHOD = "kkt-aggregate (reduced game, structured route)"


def structured_exclusion_condition(game, group: int, support, *, kkt=None) -> ExclusionCondition | None:
    """The exclusion condition of ``group`` on the reduced ``support``, through the aggregate in ``QQ(x, y)``.

    ``game`` is parametrised (its free symbols are the swept parameters);
    ``group`` a 0-based index not in ``support``.  Returns None when the
    route does not apply (not aggregative, gradients not affine, a
    coefficient that is not a rational function of the free symbols, a
    singular per-agent or aggregate system): the caller then derives on the
    general route.
    """
    kkt = kkt_system(game) if kkt is None else kkt
    parts = kkt.affine_parts()
    Ks = detect(kkt) if parts is not None else None
    free = sorted(game.free_symbols(), key=str)
    if Ks is None or not free:
        return None
    support = normalise_support(game, support)
    if any(group in s for s in support):
        raise InputError("support", [list(s) for s in support],
                         f"a reduced support cannot contain group {game.groups[group]!r}")
    N, D = game.n_agents, game.n_groups
    key = boundary_cache.cache_key(game, group, support, free)
    hit = boundary_cache.load(key, free)
    if hit is not None:  # derived before, for a game with the same content (on disk)
        W, lam, S, thr = hit
        weights, slacks_m = sp.ImmutableMatrix(W), sp.ImmutableMatrix(S)
        multipliers = tuple(lam)
        thresholds = tuple(Threshold(a, p, b, d) for a, p, b, d in thr)
    else:
        F = sp.QQ.frac_field(*free)
        try:
            W, lam, S = _solve(game, kkt, parts, Ks, support, F)
        except (DMNonInvertibleMatrixError, ZeroDivisionError, sp.polys.polyerrors.CoercionFailed):
            return None
        to = F.to_sympy
        weights = sp.ImmutableMatrix(N, D, lambda i, e: to(W[i][e]))
        slacks_m = sp.ImmutableMatrix(N, D, lambda i, e: to(S[i][e]))
        multipliers = tuple(to(v) for v in lam)
        thresholds = tuple(t for i in range(N) for t in _solve_for(i, slacks_m[i, group], _threshold_symbols(game)))
        boundary_cache.store(key, free, weights, multipliers, slacks_m, thresholds)
    conditions = []
    for i, s in enumerate(support):
        for e in range(D):
            conditions.append(_relation(weights[i, e], ">") if e in s else _relation(slacks_m[i, e], ">="))
    eq = Equilibrium(game=game, weights=weights, support=support, multipliers=multipliers,
                     conditions=tuple(conditions), hypotheses=game.hypotheses(), exact=True, method=METHOD,
                     slack=slacks_m)
    slacks = tuple(slacks_m[i, group] for i in range(N))
    validity = tuple(c for c in reduced_conditions(eq, group) if c is not sp.true)
    return ExclusionCondition(game, group, support, slacks, sp.And(*[_relation(s, ">=") for s in slacks]), validity,
                              thresholds, eq, MappingProxyType({}), ())


def _relation(expr, op):
    """``expr > 0`` / ``expr >= 0``: decided when ``expr`` is a number, else kept unevaluated (no assumption
    queries on a large fraction)."""
    if expr.is_number:
        return sp.Rel(expr, 0, op)
    return sp.Rel(expr, 0, op, evaluate=False)


_AGENTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
"""Per KKT system (one parametrised game): each agent's ``(u_i, V_i)`` by (agent, support)."""


def _solve(game, kkt, parts, Ks, support, F):
    """Weights, multipliers and slacks (elements of ``F``) on ``support`` through the aggregate."""
    N, D = game.n_agents, game.n_groups
    Wsym = game.weights
    conv = F.from_sympy
    zero, one = F.zero, F.one
    A, K, c = [], [], []
    for i in range(N):
        own = [[conv(parts[i][d][1].get(Wsym[i, e], sp.Integer(0))) for e in range(D)] for d in range(D)]
        Ki = [[conv(Ks[i][d, e]) for e in range(D)] for d in range(D)]
        A.append([[own[d][e] - Ki[d][e] for e in range(D)] for d in range(D)])  # own curvature net of coupling
        K.append(Ki)
        c.append([conv(parts[i][d][0]) for d in range(D)])
    u, V = [], []  # (w_i, lambda_i) = u_i + V_i T, as length-(D+1) vectors / (D+1) x D matrices
    memo = _AGENTS.setdefault(kkt, {})  # supports along one boundary share most agents' supports
    for i, s in enumerate(support):
        if (i, s) not in memo:
            n = len(s)
            M = [[A[i][d][e] for e in s] + [-one] for d in s] + [[one] * n + [zero]]
            B = [[-c[i][d]] + [-K[i][d][e] for e in range(D)] for d in s] + [[one] + [zero] * D]
            X = DomainMatrix(M, (n + 1, n + 1), F).lu_solve(DomainMatrix(B, (n + 1, D + 1), F)).to_list()
            ui, Vi = [zero] * (D + 1), [[zero] * D for _ in range(D + 1)]
            for r, d in enumerate(list(s) + [D]):
                ui[d], Vi[d] = X[r][0], X[r][1:]
            memo[(i, s)] = (ui, Vi)
        u.append(memo[(i, s)][0])
        V.append(memo[(i, s)][1])
    MT = [[(one if d == e else zero) - sum((V[i][d][e] for i in range(N)), zero) for e in range(D)] for d in range(D)]
    bT = [[sum((u[i][d] for i in range(N)), zero)] for d in range(D)]
    T = [r[0] for r in DomainMatrix(MT, (D, D), F).lu_solve(DomainMatrix(bT, (D, 1), F)).to_list()]
    full = [[u[i][d] + sum((V[i][d][e] * T[e] for e in range(D)), zero) for d in range(D + 1)] for i in range(N)]
    W = [row[:D] for row in full]
    lam = [row[D] for row in full]
    slack = []
    for i, s in enumerate(support):
        row = []
        for d in range(D):
            if d in s:
                row.append(zero)
                continue
            g = c[i][d] + sum((A[i][d][e] * W[i][e] + K[i][d][e] * T[e] for e in range(D)), zero)
            row.append(lam[i] - g)
        slack.append(row)
    return W, lam, slack

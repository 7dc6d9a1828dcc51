"""Fast path: equilibria of aggregative games through the aggregate.

When each agent's gradient depends on the other agents only through
their sum (``d g_i / d w_j`` is the same matrix ``K_i`` for every
``j != i``; true of every active-alignment variant and of any custom
utility written with ``m``), the KKT system on a support decouples:

1. with ``T = sum_j w_j`` as a parameter, agent i's stationarity
   ``g_i(w_i) + K_i (T - w_i) = lambda_i`` on its support and
   ``sum w_i = 1`` is a small linear system, solved once per agent:
   ``w_i = u_i + V_i T``;
2. consistency ``T = sum_i w_i(T)`` is a D x D linear system for ``T``.

This replaces one (N D + N)-dimensional symbolic elimination by N systems
of size D + 1 and one of size D.  :func:`detect` is conservative (false
negatives only cost time); :func:`symalign.core.derive.derive_on_support` uses
this path when it applies, and a test requires both paths to agree.
"""

from __future__ import annotations

import sympy as sp

from symalign.core.linear import solve_columns, solve_matrix

__all__ = ["detect", "solve_aggregative"]


def detect(kkt):
    """Per-agent coupling matrices ``K_i`` if the game is aggregative, else None."""
    parts = kkt.affine_parts()
    W = kkt.game.weights
    N, D = W.shape
    if N < 2 or parts is None:
        return None
    Ks = []
    for i in range(N):
        ref = None
        for j in range(N):
            if j == i:
                continue
            K = sp.ImmutableMatrix(D, D, lambda d, e: parts[i][d][1].get(W[j, e], sp.Integer(0)))
            if ref is None:
                ref = K
            elif K != ref:
                return None
        Ks.append(ref)
    return tuple(Ks)


def solve_aggregative(kkt, support, Ks) -> dict:
    """Solve the KKT system on ``support`` through the aggregate.

    Returns a dict mapping the weight symbols on the support and the
    multipliers ``lambda_i`` to their closed forms.
    """
    parts = kkt.affine_parts()
    W = kkt.game.weights
    N, D = W.shape
    T = [sp.Dummy(f"T{e + 1}") for e in range(D)]
    u, V, lam = [], [], []
    for i, s in enumerate(support):
        n = len(s)
        A = sp.zeros(n + 1, n + 1)
        B = sp.zeros(n + 1, D + 1)
        for r, d in enumerate(s):
            const, coeffs = parts[i][d]
            for c, e in enumerate(s):
                A[r, c] = coeffs.get(W[i, e], 0) - Ks[i][d, e]
            A[r, n] = -1
            B[r, 0] = -const
            for e in range(D):
                B[r, 1 + e] = -Ks[i][d, e]
        A[n, :n] = sp.ones(1, n)
        B[n, 0] = 1
        X = solve_columns(A, B)
        row = {d: r for r, d in enumerate(s)}
        u.append([X[row[d], 0] if d in row else sp.Integer(0) for d in range(D)])
        V.append(sp.Matrix(D, D, lambda d, e: X[row[d], 1 + e] if d in row else 0))
        lam.append((X[n, 0], [X[n, 1 + e] for e in range(D)]))
    A_T = sp.eye(D) - sum(V, sp.zeros(D, D))
    b_T = sp.Matrix([sp.Add(*[u[i][e] for i in range(N)]) for e in range(D)])
    T_value = solve_matrix(A_T, b_T, T, abbreviate_matrix=True)
    Tv = [T_value[t] for t in T]
    out = {}
    for i, s in enumerate(support):
        for d in s:
            out[W[i, d]] = u[i][d] + _combine(V[i].row(d), Tv)
        l0, lT = lam[i]
        out[kkt.lambdas[i]] = l0 + _combine(lT, Tv)
    return out


def _combine(coeffs, values):
    """``sum_e coeffs[e] * values[e]``, grouping equal coefficients."""
    groups = {}
    for c, v in zip(coeffs, values):
        if c != 0:
            groups.setdefault(c, []).append(v)
    return sp.Add(*[c * sp.Add(*vs) for c, vs in groups.items()])

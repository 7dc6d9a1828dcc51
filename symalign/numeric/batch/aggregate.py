"""KKT solves on supports through the aggregate, for aggregative games with affine gradients.

When every own-gradient has the form
``g_{i,d} = c_{i,d} - kappa_i w_{i,d} - theta_i T_d`` with ``T = sum_j w_j``
(the active-alignment variants: ``theta_i = gamma_i/(N-1)``), the KKT
system on a support ``S`` (an ``N x D`` mask) reduces to a ``D x D`` system
for the aggregate ``T`` (as in :mod:`symalign.core.aggregate`, here in
floating point over a batch)::

    lambda_i = (C_i - kappa_i - theta_i sum_{f in S_i} T_f) / n_i,
    (I + diag(sum_i S_ie theta_i/kappa_i) - S^T diag(theta_i/(kappa_i n_i)) S) T
        = sum_i S_ie (c_ie - (C_i - kappa_i)/n_i) / kappa_i,
    w_{i,d} = (c_{i,d} - theta_i T_d - lambda_i) / kappa_i on S_i, 0 off it,

with ``n_i = |S_i|`` and ``C_i = sum_{d in S_i} c_{i,d}``.  This replaces the
``(N D + N)``-square solve of :func:`symalign.numeric.batch.activeset.kkt_linear_solve`
by a ``D``-square one (tested equal).  :func:`aggregate_structure` detects
the form from the symbolic Jacobian at compile time (conservatively: any
entry that does not match exactly means "not aggregative").
"""

from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["aggregate_structure", "aggregate_linear_solve"]


def aggregate_structure(jac, n_agents: int, n_groups: int):
    """``(own, cross)``: per agent the expressions ``-d g_{i,d}/d w_{i,d}`` and ``-d g_{i,d}/d w_{j,d}``,
    or None when the Jacobian ``jac`` (N D x N D, row-major agents x groups) is not of the aggregative form.

    Examples
    --------
    >>> b, c = sp.symbols("beta gamma")
    >>> jac = [[-b, 0, -c, 0], [0, -b, 0, -c], [-c, 0, -b, 0], [0, -c, 0, -b]]
    >>> aggregate_structure(jac, 2, 2)
    ((beta, beta), (gamma, gamma))
    """
    N, D = n_agents, n_groups
    if N < 2:
        return None
    own, cross = [], []
    for i in range(N):
        a = -sp.sympify(jac[i * D][i * D], strict=True)
        t = -sp.sympify(jac[i * D][((i + 1) % N) * D], strict=True)
        for d in range(D):
            row = jac[i * D + d]
            for j in range(N):
                for e in range(D):
                    x = sp.sympify(row[j * D + e], strict=True)
                    want = 0 if e != d else (-a if j == i else -t)
                    if x != want and sp.expand(x - want) != 0:
                        return None
        own.append(a)
        cross.append(t)
    return tuple(own), tuple(cross)


def aggregate_linear_solve(c, own, cross, S):
    """Batched KKT solutions on supports for aggregative affine gradients.

    Parameters
    ----------
    c : ndarray (B, N*D)
        Gradients at W = 0.
    own, cross : ndarray (B, N)
        ``-dg_{i,d}/dw_{i,d}`` and ``-dg_{i,d}/dw_{j,d}`` (j != i).
    S : ndarray of bool (B, N, D)

    Returns
    -------
    W : ndarray (B, N, D), lam : ndarray (B, N), ok : ndarray of bool (B,)
        As :func:`symalign.numeric.batch.activeset.kkt_linear_solve`.

    Examples
    --------
    >>> c = np.array([[1.0, 0.0, 0.0, 1.0]]); own = np.array([[1.0, 1.0]]); cross = np.array([[0.5, 0.5]])
    >>> W, lam, ok = aggregate_linear_solve(c, own, cross, np.ones((1, 2, 2), bool))
    >>> np.round(W, 6).tolist(), ok.tolist()      # on the full support: negative entries, so not an equilibrium
    ([[[1.5, -0.5], [-0.5, 1.5]]], [True])
    >>> W, lam, ok = aggregate_linear_solve(c, own, cross, np.array([[[True, False], [False, True]]]))
    >>> W.tolist(), lam.round(6).tolist()
    ([[[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0]])
    """
    b, N, D = S.shape
    C = c.reshape(b, N, D)
    Sf = S.astype(float)
    theta = cross
    kappa = own - cross
    n = Sf.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = theta / kappa
        v = u / n
        Csum = (C * Sf).sum(axis=2)
        A = -np.einsum("bie,bi,bif->bef", Sf, v, Sf)
        A[:, np.arange(D), np.arange(D)] += 1.0 + np.einsum("bie,bi->be", Sf, u)
        rhs = np.einsum("bie,bi->be", Sf * (C - ((Csum - kappa) / n)[..., None]), 1.0 / kappa)
    ok = np.isfinite(A).all(axis=(1, 2)) & np.isfinite(rhs).all(axis=1) & (n > 0).all(axis=1)
    T = np.full((b, D), np.nan)
    idx = np.flatnonzero(ok)
    if idx.size:
        try:
            T[idx] = np.linalg.solve(A[idx], rhs[idx, :, None])[..., 0]
        except np.linalg.LinAlgError:
            sign, _ = np.linalg.slogdet(A[idx])
            ok[idx[sign == 0]] = False
            good = idx[sign != 0]
            if good.size:
                T[good] = np.linalg.solve(A[good], rhs[good, :, None])[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (Csum - kappa - theta * (Sf * T[:, None, :]).sum(axis=2)) / n
        W = np.where(S, (C - theta[..., None] * T[:, None, :] - lam[..., None]) / kappa[..., None], 0.0)
    ok &= np.isfinite(W).all(axis=(1, 2))
    return W, lam, ok

"""The interior closed form of aggregative games, fused with its KKT check, over blocks of points.

On the full support the aggregate system of :mod:`symalign.numeric.batch.aggregate`
is ``(a I - s 1 1^T) T = rhs`` with ``a = 1 + sum_i u_i``, ``s = sum_i u_i / D``,
``u_i = theta_i / kappa_i``, which Sherman-Morrison solves in closed form
(this is the heterogeneous T3 formula in structured form)::

    T = (rhs + s (sum_e rhs_e) / (a - s D)) / a,
    rhs_e = sum_i (c_{i,e} - (C_i - kappa_i) / D) / kappa_i,   C_i = sum_e c_{i,e},
    lambda_i = (C_i - kappa_i - theta_i sum_e T_e) / D,
    w_{i,e} = (c_{i,e} - theta_i T_e - lambda_i) / kappa_i.

:func:`interior_block` evaluates it for many points at once, in blocks whose
inner loops run over the points (so the compiler vectorises them): the
coefficients from the monomial tables, the weights, their validity
(``w > 0``), and with ``verify`` the natural residual at the weights, the
gradient recomputed from the coefficients (``g = c - kappa w - theta T``)
and the per-agent simplex projection (sort-free; a point whose projection
does not have the full support is left to the general kernel, which sorts).
A point is accepted when it is valid and (``verify``) its residual is
``<= tol``; the others keep their interior solution in ``W_out`` (a start
for :mod:`symalign.numeric.batch.kernel`) and are not converged.
"""

from __future__ import annotations

import numpy as np

from symalign.numeric.batch.kernel import numba

__all__ = ["interior_block", "block_coefficients", "BLOCK"]

BLOCK = 128
"""Points per block (temporaries stay in the L1/L2 cache)."""


def _block_coefficients(X, exps, Cc, Co, Cx, direct, pts, bl, mono, c, kap, th):
    """Coefficients ``c``, ``kappa``, ``theta`` of the points ``pts[:bl]`` (layout (rows, points))."""
    n = kap.shape[0]
    nd = c.shape[0]
    K = exps.shape[0]
    na = exps.shape[1]
    if direct:
        for col in range(nd):
            for q in range(bl):
                c[col, q] = X[col, pts[q]]
        for i in range(n):
            for q in range(bl):
                kap[i, q] = X[nd + i, pts[q]] - X[nd + n + i, pts[q]]
                th[i, q] = X[nd + n + i, pts[q]]
    else:
        for k in range(K):
            for q in range(bl):
                mono[k, q] = 1.0
            for a in range(na):
                for _ in range(exps[k, a]):
                    for q in range(bl):
                        mono[k, q] *= X[a, pts[q]]
        for col in range(nd):
            for q in range(bl):
                c[col, q] = 0.0
            for k in range(K):
                f = Cc[k, col]
                if f != 0.0:
                    for q in range(bl):
                        c[col, q] += f * mono[k, q]
        for i in range(n):
            for q in range(bl):
                kap[i, q] = 0.0
                th[i, q] = 0.0
            for k in range(K):
                fo = Co[k, i]
                fx = Cx[k, i]
                for q in range(bl):
                    kap[i, q] += (fo - fx) * mono[k, q]
                    th[i, q] += fx * mono[k, q]


def _aggregate(w, T, bl):
    """``T[e, q] = sum_i w[i d + e, q]`` for the first ``bl`` points of a block."""
    d = T.shape[0]
    n = w.shape[0] // d
    for e in range(d):
        for q in range(bl):
            T[e, q] = 0.0
        for i in range(n):
            for q in range(bl):
                T[e, q] += w[i * d + e, q]


def _interior(X, exps, Cc, Co, Cx, direct, idx, verify, tol, W_out, S_out, conv, res, stage, code):
    n, d = W_out.shape[1], W_out.shape[2]
    nd = n * d
    K = exps.shape[0]
    blk = 128
    mono = np.empty((K, blk))
    c = np.empty((nd, blk))
    kap = np.empty((n, blk))
    th = np.empty((n, blk))
    ik = np.empty((n, blk))
    cs = np.empty((n, blk))
    lam = np.empty((n, blk))
    rhs = np.empty((d, blk))
    T = np.empty((d, blk))
    w = np.empty((nd, blk))
    low = np.empty(blk)
    big = np.empty(blk)
    tmp = np.empty(blk)
    tmp2 = np.empty(blk)
    pts = np.empty(blk, np.int64)
    invd = 1.0 / d
    m = idx.shape[0]
    for j0 in range(0, m, blk):
        bl = min(blk, m - j0)
        for q in range(bl):
            pts[q] = idx[j0 + q]
        _block_coefficients(X, exps, Cc, Co, Cx, direct, pts, bl, mono, c, kap, th)
        # closed form on the full support
        for q in range(bl):
            tmp[q] = 1.0  # a
            tmp2[q] = 0.0  # s
        for e in range(d):
            for q in range(bl):
                rhs[e, q] = 0.0
        for i in range(n):
            for q in range(bl):
                ik[i, q] = 1.0 / kap[i, q]
                u = th[i, q] * ik[i, q]
                tmp[q] += u
                tmp2[q] += u * invd
                cs[i, q] = 0.0
            for e in range(d):
                for q in range(bl):
                    cs[i, q] += c[i * d + e, q]
            for e in range(d):
                for q in range(bl):
                    rhs[e, q] += (c[i * d + e, q] - (cs[i, q] - kap[i, q]) * invd) * ik[i, q]
        for q in range(bl):
            low[q] = 0.0  # sum of rhs
        for e in range(d):
            for q in range(bl):
                low[q] += rhs[e, q]
        for q in range(bl):
            ia = 1.0 / tmp[q]
            f = tmp2[q] * low[q] / (tmp[q] - tmp2[q] * d)
            big[q] = 0.0  # sum of T
            for e in range(d):
                T[e, q] = (rhs[e, q] + f) * ia
                big[q] += T[e, q]
        for i in range(n):
            for q in range(bl):
                lam[i, q] = (cs[i, q] - kap[i, q] - th[i, q] * big[q]) * invd
            for e in range(d):
                for q in range(bl):
                    w[i * d + e, q] = (c[i * d + e, q] - th[i, q] * T[e, q] - lam[i, q]) * ik[i, q]
        for q in range(bl):
            low[q] = np.inf
        for col in range(nd):
            for q in range(bl):
                low[q] = min(low[q], w[col, q])
        if verify:  # residual at w (all positive where valid): recomputed aggregate and gradient
            _aggregate(w, T, bl)
            for q in range(bl):
                big[q] = 0.0  # residual
                tmp[q] = np.inf  # smallest V - tau: must stay > 0 (the projection keeps every group)
            for i in range(n):
                for q in range(bl):
                    lam[i, q] = 0.0  # sum of V over the groups
                for e in range(d):
                    for q in range(bl):
                        wv = w[i * d + e, q]
                        lam[i, q] += wv + c[i * d + e, q] - kap[i, q] * wv - th[i, q] * T[e, q]
                for e in range(d):
                    for q in range(bl):
                        wv = w[i * d + e, q]
                        p = wv + c[i * d + e, q] - kap[i, q] * wv - th[i, q] * T[e, q] - (lam[i, q] - 1.0) * invd
                        tmp[q] = min(tmp[q], p)
                        big[q] = max(big[q], abs(wv - p))
        for q in range(bl):
            b = pts[q]
            ok = low[q] > 0.0 and low[q] < np.inf
            r = np.nan
            if verify:
                ok = ok and tmp[q] > 0.0 and big[q] <= tol
                r = big[q]
            conv[b] = ok
            if ok:
                res[b] = r
                stage[b] = code
            for i in range(n):
                for e in range(d):
                    W_out[b, i, e] = w[i * d + e, q]
                    S_out[b, i, e] = ok
    return 0


_compiled = None
if numba is not None:
    _block_coefficients = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(_block_coefficients)
    _aggregate = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(_aggregate)
    _compiled = numba.njit(cache=True, nogil=True, error_model="numpy")(_interior)


def block_coefficients():
    """The compiled helpers that evaluate the coefficients and the aggregate of a block of points (shared with
    :mod:`symalign.numeric.batch.supportblock`)."""
    return _block_coefficients, _aggregate


def interior_block(X, tables, idx, *, verify: bool, tol: float, out, code: int) -> None:
    """Interior closed form + check at the points ``idx`` (see the module docstring); writes ``out``."""
    if _compiled is None:  # pragma: no cover
        raise RuntimeError("the fused kernel needs numba (pip install 'symalign[fast]')")
    W, S, conv, res, stage = out
    _compiled(X, tables.exps, tables.Cc, tables.Co, tables.Cx, bool(tables.direct), idx, bool(verify), float(tol),
              W, S, conv, res, stage, np.int8(code))

"""The first active-set step of aggregative games, fused with its KKT check, over blocks of points.

Where the interior closed form fails (:mod:`symalign.numeric.batch.interior`), the
primal-dual active set starts from the positive part ``S`` of the interior
solution, and for most points that support is already the equilibrium's.
:func:`support_block` solves the aggregate system on ``S`` for many points at
once, with the loops over the points innermost (vectorised) and ``S`` as 0/1
masks instead of branches::

    (diag(dg) - S^T diag(v) S) T = rhs,   dg_e = 1 + sum_i S_ie u_i,  v_i = u_i / n_i,  u_i = theta_i / kappa_i,

through the Woodbury identity when ``N < D`` (an ``N x N`` system
``(I - diag(v) S diag(dg)^-1 S^T) z = diag(v) S (rhs / dg)``, ``T = (rhs + S^T z) / dg``),
else directly; both eliminated without pivoting, which is stable here
because with ``u_i >= 0`` the matrix is symmetric positive definite
(``x^T A x >= |x|^2`` by Cauchy-Schwarz; the Woodbury system is congruent to it).
Points with some ``u_i < 0`` (``gamma`` past ``beta (N - 1)`` in the overlap
variant) are left to the per-point kernel, which pivots.  The check is the
same as everywhere: the natural residual at the clipped solution, gradient
recomputed from the coefficients, per-agent projection (sort-free; a point
whose projection does not have the guessed support is left to the kernel).
Accepted points are written to ``out``; the others keep the interior
solution in ``W_out`` as the kernel's start.
"""

from __future__ import annotations

import numpy as np

from symalign.numeric.batch.interior import block_coefficients
from symalign.numeric.batch.kernel import numba

__all__ = ["support_block"]


_coef, _agg = block_coefficients()


def _block(X, exps, Cc, Co, Cx, direct, idx, tol, steps, W_out, S_out, conv, res, stage, code):
    n, d = W_out.shape[1], W_out.shape[2]
    nd = n * d
    K = exps.shape[0]
    blk = 64
    wood = n < d
    r_ = n if wood else d
    mono = np.empty((K, blk))
    c = np.empty((nd, blk))
    sm = np.empty((nd, blk))
    kap = np.empty((n, blk))
    th = np.empty((n, blk))
    ik = np.empty((n, blk))
    v = np.empty((n, blk))
    cs = np.empty((n, blk))
    cnt = np.empty((n, blk))
    dg = np.empty((d, blk))
    rhs = np.empty((d, blk))
    T = np.empty((d, blk))
    M = np.empty((r_, r_, blk))
    z = np.empty((r_, blk))
    w = np.empty((nd, blk))
    bad = np.empty(blk)
    worst = np.empty(blk)
    fac = np.empty(blk)
    ta = np.empty(blk)
    tb = np.empty(blk)
    chk = np.zeros(blk)
    done = np.empty(blk)
    xr = np.empty((nd, blk))
    G = np.empty((nd, blk))
    shrink = tol * 1e-2
    pts = np.empty(blk, np.int64)
    m = idx.shape[0]
    for j0 in range(0, m, blk):
        bl = min(blk, m - j0)
        for q in range(bl):
            pts[q] = idx[j0 + q]
            bad[q] = 0.0
        _coef(X, exps, Cc, Co, Cx, direct, pts, bl, mono, c, kap, th)
        for col in range(nd):
            for q in range(bl):
                x = W_out[pts[q], col // d, col % d]
                sm[col, q] = 1.0 if x > 0.0 else 0.0
                if not np.isfinite(x):
                    bad[q] = 1.0
        for q in range(bl):
            done[q] = 0.0
            chk[q] = 0.0
        for _ in range(steps):
            for e in range(d):
                for q in range(bl):
                    dg[e, q] = 1.0
                    rhs[e, q] = 0.0
            for i in range(n):
                for q in range(bl):
                    cnt[i, q] = 0.0
                    cs[i, q] = 0.0
                for e in range(d):
                    for q in range(bl):
                        cnt[i, q] += sm[i * d + e, q]
                        cs[i, q] += sm[i * d + e, q] * c[i * d + e, q]
                for q in range(bl):
                    ik[i, q] = 1.0 / kap[i, q]
                    u = th[i, q] * ik[i, q]
                    if not (u >= 0.0 and cnt[i, q] > 0.0 and np.isfinite(u)):
                        bad[q] = 1.0
                    v[i, q] = u / cnt[i, q]
                    ta[q] = u
                    tb[q] = (cs[i, q] - kap[i, q]) / cnt[i, q]  # base
                for e in range(d):
                    for q in range(bl):
                        sv = sm[i * d + e, q]
                        dg[e, q] += sv * ta[q]
                        rhs[e, q] += sv * (c[i * d + e, q] - tb[q]) * ik[i, q]
            if wood:
                for e in range(d):
                    for q in range(bl):
                        dg[e, q] = 1.0 / dg[e, q]
                        rhs[e, q] *= dg[e, q]
                for i in range(n):
                    for q in range(bl):
                        z[i, q] = 0.0
                    for e in range(d):
                        for q in range(bl):
                            z[i, q] += sm[i * d + e, q] * rhs[e, q]
                    for q in range(bl):
                        z[i, q] *= v[i, q]
                    for jj in range(n):
                        for q in range(bl):
                            M[i, jj, q] = 0.0
                        for e in range(d):
                            for q in range(bl):
                                M[i, jj, q] += sm[i * d + e, q] * sm[jj * d + e, q] * dg[e, q]
                        for q in range(bl):
                            M[i, jj, q] = (1.0 if i == jj else 0.0) - v[i, q] * M[i, jj, q]
            else:
                for e in range(d):
                    for f in range(d):
                        for q in range(bl):
                            M[e, f, q] = dg[e, q] if e == f else 0.0
                    for q in range(bl):
                        z[e, q] = rhs[e, q]
                for i in range(n):
                    for e in range(d):
                        for f in range(d):
                            for q in range(bl):
                                M[e, f, q] -= v[i, q] * sm[i * d + e, q] * sm[i * d + f, q]
            # elimination without pivoting (positive definite where u >= 0)
            for col in range(r_):
                for row in range(col + 1, r_):
                    for q in range(bl):
                        fac[q] = M[row, col, q] / M[col, col, q]
                    for k in range(col, r_):
                        for q in range(bl):
                            M[row, k, q] -= fac[q] * M[col, k, q]
                    for q in range(bl):
                        z[row, q] -= fac[q] * z[col, q]
            for col in range(r_ - 1, -1, -1):
                for k in range(col + 1, r_):
                    for q in range(bl):
                        z[col, q] -= M[col, k, q] * z[k, q]
                for q in range(bl):
                    z[col, q] /= M[col, col, q]
            if wood:
                for e in range(d):
                    for q in range(bl):
                        s = 0.0
                        for i in range(n):
                            s += sm[i * d + e, q] * z[i, q]
                        T[e, q] = rhs[e, q] + s * dg[e, q]
            else:
                for e in range(d):
                    for q in range(bl):
                        T[e, q] = z[e, q]
            for i in range(n):  # weights on the support (loops over the points innermost)
                for q in range(bl):
                    ta[q] = 0.0
                for e in range(d):
                    for q in range(bl):
                        ta[q] += sm[i * d + e, q] * T[e, q]
                for q in range(bl):
                    ta[q] = (cs[i, q] - kap[i, q] - th[i, q] * ta[q]) / cnt[i, q]
                for e in range(d):
                    for q in range(bl):
                        x = sm[i * d + e, q] * (c[i * d + e, q] - th[i, q] * T[e, q] - ta[q]) * ik[i, q]
                        xr[i * d + e, q] = x
                        w[i * d + e, q] = x if x > 0.0 else 0.0  # never -0.0
                        chk[q] += x - x  # NaN unless finite
            # check: residual at the clipped w, aggregate and gradient recomputed, projection on the positive part
            _agg(w, T, bl)
            for q in range(bl):
                worst[q] = 0.0
            for i in range(n):
                for q in range(bl):
                    ta[q] = 0.0
                    tb[q] = 0.0
                for e in range(d):
                    for q in range(bl):
                        wv = w[i * d + e, q]
                        g = c[i * d + e, q] - kap[i, q] * wv - th[i, q] * T[e, q]
                        G[i * d + e, q] = g
                        pos = 1.0 if wv > 0.0 else 0.0
                        ta[q] += pos * (wv + g)
                        tb[q] += pos
                for q in range(bl):
                    ta[q] = (ta[q] - 1.0) / tb[q]  # tau (NaN or inf if no group is positive: never accepted)
                for e in range(d):
                    for q in range(bl):
                        wv = w[i * d + e, q]
                        p = wv + G[i * d + e, q] - ta[q]
                        miss = (p > 0.0) != (wv > 0.0)  # the projection has another support: not a solution
                        r = abs(wv - max(p, 0.0))
                        worst[q] = max(worst[q], np.inf if miss else r)
            for q in range(bl):
                if not (chk[q] == 0.0 and worst[q] == worst[q]):
                    bad[q] = 1.0
            more = False
            for q in range(bl):
                b = pts[q]
                if bad[q] != 0.0 or done[q] != 0.0:
                    continue
                if worst[q] <= tol:
                    done[q] = 1.0
                    conv[b] = True
                    res[b] = worst[q]
                    stage[b] = code
                    for i in range(n):
                        for e in range(d):
                            W_out[b, i, e] = w[i * d + e, q]
                            S_out[b, i, e] = w[i * d + e, q] > 0.0
                    continue
                moved = False  # primal-dual active-set update, as the kernel's
                for i in range(n):
                    lm = 0.0
                    for e in range(d):
                        lm += sm[i * d + e, q] * G[i * d + e, q]
                    lm /= cnt[i, q]
                    for e in range(d):
                        inside = sm[i * d + e, q] > 0.0
                        keep = xr[i * d + e, q] > -shrink if inside else lm - G[i * d + e, q] < -shrink
                        if keep != inside:
                            moved = True
                        sm[i * d + e, q] = 1.0 if keep else 0.0
                if moved:
                    more = True
                else:
                    bad[q] = 1.0
            if not more:
                break
    return 0


_compiled = None
if numba is not None:
    _compiled = numba.njit(cache=True, nogil=True, error_model="numpy")(_block)


def support_block(X, tables, idx, *, tol: float, out, code: int, steps: int = 4) -> None:
    """Up to ``steps`` checked active-set steps at the points ``idx``, from the positive part of ``out``'s weights."""
    if _compiled is None:  # pragma: no cover
        raise RuntimeError("the fused kernel needs numba (pip install 'symalign[fast]')")
    W, S, conv, res, stage = out
    _compiled(X, tables.exps, tables.Cc, tables.Co, tables.Cx, bool(tables.direct), idx, float(tol), int(steps),
              W, S, conv, res, stage, np.int8(code))

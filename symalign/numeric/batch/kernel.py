"""The fused per-point kernel: aggregate closed form on a support, KKT check and support update in one loop.

For aggregative games with affine gradients (:mod:`symalign.numeric.batch.aggregate`),

    g_{i,d}(W) = c_{i,d} - kappa_i w_{i,d} - theta_i T_d,   T = sum_j w_j,

every point of a batch is solved by one compiled loop, with no NumPy call per
stage: the coefficients ``c``, ``own = kappa + theta`` and ``cross = theta``
are polynomials in the arguments (a table of monomials times a coefficient
matrix, evaluated in the loop) or, in "direct" mode, given per point; then

1. the structured closed form on a support ``S`` (all groups first: the
   interior, T3): a ``D x D`` system for the aggregate ``T``
   (``min(N, D)``-square through the Woodbury identity when ``N < D``),
   ``lambda_i`` and ``w_{i,d} = (c_{i,d} - theta_i T_d - lambda_i) / kappa_i``;
2. the check: the natural residual ``max |W - Proj(W + g(W))|`` at the
   clipped solution, with the gradient recomputed from the coefficients and
   the projection computed per agent (sort-free when its support is the
   guessed one, else sort-based); accepted when ``<= tol``;
3. otherwise the primal-dual active-set update of
   :func:`symalign.numeric.batch.activeset.active_set` (drop negative weights, add
   groups with negative slack), until accepted, stalled, singular or out of
   iterations; after 8 updates, or as soon as the support returns to the one
   before last (a 2-cycle), one change per step, the largest violation first.

With ``verify=False`` a point whose interior solution is positive everywhere
is accepted on its validity conditions alone (as for the compiled closed forms);
every other point is always checked.  Points not accepted are returned not
converged for the caller's fallback.  The loop is compiled by numba when it is
installed (the ``fast`` extra); :data:`AVAILABLE` says so, and without numba the
caller uses the vectorised NumPy stages instead (tested to give the same answers).
"""

from __future__ import annotations

import numpy as np

from symalign.numeric.batch.numba_cache import ensure_cache_dir

try:  # optional: the `fast` extra
    import os as _os

    ensure_cache_dir(_os.path.dirname(_os.path.abspath(__file__)))  # before numba reads its configuration
    import numba
except ImportError:  # pragma: no cover - exercised where numba is missing
    numba = None

__all__ = ["AVAILABLE", "fused_solve", "available", "compiled_here", "note_first_compile"]

AVAILABLE = numba is not None
"""Whether numba is importable (the fused kernel can run)."""


def available() -> bool:
    """True when the fused kernel can run here (numba installed)."""
    return AVAILABLE


_KERNELS = ("interior._interior-", "kernel._fused_solve-", "supportblock._block-")


def compiled_here(dirs=None) -> bool:
    """Whether numba's on-disk cache already holds the three fused kernels.

    Looks for their cache index files (``<module>.<function>-<line>.py<ver>.nbi``)
    in ``dirs`` (default: this package's ``__pycache__``, ``NUMBA_CACHE_DIR``
    and numba's user-wide cache).  False means the first call will compile
    them (about 30 s of CPU on 2 cores); callers say so before a long run.

    Examples
    --------
    >>> import tempfile
    >>> compiled_here([tempfile.mkdtemp()])
    False
    """
    import glob
    import os
    import sys

    tag = f"py{sys.version_info.major}{sys.version_info.minor}.nbi"
    if dirs is None:
        here = os.path.dirname(os.path.abspath(__file__))
        dirs = [os.path.join(here, "__pycache__")]
        if numba is not None and getattr(numba.config, "CACHE_DIR", ""):
            dirs.append(numba.config.CACHE_DIR)
        dirs.append(os.path.join(os.path.expanduser("~"), ".cache", "numba"))
    found = set()
    for d in dirs:
        for k in _KERNELS:
            if glob.glob(os.path.join(glob.escape(str(d)), "**", k + "*" + tag), recursive=True):
                found.add(k)
    return len(found) == len(_KERNELS)


def note_first_compile(echo) -> bool:
    """Tell the user, through ``echo(text, err=True)``, when this run will compile the fused kernels.

    Returns whether a note was given (numba installed and the kernels not cached yet).
    """
    if AVAILABLE and not compiled_here():
        echo("note: first use of the fused numba kernels here: compiling them takes about 30 s of CPU "
             "(cached on disk afterwards)", err=True)
        return True
    return False


def _jit(fn, inline="never"):
    if numba is None:  # pragma: no cover
        return None
    return numba.njit(cache=True, nogil=True, error_model="numpy", inline=inline)(fn)


def _coefficients(X, b, exps, Cc, Co, Cx, direct, mono, c, own, cross):
    n, d = c.shape
    if direct:
        for i in range(n):
            for e in range(d):
                c[i, e] = X[i * d + e, b]
            own[i] = X[n * d + i, b]
            cross[i] = X[n * d + n + i, b]
        return
    for k in range(exps.shape[0]):
        v = 1.0
        for a in range(exps.shape[1]):
            for _ in range(exps[k, a]):
                v *= X[a, b]
        mono[k] = v
    for i in range(n):
        for e in range(d):
            s = 0.0
            for k in range(mono.shape[0]):
                s += mono[k] * Cc[k, i * d + e]
            c[i, e] = s
        so = 0.0
        sx = 0.0
        for k in range(mono.shape[0]):
            so += mono[k] * Co[k, i]
            sx += mono[k] * Cx[k, i]
        own[i] = so
        cross[i] = sx


def _gauss(A, r, m):
    """Solve A[:m, :m] x = r[:m] in place (partial pivoting); False when singular."""
    for col in range(m):
        p = col
        big = abs(A[col, col])
        for row in range(col + 1, m):
            if abs(A[row, col]) > big:
                big = abs(A[row, col])
                p = row
        if not big > 0.0 or not np.isfinite(big):
            return False
        if p != col:
            for k in range(m):
                A[col, k], A[p, k] = A[p, k], A[col, k]
            r[col], r[p] = r[p], r[col]
        for row in range(col + 1, m):
            f = A[row, col] / A[col, col]
            if f != 0.0:
                for k in range(col, m):
                    A[row, k] -= f * A[col, k]
                r[row] -= f * r[col]
    for col in range(m - 1, -1, -1):
        s = r[col]
        for k in range(col + 1, m):
            s -= A[col, k] * r[k]
        r[col] = s / A[col, col]
    return True


def _support_solve(c, kap, th, S, cnt, csum, A, rhs, T, lam, W):
    """Structured closed form on the support S (writes T, lam, W); False when singular or not finite."""
    n, d = c.shape
    for i in range(n):
        m = 0
        s = 0.0
        for e in range(d):
            if S[i, e]:
                m += 1
                s += c[i, e]
        if m == 0 or kap[i] == 0.0:
            return False
        cnt[i] = m
        csum[i] = s
    # T solves (diag(1 + sum_i S_ie u_i) - S^T diag(v) S) T = rhs, u = theta/kappa, v = u/n
    dg = T  # the diagonal, kept in T until the solve
    for e in range(d):
        dg[e] = 1.0
        rhs[e] = 0.0
    for i in range(n):
        ik = 1.0 / kap[i]
        u = th[i] * ik
        base = (csum[i] - kap[i]) / cnt[i]
        for e in range(d):
            if S[i, e]:
                dg[e] += u
                rhs[e] += (c[i, e] - base) * ik
    woodbury = n < d
    if woodbury:  # (I - diag(v) S diag(dg)^-1 S^T) z = diag(v) S y, y = rhs / dg, T = y + dg^-1 S^T z
        for e in range(d):
            if dg[e] == 0.0:
                woodbury = False
    if woodbury:
        for e in range(d):
            dg[e] = 1.0 / dg[e]  # now the inverse diagonal
            rhs[e] *= dg[e]
        z = lam  # scratch of length N
        for i in range(n):
            v = th[i] / (kap[i] * cnt[i])
            s = 0.0
            for e in range(d):
                if S[i, e]:
                    s += rhs[e]
            z[i] = v * s
            for j in range(i, n):
                s = 0.0
                for e in range(d):
                    if S[i, e] and S[j, e]:
                        s += dg[e]
                A[i, j] = s
                A[j, i] = s
        for i in range(n):
            v = th[i] / (kap[i] * cnt[i])
            for j in range(n):
                A[i, j] = (1.0 if i == j else 0.0) - v * A[i, j]
        if not _gauss(A, z, n):
            return False
        for e in range(d):
            s = 0.0
            for i in range(n):
                if S[i, e]:
                    s += z[i]
            T[e] = rhs[e] + s * dg[e]
    else:
        for e in range(d):
            for f in range(d):
                A[e, f] = 0.0
            A[e, e] = dg[e]
        for i in range(n):
            v = th[i] / (kap[i] * cnt[i])
            if v != 0.0:
                for e in range(d):
                    if S[i, e]:
                        for f in range(d):
                            if S[i, f]:
                                A[e, f] -= v
        if not _gauss(A, rhs, d):
            return False
        for e in range(d):
            T[e] = rhs[e]
    for i in range(n):
        s = 0.0
        for e in range(d):
            if S[i, e]:
                s += T[e]
        lam[i] = (csum[i] - kap[i] - th[i] * s) / cnt[i]
        ik = 1.0 / kap[i]
        for e in range(d):
            if S[i, e]:
                w = (c[i, e] - th[i] * T[e] - lam[i]) * ik
                if not np.isfinite(w):
                    return False
                W[i, e] = w
            else:
                W[i, e] = 0.0
    return True


def _residual(c, kap, th, Wc, T, G, V, keep):
    """Natural residual max |Wc - Proj(Wc + g(Wc))| (writes the gradient into G).

    The projection of each agent's ``V = w + g`` is ``max(V - tau, 0)``: the
    threshold ``tau = (sum_K V - 1) / |K|`` of the groups with positive weight
    is exact when those are exactly the groups with ``V > tau``; otherwise
    Michelot's method (Math. Programming 35, 1986) finds it without sorting or
    allocating: from all groups, drop those at or below the threshold, repeat.
    """
    n, d = c.shape
    for e in range(d):
        s = 0.0
        for i in range(n):
            s += Wc[i, e]
        T[e] = s
    worst = 0.0
    for i in range(n):
        m = 0
        for e in range(d):
            G[i, e] = c[i, e] - kap[i] * Wc[i, e] - th[i] * T[e]
            V[e] = Wc[i, e] + G[i, e]
            keep[e] = Wc[i, e] > 0.0
            if keep[e]:
                m += 1
        if m == 0:
            for e in range(d):
                keep[e] = True
        tau = _threshold(V, keep, m)
        fits = True
        for e in range(d):
            if (V[e] - tau > 0.0) != keep[e]:
                fits = False
        if not fits:  # Michelot from all groups: drop those at or below the threshold until none is
            for e in range(d):
                keep[e] = True
            for _ in range(d + 1):
                tau = _threshold(V, keep, d)
                dropped = False
                for e in range(d):
                    if keep[e] and not V[e] - tau > 0.0:
                        keep[e] = False
                        dropped = True
                if not dropped:
                    break
        for e in range(d):
            p = V[e] - tau
            if p < 0.0:
                p = 0.0
            r = abs(Wc[i, e] - p)
            if not r <= worst:  # also catches NaN
                worst = r
    return worst


def _threshold(V, keep, m):
    """``(sum of V over keep - 1) / |keep|`` (inf when keep is empty)."""
    tot = 0.0
    k = 0
    for e in range(V.shape[0]):
        if keep[e]:
            tot += V[e]
            k += 1
    return (tot - 1.0) / k if k > 0 else np.inf


def _fused_solve(X, exps, Cc, Co, Cx, direct, idx, S0, use_s0, from_out, max_iter, tol, shrink,
                 W_out, S_out, conv, res, stage, code):
    n, d = W_out.shape[1], W_out.shape[2]
    mono = np.empty(exps.shape[0])
    c = np.empty((n, d))
    own = np.empty(n)
    cross = np.empty(n)
    kap = np.empty(n)
    cnt = np.empty(n)
    csum = np.empty(n)
    lam = np.empty(max(n, 1))
    m = max(n, d)
    A = np.empty((m, m))
    rhs = np.empty(d)
    T = np.empty(d)
    V = np.empty(d)
    keep = np.empty(d, np.bool_)
    W = np.empty((n, d))
    Wc = np.empty((n, d))
    G = np.empty((n, d))
    S = np.empty((n, d), np.bool_)
    new = np.empty((n, d), np.bool_)
    S2 = np.empty((n, d), np.bool_)  # the support before the last one: a 2-cycle switches to single changes
    for j in range(idx.shape[0]):
        b = idx[j]
        _coefficients(X, b, exps, Cc, Co, Cx, direct, mono, c, own, cross)
        for i in range(n):
            kap[i] = own[i] - cross[i]
        _start(S, S0, use_s0, j, from_out, W_out, b)
        done = False
        cycle = False
        for i in range(n):
            for e in range(d):
                S2[i, e] = False
        r = np.inf
        for it in range(max_iter):
            if not _support_solve(c, kap, cross, S, cnt, csum, A, rhs, T, lam, W):
                break
            for i in range(n):
                for e in range(d):
                    Wc[i, e] = W[i, e] if W[i, e] > 0.0 else 0.0
            r = _residual(c, kap, cross, Wc, T, G, V, keep)
            if r <= tol:
                done = True
                break
            moved = False
            bi, be, worst = -1, -1, shrink
            for i in range(n):
                tot = 0.0
                k = 0
                for e in range(d):
                    if S[i, e]:
                        tot += G[i, e]
                        k += 1
                lm = tot / max(k, 1)
                for e in range(d):
                    viol = -W[i, e] if S[i, e] else G[i, e] - lm
                    new[i, e] = S[i, e] != (viol > shrink)
                    if new[i, e] != S[i, e]:
                        moved = True
                        if viol > worst:
                            bi, be, worst = i, e, viol
            if not moved:
                break
            if it >= 8 or (it >= 2 and cycle):  # safeguard against cycling: one change at a time, the worst first
                for i in range(n):
                    for e in range(d):
                        new[i, e] = S[i, e]
                new[bi, be] = not S[bi, be]
            cycle = True
            for i in range(n):
                for e in range(d):
                    if new[i, e] != S2[i, e]:
                        cycle = False
                    S2[i, e] = S[i, e]
                    S[i, e] = new[i, e]
        conv[b] = done
        res[b] = r
        if done:
            stage[b] = code
        for i in range(n):
            for e in range(d):
                W_out[b, i, e] = Wc[i, e] if done else np.nan
                S_out[b, i, e] = done and Wc[i, e] > 0.0


def _start(S, S0, use_s0, j, from_out, W_out, b):
    """The first support: given (S0), else the positive part of W_out[b] (finite, every agent some group), else all."""
    n, d = S.shape
    if use_s0[j]:
        for i in range(n):
            for e in range(d):
                S[i, e] = S0[j, i, e]
        return
    fine = from_out
    if fine:
        for i in range(n):
            k = 0
            for e in range(d):
                if not np.isfinite(W_out[b, i, e]):
                    fine = False
                if W_out[b, i, e] > 0.0:
                    k += 1
            if k == 0:
                fine = False
    for i in range(n):
        for e in range(d):
            S[i, e] = W_out[b, i, e] > 0.0 if fine else True


_compiled = None
if AVAILABLE:
    for _name in ("_coefficients", "_gauss", "_support_solve", "_threshold", "_residual", "_start"):
        globals()[_name] = _jit(globals()[_name], "always")
    _compiled = _jit(_fused_solve)


def fused_solve(X, tables, idx, S0, use_s0, *, from_out, max_iter, tol, out, code):
    """Run the kernel on the points ``idx`` (writes ``out``: weights, support, converged, residual, stage).

    ``X`` (nx, B): the inputs of ``tables`` (:class:`~symalign.numeric.batch.fused.StructuredTables`);
    the first support of point ``idx[j]`` is ``S0[j]`` where ``use_s0[j]``, else
    (``from_out``) the positive part of the weights already in ``out``, else all groups.
    """
    if _compiled is None:  # pragma: no cover
        raise RuntimeError("the fused kernel needs numba (pip install 'symalign[fast]')")
    W, S, conv, res, stage = out
    _compiled(X, tables.exps, tables.Cc, tables.Co, tables.Cx, bool(tables.direct), idx, S0, use_s0, bool(from_out),
              int(max_iter), float(tol), float(tol) * 1e-2, W, S, conv, res, stage, np.int8(code))

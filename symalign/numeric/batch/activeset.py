"""Vectorised active-set step for batches of games with affine gradients.

Used by :mod:`symalign.numeric.batch.compiled` for the points of a batch where a compiled
closed form is not valid (a group is excluded, say).  With affine
own-gradients ``g(W) = c + M vec(W)`` the KKT conditions on a support
``S`` (a boolean ``N x D`` mask) are the linear system

    (M W + c)_{i,d} - lambda_i = 0   for (i, d) in S   (stationarity)
    W_{i,d} = 0                      for (i, d) not in S
    sum_d W_{i,d} = 1                for every agent i

of size ``N D + N``; it is assembled with masks for a whole batch and
solved by :func:`numpy.linalg.solve` on the stacked matrices.  The support
is then updated as in a primal-dual active-set method (Hintermueller, Ito
and Kunisch, SIAM J. Optim. 13, 2002): groups whose weight came out
negative are dropped, groups off the support whose gradient beats the
multiplier (negative slack ``lambda_i - g_{i,d}``) are added.  A point is
done when the natural residual of the re-solved profile is below ``tol``;
points whose support stops changing without that, or that run out of
iterations, are returned as not done for the caller's fallback.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from symalign.numeric.simplex import project

__all__ = ["natural_residual", "kkt_linear_solve", "active_set"]


def natural_residual(W: np.ndarray, G: np.ndarray, guess: np.ndarray | None = None) -> np.ndarray:
    """Per-point natural residual ``max_{i,d} |W - Proj(W + G)|`` of a batch.

    The same quantity as :func:`symalign.numeric.check.kkt_residual`, for arrays of
    shape ``(B, N, D)``.  ``guess`` (a boolean support of the same shape)
    lets rows whose projection has exactly that support skip the sort: for
    such a row the threshold is ``tau = (sum_S v - 1) / |S|`` and the
    projection ``max(v - tau, 0)``, which is exact when ``v - tau > 0`` on
    ``S`` and ``<= 0`` off it (checked); other rows use
    :func:`symalign.numeric.simplex.project`.  Non-finite rows get ``inf``.

    Examples
    --------
    >>> W = np.array([[[0.5, 0.5]]]); G = np.array([[[1.0, 1.0]]])
    >>> natural_residual(W, G), natural_residual(W, G, W > 0)
    (array([0.]), array([0.]))
    """
    V = W + G
    b = V.shape[0]
    finite = ~_columns(np.isnan(V).reshape(b, -1) | np.isinf(V).reshape(b, -1), np.logical_or)
    P = None
    todo = finite
    if guess is not None:
        # NumPy reductions along a short last axis (and boolean-mask gathers) cost more than the
        # arithmetic: reduce column by column, and skip the gathers when every point fits
        g = np.asarray(guess, bool)
        with np.errstate(invalid="ignore", divide="ignore"):
            n = _columns(g.astype(float), np.add)
            tau = (_columns(np.where(g, V, 0.0), np.add) - 1.0) / n
            X = V - tau[..., None]
            miss = _columns(((X > 0) != g).reshape(b, -1), np.logical_or) | _columns(n <= 0, np.logical_or)
        fits = finite & ~miss
        if fits.all():
            P = np.where(g, X, 0.0)
        else:
            P = np.full_like(V, np.nan)
            P[fits] = np.where(g[fits], X[fits], 0.0)
        todo = finite & ~fits
    if P is None:
        P = np.full_like(V, np.nan)
    if todo.any():
        P[todo] = project(V[todo])
    with np.errstate(invalid="ignore"):
        r = _columns(np.abs(W - P).reshape(b, -1), np.maximum)
    return np.where(finite, r, np.inf)


def _columns(A, op):
    """``op.reduce(A, axis=-1)`` column by column (fast for a short last axis); 1-D results stay 1-D."""
    if A.shape[-1] > 64:
        return op.reduce(A, axis=-1)
    out = A[..., 0].copy()
    for k in range(1, A.shape[-1]):
        op(out, A[..., k], out=out)
    return out


def kkt_linear_solve(c: np.ndarray, M: np.ndarray, S: np.ndarray):
    """Solve the KKT linear systems of a batch on given supports.

    Parameters
    ----------
    c : ndarray, shape (B, N*D)
        Gradients at ``W = 0``.
    M : ndarray, shape (B, N*D, N*D)
        Jacobians of the (flattened, row-major) gradients.
    S : ndarray of bool, shape (B, N, D)
        Supports.

    Returns
    -------
    W : ndarray, shape (B, N, D)
        Solutions (exactly zero off the support; NaN where singular).
    lam : ndarray, shape (B, N)
        Multipliers ``lambda_i``.
    ok : ndarray of bool, shape (B,)
        Whether the system was nonsingular and the solution finite.

    Examples
    --------
    >>> c = np.array([[0.5, 0.0]]); M = -np.eye(2)[None]   # g = (0.5 - w1, -w2)
    >>> W, lam, ok = kkt_linear_solve(c, M, np.ones((1, 1, 2), bool))
    >>> W.tolist(), lam.tolist(), ok.tolist()
    ([[[0.75, 0.25]]], [[-0.25]], [True])
    """
    b, n_agents, n_groups = S.shape
    nw = n_agents * n_groups
    n = nw + n_agents
    Sf = S.reshape(b, nw)
    agent = np.repeat(np.arange(n_agents), n_groups)
    E = np.zeros((nw, n_agents))
    E[np.arange(nw), agent] = 1.0
    K = np.zeros((b, n, n))
    K[:, :nw, :nw] = np.where(Sf[:, :, None], M, np.eye(nw))
    K[:, :nw, nw:] = np.where(Sf[:, :, None], -E, 0.0)
    K[:, nw:, :nw] = E.T
    rhs = np.empty((b, n))
    rhs[:, :nw] = np.where(Sf, -c, 0.0)
    rhs[:, nw:] = 1.0
    x = np.full((b, n), np.nan)
    ok = np.isfinite(K).all(axis=(1, 2)) & np.isfinite(rhs).all(axis=1)
    _solve_into(K, rhs, ok, x)
    ok &= np.isfinite(x).all(axis=1)
    W = np.where(Sf, x[:, :nw], 0.0).reshape(b, n_agents, n_groups)
    return W, x[:, nw:], ok


def _solve_into(K, rhs, ok, x) -> None:
    """x[ok] = solve(K[ok], rhs[ok]); singular systems leave NaN and clear ok."""
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return
    try:
        x[idx] = np.linalg.solve(K[idx], rhs[idx, :, None])[..., 0]
        return
    except np.linalg.LinAlgError:
        pass
    # Some system is exactly singular: drop those found by the determinant, retry.
    sign, _ = np.linalg.slogdet(K[idx])
    good = idx[sign != 0]
    ok[idx[sign == 0]] = False
    try:
        x[good] = np.linalg.solve(K[good], rhs[good, :, None])[..., 0]
    except np.linalg.LinAlgError:  # pragma: no cover - rounding corner: one at a time
        for k in good:
            try:
                x[k] = np.linalg.solve(K[k], rhs[k])
            except np.linalg.LinAlgError:
                ok[k] = False


SupportSolver = Callable[[np.ndarray, np.ndarray], "tuple[np.ndarray, np.ndarray]"]
BatchGrad = Callable[[np.ndarray, np.ndarray], np.ndarray]


def active_set(
    S0: np.ndarray,
    solve_support: SupportSolver,
    grad: BatchGrad,
    *,
    tol: float,
    max_iter: int,
):
    """Primal-dual active-set iterations for a batch, starting from supports ``S0``.

    Parameters
    ----------
    S0 : ndarray of bool, shape (B, N, D)
        Starting supports (every agent needs at least one group).
    solve_support : callable
        ``solve_support(idx, S) -> (W, ok)``: exact-up-to-rounding solution
        of the KKT system on supports ``S`` for the points ``idx`` of the
        batch (closed forms where compiled, else :func:`kkt_linear_solve`).
    grad : callable
        ``grad(idx, W) -> G``: own-gradients at ``W`` for the points ``idx``.
    tol : float
        Natural-residual tolerance that marks a point as solved.
    max_iter : int
        Bound on the number of support updates.

    Returns
    -------
    W : ndarray, shape (B, N, D)
        Solutions (NaN where not done).
    S : ndarray of bool, shape (B, N, D)
        The last support tried for every point.
    residual : ndarray, shape (B,)
        Natural residual of ``W`` (``inf`` where never solved).
    done : ndarray of bool, shape (B,)
    """
    b = S0.shape[0]
    S = S0.copy()
    W_out = np.full(S.shape, np.nan)
    res = np.full(b, np.inf)
    done = np.zeros(b, bool)
    idx = np.arange(b)
    shrink = tol * 1e-2  # a weight above -shrink stays, a slack below -shrink enters
    for _ in range(max(1, int(max_iter))):
        if idx.size == 0:
            break
        Si = S[idx]
        W, ok = solve_support(idx, Si)
        W = np.where(ok[:, None, None], W, np.nan)
        Wc = np.where(W > 0, W, 0.0)
        G = grad(idx, Wc)
        r = natural_residual(Wc, G, Si & (Wc > 0))
        good = ok & (r <= tol)
        W_out[idx[good]] = Wc[good]
        res[idx] = np.where(ok, r, res[idx])
        done[idx[good]] = True
        # Support update for the rest: lambda_i from the support, slack = lambda - g.
        with np.errstate(invalid="ignore"):
            lam = np.where(Si, G, 0.0).sum(-1) / np.maximum(Si.sum(-1), 1)
            slack = lam[..., None] - G
            new = np.where(Si, W > -shrink, slack < -shrink)  # never empty where ok: sum(W) = 1 on Si
        moving = ok & ~good & (new != Si).any(axis=(1, 2))
        S[idx[moving]] = new[moving]
        idx = idx[moving]
    return W_out, S, res, done

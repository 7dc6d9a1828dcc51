"""Batched iterative equilibrium solvers (families without a closed form).

Every point of a batch is its own game; the solver runs all of them at once
on arrays of shape ``(B, N, D)`` with a step size per point, and stops each
point separately.

Methods (``geometry``):

* ``"euclidean"`` -- Korpelevich extragradient with the Euclidean simplex
  projection (:func:`symalign.numeric.simplex.project`, batched);
* ``"entropic"`` -- mirror-prox with the entropy (exponentiated-gradient
  extragradient, Nemirovski 2004), whose iterates stay strictly positive,
  so utilities with ``log w`` (the entropic variant) are never evaluated at
  zero.

The step of each point adapts like that of :func:`symalign.numeric.solvers.extragradient`
(same constants, simpler ratio): it is halved until ``t L_est <= 0.9``, where
``L_est`` is the local Lipschitz ratio ``||g(Y) - g(X)|| / ||Y - X||``
(Frobenius norms of the full, not centred, differences for the Euclidean
geometry; infinity-norm over 1-norm for the entropic one, where
:func:`symalign.numeric.solvers.mirror_descent` uses a Bregman test), and after an
accepted step rescaled towards ratio 0.6 (growing at most 1.5x).

Stopping rule: a point stops as soon as its natural (KKT) residual
``max_{i,d} |w - Proj(w + g(W))|`` is at most ``tol`` (checked every
``check_every`` iterations).  Points that do not get there within
``max_iter`` iterations are reported with ``converged = False``; the caller
must not use their weights as answers (:mod:`symalign.numeric.batch.compiled` turns them
into NaN).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from symalign.numeric.batch.activeset import natural_residual
from symalign.errors import InputError
from symalign.numeric.simplex import project, softmax

__all__ = ["batch_extragradient"]

_ACCEPT, _TARGET, _GROW = 0.9, 0.6, 1.5
GEOMETRIES = ("euclidean", "entropic")


def _entropic_step(X: np.ndarray, V: np.ndarray) -> np.ndarray:
    return np.maximum(softmax(np.log(X) + V), np.finfo(float).tiny)


def _ratio(X, Y, GX, GY, geometry):
    if geometry == "euclidean":
        dx = np.sqrt(((Y - X) ** 2).sum(axis=(1, 2)))
        dg = np.sqrt(((GY - GX) ** 2).sum(axis=(1, 2)))
    else:
        dx = np.abs(Y - X).sum(axis=-1).max(axis=-1)
        dg = np.abs(GY - GX).max(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dx > 0, dg / dx, 0.0)


def batch_extragradient(
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray],
    W0: np.ndarray,
    *,
    geometry: str = "euclidean",
    tol: float = 1e-10,
    max_iter: int = 20_000,
    check_every: int = 5,
):
    """Solve a batch of games by (mirror-)extragradient, stopping per point.

    Parameters
    ----------
    grad : callable
        ``grad(idx, W) -> G`` with ``W, G`` of shape ``(len(idx), N, D)``:
        own-gradients of the games ``idx`` of the batch at ``W``.
    W0 : ndarray, shape (B, N, D)
        Starting profiles on the simplex (strictly positive for
        ``geometry="entropic"``).
    geometry : {"euclidean", "entropic"}
    tol : float
        Natural-residual tolerance (the stopping rule).
    max_iter : int
        Iteration bound per point.
    check_every : int
        Residual check period.

    Returns
    -------
    W : ndarray, shape (B, N, D)
        Last iterates (meaningful only where ``converged``).
    residual : ndarray, shape (B,)
        Natural residual at ``W`` (``inf`` where the gradient was not finite).
    converged : ndarray of bool, shape (B,)
    iterations : ndarray of int, shape (B,)

    Examples
    --------
    >>> P = np.array([[[0.7, 0.3]], [[0.2, 0.8]]])          # two one-agent games
    >>> W, r, ok, it = batch_extragradient(lambda idx, W: P[idx] - W, np.full((2, 1, 2), 0.5))
    >>> bool(ok.all()), np.allclose(W, P, atol=1e-9)
    (True, True)
    """
    if geometry not in GEOMETRIES:
        raise InputError("geometry", geometry, f"must be one of {GEOMETRIES}")
    X = np.array(W0, dtype=float, copy=True)
    b = X.shape[0]
    t = np.ones(b)
    res = np.full(b, np.inf)
    conv = np.zeros(b, bool)
    iters = np.zeros(b, int)
    idx = np.arange(b)
    step = project if geometry == "euclidean" else None
    # overflow / division in a gradient (huge parameters, a log at a vertex) is expected at boundary points and
    # checked: a non-finite gradient rejects the trial step or stops the point unconverged, never a warning
    with np.errstate(all="ignore"):
        G = np.asarray(grad(idx, X), dtype=float)
        for k in range(int(max_iter) + 1):
            if idx.size == 0:
                break
            if k % check_every == 0 or k == max_iter:
                r = natural_residual(X[idx], G)
                res[idx] = r
                stop = r <= tol
                conv[idx[stop]] = True
                iters[idx] = k
                keep = ~stop & np.isfinite(r)
                idx, G = idx[keep], G[keep]
                if idx.size == 0 or k == max_iter:
                    break
            Xi, ti = X[idx], t[idx][:, None, None]
            Y = step(Xi + ti * G) if step else _entropic_step(Xi, ti * G)
            GY = np.asarray(grad(idx, Y), dtype=float)
            finite = np.isfinite(GY).all(axis=(1, 2))
            GY = np.where(finite[:, None, None], GY, G)
            L = _ratio(Xi, Y, G, GY, geometry)
            Xn = step(Xi + ti * GY) if step else _entropic_step(Xi, ti * GY)
            Gn = np.asarray(grad(idx, Xn), dtype=float)
            accept = (t[idx] * L <= _ACCEPT) & finite & np.isfinite(Gn).all(axis=(1, 2))
            X[idx] = np.where(accept[:, None, None], Xn, Xi)
            G = np.where(accept[:, None, None], Gn, G)
            with np.errstate(divide="ignore", invalid="ignore"):
                grown = t[idx] * np.minimum(_GROW, np.where(L > 0, _TARGET / (t[idx] * L), _GROW))
            t[idx] = np.where(accept, grown, 0.5 * t[idx])
    return X, res, conv, iters

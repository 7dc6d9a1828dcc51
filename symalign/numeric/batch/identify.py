"""Support identification: iterate to a loose tolerance, then solve exactly on the support found.

The iterative fallback of :mod:`symalign.numeric.batch.compiled` (points where the
active set cycles) used to run extragradient all the way to the KKT
tolerance (1e-10), which near a degenerate point takes thousands of
iterations.  For affine gradients the equilibrium is the exact solution of a
linear system on its support, and the support is found long before the
iterates converge (finite identification of the active constraints,
e.g. Burke and More, SIAM J. Numer. Anal. 25, 1988).  So
:func:`identify` alternates:

1. batched extragradient (:func:`symalign.numeric.batch.iterative.batch_extragradient`)
   to the next tolerance of a decreasing ladder (1e-2, 1e-3, ... down to ``tol``);
2. for every point that reached it, the support of ``Proj(W + G(W))``
   as the start of a few primal-dual active-set steps
   (:func:`symalign.numeric.batch.activeset.active_set`: exact solve on the
   support, natural residual, support update);
3. a point is accepted only when an exact solution has natural residual
   ``<= tol`` (the same check as every other stage); the others go on to the
   next rung.  At the last rung (``tol`` itself) the points the iteration
   brought to ``tol`` are accepted as iterated, and re-solved exactly on
   their support when that is at least as accurate (the polish).

So the iterative work stops as soon as the support is known, and the answer
is never the loose iterate: it is an exact support solution checked to
``tol``, or an iterate that itself reached ``tol``.
"""

from __future__ import annotations

import numpy as np

from symalign.numeric.batch.activeset import active_set
from symalign.numeric.batch.iterative import batch_extragradient
from symalign.numeric.simplex import project

__all__ = ["identify", "iterative_stage", "LADDER"]

LADDER = (1e-2, 1e-3, 1e-4, 1e-6, 1e-8)
"""Tolerances at which supports are identified, before the final ``tol``."""


def identify(solve_support, grad, W0, *, tol: float, max_iter: int, ladder=LADDER, steps: int = 4):
    """Equilibria of a batch of affine games by support identification.

    Parameters
    ----------
    solve_support : callable
        ``solve_support(idx, S) -> (W, ok)``: exact solutions on supports ``S``
        for the points ``idx`` (as for :func:`~symalign.numeric.batch.activeset.active_set`).
    grad : callable
        ``grad(idx, W) -> G``: own-gradients of the points ``idx`` at ``W``.
    W0 : ndarray, shape (B, N, D)
        Starting profiles on the simplex.
    tol : float
        Natural-residual tolerance of every accepted point.
    max_iter : int
        Extragradient iterations allowed per point, over all rungs together.
    ladder : sequence of float
        Intermediate tolerances (those ``<= tol`` are skipped).
    steps : int
        Active-set steps from each identified support.

    Returns
    -------
    W : ndarray (B, N, D)
    residual : ndarray (B,)
    converged : ndarray of bool (B,)
    identified : ndarray of bool (B,)
        Answered by an exact solution on an identified support (else by the iterate).

    Examples
    --------
    >>> P = np.array([[[0.7, 0.3]], [[1.4, -0.4]]])      # one-agent games, g = P - W
    >>> from symalign.numeric.batch.activeset import kkt_linear_solve
    >>> solve = lambda idx, S: kkt_linear_solve(P[idx].reshape(-1, 2), -np.eye(2)[None].repeat(len(idx), 0), S)[::2]
    >>> W, r, ok, ident = identify(solve, lambda idx, W: P[idx] - W, np.full((2, 1, 2), 0.5), tol=1e-12, max_iter=1000)
    >>> W.round(12).tolist(), ok.tolist(), ident.tolist()
    ([[[0.7, 0.3]], [[1.0, 0.0]]], [True, True], [True, True])
    """
    X = np.array(W0, dtype=float, copy=True)
    b = X.shape[0]
    res = np.full(b, np.inf)
    ok = np.zeros(b, bool)
    ident = np.zeros(b, bool)
    used = np.zeros(b, int)
    left = np.arange(b)
    rungs = [t for t in ladder if t > tol] + [tol]
    for k, level in enumerate(rungs):
        last = k == len(rungs) - 1
        budget = int(max_iter) - (int(used[left].max()) if left.size else 0)
        if not left.size or budget < 0:
            break
        sub = left
        Xl, rl, cl, it = batch_extragradient(lambda j, Y: grad(sub[j], Y), X[sub], tol=level, max_iter=budget)
        X[sub], used[sub], res[sub] = Xl, used[sub] + it, rl
        reached = sub[cl]
        if reached.size:
            G = grad(reached, X[reached])
            S0 = project(X[reached] + G) > 0
            Wa, _, ra, done = active_set(S0, lambda j, S: solve_support(reached[j], S),
                                         lambda j, Y: grad(reached[j], Y), tol=tol, max_iter=steps)
            if last:  # the iterate itself reached tol: keep the exact solution only when at least as accurate
                done &= ra <= res[reached]
            hit = reached[done]
            X[hit], res[hit], ok[hit], ident[hit] = Wa[done], ra[done], True, True
            if last:
                ok[reached] = True
        left = sub[~ok[sub] & np.isfinite(res[sub])]
        if last:
            break
    return X, res, ok, ident


def iterative_stage(cg, P, where, out, start, codes) -> None:
    """The compiled game ``cg``'s last stage at the points ``where``: identification (affine gradients) or iteration.

    Writes ``out`` (weights, support, converged, residual, stage ``codes = (iterative, identified)``).
    """
    n, d = cg.game.n_agents, cg.game.n_groups
    sub = [p[where] for p in P]
    grad = lambda j, X: cg._gradient([p[j] for p in sub], X)  # noqa: E731
    W0 = np.full((where.size, n, d), 1.0 / d)
    if start is not None:
        fine = np.isfinite(start[where]).all(axis=(1, 2))
        W0[fine] = start[where][fine]
    ident = np.zeros(where.size, bool)
    if cg._affine is not None:
        solve = lambda j, S: cg._solve_support([p[j] for p in sub], S)  # noqa: E731
        X, r, ok, ident = identify(solve, grad, W0, tol=cg.tol, max_iter=cg.max_iter)
    else:
        X, r, ok, _ = batch_extragradient(grad, W0, geometry=cg._geometry, tol=cg.tol, max_iter=cg.max_iter)
    out.residual[where] = r
    ok_pts = where[ok]
    out.weights[ok_pts], out.support[ok_pts], out.converged[ok_pts] = X[ok], X[ok] > 0, True
    out.stage[ok_pts] = np.where(ident[ok], codes[1], codes[0])

"""Numerical equilibrium solvers for games on products of simplices.

This is the independent numeric route used to confirm symbolic closed
forms: it is pure NumPy and sees the game only through a callable
``grad(W) -> (N, D)`` whose row ``i`` is the gradient of agent ``i``'s
utility with respect to its own weights ``w_i`` (a point of the simplex).

An equilibrium solves the variational inequality (VI) with operator
``F(W) = -grad(W)`` over the product of the ``N`` simplices.  When ``F`` is
monotone (strictly, in the cases of interest) the solvers below converge:

* :func:`extragradient` -- Korpelevich's extragradient method with the
  Euclidean projection and an adaptive (Khobotov / Iusem style) step;
* :func:`mirror_descent` -- entropic mirror-prox (exponentiated gradient
  extragradient, Nemirovski 2004), suited to entropic utilities with a log
  barrier since iterates stay strictly positive;
* :func:`solve` -- a front end with a uniform default start.

All of them stop when the KKT (natural) residual
``max_i || w_i - Proj(w_i + g_i) ||_inf`` (the same quantity as
:func:`symalign.numeric.check.kkt_residual`) drops below ``tol``; if ``max_iter`` is
hit first the result says ``converged=False``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from symalign.core import validate
from symalign.errors import InputError, ShapeError
from symalign.numeric.simplex import project, validate_simplex_point

__all__ = ["SolverResult", "extragradient", "mirror_descent", "solve", "gradient_scale"]

GradFn = Callable[[np.ndarray], np.ndarray]

_ACCEPT = 0.9  # accept when the ratio r = step * ||F(X) - F(Y)|| / ||X - Y|| is <= _ACCEPT
_TARGET = 0.6  # the next step aims at this ratio (fast contraction for EG)
_GROW = 1.5  # largest growth factor of the step between iterations
_MAX_BACKTRACK = 100


@dataclass(frozen=True)
class SolverResult:
    """Outcome of a solver run.

    Attributes
    ----------
    weights : numpy.ndarray, shape (N, D)
        Final profile (read-only).
    converged : bool
        Whether the residual dropped below ``tol`` within ``max_iter``.
    iterations : int
        Number of (extra)gradient iterations performed.
    residual : float
        KKT residual of ``weights`` (see :func:`symalign.numeric.check.kkt_residual`); of the gradient
        divided by its size when the method says so (:func:`gradient_scale`).
    method : str
        ``"extragradient"`` or ``"mirror_descent"``, with ``" (gradient scaled by 1/s)"`` for a game of
        extreme scale.
    grad_evals : int
        Number of calls to ``grad``.
    """

    weights: np.ndarray
    converged: bool
    iterations: int
    residual: float
    method: str
    grad_evals: int = 0

    def __post_init__(self) -> None:
        w = np.array(self.weights, dtype=float, copy=True)
        w.flags.writeable = False
        object.__setattr__(self, "weights", w)


def _eval(grad: GradFn, X: np.ndarray, it: int, *, strict: bool = True) -> np.ndarray | None:
    """Call ``grad``; check the shape; non-finite output raises (strict) or gives None.

    NumPy's overflow / divide warnings are silenced here because their outcome is checked: a gradient that
    is not finite (a log or a division at a vertex) is a rejected trial point, never a warning on stderr.
    """
    with np.errstate(all="ignore"):
        G = np.asarray(grad(X.copy()), dtype=float)
    if G.shape != X.shape:
        raise ShapeError("grad(W)", G, f"must return shape {X.shape}, got {G.shape}")
    if not np.all(np.isfinite(G)):
        if strict:
            raise InputError("grad(W)", G, f"returned non-finite values at iteration {it}")
        return None
    return G


def _residual(X: np.ndarray, G: np.ndarray) -> float:
    # Same definition as symalign.numeric.check.kkt_residual (kept separate on purpose).
    return float(np.max(np.abs(X - project(X + G))))


def _options(step: float | None, tol: float, max_iter: int) -> float:
    t = 1.0 if step is None else validate.positive_float(step, "step")
    validate.positive_float(tol, "tol")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
        raise InputError("max_iter", max_iter, "must be a non-negative integer")
    return t


def _start(W0: object, *, positive: bool) -> np.ndarray:
    arr = validate_simplex_point(W0, "W0", strictly_positive=positive)
    if arr.ndim != 2:
        raise ShapeError("W0", W0, f"must have shape (N, D), got {arr.shape}")
    return arr / arr.sum(axis=1, keepdims=True)


def extragradient(
    grad: GradFn,
    W0: object,
    *,
    step: float | None = None,
    tol: float = 1e-12,
    max_iter: int = 200_000,
) -> SolverResult:
    """Korpelevich extragradient with an adaptive step.

    Each iteration, with ``G = grad(X)``::

        Y  = Proj(X + t * grad(X))
        X' = Proj(X + t * grad(Y))

    where ``Proj`` projects every row onto the simplex.  The step ``t`` is
    backtracked until ``t * ||grad(X) - grad(Y)|| <= 0.9 * ||X - Y||``
    (Frobenius norms; Khobotov 1987, Iusem 1994), which makes every
    iteration Fejer-monotone for a monotone game without knowing the
    Lipschitz constant.  After each iteration ``t`` is rescaled so that the
    ratio ``t ||grad(X) - grad(Y)|| / ||X - Y||`` aims at 0.6 (growing at
    most 1.5 times), which keeps the contraction fast.  A trial point where
    ``grad`` is not finite is rejected and the step halved.

    Parameters
    ----------
    grad : callable
        ``grad(W) -> (N, D)``, own-gradients of the utilities.
    W0 : array_like, shape (N, D)
        Starting profile; every row must be on the simplex.
    step : float, optional
        Initial trial step (default 1).  It is still adapted.
    tol : float, optional
        Stop when the KKT residual is ``< tol`` (default ``1e-12``).
    max_iter : int, optional
        Iteration cap (default 200 000).

    Returns
    -------
    SolverResult

    Examples
    --------
    Two agents, each pulled towards a target ``p_i`` and away from the other
    (``U_i = -|w_i - p_i|^2/2 - 0.5 <w_i, w_j>``):

    >>> p = np.array([[0.7, 0.3], [0.4, 0.6]])
    >>> grad = lambda W: -(W - p) - 0.5 * W[::-1]
    >>> res = extragradient(grad, np.full((2, 2), 0.5))
    >>> res.converged, res.residual < 1e-12
    (True, True)
    >>> np.round(res.weights, 6)
    array([[0.833333, 0.166667],
           [0.233333, 0.766667]])
    """
    t = _options(step, tol, max_iter)
    X = _start(W0, positive=False)

    def prox(X: np.ndarray, t: float, G: np.ndarray) -> np.ndarray:
        return project(X + t * G)

    def ratio(X, Y, Xn, G, GY, t) -> float:
        # t ||F(X) - F(Y)|| / ||X - Y||; X - Y has zero row sums, so only the centred
        # part of the gradient difference matters (tangent-space norm)
        dG = G - GY
        dx = np.linalg.norm(X - Y)
        return t * float(np.linalg.norm(dG - dG.mean(axis=1, keepdims=True))) / dx if dx > 0 else 0.0

    return _extra_loop(grad, X, t, tol, max_iter, prox, ratio, "extragradient")


def _extra_loop(grad, X, t, tol, max_iter, prox, ratio, method) -> SolverResult:
    """Shared extragradient / mirror-prox loop with the adaptive step.

    ``prox(X, t, G)`` is the (Euclidean or entropic) projected step and
    ``ratio(X, Y, X', G, G_Y, t)`` the step-acceptance ratio, which must be
    ``<= 0.9`` and scales roughly like ``t``.  A trial whose gradient is
    non-finite (e.g. a log barrier hit on the boundary) is rejected and the
    step halved.
    """
    G = _eval(grad, X, 0)
    evals = 1
    res = _residual(X, G)
    k = 0
    while res >= tol and k < max_iter:
        for _ in range(_MAX_BACKTRACK):
            Y = prox(X, t, G)
            GY = _eval(grad, Y, k, strict=False)
            evals += 1
            if GY is None:
                t *= 0.5
                continue
            Xn = prox(X, t, GY)
            r = ratio(X, Y, Xn, G, GY, t)
            if not r <= _ACCEPT:
                t *= _TARGET / r if np.isfinite(r) else 0.5
                continue
            Gn = _eval(grad, Xn, k, strict=False)
            evals += 1
            if Gn is None:
                t *= 0.5
                continue
            break
        else:
            break  # the step collapsed: give up honestly (converged=False)
        if not np.any(Y != X):
            break  # fixed point to machine precision although residual >= tol: stalled
        X, G = Xn, Gn
        k += 1
        res = _residual(X, G)
        t *= min(_GROW, _TARGET / r) if r > 0 else _GROW
    return SolverResult(X, bool(res < tol), k, res, method, evals)


def _log_normalise(L: np.ndarray) -> np.ndarray:
    top = np.max(L, axis=1, keepdims=True)
    return L - (top + np.log(np.sum(np.exp(L - top), axis=1, keepdims=True)))


def _safe_log(X: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(X, np.finfo(float).smallest_subnormal))


def _kl(A: np.ndarray, B: np.ndarray) -> float:
    """Sum of the row-wise KL(a || b) = sum_j b_j h(log(a_j/b_j)), h(v) = v e^v - e^v + 1.

    ``h`` is evaluated with a series for small ``|v|`` to avoid cancellation, so
    the divergence of nearby points is accurate (it is of order ``|a - b|^2``).
    """
    v = _safe_log(A) - _safe_log(B)
    small = np.abs(v) < 1e-3
    vs = np.where(small, v, 0.0)
    series = vs * vs * (0.5 + vs * (1.0 / 3.0 + vs * (0.125 + vs / 30.0)))
    vb = np.where(small, 0.0, v)
    direct = vb * np.exp(vb) - np.expm1(vb)
    return float(np.sum(B * np.where(small, series, direct)))


def mirror_descent(
    grad: GradFn,
    W0: object,
    *,
    step: float | None = None,
    tol: float = 1e-12,
    max_iter: int = 200_000,
) -> SolverResult:
    """Entropic mirror-prox (exponentiated-gradient extragradient).

    Each iteration, row by row::

        Y  ∝ X * exp(t * grad(X))
        X' ∝ X * exp(t * grad(Y))

    computed in the log domain, so iterates stay strictly positive: this
    suits entropic utilities (``- beta KL(w || p)``) whose gradient has a log
    barrier.  The step is backtracked until the mirror-prox condition
    (Nemirovski 2004)::

        t <grad(X) - grad(Y), Y - X'> <= rho (KL(X' || Y) + KL(Y || X)),

    holds with ``rho = 2 r^2 / (1 + r^2)``, ``r = 0.9`` (``rho ~ 0.895 < 1``;
    this is the Euclidean test ``t ||dF|| <= 0.9 ||dX||`` transcribed to the
    Bregman setting), which makes every iteration Fejer-monotone in KL for a
    monotone game; ``t`` is then rescaled as in :func:`extragradient`.  A
    trial where ``grad`` is not finite is rejected and the step halved.
    Equilibria on the boundary are only approached asymptotically (weights
    decay geometrically), so prefer :func:`extragradient` there.

    Parameters
    ----------
    grad : callable
        ``grad(W) -> (N, D)``.
    W0 : array_like, shape (N, D)
        Starting profile, on the simplex with all entries ``> 0``.
    step : float, optional
        Initial trial step (default 1); still adapted.
    tol : float, optional
        Stop when the KKT residual is ``< tol`` (default ``1e-12``).
    max_iter : int, optional
        Iteration cap (default 200 000).

    Returns
    -------
    SolverResult

    Examples
    --------
    ``U_i = <a_i, w_i> - KL(w_i || p)`` has equilibrium ``w_i ∝ p exp(a_i)``:

    >>> a = np.array([[1.0, 0.0], [0.0, 0.5]])
    >>> grad = lambda W: a - (np.log(W / 0.5) + 1.0)
    >>> res = mirror_descent(grad, np.full((2, 2), 0.5))
    >>> res.converged
    True
    >>> np.allclose(res.weights, np.exp(a) / np.exp(a).sum(1, keepdims=True), atol=1e-12)
    True
    """
    t = _options(step, tol, max_iter)
    X = _start(W0, positive=True)

    def prox(X: np.ndarray, t: float, G: np.ndarray) -> np.ndarray:
        return np.exp(_log_normalise(_safe_log(X) + t * G))

    def ratio(X, Y, Xn, G, GY, t) -> float:
        # Bregman test of mirror-prox: t <F(Y) - F(X), Y - X'> <= rho (KL(X'|Y) + KL(Y|X))
        # with rho = 2 r^2 / (1 + r^2); report r, comparable with the Euclidean ratio.
        bregman = _kl(Xn, Y) + _kl(Y, X)
        if bregman <= 0.0:
            return 0.0
        dG = G - GY
        rho = t * float(np.sum((dG - dG.mean(axis=1, keepdims=True)) * (Y - Xn))) / bregman
        if rho <= 0.0:
            return 0.0
        return float(np.sqrt(rho / (2.0 - rho))) if rho < 2.0 else np.inf

    return _extra_loop(grad, X, t, tol, max_iter, prox, ratio, "mirror_descent")


_METHODS = {"extragradient": extragradient, "mirror_descent": mirror_descent}


def solve(
    grad: GradFn,
    n_agents: int,
    n_groups: int,
    *,
    method: str = "extragradient",
    W0: object = None,
    tol: float = 1e-12,
    step: float | None = None,
    max_iter: int = 200_000,
) -> SolverResult:
    """Find an equilibrium of the game given by ``grad``.

    Parameters
    ----------
    grad : callable
        ``grad(W) -> (n_agents, n_groups)``, own-gradients of the utilities.
    n_agents, n_groups : int
        ``N >= 1`` and ``D >= 1``.
    method : {"extragradient", "mirror_descent"}, optional
        See :func:`extragradient` and :func:`mirror_descent`.
    W0 : array_like, shape (N, D), optional
        Start; default the uniform profile ``1/D``.
    tol, step, max_iter : optional
        Passed to the method.

    Returns
    -------
    SolverResult

    Examples
    --------
    >>> p = np.array([[0.7, 0.3], [0.4, 0.6]])
    >>> res = solve(lambda W: -(W - p), 2, 2)
    >>> res.converged, np.allclose(res.weights, p, atol=1e-12)
    (True, True)
    """
    for name, value in (("n_agents", n_agents), ("n_groups", n_groups)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InputError(name, value, "must be a positive integer")
    if not isinstance(method, str) or method not in _METHODS:
        raise InputError("method", method, f"must be one of {sorted(_METHODS)}")
    if W0 is None:
        W0 = np.full((int(n_agents), int(n_groups)), 1.0 / int(n_groups))
    else:
        validate_simplex_point(W0, "W0", shape=(int(n_agents), int(n_groups)))
    scale = gradient_scale(grad, np.asarray(W0, dtype=float))
    if scale == 1.0:
        return _METHODS[method](grad, W0, step=step, tol=tol, max_iter=max_iter)
    res = _METHODS[method](lambda W: np.asarray(grad(W), dtype=float) / scale, W0, step=step, tol=tol,
                           max_iter=max_iter)
    return replace(res, method=f"{res.method} (gradient scaled by 1/{scale:.3g})")


_SCALE_RANGE = (1e-6, 1e6)


def gradient_scale(grad: GradFn, W0: np.ndarray) -> float:
    """The size of ``grad`` (largest finite entry at ``W0`` and at the pure profiles), or 1 if it is moderate.

    Dividing the gradient by a positive number changes no equilibrium (the KKT conditions are positively
    homogeneous in it), so a game whose payoffs are of size 1e99 or 1e-99 is solved as one of size 1, with
    the stopping tolerance meant relative to that size.  Sizes within ``[1e-6, 1e6]`` are left alone (1).

    Examples
    --------
    >>> gradient_scale(lambda W: 1e99 * (0.5 - W), np.full((2, 2), 0.5))
    5e+98
    >>> gradient_scale(lambda W: 0.5 - W, np.full((2, 2), 0.5))
    1.0
    """
    n, d = W0.shape
    points = [W0] + [np.tile(np.eye(d)[k], (n, 1)) for k in range(d)]
    top = 0.0
    with np.errstate(all="ignore"):
        for X in points:
            try:
                G = np.asarray(grad(X.copy()), dtype=float)
            except (ArithmeticError, ValueError):
                continue
            finite = np.abs(G[np.isfinite(G)]) if G.shape == X.shape else np.empty(0)
            top = max(top, float(finite.max())) if finite.size else top
    return top if top > 0 and not _SCALE_RANGE[0] <= top <= _SCALE_RANGE[1] else 1.0

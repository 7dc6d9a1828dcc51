"""Independent numerical checks that a profile is an equilibrium.

A game with ``N`` agents over ``D`` groups is given only through plain
callables on profiles ``W`` of shape ``(N, D)`` (row ``i`` is agent ``i``'s
point of the simplex):

* ``grad(W) -> (N, D)``: row ``i`` is the gradient of ``U_i`` with respect to
  agent ``i``'s own weights;
* ``utility(W) -> (N,)``: the utilities ``U_i(W)``.

Nothing here calls a solver: the checks are meant to confirm closed forms
and solver output independently.

Two complementary certificates are provided:

* :func:`kkt_residual` -- the natural residual of the variational
  inequality, ``max_i || w_i - Proj(w_i + g_i) ||_inf``.  For concave
  utilities it is zero exactly at the equilibria.
* :func:`best_deviation_gain` / :func:`max_deviation_gain` -- how much an
  agent can gain by moving alone (found by projected gradient ascent plus
  an evaluation of every vertex), which does not rely on first-order
  conditions.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from symalign.errors import InputError, ShapeError
from symalign.numeric.simplex import is_on_simplex, project

__all__ = [
    "kkt_residual",
    "kkt_residual_per_agent",
    "best_deviation_gain",
    "max_deviation_gain",
    "is_equilibrium",
    "ascend",
    "agent_problem",
]

GradFn = Callable[[np.ndarray], np.ndarray]
UtilityFn = Callable[[np.ndarray], np.ndarray]


def _profile(W: object, *, batched: bool) -> np.ndarray:
    try:
        arr = np.asarray(W, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError("W", W, f"cannot be converted to a float array ({exc})") from None
    if arr.ndim != 2 and not (batched and arr.ndim >= 2):
        want = "(N, D) or (..., N, D)" if batched else "(N, D)"
        raise ShapeError("W", W, f"must have shape {want}, got {arr.shape}")
    if arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ShapeError("W", W, f"needs N >= 1 agents and D >= 1 groups, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError("W", W, "must be finite (no NaN or infinity)")
    return arr


def _call(
    fn: Callable,
    name: str,
    W: np.ndarray,
    shape: tuple[int, ...],
    *,
    allow_neg_inf: bool = False,
    allow_non_finite: bool = False,
) -> np.ndarray:
    out = np.asarray(fn(W.copy()), dtype=float)
    if out.shape != shape:
        raise ShapeError(f"{name}(W)", out, f"must return shape {shape} for W of shape {W.shape}, got {out.shape}")
    if allow_non_finite:
        return out
    bad = np.isnan(out) | (out == np.inf) if allow_neg_inf else ~np.isfinite(out)
    if np.any(bad):
        raise InputError(f"{name}(W)", out, "returned non-finite values")
    return out


def kkt_residual_per_agent(grad: GradFn, W: object) -> np.ndarray:
    """Natural VI residual of each agent, ``|| w_i - Proj(w_i + g_i) ||_inf``.

    Parameters
    ----------
    grad : callable
        ``grad(W)`` returns the own-gradients, same shape as ``W``.
    W : array_like, shape (N, D) or (..., N, D)
        Profile(s); a leading batch is passed to ``grad`` in one call.

    Returns
    -------
    numpy.ndarray, shape (N,) or (..., N)

    Examples
    --------
    >>> grad = lambda W: -(W - np.array([[0.2, 0.8], [0.5, 0.5]]))
    >>> kkt_residual_per_agent(grad, [[0.2, 0.8], [1.0, 0.0]])
    array([0. , 0.5])
    """
    arr = _profile(W, batched=True)
    g = _call(grad, "grad", arr, arr.shape)
    return np.max(np.abs(arr - project(arr + g)), axis=-1)


def kkt_residual(grad: GradFn, W: object) -> float | np.ndarray:
    """Largest natural residual over agents (zero iff ``W`` solves the VI).

    For a game whose utilities are concave in the agent's own weights this
    is zero exactly at the Nash equilibria.  The residual uses step 1, i.e.
    ``max_i || w_i - Proj_simplex(w_i + grad_i(W)) ||_inf``.

    Parameters
    ----------
    grad : callable
        ``grad(W)`` returns the own-gradients, same shape as ``W``.
    W : array_like, shape (N, D) or (B, N, D)

    Returns
    -------
    float, or numpy.ndarray of shape (B,) for a batch.

    Examples
    --------
    >>> target = np.array([[0.2, 0.8], [0.5, 0.5]])
    >>> grad = lambda W: -(W - target)
    >>> kkt_residual(grad, target)
    0.0
    >>> kkt_residual(grad, np.stack([target, [[1.0, 0.0], [0.5, 0.5]]]))
    array([0. , 0.8])
    """
    per = kkt_residual_per_agent(grad, W)
    out = np.max(per, axis=-1)
    return float(out) if out.ndim == 0 else out


def _agent_fns(utility: UtilityFn, grad: GradFn, W: np.ndarray, i: int):
    n, d = W.shape

    def with_row(x: np.ndarray) -> np.ndarray:
        V = W.copy()
        V[i] = x
        return V

    def u(x: np.ndarray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = _call(utility, "utility", with_row(x), (n,), allow_non_finite=True)
        if np.isnan(out[i]):  # e.g. 0 * log 0 on the boundary: the continuous extension, from just inside
            inner = (1 - 1e-12) * x + 1e-12 / x.size
            out = _call(utility, "utility", with_row(inner), (n,), allow_neg_inf=True)
        if out[i] == np.inf or np.isnan(out[i]):
            raise InputError("utility(W)", out, "returned non-finite values")
        return float(out[i])

    def g(x: np.ndarray) -> np.ndarray:  # may be non-finite (log barriers); checked by caller
        return _call(grad, "grad", with_row(x), (n, d), allow_non_finite=True)[i]

    return u, g


def ascend(u, g, x0: np.ndarray, tol: float, max_iter: int) -> tuple[float, np.ndarray]:
    """Projected gradient ascent with backtracking on one agent's simplex.

    A trial ``y = Proj(x + t g(x))`` is accepted when
    ``g(y).(y - x) >= 0.1 |y - x|^2 / t``.  For a concave ``u`` this
    certifies a sufficient increase, since ``u(y) - u(x) >= g(y).(y - x)``
    (the derivative along the segment is non-increasing), and it holds for
    every ``t <= 0.9 / L``.  Unlike a test on function values it stays
    meaningful when the change in ``u`` is below rounding, so the ascent can
    drive the natural residual down to ``tol`` (or to the rounding floor
    ``8 eps (1 + |g|)``).  Gradients are centred (their component along
    ``1`` is irrelevant on the simplex) before the dot product, so rounding
    in ``sum(y - x)`` does not pollute the test.  ``t`` is halved on
    rejection and doubled after acceptance.  Returns the best value seen and
    its point.
    """
    x = project(x0)
    gx = g(x)
    if not np.all(np.isfinite(gx)):  # e.g. a log barrier at the boundary: start inside
        x = np.full_like(x, 1.0 / x.size)
        gx = g(x)
        if not np.all(np.isfinite(gx)):
            raise InputError("grad(W)", gx, "returned non-finite values at the uniform point")
    fx = u(x)
    best_f, best_x = fx, x
    t = 1.0
    for _ in range(max_iter):
        floor = 8 * np.finfo(float).eps * (1.0 + np.max(np.abs(gx)))
        if np.max(np.abs(x - project(x + gx))) <= max(tol, floor):
            break
        for _ in range(80):
            y = project(x + t * gx)
            d = y - x
            gy = g(y)
            if np.all(np.isfinite(gy)) and (gy - gy.mean()) @ d >= 0.1 * (d @ d) / t:
                break
            t *= 0.5
        else:
            break  # no certified step: at the limit of floating point
        if not np.any(d):
            break
        x, gx = y, gy
        fx = u(x)
        if fx > best_f:
            best_f, best_x = fx, x
        t *= 2.0
    return best_f, best_x


def agent_problem(utility: UtilityFn, grad: GradFn, W: object, i: int):
    """Agent ``i``'s own problem at ``W``: ``(profile, u, g, u(w_i))`` with ``u, g`` functions of ``w_i``."""
    arr = _profile(W, batched=False)
    n = arr.shape[0]
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
        raise InputError("i", i, f"must be an agent index in [0, {n})")
    u, g = _agent_fns(utility, grad, arr, int(i))
    return arr, u, g, u(arr[i])


def best_deviation_gain(
    utility: UtilityFn,
    grad: GradFn,
    W: object,
    i: int,
    *,
    concave: bool = True,
    tol: float = 1e-14,
    max_iter: int = 20_000,
) -> tuple[float, np.ndarray]:
    """Largest gain agent ``i`` can obtain by changing ``w_i`` alone.

    With ``concave=True`` the function ``U_i(., W_-i)`` is maximised over the
    simplex by projected gradient ascent with backtracking, started at
    ``w_i`` and run until the natural residual is below ``tol``; all ``D``
    vertices are evaluated as well and the best candidate wins.  With
    ``concave=False`` (utilities linear in the own weights, e.g. bimatrix
    games, where the best response is attained at a vertex) only the
    vertices are evaluated.

    Parameters
    ----------
    utility : callable
        ``utility(W) -> (N,)``.
    grad : callable
        ``grad(W) -> (N, D)``; unused when ``concave=False``.
    W : array_like, shape (N, D)
        Profile at which to evaluate.
    i : int
        Agent index.
    concave : bool, optional
        See above (default True).
    tol, max_iter : optional
        Stopping rule of the ascent.

    Returns
    -------
    gain : float
        ``U_i(w_best, W_-i) - U_i(W)``, the raw difference: it can be a tiny
        negative number from rounding; a clearly positive value means ``W``
        is not an equilibrium.
    w_best : numpy.ndarray, shape (D,)
        The best deviation found.

    Examples
    --------
    >>> target = np.array([[0.2, 0.8], [0.5, 0.5]])
    >>> utility = lambda W: -0.5 * np.sum((W - target) ** 2, axis=-1)
    >>> grad = lambda W: -(W - target)
    >>> gain, w = best_deviation_gain(utility, grad, [[1.0, 0.0], [0.5, 0.5]], 0)
    >>> round(gain, 12), np.round(w, 12)
    (0.64, array([0.2, 0.8]))
    """
    arr, u, g, u0 = agent_problem(utility, grad, W, i)
    d = arr.shape[1]
    best_f, best_x = -np.inf, arr[i].copy()
    if concave:
        best_f, best_x = ascend(u, g, arr[i], tol, max_iter)
    for j in range(d):
        e = np.zeros(d)
        e[j] = 1.0
        fj = u(e)
        if fj > best_f:
            best_f, best_x = fj, e
    return best_f - u0, np.array(best_x, dtype=float)


def max_deviation_gain(utility: UtilityFn, grad: GradFn, W: object, concave: bool = True) -> float:
    """Largest unilateral deviation gain over all agents.

    See :func:`best_deviation_gain`.

    Examples
    --------
    >>> target = np.array([[0.2, 0.8], [0.5, 0.5]])
    >>> utility = lambda W: -0.5 * np.sum((W - target) ** 2, axis=-1)
    >>> grad = lambda W: -(W - target)
    >>> max_deviation_gain(utility, grad, target)
    0.0
    """
    arr = _profile(W, batched=False)
    return max(best_deviation_gain(utility, grad, arr, i, concave=concave)[0] for i in range(arr.shape[0]))


def is_equilibrium(
    utility: UtilityFn,
    grad: GradFn,
    W: object,
    *,
    tol: float = 1e-9,
    concave: bool = True,
) -> bool:
    """Whether ``W`` is an equilibrium up to ``tol``.

    Requires all three: every row of ``W`` is on the simplex (to ``tol``),
    :func:`kkt_residual` ``<= tol`` and :func:`max_deviation_gain`
    ``<= tol``.

    Examples
    --------
    >>> target = np.array([[0.2, 0.8], [0.5, 0.5]])
    >>> utility = lambda W: -0.5 * np.sum((W - target) ** 2, axis=-1)
    >>> grad = lambda W: -(W - target)
    >>> is_equilibrium(utility, grad, target)
    True
    >>> is_equilibrium(utility, grad, [[0.3, 0.7], [0.5, 0.5]])
    False
    """
    arr = _profile(W, batched=False)
    if not np.all(is_on_simplex(arr, atol=tol)):
        return False
    if kkt_residual(grad, arr) > tol:
        return False
    return max_deviation_gain(utility, grad, arr, concave=concave) <= tol

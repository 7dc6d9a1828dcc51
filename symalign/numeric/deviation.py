"""Best unilateral deviation, global over the simplex when the utility is not concave.

:func:`symalign.numeric.check.best_deviation_gain` maximises one agent's
utility by projected gradient ascent from its current weights, which finds
the best response when the utility is concave in own weights.  Where
concavity is refuted or unknown a local ascent can stop at a local maximum
(or the starting point may even be a minimum), so :func:`global_deviation_gain`
runs the same ascent from many starts: the current weights, every vertex,
the centroid of every face (every edge midpoint for larger ``D``) and
seeded random points of the simplex.  The best value found is a *lower
bound* on the true best gain (exact when the utility is concave); a
positive value is a witness that the profile is not an equilibrium.

Like :mod:`symalign.numeric.check`, nothing here calls an equilibrium
solver: the game is seen only through ``utility(W)`` and ``grad(W)``.
:func:`deviation_gain` and :func:`kkt_residual` bridge a
:class:`~symalign.core.game.Game` and an
:class:`~symalign.core.equilibrium.Equilibrium` to these checkers; the
deviation search is global unless own-concavity is proved
(:func:`symalign.core.concavity.own_concavity`).

Examples
--------
>>> from symalign import Game, get_family
>>> from symalign.core.equilibrium import Equilibrium
>>> g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
>>> half = sp.Rational(1, 2)
>>> deviation_gain(g, Equilibrium(g, sp.ImmutableMatrix([[half, half]] * 2), ()))
0.0
>>> deviation_gain(g, Equilibrium(g, sp.ImmutableMatrix([[1, 0], [1, 0]]), ()))
2.0
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import sympy as sp

from symalign.errors import InputError
from symalign.numeric import check
from symalign.numeric.check import _profile, agent_problem, ascend, best_deviation_gain
from symalign.core.quadratic import quadratic_utilities
from symalign.numeric.cache import numeric

__all__ = ["global_deviation_gain", "deviation_gains", "deviation_gain", "kkt_residual", "check_profile", "DEVIATION_TOL"]

DEVIATION_TOL = 1e-9
"""Largest deviation gain (absolute, after scaling by ``1 + |U|``) accepted for an equilibrium."""


def _starts(w: np.ndarray, n_random: int, seed: int) -> list:
    D = w.size
    pts = [w.copy()]
    eye = np.eye(D)
    pts += list(eye)
    if D <= 6:
        for k in range(2, D + 1):
            for face in itertools.combinations(range(D), k):
                p = np.zeros(D)
                p[list(face)] = 1.0 / k
                pts.append(p)
    else:
        for a, b in itertools.combinations(range(D), 2):
            pts.append((eye[a] + eye[b]) / 2)
    rng = np.random.default_rng(seed)
    pts += list(rng.dirichlet(np.ones(D), size=n_random))
    return pts


def global_deviation_gain(utility, grad, W, i: int, *, n_random: int = 16, seed: int = 0,
                          tol: float = 1e-13, max_iter: int = 2000) -> tuple[float, np.ndarray]:
    """Largest gain agent ``i`` can find by changing ``w_i`` alone, multi-start.

    Parameters
    ----------
    utility, grad : callable
        ``utility(W) -> (N,)`` and ``grad(W) -> (N, D)`` (own gradients).
    W : array_like, shape (N, D)
    i : int
        Agent index.
    n_random : int
        Random starts besides the current weights, vertices and face centroids.
    seed : int
        Seed for the random starts (deterministic).

    Returns
    -------
    gain : float
        ``max U_i(x, W_-i) - U_i(W)`` over the points reached (a lower bound
        on the true best gain).
    w_best : numpy.ndarray

    Examples
    --------
    A convex utility: the centre is the agent's worst point, and local
    ascent from it does not move; the multi-start search finds a vertex.

    >>> utility = lambda W: np.sum(W ** 2, axis=-1)
    >>> grad = lambda W: 2 * W
    >>> centre = np.full((1, 3), 1 / 3)
    >>> gain, w = global_deviation_gain(utility, grad, centre, 0)
    >>> round(gain, 12), w.tolist()
    (0.666666666667, [1.0, 0.0, 0.0])
    """
    arr, u, g, u0 = agent_problem(utility, grad, W, i)
    best_f, best_x = u0, arr[i].copy()
    for x0 in _starts(arr[i], n_random, seed):
        f0 = u(x0)
        if f0 > best_f:
            best_f, best_x = f0, x0
        f, x = ascend(u, g, x0, tol, max_iter)
        if f > best_f:
            best_f, best_x = f, x
    return best_f - u0, np.array(best_x, dtype=float)


def deviation_gains(utility, grad, W, *, concave: bool, **options) -> tuple[np.ndarray, str]:
    """Best deviation gain of every agent, and how it was searched.

    ``concave=True`` (own-concavity proved): one ascent from the current
    weights plus the vertices (:func:`~symalign.numeric.check.best_deviation_gain`),
    which finds the best response.  Otherwise :func:`global_deviation_gain`.

    Returns
    -------
    gains : numpy.ndarray, shape (N,)
    method : str
        ``"ascent (concave)"`` or ``"multi-start ascent (not known concave)"``.

    Examples
    --------
    >>> utility = lambda W: -np.sum((W - 0.5) ** 2, axis=-1)
    >>> grad = lambda W: -2 * (W - 0.5)
    >>> gains, how = deviation_gains(utility, grad, [[0.5, 0.5]], concave=True)
    >>> gains.tolist(), how
    ([0.0], 'ascent (concave)')
    """
    arr = _profile(W, batched=False)
    if concave:
        out = [best_deviation_gain(utility, grad, arr, i)[0] for i in range(arr.shape[0])]
        return np.array(out), "ascent (concave)"
    out = [global_deviation_gain(utility, grad, arr, i, **options)[0] for i in range(arr.shape[0])]
    return np.array(out), "multi-start ascent (not known concave)"


def deviation_gain(game, eq) -> float:
    """Largest unilateral deviation gain at ``eq`` in ``game``, global unless own-concavity is proved.

    Entropic terms ``w log w`` are evaluated where they take their limit 0
    (just inside the simplex).
    """
    from symalign.core.concavity import own_concavity

    if not game.is_numeric:
        raise InputError("game", game, "the deviation gain needs a numeric game")
    ng = numeric(game)
    has_log = ng.entropic or (quadratic_utilities(game) is None  # polynomials have no log
                              and any(game.utility(i).has(sp.log) for i in range(game.n_agents)))
    inside = (lambda fn: (lambda W: fn(np.maximum(W, 1e-300)))) if has_log else (lambda fn: fn)
    gains, _ = deviation_gains(inside(ng.utility), inside(ng.grad), eq.as_array(),
                               concave=own_concavity(game).status == "proved")
    return float(np.max(gains))


def check_profile(eq, ng, concav):
    """``eq`` with its independent checks filled in: residual, deviation gain, concavity, and the exact
    checker's verdict (:func:`symalign.certify.check_equilibrium`, which alone makes it ``certified``).

    ``ng`` is the game's :func:`~symalign.numeric.compile.numeric_game`, ``concav``
    its :func:`~symalign.core.concavity.own_concavity`.
    """
    from symalign.certify import check_equilibrium

    verdict = check_equilibrium(eq.game, eq.weights) if eq.exact else None
    W = eq.as_array()
    gains, how = deviation_gains(ng.utility, ng.grad, W, concave=concav.status == "proved")
    r = float(check.kkt_residual(ng.grad, W)) if np.all(np.isfinite(ng.grad(W))) else None
    return replace(eq, residual=r if eq.residual is None else eq.residual, concavity=concav.status,
                   deviation_gain=float(np.max(gains)), deviation_method=how, certificate=verdict)


def kkt_residual(game, eq) -> float:
    """Natural KKT residual of ``eq`` (:func:`symalign.numeric.check.kkt_residual`)."""
    return float(check.kkt_residual(numeric(game).grad, eq.as_array()))

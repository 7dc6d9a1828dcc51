"""The best unilateral deviation gain of an exact or numeric profile of a game, by the independent checker.

A thin bridge from a :class:`~symalign.core.game.Game` and an
:class:`~symalign.core.equilibrium.Equilibrium` to
:func:`symalign.numeric.check.max_deviation_gain` (projected ascent from the
profile plus every vertex of each agent's simplex), which shares no code with
any derivation.  Entropic terms ``w log w`` are evaluated just inside the
simplex, where they take their limit 0.

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

import numpy as np
import sympy as sp

from symalign.errors import InputError
from symalign.numeric import check
from symalign.numeric.compile import numeric_game

__all__ = ["deviation_gain", "kkt_residual"]


def deviation_gain(game, eq) -> float:
    """Largest unilateral deviation gain at ``eq`` (projected ascent from the profile and every vertex)."""
    if not game.is_numeric:
        raise InputError("game", game, "the deviation gain needs a numeric game")
    ng = numeric_game(game)
    has_log = ng.entropic or any(game.utility(i).has(sp.log) for i in range(game.n_agents))
    inside = (lambda fn: (lambda W: fn(np.maximum(W, 1e-300)))) if has_log else (lambda fn: fn)
    return float(check.max_deviation_gain(inside(ng.utility), inside(ng.grad), eq.as_array(), concave=True))


def kkt_residual(game, eq) -> float:
    """Natural KKT residual of ``eq`` (:func:`symalign.numeric.check.kkt_residual`)."""
    return float(check.kkt_residual(numeric_game(game).grad, eq.as_array()))

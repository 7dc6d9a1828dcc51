"""Numeric games for solving and checking, cached by the game's content (warm solves in milliseconds).

:func:`numeric` gives a :class:`~symalign.numeric.compile.NumericGame`
(float ``grad`` and ``utility`` callables) for a numeric game:

* from the family's exact quadratic utilities when it provides them
  (:mod:`symalign.core.quadratic`: sparse arrays, nothing compiled);
* otherwise compiled by :func:`~symalign.numeric.compile.numeric_game`
  (lambdify).

Both are kept in a content-keyed LRU (:class:`~symalign.core.gamecache.GameCache`,
keyed by family, shape and exact parameter values), so a game loaded again
from its file reuses what was built for an equal game.  Only the game's
callables are cached, never a result: every solve still runs all its checks.

Examples
--------
>>> from symalign import Game, get_family
>>> make = lambda: Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
...                            alpha=1, beta=2, gamma=1, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> numeric(make()) is numeric(make())
True
>>> numeric(make()).grad([[0.5, 0.5], [0.5, 0.5]]).tolist()
[[0.5, -0.5], [-0.5, 0.5]]
"""

from __future__ import annotations

from symalign.core.gamecache import GameCache
from symalign.core.quadratic import quadratic_utilities
from symalign.numeric.compile import NumericGame, numeric_game

__all__ = ["numeric", "CACHE"]


def numeric(game) -> NumericGame:
    """The game's float callables, from its quadratic utilities or compiled (cached by content)."""
    return CACHE.get(game, _build)


def _build(game) -> NumericGame:
    q = quadratic_utilities(game)
    if q is None:
        return numeric_game(game)
    return NumericGame(game.n_agents, game.n_groups, q.grad, q.utility, concave=game.family.strictly_concave)


CACHE = GameCache(maxsize=16)
"""Content-keyed LRU of :func:`numeric` (``CACHE.info()``, ``CACHE.clear()``)."""

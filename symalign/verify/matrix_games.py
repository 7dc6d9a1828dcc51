"""Hypothesis strategies for finite games: polymatrix and bimatrix games.

Games linear in each agent's own weights (mixed extensions of finite
games), with exact rational payoffs from :func:`symalign.verify.rational_points.rationals`.
Its strategies, :func:`polymatrix_games` (``U_i = sum_{j != i} w_i^T A_ij w_j``
for ``N >= 2`` agents) and :func:`bimatrix_games` (two-player games ``(A, B)``,
optionally zero-sum), are re-exported and documented by :mod:`symalign.verify.strategies`.
"""

from __future__ import annotations

from numbers import Integral

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from symalign.errors import InputError
from symalign.core.families import get_family
from symalign.core.game import Game
from symalign.verify.rational_points import check_denominator, int_or_strategy, rationals

__all__ = [
    "polymatrix_games",
    "bimatrix_games",
]


def polymatrix_games(
    n_agents=2,
    n_actions=st.integers(2, 3),
    *,
    payoff_bound: int = 5,
    max_denominator: int = 1,
) -> SearchStrategy:
    """Polymatrix games ``U_i = sum_{j != i} w_i^T A_ij w_j`` with exact payoffs.

    Parameters
    ----------
    n_agents : int or SearchStrategy of int, optional
        ``N >= 2`` (default 2).
    n_actions : int or SearchStrategy of int, optional
        Actions (groups) per agent, ``>= 2`` (default 2 or 3).  Keep
        ``(2^D - 1)^N`` small if the games go to support enumeration.
    payoff_bound : int, optional
        Payoffs lie in ``[-payoff_bound, payoff_bound]`` (default 5).
    max_denominator : int, optional
        Largest payoff denominator (default 1: integer payoffs, which makes
        degenerate games common; raise it for generic games).

    Returns
    -------
    SearchStrategy of Game

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(polymatrix_games(3, 2))
    ... def check(game):
    ...     assert game.family.label == "polymatrix" and game.n_agents == 3
    ...     assert all(x.is_Integer and abs(x) <= 5 for blocks in game.param("A") for blk in blocks for x in blk)
    >>> check()
    """
    n_agents_st = int_or_strategy(n_agents, "n_agents", 2)
    n_actions_st = int_or_strategy(n_actions, "n_actions", 2)
    payoff = _payoffs(payoff_bound, max_denominator)
    return _draw_polymatrix_game(n_agents_st, n_actions_st, payoff)


@st.composite
def _draw_polymatrix_game(draw, n_agents_st, n_actions_st, payoff):
    N, D = draw(n_agents_st), draw(n_actions_st)
    blocks = [[None if i == j else _matrix(draw, payoff, D) for j in range(N)] for i in range(N)]
    return Game.create(get_family("polymatrix"), N, D, A=blocks)


def bimatrix_games(n_actions=st.integers(2, 4), *, zero_sum: bool = False, payoff_bound: int = 5,
                   max_denominator: int = 1) -> SearchStrategy:
    """Two-player games with payoff matrices ``A`` (row) and ``B`` (column), D x D.

    Parameters
    ----------
    n_actions : int or SearchStrategy of int, optional
        Actions per player (default 2 to 4).
    zero_sum : bool, optional
        ``B = -A``.
    payoff_bound, max_denominator : int, optional
        As in :func:`polymatrix_games`.

    Returns
    -------
    SearchStrategy of Game
        A ``polymatrix`` game with ``N = 2`` built from ``{"A": A, "B": B}``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(bimatrix_games(2, zero_sum=True))
    ... def check(game):
    ...     A = game.param("A")
    ...     assert A[0][1] == -A[1][0].T   # row payoffs are minus column payoffs
    >>> check()
    """
    n_actions_st = int_or_strategy(n_actions, "n_actions", 2)
    payoff = _payoffs(payoff_bound, max_denominator)
    return _draw_bimatrix_game(n_actions_st, payoff, bool(zero_sum))


@st.composite
def _draw_bimatrix_game(draw, n_actions_st, payoff, zero_sum):
    D = draw(n_actions_st)
    A = _matrix(draw, payoff, D)
    B = [[-x for x in row] for row in A] if zero_sum else _matrix(draw, payoff, D)
    return Game.create(get_family("polymatrix"), 2, D, A={"A": A, "B": B})


def _payoffs(bound, max_denominator) -> SearchStrategy:
    if isinstance(bound, bool) or not isinstance(bound, Integral) or bound < 0:
        raise InputError("payoff_bound", bound, "must be an integer >= 0")
    return rationals(-bound, bound, check_denominator(max_denominator))


def _matrix(draw, payoff, D) -> list:
    return [[draw(payoff) for _ in range(D)] for _ in range(D)]

"""Support enumeration of bimatrix games equals an established library on random nondegenerate games.

The reference is Nashpy's vertex enumeration.  Nashpy's own support
enumeration is *not* used: on a 4 x 4 game with payoffs in -9..9
(``test_nashpy_support_enumeration_misses_one``) it returns 2 of the 3
equilibria (warning "even number of equilibria"), while vertex enumeration
and symalign both find 3, each of which passes symalign's exact KKT check.
"""

import nashpy
import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.core.kkt import kkt_violations
from symalign.numeric.solve import solve


def _random_game(rng, n):
    A = rng.integers(-999, 1000, size=(n, n))
    B = rng.integers(-999, 1000, size=(n, n))
    return A, B


def _canon(profiles):
    return sorted(tuple(np.round(np.concatenate(p), 9)) for p in profiles)


@pytest.mark.parametrize("n", [3, 4])
@pytest.mark.parametrize("seed", range(6))
def test_equilibria_equal_nashpy(n, seed):
    rng = np.random.default_rng(1000 * n + seed)
    A, B = _random_game(rng, n)
    ref = list(nashpy.Game(A, B).vertex_enumeration())
    game = Game.create(get_family("polymatrix"), 2, n, A={"A": A.tolist(), "B": B.tolist()})
    sol = solve(game)
    for eq in sol.equilibria:
        assert kkt_violations(game, eq.weights) == ()
    assert not sol.degenerate  # payoffs in -999..999: these draws are nondegenerate
    ours = [(eq.as_array()[0], eq.as_array()[1]) for eq in sol.equilibria]
    assert _canon(ours) == _canon(ref)
    assert sol.unique is (len(ref) == 1)


def test_multiple_equilibria_reported_not_unique():
    # a coordination game: two pure and one mixed equilibrium
    game = Game.create(get_family("polymatrix"), 2, ["a", "b"], A={"A": [[2, 0], [0, 1]], "B": [[1, 0], [0, 2]]})
    sol = solve(game)
    assert sol.unique is False
    assert sorted(map(tuple, (e.weights.tolist()[0] for e in sol.equilibria))) == sorted(
        [(1, 0), (0, 1), (sp.Rational(2, 3), sp.Rational(1, 3))]
    )


def test_degenerate_game_flagged():
    game = Game.create(get_family("polymatrix"), 2, ["a", "b"], A={"A": [[1, 1], [1, 1]], "B": [[1, 1], [1, 1]]})
    sol = solve(game)
    assert sol.degenerate and sol.unique is not True
    assert sol.notes and "degenerate" in sol.notes[0]


def test_nashpy_support_enumeration_misses_one():
    rng = np.random.default_rng(4000)
    A, B = rng.integers(-9, 10, size=(4, 4)), rng.integers(-9, 10, size=(4, 4))
    ref = nashpy.Game(A, B)
    with pytest.warns(RuntimeWarning):
        by_support = list(ref.support_enumeration(non_degenerate=False))
    by_vertex = list(ref.vertex_enumeration())
    sol = solve(Game.create(get_family("polymatrix"), 2, 4, A={"A": A.tolist(), "B": B.tolist()}))
    assert (len(by_support), len(by_vertex), len(sol.equilibria)) == (2, 3, 3)
    assert _canon([(e.as_array()[0], e.as_array()[1]) for e in sol.equilibria]) == _canon(by_vertex)


def test_degenerate_random_game_is_flagged():
    rng = np.random.default_rng(4001)  # integer payoffs in -9..9: ties make this draw degenerate
    A, B = rng.integers(-9, 10, size=(4, 4)), rng.integers(-9, 10, size=(4, 4))
    sol = solve(Game.create(get_family("polymatrix"), 2, 4, A={"A": A.tolist(), "B": B.tolist()}))
    assert sol.degenerate and sol.unique is not True

"""The aggregate fast path and the general KKT elimination agree (gEconpy-style registry test)."""

import itertools

import numpy as np
import pytest
import sympy as sp

from symalign import Game, derive_on_support, get_family
from symalign.core.aggregate import detect
from symalign.errors import DerivationError
from symalign.core.kkt import kkt_system


def _random_game(rng, variant, N, D):
    q = lambda lo, hi: sp.Rational(int(rng.integers(lo, hi)), 100)
    beta = [q(100, 300) for _ in range(N)]
    gamma = [q(0, 90) for _ in range(N)]
    prior = []
    for _ in range(N):
        row = [sp.Rational(int(x), 100) for x in rng.integers(1, 60, size=D - 1)]
        row = [x / (sum(row) + 1) for x in row]
        prior.append(row + [1 - sum(row)])
    return Game.create(get_family("active_alignment", variant), N, D,
                       alpha=[q(1, 200) for _ in range(N)], beta=beta, gamma=gamma,
                       a=[[q(0, 100) for _ in range(D)] for _ in range(N)], p=prior)


@pytest.mark.parametrize("variant", ["overlap", "distance"])
@pytest.mark.parametrize("seed", range(4))
def test_numeric_paths_agree_exactly(variant, seed):
    rng = np.random.default_rng(seed)
    N, D = 3, 3
    game = _random_game(rng, variant, N, D)
    kkt = kkt_system(game)
    assert detect(kkt) is not None
    supports = [(0, 1, 2), (0, 1), (1, 2), (2,)]
    for profile in itertools.islice(itertools.product(supports, repeat=N), 0, None, 7):
        fast = derive_on_support(game, profile, kkt=kkt, method="aggregate")
        slow = derive_on_support(game, profile, kkt=kkt, method="general")
        assert fast.method == "kkt-aggregate" and slow.method == "kkt-linear"
        assert fast.weights == slow.weights
        assert fast.multipliers == slow.multipliers
        assert fast.conditions == slow.conditions


def test_symbolic_paths_agree():
    """Equal as rational functions: checked exactly at random rational points (Schwartz-Zippel)."""
    game = Game.symbolic(get_family("active_alignment", "overlap"), 3, 2, homogeneous=False)
    fast = derive_on_support(game, method="aggregate")
    slow = derive_on_support(game, method="general")
    rng = np.random.default_rng(3)
    symbols = sorted(game.free_symbols(), key=str)
    for _ in range(5):
        point = {s: sp.Rational(int(rng.integers(1, 500)), int(rng.integers(1, 50))) for s in symbols}
        assert fast.weights.xreplace(point) == slow.weights.xreplace(point)
    # the two forms are not the same expression: the check is not vacuous
    assert fast.weights[0, 0] != slow.weights[0, 0]


def test_polymatrix_three_agents_is_not_aggregative():
    rng = np.random.default_rng(7)
    A = [[rng.integers(-5, 6, size=(2, 2)).tolist() for _ in range(3)] for _ in range(3)]
    game = Game.create(get_family("polymatrix"), 3, 2, A=A)
    assert detect(kkt_system(game)) is None
    with pytest.raises(DerivationError, match="not aggregative"):
        derive_on_support(game, method="aggregate")

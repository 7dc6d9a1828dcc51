"""The content-keyed cache behind warm solves: hits on equal games, never on different ones, bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from symalign import Game, get_family
from symalign.core import quadratic
from symalign.numeric import cache as numeric_cache
from symalign.core.gamecache import GameCache, content_key
from symalign.io.gamefile import load_game
from symalign.numeric.solve import solve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "interior_4x3.toml"


def _game(gamma="1/2", a0="1/2"):
    return Game.create(get_family("active_alignment", "overlap"), 3, ["x", "y", "z"], alpha=1, beta=2,
                       gamma=gamma, a=[[a0, "3/10", "1/5"], ["1/5", "1/2", "3/10"], ["1/3", "1/3", "1/3"]],
                       p=[0.4, 0.3, 0.3])


def _summary(sol):
    return (sol.unique, [(e.weights, e.multipliers, e.certified, e.deviation_gain <= 1e-9) for e in sol.equilibria])


def test_equal_games_share_a_key_and_different_parameters_do_not():
    assert content_key(_game()) == content_key(_game())
    assert content_key(_game(gamma="1/3")) != content_key(_game())
    assert content_key(_game(a0="0.5")) == content_key(_game())  # 0.5 is read exactly as 1/2
    other = Game.create(get_family("active_alignment", "distance"), 3, ["x", "y", "z"], alpha=1, beta=2,
                        gamma="1/2", a=[["1/2", "3/10", "1/5"], ["1/5", "1/2", "3/10"], ["1/3", "1/3", "1/3"]],
                        p=[0.4, 0.3, 0.3])
    assert content_key(other) != content_key(_game())  # same numbers, another family


def test_reloaded_file_hits_the_cache_and_gives_identical_results():
    _clear()
    cold = solve(load_game(EXAMPLE))
    before = quadratic.CACHE.info()
    g = load_game(EXAMPLE)
    q = quadratic.quadratic_utilities(g)
    assert quadratic.CACHE.info()["hits"] == before["hits"] + 1
    assert quadratic.quadratic_utilities(load_game(EXAMPLE)) is q
    warm = solve(g)
    assert _summary(warm) == _summary(cold)
    assert all(e.certified and e.deviation_gain is not None for e in warm.equilibria)  # still checked


def test_different_parameters_give_different_answers_after_a_warm_solve():
    _clear()
    first = solve(_game())
    second = solve(_game(gamma="3/2"))
    assert quadratic.quadratic_utilities(_game()) is not quadratic.quadratic_utilities(_game(gamma="3/2"))
    assert first.equilibria[0].weights != second.equilibria[0].weights
    assert _summary(solve(_game())) == _summary(first)


def test_the_cache_is_a_bounded_lru():
    cache = GameCache(maxsize=2)
    built = []

    def build(g):
        built.append(g)
        return len(built)

    a, b, c = _game("1/2"), _game("1/3"), _game("1/4")
    assert cache.get(a, build) == 1 and cache.get(b, build) == 2
    assert cache.get(_game("1/2"), build) == 1  # hit, and a becomes the most recent
    assert cache.get(c, build) == 3  # evicts b
    assert cache.info()["size"] == 2
    assert cache.get(_game("1/3"), build) == 4  # b was evicted: built again
    assert cache.get(_game("1/4"), build) == 3 and cache.get(_game("1/2"), build) == 5  # a was the oldest


@pytest.mark.parametrize("gamma", ["1/2", "5/2"])
def test_cold_and_warm_solves_are_identical(gamma):
    _clear()
    cold = _summary(solve(_game(gamma)))
    assert _summary(solve(_game(gamma))) == cold
    assert _summary(solve(_game(gamma))) == cold


def test_compiled_games_without_quadratic_utilities_are_cached_by_content():
    from symalign.core.families.custom import CustomFamily

    make = lambda: Game.create(CustomFamily("-sum(w[d]*log(w[d]), d) - sum(w[d]*m[d], d)/2"), 3, 3)  # noqa: E731
    _clear()
    g1, g2 = make(), make()
    ng = numeric_cache.numeric(g1)
    assert numeric_cache.numeric(g2) is ng and numeric_cache.CACHE.info()["hits"] == 1
    assert quadratic.quadratic_utilities(g1) is None  # entropy: not quadratic, compiled by lambdify
    assert _summary(solve(g1)) == _summary(solve(g2))


def _clear():
    quadratic.CACHE.clear()
    numeric_cache.CACHE.clear()

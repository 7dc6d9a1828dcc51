"""Issue 19: exact profitable deviations refute symmetric-equilibrium claims of non-concave games (Tullock r = 3)."""

from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp

import symalign
from symalign.claims.checks import check_claim
from symalign.claims.schema import load_claim
from symalign.io.gamefile import game_from_mapping
from symalign.numeric.counterexample import profitable_deviation

THEOREMS = Path(symalign.__file__).parent / "theorems" / "tullock"


def _tullock_utility(w, others, v, r):
    """Plain-Python Tullock Blotto utility in fractions (independent of SymPy and of the game compiler)."""
    return sum(v[d] * w[d] ** r / (w[d] ** r + sum(o[d] ** r for o in others)) for d in range(len(v)))


@pytest.mark.slow
def test_r3_symmetric_point_has_an_exact_profitable_deviation():
    v = (1, 2, 3)
    game = game_from_mapping({"family": "custom", "agents": 3, "groups": ["a", "b", "c"],
                              "utility": "sum(v[d]*w[d]**3/sum_agents(W[j][d]**3, j), d)",
                              "kinds": {"v": "vector"}, "parameters": {"v": list(v)}})
    x = [sp.Rational(k, 6) for k in v]
    dev = profitable_deviation(game, sp.ImmutableMatrix([x] * 3), 0)
    assert dev is not None and dev.gain > 0
    xs = [F(k, 6) for k in v]
    gain = _tullock_utility([F(str(t)) for t in dev.weights], [xs, xs], v, 3) - _tullock_utility(xs, [xs, xs], v, 3)
    assert gain == F(str(dev.gain)) and gain > 0


def test_r_half_symmetric_point_has_no_profitable_deviation():
    game = game_from_mapping({"family": "custom", "agents": 3, "groups": ["a", "b", "c"],
                              "utility": "sum(v[d]*w[d]**(1/2)/sum_agents(W[j][d]**(1/2), j), d)",
                              "kinds": {"v": "vector"}, "parameters": {"v": [1, 2, 3]}})
    x = [sp.Rational(k, 6) for k in (1, 2, 3)]
    assert profitable_deviation(game, sp.ImmutableMatrix([x] * 3), 0) is None


@pytest.mark.slow
def test_tullock_claims_come_out_as_filed():
    r3 = check_claim(load_claim(THEOREMS / "r3_symmetric_proportional.toml"), timeout=10.0)
    assert r3.status == "refuted" and r3.ok
    half = check_claim(load_claim(THEOREMS / "half_blotto_symmetric.toml"), timeout=10.0)
    assert half.status == "proved" and half.ok

"""Exact vertex enumeration of bimatrix games: vertices against brute force and cddlib, equilibria against
support enumeration, nashpy and von Stengel's 75; every profile passes exact regret."""

import itertools
from fractions import Fraction

import nashpy
import numpy as np
import pytest
import sympy as sp

from symalign.io.nfg import bimatrix, game_of, read_normal_form
from symalign.numeric import bimatrix as bimatrix_engine
from symalign.numeric import polymatrix_check
from symalign.numeric.enumerate import Component, enumerate_equilibria
from symalign.numeric.polymatrix_check import nash_violations
from symalign.numeric.polytope_vertices import cdd_available, polytope_vertices
from symalign.numeric.vertex_enumeration import NOTE, checked_extreme_equilibria, extreme_equilibria, \
    vertex_equilibrium_set
from _finite_games import SKIP_REASON, VON_STENGEL_A, VON_STENGEL_B, catalogue_files


def _brute_vertices(M):
    """Vertices of {z >= 0 : M z <= 1} by solving every d-subset of the constraints (independent route)."""
    k, d = len(M), len(M[0])
    rows = [list(r) for r in M] + [[int(i == j) for i in range(d)] for j in range(d)]
    rhs = [1] * k + [0] * d
    out = set()
    for sub in itertools.combinations(range(k + d), d):
        A = sp.Matrix([rows[r] for r in sub])
        if A.det() == 0:
            continue
        z = A.LUsolve(sp.Matrix([rhs[r] for r in sub]))
        if all(x >= 0 for x in z) and all(sum(a * x for a, x in zip(r, z)) <= 1 for r in M):
            out.add(tuple(Fraction(int(x.p), int(x.q)) for x in z))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_vertices_equal_brute_force_also_when_degenerate(seed):
    rng = np.random.default_rng(seed)
    k, d = (3, 3) if seed < 3 else (4, 3)
    M = rng.integers(1, 3 if seed % 2 else 9, (k, d)).tolist()  # odd seeds: entries 1..2, many ties (degenerate)
    pivot = polytope_vertices(M, backend="pivot")
    assert {v.point for v in pivot} == _brute_vertices(M) and len(pivot) == len({v.point for v in pivot})
    for v in pivot:  # labels are those of the exact point
        assert v.zero == {j for j in range(d) if v.point[j] == 0}
        assert v.tight == {r for r in range(k) if sum(Fraction(a) * x for a, x in zip(M[r], v.point)) == 1}
    if cdd_available():
        assert {(v.point, v.zero, v.tight) for v in polytope_vertices(M, backend="cdd")} == {
            (v.point, v.zero, v.tight) for v in pivot}


@pytest.mark.parametrize("seed", range(4))
def test_vertices_with_fraction_entries_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    M = [[Fraction(int(a), int(b)) for a, b in zip(r1, r2)]
         for r1, r2 in zip(rng.integers(1, 9, (3, 4)), rng.integers(1, 5, (3, 4)))]
    assert {v.point for v in polytope_vertices(M, backend="pivot")} == _brute_vertices(M)


def test_rational_payoffs_agree_with_support_enumeration():
    A = [["1/3", 0, "2/7"], [0, "1/2", "1/5"], ["3/4", "1/6", 0]]
    B = [[0, "2/3", "1/7"], ["5/6", 0, "1/4"], [0, "1/9", "3/5"]]
    g = _game(A, B)
    ours, theirs = enumerate_equilibria(g), enumerate_equilibria(g, engine="support")
    assert NOTE in ours.notes and ours.isolated
    assert {tuple(e.weights) for e in ours.isolated} == {tuple(e.weights) for e in theirs.isolated}


def _game(A, B):
    return bimatrix(A, B)


def _covered(W, res):
    return tuple(W) in {tuple(e.weights) for e in res.isolated} or any(c.contains(W) for c in res.components)


@pytest.mark.parametrize("seed", range(8))
def test_equilibrium_set_equals_support_enumeration(seed):
    rng = np.random.default_rng(100 + seed)
    n, high = (3, 10) if seed < 4 else (3, 2)  # seeds 4..7: payoffs in -2..2, degenerate with components
    g = _game(rng.integers(-high, high + 1, (n, n)).tolist(), rng.integers(-high, high + 1, (n, n)).tolist())
    ours, theirs = enumerate_equilibria(g), enumerate_equilibria(g, engine="support")
    assert NOTE in ours.notes and NOTE not in theirs.notes
    assert {tuple(e.weights) for e in ours.isolated} == {tuple(e.weights) for e in theirs.isolated}
    for a, b in ((ours, theirs), (theirs, ours)):
        assert all(_covered(v, b) for c in a.components for v in c.vertices)
    for e in ours.isolated:
        assert e.deviation_gain == 0 and nash_violations(g, e.weights.tolist()) == ()


def test_degenerate_seeds_include_components():
    found = []
    for seed in range(4, 8):
        rng = np.random.default_rng(100 + seed)
        g = _game(rng.integers(-2, 3, (3, 3)).tolist(), rng.integers(-2, 3, (3, 3)).tolist())
        found.append(bool(enumerate_equilibria(g).components))
    assert any(found)  # else the comparison above would not exercise components


@pytest.mark.parametrize("seed", range(4))
def test_nondegenerate_games_agree_with_nashpy(seed):
    rng = np.random.default_rng(seed)
    A, B = rng.integers(-50, 50, (5, 5)), rng.integers(-50, 50, (5, 5))
    ours = sorted(tuple(float(v) for v in x + y) for x, y in extreme_equilibria(A.tolist(), B.tolist()))
    theirs = sorted(tuple(np.round(np.concatenate(e), 12)) for e in nashpy.Game(A, B).vertex_enumeration())
    assert len(ours) == len(theirs)
    assert np.allclose(np.array(ours), np.array(theirs), atol=1e-9)


def test_von_stengel_6x6_has_75_equilibria_each_passing_exact_regret():
    g = _game(VON_STENGEL_A, VON_STENGEL_B)
    accepted, rejected = checked_extreme_equilibria(g)
    assert rejected == () and len({tuple(e.weights) for e in accepted}) == 75  # von Stengel (1999), Thm. 2
    for e in accepted:  # the exact check again, from the payoff lists (not from the game's blocks)
        x, y = [Fraction(int(v.p), int(v.q)) for v in e.weights.row(0)], [Fraction(int(v.p), int(v.q)) for v in e.weights.row(1)]
        row = [sum(a * q for a, q in zip(r, y)) for r in VON_STENGEL_A]
        col = [sum(VON_STENGEL_B[i][j] * x[i] for i in range(6)) for j in range(6)]
        assert max(row) == sum(p * v for p, v in zip(x, row)) and max(col) == sum(q * v for q, v in zip(y, col))
    res = enumerate_equilibria(g)
    assert len(res.isolated) == 75 and not res.components and res.unique is False
    if cdd_available():
        assert sorted(extreme_equilibria(VON_STENGEL_A, VON_STENGEL_B, backend="cdd")) == sorted(
            extreme_equilibria(VON_STENGEL_A, VON_STENGEL_B, backend="pivot"))


def test_rectangular_game_and_engine_names():
    g = bimatrix([[3, 0, 2], [0, 2, 1]], [[1, 0, 3], [0, 3, 1]])  # 2 x 3, padded to 3 x 3
    r = bimatrix_engine.enumerate_bimatrix(g, engine="symalign")
    s = bimatrix_engine.enumerate_bimatrix(g, engine="support")
    assert r.engine == "symalign-vertex-enumeration" and s.engine == "symalign-support-enumeration"
    assert {tuple(e.weights) for e in r.equilibria} == {tuple(e.weights) for e in s.equilibria}
    assert all(e.weights[0, 2] == 0 for e in r.equilibria)  # the placeholder strategy is never played


def test_a_profile_failing_the_exact_check_is_rejected_and_the_list_not_trusted(monkeypatch):
    g = _game([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    monkeypatch.setattr(polymatrix_check, "nash_violations", lambda game, W, blocks=None: ("refused",))
    accepted, rejected = checked_extreme_equilibria(g)
    assert accepted == () and len(rejected) == 1
    assert vertex_equilibrium_set(g, Component) is None
    assert NOTE not in enumerate_equilibria(g).notes  # the support enumeration answered instead


@pytest.mark.skipif(not catalogue_files(), reason=SKIP_REASON)
@pytest.mark.parametrize("path", catalogue_files(), ids=lambda p: p.stem)
def test_gambit_catalogue_two_player_games_equal_support_enumeration(path):
    nf = read_normal_form(path)
    if len(nf.players) != 2:
        pytest.skip("three or more players: not a bimatrix game")
    g = game_of(nf)
    ours, theirs = enumerate_equilibria(g), enumerate_equilibria(g, engine="support", max_profiles=10**6)
    assert {tuple(e.weights) for e in ours.isolated} == {tuple(e.weights) for e in theirs.isolated}
    assert len(ours.components) == len(theirs.components)

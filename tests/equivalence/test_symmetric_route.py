"""Homogeneous games: the mean-field (symmetric) route of ``solve`` against the explicit N-agent solve."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.core.families.custom import CustomFamily
from symalign.core.rosen_affine import dsc_holds
from symalign.numeric import solve as solve_module
from symalign.numeric.homogeneous import solve_homogeneous, symmetric_equilibrium
from symalign.numeric.solve import solve


def _homogeneous(variant, N, D, gamma, seed=0):
    rng = np.random.default_rng(seed)
    p = [sp.Rational(int(x * 100), 100) for x in rng.dirichlet(np.ones(D))[:-1]]
    return Game.create(get_family("active_alignment", variant), N, [f"g{d}" for d in range(D)], alpha=1,
                       beta=2, gamma=gamma, a=[sp.Rational(int(rng.integers(0, 10)), 10) for _ in range(D)],
                       p=p + [1 - sum(p)])


def _explicit(game, monkeypatch):
    monkeypatch.setattr(solve_module, "_symmetric", lambda g, tol: None)
    try:
        return solve(game)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("variant,N,D,gamma", [("overlap", 3, 3, "1/2"), ("overlap", 5, 2, 1),
                                               ("distance", 4, 3, "3/2"), ("overlap", 6, 4, 3)])
def test_symmetric_route_equals_the_explicit_solve(variant, N, D, gamma, monkeypatch):
    g = _homogeneous(variant, N, D, sp.Rational(gamma))
    fast = solve(g)
    eq = fast.equilibria[0]
    if eq.method != "mean-field (symmetric profile)":
        pytest.skip("symmetric point not interior for these numbers")
    ref = _explicit(g, monkeypatch)
    assert ref.equilibria[0].weights == eq.weights and ref.equilibria[0].multipliers == eq.multipliers
    assert fast.unique == ref.unique and eq.certified == ref.equilibria[0].certified
    assert eq.deviation_gain <= 1e-9 and eq.residual <= 1e-9


@pytest.mark.parametrize("gamma", ["1/4", 1, 3, 4, 6, 10])
@pytest.mark.parametrize("N", [3, 7])
def test_two_block_rosen_test_equals_the_explicit_matrix(gamma, N):
    g = _homogeneous("overlap", N, 3, sp.Rational(gamma), seed=3)
    try:
        res = symmetric_equilibrium(g)
    except Exception:  # noqa: BLE001  the point is not interior for these numbers
        pytest.skip("route does not apply")
    assert res.unique == (True if dsc_holds(g) else None)


def test_non_interior_symmetric_point_falls_back_to_the_explicit_game():
    g = Game.create(get_family("active_alignment", "overlap"), 3, ["x", "y"], alpha=1, beta=1, gamma=0,
                    a=[1, 0], p=[1, 0])
    sol = solve(g)
    assert sol.equilibria[0].method != "mean-field (symmetric profile)"
    assert sol.equilibria[0].weights.tolist() == [[1, 0]] * 3


def test_non_concave_homogeneous_game_is_checked_by_the_global_search():
    # convex in own weights: the symmetric KKT point is the agent's worst point, not an equilibrium
    g = Game.create(CustomFamily("sum(w[d]**2, d) - sum(w[d]*m[d], d)"), 4, 3)
    res = symmetric_equilibrium(g)
    assert res.concavity.status == "refuted" and res.unique is None
    assert res.equilibrium.deviation_gain > 0.1 and "multi-start" in res.equilibrium.deviation_method
    sol = solve(g)
    assert all(e.method != "mean-field (symmetric profile)" for e in sol.equilibria)


def test_large_homogeneous_game_is_solved_on_a_representative_agent():
    from symalign.core.limits import override

    with override(agents=2000):
        g = Game.create(get_family("active_alignment", "overlap"), 1000, ["l", "c", "r"], alpha=1, beta=1,
                        gamma="1/2", a=[["1/2", "3/10", "1/5"]] * 1000, p=["2/5", "2/5", "1/5"])
        sol = solve(g)
    eq = sol.equilibria[0]
    assert eq.method == "mean-field (symmetric profile)"
    # 1000 agents are beyond the exact checker (it reads every utility): the route's answer stays a candidate
    # and uniqueness open, instead of being called certain on the route's own (representative-agent) check
    assert not eq.certified and eq.certificate.status == "candidate" and "cells" in eq.certificate.reason
    assert sol.unique is None
    rep = Game.create(get_family("active_alignment", "overlap"), 2, ["l", "c", "r"], alpha=1, beta=1,
                      gamma="1/2", a=[["1/2", "3/10", "1/5"]] * 2, p=["2/5", "2/5", "1/5"])
    assert tuple(eq.weights.row(999)) == solve_homogeneous(rep, 1000).weights  # the CLI's --agents route
    assert "representative" in eq.deviation_method

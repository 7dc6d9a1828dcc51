"""Steering: subsidies and levers derived from the KKT system, compared with model.md T5, checked by solving."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.errors import InputError
from symalign.analysis.exclusion import exclusion_condition
from symalign.io.gamefile import load_game
from symalign.core.kkt import kkt_violations
from symalign.numeric.solve import find_equilibrium
from symalign.analysis.steering import (
    diversity_lever,
    minimal_subsidy,
    prior_lever,
    shift_attractiveness,
    target_subsidy,
)

from _helpers import attractiveness_gap, random_game, simplex_subs


def _t5_bracket(game, d):
    """model.md T5, from its statement: abar_{i,-d} - a_{i,d} - (D beta p_{i,d} + gamma)/(alpha (D-1))."""
    D, P = game.n_groups, game.param("p")
    out = []
    for i in range(game.n_agents):
        alpha, beta, gamma = (game.param(k, i) for k in ("alpha", "beta", "gamma"))
        out.append(attractiveness_gap(game, i, d) - (D * beta * P[i, d] + gamma) / (alpha * (D - 1)))
    return out


def _t5_target(game, W):
    """model.md T5: s = ((beta + gamma) W - beta pbar - (gamma/D) 1)/alpha - c(abar)."""
    N, D = game.n_agents, game.n_groups
    alpha, beta, gamma = (game.param(k, 0) for k in ("alpha", "beta", "gamma"))
    A, P = game.param("a"), game.param("p")
    abar = [sum(A[i, k] for i in range(N)) / N for k in range(D)]
    pbar = [sum(P[i, k] for i in range(N)) / N for k in range(D)]
    return [((beta + gamma) * W[k] - beta * pbar[k] - gamma / D) / alpha - (abar[k] - sum(abar) / D) for k in range(D)]


@pytest.mark.parametrize("n_agents, n_groups, d", [(2, 3, 2), (3, 3, 0), (2, 4, 3)])
def test_minimal_subsidy_is_t5(n_agents, n_groups, d):
    game = Game.symbolic(get_family("active_alignment", "overlap"), n_agents, n_groups)
    sub = minimal_subsidy(game, d)
    subs = simplex_subs(game)
    for root, t5 in zip(sub.per_agent, _t5_bracket(game, d)):
        assert sp.cancel((root - t5).xreplace(subs)) == 0
    assert sub.amount == sp.Max(0, sp.Min(*sub.per_agent))
    assert sub.check is None and sub.equilibrium is None


def test_minimal_subsidy_distance_variant_has_no_gamma():
    """Q': the same derivation gives T5 with gamma removed (diversity plays no role there)."""
    game = Game.symbolic(get_family("active_alignment", "distance"), 2, 3)
    sub = minimal_subsidy(game, 2)
    gamma = game.param("gamma", 0)
    subs = simplex_subs(game)
    for root, t5 in zip(sub.per_agent, _t5_bracket(game, 2)):
        assert gamma not in root.free_symbols
        assert sp.cancel((root - t5.subs(gamma, 0)).xreplace(subs)) == 0


def test_target_subsidy_is_t5():
    """Derived from the aggregate equation; T5's formula up to a multiple of the ones vector."""
    game = Game.symbolic(get_family("active_alignment", "overlap"), 2, 3)
    W = (sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 6))
    res = target_subsidy(game, W)
    t5 = _t5_target(game, W)
    diff = [sp.cancel((res.subsidy[k] - t5[k]).xreplace(simplex_subs(game))) for k in range(3)]
    assert sp.cancel(diff[0] - diff[1]) == 0 and sp.cancel(diff[1] - diff[2]) == 0
    assert sp.cancel(sum(res.subsidy)) == 0


def test_target_subsidy_distance_variant_is_free_of_gamma():
    """Q': the aggregate equation gives c(s) = beta c(W - pbar)/alpha - c(abar), i.e. T5 with gamma = 0."""
    game = Game.symbolic(get_family("active_alignment", "distance"), 2, 3)
    W = (sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 6))
    res = target_subsidy(game, W)
    gamma = game.param("gamma", 0)
    t5 = [x.subs(gamma, 0) for x in _t5_target(game, W)]
    diff = [sp.cancel((res.subsidy[k] - t5[k]).xreplace(simplex_subs(game))) for k in range(3)]
    assert all(gamma not in x.free_symbols for x in res.subsidy)
    assert sp.cancel(diff[0] - diff[1]) == 0 and sp.cancel(diff[1] - diff[2]) == 0


def test_t5_target_needs_every_agent_interior():
    """Finding: T5's subsidy for an interior target is not enough when agents differ.

    Homogeneous alpha, beta, gamma, heterogeneous attractiveness: the
    subsidy T5 gives (equal to the derived one) would need w_{2,x} = -1/10;
    the steered game's actual equilibrium misses the target.
    """
    game = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=1, gamma="1/2",
                       a=[[1, 0], [0, 0]], p=[0.5, 0.5])
    W = (sp.Rational(2, 5), sp.Rational(3, 5))
    res = target_subsidy(game, W)
    t5 = _t5_target(game, W)
    assert res.subsidy[0] - t5[0] == res.subsidy[1] - t5[1]
    assert res.reachable is False and res.weights[1, 0] == sp.Rational(-1, 10)
    steered = shift_attractiveness(game, t5)
    eq = find_equilibrium(steered)
    # by hand: agent 2 at the vertex (0, 1), agent 1's interior best response to it (17/20, 3/20)
    assert kkt_violations(steered, eq.weights) == ()
    mean = tuple(sum(eq.weights[i, k] for i in range(2)) / 2 for k in range(2))
    assert mean == (sp.Rational(17, 40), sp.Rational(23, 40)) != W


@pytest.mark.parametrize("variant", ["overlap", "distance"])
def test_target_reached_exactly(variant):
    rng = random.Random(7)
    game = random_game(rng, variant, 3, 3, 2, gamma=sp.Rational(1, 10))
    target = ("1/3", "1/3", "1/3")
    res = target_subsidy(game, target)
    assert res.reachable is True and res.check.passed
    W = res.equilibrium.as_array()
    assert np.abs(W.mean(axis=0) - 1 / 3).max() < 1e-9
    steered = shift_attractiveness(game, res.subsidy)
    independent = find_equilibrium(steered).as_array()
    assert np.abs(independent.mean(axis=0) - 1 / 3).max() < 1e-9
    # any multiple of the ones vector gives the same equilibrium
    again = find_equilibrium(shift_attractiveness(game, [s + 5 for s in res.subsidy])).as_array()
    assert np.allclose(again, independent, atol=1e-12)


def test_unreachable_targets():
    game = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=1, gamma="1/2",
                       a=[[1, 0], [0, 0]], p=[0.5, 0.5])
    res = target_subsidy(game, ["2/5", "3/5"])
    assert res.reachable is False and "w[2,x]" in res.reason
    edge = target_subsidy(game, [1, 0])
    assert edge.reachable is False and "boundary" in edge.reason
    with pytest.raises(InputError, match="simplex"):
        target_subsidy(game, [0.5, 0.6])
    with pytest.raises(InputError, match="simplex"):
        target_subsidy(game, [1.5, -0.5])
    with pytest.raises(InputError, match="expected 2 values"):
        target_subsidy(game, [1])


def _subsidy_instance(seed):
    rng = random.Random(1000 + seed)
    for _ in range(50):
        n_agents, n_groups = rng.choice([(2, 3), (3, 3), (3, 4)])
        d = rng.randrange(n_groups)
        game = random_game(rng, "overlap", n_agents, n_groups, d, gamma=sp.Rational(rng.randint(0, 3), 10))
        cond = exclusion_condition(game, d)
        if cond.excluded and all(len(s) == n_groups - 1 for s in cond.support):
            return game, d
    raise AssertionError("no instance")


@pytest.mark.parametrize("seed", range(3))
def test_minimal_subsidy_brackets_the_solver(seed):
    game, d = _subsidy_instance(seed)
    sub = minimal_subsidy(game, d, check=False)
    assert sub.amount > 0
    for factor, expect in ((sp.Rational(99, 100), True), (sp.Rational(101, 100), False)):
        eq = find_equilibrium(shift_attractiveness(game, {d: sub.amount * factor}))
        assert (d in eq.excluded_groups()) is expect


def test_social_media_cure(examples_dir):
    game = load_game(examples_dir / "social_media.toml")
    sub = minimal_subsidy(game, "right")
    assert sub.amount > 0 and sub.check.passed
    assert 4 in sub.equilibrium.excluded_groups()  # weakly, at exactly s*


def test_levers_both_variants():
    game = Game.create(get_family("active_alignment", "overlap"), 3, ["l", "c", "r"], alpha=1, beta=1, gamma="1/10",
                       a=[[0.5, 0.5, 0.1], [0.45, 0.55, 0.15], [0.6, 0.4, 0.1]], p=[[0.45, 0.45, 0.1]] * 3)
    lever = diversity_lever(game, "r")
    cond = exclusion_condition(game, "r", free=("gamma",))
    assert lever.possible and lever.value == cond.bound(next(iter(cond.point))) and lever.check.passed
    dist = Game.create(get_family("active_alignment", "distance"), 3, ["l", "c", "r"], alpha=1, beta=1, gamma="1/10",
                       a=[[0.5, 0.5, 0.1], [0.45, 0.55, 0.15], [0.6, 0.4, 0.1]], p=[[0.45, 0.45, 0.1]] * 3)
    assert exclusion_condition(dist, "r").excluded
    none = diversity_lever(dist, "r")
    assert not none.possible and "depends on gamma" in none.reason
    prior = prior_lever(game, "r", 0)
    assert prior.possible and 0 < prior.value < 1 and prior.check.passed


def test_bad_input():
    game = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=1, gamma=0,
                       a=[[1, 0], [0, 0]], p=[0.5, 0.5])
    with pytest.raises(InputError, match="unknown group"):
        minimal_subsidy(game, "z")
    with pytest.raises(InputError, match="no vector parameter"):
        minimal_subsidy(game, "x", parameter="alpha")
    with pytest.raises(InputError, match="agent index"):
        prior_lever(game, "y", 5)

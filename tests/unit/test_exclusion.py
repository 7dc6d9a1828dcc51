"""Exclusion conditions: derived from the KKT system, compared with model.md T4.

The library never types T4; these tests write T4 down (as model.md states
it) and compare it with what the derivation produced: by cancelling the
difference of the thresholds under the simplex constraint on the priors, and
by a Z3 proof that the two conditions are equivalent under the parameter
constraints.  Random numeric instances then check that the derived threshold
brackets an independent solver.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.derive import derive_on_support
from symalign.errors import InputError
from symalign.exclusion import (
    ExclusionNotApplicable,
    approximate_exclusion,
    derive_lean,
    exclusion_condition,
    exclusion_conditions,
    free_parameters,
    group_index,
    reduced_equilibrium,
)
from symalign.gamefile import load_game
from symalign.kkt import kkt_system
from symalign.smt import prove
from symalign.solve import find_equilibrium


def _simplex_subs(game):
    """Eliminate one prior entry per agent with sum_d p_{i,d} = 1."""
    P = game.param("p")
    return {P[i, 0]: 1 - sum(P[i, k] for k in range(1, P.cols)) for i in range(P.rows)}


def _t4(game, d):
    """model.md T4, written from its statement: T_{i,d} = alpha (D-1)(abar_{i,-d} - a_{i,d}) - D beta p_{i,d}."""
    D = game.n_groups
    A, P = game.param("a"), game.param("p")
    out = []
    for i in range(game.n_agents):
        alpha, beta = game.param("alpha", i), game.param("beta", i)
        abar = sum(A[i, k] for k in range(D) if k != d) / (D - 1)
        out.append(alpha * (D - 1) * (abar - A[i, d]) - D * beta * P[i, d])
    return out


def _t4_distance(game, d):
    """model.md T4 for Q': p_{i,d} <= (alpha/beta)((D-1)/D)(abar_{i,-d} - a_{i,d})."""
    D = game.n_groups
    A, P = game.param("a"), game.param("p")
    rels = []
    for i in range(game.n_agents):
        alpha, beta = game.param("alpha", i), game.param("beta", i)
        abar = sum(A[i, k] for k in range(D) if k != d) / (D - 1)
        rels.append(P[i, d] <= alpha / beta * sp.Rational(D - 1, D) * (abar - A[i, d]))
    return rels


@pytest.mark.parametrize("n_agents, n_groups, d", [(2, 3, 2), (3, 3, 0), (2, 4, 1)])
def test_overlap_threshold_is_t4(n_agents, n_groups, d):
    game = Game.symbolic(get_family("active_alignment", "overlap"), n_agents, n_groups)
    cond = exclusion_condition(game, d)
    gamma = game.param("gamma", 0)
    T = _t4(game, d)
    subs = _simplex_subs(game)
    ths = [t for t in cond.thresholds if t.parameter == gamma]
    assert [t.agent for t in ths] == list(range(n_agents))
    assert all(t.direction == "<=" for t in ths)
    for t, Ti in zip(ths, T):
        assert sp.cancel((t.bound - Ti).xreplace(subs)) == 0
    # the whole condition, by Z3, under the parameter constraints (simplex rows)
    proof = prove(game.parameter_constraints(), sp.Equivalent(cond.condition, sp.And(*[gamma <= Ti for Ti in T])))
    assert proof.status == "proved", proof.reason
    assert cond.bound(gamma) == sp.Min(*[t.bound for t in ths])


def test_overlap_threshold_is_t4_for_heterogeneous_agents():
    """Each agent's own alpha_i, beta_i, gamma_i: T4 holds agent by agent."""
    game = Game.symbolic(get_family("active_alignment", "overlap"), 2, 3, homogeneous=False)
    cond = exclusion_condition(game, 1)
    T = _t4(game, 1)
    rels = [game.param("gamma", i) <= T[i] for i in range(2)]
    proof = prove(game.parameter_constraints(), sp.Equivalent(cond.condition, sp.And(*rels)))
    assert proof.status == "proved"


@pytest.mark.parametrize("n_agents, n_groups, d", [(2, 3, 2), (3, 3, 1)])
def test_distance_condition_is_t4_and_free_of_gamma(n_agents, n_groups, d):
    game = Game.symbolic(get_family("active_alignment", "distance"), n_agents, n_groups)
    cond = exclusion_condition(game, d)
    gamma = game.param("gamma", 0)
    assert cond.independent_of(gamma)
    assert not [t for t in cond.thresholds if t.parameter == gamma]
    proof = prove(game.parameter_constraints(), sp.Equivalent(cond.condition, sp.And(*_t4_distance(game, d))))
    assert proof.status == "proved", proof.reason


def test_wrong_statement_is_refuted():
    """Control: Z3 does tell the derived condition apart from a mistyped T4."""
    game = Game.symbolic(get_family("active_alignment", "overlap"), 2, 3)
    cond = exclusion_condition(game, 2)
    gamma = game.param("gamma", 0)
    wrong = sp.And(*[gamma <= Ti + game.param("beta", 0) for Ti in _t4(game, 2)])
    proof = prove(game.parameter_constraints(), sp.Equivalent(cond.condition, wrong))
    assert proof.status == "refuted"


def test_custom_family_gives_the_same_condition(examples_dir):
    """The overlap utility written as a custom expression: the derivation goes through unchanged."""
    custom = load_game(examples_dir / "custom_overlap.toml")
    builtin = Game.create(get_family("active_alignment", "overlap"), custom.n_agents, custom.groups,
                          **{k: custom.params[k] for k in ("alpha", "beta", "gamma", "a", "p")})
    for d in range(custom.n_groups):
        c1, c2 = exclusion_condition(custom, d), exclusion_condition(builtin, d)
        assert c1.support == c2.support
        assert c1.slacks == c2.slacks
        assert c1.excluded == c2.excluded


def test_lean_derivation_agrees_with_derive_on_support():
    for variant in ("overlap", "distance"):
        game = Game.symbolic(get_family("active_alignment", variant), 2, 3)
        support = ((0, 1), (0, 1))
        kkt = kkt_system(game)
        a, b = derive_lean(game, support, kkt), derive_on_support(game, support, kkt=kkt)
        assert all(sp.cancel(x - y) == 0 for x, y in zip(list(a.weights) + list(a.slack), list(b.weights) + list(b.slack)))
        assert all(sp.cancel(x - y) == 0 for x, y in zip(a.multipliers, b.multipliers))


def _random_game(rng, variant, n_agents, n_groups, d, gamma=0):
    """Homogeneous game where group d is the least attractive (reduced game interior by construction)."""
    a = [[sp.Rational(rng.randint(40, 60), 100) for _ in range(n_groups)] for _ in range(n_agents)]
    for row in a:
        others = [row[k] for k in range(n_groups) if k != d]
        row[d] = sum(others) / len(others) - sp.Rational(rng.randint(5, 20), 100)
    p = []
    for _ in range(n_agents):
        raw = [rng.randint(5, 20) for _ in range(n_groups)]
        raw[d] = rng.randint(1, 3)
        p.append([sp.Rational(x, sum(raw)) for x in raw])
    alpha = sp.Rational(rng.randint(10, 20), 10)
    beta = sp.Rational(rng.randint(3, 10), 10)
    return Game.create(get_family("active_alignment", variant), n_agents, n_groups,
                       alpha=alpha, beta=beta, gamma=gamma, a=a, p=p)


def _excluded(game, d):
    eq = find_equilibrium(game)
    return d in eq.excluded_groups()


def _with(game, **values):
    return Game.create(game.family, game.n_agents, game.groups, **{**dict(game.params), **values})


def _bracketable(seed):
    """A random instance whose gamma threshold is positive, in the uniqueness range, with an interior reduced game."""
    rng = random.Random(seed)
    for _ in range(50):
        n_agents, n_groups = rng.choice([(2, 3), (3, 3), (3, 4), (4, 3)])
        d = rng.randrange(n_groups)
        game = _random_game(rng, "overlap", n_agents, n_groups, d)
        cond = exclusion_condition(game, d, free=("gamma",))
        gamma = next(iter(cond.point))
        bound = cond.bound(gamma)
        if bound is None or not 0 < bound < game.param("beta", 0) * (n_agents - 1):
            continue
        probes = [bound * sp.Rational(99, 100), bound * sp.Rational(101, 100)]
        if all(sp.sympify(c).xreplace({gamma: v}) for c in cond.validity for v in probes):
            return game, d, bound, probes
    raise AssertionError("no instance found")


@pytest.mark.parametrize("seed", range(4))
def test_threshold_brackets_the_solver(seed):
    game, d, bound, (below, above) = _bracketable(seed)
    for value, expect in ((below, True), (above, False)):
        g = _with(game, gamma=value)
        assert _excluded(g, d) is expect, (value, bound)
        assert exclusion_condition(g, d).excluded is expect


@pytest.mark.parametrize("seed", range(3))
def test_distance_diversity_does_not_cure(seed):
    """Q': exclusion does not move with gamma (within the concavity range beta > gamma)."""
    rng = random.Random(100 + seed)
    game = _random_game(rng, "distance", 3, 3, 2)
    cond = exclusion_condition(game, 2, free=("gamma",))
    gamma = next(iter(cond.point))
    assert cond.independent_of(gamma)
    beta = game.param("beta", 0)
    base = cond.excluded
    checked = 0
    for value in (0, beta / 4, beta / 2):
        g = _with(game, gamma=value)
        c = exclusion_condition(g, 2)
        if all(len(s) == 2 for s in c.support):
            assert c.excluded is base
            assert _excluded(g, 2) is base
            checked += 1
    assert checked >= 2


def test_numeric_example_condition(examples_dir):
    game = load_game(examples_dir / "social_media.toml")
    conds = exclusion_conditions(game)
    excluded = [c.name for c in conds if c.excluded]
    assert excluded == ["right"]
    assert excluded == [game.groups[d] for d in find_equilibrium(game).excluded_groups()]
    right = exclusion_condition(game, "right", free=("gamma",))
    assert right.slacks != conds[-1].slacks and right.margins == conds[-1].margins
    assert right.margin > 0 and all(len(s) == 4 for s in right.support)
    gamma = next(iter(right.point))
    assert right.bound(gamma) > right.point[gamma]
    for t in right.thresholds:
        assert t.margin == t.bound - right.point[gamma] and t.margin > 0


def test_heterogeneous_parameter_becomes_a_shift():
    game = Game.create(get_family("active_alignment"), 2, 3, alpha=1, beta=1, gamma=["1/10", "1/5"],
                       a=[[1, 1, 0], [1, 1, 0]], p=[[0.4, 0.4, 0.2]] * 2)
    pg, point = free_parameters(game, ["gamma"])
    (sym, value), = point.items()
    assert str(sym) == "Delta_gamma" and value == 0
    cond = exclusion_condition(game, 2, free=("gamma",))
    assert cond.excluded is True
    assert cond.bound(sym) > 0


def test_reduced_equilibrium_is_an_equilibrium_of_the_reduced_game():
    game = load_game_text()
    red = reduced_equilibrium(game, "right")
    assert all(2 not in s for s in red.support)
    W = red.as_array()
    assert np.allclose(W.sum(axis=1), 1) and (W >= 0).all()


def load_game_text():
    return Game.create(get_family("active_alignment"), 3, ["left", "centre", "right"], alpha=1, beta="1/2", gamma="1/5",
                       a=[[0.6, 0.5, 0.0], [0.5, 0.6, 0.1], [0.7, 0.4, 0.0]], p=[[0.4, 0.4, 0.2], [0.3, 0.5, 0.2], [0.5, 0.4, 0.1]])


def test_not_applicable_families(examples_dir):
    ent = Game.create(get_family("active_alignment", "entropic"), 2, 2, alpha=1, beta=1, gamma=0,
                      a=[[1, 0], [1, 0]], p=[0.5, 0.5])
    with pytest.raises(ExclusionNotApplicable, match="only approximate"):
        exclusion_condition(ent, 1)
    poly = load_game(examples_dir / "matching_pennies.toml")
    with pytest.raises(ExclusionNotApplicable, match="degenerate"):
        exclusion_condition(poly, 0)
    approx = approximate_exclusion(ent)
    assert all(m > 0 for m in approx.max_weight)


def test_bad_input():
    game = load_game_text()
    with pytest.raises(InputError, match="unknown group"):
        exclusion_condition(game, "centre-left")
    with pytest.raises(InputError, match="group index"):
        group_index(game, 3)
    with pytest.raises(InputError):
        group_index(game, True)
    with pytest.raises(InputError, match="not a parameter"):
        exclusion_condition(game, "right", free=("delta",))
    with pytest.raises(InputError, match="vector parameter"):
        exclusion_condition(game, "right", free=("a",))
    with pytest.raises(InputError, match="cannot contain"):
        exclusion_condition(game, "right", support=["left", "right"])

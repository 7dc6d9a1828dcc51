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
from symalign.core.derive import derive_on_support
from symalign.errors import InputError
from symalign.analysis.exclusion import (
    ExclusionNotApplicable,
    approximate_exclusion,
    exclusion_condition,
    exclusion_conditions,
    free_parameters,
    group_index,
    reduced_equilibrium,
)
from symalign.io.gamefile import load_game
from symalign.core.kkt import kkt_system
from symalign.verify.smt import prove
from symalign.numeric.solve import find_equilibrium

from _helpers import attractiveness_gap, random_game, simplex_subs


def _t4(game, d):
    """model.md T4, written from its statement: T_{i,d} = alpha (D-1)(abar_{i,-d} - a_{i,d}) - D beta p_{i,d}."""
    D, P = game.n_groups, game.param("p")
    return [game.param("alpha", i) * (D - 1) * attractiveness_gap(game, i, d) - D * game.param("beta", i) * P[i, d]
            for i in range(game.n_agents)]


def _t4_distance(game, d):
    """model.md T4 for Q': p_{i,d} <= (alpha/beta)((D-1)/D)(abar_{i,-d} - a_{i,d})."""
    D, P = game.n_groups, game.param("p")
    return [P[i, d] <= game.param("alpha", i) / game.param("beta", i) * sp.Rational(D - 1, D) * attractiveness_gap(game, i, d)
            for i in range(game.n_agents)]


@pytest.mark.parametrize("n_agents, n_groups, d", [(2, 3, 2), (3, 3, 0), (2, 4, 1)])
def test_overlap_threshold_is_t4(n_agents, n_groups, d):
    game = Game.symbolic(get_family("active_alignment", "overlap"), n_agents, n_groups)
    cond = exclusion_condition(game, d)
    gamma = game.param("gamma", 0)
    T = _t4(game, d)
    subs = simplex_subs(game)
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


def test_threshold_direction_from_the_coefficient_when_the_denominator_sign_is_unknown():
    """slack = (1 - x y)/y, y of unknown sign: slack >= 0 iff x <= 1/y (coefficient of x is -1); checked at points."""
    from symalign.analysis.exclusion import _solve_for

    x, y = sp.symbols("x y", real=True)
    slack = (1 - x * y) / y
    (t,) = _solve_for(0, slack, (x, y))  # y is in the denominator, of unknown sign: no threshold in y
    assert (t.agent, t.parameter, t.direction) == (0, x, "<=")
    for xv in (-3, -sp.Rational(1, 2), 0, sp.Rational(1, 3), 2):
        for yv in (-2, -sp.Rational(1, 3), sp.Rational(1, 5), 4):
            assert bool(slack.subs({x: xv, y: yv}) >= 0) == bool(xv <= t.bound.subs(y, yv)), (xv, yv)


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
    """The reduced games are derived by general elimination in ``cancel`` form: same as the default route."""
    for variant in ("overlap", "distance"):
        game = Game.symbolic(get_family("active_alignment", variant), 2, 3)
        support = ((0, 1), (0, 1))
        kkt = kkt_system(game)
        a = derive_on_support(game, support, kkt=kkt, method="general", normal_form="cancel")
        b = derive_on_support(game, support, kkt=kkt)
        assert all(sp.cancel(x - y) == 0 for x, y in zip(list(a.weights) + list(a.slack), list(b.weights) + list(b.slack)))
        assert all(sp.cancel(x - y) == 0 for x, y in zip(a.multipliers, b.multipliers))


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
        game = random_game(rng, "overlap", n_agents, n_groups, d)
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
    game = random_game(rng, "distance", 3, 3, 2)
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
    game = _three_agent_game()
    red = reduced_equilibrium(game, "right")
    assert all(2 not in s for s in red.support)
    W = red.as_array()
    assert np.allclose(W.sum(axis=1), 1) and (W >= 0).all()


def _three_agent_game():
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
    game = _three_agent_game()
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


def test_exclusion_condition_shared_between_equal_games_only():
    """Equal games (same family, shape, exact parameters) share one derivation; any change of a
    parameter, the group or the support derives afresh (and gives its own answer)."""
    from symalign import Game, get_family
    from symalign.analysis.exclusion import exclusion_condition

    def make(gamma):
        return Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=gamma,
                           a=[[1, 1, 0], [1, 0, 0]], p=[[0.5, 0.5, 0], [0.5, 0.25, 0.25]])

    first = exclusion_condition(make(0), "z")
    assert exclusion_condition(make(0), "z") is first  # a new but equal Game object
    other = exclusion_condition(make("1/10"), "z")
    assert other is not first and other.margin != first.margin
    assert exclusion_condition(make(0), "y") is not first

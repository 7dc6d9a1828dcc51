"""The strategies of :mod:`symalign.verify.strategies` keep their promises.

Every strategy claims to satisfy some hypotheses by construction; these tests
check each claim on the drawn values, independently of how they were drawn
(the monotone games, for instance, are checked with Rosen's exact test from
:mod:`symalign.core.rosen`).  ``find`` checks that the interesting corners
(vertices, faces, exclusion) are actually reached.

Long run: ``HYPOTHESIS_PROFILE=long python -m pytest tests/property -q``.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from symalign import Game, get_family
from symalign.errors import InputError
from symalign.core.rosen import dsc_matrix, negative_definite
from symalign.numeric.solvers import extragradient
from symalign.numeric.compile import numeric_game
from symalign.verify.strategies import (
    active_alignment_games,
    bimatrix_games,
    custom_games,
    polymatrix_games,
    rationals,
    simplex_points,
)

PROFILE_EXAMPLES = settings().max_examples
QUICK_FIND = settings(database=None, phases=[Phase.generate], max_examples=200)


def scaled(fraction: float, minimum: int = 4) -> int:
    return max(minimum, int(PROFILE_EXAMPLES * fraction))


# ---------------------------------------------------------------- numbers and points


@given(
    st.tuples(st.fractions(-5, 5, max_denominator=6), st.fractions(0, 3, max_denominator=6)),
    st.integers(1, 8),
    st.booleans(),
    st.data(),
)
def test_rationals_stay_in_the_interval_with_small_denominators(bounds, q, open_ends, data):
    lo, width = bounds
    hi = lo + width
    try:
        strategy = rationals(lo, hi, q, exclude_min=open_ends, exclude_max=open_ends)
    except InputError:
        # Only when no n/k with k <= q lies in the interval.
        grid = [sp.Rational(n, k) for k in range(1, q + 1) for n in range(-6 * k - 1, 9 * k + 2)]
        inside = [x for x in grid if (lo < x < hi if open_ends else lo <= x <= hi)]
        assert not inside
        return
    x = data.draw(strategy)
    assert isinstance(x, sp.Rational) and x.q <= q
    assert (lo < x < hi) if open_ends else (lo <= x <= hi)


@given(st.integers(1, 6), st.booleans(), st.booleans(), st.integers(0, 3), st.data())
def test_simplex_points_lie_on_the_simplex(n, exact, interior, floor_tenths, data):
    min_value = sp.Rational(floor_tenths, 10 * n)
    w = data.draw(simplex_points(n, min_value=min_value, exact=exact, interior=interior))
    assert len(w) == n
    if exact:
        assert all(isinstance(x, sp.Rational) for x in w)
        assert sum(w) == 1
        assert all((x > min_value) if interior else (x >= min_value) for x in w)
    else:
        assert w.dtype == np.float64
        assert abs(w.sum() - 1.0) <= 4 * n * np.finfo(float).eps
        floor = float(min_value)
        assert np.all(w > floor) if interior else np.all(w >= floor)


@pytest.mark.parametrize("exact", [True, False])
def test_simplex_points_reach_vertices_faces_and_interior(exact):
    def zeros(w):
        return sum(1 for x in w if x == 0)

    assert zeros(find(simplex_points(4, exact=exact), lambda w: zeros(w) == 3, settings=QUICK_FIND)) == 3
    assert zeros(find(simplex_points(4, exact=exact), lambda w: zeros(w) == 2, settings=QUICK_FIND)) == 2
    assert zeros(find(simplex_points(4, exact=exact), lambda w: zeros(w) == 0, settings=QUICK_FIND)) == 0


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: rationals(1, 0), "lo"),
        (lambda: rationals(0, 1, 0), "max_denominator"),
        (lambda: rationals("1/3", "2/5", 2), "max_denominator"),
        (lambda: rationals(0, 1, 1, exclude_min=True, exclude_max=True), "max_denominator"),
        (lambda: rationals(0, "pi"), "hi"),
        (lambda: simplex_points(0), "n"),
        (lambda: simplex_points(3, min_value="1/2"), "min_value"),
        (lambda: simplex_points(3, min_value=-0.1), "min_value"),
        (lambda: simplex_points(2, min_value="1/2", interior=True), "min_value"),
        (lambda: active_alignment_games("nope"), "variant"),
        (lambda: active_alignment_games("entropic", interior=False), "interior"),
        (lambda: active_alignment_games(n_agents=1), "n_agents"),
        (lambda: active_alignment_games(fixed={"delta": 1}), "fixed"),
        (lambda: active_alignment_games(max_denominator=0), "max_denominator"),
        (lambda: active_alignment_games(attractiveness=-1), "attractiveness"),
        (lambda: polymatrix_games(n_actions=1), "n_actions"),
        (lambda: bimatrix_games(payoff_bound=-1), "payoff_bound"),
        (lambda: custom_games("nope"), "variant"),
    ],
)
def test_bad_arguments_raise_input_error_naming_the_argument(call, argument):
    with pytest.raises(InputError) as info:
        call()
    assert info.value.argument == argument


# ---------------------------------------------------------------- games


VARIANTS = st.sampled_from(["overlap", "distance", "entropic"])


@settings(max_examples=scaled(1.0))
@given(VARIANTS, st.booleans(), st.booleans(), st.data())
def test_active_alignment_games_satisfy_the_family_hypotheses(variant, homogeneous, interior, data):
    game = data.draw(active_alignment_games(variant, homogeneous=homogeneous, interior=interior or None))
    N, D = game.n_agents, game.n_groups
    assert 2 <= N <= 5 and 2 <= D <= 5
    assert all(h is sp.true for h in game.hypotheses())
    alpha, beta, gamma = (game.param(k) for k in ("alpha", "beta", "gamma"))
    assert all(x > 0 for x in alpha + beta) and all(g >= 0 for g in gamma)
    if variant == "distance":
        assert all(g < b for g, b in zip(gamma, beta))
    if homogeneous:
        assert len(set(alpha)) == len(set(beta)) == len(set(gamma)) == 1
    values = list(alpha + beta + gamma) + list(game.param("a")) + list(game.param("p"))
    assert all(x.is_Rational for x in values)
    p = game.param("p")
    for i in range(N):
        assert sum(p.row(i)) == 1 and all(x >= 0 for x in p.row(i))
        if interior or variant == "entropic":
            assert all(x > 0 for x in p.row(i))


@settings(max_examples=scaled(0.25))
@given(VARIANTS, st.booleans(), st.data())
def test_monotone_games_satisfy_rosens_diagonal_strict_concavity(variant, homogeneous, data):
    """The eigenvalue bounds used by the strategy, checked by Rosen's exact test."""
    sizes = st.integers(2, 4)
    game = data.draw(active_alignment_games(variant, sizes, sizes, homogeneous=homogeneous, monotone=True))
    if variant == "entropic":
        # Not affine: check the quadratic game with the same alpha, beta, gamma,
        # whose pseudo-Jacobian bounds the entropic one (KL curvature >= 1).
        game = Game.create(get_family("active_alignment", "overlap"), game.n_agents, game.groups, **game.params)
    assert negative_definite(dsc_matrix(game)) is True


def test_homogeneous_monotone_bound_is_tight():
    """At gamma = beta (N-1)/N the distance game is no longer DSC: the bound is the exact one."""
    game = Game.create(
        get_family("active_alignment", "distance"), 3, 2,
        alpha=1, beta=1, gamma=sp.Rational(2, 3), a=[0, 0], p=[sp.Rational(1, 2)] * 2,
    )
    assert negative_definite(dsc_matrix(game)) is False


def _excluded(game) -> bool:
    ng = numeric_game(game)
    res = extragradient(ng.grad, np.full((game.n_agents, game.n_groups), 1.0 / game.n_groups), tol=1e-12)
    return bool(np.any(np.all(np.asarray(res.weights) < 1e-9, axis=0)))


def test_exclusion_bias_produces_exclusion_and_unbiased_games_can_be_interior():
    small = dict(n_agents=2, n_groups=st.integers(2, 3), monotone=True)
    game = find(active_alignment_games(exclusion=True, **small), _excluded, settings=QUICK_FIND)
    assert _excluded(game)
    game = find(
        active_alignment_games(exclusion=False, interior=True, **small),
        lambda g: not _excluded(g) and _interior(g),
        settings=QUICK_FIND,
    )
    assert _interior(game)


def _interior(game) -> bool:
    ng = numeric_game(game)
    res = extragradient(ng.grad, np.full((game.n_agents, game.n_groups), 1.0 / game.n_groups), tol=1e-12)
    return bool(np.all(np.asarray(res.weights) > 1e-9))


@settings(max_examples=scaled(0.5))
@given(st.data())
def test_fixed_parameters_are_used(data):
    game = data.draw(active_alignment_games("entropic", fixed={"gamma": 0, "alpha": "1/2"}))
    assert set(game.param("gamma")) == {0} and set(game.param("alpha")) == {sp.Rational(1, 2)}


@settings(max_examples=scaled(0.5))
@given(
    st.one_of(
        bimatrix_games(st.integers(2, 4)).map(lambda g: (g, False)),
        bimatrix_games(st.integers(2, 4), zero_sum=True).map(lambda g: (g, True)),
        polymatrix_games(st.integers(2, 4), st.integers(2, 3), payoff_bound=3, max_denominator=2).map(
            lambda g: (g, False)
        ),
    )
)
def test_polymatrix_games_have_bounded_exact_payoffs(drawn):
    game, zero_sum = drawn
    A = game.param("A")
    N, D = game.n_agents, game.n_groups
    for i in range(N):
        assert A[i][i] == sp.zeros(D, D)
        for j in range(N):
            assert A[i][j].shape == (D, D)
            assert all(x.is_Rational and abs(x) <= 5 for x in A[i][j])
    if zero_sum:
        assert A[0][1] == -A[1][0].T


@settings(max_examples=scaled(0.25))
@given(st.sampled_from(["overlap", "distance", "entropic"]), st.data())
def test_custom_games_have_the_builtin_utilities(variant, data):
    sizes = st.integers(2, 3)
    game = data.draw(custom_games(variant, sizes, sizes))
    assert game.family.label == "custom"
    twin = Game.create(get_family("active_alignment", variant), game.n_agents, game.groups, **game.params)
    for i in range(game.n_agents):
        assert sp.expand(sp.expand_log(game.utility(i) - twin.utility(i), force=True)) == 0

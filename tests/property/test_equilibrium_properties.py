"""Property tests: equilibria of random games are exact, verified and agree across routes.

Games are drawn by :mod:`symalign.verify.strategies`, which builds parameters that
satisfy each theorem's hypotheses by construction (concavity, and Rosen's
diagonal strict concavity where a test needs a unique equilibrium).  Every
equilibrium returned by :func:`symalign.numeric.solve.solve` is checked by routes
that share no code with it:

* the exact KKT check :func:`symalign.core.kkt.kkt_violations`;
* best responses computed here in NumPy from the parameters
  (model.md T1 for overlap, the same completion of the square for distance,
  the softmax of T6 for entropic), and
  :func:`symalign.numeric.check.best_deviation_gain` on the compiled game;
* the iterative solvers of :mod:`symalign.numeric.solvers`.

The default ("ci") Hypothesis profile runs a scaled-down number of examples
so the file stays well inside the default test run.  Thousands of examples
(the "long" profile registered in ``tests/conftest.py``)::

    HYPOTHESIS_PROFILE=long python -m pytest tests/property -q --durations=10

Each test scales its example count from the profile's ``max_examples``
(60 for "ci", 2000 for "long") with :func:`scaled`.

Two bugs these properties found (the aggregate fast path raising
SingularSystem where the general KKT route solves; find_equilibrium giving
up on a continuum of equilibria) are fixed; their minimal examples stay as
regression tests (section "regressions").
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy as sp
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from symalign import Game, derive_on_support, get_family
from symalign.numeric.check import best_deviation_gain, kkt_residual, max_deviation_gain
from symalign.core.kkt import kkt_violations
from symalign.core.linear import InconsistentSystem, SingularSystem
from symalign.numeric.compile import numeric_game
from symalign.core.params import flat_values
from symalign.numeric.simplex import project, softmax
from symalign.numeric.solve import solve
from symalign.numeric.solvers import extragradient
from symalign.verify.strategies import (
    active_alignment_games,
    bimatrix_games,
    custom_games,
    polymatrix_games,
    simplex_points,
)

PROFILE_EXAMPLES = settings().max_examples


def scaled(fraction: float, minimum: int = 4) -> int:
    """Examples for a test costing about ``1/fraction`` of a cheap one."""
    return max(minimum, int(PROFILE_EXAMPLES * fraction))


def _games(variants, **options):
    """Active-alignment games of one of ``variants``, homogeneous or not."""
    return st.tuples(st.sampled_from(variants), st.booleans()).flatmap(
        lambda vh: active_alignment_games(vh[0], homogeneous=vh[1], **options)
    )


MONOTONE_QUADRATIC = _games(("overlap", "distance"), monotone=True)
CONCAVE_QUADRATIC = _games(("overlap", "distance"))
POLYMATRIX = st.one_of(
    bimatrix_games(st.integers(2, 3)),
    bimatrix_games(st.integers(2, 3), max_denominator=3),
    bimatrix_games(st.integers(2, 3), zero_sum=True),
    polymatrix_games(3, 2),
)


# ---------------------------------------------------------------- independent numeric model


def _params(game):
    """Parameters as float arrays: alpha, beta, gamma (N,), a, p (N, D)."""
    f = lambda name: np.array([float(x) for x in game.param(name)])  # noqa: E731
    a = np.array(game.param("a").tolist(), dtype=float)
    p = np.array(game.param("p").tolist(), dtype=float)
    return f("alpha"), f("beta"), f("gamma"), a, p


def _others_mean(W, i):
    return (W.sum(axis=0) - W[i]) / (W.shape[0] - 1)


def best_response(game, W, i):
    """Agent i's best response to ``W``, from the parameters alone.

    Completing the square in ``w``: overlap ``U_i = alpha <a, w> - beta/2
    |w - p|^2 - gamma <w, m>`` is ``-beta/2 |w - z|^2 + const`` with ``z =
    (alpha a + beta p - gamma m)/beta`` (model.md T1); distance (``+ gamma/2
    |w - m|^2``) gives curvature ``beta - gamma`` and ``z = (alpha a + beta p
    - gamma m)/(beta - gamma)``; entropic maximises ``alpha <a, w> - beta
    KL(w | p) - gamma <w, m>`` by ``softmax(log p + (alpha a - gamma m)/beta)``
    (T6).
    """
    alpha, beta, gamma, a, p = _params(game)
    m = _others_mean(np.asarray(W, dtype=float), i)
    lin = alpha[i] * a[i] - gamma[i] * m
    variant = game.family.variant
    if variant == "entropic":
        return softmax(np.log(p[i]) + lin / beta[i])
    curvature = beta[i] - gamma[i] if variant == "distance" else beta[i]
    return project((lin + beta[i] * p[i]) / curvature)


def utility(game, W, i, w):
    """U_i with agent i playing ``w`` against ``W`` (NumPy, from the parameters)."""
    alpha, beta, gamma, a, p = _params(game)
    m = _others_mean(np.asarray(W, dtype=float), i)
    variant = game.family.variant
    out = alpha[i] * a[i] @ w
    if variant == "entropic":
        pos = w > 0
        return out - beta[i] * np.sum(w[pos] * np.log(w[pos] / p[i][pos])) - gamma[i] * w @ m
    out -= beta[i] / 2 * np.sum((w - p[i]) ** 2)
    if variant == "distance":
        return out + gamma[i] / 2 * np.sum((w - m) ** 2)
    return out - gamma[i] * w @ m


def assert_no_profitable_deviation(game, W, tol=1e-9):
    """Each row equals the independent best response, which gains nothing."""
    for i in range(game.n_agents):
        br = best_response(game, W, i)
        assert np.max(np.abs(br - W[i])) < tol, (i, br, W[i])
        assert utility(game, W, i, br) - utility(game, W, i, W[i]) < 1e-12


def gradient(game):
    """Own-gradients ``(N, D)`` of the family, written here from the utilities."""
    alpha, beta, gamma, a, p = _params(game)
    variant = game.family.variant
    al, be, ga = alpha[:, None], beta[:, None], gamma[:, None]

    def grad(W):
        m = (W.sum(axis=0) - W) / (W.shape[0] - 1)
        if variant == "entropic":
            return al * a - be * (np.log(W / p) + 1.0) - ga * m
        out = al * a - be * (W - p)
        return out + ga * (W - m) if variant == "distance" else out - ga * m

    return grad


def iterative(game):
    """The equilibrium found by extragradient on :func:`gradient` (pure NumPy)."""
    W0 = np.full((game.n_agents, game.n_groups), 1.0 / game.n_groups)
    res = extragradient(gradient(game), W0, tol=1e-13)
    assert res.converged, res
    return np.asarray(res.weights)


# ---------------------------------------------------------------- overlap and distance


@settings(max_examples=scaled(0.25))
@given(MONOTONE_QUADRATIC)
def test_solve_is_exact_unique_and_matches_every_independent_route(game):
    event(f"{game.family.variant}, N x D = {game.n_agents} x {game.n_groups}")
    sol = solve(game)
    assert len(sol.equilibria) == 1
    eq = sol.equilibria[0]
    assert eq.exact and eq.valid is True
    assert all(x.is_Rational for x in eq.weights)
    assert kkt_violations(game, eq.weights) == ()
    # Monotone by construction, so Rosen's exact DSC test must certify uniqueness.
    assert sol.unique is True
    W = eq.as_array()
    assert_no_profitable_deviation(game, W)
    ng = numeric_game(game)
    for i in range(game.n_agents):
        gain, _ = best_deviation_gain(ng.utility, ng.grad, W, i)
        assert gain <= 1e-12
    assert np.max(np.abs(iterative(game) - W)) < 1e-9


@settings(max_examples=scaled(0.15))
@given(CONCAVE_QUADRATIC)
def test_solve_finds_an_exact_equilibrium_of_every_concave_game(game):
    """Concavity alone (no uniqueness): existence (T0) and an exact certificate."""
    eq = solve(game).equilibria[0]
    assert eq.exact
    assert kkt_violations(game, eq.weights) == ()
    assert_no_profitable_deviation(game, eq.as_array())


def _support(W, tol=1e-9):
    return tuple(tuple(int(d) for d in np.flatnonzero(row > tol)) for row in W)


@settings(max_examples=scaled(0.25))
@given(MONOTONE_QUADRATIC)
def test_closed_form_is_valid_exactly_on_the_solver_support(game):
    W = iterative(game)
    eq = derive_on_support(game, _support(W))
    assert eq.valid is True
    assert np.max(np.abs(eq.as_array() - W)) < 1e-9
    interior = derive_on_support(game)
    event(f"interior equilibrium: {interior.valid}")
    assert interior.valid is bool(np.all(W > 1e-9))
    if interior.valid:
        assert interior.weights == eq.weights


@functools.lru_cache(maxsize=None)
def interior_closed_form(variant: str, n_agents: int, n_groups: int):
    """The symbolic interior equilibrium of a homogeneous game (derived once)."""
    game = Game.symbolic(get_family("active_alignment", variant), n_agents, n_groups, homogeneous=True)
    return game, derive_on_support(game)


@settings(max_examples=scaled(0.25))
@given(
    st.one_of(
        # mild attractiveness and interior priors: interior equilibria are common
        active_alignment_games(
            "overlap", 3, 3, homogeneous=True, interior=True, monotone=True, exclusion=False, attractiveness="1/8"
        ),
        active_alignment_games("overlap", 3, 3, homogeneous=True, monotone=True),
    )
)
def test_symbolic_interior_conditions_decide_interiority(game):
    sym_game, closed = interior_closed_form("overlap", 3, 3)
    values = {}
    for name in sym_game.params:
        for s, v in zip(flat_values(sym_game.params[name]), flat_values(game.params[name])):
            values[s] = v
    at_point = closed.subs(values)
    assert not at_point.game.free_symbols()
    W = iterative(game)
    event(f"interior equilibrium: {at_point.valid}")
    assert at_point.valid is bool(np.all(W > 1e-9))
    if at_point.valid:
        assert np.max(np.abs(at_point.as_array() - W)) < 1e-9


@settings(max_examples=scaled(0.1))
@given(custom_games("overlap", st.integers(2, 3), st.integers(2, 3), monotone=True))
def test_custom_expression_of_overlap_has_the_builtin_equilibrium(game):
    twin = Game.create(get_family("active_alignment", "overlap"), game.n_agents, game.groups, **game.params)
    eq = solve(game).equilibria[0]
    assert kkt_violations(twin, eq.weights) == ()
    assert eq.weights == derive_on_support(twin, eq.support).weights


# ---------------------------------------------------------------- fast path versus general route


def _derive(game, support, method):
    """(outcome, equilibrium): "solved", "singular" or "inconsistent"."""
    try:
        return "solved", derive_on_support(game, support, method=method)
    except SingularSystem:
        return "singular", None
    except InconsistentSystem:
        return "inconsistent", None


@st.composite
def games_and_supports(draw):
    game = draw(st.one_of(CONCAVE_QUADRATIC, POLYMATRIX))
    D = game.n_groups
    nonempty = st.sets(st.integers(0, D - 1), min_size=1).map(lambda s: tuple(sorted(s)))
    return game, tuple(draw(nonempty) for _ in range(game.n_agents))


# Minimal failing examples found by the properties (see the known-bugs section below).
_OVERLAP_AT_DSC_BOUNDARY = dict(alpha=1, beta=1, gamma=1, a=[[0, 0], [0, 0]], p=[[1, 0], [1, 0]])
_DEGENERATE_BIMATRIX = dict(A={"A": [[1, 0, 1], [0, 0, 0], [0, 1, 0]], "B": [[-1, 0, -1], [0, 0, 0], [0, -1, 0]]})


def overlap_at_dsc_boundary():
    """gamma = beta (N - 1): concave, not DSC; equilibria x_1 + x_2 = 3/2 (a segment)."""
    return Game.create(get_family("active_alignment", "overlap"), 2, 2, **_OVERLAP_AT_DSC_BOUNDARY)


def degenerate_bimatrix():
    """3 x 3 bimatrix game with two extreme equilibria sharing the row strategy (1/2, 0, 1/2)."""
    return Game.create(get_family("polymatrix"), 2, 3, **_DEGENERATE_BIMATRIX)


@settings(max_examples=scaled(0.5))
@example((degenerate_bimatrix(), ((0, 2), (0, 1))))
@example((overlap_at_dsc_boundary(), ((0,), (0, 1))))
@given(games_and_supports())
def test_fast_and_general_derivations_agree_on_every_support(drawn):
    """The aggregate fast path (method="auto") is conservative: same outcome as the general route."""
    game, support = drawn
    general, eq_general = _derive(game, support, "general")
    auto, eq_auto = _derive(game, support, "auto")
    assert auto == general, (auto, general)
    if general == "solved":
        assert eq_auto.weights == eq_general.weights
        assert eq_auto.valid == eq_general.valid


# ---------------------------------------------------------------- entropic


ENTROPIC = active_alignment_games("entropic", st.integers(2, 4), st.integers(2, 4), monotone=True)


@settings(max_examples=scaled(0.2))
@given(ENTROPIC)
def test_entropic_equilibrium_is_a_fixed_point_of_softmax_best_responses(game):
    eq = solve(game).equilibria[0]
    W = eq.as_array()
    ng = numeric_game(game)
    assert kkt_residual(ng.grad, W) < 1e-9
    assert_no_profitable_deviation(game, W)


@settings(max_examples=scaled(0.2))
@given(active_alignment_games("entropic", st.integers(2, 4), st.integers(2, 4), fixed={"gamma": 0}))
def test_entropic_without_diversity_is_the_tilted_prior(game):
    alpha, beta, _, a, p = _params(game)
    expected = p * np.exp(alpha[:, None] * a / beta[:, None])
    expected /= expected.sum(axis=1, keepdims=True)
    W = solve(game).equilibria[0].as_array()
    assert np.max(np.abs(W - expected)) < 1e-9


# ---------------------------------------------------------------- polymatrix

@settings(max_examples=scaled(0.25))
@given(POLYMATRIX)
def test_support_enumeration_lists_only_equilibria(game):
    sol = solve(game)
    event(f"equilibria: {len(sol.equilibria)}, degenerate: {sol.degenerate}")
    assert sol.equilibria, "every finite game has an equilibrium (Nash 1951)"
    ng = numeric_game(game)
    for eq in sol.equilibria:
        assert kkt_violations(game, eq.weights) == ()
        assert max_deviation_gain(ng.utility, ng.grad, eq.as_array(), concave=False) <= 1e-12
    if sol.unique is True:
        assert len(sol.equilibria) == 1 and not sol.degenerate


# ---------------------------------------------------------------- regressions (minimal examples)


def test_solve_certifies_an_equilibrium_when_equilibria_form_a_segment():
    game = overlap_at_dsc_boundary()
    face = derive_on_support(game, ((0,), (0, 1)), method="general")  # w_1 = (1, 0), w_2 = (1/2, 1/2)
    assert face.valid is True and kkt_violations(game, face.weights) == ()
    eq = solve(game).equilibria[0]
    assert kkt_violations(game, eq.weights) == ()


def test_support_enumeration_finds_the_equilibria_of_a_degenerate_bimatrix_game():
    nashpy = pytest.importorskip("nashpy")
    game = degenerate_bimatrix()
    A = np.array(_DEGENERATE_BIMATRIX["A"]["A"], dtype=float)
    B = np.array(_DEGENERATE_BIMATRIX["A"]["B"], dtype=float)
    expected = []
    for row, col in nashpy.Game(A, B).vertex_enumeration():
        W = [[sp.nsimplify(round(float(x), 12)) for x in row], [sp.nsimplify(round(float(x), 12)) for x in col]]
        assert kkt_violations(game, W) == ()  # an independent route's equilibria pass the exact check
        expected.append(sp.ImmutableMatrix(W))
    assert expected
    found = [eq.weights for eq in solve(game).equilibria]
    assert all(W in found for W in expected), found


# ---------------------------------------------------------------- simplex projection


@given(simplex_points(5), st.floats(-10, 10))
def test_projection_fixes_simplex_points_and_ignores_shifts_along_ones(w, shift):
    assert np.allclose(project(w), w, atol=1e-12)
    v = 3.0 * (w - 0.2)
    assert np.allclose(project(v + shift), project(v), atol=1e-9)


@given(st.lists(st.floats(-5, 5), min_size=4, max_size=4), simplex_points(4))
def test_projection_satisfies_the_variational_inequality(v, y):
    """``P(v)`` is the projection iff ``<v - P(v), y - P(v)> <= 0`` for every simplex point y."""
    v = np.array(v)
    z = project(v)
    assert np.dot(v - z, y - z) <= 1e-12

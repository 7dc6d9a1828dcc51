"""Unit tests of symalign.numeric.batch.compiled: argument handling, flags, options that must agree."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.numeric.batch.compiled import STAGES, compile_game, default_args, exclusion_supports
from symalign.numeric.batch.activeset import natural_residual
from symalign.numeric.batch.closedform import compile_closed_form
from symalign.numeric.batch.iterative import batch_extragradient
from symalign.numeric.check import kkt_residual
from symalign.core.derive import derive_on_support
from symalign.errors import DerivationError, InputError, ShapeError

OVERLAP = get_family("active_alignment", "overlap")
A = [[0.5, 0.2, 0.1], [0.3, 0.4, 0.0]]
P = [["1/2", "3/10", "1/5"], ["1/5", "1/2", "3/10"]]


@pytest.fixture(scope="module")
def game():
    return Game.symbolic(OVERLAP, 2, 3, a=A, p=P)


@pytest.fixture(scope="module")
def compiled(game):
    return compile_game(game, path="closed-form")


def _points(n, seed=0):
    """alpha, beta, gamma with gamma < beta (Rosen DSC for N = 2: a unique equilibrium)."""
    rng = np.random.default_rng(seed)
    beta = rng.uniform(0.3, 2.0, n)
    return rng.uniform(0.5, 1.5, n), beta, rng.uniform(0.0, 0.95, n) * beta


def test_default_args_order(game):
    assert [str(a) for a in default_args(game)] == ["alpha", "beta", "gamma"]
    het = Game.symbolic(OVERLAP, 2, 2, homogeneous=False)
    names = [str(a) for a in default_args(het)]
    assert names[:6] == ["alpha_1", "alpha_2", "beta_1", "beta_2", "gamma_1", "gamma_2"]
    assert names[6:8] == ["a_{1,1}", "a_{1,2}"] and len(names) == 14


def test_refuses_missing_free_symbols(game):
    alpha, beta = sp.symbols("alpha beta", positive=True)
    with pytest.raises(InputError, match=r"gamma") as info:
        compile_game(game, [alpha, beta])
    assert "not among the arguments" in str(info.value)


@pytest.mark.parametrize(
    "args, match",
    [(["alpha", "beta", "gamma"], "Symbols"), ("dup", "distinct")],
)
def test_refuses_bad_args(game, args, match):
    if args == "dup":
        args = list(default_args(game)) + [default_args(game)[0]]
    with pytest.raises(InputError, match=match):
        compile_game(game, args)


def test_compile_options_checked(game):
    with pytest.raises(InputError, match="path"):
        compile_game(game, path="fast")
    with pytest.raises(InputError, match="tol"):
        compile_game(game, tol=-1.0)


def test_bad_batch_inputs(compiled):
    al, be, ga = _points(5)
    with pytest.raises(InputError, match="expected 3 arrays"):
        compiled(al, be)
    with pytest.raises(ShapeError, match="1-D"):
        compiled(al, be, ga.reshape(5, 1))
    with pytest.raises(ShapeError, match="broadcast"):
        compiled(al, be, ga[:3])
    bad = be.copy()
    bad[2] = np.nan
    with pytest.raises(InputError, match=r"beta=nan: must be finite \(point 2\)"):
        compiled(al, bad, ga)
    with pytest.raises(InputError, match="beta > 0"):
        compiled(al, -be, ga)
    with pytest.raises(InputError, match="cannot be converted"):
        compiled(al, be, ["x"] * 5)
    with pytest.raises(InputError, match="exactly"):
        compiled(alpha=al, beta=be)
    with pytest.raises(InputError, match="either all by position"):
        compiled(al, beta=be, gamma=ga)


def test_parameter_domain_is_checked():
    """Sign assumptions of the arguments and the game's constraints (simplex rows of p) both."""
    g = Game.symbolic(OVERLAP, 2, 2, alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 1]])
    f = compile_game(g, path="linear")
    assert [str(a) for a in f.args] == ["p_{1,1}", "p_{1,2}", "p_{2,1}", "p_{2,2}"]
    assert f(0.5, 0.5, [0.2, 0.4], [0.8, 0.6]).converged.all()
    with pytest.raises(InputError, match=r"p_\{2,1\} >= 0.*point 1"):
        f(0.5, 0.5, [0.2, -0.4], [0.8, 1.4])
    with pytest.raises(InputError, match=r"Eq\(p_\{1,1\} \+ p_\{1,2\}, 1\).*point 0"):
        f(0.5, 0.6, 0.5, 0.5)


def test_named_scalar_and_empty_inputs(compiled):
    al, be, ga = _points(7)
    r1 = compiled(al, be, ga)
    r2 = compiled(gamma=ga, alpha=al, beta=be)
    np.testing.assert_array_equal(r1.weights, r2.weights)
    r3 = compiled(1.0, be, 0.25)  # scalars broadcast
    assert r3.weights.shape == (7, 2, 3) and r3.converged.all()
    r0 = compiled(al[:0], be[:0], ga[:0])
    assert r0.weights.shape == (0, 2, 3) and len(r0) == 0


def test_result_is_read_only(compiled):
    r = compiled(*_points(3))
    with pytest.raises(ValueError):
        r.weights[0, 0, 0] = 1.0
    assert r.method == "closed-form" and r.args == ("alpha", "beta", "gamma")


def test_cse_and_no_cse_agree(game):
    pts = _points(300, seed=1)
    r_cse = compile_game(game, cse=True)(*pts)
    r_plain = compile_game(game, cse=False)(*pts)
    np.testing.assert_allclose(r_cse.weights, r_plain.weights, rtol=0, atol=1e-13)
    np.testing.assert_array_equal(r_cse.support, r_plain.support)
    np.testing.assert_array_equal(r_cse.converged, r_plain.converged)


def test_layouts_agree(game):
    eq = derive_on_support(game)
    args = default_args(game)
    pts = _points(500, seed=2)
    poly = compile_closed_form(game, None, eq.weights, eq.conditions, args, layout="polynomial-matrix")
    lamb = compile_closed_form(game, None, eq.weights, eq.conditions, args, layout="lambdify")
    for cse in (True, False):
        plain = compile_closed_form(game, None, eq.weights, eq.conditions, args, layout="lambdify", cse=cse)
        np.testing.assert_allclose(plain.evaluate(pts)[0], lamb.evaluate(pts)[0], rtol=0, atol=1e-13)
    Wp, vp = poly.evaluate(pts)
    Wl, vl = lamb.evaluate(pts)
    np.testing.assert_allclose(Wp, Wl, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(vp, vl)
    assert 0 < vp.sum() < vp.size  # the sample crosses the validity boundary


def test_paths_agree(game, compiled):
    pts = _points(400, seed=3)
    ref = compiled(*pts)
    assert set(ref.stage_counts()) >= {"closed-form", "active-set"}
    linear = compile_game(game, path="linear")
    assert linear.path == "linear" and not linear.closed_forms
    r = linear(*pts)
    np.testing.assert_allclose(r.weights, ref.weights, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(r.support, ref.support)
    cached = compile_game(game, path="closed-form", supports=exclusion_supports(game))
    assert len(cached.closed_forms) == 1 + game.n_groups
    r = cached(*pts)
    np.testing.assert_allclose(r.weights, ref.weights, rtol=0, atol=1e-12)
    quiet = compiled.with_options(verify=False)(*pts)
    np.testing.assert_allclose(quiet.weights, ref.weights, rtol=0, atol=1e-12)
    assert np.isnan(quiet.residual[quiet.stage == STAGES.index("closed-form")]).all()


def test_default_path_follows_structure_not_budget(game, compiled):
    # an aggregative game takes the structured closed form; no budget (however small) changes that
    f = compile_game(game)
    assert f.path == "structured" and not f.closed_forms
    assert compile_game(game, derive_timeout=0.0).path == f.path == compile_game(game, derive_timeout=1e-9).path
    pts = _points(200, seed=5)
    r, ref = f(*pts), compiled(*pts)
    np.testing.assert_allclose(r.weights, ref.weights, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(r.support, ref.support)


def test_derivation_budget_stops_never_changes_path(game):
    from symalign.errors import BudgetExceeded

    # a derivation under a budget it cannot meet stops with BudgetExceeded; it never falls back to "linear"
    with pytest.raises(BudgetExceeded, match="derive_timeout"):
        compile_game(game, path="closed-form", derive_timeout=1e-9)
    with pytest.raises(BudgetExceeded, match="closed-form derivation"):
        compile_game(game, supports=exclusion_supports(game), derive_timeout=1e-9)
    with pytest.raises(InputError, match="derive_timeout"):
        compile_game(game, derive_timeout=-1)


def test_closed_form_path_requires_affine_gradients():
    g = Game.symbolic(get_family("active_alignment", "entropic"), 2, 2, a=[1, 0], p=[0.5, 0.5])
    with pytest.raises(InputError, match="iterative"):
        compile_game(g, path="linear")
    assert compile_game(g).path == "iterative"


def test_closed_form_path_reports_failed_derivation():
    # polymatrix matching pennies with a symbolic payoff is singular on no support, but a
    # degenerate (all-zero) payoff makes the interior system singular
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[0, 0], [0, 0]], "B": [[0, 0], [0, 0]]})
    with pytest.raises(DerivationError):
        compile_game(g, path="closed-form")


def test_non_converged_points_are_flagged_not_answered(game):
    f = compile_game(game, path="iterative", max_iter=1)
    r = f(*_points(10))
    assert not r.converged.any()
    assert np.isnan(r.weights).all() and not r.support.any()
    assert r.stage_counts() == {"not-converged": 10}
    assert (r.residual > f.tol).all()


def test_iterative_path_converges_and_matches_closed_form(game, compiled):
    pts = _points(60, seed=4)
    r = compile_game(game, path="iterative")(*pts)
    ref = compiled(*pts)
    assert r.converged.all() and (r.residual <= 1e-10).all()
    assert r.stage_counts() == {"iterative": 60}
    # residual <= 1e-10 and strong monotonicity (gamma < 0.95 beta) bound the distance to ~1e-9
    np.testing.assert_allclose(r.weights, ref.weights, rtol=0, atol=1e-8)


def test_hypotheses_failures_are_flagged():
    g = Game.symbolic(get_family("active_alignment", "distance"), 2, 2, alpha=1, a=[1, 0], p=[0.5, 0.5])
    f = compile_game(g)
    r = f([1.0, 0.5], [0.5, 1.0])  # beta > gamma holds for the first point only
    assert r.converged.tolist() == [True, False]
    assert STAGES[r.stage[1]] == "hypotheses" and np.isnan(r.weights[1]).all()


def test_natural_residual_matches_check_module():
    rng = np.random.default_rng(5)
    W = rng.dirichlet(np.ones(4), size=(50, 3))
    G = rng.normal(size=(50, 3, 4))
    expected = np.array([kkt_residual(lambda X, k=k: G[k], W[k]) for k in range(50)])
    np.testing.assert_allclose(natural_residual(W, G), expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(natural_residual(W, G, W > 0.2), expected, rtol=0, atol=1e-15)


def test_batch_extragradient_rejects_unknown_geometry():
    with pytest.raises(InputError, match="geometry"):
        batch_extragradient(lambda k, W: -W, np.full((1, 1, 2), 0.5), geometry="hyperbolic")


def test_entropic_gamma_zero_matches_formula():
    """T6 with gamma = 0: w_i proportional to p_i exp(alpha a_i / beta), an independent formula."""
    fam = get_family("active_alignment", "entropic")
    a = [[0.5, 0.0, -0.3], [0.1, 0.2, 0.3]]
    p = [["1/2", "1/4", "1/4"], ["1/5", "3/5", "1/5"]]
    g = Game.symbolic(fam, 2, 3, gamma=0, a=a, p=p)
    f = compile_game(g)
    assert f.path == "iterative"
    rng = np.random.default_rng(6)
    al, be = rng.uniform(0.5, 2, 40), rng.uniform(0.3, 2, 40)
    r = f(al, be)
    assert r.converged.all()
    pa = np.array([[0.5, 0.25, 0.25], [0.2, 0.6, 0.2]]) * np.exp(al[:, None, None] * np.array(a) / be[:, None, None])
    np.testing.assert_allclose(r.weights, pa / pa.sum(-1, keepdims=True), rtol=0, atol=1e-9)


def test_start_of_the_wrong_shape_is_an_input_error_naming_start(compiled):
    P = _points(3)
    with pytest.raises(InputError, match="start"):
        compiled(*P, start=np.zeros((2, 1, 1)))
    with pytest.raises(InputError, match="start"):
        compiled(*P, start=[["a"]])

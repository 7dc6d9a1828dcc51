"""The fused compiled kernels and the support identification against independent routes.

* the fused kernels (numba) against the vectorised NumPy stages of the same
  compiled game: same convergence, weights to 1e-9, same supports, on random
  games with interior, mixed (some agents drop a group) and D = 32 points;
* a sample of points against the pure-NumPy per-point extragradient of
  :mod:`symalign.numeric.solvers` and the residual of :mod:`symalign.numeric.check`
  (neither shares code with the kernels);
* the kernel's natural residual (sort-free projection) against the sort-based one;
* support identification where the active set cycles (``gamma`` past Rosen's
  bound) against the independent extragradient's KKT residual;
* the structured path against the derived closed form; the tables' cross-check refuses a wrong gradient.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from symalign import Game, get_family
from symalign.errors import InputError
from symalign.numeric.batch.compiled import STAGES, compile_game
from symalign.numeric.batch.fused import cross_check
from symalign.numeric.batch.identify import identify
from symalign.numeric.batch.kernel import available
from symalign.numeric.check import kkt_residual
from symalign.numeric.compile import numeric_game
from symalign.numeric.solvers import extragradient

OVERLAP = get_family("active_alignment", "overlap")
needs_numba = pytest.mark.skipif(not available(), reason="numba (extra [fast]) not installed")


def _game(n, d, seed):
    """Overlap game, alpha beta gamma symbolic, random a and p (exact), last group unattractive."""
    rng = np.random.default_rng(seed)
    a = np.round(np.linspace(0.3, 0.0, d) + 0.1 * rng.random((n, d)), 2)
    p = rng.dirichlet(np.full(d, 5.0), n)
    rows = [[Fraction(int(x * 1000), 1000) for x in r[:-1]] for r in p]  # rounded down: the last entry stays > 0
    prior = [[str(x) for x in r] + [str(1 - sum(r))] for r in rows]
    return Game.symbolic(OVERLAP, n, d, a=[[str(x) for x in r] for r in a], p=prior)


def _points(n_agents, size, seed, rosen=0.95):
    rng = np.random.default_rng(seed)
    beta = rng.uniform(0.3, 2.0, size)
    return [rng.uniform(0.3, 2.0, size), beta, rng.uniform(0.0, rosen, size) * beta * (n_agents - 1)]


def _at(P, k):
    return [float(p[k]) for p in P]


def _numeric_grad(game, args, values):
    g = game.subs({a: Fraction(v).limit_denominator(10**12) for a, v in zip(args, values)})
    return numeric_game(g).grad


@needs_numba
@pytest.mark.parametrize("n, d, path", [(2, 2, "closed-form"), (3, 4, "closed-form"), (4, 5, "structured"), (4, 32, "structured")])
def test_kernel_equals_numpy_stages(n, d, path):
    g = _game(n, d, seed=n * 100 + d)
    f = compile_game(g, path=path)
    assert f.fused
    P = _points(n, 300 if d < 32 else 120, seed=d)
    r1, r2 = f(*P), f.with_options(engine="numpy")(*P)
    assert r1.converged.all() and r2.converged.all()
    np.testing.assert_allclose(r1.weights, r2.weights, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(r1.support, r2.support)
    assert (r1.residual <= f.tol).all()
    assert not np.signbit(r1.weights).any()  # clipped weights are +0.0
    mixed = ~r1.support.all(axis=(1, 2)) & r1.support.any(axis=2).all(axis=1)
    if d < 32:
        assert r1.stage_counts().get("closed-form", 0) > 0
    assert mixed.any()  # some agents (not necessarily all) drop a group
    # verify=False changes only how interior points are certified, not the answers
    r3 = f.with_options(verify=False)(*P)
    np.testing.assert_allclose(r3.weights, r1.weights, rtol=0, atol=1e-12)


@needs_numba
@pytest.mark.parametrize("n, d", [(3, 4), (4, 32)])
def test_kernel_equals_independent_extragradient(n, d):
    g = _game(n, d, seed=7 + d)
    f = compile_game(g, path="structured")
    P = _points(n, 60, seed=3 + d)
    r = f(*P)
    assert r.converged.all()
    picks = list(np.flatnonzero(~r.support.all(axis=(1, 2)))[:4]) + [0]
    for k in picks:
        grad = _numeric_grad(g, f.args, _at(P, k))
        assert kkt_residual(grad, r.weights[k]) <= 1e-9
        it = extragradient(grad, np.full((n, d), 1.0 / d), tol=1e-11, max_iter=200_000)
        assert it.converged
        np.testing.assert_allclose(r.weights[k], it.weights, rtol=0, atol=1e-8)


@needs_numba
def test_kernel_residual_equals_sorted_projection():
    g = _game(3, 6, seed=5)
    f = compile_game(g, path="structured")
    P = _points(3, 400, seed=9)
    rng = np.random.default_rng(2)
    S = f(*P).support.copy()  # the equilibrium supports, perturbed at half the points
    S[200:] ^= rng.random((200, 3, 6)) < 0.2
    S[:, :, 0] |= ~S.any(axis=2)  # every agent keeps a group
    W1, r1, ok1 = f.solve_supports(*P, supports=S)
    W2, r2, ok2 = f.with_options(engine="numpy").solve_supports(*P, supports=S)
    np.testing.assert_array_equal(ok1, ok2)
    both = np.isfinite(r1) & np.isfinite(r2)
    assert both.sum() > 300 and ok1.any() and not ok1.all()
    np.testing.assert_allclose(r1[both], r2[both], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(W1[ok1], W2[ok2], rtol=0, atol=1e-12)


def test_identification_where_the_active_set_cycles():
    """gamma past Rosen's bound (several equilibria): every accepted point passes the independent KKT check."""
    g = _game(4, 3, seed=11)
    f = compile_game(g, path="linear", engine="numpy")
    P = _points(4, 200, seed=4, rosen=2.5)
    r = f(*P)
    ident = np.flatnonzero(r.stage == STAGES.index("identified-support"))
    assert ident.size > 0
    for k in ident[:6]:
        grad = _numeric_grad(g, f.args, _at(P, k))
        assert kkt_residual(grad, r.weights[k]) <= 1e-9


def test_identify_accepts_only_checked_points():
    P = np.array([[[0.7, 0.3]], [[1.4, -0.4]], [[0.2, 0.9]]])

    def solve(idx, S):  # a deliberately wrong "exact" solver: uniform weights on the support
        W = S / S.sum(-1, keepdims=True)
        return W, np.ones(len(idx), bool)

    W, r, ok, ident = identify(solve, lambda idx, W: P[idx] - W, np.full((3, 1, 2), 0.5), tol=1e-10, max_iter=5000)
    assert ok.all()
    assert (r <= 1e-10).all()
    # one-agent games with gradient P - W: the equilibrium is the projection of P onto the simplex
    from symalign.numeric.simplex import project

    np.testing.assert_allclose(W, project(P), atol=1e-9)
    assert ident.tolist() == [False, True, False]  # the wrong solver is right only at the vertex


def test_structured_path_equals_derived_closed_form():
    g = _game(3, 3, seed=2)
    derived = compile_game(g, path="closed-form", engine="numpy")
    structured = compile_game(g, path="structured", engine="numpy")
    assert derived.path == "closed-form" and structured.path == "structured" and not structured.closed_forms
    P = _points(3, 300, seed=6)
    r1, r2 = derived(*P), structured(*P)
    np.testing.assert_allclose(r1.weights, r2.weights, rtol=0, atol=1e-12)
    assert r1.stage_counts().get("closed-form") == r2.stage_counts().get("closed-form")


def test_structured_path_needs_an_aggregative_game():
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    with pytest.raises(InputError, match="aggregative"):
        compile_game(g, path="structured")


def test_cross_check_refuses_a_wrong_gradient():
    g = _game(2, 3, seed=1)
    f = compile_game(g, path="structured")
    t = f._fused
    assert cross_check(t, f._grad, 2, 3, 3)
    wrong = replace(t, Cx=t.Cx * 1.001)
    assert not cross_check(wrong, f._grad, 2, 3, 3)

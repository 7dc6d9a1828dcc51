"""Batched equilibria against independent routes.

* inside the validity region of the compiled closed form: the exact rational
  derivation on the numeric game (``derive_on_support`` of ``game.subs``), 1e-12;
* outside it (a group dropped): ``symalign.numeric.solve.find_equilibrium`` (exact, via
  its own support search) and the pure-NumPy ``symalign.numeric.solvers.extragradient``,
  1e-9, with the same supports.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.numeric.batch.compiled import STAGES, compile_game, exclusion_supports
from symalign.core.derive import derive_on_support
from symalign.numeric.compile import numeric_game
from symalign.numeric.solve import find_equilibrium
from symalign.numeric.solvers import extragradient

A = [[0.5, 0.3, 0.0], [0.4, 0.4, -0.1], [0.2, 0.5, 0.05]]
P = [["2/5", "2/5", "1/5"], ["3/10", "1/2", "1/5"], ["1/3", "1/3", "1/3"]]


@pytest.fixture(scope="module")
def homogeneous():
    """3 agents, 3 groups, incentive weights alpha, beta, gamma symbolic."""
    g = Game.symbolic(get_family("active_alignment", "overlap"), 3, 3, a=A, p=P)
    return g, compile_game(g, path="closed-form", supports=exclusion_supports(g))


@pytest.fixture(scope="module")
def heterogeneous():
    """2 agents, 2 groups, every parameter symbolic (14 arguments)."""
    g = Game.symbolic(get_family("active_alignment", "distance"), 2, 2, homogeneous=False)
    return g, compile_game(g, path="closed-form")


def _exact(x) -> sp.Rational:
    return sp.Rational(repr(float(x)))


def _incentives(n, seed):
    """alpha, beta, gamma with gamma < 2 beta (Rosen DSC for N = 3: unique equilibrium)."""
    rng = np.random.default_rng(seed)
    beta = rng.uniform(0.2, 2.0, n)
    return rng.uniform(0.5, 1.5, n), beta, rng.uniform(0.0, 1.9, n) * beta


def _numeric(game, args, values):
    return game.subs({a: _exact(v) for a, v in zip(args, values)})


def test_closed_form_equals_exact_derivation_inside_region(homogeneous):
    game, f = homogeneous
    pts = _incentives(400, seed=10)
    r = f(*pts)
    inside = np.flatnonzero(r.stage == STAGES.index("closed-form"))
    assert inside.size >= 10
    for k in inside[:12]:
        eq = derive_on_support(_numeric(game, f.args, [p[k] for p in pts]))
        assert eq.valid
        np.testing.assert_allclose(r.weights[k], eq.as_array(), rtol=0, atol=1e-12)
        assert r.support[k].all()


def test_heterogeneous_closed_form_equals_exact_derivation(heterogeneous):
    game, f = heterogeneous
    rng = np.random.default_rng(11)
    n = 200
    beta = rng.uniform(1.0, 2.0, (n, 2))
    cols = {
        "alpha": rng.uniform(0.5, 1.5, (n, 2)), "beta": beta, "gamma": rng.uniform(0, 0.9, (n, 2)) * beta,
        "a": rng.uniform(-0.3, 0.3, (n, 4)), "p": np.repeat(rng.dirichlet([4, 4], n), 2, axis=0).reshape(n, 4),
    }
    # default_args order: alpha_1, alpha_2, beta_1, ..., a_{1,1}, a_{1,2}, a_{2,1}, a_{2,2}, p_{...}
    counters = {}
    arrays = []
    for arg in f.args:
        name = str(arg).split("_")[0]
        j = counters.get(name, 0)
        counters[name] = j + 1
        arrays.append(cols[name][:, j])
    r = f(*arrays)
    inside = np.flatnonzero(r.stage == STAGES.index("closed-form"))
    outside = np.flatnonzero(r.stage == STAGES.index("active-set"))
    assert inside.size >= 5 and outside.size >= 5
    for k in list(inside[:5]) + list(outside[:5]):
        g = _numeric(game, f.args, [a[k] for a in arrays])
        eq = find_equilibrium(g)
        np.testing.assert_allclose(r.weights[k], eq.as_array(), rtol=0, atol=1e-12 if k in inside else 1e-9)
        support = np.array([[d in s for d in range(2)] for s in eq.support])
        np.testing.assert_array_equal(r.support[k], support)


def test_active_set_equals_independent_solvers_outside_region(homogeneous):
    game, f = homogeneous
    pts = _incentives(400, seed=12)
    r = f(*pts)
    assert r.converged.all()
    counts = r.stage_counts()
    assert counts.get("cached-support", 0) + counts.get("active-set", 0) >= 20
    outside = np.flatnonzero(r.stage != STAGES.index("closed-form"))
    excluded = outside[r.excluded()[outside].any(axis=1)]
    assert excluded.size >= 3  # some points have a group dropped by everyone
    for k in list(excluded[:4]) + [k for k in outside[:8] if k not in excluded[:4]]:
        g = _numeric(game, f.args, [p[k] for p in pts])
        eq = find_equilibrium(g)
        np.testing.assert_allclose(r.weights[k], eq.as_array(), rtol=0, atol=1e-9)
        support = np.array([[d in s for d in range(3)] for s in eq.support])
        np.testing.assert_array_equal(r.support[k], support)
        ng = numeric_game(g)
        it = extragradient(ng.grad, np.full((3, 3), 1 / 3), tol=1e-12)
        assert it.converged
        np.testing.assert_allclose(r.weights[k], it.weights, rtol=0, atol=1e-9)


def test_cached_supports_and_plain_active_set_agree(homogeneous):
    game, f = homogeneous
    plain = compile_game(game, path="closed-form")
    pts = _incentives(600, seed=13)
    r1, r2 = f.with_options(engine="numpy")(*pts), plain.with_options(engine="numpy")(*pts)
    assert r1.stage_counts().get("cached-support", 0) > 0  # the NumPy stages use the cached closed forms
    np.testing.assert_allclose(r1.weights, r2.weights, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(r1.support, r2.support)
    np.testing.assert_array_equal(r1.converged, r2.converged)


def test_residuals_are_certified(homogeneous):
    game, f = homogeneous
    r = f(*_incentives(300, seed=14))
    assert (r.residual[r.converged] <= f.tol).all()
    W = r.weights[r.converged]
    np.testing.assert_allclose(W.sum(-1), 1.0, atol=1e-12)
    assert (W >= 0).all()

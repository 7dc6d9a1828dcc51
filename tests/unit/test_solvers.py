"""Tests of the numeric route: :mod:`symalign.numeric.solvers` and :mod:`symalign.numeric.check`.

The games are written here directly in NumPy, independently of the rest of
the package.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import xlogy

from symalign.numeric.check import (
    best_deviation_gain,
    is_equilibrium,
    kkt_residual,
    kkt_residual_per_agent,
    max_deviation_gain,
)
from symalign.errors import InputError, ShapeError
from symalign.numeric.simplex import project
from symalign.numeric.solvers import SolverResult, extragradient, mirror_descent, solve

# ---------------------------------------------------------------- the overlap game


def _others_mean(W: np.ndarray) -> np.ndarray:
    n = W.shape[-2]
    return (W.sum(axis=-2, keepdims=True) - W) / (n - 1)


class Overlap:
    """U_i = alpha_i <a_i, w_i> - beta_i/2 |w_i - p_i|^2 - gamma_i <w_i, m_i>."""

    def __init__(self, alpha, beta, gamma, a, p):
        self.alpha, self.beta, self.gamma = (np.asarray(x, float) for x in (alpha, beta, gamma))
        self.a, self.p = np.asarray(a, float), np.asarray(p, float)
        self.n, self.d = self.a.shape

    def grad(self, W):
        al, be, ga = self.alpha[:, None], self.beta[:, None], self.gamma[:, None]
        return al * self.a - be * (W - self.p) - ga * _others_mean(W)

    def utility(self, W):
        m = _others_mean(W)
        return (
            self.alpha * np.sum(self.a * W, axis=-1)
            - 0.5 * self.beta * np.sum((W - self.p) ** 2, axis=-1)
            - self.gamma * np.sum(W * m, axis=-1)
        )

    def interior_formula(self):
        n, d = self.n, self.d
        theta = self.gamma / (n - 1)
        kappa = self.beta - theta
        centred = self.a - self.a.mean(axis=1, keepdims=True)
        R = self.alpha[:, None] * centred + self.beta[:, None] * self.p + self.gamma[:, None] / d
        S = (R / kappa[:, None]).sum(axis=0) / (1.0 + np.sum(theta / kappa))
        return (R - theta[:, None] * S) / kappa[:, None]


def random_overlap(rng, n, d, alpha_max=0.3):
    return Overlap(
        rng.uniform(0.0, alpha_max, n),
        rng.uniform(1.0, 3.0, n),
        rng.uniform(0.0, 1.0, n),
        rng.uniform(0.0, 1.0, (n, d)),
        rng.dirichlet(np.full(d, 4.0), n),
    )


def uniform(n, d):
    return np.full((n, d), 1.0 / d)


SEEDS = st.integers(0, 2**32 - 1)
SIZES = st.tuples(st.integers(2, 6), st.integers(2, 5))


@settings(max_examples=25, deadline=None)
@given(SEEDS, SIZES)
def test_extragradient_matches_interior_formula(seed, size):
    game = random_overlap(np.random.default_rng(seed), *size)
    W = game.interior_formula()
    assume(W.min() > 1e-3)
    np.testing.assert_allclose(W.sum(axis=1), 1.0, atol=1e-12)
    assert kkt_residual(game.grad, W) < 1e-12
    res = extragradient(game.grad, uniform(*size), max_iter=2000)
    assert res.converged
    assert res.residual < 1e-12
    np.testing.assert_allclose(res.weights, W, rtol=0, atol=1e-9)


@settings(max_examples=15, deadline=None)
@given(SEEDS, SIZES, st.floats(0.01, 0.1))
def test_deviation_gain_zero_at_formula_and_positive_off_it(seed, size, eps):
    rng = np.random.default_rng(seed)
    game = random_overlap(rng, *size)
    W = game.interior_formula()
    assume(W.min() > 1e-3)
    assert max_deviation_gain(game.utility, game.grad, W) <= 1e-12
    assert is_equilibrium(game.utility, game.grad, W)

    i = int(rng.integers(size[0]))
    V = W.copy()
    V[i] = project(W[i] + eps * rng.normal(size=size[1]))
    assume(np.abs(V[i] - W[i]).max() > eps / 10)
    # Agent i's utility is strongly concave with modulus beta_i >= 1, so moving back
    # to its best response gains at least beta_i/2 |V_i - W_i|^2.
    bound = 0.5 * game.beta[i] * np.sum((V[i] - W[i]) ** 2)
    gain, best = best_deviation_gain(game.utility, game.grad, V, i)
    assert gain >= bound * (1 - 1e-6) > 1e-6
    np.testing.assert_allclose(best, W[i], atol=1e-7)
    assert max_deviation_gain(game.utility, game.grad, V) >= gain
    assert kkt_residual(game.grad, V) > 1e-6
    assert not is_equilibrium(game.utility, game.grad, V)


def test_kkt_residual_is_batched_and_per_agent():
    game = random_overlap(np.random.default_rng(1), 4, 3)
    W = game.interior_formula()
    assert W.min() > 0
    V = uniform(4, 3)
    batch = np.stack([W, V, W])
    out = kkt_residual(game.grad, batch)
    assert out.shape == (3,)
    assert out[0] < 1e-12 and out[2] < 1e-12
    assert out[1] == pytest.approx(kkt_residual(game.grad, V), abs=0)
    per = kkt_residual_per_agent(game.grad, V)
    assert per.shape == (4,) and per.max() == out[1]


def test_exclusion_instance():
    # Group 0 is strongly disliked by every agent (large alpha, a_i0 small): nobody uses it.
    rng = np.random.default_rng(7)
    n, d = 4, 3
    a = rng.uniform(0.97, 1.0, (n, d))
    a[:, 0] = 0.0
    game = Overlap(np.full(n, 5.0), rng.uniform(1, 3, n), rng.uniform(0, 1, n), a, rng.dirichlet(np.ones(d), n))
    assert game.interior_formula()[:, 0].max() < 0  # the interior formula does not apply here
    res = extragradient(game.grad, uniform(n, d), max_iter=2000)
    assert res.converged and res.residual < 1e-12
    assert np.abs(res.weights[:, 0]).max() < 1e-12
    assert res.weights[:, 1:].min() > 1e-3
    assert is_equilibrium(game.utility, game.grad, res.weights)
    assert max_deviation_gain(game.utility, game.grad, res.weights) <= 1e-12
    # On the support {1, 2} the interior formula of the reduced game applies.  Adding a
    # constant to p_i shifts agent i's gradient by a constant vector, which does not move
    # the equilibrium, so spread the dropped mass p_i0 evenly to keep p_i on the simplex.
    p_reduced = game.p[:, 1:] + game.p[:, :1] / (d - 1)
    reduced = Overlap(game.alpha, game.beta, game.gamma, a[:, 1:], p_reduced)
    np.testing.assert_allclose(res.weights[:, 1:], reduced.interior_formula(), atol=1e-9)


def test_solver_result_is_read_only_and_honest():
    game = random_overlap(np.random.default_rng(3), 3, 4)
    res = solve(game.grad, 3, 4, max_iter=2000)
    assert isinstance(res, SolverResult)
    assert res.method == "extragradient" and res.converged
    with pytest.raises(ValueError):
        res.weights[0, 0] = 1.0
    assert res.residual == pytest.approx(kkt_residual(game.grad, res.weights), abs=1e-15)
    assert res.grad_evals >= 2 * res.iterations
    short = extragradient(game.grad, uniform(3, 4), max_iter=3)
    assert not short.converged
    assert short.iterations == 3
    assert short.residual > 1e-12
    assert short.residual == kkt_residual(game.grad, short.weights)


def test_starting_at_the_equilibrium_takes_no_iteration():
    game = Overlap([0.0, 0.0], [1.0, 1.0], [0.0, 0.0], np.zeros((2, 2)), [[0.3, 0.7], [0.6, 0.4]])
    res = extragradient(game.grad, game.p)
    assert res.converged and res.iterations == 0
    np.testing.assert_array_equal(res.weights, game.p)


@pytest.mark.parametrize(("n", "d"), [(4, 3), (8, 10), (10, 10)])
def test_speed_strongly_monotone(n, d):
    game = random_overlap(np.random.default_rng(n * 100 + d), n, d)
    t0 = time.perf_counter()
    res = solve(game.grad, n, d, max_iter=2000)
    elapsed = time.perf_counter() - t0
    assert res.converged and res.residual < 1e-12
    assert res.iterations < 1000
    assert elapsed < 1.0


def test_solve_validates_arguments():
    game = random_overlap(np.random.default_rng(0), 2, 3)
    with pytest.raises(InputError, match="method"):
        solve(game.grad, 2, 3, method="newton")
    with pytest.raises(InputError, match="n_agents"):
        solve(game.grad, 0, 3)
    with pytest.raises(ShapeError, match="W0"):
        solve(game.grad, 2, 3, W0=uniform(3, 3))
    with pytest.raises(InputError, match="^W0="):
        extragradient(game.grad, [[0.5, 0.6, 0.0], [1.0, 0.0, 0.0]])
    with pytest.raises(InputError, match="tol"):
        extragradient(game.grad, uniform(2, 3), tol=0.0)
    with pytest.raises(InputError, match="step"):
        extragradient(game.grad, uniform(2, 3), step=-1.0)
    with pytest.raises(ShapeError, match="grad"):
        extragradient(lambda W: W[:, :2], uniform(2, 3))
    with pytest.raises(InputError, match="grad"):
        extragradient(lambda W: W * np.nan, uniform(2, 3))
    with pytest.raises(InputError, match="W0"):
        mirror_descent(game.grad, [[1.0, 0.0, 0.0], [0.5, 0.25, 0.25]])


# ---------------------------------------------------------------- entropic game


class Entropic:
    """U_i = alpha <a_i, w_i> - beta KL(w_i || p_i) - gamma <w_i, m_i>."""

    def __init__(self, alpha, beta, gamma, a, p):
        self.alpha, self.beta, self.gamma = float(alpha), float(beta), float(gamma)
        self.a, self.p = np.asarray(a, float), np.asarray(p, float)

    def grad(self, W):
        with np.errstate(divide="ignore"):
            return self.alpha * self.a - self.beta * (np.log(W / self.p) + 1.0) - self.gamma * _others_mean(W)

    def utility(self, W):
        kl = np.sum(xlogy(W, W) - xlogy(W, self.p), axis=-1)
        return self.alpha * np.sum(self.a * W, axis=-1) - self.beta * kl - self.gamma * np.sum(W * _others_mean(W), axis=-1)


@settings(max_examples=20, deadline=None)
@given(SEEDS, SIZES, st.floats(0.5, 3.0), st.floats(0.5, 5.0))
def test_mirror_descent_entropic_closed_form(seed, size, alpha, beta):
    rng = np.random.default_rng(seed)
    n, d = size
    game = Entropic(alpha, beta, 0.0, rng.uniform(-1, 1, (n, d)), rng.dirichlet(np.full(d, 2.0), n))
    expected = game.p * np.exp(alpha * game.a / beta)
    expected /= expected.sum(axis=1, keepdims=True)
    res = mirror_descent(game.grad, uniform(n, d), max_iter=2000)
    assert res.converged and res.residual < 1e-12
    assert res.weights.min() > 0
    np.testing.assert_allclose(res.weights, expected, rtol=0, atol=1e-9)
    assert is_equilibrium(game.utility, game.grad, res.weights)


@settings(max_examples=10, deadline=None)
@given(SEEDS, SIZES)
def test_mirror_descent_entropic_with_interaction(seed, size):
    rng = np.random.default_rng(seed)
    n, d = size
    game = Entropic(1.0, 1.5, 1.0, rng.uniform(-1, 1, (n, d)), rng.dirichlet(np.full(d, 2.0), n))
    res = solve(game.grad, n, d, method="mirror_descent", max_iter=2000)
    assert res.method == "mirror_descent"
    assert res.converged and res.residual < 1e-12
    assert is_equilibrium(game.utility, game.grad, res.weights)
    assert max_deviation_gain(game.utility, game.grad, res.weights) <= 1e-12
    # the independent Euclidean route agrees (the equilibrium is interior)
    eg = extragradient(game.grad, uniform(n, d), max_iter=2000)
    assert eg.converged
    np.testing.assert_allclose(eg.weights, res.weights, atol=1e-9)


def test_mirror_descent_on_overlap_game_matches_formula():
    game = random_overlap(np.random.default_rng(11), 3, 3)
    W = game.interior_formula()
    assert W.min() > 1e-3
    res = mirror_descent(game.grad, uniform(3, 3), max_iter=5000)
    assert res.converged
    np.testing.assert_allclose(res.weights, W, atol=1e-9)


# ---------------------------------------------------------------- bimatrix (linear) game

PENNIES = np.array([[1.0, -1.0], [-1.0, 1.0]])


def pennies_utility(W):
    u = W[..., 0, :] @ PENNIES @ W[..., 1, :]
    return np.array([u, -u])


def pennies_grad(W):
    return np.stack([PENNIES @ W[1], -PENNIES.T @ W[0]])


def test_matching_pennies_mixed_equilibrium():
    W = np.full((2, 2), 0.5)
    for i in range(2):
        gain, _ = best_deviation_gain(pennies_utility, pennies_grad, W, i, concave=False)
        assert abs(gain) <= 1e-15
    assert max_deviation_gain(pennies_utility, pennies_grad, W, concave=False) <= 1e-15
    assert kkt_residual(pennies_grad, W) == 0.0
    assert is_equilibrium(pennies_utility, pennies_grad, W, concave=False)


def test_matching_pennies_pure_profile_is_not_equilibrium():
    W = np.array([[1.0, 0.0], [1.0, 0.0]])  # both heads: player 0 wins, player 1 should switch
    gain0, _ = best_deviation_gain(pennies_utility, pennies_grad, W, 0, concave=False)
    gain1, best1 = best_deviation_gain(pennies_utility, pennies_grad, W, 1, concave=False)
    assert gain0 == 0.0
    assert gain1 == pytest.approx(2.0)
    np.testing.assert_array_equal(best1, [0.0, 1.0])
    assert max_deviation_gain(pennies_utility, pennies_grad, W, concave=False) == pytest.approx(2.0)
    # the concave search (linear utilities are concave) finds the same vertex
    gain_c, _ = best_deviation_gain(pennies_utility, pennies_grad, W, 1, concave=True)
    assert gain_c == pytest.approx(2.0)
    assert not is_equilibrium(pennies_utility, pennies_grad, W, concave=False)
    # slightly off the mixed equilibrium the gain is positive
    V = np.array([[0.6, 0.4], [0.5, 0.5]])
    assert max_deviation_gain(pennies_utility, pennies_grad, V, concave=False) == pytest.approx(0.2)


def test_check_argument_errors():
    W = np.full((2, 2), 0.5)
    with pytest.raises(InputError, match="^i="):
        best_deviation_gain(pennies_utility, pennies_grad, W, 2)
    with pytest.raises(ShapeError, match="^W="):
        kkt_residual(pennies_grad, [0.5, 0.5])
    with pytest.raises(InputError, match="^W="):
        kkt_residual(pennies_grad, [[np.nan, 0.5], [0.5, 0.5]])
    with pytest.raises(ShapeError, match="utility"):
        best_deviation_gain(lambda W: np.zeros(3), pennies_grad, W, 0)
    assert not is_equilibrium(pennies_utility, pennies_grad, [[0.5, 0.6], [0.5, 0.5]], concave=False)

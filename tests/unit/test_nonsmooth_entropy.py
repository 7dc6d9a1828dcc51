"""Issue 19: L1 prior penalty (kinks) and entropy plus a convex bonus (0 log 0, Z3 Hessian signs) are solved."""

import itertools

import numpy as np
import sympy as sp

from symalign.core.concavity import own_concavity
from symalign.core.hessian_signs import diagonal_sign_proof
from symalign.io.gamefile import game_from_mapping
from symalign.numeric.nonsmooth import one_sided_derivative, one_sided_kkt
from symalign.numeric.solve import solve


def _l1(beta="1/5"):
    return game_from_mapping({
        "family": "custom", "agents": 2, "groups": ["a", "b", "c"],
        "utility": "sum(a[d]*w[d], d) - beta*sum(abs(w[d] - p[d]), d) - gamma*sum(w[d]*m[d], d)",
        "kinds": {"a": "vector", "p": "vector"},
        "parameters": {"a": ["1/2", "3/10", "1/5"], "p": ["1/5", "3/10", "1/2"], "beta": beta, "gamma": "3/10"}})


def _exact_regret_on_grid(game, W, steps=10):
    """Largest exact gain of a unilateral deviation to a rational grid point of the simplex (independent check)."""
    best = sp.Integer(0)
    values = dict(zip(list(game.weights), list(W)))
    D = game.n_groups
    grid = [c for c in itertools.product(range(steps + 1), repeat=D - 1) if sum(c) <= steps]
    for i in range(game.n_agents):
        u0 = game.utility(i).xreplace(values)
        for c in grid:
            row = [sp.Rational(k, steps) for k in c] + [1 - sp.Rational(sum(c), steps)]
            dev = dict(values)
            dev.update(dict(zip(list(game.weights.row(i)), row)))
            best = max(best, game.utility(i).xreplace(dev) - u0)
    return best


def test_l1_prior_penalty_is_solved_exactly_at_a_kink():
    game = _l1()
    sol = solve(game)
    (eq,) = sol.equilibria
    assert eq.exact and eq.method == "smoothing + one-sided exact KKT"
    assert not eq.certified and eq.certificate.status == "candidate"  # not quadratic in own weights: the exact checker leaves it a candidate (issue 18), route's KKT exact
    assert sol.concavity.status == "proved"
    assert _exact_regret_on_grid(game, eq.weights) <= 0  # no rational grid deviation gains, exactly


def test_one_sided_kkt_rejects_a_non_equilibrium():
    game = _l1()
    R = ((sp.Rational(1, 3),) * 3, (sp.Rational(1, 3),) * 3)
    assert one_sided_kkt(game, R) is False
    assert _exact_regret_on_grid(game, sp.Matrix(R)) > 0


def test_one_sided_derivatives_of_max_min():
    x = sp.Symbol("x", nonnegative=True)
    f = sp.Min(x, 1 - x)
    half = {x: sp.Rational(1, 2)}
    assert one_sided_derivative(f, half, {x: 1}) == -1 and one_sided_derivative(f, half, {x: -1}) == -1
    g = sp.Max(x, 1 - x)
    assert one_sided_derivative(g, half, {x: 1}) == 1


def _entropy_bonus(k):
    return game_from_mapping({
        "family": "custom", "agents": 2, "groups": ["a", "b"],
        "utility": "k*sum(w[d]**2, d) - tau*sum(w[d]*log(w[d]), d) - c*sum(w[d]*m[d], d)",
        "parameters": {"k": k, "tau": "1/10", "c": "1/2"}})


def test_entropy_plus_small_convex_bonus_is_proved_concave_by_z3_and_solved():
    game = _entropy_bonus("1/50")
    conc = own_concavity(game)
    assert conc.status == "proved" and "Z3" in conc.method
    import z3

    for _, proof in conc.certificates:  # the certificate re-runs: each SMT-LIB query is unsat
        for q in proof.queries:
            solver = z3.Solver()
            solver.from_string(q)
            assert solver.check() == z3.unsat
    sol = solve(game)
    (eq,) = sol.equilibria
    assert eq.exact and not eq.certified and eq.certificate.status == "candidate"  # not quadratic in own weights: the exact checker leaves it a candidate (issue 18), route's KKT exact
    # independent exact check: own gradients equal across groups at the profile
    values = dict(zip(list(game.weights), list(eq.weights)))
    for i in range(2):
        g = [sp.diff(game.utility(i), game.weights[i, d]).xreplace(values) for d in range(2)]
        assert sp.simplify(g[0] - g[1]) == 0


def test_entropy_plus_large_convex_bonus_no_nan_at_vertices():
    game = _entropy_bonus(1)
    assert own_concavity(game).status == "refuted"
    sol = solve(game)  # used to fail: utility(W)=array([0.9, nan])
    assert sol.equilibria
    for eq in sol.equilibria:
        assert np.all(np.isfinite(eq.as_array())) and eq.deviation_gain is not None


def test_z3_sign_proof_is_three_valued_and_rechecked():
    x, y = sp.symbols("x y", nonnegative=True)
    assert diagonal_sign_proof([2 * x - 3], [[x, y]]).status == "proved"
    r = diagonal_sign_proof([2 * x - 1], [[x, y]])
    assert r.status == "refuted" and 2 * r.witness[x] - 1 > 0
    assert diagonal_sign_proof([sp.log(x)], [[x, y]]).status == "unknown"

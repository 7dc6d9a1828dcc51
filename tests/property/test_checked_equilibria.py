"""Property: for random custom utilities, concave or not, nothing reported as an equilibrium can be improved.

Utilities are random polynomials in own weights with interaction terms,

    U_i = sum_d a_{i,d} w_{i,d} + q sum_d w_{i,d}^2 + r sum_d w_{i,d} m_{i,d} + s sum_d w_{i,d}^3,

with ``q`` and ``s`` of either sign (so own-concavity may hold, fail, or
hold only on part of the simplex).  Every profile :func:`symalign.numeric.solve.solve`
reports as an equilibrium is checked here by a route that shares no code
with it: the utility written out in NumPy, evaluated on a grid of the
simplex, then refined by SciPy's SLSQP from the best grid points.  No agent
may gain more than ``1e-9 (1 + |U_i|)``.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symalign import Game
from symalign.core.families.custom import CustomFamily
from symalign.core.params import ParamSpec
from symalign.numeric.solve import solve

optimize = pytest.importorskip("scipy.optimize")

FAMILY = CustomFamily(
    "sum(a[d]*w[d], d) + q*sum(w[d]**2, d) + r*sum(w[d]*m[d], d) + s*sum(w[d]**3, d)",
    (ParamSpec("a", "vector"), ParamSpec("q", "scalar"), ParamSpec("r", "scalar"), ParamSpec("s", "scalar")),
)

coef = st.fractions(min_value=-2, max_value=2, max_denominator=4)


@st.composite
def games(draw):
    D = draw(st.integers(2, 3))
    a = [[draw(st.fractions(min_value=-3, max_value=3, max_denominator=2)) for _ in range(D)] for _ in range(2)]
    q, r, s = draw(coef), draw(coef), draw(st.sampled_from([Fraction(0), Fraction(0), draw(coef)]))
    values = dict(a=[[str(x) for x in row] for row in a], q=str(q), r=str(r), s=str(s))
    return Game.create(FAMILY, 2, D, **values), (np.array(a, dtype=float), float(q), float(r), float(s))


def _utility(coeffs, W, i):
    a, q, r, s = coeffs
    w, m = W[i], W[1 - i]
    return float(a[i] @ w + q * np.sum(w ** 2) + r * np.sum(w * m) + s * np.sum(w ** 3))


def _grid(D, n):
    pts = [np.array(c) / n for c in itertools.product(range(n + 1), repeat=D - 1) if sum(c) <= n]
    return [np.append(p, 1 - p.sum()) for p in pts]


def independent_gain(coeffs, W, i):
    """Best deviation gain of agent i: grid of the simplex, then SLSQP from the best grid points."""
    D = W.shape[1]
    base = _utility(coeffs, W, i)

    def value(x):
        V = W.copy()
        V[i] = x
        return _utility(coeffs, V, i)

    grid = sorted(_grid(D, 60 if D == 2 else 40), key=value, reverse=True)
    best = value(grid[0])
    cons = ({"type": "eq", "fun": lambda x: np.sum(x) - 1},)
    for x0 in grid[:4]:
        res = optimize.minimize(lambda x: -value(x), x0, method="SLSQP", bounds=[(0, 1)] * D, constraints=cons)
        x = np.clip(res.x, 0, 1)
        x = x / x.sum()
        best = max(best, value(x))
    return best - base


@settings(max_examples=max(10, settings().max_examples // 2))
@given(games())
def test_nothing_reported_as_an_equilibrium_has_a_profitable_deviation(drawn):
    game, coeffs = drawn
    sol = solve(game)
    for eq in sol.equilibria:
        W = eq.as_array()
        assert np.allclose(W.sum(axis=1), 1) and np.all(W >= -1e-12)
        for i in range(2):
            scale = 1 + abs(_utility(coeffs, W, i))
            assert independent_gain(coeffs, W, i) <= 1e-9 * scale, (eq, sol.concavity)
        if eq.certified and sol.concavity.status != "proved":
            # "exact" in JSON without proved concavity: only from the checker's exact best response over faces
            assert eq.certificate.check == "faces", eq.certificate
    for eq in sol.stationary_points:  # those reported as not equilibria really are improvable
        assert eq.deviation_gain > 1e-9
        W = eq.as_array()
        assert max(independent_gain(coeffs, W, i) for i in range(2)) > 1e-9 * 0.5

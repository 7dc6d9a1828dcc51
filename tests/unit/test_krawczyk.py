"""Issue 19: certified isolating boxes (Krawczyk, arb balls) for KKT points that are not recognised exactly."""

import mpmath
import numpy as np
import sympy as sp

from symalign.io.gamefile import game_from_mapping
from symalign.core.kkt import kkt_system
from symalign.numeric.krawczyk import certify_kkt_point, krawczyk_box
from symalign.numeric.solve import solve

x, y = sp.symbols("x y", real=True)


def test_box_holds_the_root_and_excludes_wrong_points():
    box = krawczyk_box([x**2 + y**2 - 1, x - y], [x, y], [0.70710678118, 0.70710678118])
    assert box.status == "unique"
    r = sp.sqrt(2) / 2
    assert box.contains([r, r]) and not box.contains([r + sp.Rational(1, 10**6), r])


def test_double_root_and_far_start_are_unknown_never_unique():
    assert krawczyk_box([x**2], [x], [1e-9]).status == "unknown"  # singular Jacobian at the root
    assert krawczyk_box([x**2 - 2], [x], [1.5]).status == "unknown"  # no root within the radii tried


def _entropic():
    return game_from_mapping({
        "family": "custom", "agents": 2, "groups": ["a", "b", "c"],
        "utility": "sum(a[d]*w[d], d) - tau*sum(w[d]*log(w[d]), d) - c*sum(w[d]*m[d], d)",
        "parameters": {"a": [[1, 0, "1/2"], ["1/5", "7/10", "1/10"]], "tau": "1/2", "c": "3/10"}})


def test_entropic_equilibrium_is_boxed_and_the_box_holds_an_independent_root():
    game = _entropic()
    (eq,) = solve(game).equilibria
    assert eq.method.endswith("+krawczyk") and eq.concavity == "proved" and not eq.exact
    W = eq.as_array()
    box = certify_kkt_point(game, W, ((0, 1, 2), (0, 1, 2)), kkt_system(game).gradients)
    assert box is not None and box.width() < 1e-5
    # independent route: the softmax fixed point w_i = softmax((a_i - c w_j) / tau) at 40 digits (mpmath)
    mpmath.mp.dps = 40
    a = [[1, 0, mpmath.mpf(1) / 2], [mpmath.mpf(1) / 5, mpmath.mpf(7) / 10, mpmath.mpf(1) / 10]]
    tau, c = mpmath.mpf(1) / 2, mpmath.mpf(3) / 10
    w = [[mpmath.mpf(1) / 3] * 3 for _ in range(2)]
    for _ in range(200):
        new = []
        for i in range(2):
            e = [mpmath.exp((a[i][d] - c * w[1 - i][d]) / tau) for d in range(3)]
            new.append([v / sum(e) for v in e])
        w = new
    point = [sp.Float(str(w[i][d]), 40) for i in range(2) for d in range(3)]
    assert all(box.lower[k] < point[k] < box.upper[k] for k in range(6))  # the weights (then 2 multipliers)
    assert np.allclose(W.reshape(-1), [float(p) for p in point], atol=1e-9)

"""Issue 19: with symbolic temperature, (1/2, 1/2) is a logit QRE of the coordination game for every tau."""

import sympy as sp

from symalign.core.equilibrium import Equilibrium
from symalign.io.gamefile import game_from_mapping
from symalign.numeric.closed_forms import find_closed_form
from symalign.numeric.deviation import deviation_gain


def _game(utility):
    return game_from_mapping({"family": "custom", "agents": 2, "groups": ["x", "y"], "utility": utility,
                              "signs": {"tau": "positive"}, "parameters": {"tau": "tau"}})


def test_uniform_qre_for_every_temperature():
    game = _game("sum(w[d]*m[d], d) - tau*sum(w[d]*log(w[d]), d)")
    res = find_closed_form(game)
    assert res.route == "uniform"
    (eq,) = res.equilibria
    assert all(x == sp.Rational(1, 2) for x in eq.weights)
    tau = next(iter(game.free_symbols()))
    for value in ("1/10", "1/4", "1", "3"):  # independent check at sample temperatures: no profitable deviation
        g = game.subs({tau: sp.Rational(value)})
        assert deviation_gain(g, Equilibrium(g, eq.weights, eq.support)) < 1e-9


def test_uniform_route_does_not_fire_when_the_uniform_profile_is_not_stationary():
    game = _game("w[0]*m[0] + 2*w[1]*m[1] - tau*sum(w[d]*log(w[d]), d)")  # unequal payoffs
    assert find_closed_form(game).route != "uniform"

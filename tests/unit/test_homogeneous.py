"""Homogeneous games beyond the agents limit: the mean-field reduction equals the explicit N-agent solve."""

import pytest

from symalign import DerivationError, Game, InputError, get_family, solve
from symalign.numeric.homogeneous import is_homogeneous, solve_homogeneous


@pytest.mark.parametrize("variant", ["overlap", "distance"])
@pytest.mark.parametrize("n", [3, 5])
def test_matches_the_explicit_game(variant, n, monkeypatch):
    from symalign.numeric import solve as solve_module

    params = dict(alpha=1, beta=2, gamma="1/2", a=[0.5, 0.3, 0.2], p=[0.4, 0.4, 0.2])
    explicit = Game.create(get_family("active_alignment", variant), n, ["x", "y", "z"], **params)
    sol = solve_homogeneous(explicit, n)
    # the reference must not take the mean-field route itself (solve does for homogeneous games, N > 2)
    monkeypatch.setattr(solve_module, "_symmetric", lambda g, tol: None)
    exact = solve(explicit).equilibria[0]
    monkeypatch.undo()
    assert exact.method != "mean-field (symmetric profile)"
    assert sol.checked and exact.exact
    assert all(tuple(exact.weights.row(i)) == sol.weights for i in range(n))
    assert solve_homogeneous(explicit, 10**6).checked


def test_non_interior_and_heterogeneous_are_refused():
    fam = get_family("active_alignment", "overlap")
    corner = Game.create(fam, 2, ["x", "y"], alpha=5, beta=1, gamma=0, a=[1, 0], p=[0.5, 0.5])
    with pytest.raises(DerivationError, match="not interior"):
        solve_homogeneous(corner, 1000)
    mixed = Game.create(fam, 2, ["x", "y"], alpha=[1, 2], beta=1, gamma=0, a=[1, 0], p=[0.5, 0.5])
    assert not is_homogeneous(mixed)
    with pytest.raises(InputError, match="identical"):
        solve_homogeneous(mixed, 1000)


def test_a_stationary_point_of_a_convex_utility_is_not_checked():
    # U_i = |w_i|^2 - <w_i, m_i> is convex in own weights: the interior stationary point is a minimum
    from symalign.core.families.custom import CustomFamily
    from symalign.numeric.closed_forms import find_closed_form

    g = Game.create(CustomFamily("sum(w[d]**2, d) - sum(w[d]*m[d], d)"), 2, 2)
    sol = solve_homogeneous(g, 5)
    assert not sol.checked and sol.deviation_gain > 0.4
    cf = find_closed_form(g)
    assert cf.deviation_gain > 0.4 and any("NOT an equilibrium" in n for n in cf.notes)

"""Homogeneous games beyond the agents limit: the mean-field reduction equals the explicit N-agent solve."""

import pytest

from symalign import DerivationError, Game, InputError, get_family, solve
from symalign.numeric.homogeneous import is_homogeneous, solve_homogeneous


@pytest.mark.parametrize("variant", ["overlap", "distance"])
@pytest.mark.parametrize("n", [3, 5])
def test_matches_the_explicit_game(variant, n):
    params = dict(alpha=1, beta=2, gamma="1/2", a=[0.5, 0.3, 0.2], p=[0.4, 0.4, 0.2])
    explicit = Game.create(get_family("active_alignment", variant), n, ["x", "y", "z"], **params)
    sol = solve_homogeneous(explicit, n)
    exact = solve(explicit).equilibria[0]
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

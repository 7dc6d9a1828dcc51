"""FLINT's exact rational solve of support systems agrees with the pure sparse elimination."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from symalign import Game, get_family
from symalign.core import affine_solve
from symalign.core.affine_solve import gauss_jordan, solve_dense, solve_support
from symalign.core.linear import InconsistentSystem, SingularSystem
from symalign.core.quadratic import quadratic_utilities

pytest.importorskip("flint")


def _system(n, rhs, seed):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        row = {k: Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 7))) for k in range(n + rhs)
               if rng.random() < 0.6}
        rows.append({k: v for k, v in row.items() if v})
    return rows


@pytest.mark.parametrize("seed", range(6))
def test_dense_equals_sparse_elimination(seed):
    rows = _system(7, 3, seed)
    try:
        ref = gauss_jordan(rows, 7, 3)
    except (SingularSystem, InconsistentSystem) as exc:
        with pytest.raises(type(exc)):
            solve_dense(rows, 7, 3)
        return
    assert solve_dense(rows, 7, 3) == ref


def test_singular_and_inconsistent_systems_keep_their_diagnosis():
    F = Fraction
    singular = [{0: F(1), 1: F(1), 2: F(2)}, {0: F(2), 1: F(2), 2: F(4)}]
    inconsistent = [{0: F(1), 1: F(1), 2: F(2)}, {0: F(2), 1: F(2), 2: F(5)}]
    with pytest.raises(SingularSystem):
        solve_dense(singular, 2, 1)
    with pytest.raises(InconsistentSystem):
        solve_dense(inconsistent, 2, 1)


def test_support_solution_is_the_same_with_and_without_flint(monkeypatch):
    rng = np.random.default_rng(3)
    n, d = 5, 4
    prior = []
    for _ in range(n):
        k = rng.integers(1, 50, d)
        prior.append([f"{int(x)}/{int(k.sum())}" for x in k])
    g = Game.create(get_family("active_alignment", "overlap"), n, d,
                    alpha=[f"{int(rng.integers(5, 15))}/10" for _ in range(n)],
                    beta=[f"{int(rng.integers(10, 20))}/10" for _ in range(n)],
                    gamma=[f"{int(rng.integers(0, 5))}/10" for _ in range(n)],
                    a=[[f"{int(rng.integers(0, 10))}/10" for _ in range(d)] for _ in range(n)], p=prior)
    q = quadratic_utilities(g)
    support = ((0, 1, 2, 3), (0, 1), (1, 2, 3), (0, 1, 2, 3), (2,))
    fast = solve_support(q, support)  # verified exactly against c + M w inside solve_support
    monkeypatch.setattr(affine_solve, "_FLINT", [None])
    slow = solve_support(q, support)
    assert fast[0] == slow[0] and fast[1] == slow[1]

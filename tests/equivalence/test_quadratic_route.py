"""The exact quadratic-utility route of a numeric solve against the symbolic route it replaces.

Each family providing ``quadratic_utilities`` must describe exactly its
symbolic utility; the own Hessians, Rosen's matrix, the support solves and
whole ``solve`` results must then be identical with and without the fast
route (the hook disabled by emptying it).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.core import quadratic
from symalign.numeric import cache as numeric_cache
from symalign.core.affine_solve import equilibrium_on_support, gauss_jordan
from symalign.core.concavity import own_concavity
from symalign.core.derive import all_supports, derive_on_support
from symalign.core.kkt import kkt_system
from symalign.core.linear import InconsistentSystem, SingularSystem
from symalign.core.rosen import dsc_matrix, negative_definite, own_hessian, tangent_basis
from symalign.core.rosen_affine import dsc_holds, dsc_matrix_exact
from symalign.numeric.compile import numeric_game
from symalign.numeric.solve import solve


def _rat(rng, lo, hi):
    return sp.Rational(int(rng.integers(lo, hi)), 10)


def _aa(rng, variant, N, D):
    p = [[sp.Rational(int(x * 100), 100) for x in row[:-1]] for row in rng.dirichlet(np.ones(D), N)]
    p = [row + [1 - sum(row)] for row in p]
    return Game.create(get_family("active_alignment", variant), N, [f"g{d}" for d in range(D)],
                       alpha=[_rat(rng, 1, 20) for _ in range(N)], beta=[_rat(rng, 5, 20) for _ in range(N)],
                       gamma=[_rat(rng, 0, 4) for _ in range(N)],
                       a=[[_rat(rng, -5, 10) for _ in range(D)] for _ in range(N)], p=p)


def _poly(rng, N, D):
    A = [[rng.integers(-5, 6, (D, D)).tolist() if i != j else np.zeros((D, D), int).tolist() for j in range(N)]
         for i in range(N)]
    return Game.create(get_family("polymatrix"), N, [f"s{d}" for d in range(D)], A=A)


def _games(seed):
    rng = np.random.default_rng(seed)
    N, D = int(rng.integers(2, 4)), int(rng.integers(2, 4))
    return [_aa(rng, "overlap", N, D), _aa(rng, "distance", N, D), _poly(rng, N, D)]


@pytest.mark.parametrize("seed", range(4))
def test_quadratic_utilities_equal_the_symbolic_utilities(seed):
    for g in _games(seed):
        q = quadratic.quadratic_utilities(g)
        kkt = kkt_system(g)
        c, rows = q.affine_gradient
        flat = list(g.weights)
        W = np.random.default_rng(seed).dirichlet(np.ones(g.n_groups), g.n_agents)
        for i in range(g.n_agents):
            assert sp.expand(q.to_sympy(i, g.weights) - g.utility(i)) == 0
            H = q.own_hessian(i)
            assert sp.Matrix(H) == sp.hessian(g.utility(i), list(g.weights.row(i)))
            for d in range(g.n_groups):
                const, coeffs = kkt.affine_parts()[i][d]
                r = i * g.n_groups + d
                assert sp.Rational(c[r].numerator, c[r].denominator) == const
                assert {flat[k]: sp.Rational(v.numerator, v.denominator) for k, v in rows[r].items()} == \
                    {w: x for w, x in coeffs.items() if x != 0}
        ng = numeric_game(g)
        assert np.allclose(q.utility(W), ng.utility(W), rtol=1e-12, atol=1e-12)
        assert np.allclose(q.grad(W), ng.grad(W), rtol=1e-12, atol=1e-12)
        assert np.allclose(q.grad(np.stack([W, W])), np.stack([ng.grad(W)] * 2))


@pytest.mark.parametrize("seed", range(4))
def test_rosen_and_concavity_from_quadratic_utilities_equal_the_symbolic_ones(seed):
    for g in _games(seed):
        A, den = dsc_matrix_exact(g)  # built from the quadratic utilities
        assert sp.Matrix(A) / den == -dsc_matrix(g)
        assert dsc_holds(g) is bool(negative_definite(dsc_matrix(g)))
        assert dsc_holds(g) == dsc_holds(g, kkt_system(g))  # the KKT-parts route
        q = quadratic.quadratic_utilities(g)
        B = tangent_basis(g.n_groups)
        for i in range(g.n_agents):  # the tangent-space own Hessian the symbolic concavity test uses
            H = sp.Matrix(q.own_hessian(i)).applyfunc(lambda f: sp.Rational(f.numerator, f.denominator))
            assert B.T * H * B == own_hessian(g, i)


def test_concavity_identical_without_the_quadratic_route(monkeypatch):
    from symalign.core.families.custom import CustomFamily

    games = [g for s in range(3) for g in _games(s)]
    games.append(Game.create(get_family("active_alignment", "distance"), 3, ["x", "y", "z"], alpha=1, beta=2,
                             gamma=1, a=[[1, 0, 0]] * 3, p=[0.4, 0.3, 0.3]))
    games.append(Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]],
                                                                          "B": [[-1, 1], [1, -1]]}))
    fast = [own_concavity(g) for g in games]
    assert {c.status for c in fast} >= {"proved"}
    monkeypatch.setattr(quadratic, "_build", lambda game: None)
    _clear()
    slow = [own_concavity(replace(g)) for g in games]
    _clear()
    assert [(c.status, c.strict, c.method) for c in fast] == [(c.status, c.strict, c.method) for c in slow]
    convex = Game.create(CustomFamily("sum(w[d]**2, d) - sum(w[d]*m[d], d)"), 2, 3)
    assert own_concavity(convex).status == "refuted"  # no hook: the symbolic route


@pytest.mark.parametrize("seed", range(4))
def test_support_solves_equal_derive_on_support(seed):
    for g in _games(seed):
        q = quadratic.quadratic_utilities(g)
        kkt = kkt_system(g)
        for n, profile in enumerate(itertools.product(list(all_supports(g.n_groups)), repeat=g.n_agents)):
            if n > 40:
                break
            try:
                ref = derive_on_support(g, profile, kkt=kkt)
            except (SingularSystem, InconsistentSystem) as exc:
                with pytest.raises(type(exc)):
                    equilibrium_on_support(g, q, profile)
                continue
            eq = equilibrium_on_support(g, q, profile)
            assert eq.weights == ref.weights and eq.multipliers == ref.multipliers
            assert eq.slack == ref.slack and eq.conditions == ref.conditions and eq.valid == ref.valid


def test_gauss_jordan_singular_and_inconsistent():
    from fractions import Fraction as F

    with pytest.raises(SingularSystem):
        gauss_jordan([{0: F(1), 1: F(1), 2: F(1)}, {0: F(2), 1: F(2), 2: F(2)}], 2, 1)
    with pytest.raises(InconsistentSystem):
        gauss_jordan([{0: F(1), 1: F(1), 2: F(1)}, {0: F(2), 1: F(2), 2: F(3)}], 2, 1)


def _summary(sol):
    return (sol.unique, sol.degenerate, sol.concavity.status, sol.concavity.strict,
            [(e.weights, e.support, e.multipliers, e.certified, e.isolated) for e in sol.equilibria],
            [e.weights for e in sol.stationary_points])


@pytest.mark.parametrize("seed", range(3))
def test_solve_results_identical_with_and_without_the_quadratic_route(seed, monkeypatch):
    games = _games(seed)
    fast = [_summary(solve(g)) for g in games]
    monkeypatch.setattr(quadratic, "_build", lambda game: None)
    _clear()
    slow = [_summary(solve(replace(g))) for g in games]  # fresh Game objects: no per-object cache
    _clear()
    assert fast == slow


def _clear():
    quadratic.CACHE.clear()
    numeric_cache.CACHE.clear()

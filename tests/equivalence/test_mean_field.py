"""Closed form for symbolic N: equals explicit-N derivations and shared/model.md T3 (homogeneous)."""

import pytest
import sympy as sp

from symalign import Game, derive_on_support, get_family
from symalign.errors import DerivationError
from symalign.core.meanfield import derive_mean_field


@pytest.mark.parametrize("variant", ["overlap", "distance"])
@pytest.mark.parametrize("N", [2, 3, 4])
def test_symbolic_n_instantiates_to_explicit_derivation(variant, N):
    fam = get_family("active_alignment", variant)
    cf = derive_mean_field(fam, 2)
    game = Game.symbolic(fam, N, 2)
    explicit = derive_on_support(game)
    inst = cf.instantiate(game)
    for x, y in zip(inst, explicit.weights):
        assert sp.cancel(x - y) == 0


def test_symbolic_n_equals_model_t3_homogeneous():
    D = 3
    cf = derive_mean_field(get_family("active_alignment", "overlap"), D)
    N = cf.n
    alpha, beta, gamma = (cf.scalars[k] for k in ("alpha", "beta", "gamma"))
    a, p = sp.Matrix([cf.own["a"]]), sp.Matrix([cf.own["p"]])
    abar, pbar = sp.Matrix([cf.bar["a"]]), sp.Matrix([cf.bar["p"]])
    c = lambda v: v - sp.ones(1, D) * (sum(v) / D)
    Wbar = (beta * pbar + gamma / D * sp.ones(1, D) + alpha * c(abar)) / (beta + gamma)
    w_i = Wbar + (alpha * (c(a) - c(abar)) + beta * (p - pbar)) / (beta - gamma / (N - 1))
    simplex = {p[D - 1]: 1 - sum(p[:D - 1]), pbar[D - 1]: 1 - sum(pbar[:D - 1])}
    for d in range(D):
        assert sp.cancel((cf.mean[d] - Wbar[d]).xreplace(simplex)) == 0
        assert sp.cancel((cf.agent[d] - w_i[d]).xreplace(simplex)) == 0


def test_polymatrix_is_refused():
    with pytest.raises(DerivationError, match="pairwise"):
        derive_mean_field(get_family("polymatrix"), 2)

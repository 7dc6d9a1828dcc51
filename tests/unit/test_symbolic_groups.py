"""Symbolic number of groups D: the generic-group closed form against explicit derivations."""

from __future__ import annotations

import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.core.derive import derive_on_support
from symalign.core.groups import D_SYMBOL, derive_generic_group, instantiate
from symalign.errors import DerivationError


@pytest.mark.parametrize("variant, n, groups", [
    ("overlap", 2, (2, 3)),
    ("distance", 2, (2, 3)),
    pytest.param("overlap", 2, (4, 5), marks=pytest.mark.slow),
    pytest.param("overlap", 3, (2, 3), marks=pytest.mark.slow),
    pytest.param("distance", 3, (2, 3), marks=pytest.mark.slow),
])
def test_generic_group_form_equals_explicit_derivations(variant, n, groups):
    fam = get_family("active_alignment", variant)
    form = derive_generic_group(fam, n)
    assert all(D_SYMBOL in w.free_symbols for w in form.weights)
    for D in groups:
        g = Game.symbolic(fam, n, D)
        eq = derive_on_support(g)
        P = g.params["p"]
        simplex = {P[i, D - 1]: 1 - sum(P[i, k] for k in range(D - 1)) for i in range(n)}
        diff = (instantiate(form, g) - eq.weights).xreplace(simplex)
        assert all(sp.cancel(x) == 0 for x in diff), (variant, n, D)


def test_generic_group_weights_sum_to_one_over_groups():
    form = derive_generic_group(get_family("active_alignment", "overlap"), 2)
    g = Game.symbolic(get_family("active_alignment", "overlap"), 2, 5)
    M = instantiate(form, g)
    P = g.params["p"]
    simplex = {P[i, 4]: 1 - sum(P[i, k] for k in range(4)) for i in range(2)}
    assert all(sp.cancel(sum(M.row(i)).xreplace(simplex) - 1) == 0 for i in range(2))


@pytest.mark.parametrize("family", [get_family("active_alignment", "entropic"), get_family("polymatrix")])
def test_families_that_mix_groups_or_are_not_affine_are_refused(family):
    with pytest.raises(DerivationError):
        derive_generic_group(family, 2)

"""The Python API validates its arguments with the package's own exceptions (ValueError / TypeError)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from symalign import (ArgumentTypeError, Game, SymalignError, derive_on_support, exclusion_conditions, find_equilibrium,
                      get_family, minimal_subsidy, solve)
from symalign.analysis.steering import shift_attractiveness
from symalign.analysis.sweep import Axis, parse_axis, sweep

FAM = get_family("active_alignment", "overlap")
GOOD = dict(alpha=1, beta=2, gamma=0, a=[[1, 0], [0, 1]], p=[0.5, 0.5])


def num():
    return Game.create(FAM, 2, ["x", "y"], **GOOD)


BAD_CREATE = [
    dict(family="active_alignment"), dict(family=None), dict(n_agents="2"), dict(n_agents=2.5), dict(n_agents=0),
    dict(n_agents=True), dict(groups="xy"), dict(groups=b"xy"), dict(groups=None), dict(groups=[1, 2]),
    dict(groups=["x"]), dict(groups=["x", "x"]), dict(groups=True), dict(groups=1.5),
    dict(alpha="1e400"), dict(alpha=10**3000), dict(alpha=float("nan")), dict(alpha=float("inf")), dict(alpha="nan"),
    dict(alpha=sp.sqrt(-1)), dict(alpha=complex(1, 1)), dict(alpha=sp.oo), dict(alpha=[1, 2, 3]), dict(alpha=None),
    dict(alpha=object()), dict(alpha=sp.Symbol("x") > 0), dict(beta=-1), dict(beta=0), dict(p=[0.5, 0.6]),
    dict(p=[[0.5, 0.5]]), dict(a="[[1,0],[0,1]]"), dict(a=[[1, 0], [0]]), dict(a=np.zeros((3, 3))),
    dict(a=[["x", 0], [0, 1]]), dict(zeta=1), dict(alpha="1" + "0" * 200), dict(alpha="1e999999999"),
    dict(alpha=sp.Float("1e400")), dict(alpha=sp.Rational(1, 10**200)),
]


@pytest.mark.parametrize("change", BAD_CREATE, ids=[repr(c)[:40] for c in BAD_CREATE])
def test_create_refuses_bad_arguments(change):
    args = {"family": FAM, "n_agents": 2, "groups": ["x", "y"], **GOOD, **change}
    with pytest.raises(SymalignError) as info:
        Game.create(args.pop("family"), args.pop("n_agents"), args.pop("groups"), **args)
    assert isinstance(info.value, (ValueError, TypeError))


@pytest.mark.parametrize("homogeneous", ["no", 0, 1, None, "false"])
def test_symbolic_homogeneous_must_be_bool(homogeneous):
    with pytest.raises(ArgumentTypeError):
        Game.symbolic(FAM, 2, ["x", "y"], homogeneous=homogeneous)


@pytest.mark.parametrize("values", [
    "gamma", ["gamma"], {1: 2}, {"nosuch": 1}, {"gamma": None}, {"gamma": "1e400"}, {"gamma": "sqrt(-1)"},
    {"gamma": float("nan")}, {"gamma": "gamma +"}, {"gamma": {"a": 1}}, {"gamma": sp.Symbol("x") > 1},
    {"gamma": 10**3000}, {"gamma": "x"},
])
def test_subs_refuses_bad_values(values):
    sym = Game.symbolic(FAM, 2, ["x", "y"])
    with pytest.raises(SymalignError):
        sym.subs(values)
    with pytest.raises(SymalignError):
        derive_on_support(sym).subs(values)


def test_subs_accepts_names_numbers_and_expression_text():
    sym = Game.symbolic(FAM, 2, ["x", "y"])
    beta = next(s for s in sym.free_symbols() if s.name == "beta")
    g = sym.subs({"gamma": "beta/4", beta: 2, "alpha": 0.5})
    assert g.param("gamma", 0) == sp.Rational(1, 2) or g.param("gamma", 0) == beta / 4
    assert g.param("alpha", 0) == sp.Rational(1, 2)


@pytest.mark.parametrize("kwargs", [
    dict(max_profiles=-1), dict(max_profiles=0), dict(max_profiles=1.5), dict(max_profiles="10"),
    dict(tol=-1), dict(tol=float("nan")), dict(tol="1e-9"), dict(tol=0),
])
def test_solve_keywords(kwargs):
    with pytest.raises(SymalignError):
        solve(num(), **kwargs)


@pytest.mark.parametrize("game", [None, "game.toml", 3, FAM])
def test_functions_refuse_a_non_game(game):
    for fn in (solve, find_equilibrium, derive_on_support, exclusion_conditions, lambda g: minimal_subsidy(g, 0)):
        with pytest.raises(ArgumentTypeError):
            fn(game)


@pytest.mark.parametrize("shift", ["abc", 3, None, {"nosuch": 1}, {"x": "__import__('os')"}, [1], [1, 2, 3],
                                   {"x": float("inf")}, {"x": "1e400"}])
def test_shift_attractiveness_refuses(shift):
    with pytest.raises(SymalignError):
        shift_attractiveness(num(), shift)


@pytest.mark.parametrize("kwargs", [dict(chunk=0), dict(chunk=-5), dict(support_tol=math.nan), dict(progress=3),
                                    dict(use_batch="yes")])
def test_sweep_keywords(kwargs):
    x, y = parse_axis("beta=1:2:3", "--x"), parse_axis("gamma=0:1:3", "--y")
    with pytest.raises(SymalignError):
        sweep(num(), x, y, **kwargs)


def test_sweep_refuses_bad_axes_and_huge_grids():
    with pytest.raises(SymalignError):
        sweep(num(), "beta=1:2:3", "gamma=0:1:3")
    with pytest.raises(SymalignError, match="grid_points"):
        sweep(num(), Axis("beta", 1, 2, 10**4), Axis("gamma", 0, 1, 10**4))

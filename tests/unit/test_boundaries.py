"""Exclusion boundaries of sweeps: the structured route agrees with the general one; complete and deterministic."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.analysis.exclusion import exclusion_condition
from symalign.analysis.inputs import free_parameters
from symalign.analysis.boundaries import _REGIONS, boundary_supports, exclusion_boundaries
from symalign.analysis.regions import relations_hold
from symalign.analysis.structured_exclusion import structured_exclusion_condition
from symalign.analysis.sweep import parse_axis, sweep
from symalign.errors import InputError

A = [[0.27, 0.25, 0.22, 0.19, 0.07], [0.36, 0.28, 0.19, 0.15, 0.02], [0.31, 0.33, 0.19, 0.15, 0.02]]
P = [[0.25, 0.25, 0.2, 0.2, 0.1], [0.3, 0.3, 0.2, 0.15, 0.05], [0.3, 0.3, 0.25, 0.1, 0.05]]


@pytest.fixture(scope="module", params=["overlap", "distance"])
def game(request):
    return Game.create(get_family("active_alignment", request.param), 3, ["l", "cl", "c", "cr", "r"], alpha=1,
                       beta=0.75, gamma=0.1, a=A, p=P)


@pytest.mark.parametrize("support", [((0, 1, 2, 3),) * 3, ((0, 1, 2, 3), (0, 1), (0, 1, 2)), ((0, 2), (1,), (0, 1))])
def test_structured_route_equals_general_route(game, support):
    pg, _ = free_parameters(game, ["beta", "gamma"], shift=False)
    fast = structured_exclusion_condition(pg, 4, support)
    slow = exclusion_condition(pg, 4, support=support)
    assert fast is not None and fast.support == slow.support
    assert all(sp.cancel(s - t) == 0 for s, t in zip(fast.slacks, slow.slacks))
    assert len(fast.validity) == len(slow.validity)
    for u, v in zip(fast.validity, slow.validity):  # the same relation up to a positive factor
        eu, ev = u.lhs - u.rhs, v.lhs - v.rhs
        assert type(u) is type(v) and (sp.cancel(eu - ev) == 0 or sp.cancel(eu / ev).is_positive)
    assert [str(t.relation) for t in fast.thresholds] == [str(t.relation) for t in slow.thresholds]
    # an independent check at an exact point: the reduced weights solve the KKT system there
    at = {s: sp.Rational(3, 2) if s.name == "beta" else sp.Rational(1, 5) for s in pg.free_symbols()}
    Wf = fast.reduced.weights.xreplace(at)
    Ws = slow.reduced.weights.xreplace(at)
    assert all(sp.nsimplify(a - b) == 0 for a, b in zip(Wf, Ws))


def test_structured_route_refuses_a_support_with_the_group(game):
    pg, _ = free_parameters(game, ["beta", "gamma"], shift=False)
    with pytest.raises(InputError, match="support"):
        structured_exclusion_condition(pg, 4, ((0, 4),) * 3)


def test_boundaries_are_complete_and_deterministic(game):
    x, y = parse_axis("beta=0.1:2:60"), parse_axis("gamma=0:1:60")
    r = sweep(game, x, y)
    if not r.excluded[..., 4].any():
        pytest.skip("no exclusion in this box")
    _REGIONS.clear()
    b1 = exclusion_boundaries(r, groups=[4])
    _REGIONS.clear()
    b2 = exclusion_boundaries(sweep(game, x, y), groups=["r"])
    sups = boundary_supports(r, 4)
    derived = [reg.condition.support for reg in b1.regions]
    assert sups and sorted(derived + [s for _, s, _ in b1.omitted]) == sorted(sups)  # every boundary support
    assert derived == [s for s in sups if s in derived]  # in the fixed order of boundary_supports
    assert derived == [reg.condition.support for reg in b2.regions]
    assert [reg.condition.slacks for reg in b1.regions] == [reg.condition.slacks for reg in b2.regions]
    assert b1.omitted == b2.omitted
    # where the grid found exclusion with a piece's support, the derived region contains the point
    gx, gy = np.meshgrid(x.values, y.values)
    for reg in b1.regions:
        at = (r.support == np.array([[d in s for d in range(5)] for s in reg.condition.support])).all(axis=(2, 3))
        at &= r.excluded[..., 4]
        inside = reg.contains(gx[at], gy[at])
        assert inside.mean() > 0.9  # grid supports come from floats: a few points on an edge may differ


def test_relations_hold_on_ratios_and_general_expressions():
    x, y = sp.symbols("x y", positive=True)
    rels = [(x**2 - y) / (x + 1) > 0, sp.sqrt(x) - y >= 0]
    X, Y = np.array([1.0, 2.0, 0.25, 2.0]), np.array([0.5, 5.0, 0.5, 1.0])
    assert relations_hold(rels, x, y, X, Y).tolist() == [True, False, False, True]
    # ratios of polynomials are evaluated from their coefficients: the same values as generated code
    from symalign.analysis.regions import _polynomial_ratios
    from symalign.numeric.compile import compile_expressions

    exprs = [(3 * x**3 * y - x + sp.Rational(1, 7)) / (x**2 + y + 1), x * y - 2, sp.Integer(5)]
    P = np.random.default_rng(0).uniform(0.1, 3, (2, 50))
    fast, ref = _polynomial_ratios(exprs, x, y)(*P), compile_expressions(exprs, [x, y])(*P)
    for u, v in zip(fast, ref):
        np.testing.assert_allclose(u, np.broadcast_to(v, u.shape), rtol=1e-13)
    assert _polynomial_ratios([sp.sqrt(x)], x, y) is None


def test_disk_cache_gives_the_derivation_back(game, tmp_path, monkeypatch):
    from symalign.analysis import structured_exclusion

    monkeypatch.setenv("SYMALIGN_CACHE_DIR", str(tmp_path))
    pg, _ = free_parameters(game, ["beta", "gamma"], shift=False)
    support = ((0, 1, 2, 3), (0, 1), (0, 1, 2))
    first = structured_exclusion_condition(pg, 4, support)
    files = list((tmp_path / "exclusion").glob("*.json"))
    assert len(files) == 1
    structured_exclusion._AGENTS.clear()
    second = structured_exclusion_condition(pg, 4, support)  # read back from the file
    assert [str(s) for s in second.slacks] == [str(s) for s in first.slacks]
    assert [str(v) for v in second.validity] == [str(v) for v in first.validity]
    assert [str(t.relation) for t in second.thresholds] == [str(t.relation) for t in first.thresholds]
    assert second.reduced.weights == first.reduced.weights
    # a file that is not ours (another key, or garbage) is a miss: derived again, never trusted
    files[0].write_text('{"key": "something else"}')
    third = structured_exclusion_condition(pg, 4, support)
    assert [str(s) for s in third.slacks] == [str(s) for s in first.slacks]
    monkeypatch.setenv("SYMALIGN_CACHE_DIR", "off")
    for f in (tmp_path / "exclusion").glob("*.json"):
        f.unlink()
    structured_exclusion_condition(pg, 4, support)
    assert not list((tmp_path / "exclusion").glob("*.json"))

"""Gambit as enumeration engine: every profile re-checked exactly, same equilibria as our enumeration."""

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.core.kkt import kkt_violations
from symalign.errors import InputError
from symalign.numeric import bimatrix, gambit


def _bimatrix(rng, n):
    A = rng.integers(-9, 10, (n, n)).tolist()
    B = rng.integers(-9, 10, (n, n)).tolist()
    return Game.create(get_family("polymatrix"), 2, [f"s{k}" for k in range(n)], A={"A": A, "B": B})


def _key(eqs):
    return sorted(tuple(map(str, e.weights)) for e in eqs)


@pytest.mark.skipif(not gambit.available(), reason="pygambit not installed (optional extra)")
@pytest.mark.parametrize("seed", range(8))
def test_gambit_agrees_with_support_enumeration(seed):
    rng = np.random.default_rng(seed)
    g = _bimatrix(rng, 3) if seed < 4 else _degenerate(rng, 4)
    ours = bimatrix.enumerate_bimatrix(g, engine="symalign")
    theirs = bimatrix.enumerate_bimatrix(g, engine="gambit")
    assert theirs.engine == "gambit-enummixed" and ours.engine == "symalign-vertex-enumeration"
    assert theirs.rejected == ()
    for e in theirs.equilibria:
        assert kkt_violations(g, e.weights) == ()  # independent exact check
    assert _key(theirs.equilibria) == _key(ours.equilibria)  # both list every extreme equilibrium


def test_gambit_answer_that_fails_the_exact_check_is_rejected(monkeypatch):
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    from fractions import Fraction as F

    monkeypatch.setattr(gambit, "available", lambda: True)
    monkeypatch.setattr(gambit, "gambit_profiles", lambda A, B: [[[F(1), F(0)], [F(1), F(0)]],
                                                                [[F(1, 2), F(1, 2)], [F(1, 2), F(1, 2)]]])
    r = bimatrix.enumerate_bimatrix(g)
    assert len(r.equilibria) == 1 and r.equilibria[0].weights == sp.ImmutableMatrix([[sp.Rational(1, 2)] * 2] * 2)
    assert len(r.rejected) == 1 and "exceeds" in r.rejected[0][1][0]


def test_fallback_and_bad_input(monkeypatch):
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    monkeypatch.setattr(gambit, "available", lambda: False)
    r = bimatrix.enumerate_bimatrix(g)
    assert r.engine == "symalign-vertex-enumeration" and len(r.equilibria) == 1
    with pytest.raises(InputError, match="pygambit is not installed"):
        bimatrix.enumerate_bimatrix(g, engine="gambit")
    with pytest.raises(InputError, match="engine"):
        bimatrix.enumerate_bimatrix(g, engine="lrs")
    aa = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 1]],
                     p=[0.5, 0.5])
    with pytest.raises(InputError, match="bimatrix"):
        gambit.bimatrix_payoffs(aa)


# ------------------------------------------------------------------ the exact re-check (no pygambit needed)

from fractions import Fraction  # noqa: E402

from symalign.numeric.enumerate import Component, enumerate_equilibria  # noqa: E402
from symalign.numeric.nash_subsets import hull, maximal_bicliques  # noqa: E402
from symalign.numeric.polymatrix_check import nash_violations  # noqa: E402

needs_gambit = pytest.mark.skipif(not gambit.available(), reason="pygambit not installed (optional extra)")


def _random_profile(rng, n_agents, n_groups):
    out = []
    for _ in range(n_agents):
        kind = rng.integers(3)
        if kind == 0:  # a pure strategy
            row = [Fraction(0)] * n_groups
            row[rng.integers(n_groups)] = Fraction(1)
        else:  # a random rational mixture, sometimes with zeros
            w = [int(x) * int(rng.integers(0, 2) if kind == 1 else 1) for x in rng.integers(1, 6, n_groups)]
            w[rng.integers(n_groups)] += 1
            row = [Fraction(x, sum(w)) for x in w]
        out.append(row)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_fraction_check_agrees_with_the_kkt_check(seed):
    rng = np.random.default_rng(seed)
    g = _bimatrix(rng, 3)
    profiles = [_random_profile(rng, 2, 3) for _ in range(25)]
    profiles += [[[Fraction(x) for x in row] for row in e.weights.tolist()]
                 for e in enumerate_equilibria(g, engine="symalign").isolated]
    passed = 0
    for P in profiles:
        W = sp.ImmutableMatrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in P])
        assert nash_violations(g, P) == kkt_violations(g, W)
        passed += nash_violations(g, P) == ()
    assert 0 < passed < len(profiles)  # both outcomes exercised


def test_fraction_check_on_three_agents_and_bad_input():
    rng = np.random.default_rng(7)
    blocks = [[rng.integers(-3, 4, (2, 2)).tolist() for _ in range(3)] for _ in range(3)]
    g = Game.create(get_family("polymatrix"), 3, ["x", "y"], A=blocks)
    for _ in range(20):
        P = _random_profile(rng, 3, 2)
        W = sp.ImmutableMatrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in P])
        assert nash_violations(g, P) == kkt_violations(g, W)
    with pytest.raises(InputError, match="rational"):
        nash_violations(g, [[0.5, 0.5]] * 3)
    with pytest.raises(InputError, match="shape"):
        nash_violations(g, [[1, 0]] * 2)


def test_maximal_bicliques_and_hull():
    assert maximal_bicliques([("a", 1), ("b", 1), ("b", 2), ("c", 2)]) == [
        (("a", "b"), (1,)), (("b",), (1, 2)), (("b", "c"), (2,))]
    # a hexagon in the plane z = 1 - x - y, given with an interior point and a repeated vertex
    pts = [(2, 0), (4, 0), (6, 2), (4, 4), (2, 4), (0, 2), (3, 2), (2, 0)]
    pts = [(Fraction(x, 8), Fraction(y, 8), 1 - Fraction(x + y, 8)) for x, y in pts]
    base, dirs, ts, cons = hull(pts, "t")
    assert len(dirs) == 2 and len(cons) == 6
    for p in pts:  # every point inside, every vertex on two facets, the interior point on none
        t = sp.Matrix.hstack(*dirs).solve_least_squares(sp.Matrix(p) - base)
        vals = [c.lhs.xreplace(dict(zip(ts, t))) for c in cons]
        assert all(v >= 0 for v in vals)
        assert sum(v == 0 for v in vals) == (0 if p == pts[6] else 2)
    # affinely independent points (a triangle in the simplex of R^3): barycentric facets, same polytope
    tri = [(1, 0, 0), (0, 1, 0), (Fraction(1, 2), Fraction(1, 4), Fraction(1, 4))]
    base, dirs, ts, cons = hull(tri, "s")
    assert len(dirs) == 2 and sorted(map(str, cons)) == ["-s_1 - s_2 + 1 >= 0", "s_1 >= 0", "s_2 >= 0"]
    assert sp.Matrix(base) + sum((t * sp.Matrix(d) for t, d in zip((sp.Rational(1, 3),) * 2, dirs)),
                                 sp.zeros(3, 1)) == sp.Matrix([sum(c) / 3 for c in zip(*tri)])


# ------------------------------------------------------------------ Gambit in solve --all


def _degenerate(rng, n):
    return Game.create(get_family("polymatrix"), 2, [f"s{k}" for k in range(n)],
                       A={"A": rng.integers(-2, 3, (n, n)).tolist(), "B": rng.integers(-2, 3, (n, n)).tolist()})


@needs_gambit
@pytest.mark.parametrize("seed", range(5))
def test_gambit_equilibrium_set_equals_the_exact_enumeration(seed):
    g = _degenerate(np.random.default_rng(seed), 3)
    ours = enumerate_equilibria(g, engine="symalign")
    theirs = enumerate_equilibria(g, engine="gambit")
    assert gambit.GAMBIT_NOTE in theirs.notes and gambit.GAMBIT_NOTE not in ours.notes
    assert {e.method for e in theirs.isolated} <= {gambit.METHOD}
    assert {tuple(e.weights) for e in theirs.isolated} == {tuple(e.weights) for e in ours.isolated}
    assert bool(theirs.components) == bool(ours.components)

    def covered(v, res):
        return tuple(v) in {tuple(e.weights) for e in res.isolated} or any(c.contains(v) for c in res.components)

    for a, b in ((ours, theirs), (theirs, ours)):
        assert all(covered(v, b) for c in a.components for v in c.vertices)
    for c in theirs.components:  # the centroid of every component is an equilibrium (exact check)
        centre = sum((sp.Matrix(v) for v in c.vertices), sp.zeros(2, 3)) / len(c.vertices)
        assert c.contains(centre)
        assert nash_violations(g, [[Fraction(int(x.p), int(x.q)) for x in centre.row(i)] for i in range(2)]) == ()


def test_seeds_cover_components():
    """The degenerate games above include components (else the comparison would be vacuous)."""
    assert any(enumerate_equilibria(_degenerate(np.random.default_rng(s), 3), engine="symalign").components
               for s in range(5))


@needs_gambit
def test_solve_all_reports_gambit_and_never_calls_a_single_answer_unique():
    from symalign.numeric.solve import solve

    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    res = enumerate_equilibria(g, engine="gambit")
    assert len(res.isolated) == 1 and res.unique is None  # completeness rests on Gambit
    assert enumerate_equilibria(g, engine="symalign").unique is True
    assert gambit.GAMBIT_NOTE not in solve(g, all_equilibria=True).notes  # small game: our own enumeration
    big = _bimatrix(np.random.default_rng(0), 6)  # above GAMBIT_MIN_PROFILES support profiles
    sol = solve(big, all_equilibria=True)
    assert gambit.GAMBIT_NOTE in sol.notes and all(e.method == gambit.METHOD for e in sol.equilibria)


def test_engine_argument(monkeypatch):
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    with pytest.raises(InputError, match="engine"):
        enumerate_equilibria(g, engine="lrs")
    monkeypatch.setattr(gambit, "available", lambda: False)
    with pytest.raises(InputError, match="pygambit is not installed"):
        enumerate_equilibria(g, engine="gambit")
    assert len(enumerate_equilibria(g).isolated) == 1  # auto: falls back silently
    aa = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 1]],
                     p=[0.5, 0.5])
    assert gambit.gambit_equilibria(aa, 10**6, "auto", Component) is None


def test_gambit_failure_or_a_wrong_profile_falls_back_to_the_exact_enumeration(monkeypatch):
    g = _degenerate(np.random.default_rng(1), 3)
    ours = enumerate_equilibria(g, engine="symalign")
    monkeypatch.setattr(gambit, "available", lambda: True)
    monkeypatch.setattr(gambit, "GAMBIT_MIN_PROFILES", 0)  # "auto" asks Gambit even for this small game
    # in this process even when an interval timer runs (pytest-timeout's): the child route is tested below
    monkeypatch.setattr(gambit, "_bounded_profiles", lambda A, B: gambit.gambit_profiles(A, B))
    calls = []

    def broken(A, B):
        calls.append(1)
        raise RuntimeError("enummixed crashed")

    for fake in (broken, lambda A, B: [[[Fraction(1), Fraction(0), Fraction(0)]] * 2]):  # error; a wrong profile
        monkeypatch.setattr(gambit, "gambit_profiles", fake)
        assert gambit.equilibrium_set(g, Component) is None
        res = enumerate_equilibria(g, engine="auto", max_profiles=10**6)
        assert gambit.GAMBIT_NOTE not in res.notes
        assert {tuple(e.weights) for e in res.isolated} == {tuple(e.weights) for e in ours.isolated}
        with pytest.raises(InputError, match="engine"):
            enumerate_equilibria(g, engine="gambit")
    assert len(calls) == 3  # Gambit was asked each time (then not trusted)


def test_gambit_runs_in_a_child_killed_at_the_command_deadline(monkeypatch):
    import time

    from symalign.core.budget import Budget, can_enforce, process_budget
    from symalign.errors import BudgetExceeded

    if not can_enforce():
        pytest.skip("budgets are not enforceable on this platform")
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    monkeypatch.setattr(gambit, "gambit_profiles", lambda A, B: time.sleep(60))  # C++ code SIGALRM cannot stop
    t = time.monotonic()
    with pytest.raises(BudgetExceeded):
        with process_budget(Budget(1.0, None, "--time-limit"), "symalign solve"):
            gambit.checked_equilibria(g)
    assert time.monotonic() - t < 20
    half = [Fraction(1, 2)] * 2
    monkeypatch.setattr(gambit, "gambit_profiles", lambda A, B: [[half, half]])
    with process_budget(Budget(30.0, None, "--time-limit"), "symalign solve"):  # the answer comes back from the child
        accepted, rejected = gambit.checked_equilibria(g)
    assert len(accepted) == 1 and rejected == ()


def test_own_enumeration_rechecks_isolated_points_and_component_vertices(monkeypatch):
    from symalign.numeric import polymatrix_check

    g = _degenerate(np.random.default_rng(0), 3)
    ok = bimatrix.enumerate_bimatrix(g, engine="symalign")
    assert ok.rejected == () and ok.equilibria
    monkeypatch.setattr(polymatrix_check, "nash_violations", lambda game, W, blocks=None: ("refused",))
    bad = bimatrix.enumerate_bimatrix(g, engine="symalign")
    assert bad.equilibria == () and len(bad.rejected) == len(ok.equilibria)


def test_gambit_errors_are_surfaced_in_the_engine_message(monkeypatch):
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    monkeypatch.setattr(gambit, "available", lambda: True)

    def broken(A, B):
        raise AttributeError("'MixedStrategyProfile' has no attribute 'foo'")  # e.g. an API change between majors

    monkeypatch.setattr(gambit, "gambit_profiles", broken)
    with pytest.raises(InputError, match="Gambit failed: AttributeError: 'MixedStrategyProfile' has no attribute"):
        enumerate_equilibria(g, engine="gambit")
    reasons = []
    assert gambit.equilibrium_set(g, Component, reasons) is None and "AttributeError" in reasons[0]
    monkeypatch.setattr(gambit, "available", lambda: False)
    with pytest.raises(InputError, match="not installed"):
        enumerate_equilibria(g, engine="gambit")

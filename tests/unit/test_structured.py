"""Structured closed forms (named aggregate T): equal to the expanded form, compiled and typeset without expanding."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.core.derive import derive_on_support
from symalign.core.structured import StructuredForm, check_definitions
from symalign.errors import InputError
from symalign.export.latex import equilibrium_latex, weights_latex
from symalign.numeric.batch.arguments import default_args
from symalign.numeric.batch.closedform import compile_closed_form
from symalign.numeric.compile import compile_expressions, numeric_game
from symalign.numeric.solvers import solve as iterative_solve

OVERLAP = get_family("active_alignment", "overlap")
DISTANCE = get_family("active_alignment", "distance")


def _values(game, rng, *, valid=False):
    """Random rational parameter values; ``valid``: concave game (beta large, gamma small, p on the simplex)."""
    N, D = game.n_agents, game.n_groups
    out = {}
    for s in sorted(game.free_symbols(), key=str):
        name = s.name
        if name.startswith("alpha"):
            out[s] = sp.Rational(rng.randint(1, 4), 4) if valid else sp.Rational(rng.randint(1, 9), rng.randint(1, 4))
        elif name.startswith("beta"):
            out[s] = sp.Rational(rng.randint(20, 40), rng.randint(1, 3)) if valid else sp.Rational(rng.randint(50, 99), 7)
        elif name.startswith("gamma"):
            out[s] = sp.Rational(rng.randint(1, 9), rng.randint(2, 5))
        elif name.startswith("a_"):
            out[s] = sp.Rational(rng.randint(0, 20), 20)
        elif name.startswith("p_"):
            out[s] = sp.Rational(rng.randint(5 if valid else 1, 20), 20)
    if valid:  # priors on the simplex: normalise each agent's row
        for i in range(N):
            row = sorted((s for s in out if s.name.startswith(f"p_{{{i + 1},")), key=str)
            total = sum(out[s] for s in row)
            for s in row:
                out[s] = out[s] / total
    assert len(out) == len(game.free_symbols())
    return out


@pytest.fixture(scope="module", params=[(OVERLAP, 3, 4), (DISTANCE, 3, 3), (OVERLAP, 4, 5)], ids=str)
def derived(request):
    family, n, d = request.param
    g = Game.symbolic(family, n, d, homogeneous=False)
    return g, derive_on_support(g)


def test_structure_is_kept_for_heterogeneous_symbolic_games(derived):
    g, eq = derived
    st = eq.structure
    assert isinstance(st, StructuredForm)
    names = {sym.name.split("_")[0] for sym in st.defined_symbols()}
    assert {"T", "b", "u"} <= names
    # every weight is a few terms in the named quantities, much smaller than its expansion
    assert max(sp.count_ops(w) for w in st.weights) * 5 < max(sp.count_ops(w) for w in eq.weights)
    assert st.weights.free_symbols & st.defined_symbols()
    assert not (eq.weights.free_symbols & st.defined_symbols())


def test_structured_equals_expanded_exactly(derived):
    g, eq = derived
    st = eq.structure
    rng = random.Random(7)
    for _ in range(3):
        values = _values(g, rng)
        env = st.evaluate(values)
        structured = st.weights.xreplace(env)
        expanded = eq.weights.xreplace(values)
        assert all(x.is_Rational for x in structured)
        assert structured == expanded
        assert [m.xreplace(env) for m in st.multipliers] == [m.xreplace(values) for m in eq.multipliers]
        assert [bool(c.xreplace(env)) for c in st.conditions] == [bool(c.xreplace(values)) for c in eq.conditions]
    assert st.expanded_weights() == eq.weights


def test_structured_matches_numeric_game_and_independent_solver(derived):
    g, eq = derived
    st = eq.structure
    rng = random.Random(11)
    for _ in range(20):  # a point where the interior closed form is the equilibrium
        values = _values(g, rng, valid=True)
        exact = st.weights.xreplace(st.evaluate(values))
        if all(x > 0 for x in exact):
            break
    numeric = g.subs(values)
    # the same derivation on the numeric game (no naming: rationals throughout)
    assert derive_on_support(numeric).weights == exact
    # the independent iterative solver on the numeric game
    res = iterative_solve(numeric_game(numeric).grad, g.n_agents, g.n_groups, tol=1e-13)
    assert res.converged
    W = np.array(exact.tolist(), dtype=float)
    assert (W > 0).all()  # interior, so the closed form is the equilibrium
    assert np.abs(res.weights - W).max() < 1e-8


def test_compile_structured_equals_expanded(derived):
    g, eq = derived
    st = eq.structure
    args = default_args(g)
    if len(g.weights) > 12:
        pytest.skip("the expanded form is slow to compile at this size (that is the point)")
    cf_s = compile_closed_form(g, None, tuple(st.weights), tuple(st.conditions), args, definitions=st.definitions)
    cf_e = compile_closed_form(g, None, tuple(eq.weights), tuple(eq.conditions), args, layout="lambdify")
    rng = np.random.default_rng(3)
    params = []
    for s in args:
        lo, hi = (5.0, 9.0) if s.name.startswith("beta") else (0.1, 1.0)
        params.append(rng.uniform(lo, hi, 200))
    Ws, vs = cf_s.evaluate(params)
    We, ve = cf_e.evaluate(params)
    assert np.allclose(Ws, We, rtol=1e-10, atol=1e-12)
    assert (vs == ve).all() and vs.any()


def test_compile_with_definitions_agrees_with_and_without_cse():
    x, y = sp.symbols("x y", positive=True)
    s, t = sp.Dummy("s"), sp.Dummy("t")
    defs = [(s, x + y), (t, s**2 + x)]
    exprs = [x / s + t, t * s - y, (x + y) ** 2]
    f1 = compile_expressions(exprs, [x, y], definitions=defs)
    f2 = compile_expressions(exprs, [x, y], definitions=defs, cse=False)
    f3 = compile_expressions([e.xreplace({t: (x + y) ** 2 + x}).xreplace({s: x + y}) for e in exprs], [x, y])
    X, Y = np.array([0.5, 2.0]), np.array([1.5, 0.25])
    for a, b, c in zip(f1(X, Y), f2(X, Y), f3(X, Y)):
        assert np.allclose(a, c) and np.allclose(b, c)


def test_compile_refuses_undefined_or_out_of_order_definitions():
    x = sp.Symbol("x")
    s, t = sp.Dummy("s"), sp.Dummy("t")
    with pytest.raises(InputError, match="definitions"):
        compile_expressions([t], [x], definitions=[(t, 2 * s), (s, x)])
    with pytest.raises(InputError, match="not among the arguments"):
        compile_expressions([t + s], [x], definitions=[(s, x)])
    with pytest.raises(InputError, match="definitions"):
        check_definitions([(s, x), (s, 2 * x)])


def test_latex_prints_where_clause(derived):
    g, eq = derived
    tex = equilibrium_latex(eq)
    assert r"&\text{where}" in tex and "T_{1} &=" in tex and "b_{1} &=" in tex
    assert tex.index("T_{1} &=") < tex.index("b_{1} &=") < tex.index("u_{1,1} &=")
    assert "with the named quantities defined above" in tex
    # far shorter than typesetting the expansion of one weight
    assert len(weights_latex(eq)) < len(sp.latex(eq.weights[0, 0])) * g.n_agents


def test_subs_and_json_carry_the_structure(derived):
    g, eq = derived
    values = _values(g, random.Random(5))
    first = next(iter(values))
    part = eq.subs({first: values[first]})
    assert part.structure is not None
    assert part.structure.expanded_weights() == part.weights
    js = eq.to_dict()["structured"]
    assert js["definitions"][-1][0].startswith("T_") and len(js["weights"]) == g.n_agents


def test_no_structure_for_numeric_or_homogeneous_games():
    g = Game.symbolic(OVERLAP, 2, 2)
    assert derive_on_support(g).structure is None
    rng = random.Random(1)
    h = Game.symbolic(OVERLAP, 2, 3, homogeneous=False)
    assert derive_on_support(h.subs(_values(h, rng, valid=True))).structure is None
    assert derive_on_support(h, method="general").structure is None


@pytest.mark.parametrize("variant", ["overlap", "distance"])
def test_mean_field_keeps_the_named_mean(variant):
    from symalign import derive_mean_field
    from symalign.export.notebook import meanfield_latex

    cf = derive_mean_field(get_family("active_alignment", variant), 3)
    assert set(cf.mean_symbols) <= cf.structured_agent.free_symbols
    back = cf.structured_agent.xreplace(dict(cf.definitions))
    assert all(sp.cancel(x - y) == 0 for x, y in zip(back, cf.agent))
    assert "N \\bar W^*_{1}" in meanfield_latex(cf)


def test_batch_compile_game_uses_the_structure_and_agrees_with_the_linear_path():
    from symalign.numeric.batch.compiled import compile_game

    g = Game.symbolic(OVERLAP, 3, 3, homogeneous=False)
    fast = compile_game(g, path="closed-form")
    assert fast.path == "closed-form" and fast.closed_forms[0].layout == "lambdify"
    linear = compile_game(g, path="linear")
    rng = np.random.default_rng(4)
    pts = []
    for s in fast.args:
        lo, hi = (1.0, 3.0) if s.name.startswith("beta") else (0.05, 0.9)
        pts.append(rng.uniform(lo, hi, 300))
    for i in range(g.n_agents):  # priors on the simplex
        cols = [k for k, s in enumerate(fast.args) if s.name.startswith(f"p_{{{i + 1},")]
        total = sum(pts[k] for k in cols)
        for k in cols:
            pts[k] = pts[k] / total
    a, b = fast(*pts), linear(*pts)
    assert "closed-form" in a.stage_counts()
    np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=1e-9)


def test_cli_derive_shows_the_structure(tmp_path):
    import json

    from click.testing import CliRunner

    from symalign.cli.app import main

    path = tmp_path / "het.toml"
    path.write_text('''agents = 2
groups = ["left", "right"]
family = "active_alignment"
variant = "overlap"
[parameters]
alpha = ["alpha_1", "alpha_2"]
beta = ["beta_1", "beta_2"]
gamma = ["gamma_1", "gamma_2"]
a = [["a11", "a12"], ["a21", "a22"]]
p = [["p11", "p12"], ["p21", "p22"]]
''')
    runner = CliRunner()
    res = runner.invoke(main, ["derive", str(path)])
    assert res.exit_code == 0, res.output
    assert "where (named quantities" in res.output and "T_{1} = " in res.output
    res = runner.invoke(main, ["derive", str(path), "--latex"])
    assert res.exit_code == 0 and "T_{1} &= " in res.output
    res = runner.invoke(main, ["derive", str(path), "--json"])
    assert json.loads(res.output)["structured"]["definitions"][-1][0] == "T_{2}"


@pytest.mark.slow
def test_ten_by_ten_compiles_structured_and_matches_exact_and_solver():
    g = Game.symbolic(OVERLAP, 10, 10, homogeneous=False)
    eq = derive_on_support(g)
    st = eq.structure
    args = default_args(g)
    cf = compile_closed_form(g, None, tuple(st.weights), tuple(st.conditions), args, definitions=st.definitions)
    values = _values(g, random.Random(3), valid=True)
    exact = st.weights.xreplace(st.evaluate(values))
    W, valid = cf.evaluate([np.array([float(values[s])]) for s in args])
    assert valid[0] == all(x > 0 for x in exact) == True  # noqa: E712  (interior at this point)
    np.testing.assert_allclose(W[0], np.array(exact.tolist(), dtype=float), rtol=1e-10, atol=1e-12)
    res = iterative_solve(numeric_game(g.subs(values)).grad, 10, 10, tol=1e-13)
    assert res.converged and np.abs(res.weights - W[0]).max() < 1e-8


def test_reusing_an_agents_solution_by_renaming_equals_solving_each_agent(monkeypatch):
    import symalign.core.aggregate as aggregate

    g = Game.symbolic(DISTANCE, 3, 3, homogeneous=False)
    support = [[0, 1], [0, 1], [0, 1, 2]]
    calls = []
    real = aggregate.solve_columns
    monkeypatch.setattr(aggregate, "solve_columns", lambda A, B: calls.append(A.shape) or real(A, B))
    reused = derive_on_support(g, support, method="aggregate", normal_form="raw")
    assert calls == [(3, 3), (4, 4), (3, 3)]  # agent 2 reuses agent 1's solution, renamed; then M T = b
    calls.clear()
    monkeypatch.setattr(aggregate, "_renaming", lambda game, j, i: None)
    solved = derive_on_support(g, support, method="aggregate", normal_form="raw")
    assert calls == [(3, 3), (3, 3), (4, 4), (3, 3)]
    for values in list(aggregate.random_rational_points(g.free_symbols(), 2)):
        assert reused.weights.xreplace(values) == solved.weights.xreplace(values)
        assert [c.xreplace(values) for c in reused.conditions] == [c.xreplace(values) for c in solved.conditions]

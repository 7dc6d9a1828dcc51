"""All equilibria (solve --all, components) and comparative statics against finite differences."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from symalign import Game, get_family
from symalign.analysis.statics import comparative_statics, with_symbol
from symalign.cli.app import main
from symalign.core.kkt import kkt_violations
from symalign.numeric.batch.compiled import compile_game
from symalign.numeric.enumerate import dominated_groups, enumerate_equilibria
from symalign.numeric.solve import solve

THREE = '''agents = 2
groups = ["x", "y"]
family = "active_alignment"
variant = "overlap"
[parameters]
alpha = 1
beta = 1
gamma = 3
a = [0, 0]
p = [0.5, 0.5]
'''
SEGMENT = '''agents = 2
groups = ["top", "bottom"]
family = "polymatrix"
[parameters]
A = {A = [[1, 1], [0, 0]], B = [[1, 1], [0, 1]]}
'''


def _solve_all(tmp_path, text):
    """``solve --all --json`` on the game file ``text``: the parsed JSON (the command must succeed)."""
    path = tmp_path / "game.toml"
    path.write_text(text)
    out = CliRunner().invoke(main, ["solve", "--all", "--json", str(path)])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_solve_all_finds_exactly_three_equilibria(tmp_path):
    data = _solve_all(tmp_path, THREE)
    assert data["unique"] is False and data["components"] == []
    found = sorted(tuple(map(tuple, e["weights_exact"])) for e in data["equilibria"])
    assert found == sorted([(("1", "0"), ("0", "1")), (("0", "1"), ("1", "0")), (("1/2", "1/2"), ("1/2", "1/2"))])
    g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"], alpha=1, beta=1, gamma=3, a=[0, 0],
                    p=[0.5, 0.5])
    for e in data["equilibria"]:  # the profiles the command printed, re-checked exactly outside the enumeration
        W = sp.Matrix([[sp.Rational(x) for x in row] for row in e["weights_exact"]])
        assert kkt_violations(g, W) == ()


def test_degenerate_bimatrix_component_is_a_segment(tmp_path):
    data = _solve_all(tmp_path, SEGMENT)
    assert data["unique"] is False and data["equilibria"] == []  # no endpoint listed as an isolated equilibrium
    (comp,) = data["components"]
    assert comp["kind"] == "segment" and comp["dimension"] == 1
    assert sorted(comp["vertices"]) == [[["1", "0"], ["0", "1"]], [["1", "0"], ["1", "0"]]]
    g = Game.create(get_family("polymatrix"), 2, ["top", "bottom"], A={"A": [[1, 1], [0, 0]], "B": [[1, 1], [0, 1]]})
    res = enumerate_equilibria(g)
    assert dominated_groups(g) == ((1,), ())
    face = res.components[0]
    t = face.parameters[0]
    for value in (0, sp.Rational(1, 3), 1):  # every point of the segment is an equilibrium (exact check)
        assert kkt_violations(g, face.profile().xreplace({t: value})) == ()
    assert face.contains(sp.Matrix([[1, 0], [sp.Rational(1, 2), sp.Rational(1, 2)]]))
    assert not face.contains(sp.Matrix([[0, 1], [1, 0]]))


def test_enumeration_of_a_nondegenerate_game_is_unique():
    g = Game.create(get_family("active_alignment", "overlap"), 3, 3, alpha=1, beta=2, gamma=1,
                    a=[[1, 0, 0], [0, 1, 0], [0, 0, 1]], p=[[0.5, 0.3, 0.2]] * 3)
    res = enumerate_equilibria(g)
    assert res.unique is True and len(res.isolated) == 1 and not res.components
    assert res.isolated[0].weights == solve(g).equilibria[0].weights


@pytest.mark.parametrize("name", ["gamma", "alpha", "beta"])
def test_statics_equal_finite_differences_of_the_compiled_solver(name):
    g0 = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y", "z"], alpha=1, beta=2, gamma="1/2",
                     a=[[0.3, 0, 0.1], [0, 0.2, 0]], p=[[0.5, 0.3, 0.2], [0.2, 0.5, 0.3]])
    g, theta, value = with_symbol(g0, name)
    st = comparative_statics(g, theta, at={theta: value})
    assert st.interval.contains(value) is sp.true
    f = compile_game(g, (theta,), path="linear")  # active-set solves; no closed form involved
    h = 1e-6
    r = f(np.array([float(value) - h, float(value) + h]))
    assert r.converged.all()
    fd = (r.weights[1] - r.weights[0]) / (2 * h)
    assert np.allclose(fd, np.array(st.value.tolist(), dtype=float), atol=1e-6)
    # the implicit-function derivative is the derivative of the closed form (independent symbolic route)
    assert all(sp.cancel(st.derivative[k] - sp.diff(st.equilibrium.weights[k], theta)) == 0 for k in range(6))


def test_statics_report_where_the_support_changes(tmp_path):
    path = tmp_path / "st.toml"
    path.write_text(THREE.replace("gamma = 3", 'gamma = "1/2"').replace("a = [0, 0]", "a = [[0.2, 0], [0, 0]]"))
    out = CliRunner().invoke(main, ["statics", str(path), "--wrt", "gamma", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["breakpoints"] == ["2*sqrt(5)/5"] and data["value"][0][0] == "8/45"
    brk = float(sp.sqrt(5) * 2 / 5)
    # just beyond the breakpoint the interior closed form is no longer the equilibrium: agent 1 drops y
    for gamma, support in ((brk - 0.01, (0, 1)), (brk + 0.01, (0,))):
        g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"], alpha=1, beta=1, gamma=gamma,
                        a=[[0.2, 0], [0, 0]], p=[0.5, 0.5])
        assert solve(g).equilibria[0].support[0] == support
    out = CliRunner().invoke(main, ["statics", str(path), "--wrt", "delta"])
    assert out.exit_code == 2 and "wrt" in out.output

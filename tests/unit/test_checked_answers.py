"""Regressions of issue 10 ("checked answers"): nothing is an equilibrium, exact or proved unless checked.

The expected answers are computed here by routes that share no code with
the library: brute force over a grid of the simplex in plain NumPy, and the
utilities written out by hand from the game files.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from symalign import Game
from symalign.cli.app import main
from symalign.core.concavity import own_concavity, psd_exact
from symalign.core.families.custom import CustomFamily
from symalign.core.params import ParamSpec
from symalign.numeric.solve import solve

CONVEX = """
agents = 2
groups = ["x", "y", "z"]
family = "custom"
utility = "sum(w[d]**2, d) - sum(w[d]*m[d], d)"
[parameters]
"""

CONGESTION = """
agents = 3
groups = ["a", "b", "c", "d"]
family = "custom"
utility = "sum(c[d]*w[d], d) - k/2*sum(sum_agents(W[j][d], j)**2, d)"
[kinds]
k = "scalar"
[parameters]
c = [1, 1, 1, 1]
k = 1.5
"""


def _grid(D, n=60):
    """Every point of the simplex with coordinates in multiples of 1/n."""
    pts = [np.array(c) / n for c in itertools.product(range(n + 1), repeat=D - 1) if sum(c) <= n]
    return np.array([np.append(p, 1 - p.sum()) for p in pts])


def _convex_utility(W, i):
    """U_i = sum_d w_{i,d}^2 - sum_d w_{i,d} m_{i,d}, N = 2 (written out by hand)."""
    return float(np.sum(W[i] ** 2) - np.sum(W[i] * W[1 - i]))


def _grid_gain(utility, W, i, grid):
    base = utility(W, i)
    best = -np.inf
    for x in grid:
        V = W.copy()
        V[i] = x
        best = max(best, utility(V, i))
    return best - base


def _cli(tmp_path, text, *args):
    path = tmp_path / "game.toml"
    path.write_text(text)
    return CliRunner().invoke(main, [*args, str(path)])


# ----------------------------------------------------------------------------- convex custom utility


def test_convex_utility_uniform_profile_is_not_reported_as_an_equilibrium(tmp_path):
    res = _cli(tmp_path, CONVEX, "solve", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["concavity"]["status"] == "refuted"
    grid = _grid(3)
    uniform = np.full((2, 3), 1 / 3)
    reported = [np.array(e["weights"]) for e in out["equilibria"]]
    assert reported, "the pure equilibria (two different vertices) must be found"
    for W in reported:
        assert not np.allclose(W, uniform)
        for i in range(2):
            assert _grid_gain(_convex_utility, W, i, grid) <= 1e-12
    for e in out["equilibria"]:
        # concavity refuted: "exact" only from the checker's exact best response over the faces, never from KKT
        assert e["exact"] is True and e["certificate"]["check"] == "faces", e
    # the uniform profile is a KKT point, reported as a stationary point with its gain 2/3
    stat = out["stationary_points"]
    assert len(stat) == 1 and np.allclose(stat[0]["weights"], uniform)
    assert stat[0]["deviation_gain"] == pytest.approx(_grid_gain(_convex_utility, uniform, 0, grid), abs=1e-9)
    assert stat[0]["deviation_gain"] == pytest.approx(2 / 3, abs=1e-9)
    assert stat[0]["certificate"]["status"] == "rejected" and stat[0]["certificate"]["gain"] == "2/3"
    # every pure profile with two different vertices is an equilibrium, and only those
    assert sorted(tuple(map(int, np.argmax(W, axis=1))) for W in reported) == \
        [(a, b) for a in range(3) for b in range(3) if a != b]


def test_convex_utility_text_and_derive_do_not_say_equilibrium(tmp_path):
    res = _cli(tmp_path, CONVEX, "solve")
    assert res.exit_code == 0 and "own-concavity: refuted" in res.output
    assert "stationary point 1 (NOT an equilibrium)" in res.output
    res = _cli(tmp_path, CONVEX, "derive")
    assert "own-concavity: refuted" in res.output and "not known to be an equilibrium" in res.output
    res = _cli(tmp_path, CONVEX, "latex")
    assert res.exit_code == 0
    assert "It is an equilibrium" not in res.output
    assert "concavity in own weights is refuted" in res.output.lower()
    # the uniform KKT point is listed apart, as a stationary point that is not an equilibrium
    assert "Stationary points that are not equilibria" in res.output
    assert r"It is \emph{not} an equilibrium: an agent gains by deviating." in res.output


def test_concavity_is_checked_not_declared():
    # the family says strictly_concave=True (the default); the Hessian says otherwise
    fam = CustomFamily("c*sum(w[d]**3, d)", (ParamSpec("c", "scalar"),))
    assert fam.strictly_concave
    g = Game.create(fam, 2, 3, c=1)
    c = own_concavity(g)
    assert c.status == "refuted" and c.witness is not None
    agent, profile = c.witness
    H = sp.hessian(g.utility(agent), list(g.weights.row(agent)))
    sub = dict(zip(list(g.weights), [x for row in profile for x in row]))
    assert max(sp.Matrix(H.xreplace(sub)).eigenvals()) > 0  # the witness is real
    assert own_concavity(Game.create(fam, 2, 3, c=-1)).status == "proved"


def test_psd_exact_against_numpy():
    rng = np.random.default_rng(3)
    for _ in range(50):
        A = rng.integers(-3, 4, size=(3, 3))
        M = sp.Matrix(A @ A.T) - sp.eye(3) * int(rng.integers(0, 3))
        ev = np.linalg.eigvalsh(np.array(M.tolist(), dtype=float))
        semi, definite = psd_exact(M)
        assert semi == bool(ev.min() >= -1e-9)
        assert definite == bool(ev.min() > 1e-9)


# ----------------------------------------------------------------------------- continuum of equilibria


def _congestion_utility(W, i, c=1.0, k=1.5):
    return float(np.sum(c * W[i]) - k / 2 * np.sum(W.sum(axis=0) ** 2))


def test_continuum_returns_an_equilibrium_and_says_not_isolated(tmp_path):
    res = _cli(tmp_path, CONGESTION, "solve", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert len(out["equilibria"]) == 1 and out["isolated"] is False and out["unique"] is False
    eq = out["equilibria"][0]
    assert eq["isolated"] is False and any("not isolated" in n for n in eq["notes"])
    W = np.array(eq["weights"])
    grid = _grid(4, 20)
    for i in range(3):
        assert _grid_gain(_congestion_utility, W, i, grid) <= 1e-9
    text = _cli(tmp_path, CONGESTION, "solve")
    assert text.exit_code == 0 and "not isolated" in text.output


def test_face_of_a_continuum_is_flagged_in_json():
    """A degenerate overlap game whose solver support is singular: the exact face point says not isolated."""
    from symalign import get_family

    # gamma = beta (N - 1): concave, not DSC; equilibria x_1 + x_2 = 3/2 (a segment)
    g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"], alpha=1, beta=1, gamma=1,
                    a=[[0, 0], [0, 0]], p=[[1, 0], [1, 0]])
    sol = solve(g)
    d = sol.to_dict()
    (e,) = d["equilibria"]
    assert e["deviation_gain"] <= 1e-9 and e["concavity"] == "proved" and e["exact"] is True
    W = np.array(e["weights"])
    assert W[0, 0] + W[1, 0] == pytest.approx(1.5)  # on the segment
    assert e["isolated"] is False and any("not isolated" in n for n in e["notes"])
    assert d["isolated"] is False and sol.unique is False


# ----------------------------------------------------------------------------- every result carries its check


def test_concave_game_result_carries_its_checks(examples_dir):
    from symalign.io.gamefile import load_game

    sol = solve(load_game(examples_dir / "interior_4x3.toml"))
    (eq,) = sol.equilibria
    assert eq.certified and eq.concavity == "proved" and eq.residual <= 1e-9
    assert 0 <= eq.deviation_gain <= 1e-9 or abs(eq.deviation_gain) <= 1e-12
    d = eq.to_dict()
    for key in ("exact", "exact_weights", "concavity", "deviation_gain", "deviation_method", "isolated",
                "notes", "kkt_residual"):
        assert key in d
    assert d["exact"] is True and sol.to_dict()["concavity"]["status"] == "proved"

"""Issue 18 regression cases: each verdict right (or honestly open), decided by the exact checker."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.certify import LEDGER, check_equilibrium
from symalign.io.gamefile import load_game
from symalign.numeric.solve import solve

DATA = Path(__file__).parent.parent / "data"


def _payoffs(game):
    A = game.param("A")
    return A[0][1].tolist(), A[1][0].tolist()  # row player's A; column player's block indexed [own][other]


def _regrets(game, W):
    """Exact regrets computed here from the payoff blocks (plain Fractions, not the checker)."""
    rows = [[F(int(x.p), int(x.q)) for x in W.row(i)] for i in range(2)]
    A, Bt = _payoffs(game)
    out = []
    for i, M in ((0, A), (1, Bt)):
        other = rows[1 - i]
        v = [sum(F(int(M[d][e])) * other[e] for e in range(len(other))) for d in range(len(M))]
        out.append(max(v) - sum(a * b for a, b in zip(rows[i], v)))
    return out


def test_stengel_profiles_demoted_by_the_float_check_are_exact_equilibria():
    game = load_game(DATA / "stengel_6x6.toml")
    A, _ = _payoffs(game)
    assert max(abs(int(x)) for row in A for x in row) == 1718376  # payoffs up to ~1.7e6, as in Gambit's file
    demoted = json.loads((DATA / "stengel_6x6_demoted.json").read_text())["profiles"]
    assert len(demoted) == 8
    for rows in demoted:
        W = sp.Matrix([[sp.Rational(x) for x in r] for r in rows])
        assert _regrets(game, W) == [0, 0]
        assert check_equilibrium(game, W).accepted


@pytest.mark.slow
def test_stengel_solve_all_finds_all_75_equilibria():
    game = load_game(DATA / "stengel_6x6.toml")
    before = LEDGER.count
    sol = solve(game, all_equilibria=True)
    assert len(sol.equilibria) == 75 and sol.stationary_points == () and sol.components == ()
    assert len({tuple(e.weights) for e in sol.equilibria}) == 75
    for e in sol.equilibria:
        assert e.certified and _regrets(game, e.weights) == [0, 0]
    assert LEDGER.count == before


def test_huge_alpha_exact_profile_is_accepted_by_the_checker():
    """alpha = 1e99 (alone and with beta = 1e-99): the exact equilibrium (1, 0), (0, 1) is accepted exactly."""
    for beta in (1.0, 1e-99):
        g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"], alpha=1e99, beta=beta,
                        gamma=0.5, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
        v = check_equilibrium(g, sp.Matrix([[1, 0], [0, 1]]))
        assert v.accepted and v.check == "kkt+concavity"
        assert check_equilibrium(g, sp.Matrix([[0, 1], [1, 0]])).status == "rejected"


# beta = 1: the iterative solver runs to its iteration limit on this scale (minutes; a solver matter, not the
# checker's): slow
@pytest.mark.parametrize("beta", [pytest.param("1", marks=pytest.mark.slow), "1e-99"])
def test_huge_alpha_keeps_the_exact_equilibrium(beta):
    g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"], alpha=1e99, beta=float(beta),
                    gamma=0.5, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    sol = solve(g)
    assert len(sol.equilibria) == 1 and sol.stationary_points == ()
    eq = sol.equilibria[0]
    assert eq.certified and eq.weights == sp.Matrix([[1, 0], [0, 1]])
    # independent: each agent's utility along its edge, the other fixed, maximised exactly at its vertex
    t = sp.Symbol("t", real=True)
    W = g.weights
    for i in range(2):
        other = {W[1 - i, 0]: eq.weights[1 - i, 0], W[1 - i, 1]: eq.weights[1 - i, 1]}
        u = g.utility(i).subs(other).subs({W[i, 0]: t, W[i, 1]: 1 - t})
        here = u.subs(t, eq.weights[i, 0])
        crit = [r for r in sp.solve(sp.diff(u, t), t) if 0 <= r <= 1]
        assert all(u.subs(t, x) <= here for x in [0, 1] + crit)


NONCONCAVE = """title = "u = w0 w1 - c <w, m>"
agents = 2
groups = ["x", "y", "z"]
family = "custom"
utility = "w[0]*w[1] - c*sum(w[d]*m[d], d)"
[kinds]
c = "agent"
[parameters]
c = {c}
"""


def test_nonconcave_game_symbolic_derive_and_latex(tmp_path):
    from click.testing import CliRunner

    from symalign.cli.app import main

    path = tmp_path / "nc.toml"
    path.write_text(NONCONCAVE.format(c='"c"'))
    runner = CliRunner()
    out = runner.invoke(main, ["derive", str(path), "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["concavity"]["status"] == "refuted"
    tex = runner.invoke(main, ["latex", str(path)])
    assert tex.exit_code == 0, tex.output
    assert "It is an equilibrium exactly when" not in tex.output
    assert r"\emph{not} known to be an equilibrium" in tex.output


def test_nonconcave_game_solve_all_notes_and_kkt_point(tmp_path):
    from symalign.core.families.custom import CustomFamily

    g = Game.create(CustomFamily("w[0]*w[1] - 2*sum(w[d]*m[d], d)"), 2, 3)
    sol = solve(g, all_equilibria=True)
    notes = " ".join(sol.notes)
    assert "although concavity is proved" not in notes
    kkt = sp.Matrix([[sp.Rational(2, 5), sp.Rational(2, 5), sp.Rational(1, 5)]] * 2)
    assert all(e.weights != kkt for e in sol.equilibria)
    stat = [e for e in sol.stationary_points if e.weights == kkt]
    assert len(stat) == 1 and stat[0].certificate.gain == F(4, 25)  # c^2/(3c - 1)^2 at c = 2
    assert all(e.certified for e in sol.equilibria)

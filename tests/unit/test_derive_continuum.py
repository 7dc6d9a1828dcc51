"""Issue 19: `derive` on a game whose equilibria form a continuum returns the parametrised set, not an error."""

import json

import sympy as sp
from click.testing import CliRunner

from symalign.cli.app import main
from symalign.io.gamefile import load_game

CONSENSUS = '''title = "consensus"
agents = 2
groups = ["a", "b", "c"]
family = "custom"
utility = "-sum((w[d] - m[d])**2, d)"
'''


def test_derive_on_a_continuum_lists_the_component(tmp_path):
    path = tmp_path / "consensus.toml"
    path.write_text(CONSENSUS)
    res = CliRunner().invoke(main, ["derive", str(path)])
    assert res.exit_code == 0, res.output
    assert "singular" in res.output and "component 1: a polygon" in res.output
    res = CliRunner().invoke(main, ["derive", "--json", str(path)])
    data = json.loads(res.output)
    assert data["continuum"] is True and len(data["components"]) == 1
    # independent check: every listed vertex is an equilibrium (U_i <= 0 everywhere and U_i = 0 there)
    game = load_game(path)
    for comp in data["components"]:
        for vertex in comp["vertices"]:
            values = dict(zip(list(game.weights), [sp.sympify(x) for row in vertex for x in row]))
            assert all(game.utility(i).xreplace(values) == 0 for i in range(game.n_agents))

"""Any family, first class: custom families in claim files, plugins, nonlinear closed forms."""

from __future__ import annotations

import json
import sys
import textwrap

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from symalign import Game, get_family
from symalign.claims.checks import check_claim
from symalign.claims.schema import load_claim
from symalign.cli.app import main
from symalign.core.budget import Budget
from symalign.core.families import base as family_base
from symalign.core.families.custom import CustomFamily
from symalign.core.nonlinear import tilted_prior
from symalign.core.params import ParamSpec
from symalign.core.symmetric import is_symmetric, symmetric_equilibria
from symalign.errors import DerivationError, GameFileError, UnknownFamilyError
from symalign.numeric import solvers
from symalign.numeric.closed_forms import find_closed_form
from symalign.numeric.compile import numeric_game

BLOTTO = CustomFamily("sum(v[d]*w[d]/sum_agents(W[j][d], j), d)", (ParamSpec("v", "vector", "positive"),))

CUSTOM_CLAIM = '''id = "custom-demo"
reference = "test"
kind = "{kind}"
status = "{status}"
statement = "demo"
[game]
family = "custom"
utility = "sum(c[d]*w[d], d) - beta/2*sum(w[d]**2, d) - gamma*sum(w[d]*m[d], d)"
kinds = {{c = "vector", beta = "agent", gamma = "agent"}}
signs = {{beta = "positive", gamma = "nonnegative"}}
hypotheses = ["beta > 0"]
agents = [2, 3]
groups = 2
{game}
[claim]
{claim}
'''


def _claim(tmp_path, kind, status, claim, game=""):
    path = tmp_path / "c.toml"
    path.write_text(CUSTOM_CLAIM.format(kind=kind, status=status, claim=claim, game=game))
    return load_claim(path)


# --- claim files for any family ---------------------------------------------------------

def test_custom_family_claim_uniqueness_is_derived_by_the_toolkit(tmp_path):
    claim = _claim(tmp_path, "uniqueness", "proved", 'condition = "gamma < beta*(N - 1)"')
    res = check_claim(claim, timeout=10)
    assert res.status == "proved", res.detail
    wrong = _claim(tmp_path, "uniqueness", "refuted", 'condition = "gamma < 2*beta*(N - 1)"')
    res = check_claim(wrong, timeout=10)
    assert res.status == "refuted" and res.counterexample, res.detail


def test_custom_family_claim_existence_and_identity(tmp_path):
    res = check_claim(_claim(tmp_path, "existence", "proved", 'condition = "beta > 0"'), timeout=10)
    assert res.status == "proved", res.detail
    res = check_claim(_claim(tmp_path, "identity", "proved", 'lhs = "N*D"\nrhs = "D*N"'), timeout=10)
    assert res.status == "proved", res.detail


def test_custom_claim_errors_name_the_field(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(CUSTOM_CLAIM.format(kind="existence", status="proved", claim='condition = "beta > 0"',
                                        game="").replace('c = "vector"', 'c = "matrix"'))
    with pytest.raises(GameFileError, match="game.kinds.c"):
        load_claim(path)
    path = tmp_path / "bad2.toml"
    path.write_text(CUSTOM_CLAIM.format(kind="existence", status="proved", claim='condition = "beta > 0"',
                                        game='shared = ["beta"]'))
    with pytest.raises(GameFileError, match="game.shared"):
        load_claim(path)
    path = tmp_path / "bad3.toml"
    text = textwrap.dedent('''\
        id = "x"
        reference = "r"
        kind = "existence"
        status = "proved"
        statement = "s"
        [game]
        family = "active_alignment"
        utility = "w[0]"
        agents = 2
        groups = 2
        [claim]
        condition = "beta > 0"
        ''')
    path.write_text(text)
    with pytest.raises(GameFileError, match="game.utility"):
        load_claim(path)


PLUGIN = '''
from dataclasses import dataclass
from symalign.core.families.base import UtilityFamily, register_family
from symalign.core.params import ParamSpec


@dataclass(frozen=True)
class Tullock{tag}(UtilityFamily):
    """Lottery contest over groups with a cost of effort."""

    name = "tullock_{tag}"

    def parameters(self):
        return (ParamSpec("v", "vector", "positive"),)

    def utility(self, game, i, W):
        v = game.param("v", i)
        return sum(v[d] * W[i, d] / sum(W[j, d] for j in range(W.rows)) for d in range(W.cols))


{register}
'''


def test_plugin_module_on_the_cli(tmp_path, monkeypatch):
    (tmp_path / "myfam_cli.py").write_text(PLUGIN.format(tag="cli", register='register_family("tullock_cli", Tullockcli)'))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(family_base, "_REGISTRY", dict(family_base._REGISTRY))  # the plugin registers into a copy
    monkeypatch.delitem(sys.modules, "myfam_cli", raising=False)
    game = tmp_path / "g.toml"
    game.write_text('agents = 2\ngroups = ["a", "b"]\nfamily = "tullock_cli"\n[parameters]\nv = [1, 3]\n')
    runner = CliRunner()
    out = runner.invoke(main, ["derive", str(game)])
    assert out.exit_code == 2 and "unknown family" in out.output
    out = runner.invoke(main, ["derive", "--plugin", "myfam_cli", str(game)])
    assert out.exit_code == 0, out.output
    assert "route symmetric" in out.output and "= 1/4" in out.output and "= 3/4" in out.output
    out = runner.invoke(main, ["solve", "--plugin", "myfam_cli", "--json", str(game)])
    assert out.exit_code == 0, out.output
    w = json.loads(out.output)["equilibria"][0]["weights"]
    assert np.allclose(w, [[0.25, 0.75]] * 2, atol=1e-6)
    out = runner.invoke(main, ["solve", "--plugin", "no_such_module_zz", str(game)])
    assert out.exit_code == 2 and "plugin" in out.output


def test_entry_point_families_are_discovered(tmp_path, monkeypatch):
    (tmp_path / "myfam_ep.py").write_text(PLUGIN.format(tag="ep", register=""))
    dist = tmp_path / "myfam_ep-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: myfam-ep\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[symalign.families]\ntullock_ep = myfam_ep:Tullockep\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(family_base, "_LOADED_ENTRY_POINTS", set())
    monkeypatch.setattr(family_base, "_REGISTRY", dict(family_base._REGISTRY))
    fam = get_family("tullock_ep")
    assert fam.label == "tullock_ep"
    g = Game.create(fam, 3, 2, v=[2, 6])
    res = find_closed_form(g)
    assert res.route == "symmetric" and res.equilibria[0].weights.row(0).tolist() == [[sp.Rational(1, 4), sp.Rational(3, 4)]]
    with pytest.raises(UnknownFamilyError):
        get_family("not_registered_anywhere")


# --- closed forms beyond affine gradients -------------------------------------------------

@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_blotto_symmetric_equilibrium_is_derived_in_v(n):
    g = Game.symbolic(BLOTTO, n, 3, shared=["v"])
    res = symmetric_equilibria(g)
    assert res.complete and len(res.solutions) == 1
    s = res.solutions[0]
    v = list(g.params["v"].row(0))
    assert all(sp.cancel(s.weights[d] - v[d] / sum(v)) == 0 for d in range(3))
    assert s.is_equilibrium and s.second_order


def test_blotto_closed_form_agrees_with_the_numeric_solver():
    g = Game.create(BLOTTO, 3, 3, v=[1, 2, 5])
    ng = numeric_game(g)
    res = solvers.solve(ng.grad, 3, 3, method="extragradient", tol=1e-12)
    assert np.allclose(res.weights, [[1 / 8, 2 / 8, 5 / 8]] * 3, atol=1e-6)
    cf = find_closed_form(g)
    assert cf.route == "symmetric" and cf.deviation_gain < 1e-9
    assert np.allclose(cf.equilibria[0].as_array(), res.weights, atol=1e-6)


def test_asymmetric_game_is_not_symmetric():
    g = Game.create(BLOTTO, 2, 2, v=[[1, 2], [2, 1]])
    assert not is_symmetric(g)
    with pytest.raises(DerivationError, match="not symmetric"):
        symmetric_equilibria(g)


def test_tilted_prior_agrees_with_mirror_descent():
    g = Game.create(get_family("active_alignment", "entropic"), 2, ["x", "y", "z"], alpha=1, beta=2, gamma=0,
                    a=[[1, 0, 0], [0, 1, 2]], p=[[0.2, 0.3, 0.5], [0.5, 0.25, 0.25]])
    eq = tilted_prior(g)
    ng = numeric_game(g)
    res = solvers.solve(ng.grad, 2, 3, method="mirror_descent", tol=1e-12)
    assert np.allclose(eq.as_array(), res.weights, atol=1e-7)
    with_gamma = Game.create(get_family("active_alignment", "entropic"), 2, 2, alpha=1, beta=1, gamma=1,
                             a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    assert tilted_prior(with_gamma) is None


def test_no_closed_form_reports_the_numeric_equilibrium():
    g = Game.create(get_family("active_alignment", "entropic"), 2, ["x", "y", "z"], alpha=1, beta=2, gamma=1,
                    a=[[1, 0, 0], [0, 1, 2]], p=[[0.2, 0.3, 0.5], [0.5, 0.25, 0.25]])
    res = find_closed_form(g, budget=Budget(seconds=2, memory_mb=2048))
    assert res.route == "none" and not res.found and res.equilibria == ()
    assert res.numeric is not None and not res.numeric.exact
    assert res.deviation_gain < 1e-8
    assert any("no closed form found" in n for n in res.notes)


def test_every_reported_closed_form_profile_is_deviation_checked():
    # matching pennies: the mixed profile is the equilibrium, the pure one is not; listed second it is still checked
    from symalign.core.equilibrium import Equilibrium
    from symalign.numeric.closed_forms import _result

    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    half = sp.Rational(1, 2)
    good = Equilibrium(g, sp.ImmutableMatrix([[half, half]] * 2), ())
    bad = Equilibrium(g, sp.ImmutableMatrix([[1, 0], [1, 0]]), ())
    res = _result(g, "symmetric", (good, bad), None, [])
    assert res.deviation_gain > 1 and any("profile 2" in n for n in res.notes)
    assert not any("profile 1" in n for n in res.notes)
    assert _result(g, "symmetric", (good,), None, []).deviation_gain < 1e-9

"""Regressions of issue 10 for claims: scope, real counterexamples, budgets, LaTeX of what was checked.

Counterexample games are re-solved here through the game-file route
(``load_game`` + ``solve``), and the exclusion verdict is read from the
equilibrium weights, so the confirmation does not rest on the checker.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from symalign import Game
from symalign.claims.checks import check_claim, check_claim_bounded
from symalign.claims.schema import load_claim
from symalign.cli.app import main
from symalign.core.families.base import UtilityFamily
from symalign.core.families.custom import CustomFamily
from symalign.core.params import ParamSpec
from symalign.io.gamefile import load_game
from symalign.numeric.solve import solve
from symalign.verify.certificates import uniqueness_certificate

ROOT = Path(__file__).resolve().parents[2]
T4 = (ROOT / "theorems/active_alignment/T4_exclusion_overlap.toml").read_text()
T2 = (ROOT / "theorems/active_alignment/T2_uniqueness_overlap.toml").read_text()


def _t4(tmp_path, name, *, scoped, condition=None, expected="proved"):
    text = T4.replace('agents = [2, 3]\ngroups = 3', 'agents = 2\ngroups = 4').replace("group = 2", "group = 1")
    text = text.replace('id = "T4-exclusion-overlap"', f'id = "{name}"').replace('status = "proved"',
                                                                                 f'status = "{expected}"')
    if not scoped:
        text = text.replace('scope = "reduced_interior"\n', "")
    if condition:
        text = text.replace('(D - 1)*a[i, d]) - D*beta*p[i, d]"', condition)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def _excluded(game_path, d):
    game = load_game(game_path)
    sol = solve(game)
    assert sol.equilibria and all(eq.certified for eq in sol.equilibria)
    return all(all(eq.weights[i, d] == 0 for i in range(game.n_agents)) for eq in sol.equilibria), game


def _stated_t4(game, d):
    """model.md's T4 condition, written out here: gamma <= alpha (D-1)(abar_{i,-d} - a_{i,d}) - D beta p_{i,d}."""
    D = game.n_groups
    out = True
    for i in range(game.n_agents):
        a = game.param("a").row(i)
        abar = sum(a[k] for k in range(D) if k != d) / (D - 1)
        T = game.param("alpha", i) * (D - 1) * (abar - a[d]) - D * game.param("beta", i) * game.param("p")[i, d]
        out = out and game.param("gamma", i) <= T
    return bool(out)


def test_unscoped_exclusion_claim_is_refuted_by_a_real_game(tmp_path):
    path = _t4(tmp_path, "T4-unscoped", scoped=False)
    res = CliRunner().invoke(main, ["verify", "--json", "--witness", str(tmp_path / "w"), str(path)])
    assert res.exit_code == 1, res.output
    row = json.loads(res.output)["claims"][0]
    assert row["status"] == "refuted" and "outside the derived condition's validity" in row["detail"]
    excluded, game = _excluded(row["witness_file"], 1)
    assert excluded != _stated_t4(game, 1)  # the game file reproduces the disagreement
    for i in range(game.n_agents):  # and it is in the parameter domain
        row_p = game.param("p").row(i)
        assert sum(row_p) == 1 and all(x >= 0 for x in row_p)


def test_scoped_exclusion_claim_is_proved_and_off_by_one_refuted_inside_the_scope(tmp_path):
    ok = check_claim(load_claim(_t4(tmp_path, "T4-scoped", scoped=True)))
    assert ok.status == "proved" and "within the stated scope" in ok.detail
    wrong = _t4(tmp_path, "T4-off-by-one", scoped=True, expected="refuted",
                condition='D*a[i, d]) - D*beta*p[i, d]"')
    res = check_claim(load_claim(wrong))
    assert res.status == "refuted" and res.ok
    assert res.witness and "confirmed by the solver" in res.recheck
    w = tmp_path / "w.toml"
    w.write_text(res.witness)
    excluded, game = _excluded(w, 1)
    # inside the scope the derived T4 condition decides, so the solver agrees with it, not with the claim
    assert excluded == _stated_t4(game, 1)
    from symalign.analysis.exclusion import exclusion_condition

    assert all(c is sp.true for c in exclusion_condition(game, 1).validity)  # the point is inside the scope


def test_min_max_with_symbolic_n_is_translated_not_open(tmp_path):
    text = T2.replace('agents = [2, 3, 4, 5, 6, "N"]', 'agents = ["N"]')
    text = text.replace("samples = [{agents = 4, groups = 3, count = 3}]\n", "")
    text = text.replace('eigenvalues = ["beta + gamma", "beta - gamma/(N - 1)"]\n', "")
    false = tmp_path / "false.toml"
    false.write_text(text.replace('condition = "gamma < beta*(N - 1)"', 'condition = "gamma < beta*min(N - 1, 150)"'))
    true = tmp_path / "true.toml"
    true.write_text(text.replace('condition = "gamma < beta*(N - 1)"', 'condition = "gamma < beta*min(N - 1, 2*N)"')
                    .replace('id = "T2-uniqueness-overlap"', 'id = "T2-true"'))
    t0 = time.monotonic()
    bad = check_claim_bounded(load_claim(false), seconds=60)
    assert bad.status == "refuted"
    N = next(v for k, v in bad.counterexample.items() if str(k) == "N")
    assert N > 151 and "DSC holds" in bad.recheck
    assert check_claim_bounded(load_claim(true), seconds=60).status == "proved"
    assert time.monotonic() - t0 < 60


def test_per_claim_budget_reports_open_and_the_run_goes_on(tmp_path):
    src = ROOT / "theorems/active_alignment"
    for name in ("T0_existence_overlap.toml", "T2_uniqueness_overlap.toml"):
        (tmp_path / name).write_text((src / name).read_text())
    res = CliRunner().invoke(main, ["verify", "--json", "--claim-seconds", "0.01", str(tmp_path)])
    assert res.exit_code == 1
    rows = json.loads(res.output)["claims"]
    assert len(rows) == 2 and all(r["status"] == "open" and "budget" in r["detail"] for r in rows)
    assert all(r["id"] and r["expected"] == "proved" for r in rows)


def test_uniqueness_certificate_returns_within_its_budget():
    v = sp.symbols("v1 v2 v3", positive=True)
    blotto = CustomFamily("sum(v[d]*w[d]/sum_agents(W[j][d], j), d)", (ParamSpec("v", "vector", sign="positive"),))
    game = Game.create(blotto, 2, 3, v=list(v))
    t0 = time.monotonic()
    cert = uniqueness_certificate(game, timeout=1, seconds=3)
    assert time.monotonic() - t0 < 15
    assert cert.status == "unknown" and "budget" in " ".join(cert.notes)


def test_duplicate_ids_and_invalid_files_have_id_and_expected(tmp_path):
    text = (ROOT / "theorems/active_alignment/T0_existence_overlap.toml").read_text()
    (tmp_path / "a.toml").write_text(text)
    (tmp_path / "b.toml").write_text(text)
    (tmp_path / "c.toml").write_text('id = "broken"\nstatus = "proved"\nkind = "nope"\n')
    res = CliRunner().invoke(main, ["verify", "--json", str(tmp_path)])
    assert res.exit_code == 2  # invalid claim files: bad input (the CLI's exit-code policy)
    rows = json.loads(res.stdout)["claims"]
    assert all("id" in r and "expected" in r for r in rows)
    dup = [r for r in rows if r["status"] == "invalid" and "duplicate claim id" in r["detail"]]
    assert len(dup) == 1 and dup[0]["id"] == "T0-existence-overlap"
    broken = next(r for r in rows if r["path"].endswith("c.toml"))
    assert broken["status"] == "invalid" and broken["id"] == "broken" and broken["expected"] == "proved"


@dataclass(frozen=True)
class _Cubic(UtilityFamily):
    """U_i = c sum_d w_{i,d}^3 (convex for c > 0): its uniform profile is stationary, not an equilibrium."""

    name = "cubic_issue10"
    variant = ""

    def parameters(self):
        return (ParamSpec("c", "scalar", sign="positive"),)

    def utility(self, game, i, W):
        return game.param("c") * sum(x ** 3 for x in W.row(i))


def test_closed_form_claim_of_a_convex_family_is_not_proved(tmp_path, monkeypatch):
    from symalign.core.families import base

    monkeypatch.setitem(base._REGISTRY, "cubic_issue10", (_Cubic, ()))  # a Python-registered family, for this test
    path = tmp_path / "cubic.toml"
    path.write_text('id = "cubic-uniform"\ntitle = "t"\nreference = "r"\nkind = "closed_form"\nstatus = "proved"\n'
                    'statement = "uniform"\n[game]\nfamily = "cubic_issue10"\nagents = 2\ngroups = 3\n'
                    '[claim]\nweights = "1/D"\n')
    res = check_claim(load_claim(path))
    assert res.status == "refuted" and "own-concavity refuted" in res.detail
    c = next(v for k, v in res.counterexample.items() if str(k) == "c")
    # independent: at c, the agent gains c (1 - 1/9) by moving from the uniform profile to a vertex
    assert c > 0 and f"gains {float(c * (1 - sp.Rational(1, 9))):.6g}" in res.recheck


def test_latex_of_claims_shows_what_was_checked(tmp_path):
    path = _t4(tmp_path, "T4-unscoped", scoped=False)
    res = CliRunner().invoke(main, ["latex", "--check", str(path)])
    assert res.exit_code == 1
    assert r"\begin{claim}[refuted: " in res.output and "Counterexample: $" in res.output
    assert r"\begin{theorem}" not in res.output
    assert r"\gamma \le \alpha \left(\sum_{k} a_{i,k}" in res.output  # the parsed condition, typeset
    assert "The claim file's own LaTeX, " in res.output  # flagged: it is not the checked condition
    ok = CliRunner().invoke(main, ["latex", "--check", str(ROOT / "theorems/active_alignment/T0_existence_overlap.toml")])
    assert ok.exit_code == 0 and r"\begin{theorem}" in ok.output


def test_entropic_latex_does_not_claim_rational_values(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('agents = 2\ngroups = ["x", "y", "z"]\nfamily = "active_alignment"\nvariant = "entropic"\n'
                    '[parameters]\nalpha = 1\nbeta = 1\ngamma = 0.5\na = [[1, 0, 0], [0, 1, 0]]\np = [0.3, 0.3, 0.4]\n')
    res = CliRunner().invoke(main, ["latex", str(path)])
    assert res.exit_code == 0, res.output
    assert "rounded to" in res.output and "rational" not in res.output


def test_non_affine_refutation_comes_with_a_real_game(tmp_path):
    """A wrong entropic closed form (doubled exponent): refuted at a game of the domain, re-solved here."""
    text = (ROOT / "theorems/active_alignment/T6_entropic_closed_form.toml").read_text()
    text = text.replace('exp(alpha[i]*a[i, d]/beta[i])', 'exp(2*alpha[i]*a[i, d]/beta[i])')
    text = text.replace('exp(alpha[i]*a[i, k]/beta[i])', 'exp(2*alpha[i]*a[i, k]/beta[i])')
    text = text.replace('agents = [2, 3]', 'agents = [2]').replace("samples = [{agents = 3, groups = 3, count = 1}]\n", "")
    path = tmp_path / "t6_wrong.toml"
    path.write_text(text.replace('status = "proved"', 'status = "refuted"'))
    res = check_claim(load_claim(path))
    assert res.status == "refuted" and res.ok and res.counterexample and res.witness
    assert "confirmed in a game of the domain" in res.recheck
    w = tmp_path / "w.toml"
    w.write_text(res.witness)
    game = load_game(w)
    (eq,) = solve(game).equilibria
    import numpy as np

    # model.md T6 written out here: w_i* proportional to p_i exp(alpha_i a_i / beta_i) (gamma = 0)
    for i in range(game.n_agents):
        a = np.array(game.param("a").row(i), dtype=float)
        p = np.array(game.param("p").row(i), dtype=float)
        t6 = p * np.exp(float(game.param("alpha", i)) * a / float(game.param("beta", i)))
        assert np.allclose(eq.as_array()[i], t6 / t6.sum(), atol=1e-6)
    doubled = [p * np.exp(2 * float(game.param("alpha", i)) * np.array(game.param("a").row(i), dtype=float)
                          / float(game.param("beta", i))) for i, p in
               enumerate(np.array(game.param("p").tolist(), dtype=float))]
    assert any(not np.allclose(eq.as_array()[i], d / d.sum(), atol=1e-6) for i, d in enumerate(doubled))


@pytest.mark.slow
def test_uniqueness_certificate_with_timeout_5_returns():
    v = sp.symbols("v1 v2 v3", positive=True)
    blotto = CustomFamily("sum(v[d]*w[d]/sum_agents(W[j][d], j), d)", (ParamSpec("v", "vector", sign="positive"),))
    t0 = time.monotonic()
    cert = uniqueness_certificate(Game.create(blotto, 2, 3, v=list(v)), timeout=5)
    assert time.monotonic() - t0 < 60 and cert.status in ("unknown", "proved", "refuted")


def test_uniqueness_refutation_is_written_as_a_game_file(tmp_path):
    """The DSC-holds-where-the-statement-fails counterexample re-checked by Rosen's test on the written game."""
    from symalign.core.rosen import dsc_matrix, negative_definite

    fixture = ROOT / "tests/theorems/fixtures/false_uniqueness_overlap.toml"
    res = CliRunner().invoke(main, ["verify", "--json", "--witness", str(tmp_path), str(fixture)])
    assert res.exit_code == 1
    row = json.loads(res.output)["claims"][0]
    game = load_game(row["witness_file"])
    assert negative_definite(dsc_matrix(game)) is True  # DSC holds in the written game...
    assert not game.param("gamma", 0) < game.param("beta", 0)  # ...where the stated condition (gamma < beta) fails
    for i in range(game.n_agents):
        assert sum(game.param("p").row(i)) == 1

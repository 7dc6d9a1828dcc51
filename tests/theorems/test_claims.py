"""Claim files: safe loading, checking, the verify command, and a deliberately false claim."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from symalign import Game, get_family
from symalign.claims.checks import check_claim, passes
from symalign.claims.schema import KINDS, STATUSES, claim_files, load_claim
from symalign.cli.app import main
from symalign.io.resources import theorems_dir
from symalign.errors import GameFileError
from symalign.core.rosen import dsc_matrix

THEOREMS = theorems_dir()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FALSE_CLAIM = FIXTURES / "false_uniqueness_overlap.toml"
SLOW = {"T3_interior_heterogeneous.toml", "T3_interior_homogeneous.toml"}

BASE = '''id = "demo"
reference = "test"
kind = "uniqueness"
status = "proved"
statement = "demo"
{top}
[game]
family = "active_alignment"
variant = "overlap"
agents = 3
groups = 2
{game}
[claim]
condition = "{condition}"
{claim}
'''


def write(tmp_path, name="c.toml", *, top="", game="", condition="gamma < beta*(N - 1)", claim=""):
    path = tmp_path / name
    path.write_text(BASE.format(top=top, game=game, condition=condition, claim=claim))
    return path


# --- the theorem files ---------------------------------------------------------------

def _theorem_params():
    out = []
    for p in claim_files([THEOREMS]):
        marks = (pytest.mark.slow,) if p.name in SLOW else ()
        out.append(pytest.param(p, marks=marks, id=p.stem))
    return out


@pytest.mark.parametrize("path", _theorem_params())
def test_theorem_file_comes_out_as_stated(path):
    result = check_claim(load_claim(path), timeout=10.0)
    assert result.ok, f"{result.status} (expected {result.claim.expected}): {result.detail}"
    assert result.status in STATUSES


def test_theorem_files_are_well_formed():
    claims = [load_claim(p) for p in claim_files([THEOREMS])]
    ids = [c.id for c in claims]
    assert len(ids) == len(set(ids)) and len(ids) >= 13
    assert {c.kind for c in claims} <= set(KINDS)
    for c in claims:
        assert c.reference and c.statement and c.expected in STATUSES


# --- a deliberately false claim --------------------------------------------------------

def test_false_claim_is_refuted_with_an_exact_counterexample():
    claim = load_claim(FALSE_CLAIM)
    result = check_claim(claim, timeout=10.0)
    assert result.status == "refuted" and not result.ok
    cex = dict(result.counterexample)
    beta, gamma = sp.Symbol("beta", positive=True), sp.Symbol("gamma", nonnegative=True)
    assert set(cex) == {beta, gamma}
    assert all(isinstance(v, sp.Rational) for v in cex.values())
    # exact substitution: the stated condition is false there ...
    assert claim.instances[0].condition(claim.body["condition"]).xreplace(cex) is sp.false
    # ... and DSC holds (equilibrium unique), checked independently with numpy on the numeric game
    g = Game.create(get_family("active_alignment", "overlap"), 3, 3, alpha=1, beta=cex[beta], gamma=cex[gamma],
                    a=[0, 0, 0], p=["1/3"] * 3)
    M = np.array(sp.Matrix(dsc_matrix(g)).tolist(), dtype=float)
    assert max(np.linalg.eigvalsh(M)) < 0
    assert "DSC holds" in result.recheck


def test_model_T3_uniqueness_statement_is_false():
    """Finding: a positive interior closed form need not be the unique equilibrium (model.md T3).

    The counterexample of the claim file is re-checked here without KKT:
    three profiles from which no agent gains by deviating (symalign.numeric.check),
    one of them the positive interior closed form.
    """
    from symalign.numeric.check import max_deviation_gain
    from symalign.core.derive import derive_on_support
    from symalign.numeric.compile import numeric_game

    claim = load_claim(THEOREMS / "active_alignment" / "T3_interior_uniqueness.toml")
    result = check_claim(claim, timeout=10.0)
    assert result.status == "refuted" and result.ok
    assert "3 distinct equilibria" in result.recheck or "several equilibria" in result.detail
    g = Game.create(get_family("active_alignment", "overlap"), 2, 2, alpha=1, beta=1, gamma=3,
                    a=[0, 0], p=["1/2", "1/2"])
    interior = derive_on_support(g)
    assert interior.valid and all(x > 0 for x in interior.weights)
    ng = numeric_game(g)
    for W in (interior.as_array(), [[1, 0], [0, 1]], [[0, 1], [1, 0]]):
        assert max_deviation_gain(ng.utility, ng.grad, np.array(W, dtype=float)) < 1e-9
    assert "file counterexample" in result.detail and "NOT" not in result.detail


def test_verify_cli_shows_counterexample_and_fails():
    res = CliRunner().invoke(main, ["verify", str(FALSE_CLAIM)])
    assert res.exit_code == 1, res.output
    assert "refuted (expected proved)" in res.output
    assert "counterexample for FALSE-unique-iff-gamma-lt-beta: beta=" in res.output
    assert "re-checked exactly" in res.output


def test_claim_filed_as_refuted_passes_and_its_counterexample_rechecks():
    res = CliRunner().invoke(main, ["verify", "--json", str(FIXTURES / "false_uniqueness_refuted.toml")])
    assert res.exit_code == 0, res.output
    row = json.loads(res.output)["claims"][0]
    assert row["status"] == "refuted" and row["ok"]
    assert "file counterexample: beta=1, gamma=3/2" in row["detail"] and "DSC holds" in row["detail"]


def test_refuted_file_with_a_wrong_counterexample_is_not_accepted(tmp_path):
    text = (FIXTURES / "false_uniqueness_refuted.toml").read_text().replace('gamma = "3/2"', 'gamma = "5/2"')
    path = tmp_path / "wrong.toml"
    path.write_text(text)
    result = check_claim(load_claim(path), timeout=10.0)
    # issue 10: reported as such, not as "open"
    assert result.status == "bad-counterexample" and not result.ok
    assert "counterexample does not re-check" in result.detail


def test_verify_json_and_timeout_option(tmp_path):
    path = write(tmp_path)
    res = CliRunner().invoke(main, ["verify", "--json", "--timeout", "5", str(path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["failed"] == 0 and data["claims"][0]["status"] == "proved"
    bad = CliRunner().invoke(main, ["verify", "--timeout", "0", str(path)])
    assert bad.exit_code == 2


def test_timeouts_give_open_never_proved(tmp_path):
    result = check_claim(load_claim(write(tmp_path)), timeout=1e-9)
    assert result.status == "open" and "Z3" in result.detail
    res = CliRunner().invoke(main, ["verify", "--timeout", "1e-9", str(write(tmp_path))])
    assert res.exit_code == 1


def test_invalid_file_is_reported_and_fails(tmp_path):
    write(tmp_path, "good.toml")
    (tmp_path / "bad.toml").write_text("id = 'x'\n")
    res = CliRunner().invoke(main, ["verify", str(tmp_path)])
    assert res.exit_code == 2  # bad input, as in every command; the good file is still checked
    assert "INVALID" in res.output and "bad.toml" in res.output


def test_existence_claim_beyond_concavity_is_open_not_refuted(tmp_path):
    # own-concavity (a sufficient condition) fails where gamma_i > beta_i, but that proves no non-existence
    # (issue 18: the distance variant is a weighted potential game where every gamma_i > 0): open, with
    # the point where concavity fails re-checked
    path = write(tmp_path, game="homogeneous = false", condition="beta[i] > 0")
    path.write_text(path.read_text().replace('kind = "uniqueness"', 'kind = "existence"')
                    .replace('variant = "overlap"', 'variant = "distance"'))
    result = check_claim(load_claim(path), timeout=10.0)
    assert result.status == "open" and "not refuted" in result.detail
    cex = result.counterexample
    assert any(cex[k] > cex[sp.Symbol(k.name.replace("gamma", "beta"), positive=True)]
               for k in cex if k.name.startswith("gamma"))
    assert "positive eigenvalue" in result.recheck


def _kind_file(tmp_path, kind, claim_body, game="groups = 2\nhomogeneous = false"):
    path = tmp_path / f"{kind}.toml"
    path.write_text(f'''id = "{kind}-demo"
reference = "test"
kind = "{kind}"
status = "proved"
statement = "demo"
[game]
family = "active_alignment"
variant = "overlap"
agents = 2
{game}
[claim]
{claim_body}
''')
    return load_claim(path)


def test_identity_kind(tmp_path):
    ok = check_claim(_kind_file(tmp_path, "identity", 'lhs = "sum(p[i, k], k)"\nrhs = "1"'))
    assert ok.status == "proved"
    bad = check_claim(_kind_file(tmp_path, "identity", 'lhs = "p[i, d]"\nrhs = "1/D"'))
    assert bad.status == "refuted" and "re-checked exactly" in bad.recheck


def test_wrong_closed_form_is_refuted_at_an_exact_point(tmp_path):
    # the T3 form with the sign of the diversity shift flipped
    claim = _kind_file(tmp_path, "closed_form",
                       'weights = "(alpha[i]*(a[i, d] - sum(a[i, k], k)/D) + beta[i]*p[i, d] - gamma[i]/D) / beta[i]"')
    result = check_claim(claim)
    assert result.status == "refuted"
    assert result.counterexample and "derived" in result.recheck and "stated" in result.recheck


def test_passes_rule():
    assert passes("refuted", "refuted") and passes("checked-by-property", "derived")
    assert not passes("proved", "open") and not passes("proved", "refuted") and not passes("open", "proved")


# --- safe loading: nothing in a file is executed -----------------------------------------

ATTACKS = [
    ("condition", {"condition": "__import__('os').system('touch {marker}') > 0"}, "__import__"),
    ("condition", {"condition": "beta.real > 0"}, "beta.real"),
    ("condition", {"condition": "(lambda: 1)() > 0"}, "lambda"),
    ("condition", {"condition": "sum([x for x in p]) > 0"}, "[x for x in p]"),
    ("condition", {"condition": "gamma < zeta"}, "zeta"),
    ("hypotheses", {"top": 'hypotheses = ["().__class__ > 0"]'}, "().__class__"),
    ("define", {"claim": '[[claim.define]]\nname = "f"\nbody = "__import__(\'os\')"'}, "__import__"),
    ("parameters", {"game": 'parameters = {gamma = "open(\'x\').read()"}'}, "open"),
]


@pytest.mark.parametrize("field,parts,piece", ATTACKS, ids=[a[2][:12] for a in ATTACKS])
def test_claim_trying_to_run_code_is_rejected(tmp_path, field, parts, piece):
    marker = tmp_path / "PWNED"
    parts = {k: v.replace("{marker}", str(marker)) for k, v in parts.items()}
    path = write(tmp_path, **parts)
    with pytest.raises(GameFileError) as info:
        load_claim(path)
    msg = str(info.value)
    assert str(path) in msg and field in msg and piece.replace("{marker}", "") in msg
    assert not marker.exists()


@pytest.mark.parametrize("parts,message", [
    ({"top": "colour = 1"}, "unknown field"),
    ({"claim": 'relation = "maybe"'}, "must be one of"),
    ({"claim": 'weights = "1"'}, "unknown field for kind"),
    ({"game": 'homogeneous = "yes"'}, "true or false"),
    ({"top": 'symbols = {beta = "positive"}'}, "parameter of the family"),
    ({"top": 'symbols = {eta = "complex"}'}, "assumption must be one of"),
    ({"condition": "gamma + beta"}, "expected a relation"),
])
def test_schema_errors_name_the_field(tmp_path, parts, message):
    with pytest.raises(GameFileError, match=message):
        load_claim(write(tmp_path, **parts))


def test_bad_status_kind_and_agents(tmp_path):
    p = write(tmp_path)
    text = p.read_text()
    for old, new, msg in (('status = "proved"', 'status = "true"', "status"),
                          ('kind = "uniqueness"', 'kind = "lemma"', "kind"),
                          ("agents = 3", 'agents = ["M"]', "game.agents"),
                          ("agents = 3", "agents = 1", "game.agents")):
        p.write_text(text.replace(old, new))
        with pytest.raises(GameFileError, match=msg):
            load_claim(p)


def test_free_indices_and_definitions(tmp_path):
    path = write(tmp_path, game="homogeneous = false",
                 condition="gamma[i] < twice(i)",
                 claim='[[claim.define]]\nname = "twice"\nargs = ["j"]\nbody = "2*beta[j]"')
    claim = load_claim(path)
    inst = claim.instances[0]
    cond = inst.condition(claim.body["condition"])
    assert cond == sp.And(*[sp.Symbol(f"gamma_{k}", nonnegative=True) < 2 * sp.Symbol(f"beta_{k}", positive=True)
                            for k in (1, 2, 3)])


def test_symbolic_n_rejects_agent_indices(tmp_path):
    path = write(tmp_path, condition="gamma < beta*(N - i)")
    path.write_text(path.read_text().replace("agents = 3", 'agents = "N"'))
    with pytest.raises(GameFileError, match="agent index"):
        load_claim(path)


# --- exclusion and steering dispatch (modules written elsewhere) ---------------------------

def _file(tmp_path, kind, body):
    """A homogeneous two-agent claim about the group named "right"."""
    return _kind_file(tmp_path, kind, f'group = "right"\n{body}', game='groups = ["left", "right"]')


def _fake(monkeypatch, name, **attrs):
    mod = types.ModuleType(f"symalign.analysis.{name}")
    for k, v in attrs.items():
        setattr(mod, k, v)
    monkeypatch.setitem(sys.modules, f"symalign.analysis.{name}", mod)


def test_exclusion_dispatch_compares_conditions(tmp_path, monkeypatch):
    seen = []

    def exclusion_condition(game, group):
        seen.append(group)
        b, g = game.param("beta", 0), game.param("gamma", 0)
        return types.SimpleNamespace(condition=sp.Min(b, 2 * b) >= g, validity=())

    _fake(monkeypatch, "exclusion", exclusion_condition=exclusion_condition)
    ok = check_claim(_file(tmp_path, "exclusion_threshold", 'condition = "gamma <= beta"'))
    assert ok.status == "proved" and seen[0] == 1
    bad = check_claim(_file(tmp_path, "exclusion_threshold", 'condition = "gamma <= 2*beta"'))
    assert bad.status == "refuted"
    cex = bad.counterexample
    b, g = sp.Symbol("beta", positive=True), sp.Symbol("gamma", nonnegative=True)
    assert cex[b] < cex[g] <= 2 * cex[b]      # stated holds, derived (gamma <= beta) fails
    # the point is completed to a real game and the solver confirms it (the group is not excluded there)
    assert "confirmed by the solver: group not excluded" in bad.recheck and bad.witness


def test_steering_dispatch_compares_amounts(tmp_path, monkeypatch):
    def minimal_subsidy(game, group):
        return types.SimpleNamespace(amount=sp.Max(0, 1 - game.param("gamma", 0)))

    _fake(monkeypatch, "steering", minimal_subsidy=minimal_subsidy)
    assert check_claim(_file(tmp_path, "steering", 'amount = "max(0, 1 - gamma)"')).status == "proved"
    # a difference Z3 finds is not a refutation until the true minimal subsidy of a real game (the
    # independent steering analysis, which the fake module cannot give) confirms it
    bad = check_claim(_file(tmp_path, "steering", 'amount = "1 - gamma"'))
    assert bad.status == "open" and "no admissible game there confirms it" in bad.detail


# --- the new claim kinds: each false instance refuted, confirmed independently ----------------

@pytest.mark.parametrize("name, confirm", [
    ("false_equilibrium_count.toml", "gain 0"),
    ("false_symmetric_blotto.toml", "independent deviation check"),
    ("false_statics_derivative.toml", "central finite difference"),
    ("false_statics_sign.toml", "the derivative is -"),
])
def test_new_kinds_false_instances_are_refuted(name, confirm):
    result = check_claim(load_claim(FIXTURES / name), timeout=10.0)
    assert result.status == "refuted" and result.ok, result.detail
    assert result.counterexample, result.detail
    assert confirm in result.recheck, result.recheck


# --- every claim kind on a custom family: the overlap claims, with the family written inline ----

CUSTOM_OVERLAP = '''family = "custom"
utility = "alpha*sum(a[d]*w[d], d) - beta/2*sum((w[d] - p[d])**2, d) - gamma*sum(w[d]*m[d], d)"
hypotheses = ["beta > 0"]
kinds = {alpha = "agent", beta = "agent", gamma = "agent", a = "vector", p = "vector"}
signs = {alpha = "positive", beta = "positive", gamma = "nonnegative", p = "simplex"}'''
FAST_CUSTOM = {"T0_existence_overlap.toml", "T1_best_response_overlap.toml", "T2_uniqueness_overlap.toml",
               "T4_exclusion_overlap.toml", "T5_minimal_subsidy.toml", "D1_best_response_contraction.toml",
               "T3_interior_uniqueness.toml", "T3_three_equilibria.toml", "T4_threshold_statics_beta.toml"}


def _overlap_params():
    out = []
    for p in sorted((THEOREMS / "active_alignment").glob("*.toml")):
        if 'variant = "overlap"' in p.read_text():
            marks = () if p.name in FAST_CUSTOM else (pytest.mark.slow,)
            out.append(pytest.param(p, marks=marks, id=p.stem))
    return out


@pytest.mark.parametrize("path", _overlap_params())
def test_claim_kinds_work_on_a_custom_family(path, tmp_path):
    text = path.read_text().replace('family = "active_alignment"\nvariant = "overlap"', CUSTOM_OVERLAP)
    assert 'family = "custom"' in text
    target = tmp_path / path.name
    target.write_text(text)
    claim = load_claim(target)
    assert claim.instances[0].game.family.label == "custom"
    result = check_claim(claim, timeout=10.0)
    assert result.ok, f"{result.status} (expected {result.claim.expected}): {result.detail}"


def test_contradictory_hypotheses_never_prove_a_claim():
    # "for every group d: (D-1) a[i,d] < sum_k a[i,k] - a[i,d]" cannot hold for all d at once; a false sign
    # must come out open (vacuous), not proved
    result = check_claim(load_claim(FIXTURES / "vacuous_hypotheses.toml"), timeout=10.0)
    assert result.status == "open" and "contradict" in result.detail, result.detail

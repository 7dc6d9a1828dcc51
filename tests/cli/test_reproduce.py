"""The main job: ``symalign reproduce`` writes report.tex, figures and results.json atomically."""

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from symalign.cli.app import main
from symalign.io.resources import theorems_dir
from symalign.io.schema import validate

FIXTURES = Path(__file__).resolve().parents[1] / "theorems" / "fixtures"  # test data, not package data


def _claims(tmp_path, names, fixture=None):
    d = tmp_path / "theorems"
    d.mkdir()
    for n in names:
        shutil.copy(theorems_dir() / "active_alignment" / n, d / n)
    if fixture:
        shutil.copy(FIXTURES / fixture, d / fixture)
    return d


def _run(tmp_path, theorems, *extra):
    out = tmp_path / "out"
    args = ["reproduce", "--out", str(out), "--theorems", str(theorems), "--grid", "12", "--no-pdf",
            "--boundary-seconds", "0", *extra]
    return CliRunner().invoke(main, args), out


def test_reproduce_writes_report_figures_and_json(tmp_path):
    theorems = _claims(tmp_path, ["T0_existence_overlap.toml", "T2_uniqueness_overlap.toml"])
    res, out = _run(tmp_path, theorems)
    assert res.exit_code == 0, res.output
    tex = (out / "report.tex").read_text()
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert r"\label{claim:T2-uniqueness-overlap}" in tex and r"\label{claim:T0-existence-overlap}" in tex
    # exactly the three figures, no temporary file left beside them (hidden ones included)
    # each figure as PNG and vector PDF
    assert sorted(os.listdir(out / "figures")) == sorted(f"{n}{s}" for n in ("phase_distance", "phase_overlap",
                                                                         "scenario_equilibrium", "subsidy_right")
                                                         for s in (".png", ".pdf"))
    assert sorted(os.listdir(out)) == [".symalign-output", "figures", "report.tex", "results.json"]
    data = json.loads((out / "results.json").read_text())
    validate(data, "results", out / "results.json")  # the published schema (symalign/io/schemas/results-1.json)
    assert data["all_claims_as_stated"] is True
    assert data["figures"] == ["figures/scenario_equilibrium.png", "figures/subsidy_right.png", "figures/phase_overlap.png",
                               "figures/phase_distance.png"]
    assert {c["status"] for c in data["claims"]} == {"proved"}
    # provenance and one index convention; paths relative, never absolute
    assert data["schema_version"] == "1.0" and data["tool"]["name"] == "symalign" and data["tool"]["version"]
    assert data["dependencies"]["sympy"] and data["created"].endswith("Z")
    assert {c["path"] for c in data["claims"]} == {"theorems/T0_existence_overlap.toml",
                                                   "theorems/T2_uniqueness_overlap.toml"}
    assert str(tmp_path) not in tex and str(tmp_path) not in (out / "results.json").read_text()
    for cond in data["scenario"]["exclusion"]:
        assert isinstance(cond["condition"], (bool, str)) and cond["condition"] not in ("True", "False")
        assert all(isinstance(t["agent"], int) and 0 <= t["agent"] < 6 for t in cond["thresholds"])
    assert all(g in ("left", "centre-left", "centre", "centre-right", "right")
               for row in data["scenario"]["equilibrium"]["support"] for g in row)
    scen = data["scenario"]
    assert scen["equilibrium"]["excluded_groups"] == ["right"]
    assert scen["minimal_subsidies"][0]["group"] == "right"
    # deterministic LaTeX and figures: a second run gives the same bytes
    first = {p.name: p.read_bytes() for p in [out / "report.tex", *sorted((out / "figures").iterdir())]}
    res, out = _run(tmp_path, theorems)
    assert res.exit_code == 0
    assert {p.name: p.read_bytes() for p in [out / "report.tex", *sorted((out / "figures").iterdir())]} == first
    if shutil.which("pdflatex"):  # the report an author pastes: no overfull box, no LaTeX warning
        from symalign.export.texcompile import compile_latex

        figs = [f"figures/{n}" for n in os.listdir(out / "figures")]
        report = compile_latex((out / "report.tex").read_text(), files=figs, root=out)
        assert report.ok, report.summary()


def test_reproduce_fails_when_a_claim_is_not_as_stated(tmp_path):
    theorems = _claims(tmp_path, ["T0_existence_overlap.toml"], fixture="false_uniqueness_overlap.toml")
    res, out = _run(tmp_path, theorems)
    assert res.exit_code == 1, res.output
    assert "NOT as stated" in res.output
    assert json.loads((out / "results.json").read_text())["all_claims_as_stated"] is False


def test_reproduce_missing_paths_one_line(tmp_path):
    res = CliRunner().invoke(main, ["reproduce", "--out", str(tmp_path / "o"), "--scenario", str(tmp_path / "none.toml")])
    assert res.exit_code == 2 and "Traceback" not in res.output


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_full_reproduce_builds_the_pdf(tmp_path):
    out = tmp_path / "full"
    res = CliRunner().invoke(main, ["reproduce", "--out", str(out)])
    assert res.exit_code == 0, res.output
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000

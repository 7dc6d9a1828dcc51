"""Release: package data found from any directory and declared for the wheel, metadata, optional dependencies."""

import fnmatch
import importlib.metadata
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import symalign
from symalign.errors import OptionalDependencyError
from symalign.io.resources import example, examples_dir, theorems_dir

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_shipped_data_is_found_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from symalign.claims.schema import claim_files, load_claim
    from symalign.io.gamefile import load_game

    files = claim_files([theorems_dir()])
    assert len(files) >= 18
    assert load_claim(files[0]).id
    assert load_game(example("social_media.toml")).n_agents == 6
    assert "symalign" in examples_dir().parts


def test_every_shipped_file_is_declared_as_package_data():
    data = tomllib.loads(PYPROJECT.read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["symalign"]
    package = Path(symalign.__file__).parent
    for folder in (theorems_dir(), examples_dir()):
        for path in folder.rglob("*"):
            if path.is_file():
                rel = path.relative_to(package).as_posix()
                assert any(fnmatch.fnmatchcase(rel, p) and rel.count("/") == p.count("/") for p in patterns), rel
    assert (package / "py.typed").exists() and "py.typed" in patterns


def test_metadata_version_licence_and_dependencies():
    assert symalign.__version__ == importlib.metadata.version("symalign")
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["version"] == symalign.__version__  # one source: pyproject.toml
    assert (PYPROJECT.parent / "LICENSE").read_text().startswith("MIT License")
    runtime = " ".join(project["dependencies"])
    assert "scipy" not in runtime and "latexify" not in runtime
    assert any("latexify" in d for d in project["optional-dependencies"]["latex"])
    # the licence as an SPDX expression (PEP 639), not the deprecated table or a classifier
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert not any(c.startswith("License ::") for c in project["classifiers"])


def test_scipy_is_not_imported_at_runtime():
    code = ("import sys, symalign, symalign.cli.app, symalign.export.report, symalign.export.plots, "
            "symalign.analysis.sweep, symalign.analysis.griddata, symalign.verify.strategies, symalign.io.nfg\n"
            "bad = sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.'))\n"
            "assert not bad, bad")
    env = {**os.environ, "PYTHONPATH": str(PYPROJECT.parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def test_report_falls_back_without_latexify(monkeypatch):
    import importlib.util

    from symalign.export import code, scalar

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "latexify" else real(name, *a))
    block = code.code_display(scalar.overlap_interior_weight)
    assert "\\begin{verbatim}" in block and "def overlap_interior_weight" in block
    assert "symalign[latex]" in block
    with pytest.raises(OptionalDependencyError, match=r"symalign\[latex\]"):
        code.code_latex(scalar.overlap_interior_weight)

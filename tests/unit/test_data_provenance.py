"""Every data file of ``sweep`` and ``campaign`` carries its provenance; ``symalign rerun`` repeats the run."""

from __future__ import annotations

import hashlib
import importlib.util

import pytest
from click.testing import CliRunner

from symalign.cli.app import main
from symalign.errors import InputError
from symalign.io.provenance import read_provenance
from symalign.io.resources import example

GAME = example("exclusion_4x3.toml")
FORMATS = [".csv", ".npz"] + [s for s, mod in ((".parquet", "pyarrow"), (".nc", "xarray"))
                                 if importlib.util.find_spec(mod)]


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def grids(tmp_path_factory):
    d = tmp_path_factory.mktemp("grids")
    out = {}
    for suffix in FORMATS:
        res = _run("sweep", GAME, "--x", "beta=0.5:2:4", "--y", "gamma=0:1:3", "-o", d / f"f{suffix}.png",
                   "--data", d / f"grid{suffix}", "--no-boundaries")
        assert res.exit_code == 0, res.output
        out[suffix] = d / f"grid{suffix}"
    return out


@pytest.mark.parametrize("suffix", FORMATS)
def test_sweep_files_carry_provenance_and_rerun_identically(grids, suffix, tmp_path):
    info = read_provenance(grids[suffix])
    assert info["run"]["command"] == "sweep"
    assert info["run"]["arguments"] == {"x": "beta=0.5:2:4", "y": "gamma=0:1:3", "color": "excluded",
                                        "no_boundaries": True}
    text = GAME.read_text(encoding="utf-8")
    assert info["game"]["toml"] == text and info["game"]["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert info["tool"]["name"] == "symalign" and info["dependencies"]["numpy"] and info["method"]
    res = _run("rerun", grids[suffix], "-o", tmp_path / f"again{suffix}")
    assert res.exit_code == 0, res.output
    assert "data identical" in res.output


def test_rerun_detects_changed_data(grids, tmp_path):
    changed = tmp_path / "changed.csv"
    lines = grids[".csv"].read_text(encoding="utf-8").splitlines()
    header, row = lines[1].split(","), lines[2].split(",")
    k = header.index("residual")
    row[k] = repr(float(row[k]) + 1.0)
    changed.write_text("\n".join(lines[:2] + [",".join(row)] + lines[3:]) + "\n", encoding="utf-8")
    res = _run("rerun", changed, "-o", tmp_path / "again.csv")
    assert res.exit_code == 1 and "DIFFER" in res.output


def test_rerun_refuses_a_tampered_game_and_its_own_input(grids, tmp_path):
    tampered = tmp_path / "t.csv"
    tampered.write_text(grids[".csv"].read_text(encoding="utf-8").replace("alpha", "alphx", 1), encoding="utf-8")
    res = CliRunner().invoke(main, ["rerun", str(tampered), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "SHA-256" in res.output
    res = CliRunner().invoke(main, ["rerun", str(grids[".csv"]), "-o", str(grids[".csv"])])
    assert res.exit_code == 2 and "DATA_FILE itself" in res.output


def test_csv_reads_with_pandas_comment_option(grids):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(grids[".csv"], comment="#")
    assert len(df) == 12 and {"beta", "gamma", "residual"} <= set(df.columns)


def test_file_without_provenance_is_one_clear_error(tmp_path):
    bare = tmp_path / "bare.csv"
    bare.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="bare.csv.*no symalign provenance"):
        read_provenance(bare)
    with pytest.raises(InputError, match="not a data file"):
        read_provenance(tmp_path / "x.txt")


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="campaign tables need pyarrow")
def test_campaign_table_records_seed_source_stages_and_reruns(tmp_path):
    table = tmp_path / "c.parquet"
    res = _run("campaign", "--games", 300, "--agents", 2, "--groups", 3, "--seed", 7, "--chunk", 100, "--local",
               "--out", table)
    assert res.exit_code == 0, res.output
    info = read_provenance(table)
    assert info["run"]["command"] == "campaign"
    assert info["run"]["arguments"]["seed"] == 7 and info["run"]["arguments"]["source"] == "distribution"
    assert "closed-form" in info["stages"]
    res = _run("rerun", table, "-o", tmp_path / "again.parquet")
    assert res.exit_code == 0 and "data identical" in res.output

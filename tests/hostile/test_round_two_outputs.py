"""Round two (issue 22) of output safety: a failed command keeps the earlier file; inputs are never targets;
multi-file outputs land as one set; temporaries of killed runs are swept; the reproduce lock is per folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conftest import BASE, ROOT, assert_clean_error, cli, write

BAD = BASE.replace("beta = 2", "beta = -2")
FAILING = {  # command -> extra args; each fails on the bad game (exit 2)
    "solve": [], "derive": [], "statics": ["--wrt", "gamma"], "exclusion": [], "steer": ["--include", "x"],
}


@pytest.mark.parametrize("command", sorted(FAILING))
def test_failed_command_keeps_the_earlier_out_file(tmp_path, command):
    out = tmp_path / "result.txt"
    out.write_text("earlier result")
    res = cli(command, write(tmp_path, BAD), *FAILING[command], "-o", out)
    assert_clean_error(res, "beta")
    assert out.read_text() == "earlier result"
    assert "left unchanged" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["game.toml", "result.txt"]  # no temporary left


def test_failed_verify_keeps_the_earlier_out_file(tmp_path):
    out = tmp_path / "report.txt"
    out.write_text("earlier report")
    claim = write(tmp_path, "id = 3\n", "bad_claim.toml")
    res = cli("verify", claim, "-o", out)
    assert res.exit_code == 2
    assert out.read_text() == "earlier report"


def test_successful_and_false_results_are_written(tmp_path):
    out = tmp_path / "result.json"
    out.write_text("earlier")
    assert cli("solve", write(tmp_path, BASE), "--json", "-o", out).exit_code == 0
    assert out.read_text().lstrip().startswith("{")
    claim = ROOT / "theorems" / "active_alignment" / "T0_existence_overlap.toml"
    res = cli("verify", claim, "-o", out)  # exit 0: written
    assert res.exit_code == 0 and "T0-existence-overlap" in out.read_text()


@pytest.mark.parametrize("spelling", ["same", "dot", "symlink", "hardlink"])
def test_convert_never_overwrites_its_input(tmp_path, spelling, monkeypatch):
    text = "# my comment\n" + BASE
    game = write(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    target = {"same": game, "dot": "./game.toml", "symlink": tmp_path / "link.toml",
              "hardlink": tmp_path / "hard.toml"}[spelling]
    if spelling == "symlink":
        os.symlink(game, target)
    if spelling == "hardlink":
        os.link(game, target)
    res = cli("convert", game, "-o", target)
    assert_clean_error(res, "input file")
    assert game.read_text() == text


def test_every_file_output_option_is_checked_against_the_inputs(tmp_path):
    game = write(tmp_path, BASE)
    before = game.read_bytes()
    for args in (["latex", game, "-o", game], ["convert", game, "--out", game],
                 ["sweep", game, "--x", "beta=1:2:3", "--y", "gamma=0:1:3", "--out", tmp_path / "f.png",
                  "--data", game]):
        assert_clean_error(cli(*args), "input file")
    assert game.read_bytes() == before


def test_convert_json(tmp_path):
    import json

    res = cli("convert", write(tmp_path, BASE), "--to", "toml", "--json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["format"] == "toml" and "family" in data["text"] and data["output"] is None
    out = tmp_path / "g2.toml"
    res = cli("convert", tmp_path / "game.toml", "-o", out, "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["output"] == str(out) and out.exists()
    res = cli("convert", write(tmp_path, BAD, "bad.toml"), "--json")
    assert res.exit_code == 2 and json.loads(res.stdout)["error"]["field"] == "parameters.beta"


def _campaign(tmp_path, *extra):
    return cli("campaign", "--games", 20, "--chunk", 10, "--agents", 2, "--groups", 3, "--local", *extra)


def test_campaign_table_and_figure_as_one_set(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    table, fig = tmp_path / "t.parquet", tmp_path / "f.png"
    table.write_bytes(b"old table")
    fig.write_bytes(b"old figure")
    import symalign.export.campaign_plot as plot

    def broken(result, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(plot, "campaign_figure", broken)
    res = _campaign(tmp_path, "--out", table, "--figure", fig)
    assert_clean_error(res, "No space left")
    assert table.read_bytes() == b"old table" and fig.read_bytes() == b"old figure"  # neither replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "t.parquet"]
    monkeypatch.undo()
    res = _campaign(tmp_path, "--out", table, "--figure", fig)
    assert res.exit_code == 0, res.stderr
    assert table.read_bytes()[:4] == b"PAR1" and fig.read_bytes()[:4] == b"\x89PNG"  # both new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "t.parquet"]


def test_campaign_error_starts_its_own_line(tmp_path, monkeypatch):
    import symalign.analysis.campaign as camp

    def failing(*args, progress=None, **kwargs):
        progress(10, 20)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(camp, "campaign", failing)
    res = _campaign(tmp_path)
    assert res.exit_code == 2
    lines = res.stderr.split("\n")
    assert any(x.startswith("symalign: error:") for x in lines), res.stderr  # not glued after "\r10 / 20 games"


def test_dead_writers_temporaries_are_swept_and_live_ones_kept(tmp_path):
    from symalign.io.outputs import output_set

    target = tmp_path / "f.png"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".f.png.symalign-{dead_pid}-abc.png"
    stale.write_text("left by a killed run")
    nested = tmp_path / f"..f.png.symalign-{dead_pid}-abc.png.symalign-{dead_pid}-def.png"  # a writer's own temp
    nested.write_text("left by a killed run")
    live = tmp_path / f".f.png.symalign-{os.getppid()}-xyz.png"  # a running process's temporary
    live.write_text("being written")
    other = tmp_path / f".g.png.symalign-{dead_pid}-abc.png"  # another target's: not this writer's business
    other.write_text("x")
    with output_set([target]) as (tmp,):
        open(tmp, "w").write("new")
    assert target.read_text() == "new"
    assert not stale.exists() and not nested.exists() and live.exists() and other.exists()


def test_reproduce_lock_is_keyed_by_the_resolved_folder(tmp_path):
    import filelock

    results = tmp_path / "results"
    results.mkdir()
    (tmp_path / "link").symlink_to(results)
    with filelock.FileLock(tmp_path / ".results.lock", timeout=0):  # a run writing 'results'
        res = cli("reproduce", "--out", tmp_path / "link", "--grid", "10", "--no-pdf")
    assert_clean_error(res, "another symalign run")
    assert (tmp_path / "link").is_symlink()


@pytest.mark.slow
def test_killed_campaign_leaves_a_whole_set_and_the_next_run_sweeps(tmp_path):
    pytest.importorskip("pyarrow")
    table, fig = tmp_path / "t.parquet", tmp_path / "f.png"
    base = [sys.executable, "-m", "symalign.cli.app", "campaign", "--agents", "2", "--groups", "3", "--local",
            "--out", str(table), "--figure", str(fig)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run(base + ["--games", "20", "--chunk", "10"], env=env, capture_output=True, text=True,
                           timeout=600)
    assert first.returncode == 0, first.stderr[-800:]
    old = table.read_bytes(), fig.read_bytes()
    for delay in (3, 6, 9):
        child = subprocess.Popen(base + ["--games", "400", "--chunk", "40", "--seed", str(delay)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.kill()
        child.wait()
        new = table.read_bytes(), fig.read_bytes()
        assert new == old or (new[0] != old[0] and new[1] != old[1])  # both old or both new
        old = new
    again = subprocess.run(base + ["--games", "20", "--chunk", "10"], env=env, capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stderr[-800:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "t.parquet"]  # leftovers swept

"""Output targets: never over an input, a device, a FIFO or a directory; checked before computing; sets whole."""

from __future__ import annotations

import fcntl
import os

import pytest

from conftest import BASE, assert_clean_error, cli, write
from symalign.io.outputs import MARKER


def _targets(tmp_path, game):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("keep")
    return {
        "input": (game, "input file"),
        "fifo": (fifo, "not a regular file"),
        "device": ("/dev/null", "not a regular file"),
        "directory": (tmp_path / "dir", "directory"),
        "missing dir": (tmp_path / "nope" / "x.out", "does not exist"),
        "file as dir": (tmp_path / "file" / "x.out", "is not a directory"),
    }


TARGETS = ["input", "fifo", "device", "directory", "missing dir", "file as dir"]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("command", ["latex -o", "latex --out", "latex --output", "solve -o", "derive --out",
                                     "exclusion -o", "steer -o"])
def test_refused_output_targets(tmp_path, command, target):
    game = write(tmp_path, BASE)
    before = game.read_bytes()
    path, needle = _targets(tmp_path, game)[target]
    name, opt = command.split()
    extra = ["--include", "x"] if name == "steer" else []
    res = cli(name, game, *extra, opt, path)
    assert_clean_error(res, needle)
    assert game.read_bytes() == before
    assert (tmp_path / "file").read_text() == "keep"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("which", ["--out", "--data"])
def test_sweep_refuses_before_computing(tmp_path, target, which):
    game = write(tmp_path, BASE)
    path, needle = _targets(tmp_path, game)[target]
    if which == "--data" and target in ("input", "fifo", "device"):
        path = path  # same checks for the data file
    out = path if which == "--out" else tmp_path / "f.png"
    data = path if which == "--data" else tmp_path / "g.csv"
    res = cli("sweep", game, "--x", "beta=1:2:400", "--y", "gamma=0:1:400", "--out", out, "--data", data)
    assert_clean_error(res, needle)
    assert "computing" not in res.stderr  # refused before the sweep


def test_sweep_writes_figure_and_data_together(tmp_path, monkeypatch):
    game = write(tmp_path, BASE)
    fig, data = tmp_path / "f.png", tmp_path / "g.csv"
    fig.write_bytes(b"old figure")
    data.write_text("old data")
    import symalign.analysis.sweep as sweep_mod

    def broken(result, path, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sweep_mod, "write_grid", broken)
    res = cli("sweep", game, "--x", "beta=1:2:3", "--y", "gamma=0:1:3", "--out", fig, "--data", data)
    assert_clean_error(res, "No space left")
    assert fig.read_bytes() == b"old figure" and data.read_text() == "old data"  # neither replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "g.csv", "game.toml"]  # no temp files


def test_captured_output_is_atomic_and_not_over_input(tmp_path):
    game = write(tmp_path, BASE)
    out = tmp_path / "solution.json"
    res = cli("solve", game, "--json", "-o", out)
    assert res.exit_code == 0, res.stderr
    assert out.read_text().lstrip().startswith("{") and res.stdout == ""


@pytest.mark.parametrize("setup, needle", [
    ("file", "not a directory"), ("foreign", "not written by symalign"), ("contains input", "contains the input"),
])
def test_reproduce_refuses_dangerous_directories(tmp_path, setup, needle):
    out = tmp_path / "out"
    scenario = None
    if setup == "file":
        out.write_text("x")
    elif setup == "foreign":
        out.mkdir()
        (out / "thesis.tex").write_text("mine")
    else:
        out.mkdir()
        (out / MARKER).write_text("")
        scenario = write(out, BASE, "scenario.toml")
    args = ["reproduce", "--out", out, "--grid", "10", "--no-pdf"] + (["--scenario", scenario] if scenario else [])
    assert_clean_error(cli(*args), needle)
    if setup == "foreign":
        assert (out / "thesis.tex").read_text() == "mine"


def test_reproduce_refuses_a_concurrent_run(tmp_path):
    out = tmp_path / "out"
    with open(tmp_path / ".out.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # another run holds the lock
        res = cli("reproduce", "--out", out, "--grid", "10", "--no-pdf")
    assert_clean_error(res, "another symalign run")
    assert not out.exists()


def test_old_results_without_marker_are_replaced_but_nothing_else(tmp_path):
    from symalign.io.outputs import check_output_dir
    from symalign.errors import OutputError

    old = tmp_path / "results"
    (old / "figures").mkdir(parents=True)
    (old / "report.tex").write_text("old")
    assert check_output_dir(old) == old
    (old / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not written by symalign"):
        check_output_dir(old)

"""Real processes with wall-clock and memory caps: hostile input ends fast and whole, never hangs or blows up.

Each run is a child ``python -m symalign.cli.app`` under RLIMIT_AS (3 GiB) and a timeout; before the
limits, several of these cases hung for minutes or took gigabytes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import BASE, CUSTOM, ROOT, run_capped, write


def _one_line_error(res, *needles):
    assert res.returncode == 2, (res.returncode, res.stdout[-400:], res.stderr[-400:])
    err = res.stderr.strip()
    assert "Traceback" not in err and err.startswith("symalign: error:") and len(err.splitlines()) == 1, err
    for n in needles:
        assert n in err, (n, err)


CASES = {
    "dev zero": (lambda tmp: ["solve", "/dev/zero"], "not a regular file"),
    "100000 agents": (lambda tmp: ["solve", write(tmp, BASE.replace("agents = 2", "agents = 100000")
                                                 .replace("alpha = 1", "alpha = [1, 2]"))], "--limit agents=N"),
    "100000 groups": (lambda tmp: ["solve", write(tmp, BASE.replace(
        'groups = ["x", "y", "z"]', "groups = [" + ",".join(f'"g{k}"' for k in range(100_000)) + "]"))],
        "--limit groups=N"),
    "deep toml": (lambda tmp: ["solve", write(tmp, BASE.replace("alpha = 1", "alpha = " + "[" * 100_000))],
                  "nested deeper"),
    "power 10000": (lambda tmp: ["derive", write(tmp, CUSTOM.replace(
        "sum(a[d]*w[d], d) - sum(w[d]**2, d)", "(w[0] + m[0] + 1)**10000"))], "expression_degree"),
    "tiny memory": (lambda tmp: ["solve", write(tmp, BASE), "--memory-limit", "60"], "memory budget"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_capped_child_fails_fast(tmp_path, case):
    make, needle = CASES[case]
    t0 = time.perf_counter()
    res = run_capped(make(tmp_path), seconds=60)
    _one_line_error(res, needle)
    assert time.perf_counter() - t0 < 60


@pytest.mark.slow
def test_killed_reproduce_leaves_the_old_results_whole(tmp_path):
    out = tmp_path / "results"
    args = ["reproduce", "--out", out, "--grid", "10", "--no-pdf", "--theorems",
            ROOT / "theorems" / "active_alignment" / "T0_existence_overlap.toml"]
    first = run_capped(args, seconds=600)
    assert first.returncode == 0, first.stderr[-1000:]
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "symalign.cli.app", *map(str, args)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(6)  # inside the run (claims or figures)
    child.send_signal(signal.SIGKILL)
    child.wait()
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # nothing of the killed run is mixed in
    second = run_capped(args, seconds=600)  # the next run cleans up and succeeds
    assert second.returncode == 0, second.stderr[-1000:]
    assert not [p for p in tmp_path.iterdir() if ".build-" in p.name]


@pytest.mark.slow
def test_two_concurrent_reproduce_runs_one_refused(tmp_path):
    out = tmp_path / "results"
    args = ["reproduce", "--out", out, "--grid", "10", "--no-pdf", "--theorems",
            ROOT / "theorems" / "active_alignment" / "T0_existence_overlap.toml"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    a = subprocess.Popen([sys.executable, "-m", "symalign.cli.app", *map(str, args)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    b = run_capped(args, seconds=600)
    a_out, a_err = a.communicate(timeout=600)
    assert a.returncode == 0, a_err[-1000:]
    _one_line_error(b, "another symalign run")


@pytest.mark.slow
def test_killed_sweep_never_mixes_figure_and_data(tmp_path):
    game = write(tmp_path, BASE)
    fig, data = tmp_path / "f.png", tmp_path / "g.npz"
    base = ["sweep", game, "--y", "gamma=0:1:60", "--out", fig, "--data", data]
    assert run_capped(base + ["--x", "beta=1:2:60"], seconds=300).returncode == 0
    old = fig.read_bytes(), data.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "symalign.cli.app", *map(str, base + ["--x", "beta=1:3:900"])],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(5)
    child.send_signal(signal.SIGKILL)
    child.wait()
    new = fig.read_bytes(), data.read_bytes()
    assert new == old or (new[0] != old[0] and new[1] != old[1])  # both old or both new

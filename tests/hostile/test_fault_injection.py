"""Fault injection into every multi-file writer: a process killed (os._exit, no cleanup) at each write boundary
leaves the old set or, once the next run has swept, the new set; never a mix, and no temporary file.

Writers: :func:`symalign.io.outputs.output_set` (``sweep`` figure + data, ``campaign`` table + figure, a Zarr
store as a directory member) and :func:`symalign.io.outputs.directory_build` (``reproduce``, a Zarr table alone).
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from symalign.io import outputs

FILES = ("fig.png", "data.csv", "store.zarr")


def _state(folder: Path) -> dict:
    out = {}
    for name in FILES:
        p = folder / name
        out[name] = (p / "content").read_text() if p.is_dir() else p.read_text()
    return out


def _old_set(folder: Path) -> None:
    (folder / "fig.png").write_text("old")
    (folder / "data.csv").write_text("old")
    (folder / "store.zarr").mkdir()
    (folder / "store.zarr" / "content").write_text("old")


def _write_new_set(folder: str, boundary: str, k: int) -> None:
    """In a forked child: write the new set and die (os._exit: no finally, no cleanup) at ``boundary``."""
    paths = [os.path.join(folder, n) for n in FILES]
    calls = []
    real = outputs._commit

    def commit(tmp, target):
        if boundary == "before commit" and len(calls) == k:
            os._exit(9)
        real(tmp, target)
        calls.append(target)
        if boundary == "after commit" and len(calls) == k + 1:
            os._exit(9)

    outputs._commit = commit
    with outputs.output_set(paths, directories=[paths[2]]) as temps:
        for j, tmp in enumerate(temps):
            if j == 2:
                os.mkdir(tmp)
                Path(tmp, "content").write_text("new")
            else:
                Path(tmp).write_text("new")
            if boundary == "while writing" and j == k:
                os._exit(9)
    os._exit(0)


BOUNDARIES = [("while writing", k) for k in range(3)] + [("before commit", k) for k in range(3)] + \
    [("after commit", k) for k in range(3)]


@pytest.mark.parametrize("boundary, k", BOUNDARIES, ids=[f"{b}-{k}" for b, k in BOUNDARIES])
def test_output_set_killed_at_each_boundary(tmp_path, boundary, k):
    _old_set(tmp_path)
    child = multiprocessing.get_context("fork").Process(target=_write_new_set, args=(str(tmp_path), boundary, k))
    child.start()
    child.join(60)
    assert child.exitcode == 9
    outputs.sweep_stale([tmp_path / n for n in FILES])  # what the next writer of any of them does first
    state = _state(tmp_path)
    assert set(state.values()) in ({"old"}, {"new"}), state  # never a mix
    expected = "old" if boundary == "while writing" else "new"  # killed after the journal: completed
    assert set(state.values()) == {expected}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)  # no temporary, no journal


def test_output_set_failure_in_the_block_keeps_the_old_set(tmp_path):
    _old_set(tmp_path)
    paths = [tmp_path / n for n in FILES]
    with pytest.raises(OSError, match="No space"):
        with outputs.output_set(paths, directories=[paths[2]]) as temps:
            Path(temps[0]).write_text("new")
            raise OSError(28, "No space left on device")
    assert set(_state(tmp_path).values()) == {"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)


def _build(folder: str, stage: str) -> None:
    out = os.path.join(folder, "results")
    real = outputs._exchange

    def exchange(a, b):
        if stage == "at the swap":
            os._exit(9)
        return real(a, b)

    outputs._exchange = exchange
    with outputs.directory_build(out) as tmp:
        (tmp / "report.tex").write_text("new")
        if stage == "while writing":
            os._exit(9)
        (tmp / "results.json").write_text("new")
    os._exit(0)


@pytest.mark.parametrize("stage", ["while writing", "at the swap", "done"])
def test_directory_build_killed_at_each_boundary(tmp_path, stage):
    out = tmp_path / "results"
    with outputs.directory_build(out) as tmp:
        (tmp / "report.tex").write_text("old")
        (tmp / "results.json").write_text("old")
    child = multiprocessing.get_context("fork").Process(target=_build, args=(str(tmp_path), stage))
    child.start()
    child.join(60)
    assert child.exitcode == (0 if stage == "done" else 9)
    contents = {(out / n).read_text() for n in ("report.tex", "results.json")}
    assert contents == ({"new"} if stage == "done" else {"old"})
    with outputs.directory_build(out) as tmp:  # the next run sweeps the killed one's build folder
        (tmp / "report.tex").write_text("next")
    assert not [p for p in tmp_path.iterdir() if ".build-" in p.name]

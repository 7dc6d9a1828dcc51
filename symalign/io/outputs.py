"""Output targets checked before any work is done: nothing is lost, nothing is mixed.

A command checks every output path it was given *before* it computes:

* a file output may not be a directory, a device, a FIFO or a socket, nor
  the same file as one of the command's inputs (following symlinks), and
  its directory must exist and be writable;
* a directory output (``reproduce``) may not be a file, and an existing
  directory is only ever replaced whole if an earlier ``reproduce`` made it
  (it holds the marker :data:`MARKER`).

:func:`output_set` writes several files as one set: each is written to a
temporary file beside its target and all are renamed into place only once
every one of them is complete.

Examples
--------
>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     check_output(os.path.join(d, "out.tex"), "--out")
...     check_output(d, "--out")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
symalign.errors.OutputError: --out='...': is a directory; give a file name
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from symalign.errors import ArgumentTypeError, OutputError

__all__ = ["check_output", "check_output_dir", "output_set", "sweep_stale", "directory_build", "MARKER"]

MARKER = ".symalign-output"
"""File that marks a directory written by ``symalign reproduce`` (so it may be replaced whole)."""

_REPRODUCE_OUTPUTS = frozenset({"report.tex", "report.pdf", "results.json", "figures", MARKER})
"""A directory holding only these (from a version without the marker) may be replaced too."""


def _path(path, argument) -> Path:
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ArgumentTypeError(argument, path, "expected a file path")
    return Path(path)


def _parent(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def check_output(path, argument: str = "output", inputs=()) -> Path:
    """Refuse an output file that would destroy something or cannot be written; return it as a Path."""
    path = _path(path, argument)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        raise OutputError(argument, str(path), f"cannot inspect: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(argument, str(path), "is a directory; give a file name")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(argument, str(path), "is not a regular file (a device, FIFO or socket): refusing to write")
        for src in inputs:
            with contextlib.suppress(OSError):
                if os.path.samefile(path, src):
                    raise OutputError(argument, str(path), f"is the input file {str(src)!r}: refusing to overwrite it")
    parent = _parent(path)
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise OutputError(argument, str(path), f"the directory {what}: {str(parent)!r}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(argument, str(path), f"the directory {str(parent)!r} is not writable")
    return path


def check_output_dir(path, argument: str = "--out", inputs=()) -> Path:
    """Refuse an output directory that is a file, a non-symalign folder with content, or not creatable."""
    path = _path(path, argument)
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise OutputError(argument, str(path), "exists and is not a directory")
        entries = {p.name for p in path.iterdir()}
        if entries and not (path / MARKER).exists() and not entries <= _REPRODUCE_OUTPUTS:
            raise OutputError(argument, str(path), f"is a non-empty directory not written by symalign (no {MARKER}): "
                                                   "refusing to replace it; give a new or empty directory")
        resolved = path.resolve()
        for src in inputs:
            if Path(src).resolve().is_relative_to(resolved):
                raise OutputError(argument, str(path), f"contains the input {str(src)!r}: refusing to replace it")
    parent = _parent(path.absolute())
    if not parent.is_dir():
        raise OutputError(argument, str(path), f"the directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(argument, str(path), f"the directory {str(parent)!r} is not writable")
    return path


_TEMP = ".symalign-{pid}-"
"""Marks a temporary output beside its target (``.NAME.symalign-PID-XXXX.SUFFIX``): the writer's process id
lets a later run remove what a killed one left, never what a running one is writing."""


def _temp(p: Path, suffix, directory: bool) -> str:
    prefix = f".{p.name}{_TEMP.format(pid=os.getpid())}"
    if directory:  # a name only: the writer creates the directory (a Zarr store)
        tmp = tempfile.mkdtemp(dir=_parent(p), prefix=prefix, suffix=suffix or p.suffix)
        os.rmdir(tmp)
        return tmp
    fd, tmp = tempfile.mkstemp(dir=_parent(p), prefix=prefix, suffix=suffix or p.suffix)
    os.close(fd)
    return tmp


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != 0


def _remove(path) -> None:
    import shutil

    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        with contextlib.suppress(OSError):
            os.unlink(path)


def sweep_stale(paths) -> list:
    """Finish or remove what a killed writer left beside ``paths``; return the names removed or completed.

    A journal (``.NAME.symalign-set``, written just before a set is renamed into place) whose process is gone
    is completed: its remaining temporaries are moved onto their targets, so the new set is whole.  Then
    temporaries of dead processes are removed.
    """
    import glob
    import json
    import re

    done = []
    for p in (Path(x) for x in paths if x is not None):
        parent = _parent(p)
        for journal in parent.glob(f".{glob.escape(p.name)}.symalign-set"):
            with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
                record = json.loads(journal.read_text(encoding="utf-8"))
                if _alive(int(record["pid"])) and int(record["pid"]) != os.getpid():
                    continue
                for tmp, target in record["pairs"]:
                    if os.path.lexists(tmp):
                        _commit(Path(tmp), Path(target))
                        done.append(str(target))
                journal.unlink()
        pattern = re.compile(r"\.+" + re.escape(p.name) + r"\.symalign-(\d+)-")  # also a temporary's temporary
        for stale in parent.glob(f".*{glob.escape(p.name)}.symalign-*"):
            m = pattern.match(stale.name)
            if m and not _alive(int(m.group(1))):
                _remove(stale)
                done.append(str(stale))
    return done


def _commit(tmp: Path, target: Path) -> None:
    """Move ``tmp`` onto ``target`` (a file by ``os.replace``; a directory by exchange, then the old one removed)."""
    if tmp.is_dir() and not tmp.is_symlink():
        if target.exists():
            if not _exchange(tmp, target):
                old = Path(_temp(target, ".old", directory=True))
                os.rename(target, old)
                os.rename(tmp, target)
                tmp = old
            _remove(tmp)
            return
    os.replace(tmp, target)


@contextlib.contextmanager
def output_set(paths, suffix=None, directories=()):
    """Yield temporary paths for ``paths``; move them all into place only when the block succeeds.

    On failure (an exception) no target is touched and the temporary files
    are removed, so a set of outputs (a figure and its data) is never mixed
    from two runs.  ``None`` entries are passed through.  Each temporary file
    ends in ``suffix`` (default: its target's suffix) and keeps the mode of
    the file it replaces (0o644 for a new file).  Targets listed in
    ``directories`` get a temporary *name* (the block creates the directory).

    Before the moves a journal names every (temporary, target) pair; if the
    process is killed among the moves, the next writer of any of the targets
    completes them (:func:`sweep_stale`), so the set ends whole and new.
    Temporaries of killed runs are swept by the next run.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     a, b = os.path.join(d, "a.txt"), os.path.join(d, "b.txt")
    ...     with output_set([a, b]) as (ta, tb):
    ...         _ = open(ta, "w").write("1"), open(tb, "w").write("2")
    ...     sorted(os.listdir(d)), open(a).read() + open(b).read()
    (['a.txt', 'b.txt'], '12')
    """
    import json

    dirs = {str(Path(d)) for d in directories}
    sweep_stale(paths)
    temps, journal = [], None
    try:
        for p in paths:
            temps.append(None if p is None else _temp(Path(p), suffix, str(Path(p)) in dirs))
        yield temps
        pairs = [(os.path.abspath(tmp), os.path.abspath(p)) for p, tmp in zip(paths, temps) if tmp is not None]
        for tmp, p in pairs:
            p = Path(p)
            os.chmod(tmp, (p.stat().st_mode & 0o777) if p.exists() else (0o755 if os.path.isdir(tmp) else 0o644))
        if len(pairs) > 1:
            first = Path(pairs[0][1])
            record = _temp(first, ".journal", directory=False)  # swept like any temporary if killed here
            Path(record).write_text(json.dumps({"pid": os.getpid(), "pairs": pairs}), encoding="utf-8")
            journal = _parent(first) / f".{first.name}.symalign-set"
            os.replace(record, journal)
        for tmp, p in pairs:
            _commit(Path(tmp), Path(p))
        if journal is not None:
            journal.unlink()
            journal = None
    finally:
        if journal is None:  # failed before the journal: the old set stays; its temporaries go
            for tmp in temps:
                if tmp is not None:
                    _remove(tmp)


@contextlib.contextmanager
def directory_build(path, argument: str = "--out"):
    """Build a whole output directory beside ``path`` and swap it in only when the block succeeds.

    Yields a fresh temporary sibling directory (holding :data:`MARKER`).  A
    lock file ``.NAME.lock`` (:mod:`filelock`) beside the *resolved* folder
    refuses a concurrent build into the same directory under any spelling
    (``results`` and a link to it share one lock).  On success the new directory replaces ``path`` in
    one step (an atomic exchange where the OS offers one); on failure, or if
    the process is killed, ``path`` is untouched and leftovers of the
    interrupted build are removed by the next one.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = os.path.join(d, "results")
    ...     with directory_build(out) as tmp:
    ...         _ = open(os.path.join(tmp, "report.tex"), "w").write("x")
    ...     sorted(os.listdir(out))
    ['.symalign-output', 'report.tex']
    """
    import shutil

    import filelock

    path = check_output_dir(path, argument).resolve()  # the folder itself: every spelling (a link) shares one lock
    parent = path.parent
    lock_path = parent / f".{path.name}.lock"
    lock = filelock.FileLock(lock_path, timeout=0)
    try:
        try:
            lock.acquire()
        except filelock.Timeout:
            raise OutputError(argument, str(path), "another symalign run is writing this directory "
                                                   f"(lock {str(lock_path)!r}); wait for it to finish") from None
        for stale in parent.glob(f".{path.name}.build-*"):  # left by a killed run (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}.build-"))
        try:
            (tmp / MARKER).write_text("written by symalign; this directory is replaced whole by the next run\n")
            yield tmp
            os.chmod(tmp, 0o755)
            if path.exists():
                if not _exchange(tmp, path):
                    old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}.build-old-"))
                    os.rmdir(old)
                    os.rename(path, old)
                    os.rename(tmp, path)
                    tmp = old
            else:
                os.rename(tmp, path)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if lock.is_locked:
            lock.release()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unavailable."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0

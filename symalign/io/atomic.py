"""Atomic outputs: a crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


__all__ = ["atomic_output"]


@contextlib.contextmanager
def atomic_output(path, suffix=None):
    """Yield a temporary path in ``path``'s directory; on success move it onto ``path``.

    The file keeps the mode of the one it replaces (0o644 for a new file).

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with atomic_output(os.path.join(d, "out.txt")) as tmp:
    ...         _ = open(tmp, "w").write("x")
    ...     sorted(os.listdir(d)), open(os.path.join(d, "out.txt")).read()
    (['out.txt'], 'x')
    """
    from symalign.io.outputs import check_output

    path = check_output(path, "output")  # never over a directory, a device or a FIFO
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=suffix or path.suffix)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

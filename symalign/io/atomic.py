"""Atomic outputs: a crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib

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
    from symalign.io.outputs import check_output, output_set

    path = check_output(path, "output")  # never over a directory, a device or a FIFO
    with output_set([path], suffix) as (tmp,):
        yield tmp

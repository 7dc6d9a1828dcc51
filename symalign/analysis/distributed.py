"""Running campaigns and sweeps on Dask (optional extra ``symalign[dask]``).

:func:`dask_client` connects to a scheduler (``--scheduler ADDRESS``) or
starts a :class:`distributed.LocalCluster` (default: 2 worker processes,
one thread each: the chunks are NumPy-bound and already vectorised).
:func:`map_ordered` maps a pure function over argument tuples and returns
the results in order; the work units are
:func:`symalign.analysis.campaign.run_chunk` (a campaign) and
:func:`sweep_rows` (a block of rows of a sweep).  Each worker process
compiles a game once and keeps it (:func:`symalign.analysis.campaign.compiled_family`,
:func:`symalign.analysis.sweep.compiled_sweep_game`).  :func:`write_table`
writes a campaign's table as Parquet (pyarrow).
"""

from __future__ import annotations

import json

import contextlib

import numpy as np

from symalign.errors import InputError

__all__ = ["dask_client", "map_ordered", "sweep_rows", "sweep_distributed", "write_table", "TABLE_SUFFIXES"]


def _require(module: str, install: str = "pip install 'symalign[dask]'"):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError("--dask", module, f"needs the optional extra: {install}") from None


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2, *, processes: bool = True):
    """A Dask client: connected to ``scheduler``, or on a new LocalCluster of ``workers`` processes
    (threads with ``processes=False``: quicker to start, for tests and small jobs)."""
    _require("distributed")
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, timeout="20s")
        try:
            yield client
        finally:
            client.close()
        return
    if not isinstance(workers, int) or not 1 <= workers <= 64:
        raise InputError("--workers", workers, "must be an integer in 1..64")
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as client:
        yield client


def map_ordered(client, fn, arg_tuples, *, progress=None, weights=None) -> list:
    """``[fn(*args) for args in arg_tuples]`` computed on ``client``'s workers, in order.

    ``progress(done, total)`` is called as results arrive (``weights`` per task, default 1).
    """
    from distributed import as_completed

    arg_tuples = list(arg_tuples)
    weights = list(weights) if weights is not None else [1] * len(arg_tuples)
    futures = [client.submit(fn, *args, pure=False) for args in arg_tuples]
    index = {f.key: k for k, f in enumerate(futures)}
    out = [None] * len(futures)
    done, total = 0, sum(weights)
    for fut in as_completed(futures):
        k = index[fut.key]
        out[k] = fut.result()
        done += weights[k]
        if progress:
            progress(done, total)
    return out


def sweep_rows(game, x, y, rows):
    """The sweep of ``game`` on rows ``rows = (r0, r1)`` of the grid ``x`` by ``y`` (a work unit)."""
    from symalign.analysis.sweep import sub_axis, sweep

    return sweep(game, x, sub_axis(y, *rows))


def sweep_distributed(game, x, y, client, *, blocks: int | None = None, progress=None):
    """:func:`symalign.analysis.sweep.sweep` with blocks of rows computed on ``client``'s workers.

    Each block is a sweep of its own (support continuation inside the block);
    the blocks are joined along the y axis into one result.
    """
    from symalign.analysis.sweep import SweepResult, check_axes

    check_axes(game, x, y)
    n = blocks or max(2, 2 * len(client.scheduler_info().get("workers", {})) or 2)
    n = max(1, min(int(n), y.num))
    edges = np.linspace(0, y.num, n + 1).round().astype(int)
    rows = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]
    parts = map_ordered(client, sweep_rows, [(game, x, y, r) for r in rows], progress=progress,
                        weights=[(b - a) * x.num for a, b in rows])
    stages = {}
    for p in parts:
        for k, v in (p.stages or {}).items():
            stages[k] = stages.get(k, 0) + v
    cat = lambda name: np.concatenate([getattr(p, name) for p in parts], axis=0)  # noqa: E731
    return SweepResult(game, parts[0].pgame, x, y, cat("weights"), cat("support"), cat("converged"), cat("residual"),
                       cat("admissible"), f"{parts[0].method} on Dask ({len(rows)} blocks)", stages)


TABLE_SUFFIXES = (".parquet", ".zarr")
"""Formats of a campaign table: Parquet (pyarrow) or a Zarr store (a directory; zarr)."""


def write_table(table: dict, path, provenance: dict | None = None, into=None) -> None:
    """Write a campaign table (dict of equal-length 1-D arrays) as Parquet or as a Zarr store, atomically.

    ``provenance`` (:func:`symalign.io.provenance.data_provenance`) goes into the Parquet key-value
    metadata ``symalign`` or the Zarr group attribute ``symalign_provenance``.

    ``.parquet``: one file (pyarrow).  ``.zarr``: a directory store with one
    array per column (zarr), built beside ``path`` and swapped in whole
    (:func:`symalign.io.outputs.directory_build`).  With ``into`` (a
    temporary of an :func:`~symalign.io.outputs.output_set` that also holds
    the figure) the table is written there, in ``path``'s format, and the set
    moves it into place.
    """
    from pathlib import Path

    from symalign.io.atomic import atomic_output

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError("--out", str(path), f"the campaign table must end in one of {TABLE_SUFFIXES}")
    columns = {k: np.asarray(v) for k, v in table.items()}
    if suffix == ".zarr":
        zarr = _require("zarr", "pip install zarr")
        from symalign.io.outputs import MARKER, directory_build

        def store(folder):
            zarr.save_group(str(folder), **columns)  # clears the directory first
            if provenance is not None:
                from symalign.io.provenance import ATTRIBUTE

                zarr.open_group(str(folder), mode="a").attrs[ATTRIBUTE] = json.dumps(provenance, sort_keys=True)
            (Path(folder) / MARKER).write_text("written by symalign; this directory is replaced whole by the next run\n")

        if into is not None:
            return store(into)
        with directory_build(path, "--out") as tmp:
            store(tmp)  # the marker lets the next run replace the store
        return
    _require("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = pa.table(columns)
    if provenance is not None:
        from symalign.io.provenance import PARQUET_KEY

        data = data.replace_schema_metadata({PARQUET_KEY: json.dumps(provenance, sort_keys=True).encode()})
    if into is not None:
        return pq.write_table(data, str(into))
    with atomic_output(path) as tmp:
        pq.write_table(data, str(tmp))

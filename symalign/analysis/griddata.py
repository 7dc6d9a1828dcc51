"""Sweep grids as data: a pandas DataFrame, an xarray Dataset, and files written by real writers.

One row (CSV, DataFrame) or one cell (Dataset, NPZ) per grid point, with the
index convention of every symalign output: groups by name, agents 0-based.

Writers by suffix:

* ``.csv``: :mod:`csv` (every header quoted where needed, e.g. ``"w[0,left]"``;
  booleans ``True``/``False``); needs nothing;
* ``.npz``: :func:`numpy.savez_compressed` (the arrays); needs nothing;
* ``.nc``: :meth:`xarray.Dataset.to_netcdf` (NetCDF, scipy engine when netCDF4
  is absent); needs ``symalign[data]``;
* ``.parquet``: :meth:`pandas.DataFrame.to_parquet`; needs ``symalign[parquet]``.

Files are written atomically (:func:`symalign.io.atomic.atomic_output`). Given ``provenance``
(:func:`symalign.io.provenance.data_provenance`), every format carries it, read back by
:func:`symalign.io.provenance.read_provenance`; a CSV file then starts with one ``#`` comment line
(``pandas.read_csv(path, comment="#")``).

Examples
--------
>>> from symalign import Game, get_family
>>> from symalign.analysis.sweep import parse_axis, sweep
>>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
...                 a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
>>> r = sweep(g, parse_axis("beta=1:2:3"), parse_axis("gamma=0:1.2:4"), use_batch=False)
>>> columns(r)[:7]
['beta', 'gamma', 'admissible', 'converged', 'residual', 'excluded_count', 'excluded[x]']
>>> rows = list(records(r))
>>> len(rows), rows[0]["w[1,z]"]
(12, 0.0)
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np

from symalign.errors import InputError, OptionalDependencyError
from symalign.io.atomic import atomic_output

__all__ = ["columns", "records", "to_dataframe", "to_dataset", "write_grid", "SUFFIXES"]

SUFFIXES = (".csv", ".npz", ".nc", ".parquet")


def columns(result) -> list:
    """Column names of the flat table: the two parameters, flags, then per group and per (agent, group)."""
    groups = list(result.game.groups)
    cols = [result.x.name, result.y.name, "admissible", "converged", "residual", "excluded_count"]
    cols += [f"excluded[{g}]" for g in groups] + [f"mean_w[{g}]" for g in groups]
    cols += [f"w[{i},{g}]" for i in range(result.game.n_agents) for g in groups]
    return cols


def _table(result):
    """Column name -> 1-D array (row-major over ``[iy, ix]``)."""
    N, D = result.game.n_agents, result.game.n_groups
    gx, gy = np.meshgrid(result.x.values, result.y.values)
    cols = columns(result)
    data = [gx.reshape(-1), gy.reshape(-1), result.admissible.reshape(-1), result.converged.reshape(-1),
            result.residual.reshape(-1), result.excluded_count.reshape(-1)]
    ex = result.excluded.reshape(-1, D)
    mean = np.where(result.solved[..., None], result.weights.mean(axis=2), np.nan).reshape(-1, D)
    W = result.weights.reshape(-1, N * D)
    data += [ex[:, d] for d in range(D)] + [mean[:, d] for d in range(D)] + [W[:, k] for k in range(N * D)]
    return dict(zip(cols, data))


def _python(x):
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    return float(x)


def records(result):
    """Yield one dict per grid point (Python scalars)."""
    table = _table(result)
    names = list(table)
    for k in range(len(table[names[0]])):
        yield {n: _python(table[n][k]) for n in names}


def _require(module, extra, feature):
    if importlib.util.find_spec(module) is None:
        raise OptionalDependencyError(module, extra, feature)


def to_dataframe(result):
    """The grid as a :class:`pandas.DataFrame`, one row per point (needs ``symalign[data]``)."""
    _require("pandas", "data", "a sweep as a DataFrame")
    import pandas as pd

    df = pd.DataFrame(_table(result))
    df.attrs.update(_attrs(result))
    return df


def to_dataset(result):
    """The grid as an :class:`xarray.Dataset` on dims ``(y, x, agent, group)`` (needs ``symalign[data]``).

    The dims of the two parameters are named after them (e.g. ``gamma``, ``beta``).
    """
    _require("xarray", "data", "a sweep as an xarray Dataset")
    import xarray as xr

    x, y = result.x.name, result.y.name
    groups = list(result.game.groups)
    coords = {x: result.x.values, y: result.y.values, "agent": np.arange(result.game.n_agents), "group": groups}
    cell = (y, x)
    return xr.Dataset(
        {
            "weights": (cell + ("agent", "group"), result.weights),
            "support": (cell + ("agent", "group"), result.support),
            "admissible": (cell, result.admissible),
            "converged": (cell, result.converged),
            "residual": (cell, result.residual),
            "excluded": (cell + ("group",), result.excluded),
            "excluded_count": (cell, result.excluded_count),
        },
        coords=coords,
        attrs=_attrs(result),
    )


def _attrs(result) -> dict:
    return {"family": result.game.family.label, "method": result.method, "x": str(result.x), "y": str(result.y),
            "agents": "0-based indices", "groups": ", ".join(result.game.groups)}


def write_grid(result, path, provenance: dict | None = None) -> Path:
    """Write the grid, atomically, in the format its suffix names (see the module docstring)."""
    import json

    from symalign.io.provenance import ATTRIBUTE, CSV_PREFIX, PARQUET_KEY

    stamp = None if provenance is None else json.dumps(provenance, sort_keys=True)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError("--data", str(path), f"the grid file must end in {', '.join(SUFFIXES)}")
    if suffix == ".nc":
        ds = to_dataset(result)
        if stamp is not None:
            ds.attrs[ATTRIBUTE] = stamp
    elif suffix == ".parquet":
        _require("pyarrow", "parquet", "writing Parquet")
        df = to_dataframe(result)
        df.attrs = {}
    with atomic_output(path) as tmp:
        if suffix == ".npz":
            with open(tmp, "wb") as fh:
                np.savez_compressed(
                    fh, x=result.x.values, y=result.y.values, x_name=result.x.name, y_name=result.y.name,
                    groups=np.array(result.game.groups), weights=result.weights, support=result.support,
                    converged=result.converged, residual=result.residual, admissible=result.admissible,
                    excluded=result.excluded, excluded_count=result.excluded_count,
                    **({} if stamp is None else {ATTRIBUTE: np.array(stamp)}),
                )
        elif suffix == ".csv":
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                if stamp is not None:
                    fh.write(CSV_PREFIX + stamp + "\n")
                writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
                writer.writerow(columns(result))
                for row in records(result):
                    writer.writerow([repr(v) if isinstance(v, float) else v for v in row.values()])
        elif suffix == ".nc":
            ds.to_netcdf(tmp)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            if stamp is not None:
                table = table.replace_schema_metadata({**(table.schema.metadata or {}), PARQUET_KEY: stamp.encode()})
            pq.write_table(table, str(tmp))
    return path

"""Provenance of machine-readable outputs: schema version, tool and dependency versions, time.

JSON outputs meant to be archived (``results.json`` of ``symalign
reproduce``) carry :func:`provenance` under ``"provenance"``.  Index
convention, the same in every JSON output of symalign: **groups are named**
(``"left"``, not an index) and **agents are 0-based indices** (agent 0 is
the first row of every N x D array).  Symbols in LaTeX keep the paper's
1-based subscripts (``w_{1,1}`` is agent 0's weight on the first group).

LaTeX outputs never carry provenance: ``report.tex`` is deterministic.

Data files (sweep grids, campaign tables) carry :func:`data_provenance`: the
above plus the run that made them (command, arguments, seed, source) and the
game's exact text with its SHA-256, so that ``symalign rerun FILE`` can repeat
the run from the file alone. Where it lives, by format (read back by
:func:`read_provenance`): a first line ``# symalign-provenance: {...}`` in CSV
(read the table with ``pandas.read_csv(path, comment="#")``), an array
``provenance`` in NPZ, the attribute ``symalign_provenance`` of a NetCDF
dataset or a Zarr group, the key-value metadata ``symalign`` of a Parquet file.

Examples
--------
>>> info = provenance()
>>> info["schema_version"], info["tool"]["name"], sorted(info["conventions"])
('1.0', 'symalign', ['agents', 'groups'])
>>> "sympy" in info["dependencies"] and info["created"].endswith("Z")
True
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from symalign.errors import InputError

__all__ = ["SCHEMA_VERSION", "CONVENTIONS", "provenance", "version", "data_provenance", "read_provenance",
           "CSV_PREFIX", "ATTRIBUTE", "PARQUET_KEY"]

SCHEMA_VERSION = "1.0"
"""Version of the layout of ``results.json``; bumped on any incompatible change."""

CONVENTIONS = {
    "agents": "0-based indices (agent 0 is the first row of every N x D array)",
    "groups": "names as given in the game file",
}

_DEPENDENCIES = ("sympy", "numpy", "z3-solver", "click", "rich", "matplotlib", "hypothesis", "latexify-py")


def version(distribution: str = "symalign") -> str | None:
    """Installed version of ``distribution`` (None when it is not installed)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def provenance(now: _dt.datetime | None = None) -> dict:
    """Schema version, symalign's and its dependencies' versions, Python, UTC timestamp."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "symalign", "version": version()},
        "python": platform.python_version(),
        "dependencies": {name: version(name) for name in _DEPENDENCIES},
        "created": now.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conventions": dict(CONVENTIONS),
    }


CSV_PREFIX = "# symalign-provenance: "
"""First line of a CSV file written by symalign (then the header row)."""
PARQUET_KEY = b"symalign"
"""Key of the provenance JSON in a Parquet file's key-value metadata."""
ATTRIBUTE = "symalign_provenance"
"""Attribute (NetCDF, Zarr) or array (NPZ) name holding the provenance JSON; Parquet metadata key ``symalign``."""


def data_provenance(command: str, arguments: dict, game_text: str | None = None, **extra) -> dict:
    """Provenance of a data file: :func:`provenance` plus the run and the game's exact text.

    ``arguments`` are the command's options as given (strings and numbers, no paths); ``extra``
    adds fields such as ``stages`` (the names of a table's per-row stage codes).

    Examples
    --------
    >>> info = data_provenance("sweep", {"x": "beta=1:2:3"}, game_text="agents = 2\\n")
    >>> info["run"], info["game"]["sha256"][:12]
    ({'command': 'sweep', 'arguments': {'x': 'beta=1:2:3'}}, '168683c954ab')
    """
    info = provenance()
    info["run"] = {"command": command, "arguments": dict(arguments)}
    if game_text is not None:
        info["game"] = {"sha256": hashlib.sha256(game_text.encode("utf-8")).hexdigest(), "toml": game_text}
    info.update(extra)
    return info


def read_provenance(path) -> dict:
    """The provenance a data file written by symalign carries (see the module docstring for where).

    Raises :class:`~symalign.errors.InputError` naming the file when it has none or cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8") as fh:
                first = fh.readline()
            text = first[len(CSV_PREFIX):] if first.startswith(CSV_PREFIX) else None
        elif suffix == ".npz":
            import numpy as np

            with np.load(path, allow_pickle=False) as data:  # never unpickle a file's contents
                text = str(data[ATTRIBUTE]) if ATTRIBUTE in data.files else None
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            meta = pq.read_schema(path).metadata or {}
            text = meta[PARQUET_KEY].decode("utf-8") if PARQUET_KEY in meta else None
        elif suffix == ".nc":
            import xarray as xr

            with xr.open_dataset(path) as ds:
                text = ds.attrs.get(ATTRIBUTE)
        elif suffix == ".zarr":
            import zarr

            text = zarr.open_group(str(path), mode="r").attrs.get(ATTRIBUTE)
        else:
            raise InputError("FILE", str(path), "not a data file symalign writes (.csv, .npz, .parquet, .nc, .zarr)")
    except InputError:
        raise
    except ImportError as exc:
        raise InputError("FILE", str(path), f"reading it needs {exc.name}, which is not installed") from None
    except Exception as exc:  # a damaged or foreign file: one line, naming it
        raise InputError("FILE", str(path), f"cannot read its provenance: {type(exc).__name__}: {exc}") from None
    if not text:
        raise InputError("FILE", str(path), "carries no symalign provenance (not written by symalign >= 0.1 sweep/campaign)")
    try:
        info = json.loads(text)
    except ValueError:
        raise InputError("FILE", str(path), "its provenance is not valid JSON") from None
    if not isinstance(info, dict) or not isinstance(info.get("run"), dict):
        raise InputError("FILE", str(path), "its provenance has no 'run' record")
    return info

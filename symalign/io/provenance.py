"""Provenance of machine-readable outputs: schema version, tool and dependency versions, time.

JSON outputs meant to be archived (``results.json`` of ``symalign
reproduce``) carry :func:`provenance` under ``"provenance"``.  Index
convention, the same in every JSON output of symalign: **groups are named**
(``"left"``, not an index) and **agents are 0-based indices** (agent 0 is
the first row of every N x D array).  Symbols in LaTeX keep the paper's
1-based subscripts (``w_{1,1}`` is agent 0's weight on the first group).

LaTeX outputs never carry provenance: ``report.tex`` is deterministic.

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
import platform
from importlib import metadata

__all__ = ["SCHEMA_VERSION", "CONVENTIONS", "provenance", "version"]

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

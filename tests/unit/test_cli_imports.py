"""The CLI imports only what a command needs (startup cost), checked from sys.modules in a fresh process.

No timed assertions: the startup times are measured by benchmarks/bench_cli_startup.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "symalign" / "examples" / "interior_4x3.toml"

# never needed to answer `solve` on a numeric game from a file
NOT_FOR_SOLVE = ("z3", "matplotlib", "hypothesis", "dask", "distributed", "pandas", "pyarrow", "scipy", "pygments",
                 "rich", "pygambit", "zarr", "latexify",
                 "numpy.f2py", "numpy.testing", "numpy.ma",  # pulled in by `from numpy import *` (lambdify)
                 "importlib.metadata")  # version / entry-point scans: only for --version or an unknown family
NOT_FOR_HELP = ("sympy", "numpy", "click.testing", "rich", "pygments", "importlib.metadata")


def _imported(args, watch) -> list:
    """Modules of ``watch`` present in sys.modules after ``symalign ARGS`` ran in a fresh interpreter."""
    code = ("import json, sys\nfrom symalign.cli.app import main\n"
            f"try:\n    main({list(args)!r})\nexcept SystemExit as exc:\n    code = exc.code\n"
            f"print(json.dumps([code, sorted(m for m in {list(watch)!r} if m in sys.modules)]), file=sys.stderr)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                         stdin=subprocess.DEVNULL)
    status, present = json.loads(res.stderr.strip().splitlines()[-1])
    assert status in (0, None), res.stderr
    return present


@pytest.mark.parametrize("args", [["--help"], ["solve", "--help"], ["campaign", "--help"]])
def test_help_imports_no_heavy_module(args):
    assert _imported(args, NOT_FOR_HELP) == []


def test_version_imports_no_sympy_or_numpy():
    assert _imported(["--version"], ("sympy", "numpy")) == []


def test_solve_imports_only_what_it_needs():
    assert EXAMPLE.is_file()
    assert _imported(["solve", str(EXAMPLE)], NOT_FOR_SOLVE) == []


def test_the_watch_list_can_fail():
    """The check sees modules that are imported (a guard against a probe that cannot fail)."""
    assert _imported(["solve", str(EXAMPLE)], ("sympy", "numpy", "symalign.numeric.solve")) == [
        "numpy", "symalign.numeric.solve", "sympy"]


def test_version_is_read_lazily():
    code = ("import sys, symalign\nassert 'importlib.metadata' not in sys.modules\n"
            "import importlib.metadata as md\nassert symalign.__version__ == md.version('symalign')\n"
            "assert '__version__' in dir(symalign)")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})

"""Start-up cost of the command line and the mean-field route for large homogeneous games.

Measures, in one run (ratios against a bare interpreter on the same machine, so that load cancels):

* ``python -X importtime`` of ``symalign.cli.app``: cumulative import time, and whether SymPy / NumPy
  were imported (they must not be for ``--help`` / ``--version``);
* wall time of ``symalign --help``, ``symalign --version``, ``symalign solve`` of the 4 x 3 example and
  ``python -c pass`` / ``python -c "import sympy, numpy"`` (the floor of any command that needs SymPy),
  median of runs; with ``--compare DIR`` the same commands of another checkout, interleaved run by run;
* ``symalign solve`` of a homogeneous overlap game with N = 100 000 agents (mean-field route) against an
  explicit game with N = 8 (the explicit route's cost grows with N; the mean-field route's does not).

    python benchmarks/bench_cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
GAME = """agents = {n}
groups = ["left", "centre-left", "centre", "centre-right", "right"]
family = "active_alignment"
variant = "overlap"
[parameters]
alpha = 1
beta = 2
gamma = 1
a = [0.3, 0.25, 0.2, 0.15, 0.1]
p = [0.2, 0.2, 0.2, 0.2, 0.2]
"""


def wall(args, runs, root=ROOT):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(args, env={**ENV, "PYTHONPATH": str(root)}, cwd=str(root), capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved(args, runs, roots):
    """Median wall time of ``args`` in each checkout of ``roots``, alternating checkouts run by run."""
    times = {r: [] for r in roots}
    for _ in range(runs):
        for r in roots:
            times[r].append(wall(args, 1, r))
    return {r: statistics.median(t) for r, t in times.items()}


def importtime(root=ROOT):
    """Total import time of ``symalign.cli.app`` (all top-level imports it triggers), in microseconds."""
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", "import symalign.cli.app"],
                         env={**ENV, "PYTHONPATH": str(root)}, cwd=str(root), capture_output=True, text=True,
                         check=True)
    rows = [line.split("|") for line in res.stderr.splitlines() if line.startswith("import time:")]
    rows = [r for r in rows if len(r) == 3 and r[1].strip().isdigit()]
    names = {r[2].strip() for r in rows}
    site = {"site", "encodings", "_frozen_importlib_external"}  # the interpreter's own start-up
    total = sum(int(r[1]) for r in rows if not r[2].startswith("  ") and r[2].strip() not in site)
    return total, "sympy" in names, "numpy" in names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--compare", default=None, help="another checkout (e.g. /work/main) to compare import time with")
    opts = ap.parse_args()
    runs = opts.runs
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    total, sympy, numpy = importtime()
    print(f"import symalign.cli.app: {total / 1000:.1f} ms cumulative (-X importtime); sympy imported: {sympy}; "
          f"numpy imported: {numpy}")
    if opts.compare:
        other, o_sympy, _ = importtime(opts.compare)
        print(f"  {opts.compare}: {other / 1000:.1f} ms (sympy imported: {o_sympy}); ratio {total / other:.3f}")
    bare = wall([sys.executable, "-c", "pass"], runs)
    cli = [sys.executable, "-m", "symalign.cli.app"]
    helptime = wall(cli + ["--help"], runs)
    version = wall(cli + ["--version"], runs)
    sympy_import = wall([sys.executable, "-c", "import sympy"], runs)
    print(f"python -c pass        {bare:.3f} s")
    print(f"symalign --help       {helptime:.3f} s  ({helptime / bare:.2f}x bare interpreter)")
    print(f"symalign --version    {version:.3f} s  ({version / bare:.2f}x bare interpreter)")
    print(f"python -c 'import sympy' {sympy_import:.3f} s (what --help cost before lazy imports, at least)")
    floor = wall([sys.executable, "-c", "import sympy, numpy"], runs)
    example = str(ROOT / "examples" / "interior_4x3.toml")
    roots = [ROOT] + ([Path(opts.compare)] if opts.compare else [])
    for label, args in (("--help", ["--help"]), ("solve 4x3", ["solve", example])):
        got = interleaved(cli + args, runs, roots)
        line = f"symalign {label:<10} {got[ROOT]:.3f} s"
        if opts.compare:
            line += f"; {opts.compare}: {got[roots[1]]:.3f} s (ratio {got[ROOT] / got[roots[1]]:.2f})"
        print(line)
    print(f"python -c 'import sympy, numpy' {floor:.3f} s (the floor of a command that needs SymPy)")
    with tempfile.TemporaryDirectory() as d:
        big, small = Path(d) / "big.toml", Path(d) / "small.toml"
        big.write_text(GAME.format(n=100_000))
        small.write_text(GAME.format(n=8))
        t_big = wall(cli + ["solve", str(big)], max(1, runs // 3))
        t_small = wall(cli + ["solve", str(small)], max(1, runs // 3))
    print(f"solve N = 100000 (mean-field route) {t_big:.2f} s; explicit N = 8 {t_small:.2f} s; "
          f"ratio {t_big / t_small:.2f}")


if __name__ == "__main__":
    main()

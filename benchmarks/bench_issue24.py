"""Issue 24 rows on deterministic paths, exact boundaries and exact solves, measured in one run.

    python benchmarks/bench_issue24.py            # every row (a few minutes on 2 cores)
    python benchmarks/bench_issue24.py --quick    # smaller shapes

Each row prints the value, the target, "met" / "MISSED" / "n/a" and the
machine's 1-minute load average when the row was measured: on a shared
machine wall-clock times are upper bounds, CPU times (process_time) and
ratios within the run are what the rows compare.  Nothing here is asserted
in a test; tests check correctness (tests/unit/test_batch.py: a tiny budget
does not change the path; tests/unit/test_boundaries.py; tests/unit/test_affine_dense.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from symalign import Game, get_family  # noqa: E402

OVERLAP = get_family("active_alignment", "overlap")
ROWS = []


def load() -> float:
    return os.getloadavg()[0]


def row(measure, value, target, met):
    verdict = "met" if met else ("MISSED" if met is False else "n/a")
    ROWS.append((measure, value, target, verdict, load()))
    print(f"  {measure:<58} {value:<44} target {target:<16} {verdict:<6} load {ROWS[-1][4]:.1f}", flush=True)


def het_game(n, d, seed=1, symbolic=False):
    """Heterogeneous overlap game with exact small rationals (priors k_d / sum k)."""
    rng = np.random.default_rng(seed)
    R = lambda lo, hi: f"{int(rng.integers(lo, hi))}/10"  # noqa: E731
    prior = []
    for _ in range(n):
        k = rng.integers(1, 100, d)
        prior.append([f"{int(x)}/{int(k.sum())}" for x in k])
    if symbolic:
        return Game.symbolic(OVERLAP, n, d, homogeneous=False)
    return Game.create(OVERLAP, n, [f"g{k}" for k in range(d)], alpha=[R(5, 15) for _ in range(n)],
                       beta=[R(10, 20) for _ in range(n)], gamma=[R(0, 5) for _ in range(n)],
                       a=[[R(0, 10) for _ in range(d)] for _ in range(n)], p=prior)


def row_paths(quick):
    """The default compile_game path, with and without a tiny budget (it must not change)."""
    from symalign.errors import BudgetExceeded
    from symalign.numeric.batch.compiled import compile_game

    for n, d in ([(4, 5)] if quick else [(4, 5), (4, 32), (16, 16)]):
        g = het_game(n, d, symbolic=True)
        c = time.process_time()
        f = compile_game(g)
        cpu = time.process_time() - c
        try:
            tiny = compile_game(g, derive_timeout=1e-9).path
        except BudgetExceeded as exc:  # allowed: a budget may stop work, never change the path
            tiny = f"BudgetExceeded ({exc.phase})"
        row(f"compile_game heterogeneous symbolic ({n},{d}): default path", f"{f.path}, {cpu:.2f} s CPU; "
            f"budget 1e-9 s: {tiny}", "same path", tiny == f.path)


def row_sweep(quick):
    """`symalign sweep` 400x400, N = 6, D = 5, figure and every exact boundary piece."""
    from symalign.analysis import boundaries
    from symalign.analysis.boundaries import exclusion_boundaries
    from symalign.analysis.sweep import _COMPILED, parse_axis, sweep
    from symalign.export.plots import phase_diagram
    from symalign.io.gamefile import load_game

    n = 200 if quick else 400
    path = ROOT / "symalign" / "examples" / "social_media.toml"
    g = load_game(path)
    x, y = parse_axis(f"beta=0.1:5:{n}"), parse_axis(f"gamma=0:5:{n}")
    _COMPILED.clear()
    boundaries._REGIONS.clear()
    c = time.process_time()
    r = sweep(g, x, y)
    t_sweep = time.process_time() - c
    c = time.process_time()
    b = exclusion_boundaries(r)
    t_bound = time.process_time() - c
    c = time.process_time()
    phase_diagram(r, "/tmp/_bench24_sweep.png", regions=b.regions)
    t_fig = time.process_time() - c
    boundaries._REGIONS.clear()
    again = exclusion_boundaries(r)
    same = [reg.condition.slacks for reg in again.regions] == [reg.condition.slacks for reg in b.regions]
    row(f"{n}x{n} sweep in process: grid / boundaries / figure (CPU)",
        f"{t_sweep:.2f} / {t_bound:.2f} / {t_fig:.2f} s", "(breakdown)", None)
    row(f"{n}x{n} boundary pieces derived (every support) and repeatable", f"{len(b.regions)} pieces, "
        f"{len(b.omitted)} omitted, identical on a 2nd run: {same}", "complete, same", same and b.complete)
    if quick:
        return
    out = "/tmp/_bench24_cli.png"
    t, c0 = time.perf_counter(), os.times()
    res = subprocess.run([sys.executable, "-m", "symalign.cli.app", "sweep", str(path), "--x", "beta=0.1:5:400",
                          "--y", "gamma=0:5:400", "--out", out], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall, c1 = time.perf_counter() - t, os.times()
    cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    row("`symalign sweep` 400x400 end to end (figure, every boundary)", f"{wall:.1f} s wall, {cpu:.1f} s CPU "
        f"(exit {res.returncode})", "< 2 s wall", wall < 2 and res.returncode == 0)


def _solve_cpu(g):
    from symalign.numeric.solve import solve

    c = time.process_time()
    sol = solve(g)
    return time.process_time() - c, sol


def row_solve(quick):
    """`solve` of heterogeneous numeric games, and the exact support solve with and without FLINT."""
    from symalign.core import affine_solve
    from symalign.core.quadratic import quadratic_utilities

    shapes = [8, 16, 32] if quick else [16, 32, 48, 64]
    times = {}
    for n in shapes:
        g = het_game(n, n)
        cpu, sol = _solve_cpu(g)
        times[n] = cpu
        eq = sol.equilibria[0]
        row(f"solve, heterogeneous numeric game {n}x{n} (CPU)", f"{cpu:.2f} s (exact {eq.exact}, "
            f"{eq.method})", "64x64 < 3 s" if n == 64 else "(scaling)", bool(cpu < 3) if n == 64 else None)
        q = quadratic_utilities(g)
        support = tuple(tuple(range(n)) for _ in range(n))
        c = time.process_time()
        affine_solve.solve_support(q, support)
        t_flint = time.process_time() - c
        saved = list(affine_solve._FLINT)
        affine_solve._FLINT[:] = [None]
        try:
            c = time.process_time()
            affine_solve.solve_support(q, support)
            t_pure = time.process_time() - c
        finally:
            affine_solve._FLINT[:] = saved
        row(f"  {n}x{n} exact interior support solve: FLINT / pure fractions", f"{t_flint:.3f} s / {t_pure:.3f} s "
            f"= {t_pure / max(t_flint, 1e-9):.1f}x", "(measured)", None)
    a, b = shapes[-2], shapes[-1]
    growth = np.log(times[b] / times[a]) / np.log((b * b) / (a * a))
    row(f"solve growth exponent in ND, {a}x{a} -> {b}x{b}", f"(ND)^{growth:.2f}", "<= (ND)^1.5", bool(growth <= 1.5))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print(f"bench_issue24 ({'quick' if args.quick else 'full'}), {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{os.cpu_count()} cores, load average at start {load():.2f}", flush=True)
    for fn in (row_paths, row_sweep, row_solve):
        fn(args.quick)
    met = sum(r[3] == "met" for r in ROWS)
    missed = sum(r[3] == "MISSED" for r in ROWS)
    print(f"\n{met} met, {missed} missed; load average at the end {load():.2f}")


if __name__ == "__main__":
    main()

"""Benchmark: every equilibrium of a bimatrix game, exactly (symalign's vertex enumeration vs the others).

    python benchmarks/bench_enumeration.py              # n = 6, 8, 10, 12 and von Stengel's 6x6
    python benchmarks/bench_enumeration.py --limit 60   # seconds allowed to the slow engines per game

Engines, in one run on the same machine:

* ``pivot``: :func:`symalign.numeric.vertex_enumeration.extreme_equilibria`, pure-Python exact integer pivoting;
* ``cdd``: the same with cddlib (pycddlib 3, GMP rationals) enumerating the vertices, when installed;
* ``gambit``: Gambit's ``enummixed`` (pygambit, rational), when pygambit imports;
* ``support``: symalign's previous exact enumeration (support enumeration,
  ``enumerate_equilibria(engine="support")``), in a child process under ``--limit``.

Random games: integer payoffs uniform in -100..100 (seeded).  Each row gives
seconds per engine and the ratio to ``pivot``; the equilibrium sets of the
engines that finished are compared (``equal``).  Numbers are from one run;
ratios are what matter.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from symalign.io.nfg import bimatrix  # noqa: E402
from symalign.numeric.polytope_vertices import cdd_available  # noqa: E402
from symalign.numeric.vertex_enumeration import extreme_equilibria  # noqa: E402

VON_STENGEL = (  # von Stengel, Discrete Comput. Geom. 21 (1999): 6x6, 75 equilibria
    [[9504, -660, 19976, -20526, 1776, -8976], [-111771, 31680, -130944, 168124, -8514, 52764],
     [397584, -113850, 451176, -586476, 29216, -178761], [171204, -45936, 208626, -263076, 14124, -84436],
     [1303104, -453420, 1227336, -1718376, 72336, -461736], [737154, -227040, 774576, -1039236, 48081, -300036]],
    [[72336, 48081, 29216, 14124, 1776, -8514], [-461736, -300036, -178761, -84436, -8976, 52764],
     [1227336, 774576, 451176, 208626, 19976, -130944], [-1718376, -1039236, -586476, -263076, -20526, 168124],
     [1303104, 737154, 397584, 171204, 9504, -111771], [-453420, -227040, -113850, -45936, -660, 31680]])


def _gambit(A, B):
    import pygambit as gbt

    g = gbt.Game.from_arrays(A, B)
    res = gbt.nash.enummixed_solve(g, rational=True)
    return {tuple(Fraction(str(eq[p][s])) for p in g.players for s in p.strategies) for eq in res.equilibria}


def _support(A, B, queue):
    from symalign.numeric.enumerate import enumerate_equilibria

    res = enumerate_equilibria(bimatrix(A, B), engine="support", max_profiles=10**7)
    pts = {tuple(Fraction(int(x.p), int(x.q)) for x in e.weights) for e in res.isolated}
    for c in res.components:
        pts |= {tuple(Fraction(int(x.p), int(x.q)) for x in V) for V in c.vertices}
    queue.put(pts)


def _timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def _in_child(A, B, limit):
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_support, args=(A, B, q))
    t = time.perf_counter()
    p.start()
    p.join(limit)
    if p.is_alive():
        p.kill()
        p.join()
        return None, None
    return time.perf_counter() - t, q.get() if not q.empty() else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=120.0, help="seconds for the support enumeration per game")
    ap.add_argument("--sizes", type=int, nargs="*", default=[6, 8, 10, 12])
    args = ap.parse_args(argv)
    try:
        import pygambit  # noqa: F401
        have_gambit = True
    except ImportError:
        have_gambit = False
    games = []
    for n in args.sizes:
        rng = np.random.default_rng(n)
        games.append((f"random {n}x{n}", rng.integers(-100, 101, (n, n)).tolist(), rng.integers(-100, 101, (n, n)).tolist()))
    games.append(("von Stengel 6x6", *VON_STENGEL))
    print(f"cddlib: {'yes' if cdd_available() else 'no'}; pygambit: {'yes' if have_gambit else 'no (not installed)'}; "
          f"support enumeration limit {args.limit:g} s")
    print(f"{'game':18} {'eq':>4} {'pivot s':>8} {'cdd s':>8} {'gambit s':>9} {'support s':>10} "
          f"{'cdd/pivot':>9} {'gambit/pivot':>12} {'support/pivot':>13} equal")
    for name, A, B in games:
        t_pivot, eqs = _timed(lambda a, b: extreme_equilibria(a, b, backend="pivot"), A, B)
        ref = {x + y for x, y in eqs}
        sets, cells = [], {}
        if cdd_available():
            t, out = _timed(lambda a, b: extreme_equilibria(a, b, backend="cdd"), A, B)
            cells["cdd"] = t
            sets.append({x + y for x, y in out})
        if have_gambit:
            t, out = _timed(_gambit, A, B)
            cells["gambit"] = t
            sets.append(out)
        if len(A) <= 6 or name.startswith("von"):
            t, out = _in_child(A, B, args.limit)
            cells["support"] = t
            if out is not None:
                sets.append(out)
        else:
            cells["support"] = "skip"

        def cell(k, width):
            v = cells.get(k)
            return f"{'-' if v is None and k not in cells else ('>' + format(args.limit, 'g') if v is None else v if isinstance(v, str) else format(v, '.3f')):>{width}}"

        def ratio(k, width):
            v = cells.get(k)
            if isinstance(v, float):
                return f"{v / t_pivot:>{width}.2f}"
            if k in cells and v is None:
                return f"{'>' + format(args.limit / t_pivot, '.0f'):>{width}}"
            return f"{'-':>{width}}"

        equal = all(s == ref for s in sets) if sets else "n/a"
        print(f"{name:18} {len(ref):>4} {t_pivot:>8.3f} {cell('cdd', 8)} {cell('gambit', 9)} {cell('support', 10)} "
              f"{ratio('cdd', 9)} {ratio('gambit', 12)} {ratio('support', 13)} {equal}", flush=True)


if __name__ == "__main__":
    main()

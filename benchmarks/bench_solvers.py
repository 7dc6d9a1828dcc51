"""Benchmark of the batched solvers (symalign.numeric.batch.compiled): one command, one table.

    python benchmarks/bench_solvers.py            # full run (several minutes)
    python benchmarks/bench_solvers.py --quick    # small batches, short limits
    python benchmarks/bench_solvers.py --slow     # also sympy.solve on (5, 4)

Sections (see benchmarks/README.md):
1. compiled closed form, equilibria/second: interior batch, and a mixed batch
   where about a third of the points have a group excluded by every agent;
2. the independent per-point iterative solver (symalign.numeric.solvers.extragradient)
   at the same accuracy (KKT residual 1e-10), measured on a few points and
   extrapolated per point, and the batched iterative solver;
3. memory yardstick: NumPy copying the same bytes (inputs + outputs);
4. derivation and compile times, with a time limit per case (child process).

Numbers are from one run on whatever machine runs it; ratios are what matter.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from fractions import Fraction

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny batched solves: threads only add overhead

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from symalign import Game, get_family  # noqa: E402
from symalign.numeric.batch.compiled import compile_game, exclusion_supports  # noqa: E402
from symalign.numeric.batch.closedform import compile_closed_form  # noqa: E402
from symalign.core.derive import derive_on_support  # noqa: E402
from symalign.core.kkt import kkt_system  # noqa: E402
from symalign.numeric.compile import numeric_game  # noqa: E402
from symalign.numeric.solvers import extragradient  # noqa: E402

OVERLAP = get_family("active_alignment", "overlap")
TOL = 1e-10


def make_game(n, d, seed=0):
    """Illustrative overlap game: alpha, beta, gamma symbolic; the last group is the least
    attractive and has the smallest priors, so it is excluded in part of the sampled box."""
    rng = np.random.default_rng(seed)
    a = np.round(np.linspace(0.3, 0.0, d) + 0.05 * rng.random((n, d)), 2)
    p = np.full((n, d), 1.0 / d) + 0.05 * (rng.random((n, d)) - 0.5)
    p[:, -1] = 0.3 / d
    p /= p.sum(axis=1, keepdims=True)
    rows = [[Fraction(x).limit_denominator(100) for x in row[:-1]] for row in p]
    prior = [[str(x) for x in r] + [str(1 - sum(r))] for r in rows]
    return Game.symbolic(OVERLAP, n, d, a=[[str(x) for x in r] for r in a], p=prior)


def sample(n_agents, size, seed):
    rng = np.random.default_rng(seed)
    beta = rng.uniform(0.5, 2.0, size)
    gamma = rng.uniform(0.0, 1.0, size) * np.minimum(1.5, 0.9 * beta * (n_agents - 1))  # Rosen DSC
    return [rng.uniform(0.5, 1.5, size), beta, gamma]


def best_time(fn, reps, clock=time.perf_counter):
    """Best of ``reps`` runs of ``fn`` on ``clock`` (wall-clock by default; ``time.process_time``: CPU time)."""
    best = np.inf
    for _ in range(reps):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best


def yardstick(nbytes, reps):
    """Seconds for NumPy to copy nbytes into a warm, preallocated array (reads + writes the
    same bytes as the solver's inputs and outputs; allocation not counted, NumPy's best case)."""
    src = np.ones(nbytes, np.uint8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    return best_time(lambda: np.copyto(dst, src), reps)


def batches(f, pool, size, rng):
    """An interior batch, and a mixed one with about 1/3 of the points having an excluded group."""
    r = f(*pool)
    interior = np.flatnonzero(r.converged & r.support.all(axis=(1, 2)))
    excluded = np.flatnonzero(r.converged & r.excluded().any(axis=1))
    if interior.size == 0 or excluded.size == 0:
        raise SystemExit(f"sampling box gave {interior.size} interior and {excluded.size} excluded points")
    inner = rng.choice(interior, size)
    mixed = np.concatenate([rng.choice(interior, size - size // 3), rng.choice(excluded, size // 3)])
    rng.shuffle(mixed)
    return [p[inner].copy() for p in pool], [p[mixed].copy() for p in pool]


def independent_rate(game, args, pts, count):
    """Equilibria/second of symalign.numeric.solvers.extragradient, one point at a time (compile excluded)."""
    total, worst = 0.0, 0.0
    for k in range(count):
        vals = {a: sp.Rational(repr(float(p[k]))) for a, p in zip(args, pts)}
        ng = numeric_game(game.subs(vals))
        start = np.full((game.n_agents, game.n_groups), 1.0 / game.n_groups)
        t = time.perf_counter()
        res = extragradient(ng.grad, start, tol=TOL)
        total += time.perf_counter() - t
        worst = max(worst, res.residual)
    return count / total, worst


def section_1_2_3(cases, quick, limit, reps):
    rows, notes = [], []
    for n, d in cases:
        g = make_game(n, d)
        t = time.perf_counter()
        f = compile_game(g, supports=exclusion_supports(g), tol=TOL)  # the path follows the structure, not a limit
        setup = time.perf_counter() - t
        notes += [f"({n},{d}): {x if len(x) < 140 else x[:60] + ' ... ' + x[-60:]}" for x in f.notes]
        rng = np.random.default_rng(1)
        closed = f.path in ("closed-form", "structured")
        size = (10**5 if quick else 10**6) if closed else (10**4 if quick else 10**5)
        pool = sample(n, 20_000 if quick else 100_000, seed=2)
        inner, mixed = batches(f, pool, size, rng)
        fast = f.with_options(verify=False)
        for h in (f, fast):
            h(*[p[:1000] for p in inner])  # warm up
        t_in = best_time(lambda: fast(*inner), reps)
        t_in_v = best_time(lambda: f(*inner), reps)
        t_mix = best_time(lambda: fast(*mixed), reps)
        counts = fast(*mixed).stage_counts()
        k_ind = 3 if quick else (10 if n * d <= 20 else 4)
        ind, worst = independent_rate(g, f.args, inner, k_ind)
        it = compile_game(g, path="iterative", tol=TOL)
        m = 200 if quick else 2000
        sub = [p[:m] for p in inner]
        t_it = best_time(lambda: it(*sub), 1)
        it_ok = it(*sub).converged.mean()
        nbytes = size * (8 * len(f.args) + 9 * n * d + 10)
        y_warm = yardstick(nbytes, reps)
        rows.append(dict(
            case=f"({n},{d})", path=f.path, B=size, derive=f.timings["derive"], compile=f.timings["compile"],
            setup=setup, rate_in=size / t_in, rate_in_v=size / t_in_v, rate_mix=size / t_mix,
            mix_ratio=t_mix / t_in, counts=counts, ind=ind, ind_worst=worst, k_ind=k_ind,
            it_rate=m / t_it, it_ok=it_ok, y_warm=y_warm / t_in, y_warm_v=y_warm / t_in_v, nbytes=nbytes / size, layouts=",".join(sorted({c.layout for c in f.closed_forms})) or "-",
        ))
        print(f"  done {n}x{d} ({f.path})", file=sys.stderr, flush=True)
    return rows, notes


def _run_child(target, args, conn):  # pragma: no cover - child process
    try:
        conn.send(("ok", target(*args)))
    except Exception as exc:  # report, do not hang the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def limited(target, args, limit):
    """Run target(*args) in a forked child: its result, its error text, or None when it takes longer than limit."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run_child, args=(target, args, child), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(limit):
            return parent.recv()[1]  # the result, or the error text
        return None
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()


def _derive_and_compile(n, d):
    g = Game.symbolic(OVERLAP, n, d, homogeneous=False)
    t = time.perf_counter()
    eq = derive_on_support(g)
    t1 = time.perf_counter()
    args = sorted(g.free_symbols(), key=str)
    compile_closed_form(g, None, eq.weights, eq.conditions, args)
    return t1 - t, time.perf_counter() - t1, len(args)


def _sympy_solve(n, d):
    g = Game.symbolic(OVERLAP, n, d, homogeneous=False)
    k = kkt_system(g)
    support = tuple(tuple(range(d)) for _ in range(n))
    unknowns = list(g.weights) + list(k.lambdas)
    t = time.perf_counter()
    sp.solve(k.support_equations(support), unknowns, dict=True)
    return time.perf_counter() - t


def fmt_t(value, limit):
    if value is None:
        return f">{limit:g} s"
    if isinstance(value, str):
        return value
    return f"{value:.3g} s"


def section_4(quick, slow, limit):
    derive_cases = [(3, 3), (5, 4)] if quick else [(3, 3), (5, 4), (10, 10)]
    solve_cases = [(3, 3)] if quick else [(3, 3), (4, 4)] + ([(5, 4)] if slow else [])
    out = []
    for n, d in derive_cases:
        r = limited(_derive_and_compile, (n, d), limit)
        if isinstance(r, tuple):
            out.append((f"({n},{d})", fmt_t(r[0], limit), fmt_t(r[1], limit), str(r[2])))
        else:
            out.append((f"({n},{d})", fmt_t(r, limit), "-", str(3 * n + 2 * n * d)))
    solves = []
    for n, d in solve_cases:
        lim = limit if (n, d) != (5, 4) else max(limit, 900.0)
        solves.append((f"({n},{d})", fmt_t(limited(_sympy_solve, (n, d), lim), lim)))
    return out, solves


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small batches and short time limits")
    ap.add_argument("--slow", action="store_true", help="also time sympy.solve on (5, 4) (minutes)")
    ap.add_argument("--limit", type=float, default=None, help="seconds per derivation case")
    opts = ap.parse_args(argv)
    limit = opts.limit or (40.0 if opts.quick else 180.0)
    reps = 1 if opts.quick else 3
    cases = [(2, 2), (4, 5), (8, 10)]
    print(f"symalign batch benchmark ({'quick' if opts.quick else 'full'}; derivation limit {limit:g} s; "
          f"tol {TOL:g}; {os.cpu_count()} cpus; load {os.getloadavg()[0]:.1f})")
    rows, notes = section_1_2_3(cases, opts.quick, limit, reps)

    print("\n(1) compiled closed form, equilibria/second (verify=False: validity conditions certify; "
          "+KKT: residual also measured)")
    print(f"{'N,D':7} {'path':12} {'layout':18} {'B':>8} {'interior':>11} {'+KKT':>11} {'mixed':>11} "
          f"{'mix/int':>8}  mixed stages")
    for r in rows:
        print(f"{r['case']:7} {r['path']:12} {r['layouts']:18} {r['B']:>8} {r['rate_in']:>11.3g} "
              f"{r['rate_in_v']:>11.3g} {r['rate_mix']:>11.3g} {r['mix_ratio']:>7.2f}x  {r['counts']}")

    print("\n(2) iterative solvers at KKT residual 1e-10, equilibria/second")
    print(f"{'N,D':7} {'independent':>12} {'(points)':>9} {'batched':>10} {'conv.':>6} {'closed/indep':>13} "
          f"{'closed/batched':>15}")
    for r in rows:
        print(f"{r['case']:7} {r['ind']:>12.3g} {r['k_ind']:>9} {r['it_rate']:>10.3g} {r['it_ok']:>6.0%} "
              f"{r['rate_in'] / r['ind']:>12.3g}x {r['rate_in'] / r['it_rate']:>14.3g}x")
    print("   independent = symalign.numeric.solvers.extragradient per point (gradient compile excluded), timed on the "
          "listed number of points and extrapolated per point; batched = compile_game(path='iterative').")

    print("\n(3) memory yardstick: closed-form time vs NumPy copying the same bytes (inputs + outputs)")
    print(f"{'N,D':7} {'bytes/pt':>9} {'interior':>9} {'+KKT':>7}")
    for r in rows:
        print(f"{r['case']:7} {r['nbytes']:>9.0f} {r['y_warm']:>9.0%} {r['y_warm_v']:>7.0%}")
    print("   fraction = copy time / solver time (100% = as fast as np.copyto of the inputs + outputs into a "
          "preallocated array).")

    print("\n(4) derivation and compile times")
    print(f"{'N,D':7} {'derive (interior + D exclusion supports)':>42} {'compile':>9} {'setup total':>12}")
    for r in rows:
        print(f"{r['case']:7} {r['derive']:>41.3g}s {r['compile']:>8.3g}s {r['setup']:>11.3g}s  ({r['path']})")
    het, solves = section_4(opts.quick, opts.slow, limit)
    print(f"\n   heterogeneous symbolic overlap, interior (derive_on_support), limit {limit:g} s per case")
    print(f"{'N,D':7} {'derive':>10} {'compile':>10} {'symbols':>8}")
    for case, dt, ct, nsym in het:
        print(f"{case:7} {dt:>10} {ct:>10} {nsym:>8}")
    print("\n   sympy.solve on the same interior KKT support equations")
    for case, dt in solves:
        print(f"{case:7} {dt:>10}")

    r45 = next(r for r in rows if r["case"] == "(4,5)")
    print("\ntargets, N=4, D=5:")
    speed = r45["rate_in"] / r45["ind"]
    print(f"  closed form >= 1000x independent iterative: {speed:.3g}x -> {'met' if speed >= 1000 else 'MISSED'}")
    frac = r45["y_warm"]
    print(f"  closed form >= 25% of memory yardstick: {frac:.0%} -> {'met' if frac >= 0.25 else 'MISSED'} "
          f"(with KKT residual measured too: {r45['y_warm_v']:.0%})")
    worst_mix = max(r["mix_ratio"] for r in rows)
    print(f"  mixed batch <= 3x interior: (4,5) {r45['mix_ratio']:.2f}x, worst case {worst_mix:.2f}x -> "
          f"{'met' if r45['mix_ratio'] <= 3 else 'MISSED'}")
    for note in notes:
        print("  note:", note)


if __name__ == "__main__":
    main()

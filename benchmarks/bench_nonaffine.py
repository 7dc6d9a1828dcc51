"""Non-affine families (issue 19): time of own-concavity and of ``solve`` per family, in one run.

For each family: seconds for the own-concavity check (curvature rules, Z3 or sampling, whichever decides),
for ``solve`` (and ``solve --all`` where it applies), the route that decided and whether the answer is exact
or certified.  Also the ratio of the curvature-rule check to the Hessian route it replaces
(``core.rosen.own_hessian`` + sampling) on the lottery Blotto game, N = 3 (same run, so load cancels).

    python benchmarks/bench_nonaffine.py
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from symalign.core import concavity  # noqa: E402
from symalign.io.gamefile import game_from_mapping  # noqa: E402
from symalign.numeric.solve import solve  # noqa: E402

G3 = ["a", "b", "c"]
FAMILIES = {
    "Tullock Blotto r=1/2, N=3": ({"agents": 3, "groups": G3, "kinds": {"v": "vector"}, "parameters": {"v": [1, 2, 3]},
                                   "utility": "sum(v[d]*w[d]**(1/2)/sum_agents(W[j][d]**(1/2), j), d)"}, False),
    "lottery Blotto, N=3": ({"agents": 3, "groups": G3, "kinds": {"v": "vector"}, "parameters": {"v": [1, 2, 3]},
                             "utility": "sum(v[d]*w[d]/sum_agents(W[j][d], j), d)"}, False),
    "L1 prior penalty, N=2": ({"agents": 2, "groups": G3, "kinds": {"a": "vector", "p": "vector"},
                               "utility": "sum(a[d]*w[d], d) - beta*sum(abs(w[d] - p[d]), d) - gamma*sum(w[d]*m[d], d)",
                               "parameters": {"a": ["1/2", "3/10", "1/5"], "p": ["1/5", "3/10", "1/2"],
                                              "beta": "1/5", "gamma": "3/10"}}, False),
    "entropy + convex bonus": ({"agents": 2, "groups": ["a", "b"], "parameters": {"k": "1/50", "tau": "1/10", "c": "1/2"},
                                "utility": "k*sum(w[d]**2, d) - tau*sum(w[d]*log(w[d]), d) - c*sum(w[d]*m[d], d)"},
                               False),
    "logit QRE coordination tau=1/4 (--all)": ({"agents": 2, "groups": ["x", "y"], "parameters": {"tau": "1/4"},
                                                "utility": "sum(w[d]*m[d], d) - tau*sum(w[d]*log(w[d]), d)"}, True),
}


def main() -> None:
    warnings.simplefilter("ignore")
    print(f"{'family':42s} {'concavity s':>11s} {'solve s':>8s}  result")
    for name, (spec, every) in FAMILIES.items():
        game = game_from_mapping({"family": "custom", **spec})
        t0 = time.perf_counter()
        conc = concavity.own_concavity(game)
        t1 = time.perf_counter()
        sol = solve(game, all_equilibria=every)
        t2 = time.perf_counter()
        eqs = sol.equilibria
        what = f"{len(eqs)} eq ({sum(e.certified for e in eqs)} exact), {eqs[0].method if eqs else '-'}"
        print(f"{name:42s} {t1 - t0:11.3f} {t2 - t1:8.2f}  {conc.status} ({conc.method}); {what}")
    game = game_from_mapping({"family": "custom", **FAMILIES["lottery Blotto, N=3"][0]})
    t0 = time.perf_counter()
    concavity.own_concavity(game)
    rules = time.perf_counter() - t0
    t0 = time.perf_counter()
    concavity._structural = lambda g: None  # the pre-issue-19 route: own Hessians + sampling
    concavity.own_concavity(game)
    hessian = time.perf_counter() - t0
    print(f"lottery Blotto N=3 own-concavity: rules {rules:.3f} s, Hessian route {hessian:.2f} s, "
          f"ratio {hessian / rules:.0f}x")


if __name__ == "__main__":
    main()

"""Issue 19: every logit QRE of an entropy-regularised 2x2 game, with a completeness statement."""

import mpmath
import numpy as np
import pytest

from symalign.io.gamefile import game_from_mapping
from symalign.numeric.branch_bound import interior_kkt_points
from symalign.numeric.solve import solve


def _coordination(tau):
    return game_from_mapping({"family": "custom", "agents": 2, "groups": ["x", "y"],
                              "utility": "sum(w[d]*m[d], d) - tau*sum(w[d]*log(w[d]), d)",
                              "parameters": {"tau": tau}})


def _symmetric_qre(tau):
    """Independent route: roots of 2p - 1 = tau log(p / (1 - p)) (symmetric logit QRE), by mpmath."""
    mpmath.mp.dps = 30
    f = lambda p: 2 * p - 1 - tau * mpmath.log(p / (1 - p))  # noqa: E731
    roots = set()
    grid = [mpmath.mpf(k) / 997 for k in range(1, 997)]
    for a, b in zip(grid, grid[1:]):
        if f(a) * f(b) < 0:
            roots.add(round(float(mpmath.findroot(f, (a, b), solver="illinois")), 12))
    return sorted(roots)


def test_coordination_quarter_has_three_qre_all_found_with_completeness():
    res = interior_kkt_points(_coordination("1/4"))
    assert res.complete and len(res.boxes) == 3
    roots = _symmetric_qre(mpmath.mpf(1) / 4)
    assert len(roots) == 3
    for r in roots:  # each independent root lies in exactly one certified box (both agents play p = r)
        inside = [b for b in res.boxes if all(float(lo) <= r <= float(hi) for lo, hi in b)]
        assert len(inside) == 1
    sol = solve(_coordination("1/4"), all_equilibria=True)
    assert len(sol.equilibria) == 3 and sol.unique is False
    assert any("all interior KKT points" in n for n in sol.notes)
    # (1/2, 1/2) is recognised exactly, but its utilities hold logarithms: the exact checker (symalign.certify)
    # leaves it a candidate, so none is "certified" (issue 18: certain only when the checker accepts)
    assert sum(e.exact for e in sol.equilibria) == 1
    assert not any(e.certified for e in sol.equilibria)
    assert all(e.certificate is not None and e.certificate.status == "candidate" for e in sol.equilibria if e.exact)


@pytest.mark.parametrize("tau", ["1", "2"])
def test_high_temperature_has_one_qre(tau):
    res = interior_kkt_points(_coordination(tau))
    assert res.complete and len(res.boxes) == 1
    np.testing.assert_allclose(res.points[0], 0.5, atol=1e-12)

"""Finite games in mixed strategies (polymatrix, bimatrix): exact regret = 0, in Fractions.

Agent ``i``'s payoff is ``sum_{j != i} w_i^T A_ij w_j``; against the others'
mixtures its pure strategy ``d`` earns ``v_d = sum_j (A_ij w_j)_d``.  The
profile is an equilibrium iff every agent's regret ``max_d v_d - w_i . v``
is exactly 0.  Nothing is rounded, whatever the payoffs' size.

Examples
--------
>>> from fractions import Fraction as F
>>> pennies = [[None, [[1, -1], [-1, 1]]], [[[-1, 1], [1, -1]], None]]
>>> half = [[F(1, 2), F(1, 2)], [F(1, 2), F(1, 2)]]
>>> polymatrix_regret(pennies, half).status
'accepted'
>>> v = polymatrix_regret(pennies, [[F(1), F(0)], [F(1), F(0)]])
>>> v.status, v.gain, v.deviation
('rejected', Fraction(2, 1), (2, 2))
"""

from __future__ import annotations

from fractions import Fraction

from symalign.certify.exact import fraction
from symalign.certify.verdict import Verdict, accepted, candidate, rejected

__all__ = ["pure_payoffs", "polymatrix_regret"]

CHECK = "finite regret"


def pure_payoffs(blocks, rows, i) -> list | None:
    """``v_d`` of agent ``i`` (0-based) against the others' rows; None when a payoff is not rational."""
    D = len(rows[i])
    v = [Fraction(0)] * D
    for j, wj in enumerate(rows):
        if j == i:
            continue
        A = blocks[i][j]
        A = A.tolist() if hasattr(A, "tolist") else A
        for d in range(D):
            for e, x in enumerate(wj):
                if x:
                    a = fraction(A[d][e])
                    if a is None:
                        return None
                    v[d] += a * x
    return v


def polymatrix_regret(blocks, rows) -> Verdict:
    """Exact regret of each agent at a profile of Fraction rows (on the simplex: see ``exact_profile``)."""
    worst = (Fraction(0), None)
    for i, wi in enumerate(rows):
        v = pure_payoffs(blocks, rows, i)
        if v is None:
            return candidate(CHECK, "a payoff is not an exact rational")
        best = max(v)
        regret = best - sum(x * y for x, y in zip(wi, v))
        if regret > worst[0]:
            worst = (regret, (i + 1, v.index(best) + 1))
    if worst[1] is None:
        return accepted(CHECK, "every agent's exact regret is 0", gain=Fraction(0))
    i, d = worst[1]
    return rejected(CHECK, f"agent {i} gains {worst[0]} by playing pure strategy {d}", gain=worst[0],
                    deviation=worst[1])

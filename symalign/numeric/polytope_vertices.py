"""Vertices of ``{z >= 0 : M z <= 1}`` (M positive), exactly: integer pivoting over every feasible basis.

The best-response polytopes of a bimatrix game have this form (von Stengel,
"Computing equilibria for two-person games", Handbook of Game Theory 3,
2002, section 3).  The polytope contains the origin, a nondegenerate
vertex (its slacks are all 1).  Every feasible basis of the slack form
``M z + s = 1`` is reached from the origin's basis by pivots that keep
feasibility (the simplex method with Bland's rule, minimising ``sum z``,
walks from any feasible basis to the origin's, and every such pivot can be
reversed), so a breadth-first search over the pivots allowed by the ratio
test visits every feasible basis, hence every vertex, degenerate ones
included (a degenerate vertex has several bases; it is reported once).

Arithmetic is exact and integer: Edmonds' fraction-free pivoting keeps the
tableau integral with the current basis determinant as common denominator
(the rule lrs uses), so no Fraction is built in the loop.  Each vertex
carries its *labels*: the coordinates that are zero and the rows of
``M z <= 1`` that are tight, computed from the exact coordinates (not from
the basis), as the equilibrium condition needs.

Examples
--------
>>> vs = polytope_vertices([[1, 2], [2, 1]])
>>> sorted((v.point, sorted(v.zero), sorted(v.tight)) for v in vs)  # doctest: +NORMALIZE_WHITESPACE
[((Fraction(0, 1), Fraction(0, 1)), [0, 1], []),
 ((Fraction(0, 1), Fraction(1, 2)), [0], [0]),
 ((Fraction(1, 3), Fraction(1, 3)), [], [0, 1]),
 ((Fraction(1, 2), Fraction(0, 1)), [1], [1])]
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from fractions import Fraction

from symalign.errors import InputError

__all__ = ["Vertex", "polytope_vertices", "cdd_available"]


@dataclass(frozen=True)
class Vertex:
    """One vertex ``z = num / den`` of ``{z >= 0 : M z <= 1}`` (integers, lowest terms), its zero coordinates
    and tight rows."""

    num: tuple
    den: int
    zero: frozenset
    tight: frozenset

    @property
    def point(self) -> tuple:
        """The exact point (Fractions)."""
        return tuple(Fraction(x, self.den) for x in self.num)


def _check(M):
    if not M or not M[0] or any(len(r) != len(M[0]) for r in M):
        raise InputError("M", M, "expected a nonempty rectangular matrix")
    for row in M:
        for x in row:
            if isinstance(x, bool) or not isinstance(x, (int, Fraction)) or x <= 0:
                raise InputError("M", x, "entries must be positive exact numbers (int or Fraction)")


def cdd_available() -> bool:
    """Whether pycddlib (3.x, with its GMP rational module ``cdd.gmp``) can be imported."""
    try:
        import cdd.gmp  # noqa: F401
    except ImportError:
        return False
    return True


def polytope_vertices(M, *, max_bases: int = 2_000_000, backend: str = "auto") -> tuple:
    """Every vertex of ``{z >= 0 : M z <= 1}`` for a positive k x d matrix ``M`` (ints or Fractions).

    ``backend``: ``"pivot"`` (the exact integer pivoting of this module),
    ``"cdd"`` (cddlib's double description in GMP rationals, pycddlib 3.x), or
    ``"auto"`` (pivot: measured faster than cdd plus exact labelling for
    n x n games, n = 6..12, benchmarks/bench_enumeration.py).  Both give exact
    points; the labels are computed from the exact point in either case.

    Raises :class:`~symalign.errors.InputError` naming ``max_bases`` when more
    feasible bases than that would be visited (degenerate polytopes can have
    many bases per vertex).
    """
    _check(M)
    if backend not in ("auto", "pivot", "cdd"):
        raise InputError("backend", backend, 'must be "auto", "pivot" or "cdd"')
    if backend == "cdd":
        return _cdd_vertices(M)
    k, d = len(M), len(M[0])
    lcm = math.lcm(*(Fraction(x).denominator for row in M for x in row))
    # dictionary form of (lcm M) z + s' = lcm with the slacks scaled, s' = lcm s (zero where s is): one row per
    # basic variable (at first the slacks d..d+k-1), one column per nonbasic variable (at first z_0..z_{d-1})
    # and the right-hand side; ``det`` is the common coefficient of the basic variables, 1 at the start
    # (Edmonds: every entry stays an integer, every division is exact)
    start = [[int(Fraction(x) * lcm) for x in row] + [lcm] for row in M]
    basis0, nonbasic0 = tuple(range(d, d + k)), tuple(range(d))
    seen = {frozenset(basis0)}
    queue = deque([(basis0, nonbasic0, start, 1)])
    points = {}
    while queue:
        basis, nonbasic, T, det = queue.popleft()
        _record(points, basis, T, det, d, k)
        for c in range(d):
            best = None
            for r in range(k):
                a = T[r][c]
                if a <= 0:
                    continue
                if best is None:
                    best, rows = (T[r][d], a), [r]
                    continue
                lhs, rhs = T[r][d] * best[1], best[0] * a
                if lhs < rhs:
                    best, rows = (T[r][d], a), [r]
                elif lhs == rhs:
                    rows.append(r)
            if best is None:
                continue  # unbounded direction: impossible for a polytope with M > 0
            for r in rows:
                nb = basis[:r] + (nonbasic[c],) + basis[r + 1:]
                key = frozenset(nb)
                if key in seen:
                    continue
                seen.add(key)
                if len(seen) > max_bases:
                    raise InputError("max_bases", max_bases, "more feasible bases than the limit: a degenerate polytope")
                nn = nonbasic[:c] + (basis[r],) + nonbasic[c + 1:]
                queue.append((nb, nn, _pivot(T, r, c, det), T[r][c]))
    return tuple(points.values())


def _pivot(T, r, c, det):
    """Edmonds' integer pivot on ``(r, c)`` of a dictionary: every entry stays an integer (exact division).

    Row ``r`` keeps its entries and gets ``det`` in column ``c`` (the leaving
    variable); every other row ``i`` becomes ``(p T[i][j] - T[i][c] T[r][j]) / det``
    and ``-T[i][c]`` in column ``c``; ``p = T[r][c]`` is the new ``det``.
    """
    pr = T[r]
    p = pr[c]
    out = []
    for i, row in enumerate(T):
        if i == r:
            new = list(pr)
            new[c] = det
        else:
            q = row[c]
            if q == 0:
                new = [x * p // det for x in row]
            else:
                new = [(x * p - q * y) // det for x, y in zip(row, pr)]
                new[c] = -q
        out.append(new)
    return out


def _record(points, basis, T, det, d, k):
    num = [0] * (d + k)
    for r, b in enumerate(basis):
        num[b] = T[r][d]  # basic variable b = T[r][d] / det; nonbasic ones are 0
    g = math.gcd(det, *num[:d])
    z = (tuple(x // g for x in num[:d]), det // g)
    if z in points:
        return
    zero = frozenset(j for j in range(d) if num[j] == 0)
    tight = frozenset(r for r in range(k) if num[d + r] == 0)
    points[z] = Vertex(z[0], z[1], zero, tight)


def _cdd_vertices(M) -> tuple:
    """The vertices by cddlib (exact GMP rationals), labels from the exact points."""
    try:
        import cdd
        import cdd.gmp
    except ImportError:
        raise InputError("backend", "cdd", "pycddlib is not installed (pip install 'symalign[cdd]')") from None
    k, d = len(M), len(M[0])
    Mq = [[Fraction(x) for x in row] for row in M]
    rows = [[Fraction(1)] + [-x for x in row] for row in Mq]
    rows += [[Fraction(0)] + [Fraction(int(i == j)) for i in range(d)] for j in range(d)]
    poly = cdd.gmp.polyhedron_from_matrix(cdd.gmp.matrix_from_array(rows, rep_type=cdd.RepType.INEQUALITY))
    out = []
    for g in cdd.gmp.copy_generators(poly).array:
        if g[0] != 1:
            raise InputError("M", M, "the set {z >= 0 : M z <= 1} is not bounded")
        z = tuple(Fraction(x) for x in g[1:])
        zero = frozenset(j for j in range(d) if z[j] == 0)
        tight = frozenset(r for r in range(k) if sum(a * x for a, x in zip(Mq[r], z) if x) == 1)
        den = math.lcm(*(x.denominator for x in z))
        out.append(Vertex(tuple(int(x * den) for x in z), den, zero, tight))
    return tuple(out)

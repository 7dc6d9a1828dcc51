"""Every extreme equilibrium of a bimatrix game, exactly, by vertex enumeration of the best-response polytopes.

With payoffs shifted to be positive (which changes no equilibrium),

* ``P = {x >= 0 : B^T x <= 1}`` labels ``x`` with ``i`` where ``x_i = 0``
  and ``m + j`` where ``(B^T x)_j = 1``;
* ``Q = {y >= 0 : A y <= 1}`` labels ``y`` with ``i`` where ``(A y)_i = 1``
  and ``m + j`` where ``y_j = 0``.

A pair of vertices ``(x, y) != (0, 0)`` whose labels together are all of
``0 .. m+n-1`` is, normalised to sum 1, an extreme equilibrium, and every
extreme equilibrium arises so, degenerate games included (Mangasarian 1964;
Avis, Rosenberg, Savani and von Stengel, Econ. Theory 42, 2010, section 3)
— the method of Gambit's ``enummixed``.  The vertices are found by
:func:`symalign.numeric.polytope_vertices.polytope_vertices` (exact integer
pivoting, no float).  The equilibrium set is then assembled from the extreme
equilibria (isolated points and maximal Nash subsets,
:mod:`symalign.numeric.nash_subsets`).

Nothing found is trusted: every profile passes the exact check
:func:`symalign.numeric.polymatrix_check.nash_violations` (Fraction regret
over pure strategies), which shares no code with this module; a profile
that fails is returned in ``rejected`` (a bug, never a verdict).

Examples
--------
>>> sorted(extreme_equilibria([[3, 0], [0, 2]], [[2, 0], [0, 3]]))  # battle of the sexes
[((Fraction(0, 1), Fraction(1, 1)), (Fraction(0, 1), Fraction(1, 1))), \
((Fraction(3, 5), Fraction(2, 5)), (Fraction(2, 5), Fraction(3, 5))), \
((Fraction(1, 1), Fraction(0, 1)), (Fraction(1, 1), Fraction(0, 1)))]
"""

from __future__ import annotations

from fractions import Fraction


from symalign.errors import InputError
from symalign.numeric.polytope_vertices import polytope_vertices

__all__ = ["ENGINE", "METHOD", "extreme_equilibria", "checked_extreme_equilibria", "vertex_equilibrium_set",
           "exact_regret_checked"]

ENGINE = "symalign-vertex-enumeration"
"""The engine name reported when this module answered."""
METHOD = "vertex-enumeration+exact-regret"
"""``Equilibrium.method`` of a profile found here and passed by the exact check."""
NOTE = ("engine: symalign's exact vertex enumeration of the best-response polytopes (integer pivoting): every "
        "extreme equilibrium re-checked by exact regret, components assembled from them (maximal Nash subsets)")


def _positive(M):
    low = min(min(r) for r in M)
    return [[Fraction(x) - low + 1 for x in r] for r in M]


def extreme_equilibria(A, B, *, backend: str = "auto") -> list:
    """Every extreme equilibrium ``(x, y)`` (tuples of Fractions) of the bimatrix game ``(A, B)`` (m x n).

    ``backend`` is passed to :func:`~symalign.numeric.polytope_vertices.polytope_vertices`
    (``"pivot"``, ``"cdd"`` or ``"auto"``).
    """
    m, n = len(A), len(A[0])
    if any(len(r) != n for r in A) or len(B) != m or any(len(r) != n for r in B):
        raise InputError("B", [len(r) for r in B], f"A and B must both be {m} x {n}")
    A1, B1 = _positive(A), _positive(B)
    BT = [[B1[i][j] for i in range(m)] for j in range(n)]
    full = (1 << (m + n)) - 1
    P = []
    for v in polytope_vertices(BT, backend=backend):  # x in R^m; rows j of B^T x <= 1
        mask = sum(1 << i for i in v.zero) | sum(1 << (m + j) for j in v.tight)
        P.append((mask, v.num))
    Q = []
    for v in polytope_vertices(A1, backend=backend):  # y in R^n; rows i of A y <= 1
        mask = sum(1 << i for i in v.tight) | sum(1 << (m + j) for j in v.zero)
        Q.append((mask, v.num))
    out = []
    for px, qy in _complementary(P, Q, full, m + n):
        x, y = P[px][1], Q[qy][1]
        sx, sy = sum(x), sum(y)
        if sx == 0 or sy == 0:
            continue  # the artificial equilibrium (0, 0)
        out.append((tuple(Fraction(v, sx) for v in x), tuple(Fraction(v, sy) for v in y)))
    return out


def _complementary(P, Q, full, bits):
    """Index pairs ``(p, q)`` whose label masks cover ``full``."""
    if bits <= 62:
        import numpy as np

        qm = np.array([mask for mask, _ in Q], dtype=np.int64)
        for p, (mask, _) in enumerate(P):
            for q in np.flatnonzero((qm | mask) == full):
                yield p, int(q)
        return
    for p, (mp, _) in enumerate(P):
        for q, (mq, _) in enumerate(Q):
            if mp | mq == full:
                yield p, q


def checked_extreme_equilibria(game) -> tuple:
    """``(accepted, rejected)`` for a numeric two-agent polymatrix game with rational payoffs.

    ``accepted``: :class:`~symalign.core.equilibrium.Equilibrium` objects
    (``method`` = :data:`METHOD`) that passed the exact check; ``rejected``:
    ``(weights, violations)`` pairs that did not (a bug: should be empty).
    """
    from symalign.numeric.gambit import bimatrix_payoffs, check_profiles

    A, B = bimatrix_payoffs(game)
    return check_profiles(game, ([list(x), list(y)] for x, y in extreme_equilibria(A, B)), METHOD)


def exact_regret_checked(eq, concavity: str):
    """``eq`` (which passed :func:`~symalign.numeric.polymatrix_check.nash_violations`) with its checks filled in.

    The exact check found every pure deviation's gain <= 0 in Fraction
    arithmetic; with utilities linear in own weights the best deviation is a
    pure one, so the deviation gain and the KKT residual are exactly 0 (no
    float search is run).
    """
    from dataclasses import replace

    return replace(eq, residual=0.0, concavity=concavity, deviation_gain=0.0,
                   deviation_method="exact regret over pure strategies (Fraction arithmetic)",
                   notes=eq.notes + ("largest unilateral deviation gain 0 (exact regret, independent check)",))


def applies(game) -> bool:
    """Whether ``game`` is a numeric two-agent polymatrix game with rational payoffs."""
    if game.family.name != "polymatrix" or game.n_agents != 2 or not game.is_numeric:
        return False
    return all(getattr(x, "is_Rational", False) for row in game.param("A") for M in row if M is not None for x in M)


def vertex_equilibrium_set(game, component):
    """``(isolated, components)`` of a bimatrix game from its checked extreme equilibria, or None.

    None when the game is not a two-agent polymatrix game with rational
    payoffs, or when a profile failed the exact check (then the list is not
    trusted; the caller falls back to support enumeration).  ``component``
    builds a :class:`symalign.numeric.enumerate.Component`.
    """
    from symalign.numeric.nash_subsets import nash_subsets

    if not applies(game):
        return None
    accepted, rejected = checked_extreme_equilibria(game)
    if rejected or not accepted:
        return None
    return nash_subsets(game, accepted, component)

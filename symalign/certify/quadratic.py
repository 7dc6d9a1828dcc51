"""Best response of one agent whose utility is quadratic in its own weights, checked exactly.

With the other agents fixed at the witness, agent ``i``'s utility is
``u(x) = const + b.x + x^T H x / 2`` on the simplex (``H`` the own Hessian,
constant).  The checker reads ``b`` and ``H`` off the utility polynomial
itself (its own exact gradient, no solver's):

* KKT on the simplex: ``g = b + H w_i`` is maximal and equal on the support
  of ``w_i``;
* own-concavity certificate: ``-Z^T H Z`` positive semidefinite by exact
  LDL^T, ``Z`` a basis of the tangent space ``{sum x = 0}`` (columns
  ``e_d - e_D``).  KKT and this certificate make ``w_i`` a best response;
* without the certificate, the exact best response over the simplex: the
  maximum of a quadratic over the simplex is attained at the solution of
  the stationarity system of some face ``F`` whose system is nonsingular
  (a singular face's stationary set meets a smaller face at the same
  value), so enumerating the ``2^D - 1`` faces gives the exact maximum.

Examples
--------
>>> from fractions import Fraction as F
>>> H = [[F(-2), F(0)], [F(0), F(-2)]]
>>> best_response_gain([F(1), F(0)], H, [F(3, 4), F(1, 4)])
(Fraction(0, 1), None, 'kkt+concavity')

``u = -x_1 x_2`` is convex along the simplex: its KKT point (1/2, 1/2) is its minimum, a vertex gains 1/4.

>>> convex = [[F(0), F(-1)], [F(-1), F(0)]]
>>> best_response_gain([F(0), F(0)], convex, [F(1, 2), F(1, 2)])
(Fraction(1, 4), (Fraction(1, 1), Fraction(0, 1)), 'faces')
>>> best_response_gain([F(0), F(0)], convex, [F(1), F(0)])
(Fraction(0, 1), None, 'faces')
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from symalign.certify.exact import positive_semidefinite, solve_linear

__all__ = ["own_concave", "best_response_gain", "MAX_FACE_GROUPS"]

MAX_FACE_GROUPS = 12
"""Largest D for which the faces of the simplex are enumerated (2^D - 1 systems)."""


def _value(b, H, x) -> Fraction:
    return sum(bi * xi for bi, xi in zip(b, x)) + sum(
        H[d][e] * x[d] * x[e] for d in range(len(x)) for e in range(len(x))) / 2


def own_concave(H) -> bool:
    """Exact certificate that ``x^T H x <= 0`` on ``{sum x = 0}``."""
    D = len(H)
    Z = [[(1 if r == c else 0) - (1 if r == D - 1 else 0) for c in range(D - 1)] for r in range(D)]
    M = [[-sum(Z[r][a] * H[r][s] * Z[s][c] for r in range(D) for s in range(D)) for c in range(D - 1)]
         for a in range(D - 1)]
    return positive_semidefinite(M)


def _kkt_holds(b, H, w) -> bool:
    D = len(w)
    g = [b[d] + sum(H[d][e] * w[e] for e in range(D)) for d in range(D)]
    top = max(g)
    return all(g[d] == top for d in range(D) if w[d] > 0)


def best_response_gain(b, H, w):
    """``(gain, better, check)``: exact largest gain of a deviation from ``w``, a point attaining it (None when
    0) and which check decided; ``gain`` is None when undecided (KKT holds, not concave and
    D > :data:`MAX_FACE_GROUPS`), -1 when KKT fails there (a gain exists, its size not computed).

    When the own-concavity certificate holds and KKT holds, the gain is 0 without enumeration.
    """
    D = len(w)
    kkt = _kkt_holds(b, H, w)
    if kkt and own_concave(H):
        return Fraction(0), None, "kkt+concavity"
    if D > MAX_FACE_GROUPS:
        # KKT is necessary for a best response under linear constraints: its failure is a gain of unknown size
        return (None, None, "faces") if kkt else (Fraction(-1), None, "kkt")
    base, best, arg = _value(b, H, w), None, None
    for k in range(1, D + 1):
        for face in itertools.combinations(range(D), k):
            # H_FF x_F + b_F = mu 1, sum x_F = 1  (unknowns x_F, mu)
            A = [[H[d][e] for e in face] + [Fraction(-1)] for d in face] + [[Fraction(1)] * k + [Fraction(0)]]
            sol = solve_linear(A, [-b[d] for d in face] + [Fraction(1)])
            if sol is None or any(x < 0 for x in sol[:k]):
                continue
            x = [Fraction(0)] * D
            for d, v in zip(face, sol[:k]):
                x[d] = v
            val = _value(b, H, x)
            if best is None or val > best:
                best, arg = val, tuple(x)
    gain = best - base
    return (gain, arg, "faces") if gain > 0 else (Fraction(0), None, "faces")

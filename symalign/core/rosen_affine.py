"""Rosen's diagonal strict concavity for numeric games with affine gradients, without SymPy matrices.

For a numeric game whose own-gradients are affine in the weights
(``g = c + J vec(W)``, :meth:`~symalign.core.kkt.KKTSystem.affine_parts`),
the pseudo-Jacobian ``J`` is a matrix of rationals.  :func:`dsc_holds`
decides whether ``B^T (J + J^T)/2 B`` is negative definite (``B`` the
block-diagonal tangent basis ``e_d - e_D`` of
:func:`symalign.core.rosen.tangent_basis`) with no symbolic matrix
product:

* up to :data:`EXACT_LIMIT` rows, exactly: the matrix is assembled in
  integers (one common denominator) and Sylvester's criterion is checked by
  fraction-free symmetric elimination (Bareiss);
* above, by a *verified* floating-point Cholesky factorisation (Rump,
  "Verification of positive definiteness", BIT 46, 2006, Thm 2.3): the
  factorisation of ``A - c I`` succeeding, with ``c`` bounding the rounding
  errors of the factorisation and of the conversion of the exact entries
  to floats, proves ``A`` positive definite.  A failure proves nothing and
  is reported as ``None`` (unknown), never as ``False``.

The result agrees with
``negative_definite(dsc_matrix(game))`` of :mod:`symalign.core.rosen`
(tested), which builds the same matrix symbolically.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

__all__ = ["dsc_matrix_exact", "dsc_holds", "EXACT_LIMIT", "positive_definite_rational"]

EXACT_LIMIT = 160
"""Largest matrix (rows) decided by exact elimination; larger ones by verified Cholesky."""


def dsc_matrix_exact(game, kkt=None):
    """``(A, den)``: integer matrix ``A`` (nested lists) with ``-B^T (J + J^T)/2 B = A / den``.

    ``J`` comes from the family's exact quadratic utilities when it provides
    them (:mod:`symalign.core.quadratic`: no SymPy expression at all), else from
    the KKT system's affine parts.  Returns None when the gradients are not
    affine or a coefficient is not rational.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=2, gamma=1, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> dsc_matrix_exact(g)
    ([[8, 4], [4, 8]], 2)
    """
    built = _dsc_array(game, kkt)
    if built is None:
        return None
    A, den = built
    return A.tolist(), den


def _jacobian_rows(game, kkt):
    """Sparse rows of the pseudo-Jacobian ``J`` (column -> Fraction), or None."""
    from fractions import Fraction

    from symalign.core.quadratic import quadratic_utilities

    q = quadratic_utilities(game) if kkt is None else None
    if q is not None:
        return q.affine_gradient[1]
    from symalign.core.kkt import kkt_system

    kkt = kkt_system(game) if kkt is None else kkt
    parts = kkt.affine_parts()
    if parts is None:
        return None
    index = {w: k for k, w in enumerate(game.weights)}
    rows = []
    for _, coeffs in (entry for row in parts for entry in row):
        if not all(c.is_Rational for c in coeffs.values()):
            return None
        rows.append({index[w]: Fraction(int(c.p), int(c.q)) for w, c in coeffs.items() if c != 0})
    return rows


def _dsc_array(game, kkt=None):
    """``(A, den)`` as a NumPy integer array (int64 when the entries fit exactly, else Python ints)."""
    rows = _jacobian_rows(game, kkt)
    if rows is None:
        return None
    N, D = game.n_agents, game.n_groups
    n = N * D
    den = 1
    for row in rows:
        for x in row.values():
            den = math.lcm(den, x.denominator)
    big = max((abs(x.numerator) * (den // x.denominator) for row in rows for x in row.values()), default=0)
    dtype = np.int64 if big < 2 ** 58 else object  # S sums 2 entries, A sums 4 of S: |A| < 8 big < 2^61
    Jz = np.zeros((n, n), dtype=dtype)
    for r, row in enumerate(rows):
        for col, x in row.items():
            Jz[r, col] = x.numerator * (den // x.denominator)
    S = Jz + Jz.T
    # A = -B^T S B / 2 (times 2 den), (B^T S B)[(i,a),(j,b)] = S[ia,jb] - S[ia,jD] - S[iD,jb] + S[iD,jD]
    P = np.array([i * D + a for i in range(N) for a in range(D - 1)], dtype=int)
    L = np.array([i * D + D - 1 for i in range(N) for _ in range(D - 1)], dtype=int)
    A = -(S[np.ix_(P, P)] - S[np.ix_(P, L)] - S[np.ix_(L, P)] + S[np.ix_(L, L)])
    return A, 2 * den


def dsc_holds(game, kkt=None) -> bool | None:
    """Rosen's diagonal strict concavity (on the tangent space) of a numeric affine game.

    True when proved, False when refuted exactly (some leading minor of the
    exact matrix is not positive), None when not decided (non-affine or
    non-rational coefficients, or a large matrix whose verified Cholesky
    factorisation failed).

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> f = get_family("active_alignment", "overlap")
    >>> ok = Game.create(f, 2, ["x", "y"], alpha=1, beta=2, gamma=1, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> bad = Game.create(f, 2, ["x", "y"], alpha=1, beta=1, gamma=3, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> dsc_holds(ok), dsc_holds(bad)
    (True, False)
    """
    built = _dsc_array(game, kkt)
    if built is None:
        return None
    A, _ = built
    if len(A) <= EXACT_LIMIT:
        return _bareiss_positive_definite(A.tolist())
    return True if _verified_cholesky(A) else None


def positive_definite_rational(M) -> bool:
    """Exact test that a symmetric matrix of :class:`fractions.Fraction` (nested lists) is positive definite.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> positive_definite_rational([[F(2), F(1, 2)], [F(1, 2), F(1)]]), positive_definite_rational([[F(1), F(2)], [F(2), F(1)]])
    (True, False)
    """
    den = 1
    for row in M:
        for x in row:
            den = math.lcm(den, x.denominator)
    return _bareiss_positive_definite([[int(x * den) for x in row] for row in M])


def _bareiss_positive_definite(A) -> bool:
    """Sylvester's criterion by fraction-free elimination: every leading minor > 0."""
    M = [row[:] for row in A]
    n = len(M)
    prev = 1
    for k in range(n):
        pivot = M[k][k]
        if pivot <= 0:  # the k-th leading minor (pivot = minor_k) is not positive
            return False
        for r in range(k + 1, n):
            mrk = M[r][k]
            row_r, row_k = M[r], M[k]
            for c in range(k + 1, n):
                row_r[c] = (pivot * row_r[c] - mrk * row_k[c]) // prev
            row_r[k] = 0
        prev = pivot
    return True


def _verified_cholesky(A_int) -> bool:
    """Rump's sufficient test that the integer matrix ``A_int`` is positive definite."""
    A = np.asarray(A_int).astype(float)  # each integer correctly rounded
    n = A.shape[0]
    # conversion of the (integer) entries to floats: |A - fl(A)| <= u |A| entrywise
    u = 2.0 ** -53
    conv = u * np.abs(A).sum(axis=1).max()  # bounds ||A - fl(A)||_2 (symmetric: max row sum)
    d = np.sqrt(np.abs(np.diag(A)))
    gamma = (n + 1) * u / (1 - (n + 1) * u)
    c = gamma / (1 - 2 * gamma) * float(d @ d) + 4 * n * (2 * (n + 1) + float(np.abs(A).max())) * 2.0 ** -1074
    c = (c + conv) * (1 + 4 * u)  # the shift itself is rounded
    try:
        np.linalg.cholesky(A - c * np.eye(n))
    except np.linalg.LinAlgError:
        return False
    return True

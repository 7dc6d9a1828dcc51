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

__all__ = ["dsc_matrix_exact", "dsc_holds", "EXACT_LIMIT"]

EXACT_LIMIT = 160
"""Largest matrix (rows) decided by exact elimination; larger ones by verified Cholesky."""


def dsc_matrix_exact(game, kkt=None):
    """``(A, den)``: integer matrix ``A`` (nested lists) with ``-B^T (J + J^T)/2 B = A / den``.

    Returns None when the gradients are not affine or a coefficient is not rational.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=2, gamma=1, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> dsc_matrix_exact(g)
    ([[8, 4], [4, 8]], 2)
    """
    from symalign.core.kkt import kkt_system

    kkt = kkt_system(game) if kkt is None else kkt
    parts = kkt.affine_parts()
    if parts is None:
        return None
    N, D = game.n_agents, game.n_groups
    index = {w: k for k, w in enumerate(game.weights)}
    n = N * D
    J = [[sp.Integer(0)] * n for _ in range(n)]
    for r, (_, coeffs) in enumerate(entry for row in parts for entry in row):
        for w, c in coeffs.items():
            if not c.is_Rational:
                return None
            J[r][index[w]] = c
    den = 1
    for row in J:
        for x in row:
            den = math.lcm(den, int(x.q))
    Jz = [[int(x * den) for x in row] for row in J]
    # S = J + J^T (times den); A = -B^T S B / 2, with (B^T S B)[(i,a),(j,b)] = S[ia,jb] - S[ia,jD] - S[iD,jb] + S[iD,jD]
    last = D - 1

    def s(p, q):
        return Jz[p][q] + Jz[q][p]

    m = N * (D - 1)
    A = [[0] * m for _ in range(m)]
    for i in range(N):
        for a in range(D - 1):
            p, pl = i * D + a, i * D + last
            for j in range(N):
                for b in range(D - 1):
                    q, ql = j * D + b, j * D + last
                    A[i * (D - 1) + a][j * (D - 1) + b] = -(s(p, q) - s(p, ql) - s(pl, q) + s(pl, ql))
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
    built = dsc_matrix_exact(game, kkt)
    if built is None:
        return None
    A, _ = built
    if len(A) <= EXACT_LIMIT:
        return _bareiss_positive_definite(A)
    return True if _verified_cholesky(np.array(A, dtype=object)) else None


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
    A = np.array([[float(x) for x in row] for row in A_int])
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

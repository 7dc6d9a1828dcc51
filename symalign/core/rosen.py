"""Rosen's (1965) conditions: concavity in own strategy and diagonal strict concavity.

Existence (Rosen 1965, Thm 1): strategy sets compact and convex and each
``U_i`` concave in ``w_i``.  Uniqueness (Thm 2 with weights r = 1): the
pseudo-gradient ``g(W) = (grad_{w_1} U_1, ..., grad_{w_N} U_N)`` is strictly
monotone, which holds when the symmetrised pseudo-Jacobian
``(J + J^T)/2`` is negative definite.  On the product of simplices only
directions in the tangent space ``{v : sum_d v_{i,d} = 0 for all i}``
matter, so both conditions are checked there.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "tangent_basis",
    "restrict_to_tangent",
    "own_hessian",
    "pseudo_jacobian",
    "dsc_matrix",
    "leading_minors",
    "negative_definite",
    "charpoly_coefficients",
]


def tangent_basis(n_groups: int) -> sp.ImmutableMatrix:
    """D x (D-1) basis ``e_d - e_D`` of ``{v : sum v = 0}``."""
    D = n_groups
    return sp.ImmutableMatrix(D, D - 1, lambda r, c: 1 if r == c else (-1 if r == D - 1 else 0))


def restrict_to_tangent(H) -> list:
    """``B^T H B`` for the basis :func:`tangent_basis`, entry by entry (nested lists, exact entries kept exact).

    Examples
    --------
    >>> restrict_to_tangent([[-2, 0, 0], [0, -2, 0], [0, 0, -2]])
    [[-4, -2], [-2, -4]]
    """
    last = len(H) - 1
    return [[H[a][b] - H[a][last] - H[last][b] + H[last][last] for b in range(last)] for a in range(last)]


def own_hessian(game, i: int) -> sp.ImmutableMatrix:
    """Hessian of ``U_i`` in own weights, restricted to the tangent space."""
    w = list(game.weights.row(i))
    H = sp.hessian(game.utility(i), w)
    B = tangent_basis(game.n_groups)
    return sp.ImmutableMatrix((B.T * H * B).applyfunc(sp.cancel))


def pseudo_jacobian(game, kkt=None) -> sp.ImmutableMatrix:
    """Jacobian of the stacked own-gradients with respect to the whole profile."""
    from symalign.core.kkt import kkt_system

    kkt = kkt_system(game) if kkt is None else kkt
    flat_g = list(kkt.gradients)
    flat_w = list(game.weights)
    return sp.ImmutableMatrix(sp.Matrix(flat_g).jacobian(flat_w))


def dsc_matrix(game, kkt=None) -> sp.ImmutableMatrix:
    """``B^T (J + J^T)/2 B``: negative definite iff DSC holds on the tangent space."""
    J = pseudo_jacobian(game, kkt)
    B = sp.diag(*[tangent_basis(game.n_groups)] * game.n_agents)
    S = (J + J.T) / 2
    return sp.ImmutableMatrix((B.T * S * B).applyfunc(sp.cancel))


def leading_minors(M) -> tuple:
    """Leading principal minors of a square matrix, each a cancelled rational function.

    Determinants are taken by fraction-free elimination over the exact
    domain of the entries (:class:`~sympy.polys.matrices.DomainMatrix`),
    which stays fast for symbolic matrices of size 5 or more.

    Examples
    --------
    >>> leading_minors(sp.Matrix([[2, 1], [1, 2]]))
    (2, 3)
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> sp.factor(leading_minors(sp.Matrix([[b, g / 2], [g / 2, b]]))[1])
    (2*beta - gamma)*(2*beta + gamma)/4
    """
    from sympy.polys.matrices import DomainMatrix

    M = sp.Matrix(M)
    out = []
    for k in range(1, M.rows + 1):
        dM = DomainMatrix.from_Matrix(M[:k, :k])
        out.append(sp.cancel(dM.domain.to_sympy(dM.det())))
    return tuple(out)


def charpoly_coefficients(M) -> list:
    """Coefficients of ``det(t I - M)``, highest degree first (exact domain arithmetic).

    Examples
    --------
    >>> charpoly_coefficients(sp.Matrix([[2, 1], [1, 2]]))
    [1, -4, 3]
    """
    from sympy.polys.matrices import DomainMatrix

    dM = DomainMatrix.from_Matrix(sp.Matrix(M))
    return [dM.domain.to_sympy(c) for c in dM.charpoly()]


def negative_definite(M) -> bool | None:
    """Exact test for a symmetric numeric matrix (Sylvester on ``-M``).

    Returns None when entries are symbolic or depend on the weights.
    """
    M = sp.Matrix(M)
    if M.free_symbols:
        return None
    return _positive_definite_exact(-M)


def _positive_definite_exact(M) -> bool:
    """Symmetric Gaussian elimination in exact rationals: every pivot > 0 (Sylvester's criterion)."""
    from fractions import Fraction

    n = M.rows
    A = [[Fraction(int(sp.fraction(x)[0]), int(sp.fraction(x)[1])) for x in M.row(r)] for r in range(n)]
    for k in range(n):
        pivot = A[k][k]
        if pivot <= 0:
            return False
        for r in range(k + 1, n):
            f = A[r][k] / pivot
            if f:
                for c in range(k, n):
                    A[r][c] -= f * A[k][c]
    return True

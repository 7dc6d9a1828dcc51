"""Uniqueness certificate: Rosen's diagonal strict concavity on the tangent space, re-checked exactly.

For utilities quadratic in all weights the pseudo-gradient ``g(W)`` (every
agent's own gradient stacked) is affine, ``g(W) = c + J vec(W)``.  The
checker builds ``J`` itself by differentiating the utilities, forms
``S = -(J + J^T) / 2`` and restricts it to the tangent space of the product
of simplices (``Z`` with columns ``e_{i,d} - e_{i,D}``).  If ``Z^T S Z`` is
positive definite (exact LDL^T pivots all > 0) two distinct equilibria
``x, y`` would give ``(x - y)^T (g(x) - g(y)) < 0`` while the variational
inequalities give ``>= 0``: at most one equilibrium exists (Rosen 1965,
Thm 2, on the affine hull of the strategy sets).

Examples
--------
>>> from symalign import Game, get_family
>>> f = get_family("active_alignment", "overlap")
>>> ok = Game.create(f, 2, ["x", "y"], alpha=1, beta=2, gamma=1, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> bad = Game.create(f, 2, ["x", "y"], alpha=1, beta=1, gamma=3, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> check_unique(ok).status, check_unique(bad).status
('accepted', 'rejected')
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from symalign.certify.exact import fraction, positive_definite
from symalign.certify.verdict import Verdict, accepted, candidate, rejected

__all__ = ["check_unique", "dsc_matrix"]

CHECK = "dsc"


def dsc_matrix(game):
    """``Z^T S Z`` in Fractions (nested lists), or a reason string when the game is not rational quadratic."""
    if game.free_symbols():
        return "the game has symbolic parameters"
    W, N, D = game.weights, game.n_agents, game.n_groups
    flat = [W[i, d] for i in range(N) for d in range(D)]
    J = []
    for i in range(N):
        u = sp.expand(game.utility(i))
        for d in range(D):
            g = sp.diff(u, W[i, d])
            row = []
            for x in flat:
                h = sp.diff(g, x)
                c = fraction(h)
                if c is None:
                    return f"agent {i + 1}'s gradient is not affine with rational coefficients ({h})"
                row.append(c)
            J.append(row)
    n = N * D
    S = [[-(J[r][c] + J[c][r]) / 2 for c in range(n)] for r in range(n)]
    basis = []  # columns e_{i,d} - e_{i,D-1}
    for i in range(N):
        for d in range(D - 1):
            col = [Fraction(0)] * n
            col[i * D + d], col[i * D + D - 1] = Fraction(1), Fraction(-1)
            basis.append(col)
    SZ = [[sum(S[r][k] * z[k] for k in range(n) if z[k]) for z in basis] for r in range(n)]
    return [[sum(a[r] * SZ[r][c] for r in range(n) if a[r]) for c in range(len(basis))] for a in basis]


def check_unique(game) -> Verdict:
    """Accepted when Rosen's diagonal strict concavity holds exactly on the tangent space; rejected when the
    matrix is exactly not positive definite (the certificate fails: uniqueness is then open, not refuted)."""
    M = dsc_matrix(game)
    if isinstance(M, str):
        return candidate(CHECK, M + ": no uniqueness certificate")
    if positive_definite(M):
        return accepted(CHECK, "symmetrised negative pseudo-Jacobian positive definite on the tangent space "
                               "(exact LDL^T)")
    return rejected(CHECK, "symmetrised negative pseudo-Jacobian not positive definite on the tangent space")

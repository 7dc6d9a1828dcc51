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
Three agents, homogeneous: DSC holds iff gamma < beta (N - 1) = 2.

>>> from symalign import Game, get_family
>>> def game(gamma):
...     return Game.create(get_family("active_alignment", "overlap"), 3, ["l", "r"], alpha=2, beta=1,
...                        gamma=gamma, a=[[0, 1]] * 3, p=["1/3", "2/3"])
>>> check_unique(game("19/10")).status, check_unique(game(2)).status
('accepted', 'rejected')
"""

from __future__ import annotations

from fractions import Fraction

from symalign.certify.equilibrium import utility_terms
from symalign.certify.exact import positive_definite
from symalign.certify.verdict import Verdict, accepted, candidate, rejected

__all__ = ["check_unique", "dsc_matrix"]

CHECK = "dsc"


MAX_TANGENT_DIM = 160
"""Largest N (D - 1) whose DSC matrix the checker factorises exactly."""


def dsc_matrix(game):
    """``Z^T S Z`` in Fractions (nested lists), or a reason string when the game is not rational quadratic."""
    if game.free_symbols():
        return "the game has symbolic parameters"
    N, D = game.n_agents, game.n_groups
    if N * (D - 1) > MAX_TANGENT_DIM:
        return f"tangent dimension N (D - 1) = {N * (D - 1)} > {MAX_TANGENT_DIM}"
    n = N * D
    J = [[Fraction(0)] * n for _ in range(n)]  # J[(i,d)][k] = d^2 u_i / dw_{i,d} dw_k
    for i, terms in enumerate(utility_terms(game)):
        if isinstance(terms, str):
            return terms
        for coeff, monom in terms:
            idx = [k for k, e in monom.items() for _ in range(e)]
            if len(idx) > 2:
                return f"agent {i + 1}'s gradient is not affine (a term of degree {len(idx)})"
            if len(idx) == 2:
                a, b = idx
                if a == b:
                    if a // D == i:
                        J[a][a] += 2 * coeff
                    continue
                for r, c in ((a, b), (b, a)):
                    if r // D == i:
                        J[r][c] += coeff
    S = [[-(J[r][c] + J[c][r]) / 2 for c in range(n)] for r in range(n)]
    # Z^T S Z with Z's columns e_{i,d} - e_{i,D-1}: differences of rows and columns
    cols = [(i * D + d, i * D + D - 1) for i in range(N) for d in range(D - 1)]
    return [[S[p][q] - S[p][y] - S[x][q] + S[x][y] for q, y in cols] for p, x in cols]


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

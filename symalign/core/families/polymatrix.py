"""Polymatrix games: ``U_i = sum_{j != i} w_i^T A_ij w_j``.

For N = 2 this is the mixed extension of any bimatrix game with payoff
matrices ``A`` (row player) and ``B`` (column player); give the parameter
as ``{"A": A, "B": B}``.  Utilities are linear in the agent's own weights,
so equilibria need not be unique (Janovskaya 1968; Cai & Daskalakis 2011).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.core.params import ParamSpec
from symalign.core.families.base import UtilityFamily, register_family

__all__ = ["Polymatrix"]


@dataclass(frozen=True)
class Polymatrix(UtilityFamily):
    """Polymatrix game: pairwise bilinear payoffs, linear in own weights."""

    name = "polymatrix"
    variant = ""
    strictly_concave = False

    def parameters(self) -> tuple:
        return (ParamSpec("A", "pair", "real", "A", "payoff block A_ij of agent i against agent j"),)

    def utility(self, game, i, W):
        A = game.param("A")
        w = W.row(i)
        total = sp.Integer(0)
        for j in range(game.n_agents):
            if j != i:
                total += (w * A[i][j] * W.row(j).T)[0, 0]
        return sp.expand(total)

    def quadratic_utilities(self, game):
        from symalign.core.quadratic import QuadraticBuilder

        A, N, D = game.param("A"), game.n_agents, game.n_groups
        q = QuadraticBuilder(N, D)
        for i in range(N):
            for j in range(N):
                if j != i:
                    for d in range(D):
                        for e in range(D):
                            q.product(i, A[i][j][d, e], i, d, j, e)
        return q.build()


register_family("polymatrix", Polymatrix)

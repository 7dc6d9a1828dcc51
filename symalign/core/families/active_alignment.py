"""The active-alignment family (reconstructed from the paper's abstract).

Agent i's utility combines attractiveness ``alpha_i <a_i, w_i>``,
consistency with its RLHF prior ``p_i`` and diversity against the mean
``m_i`` of the other agents' mixtures.  Three diversity variants
(``../shared/model.md``; Wang et al. 2026, arXiv 2602.06836):

``overlap``  (Q)  ``- beta_i/2 ||w_i - p_i||^2 - gamma_i <w_i, m_i>``
``distance`` (Q') ``- beta_i/2 ||w_i - p_i||^2 + gamma_i/2 ||w_i - m_i||^2``
``entropic`` (E)  ``- beta_i KL(w_i || p_i) - gamma_i <w_i, m_i>``

The exact forms of the paper are not public; these are one reconstruction
that fits every stated fact, and users can write the paper's forms with the
``custom`` family.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.errors import InputError
from symalign.core.params import ParamSpec
from symalign.core.families.base import UtilityFamily, register_family

__all__ = ["ActiveAlignment", "others_mean"]

VARIANTS = ("overlap", "distance", "entropic")


def others_mean(W: sp.MatrixBase, i: int) -> sp.ImmutableMatrix:
    """Row vector ``m_i``: the mean of the other agents' weights."""
    n = W.rows
    total = sp.zeros(1, W.cols)
    for j in range(n):
        if j != i:
            total += W.row(j)
    return sp.ImmutableMatrix(total / (n - 1))


@dataclass(frozen=True)
class ActiveAlignment(UtilityFamily):
    """Active alignment: attractiveness, consistency with a prior, diversity."""

    variant: str = "overlap"
    name = "active_alignment"

    def __post_init__(self):
        if self.variant not in VARIANTS:
            raise InputError("variant", self.variant, f"must be one of {VARIANTS}")

    def parameters(self) -> tuple:
        return (
            ParamSpec("alpha", "agent", "positive", r"\alpha", "weight of attractiveness"),
            ParamSpec("beta", "agent", "positive", r"\beta", "weight of consistency with the prior"),
            ParamSpec("gamma", "agent", "nonnegative", r"\gamma", "weight of diversity"),
            ParamSpec("a", "vector", "real", "a", "attractiveness of each group to each agent"),
            ParamSpec("p", "vector", "simplex", "p", "prior alignment of each agent (from RLHF)"),
        )

    def utility(self, game, i, W):
        alpha, beta, gamma = (game.param(k, i) for k in ("alpha", "beta", "gamma"))
        a, p = game.param("a", i), game.param("p", i)
        w = W.row(i)
        m = others_mean(W, i)
        attract = alpha * a.dot(w)
        if self.variant == "entropic":
            kl = sum(wd * sp.log(wd / pd) for wd, pd in zip(w, p))
            return attract - beta * kl - gamma * w.dot(m)
        consistency = -beta / 2 * _sqnorm(w - p)
        if self.variant == "overlap":
            return attract + consistency - gamma * w.dot(m)
        return attract + consistency + gamma / 2 * _sqnorm(w - m)

    def quadratic_utilities(self, game):
        """The overlap and distance variants as exact quadratic polynomials (None for entropic)."""
        from fractions import Fraction

        from symalign.core.quadratic import QuadraticBuilder, to_fraction as F

        if self.variant == "entropic":
            return None
        N, D = game.n_agents, game.n_groups
        q = QuadraticBuilder(N, D)
        share = Fraction(1, N - 1)
        for i in range(N):
            alpha, beta, gamma = (F(game.param(k, i)) for k in ("alpha", "beta", "gamma"))
            a, p = [F(x) for x in game.param("a", i)], [F(x) for x in game.param("p", i)]
            for d in range(D):
                q.linear(i, alpha * a[d], i, d)
                q.square(i, -beta / 2, -p[d], {(i, d): 1})
                if self.variant == "overlap":
                    c = -gamma * share
                    for j in range(N):
                        if j != i:
                            q.product(i, c, i, d, j, d)
                else:  # + gamma/2 (w_id - m_id)^2
                    form = {(j, d): -share for j in range(N) if j != i}
                    form[(i, d)] = 1
                    q.square(i, gamma / 2, 0, form)
        return q.build()

    def hypotheses(self, game) -> tuple:
        out = []
        for i in range(game.n_agents):
            beta, gamma = game.param("beta", i), game.param("gamma", i)
            out.append(beta > gamma if self.variant == "distance" else beta > 0)
        return tuple(dict.fromkeys(out))

    def validate(self, game) -> None:
        if game.n_agents < 2:
            raise InputError("agents", game.n_agents, "active alignment needs at least 2 agents (diversity is relative to the others)")
        if self.variant == "entropic":
            for x in game.param("p"):
                if x.is_number and x <= 0:
                    raise InputError("p", x, "the entropic variant needs a prior with every entry > 0 (KL divergence)")
        super().validate(game)

    @property
    def hypothesis_reason(self):
        if self.variant == "distance":
            return "beta_i > gamma_i: the distance variant is concave only when consistency outweighs diversity"
        return "beta_i > 0 makes the utility strictly concave"


def _sqnorm(v) -> sp.Expr:
    return sum(x**2 for x in v)


register_family("active_alignment", ActiveAlignment, VARIANTS)

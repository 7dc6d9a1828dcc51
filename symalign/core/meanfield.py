"""Closed forms for a symbolic number of agents (homogeneous mean-field games).

If every agent has the same scalar parameters and its utility depends on
the others only through their mean ``m_i`` (``U_i = F(w_i, m_i; a_i, p_i)``,
true of every active-alignment variant), and the gradient of ``F`` is
affine jointly in ``(w, m, a_i, p_i)``, the interior equilibrium can be
derived for symbolic N:

1. averaging agent i's stationarity ``g(w_i, m_i; a_i, p_i) = lambda_i 1``
   over agents (``m_i = (N Wbar - w_i)/(N-1)`` averages to ``Wbar``) gives
   ``g(Wbar, Wbar; abar, pbar) = lambdabar 1``: a (D+1)-dimensional linear
   system for the population mean ``Wbar``;
2. with ``Wbar`` known, agent i's own system is linear in ``(w_i, lambda_i)``.

The mean-field structure is checked, not assumed: :func:`derive_mean_field`
verifies on an explicit 3-agent game that the family's utility equals
``F(w_i, m_i)``, and refuses otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.core.derive import tidy
from symalign.errors import DerivationError
from symalign.core.game import Game
from symalign.core.kkt import split_affine
from symalign.core.linear import solve_linear
from symalign.core.notebook import LatexRepr

__all__ = ["MeanFieldClosedForm", "derive_mean_field"]


@dataclass(frozen=True, eq=False)
class MeanFieldClosedForm(LatexRepr):
    """Interior equilibrium of a homogeneous mean-field game for symbolic N.

    Attributes
    ----------
    n : Symbol
        The number of agents (integer, >= 2).
    mean : ImmutableMatrix
        1 x D population mean ``Wbar*`` in terms of ``abar``, ``pbar``.
    agent : ImmutableMatrix
        1 x D equilibrium of a generic agent i in terms of ``a_i``, ``p_i``,
        ``abar``, ``pbar`` and N.
    conditions : tuple
        ``w_{i,d} > 0`` (validity of the interior support).
    own, bar : dict
        Vector parameter name -> (own symbols, population-mean symbols).
    scalars : dict
        Shared scalar parameter name -> symbol.
    mean_symbols : tuple of Symbol
        ``Wbar_1..Wbar_D``: names for the population mean.
    structured_agent : ImmutableMatrix or None
        The generic agent's equilibrium in terms of ``mean_symbols`` (the
        mean-field structure: ``agent`` is it with ``mean`` substituted);
        see :attr:`definitions`.
    """

    family: object
    n: sp.Symbol
    mean: sp.ImmutableMatrix
    agent: sp.ImmutableMatrix
    conditions: tuple
    own: dict
    bar: dict
    scalars: dict
    mean_symbols: tuple = ()
    structured_agent: sp.ImmutableMatrix | None = None

    @property
    def definitions(self) -> tuple:
        """``((Wbar_d, mean_d), ...)``: the named population mean (as in :mod:`symalign.core.structured`)."""
        return tuple(zip(self.mean_symbols, self.mean))

    def __repr__(self) -> str:
        return (f"MeanFieldClosedForm({self.family.label}, symbolic N, D={self.mean.cols}: "
                f"interior equilibrium valid under {len(self.conditions)} conditions)")

    def instantiate(self, game: Game) -> sp.ImmutableMatrix:
        """The N x D closed form for the agents of an explicit game of this family."""
        N, D = game.n_agents, game.n_groups
        rows = []
        for i in range(N):
            values = {self.n: N}
            for name, syms in self.own.items():
                mat = game.param(name)
                for d in range(D):
                    values[syms[d]] = mat[i, d]
                    values[self.bar[name][d]] = sum(mat[j, d] for j in range(N)) / N
            for name, sym in self.scalars.items():
                values[sym] = game.param(name, 0)
            rows.append(list(self.agent.xreplace(values)))
        return sp.ImmutableMatrix(rows)


def derive_mean_field(family, n_groups: int) -> MeanFieldClosedForm:
    """Derive the interior equilibrium for a symbolic number of agents.

    Examples
    --------
    >>> from symalign import get_family
    >>> cf = derive_mean_field(get_family("active_alignment", "overlap"), 2)
    >>> cf.mean[0]
    (abar_1*alpha - abar_2*alpha + beta*pbar_1 - beta*pbar_2 + beta + gamma)/(2*(beta + gamma))
    >>> cf.n in cf.agent[0].free_symbols   # the agent-level form depends on N
    True
    >>> cf.structured_agent[0]   # the same, with the population mean Wbar* named
    -(N*Wbar_1*gamma - N*Wbar_2*gamma - N*a_{i,1}*alpha + N*a_{i,2}*alpha - N*beta*p_{i,1} + N*beta*p_{i,2} - N*beta + a_{i,1}*alpha - a_{i,2}*alpha + beta*p_{i,1} - beta*p_{i,2} + beta + gamma)/(2*(N*beta - beta - gamma))

    """
    D = n_groups
    specs = family.parameters()
    shared = [s for s in specs if s.kind in ("agent", "scalar")]
    vectors = [s for s in specs if s.kind == "vector"]
    if any(s.kind == "pair" for s in specs):
        raise DerivationError(f"family {family.label!r} has pairwise parameters: not a mean-field game")
    n = sp.Symbol("N", integer=True, positive=True)
    scalars = {s.name: sp.Symbol(s.name, **s.assumptions) for s in shared}
    own = {s.name: [sp.Symbol(f"{s.name}_{{i,{d + 1}}}", **s.assumptions) for d in range(D)] for s in vectors}
    bar = {s.name: [sp.Symbol(f"{s.name}bar_{d + 1}", **s.assumptions) for d in range(D)] for s in vectors}
    # F(w, m): agent 1's utility in a two-agent game whose second row is m.
    pair = Game.create(family, 2, D, **scalars, **{k: [v, v] for k, v in own.items()})
    w = list(pair.weights.row(0))
    m = list(pair.weights.row(1))
    F = pair.utility(0)
    _check_mean_field(family, D, F, w, m, scalars, own)
    grad = [sp.expand(sp.diff(F, x)) for x in w]
    variables = frozenset(w + m + [x for v in own.values() for x in v])
    if split_affine(sp.ImmutableMatrix([grad]), variables) is None:
        raise DerivationError(f"family {family.label!r}: the gradient is not affine in (w, m, a, p)")
    Wbar = [sp.Symbol(f"Wbar_{d + 1}", real=True) for d in range(D)]
    lam, lam_bar = sp.Symbol("lambda_i", real=True), sp.Symbol("lambdabar", real=True)
    to_bar = {**dict(zip(w, Wbar)), **dict(zip(m, Wbar))}
    for name in own:
        to_bar.update(dict(zip(own[name], bar[name])))
    mean_eqs = [g.xreplace(to_bar) - lam_bar for g in grad] + [sum(Wbar) - 1]
    mean_sol = solve_linear(mean_eqs, Wbar + [lam_bar])
    mean = [tidy(mean_sol[x]) for x in Wbar]
    # one agent's system with the population mean kept as a name (w_i in terms of Wbar*), solved once;
    # the agent's closed form is that solution with the mean substituted
    named = {m[d]: (n * Wbar[d] - w[d]) / (n - 1) for d in range(D)}
    named_sol = solve_linear([g.xreplace(named) - lam for g in grad] + [sum(w) - 1], w + [lam])
    structured = [tidy(named_sol[x]) for x in w]
    at_mean = dict(zip(Wbar, mean))
    agent = [tidy(x.xreplace(at_mean)) for x in structured]
    return MeanFieldClosedForm(
        family, n, sp.ImmutableMatrix([mean]), sp.ImmutableMatrix([agent]),
        tuple(x > 0 for x in agent), own, bar, scalars, tuple(Wbar), sp.ImmutableMatrix([structured]),
    )


def _check_mean_field(family, D, F, w, m, scalars, own):
    """Conservative check on three agents: U_1 == F(w_1, m_1)."""
    game = Game.create(family, 3, D, **scalars, **{k: [v, v, v] for k, v in own.items()})
    W = game.weights
    mean_others = [(W[1, d] + W[2, d]) / 2 for d in range(D)]
    expected = F.xreplace({**dict(zip(w, W.row(0))), **dict(zip(m, mean_others))})
    if sp.expand(game.utility(0) - expected, log=False) != 0:
        raise DerivationError(
            f"family {family.label!r}: utilities do not depend on the others only through their mean"
        )

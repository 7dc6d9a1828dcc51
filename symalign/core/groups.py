"""Interior closed forms for a symbolic number of groups ``D``.

When every own-gradient is *separable across groups* (``g_{i,d}`` depends
only on group ``d``'s weights and parameters, besides per-agent scalars)
and affine, the interior KKT system splits:

1. summing agent i's stationarity ``g_{i,d} = lambda_i`` over the D groups
   uses only group sums (``sum_d w_{i,d} = 1``, ``sum_d p_{i,d} = 1`` for
   simplex parameters, ``S^a_i = sum_d a_{i,d}`` otherwise) and gives
   ``lambda_i`` for symbolic D;
2. with the multipliers known, the N equations ``g_{i,d} = lambda_i`` of one
   *generic* group d are a linear system in ``w_{1,d}, ..., w_{N,d}``.

The result is the equilibrium weight of agent i on a generic group d, written
in that group's parameters, the group sums and ``D``.  The separability is
read off an explicit probe game (3 groups) and the result is meant to be
confirmed against explicit derivations (:func:`instantiate` does the
substitution; the tests compare with :func:`~symalign.core.derive.derive_on_support`
for several D).  Families whose gradients mix groups (e.g. the centring
``c(a)`` written explicitly, polymatrix blocks) are refused with a
:class:`~symalign.errors.DerivationError`.

Examples
--------
>>> from symalign import get_family
>>> form = derive_generic_group(get_family("active_alignment", "overlap"), 2)
>>> form.weights[0]
(D*a_{1,d}*alpha*beta - D*a_{2,d}*alpha*gamma + D*beta**2*p_{1,d} - D*beta*gamma*p_{2,d} - S^{a}_{1}*alpha*beta + S^{a}_{2}*alpha*gamma + beta*gamma - gamma**2)/(D*(beta - gamma)*(beta + gamma))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.core.derive import tidy
from symalign.core.kkt import kkt_system, split_affine
from symalign.core.linear import solve_linear
from symalign.errors import DerivationError

__all__ = ["GenericGroupForm", "derive_generic_group", "instantiate", "D_SYMBOL"]

D_SYMBOL = sp.Symbol("D", integer=True, positive=True)


@dataclass(frozen=True)
class GenericGroupForm:
    """The interior equilibrium on a generic group ``d`` of a game with ``D`` groups (symbolic).

    Attributes
    ----------
    family : symalign.core.families.base.UtilityFamily
    n_agents : int
    weights : tuple
        ``w*_{i,d}`` for each agent, in the generic symbols.
    multipliers : tuple
        ``lambda_i`` for symbolic D.
    generic : dict
        Parameter name -> tuple (per agent) of the generic-group symbols ``x_{i,d}``.
    sums : dict
        Parameter name -> tuple (per agent) of the group-sum symbols ``S^x_i``
        (absent for simplex parameters, whose sums are 1).
    """

    family: object
    n_agents: int
    weights: tuple
    multipliers: tuple
    generic: dict
    sums: dict

    @property
    def conditions(self) -> tuple:
        """Interior validity: every weight on the generic group positive (for every group d)."""
        return tuple(w > 0 for w in self.weights)


def derive_generic_group(family, n_agents: int, *, homogeneous: bool = True) -> GenericGroupForm:
    """Derive the interior equilibrium for symbolic ``D`` (see the module docstring)."""
    from symalign.core.game import Game

    if any(s.kind == "pair" for s in family.parameters()):
        raise DerivationError(f"family {family.label!r}: pair parameters couple groups; no symbolic-D form")
    probe = Game.symbolic(family, n_agents, 3, homogeneous=homogeneous)
    W = probe.weights
    kkt = kkt_system(probe)
    vectors = [s for s in family.parameters() if s.kind == "vector"]
    group = []
    for d in range(3):
        syms = set(W.col(d))
        for s in vectors:
            syms |= set(probe.params[s.name].col(d))
        group.append(syms)
    gen_w = tuple(sp.Symbol(f"w_{{{i + 1},d}}", nonnegative=True) for i in range(n_agents))
    generic = {s.name: tuple(sp.Symbol(f"{s.name}_{{{i + 1},d}}", **s.assumptions) for i in range(n_agents))
               for s in vectors}
    sums = {s.name: tuple(sp.Symbol(f"S^{{{s.name}}}_{{{i + 1}}}", real=True) for i in range(n_agents))
            for s in vectors if s.sign != "simplex"}
    to_generic, to_sum = {}, {}
    for i in range(n_agents):
        to_generic[W[i, 0]], to_sum[W[i, 0]] = gen_w[i], sp.Integer(1)
        for s in vectors:
            x = probe.params[s.name][i, 0]
            to_generic[x] = generic[s.name][i]
            to_sum[x] = sp.Integer(1) if s.sign == "simplex" else sums[s.name][i]
    lambdas, equations = [], []
    for i in range(n_agents):
        g = kkt.gradients[i, 0]
        if g.free_symbols & (group[1] | group[2]):
            raise DerivationError(f"family {family.label!r}: agent {i + 1}'s gradient on one group involves other "
                                  "groups; no symbolic-D form")
        parts = split_affine(sp.ImmutableMatrix([[g]]), frozenset(group[0]))
        if parts is None:
            raise DerivationError(f"family {family.label!r}: gradients are not affine in a group's quantities")
        const, coeffs = parts[0][0]
        if any(c.free_symbols & group[0] for c in coeffs.values()):
            raise DerivationError(f"family {family.label!r}: gradients are not affine in a group's quantities")
        # sum over the D groups of g_{i,d}: D * const + sum_x coeff * (sum over groups of x)
        total = D_SYMBOL * const + sum(c * to_sum[x] for x, c in coeffs.items())
        lam = total / D_SYMBOL
        lambdas.append(lam)
        equations.append(g.xreplace(to_generic) - lam)
    sol = solve_linear(equations, list(gen_w))
    weights = tuple(tidy(sol[w]) for w in gen_w)
    return GenericGroupForm(family, n_agents, weights, tuple(tidy(x) for x in lambdas), generic, sums)


def instantiate(form: GenericGroupForm, game) -> sp.ImmutableMatrix:
    """The N x D matrix the generic form gives for an explicit ``game`` (same family and N)."""
    if game.n_agents != form.n_agents or game.family != form.family:
        raise DerivationError("instantiate needs a game of the form's family and number of agents")
    D = game.n_groups
    rows = []
    for i in range(game.n_agents):
        row = []
        for d in range(D):
            values = {D_SYMBOL: sp.Integer(D)}
            for name, syms in form.generic.items():
                M = game.params[name]
                values.update({syms[j]: M[j, d] for j in range(game.n_agents)})
            for name, syms in form.sums.items():
                M = game.params[name]
                values.update({syms[j]: sum(M.row(j)) for j in range(game.n_agents)})
            for s in game.family.parameters():
                if s.kind == "agent":
                    base = sp.Symbol(s.name, **s.assumptions)
                    values[base] = game.params[s.name][i] if len(set(game.params[s.name])) == 1 else base
            row.append(form.weights[i].xreplace(values))
        rows.append(row)
    return sp.ImmutableMatrix(rows)

"""Comparative statics: how an equilibrium moves with a parameter, by the implicit function theorem.

On a fixed support the KKT system of a game with affine gradients is linear
in the unknowns ``x`` (weights on the support and multipliers):
``A(theta) x = b(theta)``.  Where ``A`` is nonsingular the implicit function
theorem gives

    dx/dtheta = A^{-1} (db/dtheta - dA/dtheta x),

exact and symbolic wherever the closed form is.  The result holds while the
support does not change: :func:`comparative_statics` returns the validity
conditions of the support and, when ``theta`` is the only symbol left at the
given point, the interval of ``theta`` on which the support stays optimal,
its end points (where the support changes) and the sign of each derivative
as exact sets of ``theta``.

Examples
--------
>>> import sympy as sp
>>> from symalign import Game, get_family
>>> g0 = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
...                  alpha=1, beta=1, gamma="1/2", a=[[0.2, 0], [0, 0]], p=[0.5, 0.5])
>>> g, gamma, value = with_symbol(g0, "gamma")
>>> st = comparative_statics(g, gamma, at={gamma: value})
>>> st.support
((0, 1), (0, 1))
>>> st.derivative[0, 0]
gamma/(5*(gamma - 1)**2*(gamma + 1)**2)
>>> st.value[0, 0], st.interval, st.breakpoints
(8/45, Interval.Ropen(0, 2*sqrt(5)/5), (2*sqrt(5)/5,))
>>> st.signs[(0, 0)]  # agent 1 leans further to x as diversity weighs more, until its support changes
(Interval.open(0, 2*sqrt(5)/5), EmptySet)
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import sympy as sp

from symalign.core.uservalues import user_value
from symalign.core.derive import derive_on_support, normalise_support, tidy
from symalign.core.game import Game
from symalign.core.kkt import kkt_system
from symalign.core.linear import solve_columns
from symalign.errors import InputError

__all__ = ["Statics", "comparative_statics", "with_symbol"]


@dataclass(frozen=True, eq=False)
class Statics:
    """Derivatives of an equilibrium with respect to one parameter, on one support.

    Attributes
    ----------
    theta : Symbol
    equilibrium : Equilibrium
        The closed form on ``support`` (symbolic in ``theta``).
    derivative : ImmutableMatrix
        N x D matrix of ``dw*_{i,d}/dtheta`` (implicit function theorem).
    multiplier_derivative : tuple
        ``d lambda_i / dtheta``.
    at : Mapping
        The point the support was taken at (and where ``value`` is evaluated).
    value : ImmutableMatrix or None
        ``derivative`` at ``at`` (None when symbols remain).
    interval : Set or None
        Values of ``theta`` (others at ``at``) where the support stays valid.
    breakpoints : tuple
        Ends of ``interval`` where the support changes.
    signs : Mapping
        ``(i, d) -> (set where the derivative is > 0, set where it is < 0)``
        within ``interval`` (empty when symbols other than theta remain).
    """

    theta: sp.Symbol
    equilibrium: object
    derivative: sp.ImmutableMatrix
    multiplier_derivative: tuple
    at: Mapping
    value: sp.ImmutableMatrix | None
    interval: object
    breakpoints: tuple
    signs: Mapping

    @property
    def support(self) -> tuple:
        return self.equilibrium.support

    @property
    def conditions(self) -> tuple:
        """Validity conditions of the support (the region where these derivatives apply)."""
        return self.equilibrium.conditions

    def to_dict(self) -> dict:
        g = self.equilibrium.game
        return {
            "theta": str(self.theta), "support": [[g.groups[d] for d in s] for s in self.support],
            "derivative": [[str(x) for x in self.derivative.row(i)] for i in range(g.n_agents)],
            "at": {str(k): str(v) for k, v in self.at.items()},
            "value": None if self.value is None else [[str(x) for x in self.value.row(i)] for i in range(g.n_agents)],
            "interval": None if self.interval is None else str(self.interval),
            "breakpoints": [str(b) for b in self.breakpoints],
            "signs": {f"{i},{g.groups[d]}": {"positive": str(p), "negative": str(n)} for (i, d), (p, n) in self.signs.items()},
        }


def with_symbol(game, name: str) -> tuple:
    """``(game', theta, value)``: the parameter ``name`` made a symbol (its value kept in ``value``).

    ``name`` is a scalar or per-agent parameter shared by all agents, or a
    symbol already in the game (then ``value`` is None).
    """
    for s in game.free_symbols():
        if s.name == name:
            return game, s, None
    specs = {s.name: s for s in game.family.parameters()}
    spec = specs.get(name)
    if spec is None:
        raise InputError("wrt", name, f"not a parameter or symbol of the game (parameters: {sorted(specs)})")
    value = game.params[name]
    if spec.kind == "agent":
        if len(set(value)) != 1:
            raise InputError("wrt", name, "differs across agents; write it as a symbol in the game file instead")
        value = value[0]
    elif spec.kind != "scalar":
        raise InputError("wrt", name, f"is a {spec.kind} parameter; write the entry as a symbol in the game file")
    theta = sp.Symbol(name, **spec.assumptions)
    values = dict(game.params)
    values[name] = theta if spec.kind == "scalar" else (theta,) * game.n_agents
    return Game.create(game.family, game.n_agents, list(game.groups), **values), theta, value


def comparative_statics(game, theta, *, support=None, at: Mapping | None = None) -> Statics:
    """``dw*/dtheta`` on a support (default: the support of the equilibrium at ``at``).

    Parameters
    ----------
    game : Game
        Affine gradients; ``theta`` among its free symbols.
    theta : Symbol
    support : optional
        Support profile; default the equilibrium's support at ``at``.
    at : mapping, optional
        Values of the game's free symbols (all of them, to choose the support
        and to get intervals and signs in ``theta``).
    """
    if theta not in game.free_symbols():
        raise InputError("theta", theta, f"not a free symbol of the game ({sorted(map(str, game.free_symbols()))})")
    at = {k: user_value(v, f"at.{k}") for k, v in (at or {}).items()}
    kkt = kkt_system(game)
    if not kkt.is_affine():
        raise InputError("game", game, "comparative statics by the implicit function theorem needs affine gradients")
    if support is None:
        if set(at) < game.free_symbols() or not at:
            raise InputError("at", dict(at), "give a value for every free symbol to choose the support")
        from symalign.numeric.solve import find_equilibrium

        support = find_equilibrium(game.subs(at)).support
    support = normalise_support(game, support)
    eq = derive_on_support(game, support, kkt=kkt)
    W = game.weights
    unknowns = [W[i, d] for i, s in enumerate(support) for d in s] + list(kkt.lambdas)
    A, b = sp.linear_eq_to_matrix(list(kkt.support_equations(support)), unknowns)
    x = sp.Matrix([eq.weights[i, d] for i, s in enumerate(support) for d in s] + list(eq.multipliers))
    rhs = b.diff(theta) - A.diff(theta) * x
    dx = solve_columns(A, rhs)
    k = 0
    deriv = sp.zeros(W.rows, W.cols)
    for i, s in enumerate(support):
        for d in s:
            deriv[i, d] = tidy(dx[k])
            k += 1
    dlam = tuple(tidy(dx[k + j]) for j in range(len(kkt.lambdas)))
    deriv = sp.ImmutableMatrix(deriv)
    others = {s: v for s, v in at.items() if s != theta}
    value = deriv.xreplace(at) if at and not deriv.xreplace(at).free_symbols else None
    interval, breaks, signs = None, (), {}
    reduced = [c.xreplace(others) for c in eq.conditions]
    if all(c.free_symbols <= {theta} for c in reduced if c not in (sp.true, sp.false)):
        interval = _domain(theta)
        for c in reduced:
            if c is sp.true:
                continue
            interval = interval & (sp.S.EmptySet if c is sp.false else sp.solveset(c, theta, sp.S.Reals))
        if theta in at and isinstance(interval, sp.Union):
            here = [piece for piece in interval.args if piece.contains(at[theta]) is sp.true]
            interval = here[0] if here else interval
        domain_ends = set(_domain(theta).boundary)
        ends = interval.boundary if isinstance(interval, (sp.Interval, sp.Union)) else sp.S.EmptySet
        breaks = tuple(sorted((p for p in ends if p.is_finite and p not in domain_ends), key=float))
        for i in range(W.rows):
            for d in range(W.cols):
                e = deriv[i, d].xreplace(others)
                if e.free_symbols - {theta}:
                    continue
                signs[(i, d)] = (sp.solveset(e > 0, theta, sp.S.Reals) & interval,
                                 sp.solveset(e < 0, theta, sp.S.Reals) & interval)
    return Statics(theta, eq, deriv, dlam, MappingProxyType(at), value, interval, breaks, MappingProxyType(signs))


def _domain(theta):
    if theta.is_positive:
        return sp.Interval.open(0, sp.oo)
    if theta.is_nonnegative:
        return sp.Interval(0, sp.oo)
    return sp.S.Reals

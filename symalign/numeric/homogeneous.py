"""Homogeneous games with many agents, solved by the symbolic-N route instead of an explicit N-agent system.

When every agent has the same parameters and the family is a mean-field
game (its utility depends on the others only through their mean ``m_i``,
which :func:`symalign.core.meanfield.derive_mean_field` checks), the
interior equilibrium for a symbolic number of agents N is derived once and
evaluated at the given N: every agent plays the same mixture ``w*``.  The
cost does not grow with N.

The answer is checked independently: in the two-agent game with the same
parameters, agent 1's utility is ``F(w_1, m_1)`` with ``m_1 = w_2``, so
``w*`` is a best response to "everyone else plays ``w*``" exactly when the
profile ``(w*, w*)`` passes the numeric checks of :mod:`symalign.numeric.check`
(KKT residual and best unilateral deviation, which share no code with the
derivation).

Examples
--------
>>> from symalign import Game, get_family
>>> rep = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y", "z"],
...                   alpha=1, beta=2, gamma=1, a=[0.5, 0.3, 0.2], p=[0.4, 0.4, 0.2])
>>> sol = solve_homogeneous(rep, 100_000)
>>> sol.weights, sol.checked
((13/30, 11/30, 1/5), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from symalign.core import validate
from symalign.core.meanfield import derive_mean_field
from symalign.errors import DerivationError, InputError
from symalign.numeric.check import kkt_residual, max_deviation_gain
from symalign.numeric.compile import numeric_game

__all__ = ["HomogeneousSolution", "solve_homogeneous", "is_homogeneous"]

TOL = 1e-9


@dataclass(frozen=True)
class HomogeneousSolution:
    """The symmetric interior equilibrium of a homogeneous N-agent game.

    ``weights`` is every agent's mixture (exact), ``residual`` and
    ``deviation_gain`` the independent checks on the two-agent game,
    ``checked`` whether both are below ``1e-9``.
    """

    family: str
    n_agents: int
    groups: tuple
    weights: tuple
    residual: float
    deviation_gain: float
    checked: bool
    method: str = "mean-field closed form (symbolic N)"

    def to_dict(self) -> dict:
        return {
            "family": self.family, "n_agents": self.n_agents, "groups": list(self.groups),
            "route": self.method, "symmetric": True,
            "weights": [float(w) for w in self.weights], "weights_exact": [str(w) for w in self.weights],
            "exact": self.checked, "kkt_residual": self.residual, "deviation_gain": self.deviation_gain,
            "checked": self.checked, "unique": None,
        }


def is_homogeneous(game) -> bool:
    """True when every agent of ``game`` has the same parameter values."""
    for spec in game.family.parameters():
        value = game.param(spec.name)
        if spec.kind == "pair":
            return False
        if isinstance(value, tuple) and len(set(value)) > 1:
            return False
        if isinstance(value, sp.MatrixBase) and any(value.row(i) != value.row(0) for i in range(value.rows)):
            return False
    return True


def solve_homogeneous(representative, n_agents: int) -> HomogeneousSolution:
    """Solve the N-agent game whose agents all have ``representative``'s (agent 0's) parameters.

    Raises
    ------
    DerivationError
        If the family is not a mean-field family, or the equilibrium is not
        interior (the route then does not apply).
    """
    validate.game(representative, numeric=True)
    n_agents = validate.positive_int(n_agents, "n_agents")
    if n_agents < 2:
        raise InputError("n_agents", n_agents, "the symbolic-N route needs at least 2 agents")
    if not is_homogeneous(representative):
        raise InputError("game", representative, "agents differ: the symbolic-N route needs identical agents")
    cf = derive_mean_field(representative.family, representative.n_groups)
    values = {cf.n: sp.Integer(n_agents)}
    for name, sym in cf.scalars.items():
        values[sym] = representative.param(name, 0)
    for name, syms in cf.own.items():
        row = representative.param(name).row(0)
        values.update(dict(zip(syms, row)))
        values.update(dict(zip(cf.bar[name], row)))
    w = tuple(sp.cancel(x.xreplace(values)) for x in cf.agent)
    if not all(x.is_Rational for x in w):
        raise DerivationError("the closed form did not evaluate to exact numbers")
    if not all(x > 0 for x in w):
        raise DerivationError(f"the symmetric equilibrium is not interior (closed form {[str(x) for x in w]}): "
                              "the symbolic-N route does not apply")
    pair = representative if representative.n_agents == 2 else _two_agent(representative)
    ng = numeric_game(pair)
    W = np.array([[float(x) for x in w]] * 2)
    residual = float(kkt_residual(ng.grad, W))
    gain = float(max_deviation_gain(ng.utility, ng.grad, W))
    return HomogeneousSolution(representative.family.label, n_agents, tuple(representative.groups), w,
                               residual, gain, residual < TOL and gain < TOL)


def _two_agent(game):
    from symalign.core.game import Game

    values = {}
    for spec in game.family.parameters():
        v = game.param(spec.name)
        values[spec.name] = v[0] if isinstance(v, tuple) else list(v.row(0)) if isinstance(v, sp.MatrixBase) else v
    return Game.create(game.family, 2, game.groups, **values)

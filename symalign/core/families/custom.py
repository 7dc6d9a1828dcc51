"""Custom utilities written as expressions (e.g. in a game file).

The expression is parsed by :mod:`symalign.core.expr` (a whitelist over
Python's ``ast``; nothing in the text is executed).  In agent i's utility
these names are defined::

    ``w[d]``         agent i's own weights
    ``m[d]``         mean of the other agents' weights
    ``W[j][d]``      every agent's weights (also ``W[j, d]``)
    ``i``, ``N``, ``D``  own index (0-based), number of agents, number of groups
    parameters       by their declared names: an ``agent`` parameter is agent
                     i's scalar, a ``vector`` parameter agent i's row (``a[d]``),
                     a ``scalar`` parameter the shared value.

plus ``sum(body, d)`` over groups, ``sum_others(body, j)`` over the other
agents, ``sum_agents(body, j)``, and ``log, exp, sqrt, abs, min, max``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.errors import InputError
from symalign.core.expr import Scope, parse_condition, parse_expression
from symalign.core.families.active_alignment import others_mean
from symalign.core.families.base import UtilityFamily, register_family

__all__ = ["CustomFamily"]


@dataclass(frozen=True)
class CustomFamily(UtilityFamily):
    """A utility given as an expression over own weights, others' weights and parameters.

    Parameters
    ----------
    expression : str
        The utility of agent ``i``.
    specs : tuple of ParamSpec
        The declared parameters.
    hypothesis_texts : tuple of str
        Conditions (in the same language) under which the utility is
        concave in own weights, e.g. ``("beta > 0",)``.
    strictly_concave : bool
        Whether the utility is strictly concave under the hypotheses.

    Examples
    --------
    >>> from symalign import Game
    >>> from symalign.core.params import ParamSpec
    >>> fam = CustomFamily("sum(w[d]*a[d], d) - sum(w[d]**2, d)/2", (ParamSpec("a", "vector"),))
    >>> g = Game.create(fam, 2, 2, a=[1, 0])
    >>> g.utility(0)
    -w_{1,1}**2/2 + w_{1,1} - w_{1,2}**2/2
    """

    expression: str
    specs: tuple = ()
    hypothesis_texts: tuple = ()
    strictly_concave: bool = True
    name = "custom"
    variant = ""

    def __post_init__(self):
        if not isinstance(self.expression, str) or not self.expression.strip():
            raise InputError("utility", self.expression, "the custom family needs a utility expression")
        reserved = {"w", "m", "W", "i", "N", "D"}
        for s in self.specs:
            if s.name in reserved:
                raise InputError("parameters", s.name, f"name is reserved in custom utilities ({sorted(reserved)})")

    def parameters(self) -> tuple:
        return tuple(self.specs)

    def scope(self, game, i: int, W) -> Scope:
        """The names visible in agent ``i``'s utility."""
        names = {
            "w": list(W.row(i)),
            "W": [list(W.row(j)) for j in range(W.rows)],
            "i": sp.Integer(i),
            "N": sp.Integer(game.n_agents),
            "D": sp.Integer(game.n_groups),
        }
        if game.n_agents > 1:
            names["m"] = list(others_mean(W, i))
        for spec in self.specs:
            value = game.param(spec.name, i)
            if spec.kind == "vector":
                value = list(value)
            elif spec.kind == "pair":
                value = [blk.tolist() for blk in value]
            names[spec.name] = value
        return Scope(names=names, n_groups=game.n_groups, n_agents=game.n_agents, own_index=i)

    def utility(self, game, i, W):
        return parse_expression(self.expression, self.scope(game, i, W))

    def hypotheses(self, game) -> tuple:
        out = []
        for i in range(game.n_agents):
            for text in self.hypothesis_texts:
                out.append(parse_condition(text, self.scope(game, i, game.weights)))
        return tuple(dict.fromkeys(out))


register_family("custom", CustomFamily)

"""Inputs of the analyses: groups by name or index, parameters set for all agents.

:func:`group_index` reads a group given by name or 0-based index;
:func:`with_parameter` replaces one parameter of a game;
:func:`free_parameters` turns agent (or scalar) parameters of a numeric
game into one shared symbol each, so that an analysis (exclusion
thresholds, levers, sweeps) is written in them and evaluated at the game.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symalign.core.game import Game
from symalign.errors import InputError

__all__ = ["group_index", "parameter_spec", "with_parameter", "free_parameters"]


def group_index(game, group) -> int:
    """0-based index of ``group`` (a group name or an index).

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment"), 2, ["left", "right"])
    >>> group_index(g, "right"), group_index(g, 0)
    (1, 0)
    >>> group_index(g, "centre")
    Traceback (most recent call last):
    ...
    symalign.errors.InputError: group='centre': unknown group; groups are ['left', 'right']
    """
    if isinstance(group, str):
        if group not in game.groups:
            raise InputError("group", group, f"unknown group; groups are {list(game.groups)}")
        return game.groups.index(group)
    if isinstance(group, (int, np.integer)) and not isinstance(group, bool):
        if not 0 <= int(group) < game.n_groups:
            raise InputError("group", group, f"group index must be in 0..{game.n_groups - 1} (groups {list(game.groups)})")
        return int(group)
    raise InputError("group", group, "expected a group name or a 0-based group index")


def parameter_spec(game, name):
    """The family's :class:`~symalign.core.params.ParamSpec` named ``name`` (else an ``InputError``)."""
    specs = {s.name: s for s in game.family.parameters()}
    if name not in specs:
        raise InputError("parameter", name, f"not a parameter of family {game.family.label!r} (its parameters: {sorted(specs)})")
    return specs[name]


def with_parameter(game, name: str, value) -> Game:
    """``game`` with parameter ``name`` replaced by ``value`` (validated by :meth:`Game.create`)."""
    parameter_spec(game, name)
    params = dict(game.params)
    params[name] = value
    return Game.create(game.family, game.n_agents, game.groups, **params)


def free_parameters(game, names, *, shift: bool = True) -> tuple:
    """Replace agent (or scalar) parameters by one shared symbol each.

    A parameter with the same value for every agent becomes a symbol of its
    own name (``gamma``), standing for its value *set for all agents*; a
    parameter that differs between agents becomes ``P_i + Delta_P`` with a
    real shift symbol ``Delta_P`` (value 0 at the game), unless ``shift``
    is False: then it is set for all agents too (and has no value at the
    game, so it is missing from the returned point).

    Returns
    -------
    (Game, dict)
        The parametrised game and the point (symbol -> value) at which it
        equals ``game``.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=2,
    ...                 gamma=[0, "1/2"], a=[1, 0], p=[0.5, 0.5])
    >>> pg, point = free_parameters(g, ["beta", "gamma"])
    >>> pg.param("beta"), pg.param("gamma"), point
    ((beta, beta), (Delta_gamma, Delta_gamma + 1/2), {beta: 2, Delta_gamma: 0})
    """
    params = dict(game.params)
    point = {}
    for name in names:
        spec = parameter_spec(game, name)
        if spec.kind not in ("agent", "scalar"):
            raise InputError("parameter", name, f"is a {spec.kind} parameter; only agent or scalar parameters can be set for all agents")
        value = params[name]
        vals = value if isinstance(value, tuple) else (value,)
        if not all(v.is_number for v in vals):
            raise InputError("parameter", name, "is already symbolic in this game")
        if len(set(vals)) == 1 or not shift:
            sym = sp.Symbol(name, **spec.assumptions)
            if len(set(vals)) == 1:
                point[sym] = vals[0]
            params[name] = (sym,) * len(vals) if isinstance(value, tuple) else sym
        else:
            sym = sp.Symbol(f"Delta_{name}", real=True)
            point[sym] = sp.Integer(0)
            params[name] = tuple(v + sym for v in vals)
    pgame = Game.create(game.family, game.n_agents, game.groups, **params)
    return pgame, point

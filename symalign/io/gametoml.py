"""Write a game back to a TOML game file, exactly (the inverse of :mod:`symalign.io.gamefile`).

Numbers are written so that reading them back gives the same exact value:
integers as integers, terminating decimals as TOML decimals (read back with
``Decimal``, so exactly), other rationals as strings ``"p/q"``, symbols
by name.  Per-agent values that are equal are written once; a vector shared
by all agents is written as one row; a two-agent polymatrix game is written
as a bimatrix ``{A = ..., B = ...}``.

Examples
--------
>>> from symalign import Game, get_family
>>> g = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta="4/3", gamma=0.25,
...                 a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> print(game_toml(g, title="demo"))
title = "demo"
agents = 2
groups = ["x", "y"]
family = "active_alignment"
variant = "overlap"
<BLANKLINE>
[parameters]
alpha = 1
beta = "4/3"
gamma = 0.25
a = [[1, 0], [0, 1]]
p = [0.5, 0.5]
<BLANKLINE>
>>> from symalign.io.gamefile import game_from_mapping
>>> import tomllib, decimal
>>> back = game_from_mapping(tomllib.loads(game_toml(g), parse_float=decimal.Decimal))
>>> back.params == g.params
True
"""

from __future__ import annotations

import json

import sympy as sp

from symalign.core.printing import decimal_places, decimal_text
from symalign.errors import InputError

__all__ = ["game_toml", "toml_value"]


def toml_value(x) -> str:
    """One exact value as TOML text.

    Examples
    --------
    >>> [toml_value(sp.Rational(v)) for v in ("3", "1/4", "1/3", "-7/20")]
    ['3', '0.25', '"1/3"', '-0.35']
    """
    x = sp.sympify(x, strict=True)
    if x.is_Integer:
        return str(int(x))
    if x.is_Rational:
        places = decimal_places(x)
        if places is not None:  # terminating decimal: exact as written
            return decimal_text(x, places)
        return json.dumps(str(x))
    if isinstance(x, sp.Symbol):
        return json.dumps(x.name)
    raise InputError("value", x, "only numbers and plain symbols can be written to a game file")


def _row(values) -> str:
    return "[" + ", ".join(toml_value(v) for v in values) + "]"


def _matrix(m) -> str:
    return "[" + ", ".join(_row(m.row(i)) for i in range(m.rows)) + "]"


def _param(spec, value, game) -> str:
    if spec.kind == "scalar":
        return toml_value(value)
    if spec.kind == "agent":
        return toml_value(value[0]) if len(set(value)) == 1 else _row(value)
    if spec.kind == "vector":
        rows = {tuple(value.row(i)) for i in range(value.rows)}
        return _row(value.row(0)) if len(rows) == 1 else _matrix(value)
    if game.n_agents == 2:
        from symalign.io.nfg import bimatrix_payoffs

        A, B = bimatrix_payoffs(game)  # an m x n game is written m x n
        return ("{A = [" + ", ".join(_row(r) for r in A) + "], B = [" + ", ".join(_row(r) for r in B) + "]}")
    return "[" + ", ".join("[" + ", ".join(_matrix(b) for b in row) + "]" for row in value) + "]"


def game_toml(game, *, title: str = "") -> str:
    """The TOML game file of ``game`` (built-in families and the custom family)."""
    family = game.family
    lines = []
    if title:
        lines.append(f"title = {json.dumps(title)}")
    for note in getattr(game, "notes", ()):
        lines.append("# note: " + note.replace("\n", " "))
    lines += [f"agents = {game.n_agents}", "groups = [" + ", ".join(json.dumps(g) for g in game.groups) + "]",
              f"family = {json.dumps(family.name)}"]
    if family.name == "custom":
        lines.append(f"utility = {json.dumps(family.expression)}")
        if family.hypothesis_texts:
            lines.append("hypotheses = [" + ", ".join(json.dumps(h) for h in family.hypothesis_texts) + "]")
        lines.append(f"strictly_concave = {'true' if family.strictly_concave else 'false'}")
    elif family.variant:
        lines.append(f"variant = {json.dumps(family.variant)}")
    lines += ["", "[parameters]"]
    specs = family.parameters()
    lines += [f"{s.name} = {_param(s, game.params[s.name], game)}" for s in specs]
    if family.name == "custom":
        lines += ["", "[kinds]"] + [f"{s.name} = {json.dumps(s.kind)}" for s in specs]
        lines += ["", "[signs]"] + [f"{s.name} = {json.dumps(s.sign)}" for s in specs]
    return "\n".join(lines) + "\n"

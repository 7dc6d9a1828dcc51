"""Write a game back to a TOML game file, exactly (the inverse of :mod:`symalign.io.gamefile`).

Numbers are written so that reading them back gives the same exact value:
integers as integers, terminating decimals as TOML decimals (read back with
``Decimal``, so exactly), other rationals as strings ``"p/q"``, symbols
by name.  Per-agent values that are equal are written once; a vector shared
by all agents is written as one row; a two-agent polymatrix game is written
as a bimatrix ``{A = ..., B = ...}``.

Every file is written by tomli-w, so every string (quotes, backslashes,
emoji, non-ASCII keys) reads back exactly.

Examples
--------
>>> from symalign import Game, get_family
>>> g = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta="4/3", gamma=0.25,
...                 a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> text = game_toml(g, title="demo")
>>> text.splitlines()[:2], 'beta = "4/3"' in text, "gamma = 0.25" in text
(['title = "demo"', 'agents = 2'], True, True)
>>> from symalign.io.gamefile import game_from_mapping
>>> import tomllib, decimal
>>> back = game_from_mapping(tomllib.loads(game_toml(g), parse_float=decimal.Decimal))
>>> back.params == g.params
True
"""

from __future__ import annotations

import re
from decimal import Decimal

import sympy as sp
import tomli_w

from symalign.core.printing import decimal_places, decimal_text
from symalign.errors import InputError

__all__ = ["game_toml", "toml_value"]


def _value(x):
    """One exact value as the Python object tomli-w writes: int, Decimal (terminating), or a string."""
    x = sp.sympify(x, strict=True)
    if x.is_Integer:
        return int(x)
    if x.is_Rational:
        places = decimal_places(x)
        if places is not None:  # terminating decimal: exact as written, read back with Decimal
            return Decimal(decimal_text(x, places))
        return str(x)
    if isinstance(x, sp.Symbol):
        return x.name
    raise InputError("value", x, "only numbers and plain symbols can be written to a game file")


def toml_value(x) -> str:
    """One exact value as TOML text.

    Examples
    --------
    >>> [toml_value(sp.Rational(v)) for v in ("3", "1/4", "1/3", "-7/20")]
    ['3', '0.25', '"1/3"', '-0.35']
    """
    return tomli_w.dumps({"x": _value(x)})[len("x = "):].rstrip("\n")


def _row(values) -> list:
    return [_value(v) for v in values]


def _matrix(m) -> list:
    return [_row(m.row(i)) for i in range(m.rows)]


def _param(spec, value, game):
    if spec.kind == "scalar":
        return _value(value)
    if spec.kind == "agent":
        return _value(value[0]) if len(set(value)) == 1 else _row(value)
    if spec.kind == "vector":
        rows = {tuple(value.row(i)) for i in range(value.rows)}
        return _row(value.row(0)) if len(rows) == 1 else _matrix(value)
    if game.n_agents == 2:
        from symalign.io.nfg import bimatrix_payoffs

        A, B = bimatrix_payoffs(game)  # an m x n game is written m x n
        return {"A": [_row(r) for r in A], "B": [_row(r) for r in B]}
    return [[_matrix(b) for b in row] for row in value]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def game_toml(game, *, title: str = "", description: str = "", players=None, strategies=None) -> str:
    """The TOML game file of ``game`` (built-in families and the custom family), written with tomli-w.

    ``description``, ``players`` (names) and ``strategies`` (labels per
    player) are the optional labels of a game read from a Gambit ``.nfg``
    file.  Every string is written by tomli-w, so any text (quotes,
    backslashes, emoji, non-ASCII) reads back as it was.
    """
    family = game.family
    doc = {}
    if title:
        doc["title"] = str(title)
    if description:
        doc["description"] = str(description)
    if players is not None:
        doc["players"] = [str(p) for p in players]
    if strategies is not None:
        doc["strategies"] = [[str(s) for s in labels] for labels in strategies]
    doc.update(agents=game.n_agents, groups=[str(g) for g in game.groups], family=family.name)
    if family.name == "custom":
        doc["utility"] = family.expression
        if family.hypothesis_texts:
            doc["hypotheses"] = list(family.hypothesis_texts)
        doc["strictly_concave"] = bool(family.strictly_concave)
    elif family.variant:
        doc["variant"] = family.variant
    specs = family.parameters()
    doc["parameters"] = {s.name: _param(s, game.params[s.name], game) for s in specs}
    if family.name == "custom":
        doc["kinds"] = {s.name: s.kind for s in specs}
        doc["signs"] = {s.name: s.sign for s in specs}
    notes = "".join("# note: " + _CONTROL.sub(" ", note) + "\n" for note in getattr(game, "notes", ()))
    return notes + tomli_w.dumps(doc)

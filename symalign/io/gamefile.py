"""Game files (TOML): parsed safely into a :class:`~symalign.core.game.Game`.

Schema::

    title = "optional"
    agents = 4
    groups = ["left", "centre", "right"]
    family = "active_alignment"          # or "polymatrix", "custom"
    variant = "overlap"                  # active_alignment only
    utility = "..."                      # custom only (see symalign.core.families.custom)
    hypotheses = ["beta > 0"]            # custom only, optional
    strictly_concave = true              # custom only, optional
    [parameters]
    alpha = 1.0                          # one value, or one per agent
    a = [[...], ...]                     # N x D (or D values shared by all agents)
    p = [0.5, 0.3, 0.2]
    gamma = "gamma"                      # a string is an expression: names become symbols
    [kinds]                              # custom only: scalar | agent | vector | pair
    [signs]                              # custom only: real | positive | nonnegative | simplex

Decimal numbers are kept exactly as written (0.1 is 1/10; the TOML text is
parsed with ``parse_float=Decimal``, so no digit is lost to a binary float).  Strings are parsed by the
whitelist parser of :mod:`symalign.core.expr`; nothing in a file is executed.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import sympy as sp

from symalign.errors import ExpressionError, GameFileError, InputError
from symalign.core.expr import Scope, parse_expression, referenced_names
from symalign.core.families import get_family
from symalign.core.families.custom import CustomFamily
from symalign.core.game import Game
from symalign.core.params import ParamSpec

__all__ = ["load_game", "game_from_mapping", "read_toml"]

_TOP = {"title", "description", "agents", "groups", "family", "variant", "utility", "hypotheses",
        "strictly_concave", "parameters", "kinds", "signs", "notes", "illustrative"}


def read_toml(path) -> dict:
    """Read a TOML file, turning every failure into a one-line :class:`GameFileError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GameFileError(path, "", None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GameFileError(path, "", None, f"cannot read: {exc}") from None
    try:
        # decimals are parsed from the text (Decimal), never through a binary float: 0.1 stays 1/10, and a
        # 20-digit value keeps its 20 digits
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise GameFileError(path, "", None, f"malformed TOML: {exc}") from None


def load_game(path) -> Game:
    """Load a game file.

    Examples
    --------
    >>> import tempfile, os
    >>> text = 'agents = 2\\ngroups = ["x", "y"]\\nfamily = "polymatrix"\\n[parameters]\\nA = {A = [[1, 0], [0, 1]], B = [[1, 0], [0, 1]]}\\n'
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = os.path.join(d, "g.toml")
    ...     _ = open(f, "w").write(text)
    ...     load_game(f)
    Game(polymatrix, N=2, groups=['x', 'y'], numeric)
    """
    return game_from_mapping(read_toml(path), source=path)


def game_from_mapping(data: dict, source=None) -> Game:
    """Build a game from the parsed contents of a game file."""
    def fail(field, value, reason):
        raise GameFileError(source, field, value, reason)

    unknown = sorted(set(data) - _TOP)
    if unknown:
        fail(unknown[0], data[unknown[0]], f"unknown field (known: {sorted(_TOP)})")
    for key in ("agents", "groups", "family"):
        if key not in data:
            fail(key, None, "required field is missing")
    agents, groups = data["agents"], data["groups"]
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        fail("agents", agents, "must be a positive integer")
    if not isinstance(groups, list) or len(groups) < 2 or not all(isinstance(g, str) and g for g in groups):
        fail("groups", groups, "must be a list of at least 2 non-empty group names")
    if len(set(groups)) != len(groups):
        fail("groups", groups, "group names must be distinct")
    params = data.get("parameters", {})
    if not isinstance(params, dict):
        fail("parameters", params, "must be a table")
    try:
        family = _family(data, params, agents, len(groups), fail)
        specs = {s.name: s for s in family.parameters()}
        values = {}
        for name, raw in params.items():
            spec = specs.get(name)
            if spec is None:
                fail(f"parameters.{name}", raw, f"not a parameter of family {family.label!r} (its parameters: {sorted(specs)})")
            values[name] = _value(raw, spec, specs, f"parameters.{name}", fail)
        game = Game.create(family, agents, groups, **values)
        if isinstance(family, CustomFamily):
            try:
                game.utilities()
            except ExpressionError as exc:
                fail("utility", None, str(exc))
        return game
    except GameFileError:
        raise
    except (InputError, ExpressionError) as exc:
        field = getattr(exc, "argument", "parameters")
        field = field if field in ("family", "variant", "utility", "hypotheses") else f"parameters.{field}"
        raise GameFileError(source, field, None, str(exc)) from None


def _family(data, params, agents, n_groups, fail):
    name = data["family"]
    if not isinstance(name, str):
        fail("family", name, "must be a string")
    if name != "custom":
        for key in ("utility", "hypotheses", "kinds", "signs", "strictly_concave"):
            if key in data:
                fail(key, data[key], "only allowed with family = \"custom\"")
        return get_family(name, data.get("variant"))
    if "variant" in data:
        fail("variant", data["variant"], "the custom family has no variants")
    utility = data.get("utility")
    if not isinstance(utility, str) or not utility.strip():
        fail("utility", utility, "the custom family needs a utility expression (a string)")
    hyps = data.get("hypotheses", [])
    if not isinstance(hyps, list) or not all(isinstance(h, str) for h in hyps):
        fail("hypotheses", hyps, "must be a list of condition strings")
    strict = data.get("strictly_concave", True)
    if not isinstance(strict, bool):
        fail("strictly_concave", strict, "must be true or false")
    kinds, signs = data.get("kinds", {}), data.get("signs", {})
    specs = []
    for pname, raw in params.items():
        kind = kinds.get(pname) or _infer_kind(raw, agents, n_groups, f"parameters.{pname}", fail)
        specs.append(ParamSpec(pname, kind, signs.get(pname, "real"), pname))
    for key, table in (("kinds", kinds), ("signs", signs)):
        extra = sorted(set(table) - set(params))
        if extra:
            fail(f"{key}.{extra[0]}", table[extra[0]], "names no parameter")
    return CustomFamily(utility, tuple(specs), tuple(hyps), strict)


def _infer_kind(raw, agents, n_groups, field, fail):
    depth = _depth(raw)
    if depth == 0:
        return "agent"
    if depth == 2:
        return "vector"
    if depth == 4:
        return "pair"
    if depth == 1:
        n = len(raw)
        if n == agents and n != n_groups:
            return "agent"
        if n == n_groups and n != agents:
            return "vector"
        if n == agents == n_groups:
            fail(field, raw, f"ambiguous: {n} values could be one per agent or one per group; say which in [kinds]")
    fail(field, raw, "cannot infer the parameter's shape; declare it in [kinds]")


def _depth(x):
    return 1 + _depth(x[0]) if isinstance(x, list) and x else (1 if isinstance(x, list) else 0)


def _value(raw, spec, specs, field, fail):
    if isinstance(raw, list):
        return [_value(x, spec, specs, f"{field}[{k}]", fail) for k, x in enumerate(raw)]
    if isinstance(raw, dict):
        return {k: _value(v, spec, specs, f"{field}.{k}", fail) for k, v in raw.items()}
    if isinstance(raw, str):
        try:
            names = referenced_names(raw)
            scope = {n: sp.Symbol(n, **(specs[n] if n in specs else spec).assumptions) for n in names}
            return parse_expression(raw, Scope(scope))
        except ExpressionError as exc:
            fail(field, raw, str(exc))
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
        fail(field, raw, f"expected a number or an expression string, got {type(raw).__name__}")
    return raw

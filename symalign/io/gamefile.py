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

import os
import stat
import tomllib
from decimal import Decimal
from pathlib import Path

import sympy as sp

from symalign.core import limits
from symalign.errors import ArgumentTypeError, ExpressionError, GameFileError, InputError
from symalign.core.expr import Scope, parse_expression, referenced_names
from symalign.core.families import get_family
from symalign.core.families.custom import CustomFamily
from symalign.core.game import Game
from symalign.core.params import ParamSpec
from symalign.io.schema import validate

__all__ = ["load_game", "game_from_mapping", "read_toml", "read_bytes", "require_numeric", "custom_family", "CUSTOM_FIELDS"]

_TOP = {"title", "description", "agents", "groups", "family", "variant", "utility", "hypotheses",
        "strictly_concave", "parameters", "kinds", "signs", "notes", "illustrative", "players", "strategies", "latex"}


def read_bytes(path, most: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``most`` bytes (default: the ``file_bytes`` limit).

    Every failure (missing, a directory, a device or FIFO, too large, unreadable) is a one-line
    :class:`GameFileError`; a FIFO is refused before it is opened, so reading never blocks.
    """
    path = Path(path)
    limit = (f"the limit file_bytes = {limits.current().file_bytes} (raise it with {limits.flag('file_bytes')})"
             if most is None else f"{most} bytes")
    if most is None:
        most = limits.current().file_bytes
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise GameFileError(path, "", None, "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise GameFileError(path, "", None, "not a regular file (a device, FIFO or socket is never read)")
        if info.st_size > most:
            raise GameFileError(path, "", None, f"file of {info.st_size} bytes exceeds {limit}")
        with open(path, "rb") as fh:
            raw = fh.read(most + 1)
    except FileNotFoundError:
        raise GameFileError(path, "", None, "file not found") from None
    except OSError as exc:
        raise GameFileError(path, "", None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > most:
        raise GameFileError(path, "", None, f"file exceeds {limit}")
    return raw


def read_toml(path) -> dict:
    """Read a TOML file, turning every failure into a one-line :class:`GameFileError`.

    Only regular files are read (not a device, a FIFO or a directory), at most
    ``file_bytes`` of them (:mod:`symalign.core.limits`); a UTF-8 byte-order
    mark is ignored; nesting deeper than :data:`MAX_NESTING` is refused.
    """
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError("path", path, "expected a file path")
    path = Path(path)
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GameFileError(path, "", None, f"not UTF-8 text (byte {exc.start})") from None
    _check_nesting(text, path)
    try:
        # decimals are parsed from the text (Decimal), never through a binary float: 0.1 stays 1/10, and a
        # 20-digit value keeps its 20 digits
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise GameFileError(path, "", None, f"malformed TOML: {exc}") from None
    except (RecursionError, MemoryError):
        raise GameFileError(path, "", None, f"malformed TOML: nested deeper than {MAX_NESTING}") from None
    except ValueError:  # an integer literal longer than Python converts (4,300 digits)
        raise _long_literal(text, path) from None


def _long_literal(text: str, path) -> GameFileError:
    import re

    from symalign.core import limits

    m = re.search(r"\d[\d_]{4299,}", text)
    line = text.count("\n", 0, m.start()) + 1 if m else 0
    key = text[text.rfind("\n", 0, m.start()) + 1:m.start()].split("=")[0].strip() if m else ""
    return GameFileError(path, key, f"a {len(m.group()) if m else 'very long'}-digit number (line {line})",
                         f"exceeds the limit number_digits = {limits.current().number_digits} "
                         f"(raise it with {limits.flag('number_digits')})")


MAX_NESTING = 50
"""Deepest nesting of arrays and inline tables accepted in a TOML file."""


def _check_nesting(text: str, path) -> None:
    """Refuse nesting deeper than MAX_NESTING (outside strings and comments), before the parser sees it.

    Counted: arrays and inline tables, and the parts of a dotted key (``a.b.c = 1``, ``[a.b.c]``), which
    nest tables as deeply as brackets do.
    """
    stack, quote, comment, k, key, dots = [], None, False, 0, True, 0
    while k < len(text):
        c = text[k]
        if comment:
            comment = c != "\n"
            key = key or (not comment and not stack)
        elif quote:
            if c == "\\" and quote in ('"', '"""'):
                k += 1
            elif text.startswith(quote, k):
                k += len(quote) - 1
                quote = None
        elif c == "#":
            comment = True
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, k) else c
            k += len(quote) - 1
        elif c == "\n" and not stack:
            key, dots = True, 0
        elif c == "=" and key:
            key = False
        elif c == "." and key:
            dots += 1
            _deeper(dots + len(stack), text, k, path, "a dotted key with parts")
        elif c in "[{":
            header = c == "[" and key and (not stack or stack[-1] == "h")
            stack.append("h" if header else c)
            key, dots = (True, dots) if header else (c == "{", 0)
            _deeper(len(stack), text, k, path, "arrays or tables")
        elif c in "]}":
            if stack:
                stack.pop()
            key = bool(stack and stack[-1] == "h")
        elif c == "," and stack and stack[-1] == "{":
            key, dots = True, 0
        k += 1


def _deeper(depth, text, k, path, what):
    if depth > MAX_NESTING:
        line = text.count("\n", 0, k) + 1
        raise GameFileError(path, "", None, f"malformed TOML: {what} nested deeper than {MAX_NESTING} (line {line})")


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

    validate(data, "game", source)  # the published schema first (symalign.io.schema), then the semantics
    unknown = sorted(set(data) - _TOP)
    if unknown:
        fail(unknown[0], data[unknown[0]], f"unknown field (known: {sorted(_TOP)})")
    for key in ("agents", "groups", "family"):
        if key not in data:
            fail(key, None, "required field is missing")
    if "latex" in data:  # the paper's notation for write-ups (symalign.core.notation); validated here, used by printers
        from symalign.core.notation import notation_from_table

        try:
            notation_from_table(data["latex"], "latex")
        except InputError as exc:
            fail(exc.argument, exc.value, exc.reason)
    agents, groups = data["agents"], data["groups"]
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        fail("agents", agents, "must be a positive integer")
    if agents > limits.current().agents:
        fail("agents", agents, f"exceeds the limit agents = {limits.current().agents} "
                               f"(raise it with {limits.flag('agents')})")
    if isinstance(groups, list) and len(groups) > limits.current().groups:
        fail("groups", f"{len(groups)} names", f"exceeds the limit groups = {limits.current().groups} "
                                               f"(raise it with {limits.flag('groups')})")
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
        field = getattr(exc, "argument", None)
        if field is None:  # an expression error outside a parameter: the family's own texts
            field = "hypotheses" if any(exc.text == h for h in data.get("hypotheses", []) if isinstance(h, str)) \
                else "utility" if data.get("family") == "custom" else "parameters"
        elif field in ("kind", "sign"):
            field = f"{field}s"
        elif field not in ("family", "variant", "utility", "hypotheses", "n_agents", "groups"):
            field = field if field.startswith("parameters") else f"parameters.{field}"
        raise GameFileError(source, field, None, str(exc)) from None


def _family(data, params, agents, n_groups, fail):
    name = data["family"]
    if not isinstance(name, str):
        fail("family", name, "must be a string")
    if name != "custom":
        for key in CUSTOM_FIELDS:
            if key in data:
                fail(key, data[key], "only allowed with family = \"custom\"")
        return get_family(name, data.get("variant"))
    if "variant" in data:
        fail("variant", data["variant"], "the custom family has no variants")
    return custom_family(data, params, agents, n_groups, fail)


CUSTOM_FIELDS = ("utility", "hypotheses", "kinds", "signs", "strictly_concave")
"""Fields of a game (or a claim's ``[game]`` table) that define a custom family."""


def custom_family(data, params, agents, n_groups, fail, prefix: str = "") -> CustomFamily:
    """The :class:`CustomFamily` a table defines (``utility``, ``hypotheses``, ``[kinds]``, ``[signs]``).

    Used by game files and by claim files (``[game] family = "custom"``), so
    both read one language.  The parameters are those with a value in
    ``params`` and those declared in ``[kinds]``; a kind not declared is
    inferred from the value's shape for ``agents`` agents and ``n_groups``
    groups.  ``fail(field, value, reason)`` raises; ``prefix`` is put in
    front of field names (``"game."`` in claim files).

    Examples
    --------
    >>> def fail(field, value, reason):
    ...     raise ValueError(field, reason)
    >>> fam = custom_family({"utility": "sum(v[d]*w[d], d)", "kinds": {"v": "vector"}}, {}, 2, 3, fail)
    >>> [(s.name, s.kind, s.sign) for s in fam.parameters()]
    [('v', 'vector', 'real')]
    """
    utility = data.get("utility")
    if not isinstance(utility, str) or not utility.strip():
        fail(prefix + "utility", utility, "the custom family needs a utility expression (a string)")
    hyps = data.get("hypotheses", [])
    if not isinstance(hyps, list) or not all(isinstance(h, str) for h in hyps):
        fail(prefix + "hypotheses", hyps, "must be a list of condition strings")
    strict = data.get("strictly_concave", True)
    if not isinstance(strict, bool):
        fail(prefix + "strictly_concave", strict, "must be true or false")
    kinds, signs = data.get("kinds", {}), data.get("signs", {})
    for key, table, allowed in (("kinds", kinds, _KINDS), ("signs", signs, _SIGNS)):
        if not isinstance(table, dict):
            fail(prefix + key, table, f"must be a table {{parameter = {' | '.join(allowed)}}}")
        for pname, value in table.items():
            if not isinstance(value, str) or value not in allowed:
                fail(f"{prefix}{key}.{pname}", value, f"must be one of {' | '.join(allowed)}")
    specs = []
    for pname in list(params) + [k for k in kinds if k not in params]:
        if pname in kinds:
            kind = kinds[pname]
        else:
            kind = _infer_kind(params[pname], agents, n_groups, f"{prefix}parameters.{pname}", fail)
        try:
            specs.append(ParamSpec(pname, kind, signs.get(pname, "real"), pname))
        except InputError as exc:
            where = "kinds" if exc.argument == "kind" else "signs"
            fail(f"{prefix}{where}.{pname}", exc.value, exc.reason)
    extra = sorted(set(signs) - {s.name for s in specs})
    if extra:
        fail(f"{prefix}signs.{extra[0]}", signs[extra[0]], "names no parameter")
    try:
        return CustomFamily(utility, tuple(specs), tuple(hyps), strict)
    except InputError as exc:
        fail(prefix + "parameters", exc.value, exc.reason)


_KINDS = ("scalar", "agent", "vector", "pair")
_SIGNS = ("real", "positive", "nonnegative", "simplex")
_NOT_FINITE = frozenset({"nan", "inf", "infinity", "oo", "zoo"})


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
        if raw.strip().lower().lstrip("+-") in _NOT_FINITE:
            fail(field, raw, "must be finite (NaN and infinity are not allowed)")
        try:
            names = referenced_names(raw)
            scope = {n: sp.Symbol(n, **(specs[n] if n in specs else spec).assumptions) for n in names}
            return parse_expression(raw, Scope(scope))
        except ExpressionError as exc:
            fail(field, raw, str(exc))
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
        fail(field, raw, f"expected a number or an expression string, got {type(raw).__name__}")
    return raw


def require_numeric(game, source, purpose: str = "this command needs numbers") -> None:
    """Raise :class:`GameFileError` naming the first parameter of ``game`` that holds symbols."""
    from symalign.core.params import flat_values

    for name, value in game.params.items():
        syms = set().union(*(getattr(x, "free_symbols", set()) for x in flat_values(value)))
        if syms:
            raise GameFileError(source, f"parameters.{name}", sorted(map(str, syms)),
                                f"is symbolic; {purpose} (use 'symalign derive' for closed forms)")

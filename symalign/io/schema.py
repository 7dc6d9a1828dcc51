"""JSON Schemas of the files symalign reads and writes, and validation against them.

The schemas are documents shipped in the package (``symalign/io/schemas/NAME-VERSION.json``,
JSON Schema draft 2020-12) and published in the docs (:doc:`/reference/schemas`):

``game``
    game files (``symalign solve GAME.toml`` and every command taking a game);
``claim``
    claim files (``theorems/<source>/<claim>.toml``);
``results``
    ``results.json`` written by ``symalign reproduce``;
``cli``
    what each command prints with ``--json`` (one definition per command, and ``error``), checked by
    :func:`validate_output`.

Readers validate a file's parsed contents against its schema *before* their
semantic checks (:func:`validate`); a violation is one line naming the file,
the field, the value and the rule, with the nearest known field name when a
key is misspelt. Validation never executes anything from the file: the schema
is data, and :mod:`jsonschema` only compares values.

Examples
--------
>>> sorted(SCHEMAS)
['claim', 'cli', 'game', 'results']
>>> schema("game")["title"]
'symalign game file'
>>> validate({"agents": 2, "groups": ["x", "y"], "family": "polymatrix"}, "game")
>>> validate({"agents": 2, "groups": ["x", "y"], "famly": "polymatrix"}, "game", "g.toml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
symalign.errors.GameFileError: g.toml: field 'famly' = 'polymatrix': unknown field (did you mean 'family'? known: agents, ...)
"""

from __future__ import annotations

import difflib
import math
from decimal import Decimal
import json
from functools import lru_cache
from importlib import resources

from symalign.errors import GameFileError, InputError

__all__ = ["SCHEMAS", "schema", "schema_text", "validate", "validate_output", "suggest"]

SCHEMAS = {"game": "game-1.json", "claim": "claim-1.json", "results": "results-1.json", "cli": "cli-1.json"}
"""Schema name -> file in ``symalign/io/schemas`` (the number is the schema's major version)."""


def schema_text(name: str) -> str:
    """The text of the schema document ``name`` (one of :data:`SCHEMAS`)."""
    if name not in SCHEMAS:
        raise InputError("name", name, f"no such schema (known: {', '.join(sorted(SCHEMAS))})")
    return resources.files("symalign.io").joinpath("schemas", SCHEMAS[name]).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _schema(name: str) -> str:
    return schema_text(name)


def schema(name: str) -> dict:
    """The schema document ``name`` as a fresh dictionary."""
    return json.loads(_schema(name))


@lru_cache(maxsize=None)
def _validator(name: str):
    from jsonschema import Draft202012Validator  # imported on first use: the CLI's start-up stays light

    return Draft202012Validator(schema(name))


def suggest(word: str, known) -> str:
    """``"did you mean 'x'? "`` for the closest name in ``known`` (empty when none is close).

    >>> suggest("gama", ["alpha", "beta", "gamma"])
    "did you mean 'gamma'? "
    >>> suggest("zzz", ["alpha"])
    ''
    """
    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def validate(data: dict, name: str, source=None) -> None:
    """Check ``data`` (a parsed file) against schema ``name``; raise a one-line :class:`GameFileError`.

    The error names ``source`` (the file), the dotted path of the offending field, its value and the
    rule it breaks; for an unknown key it suggests the nearest known one.
    """
    from jsonschema.exceptions import relevance

    bad = _non_finite(data, [])
    if bad is not None:  # NaN/infinity compare by raising: refuse them before any rule is applied
        raise GameFileError(source, _path(bad[0]), bad[1], "must be finite (NaN and infinity are not allowed)")
    errors = list(_validator(name).iter_errors(data))
    if not errors:
        return
    # a misspelt key explains a "missing" field too: report the unknown key (with its suggestion) first
    error = min(errors, key=lambda e: (e.validator != "additionalProperties", e.validator != "required",
                                       relevance(e)))
    while error.context:  # a failed oneOf/anyOf/allOf branch: report the most relevant inner failure
        error = min(error.context, key=relevance)
    raise _one_line(error, data, source)


def _non_finite(value, where):
    """(path, value) of the first NaN or infinite number in ``value`` (Decimal or float), else None."""
    if isinstance(value, Decimal) and not value.is_finite():
        return where, value
    if isinstance(value, float) and not math.isfinite(value):
        return where, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _non_finite(item, where + [key])
        if found is not None:
            return found
    return None


@lru_cache(maxsize=None)
def _output_validator(command: str):
    from jsonschema import Draft202012Validator

    doc = schema("cli")
    if command not in doc["$defs"]:
        raise InputError("command", command, f"no --json schema (known: {', '.join(sorted(doc['$defs']))})")
    return Draft202012Validator({**doc, "$ref": f"#/$defs/{command}"})


def validate_output(command: str, text: str) -> dict:
    """Parse what ``symalign COMMAND --json`` printed and check it against its schema (or the error schema).

    Returns the parsed object; raises :class:`GameFileError` naming the command and the offending field.

    >>> validate_output("rerun", '{"file": "a.csv", "rerun": "b.csv", "command": "sweep", "identical": true}')["identical"]
    True
    >>> validate_output("solve", '{"error": {"kind": "InputError", "message": "m", "exit_status": 2}}')["error"]["kind"]
    'InputError'
    """
    data = json.loads(text)
    name = "error" if isinstance(data, dict) and set(data) == {"error"} else command
    error = next(iter(_output_validator(name).iter_errors(data)), None)
    if error is not None:
        raise _one_line(error, data, f"symalign {command} --json")
    return data


def _path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _one_line(error, data, source) -> GameFileError:
    where = list(error.absolute_path)
    rule = error.validator
    if rule == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        if extra:
            key = extra[0]
            hint = suggest(key, known)
            listing = f"known: {', '.join(known)}" if known else "no fields are allowed here"
            kind = data.get("kind") if where == ["claim"] and isinstance(data, dict) else None
            scope = f" for kind {kind!r}" if isinstance(kind, str) else ""
            return GameFileError(source, _path(where + [key]), error.instance[key],
                                 f"unknown field{scope} ({hint}{listing})")
    if rule == "required":
        missing = next((k for k in error.validator_value if k not in error.instance), None)
        return GameFileError(source, _path(where + [missing]), None, "required field is missing")
    if rule in ("enum", "const"):
        options = error.validator_value if rule == "enum" else [error.validator_value]
        hint = suggest(error.instance, options) if isinstance(error.instance, str) else ""
        what = f"{error.schema['title']} " if "title" in error.schema else ""
        return GameFileError(source, _path(where), error.instance,
                             f"{hint}{what}must be one of {', '.join(map(str, options))}")
    if rule == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return GameFileError(source, _path(where), error.instance, f"must be {' or '.join(_ARTICLE.get(k, k) for k in kinds)}")
    if rule == "not" and isinstance(error.instance, dict):
        key, reason = _not_message(error)
        return GameFileError(source, _path(where + [key]), None, reason)
    if rule == "minimum":
        low = error.validator_value
        positive = error.schema.get("type") == "integer" and low == 1
        return GameFileError(source, _path(where), error.instance,
                             "must be a positive integer" if positive else f"must be at least {low}")
    if rule == "minItems":
        return GameFileError(source, _path(where), error.instance, f"must have at least {error.validator_value} entries")
    if rule == "uniqueItems":
        return GameFileError(source, _path(where), error.instance, "entries must be distinct")
    return GameFileError(source, _path(where), error.instance, error.message.split("\n")[0])


_ARTICLE = {"object": "a table", "array": "an array", "string": "a string", "number": "a number",
            "integer": "an integer", "boolean": "true or false", "null": "absent"}


def _not_message(error) -> tuple:
    """(field, reason) for a ``not`` rule: a field that the file's other fields exclude."""
    subschema = error.validator_value
    fields = [b["required"][0] for b in subschema.get("anyOf", []) if "required" in b]
    present = [f for f in fields if f in error.instance]
    if present:
        return present[0], 'only allowed with family = "custom"'
    if "required" in subschema:
        return subschema["required"][0], "not allowed here (the custom family has no variants)"
    return None, error.message

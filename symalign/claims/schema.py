"""Claim files: one theorem per TOML file, loaded without executing anything.

A claim file (``theorems/<source>/<claim>.toml``) states a result, the game
it is about, its hypotheses and the *expected* status; ``symalign verify``
computes the actual status (:mod:`symalign.claims.checks`) and compares.
The file is read with :mod:`tomllib`; every expression goes through the
whitelist parser of :mod:`symalign.core.expr` with a :class:`~symalign.core.expr.Scope`
that declares exactly the symbols the claim may use (created with their
assumptions).  Anything else (``__import__``, attribute access, lambda,
comprehensions, an undeclared name) is rejected with the file, the field
and the offending piece named.  The schema is documented in
``theorems/README.md``.

Names in expressions
--------------------
::

    ``N``, ``D``            number of agents (an integer, or the symbol ``N``) and groups
    parameters             ``alpha``, ``beta``, ... : the shared symbol when the game is
                           homogeneous, else indexed by agent (``beta[i]``); vectors
                           are indexed ``a[i, d]``
    ``i``, ``d``           a free agent / group index: a condition mentioning them must
                           hold for every agent / group; an expression is evaluated per entry
    ``w``, ``m``, ``W``    (when ``i`` is bound) agent i's weights, the mean of the
                           others' weights, the whole profile
    declared symbols       the ``[symbols]`` table, ``name = "positive"`` etc.
    definitions            ``[[claim.define]]`` entries: zero-argument ones are names,
                           the others functions of integer indices
"""

from __future__ import annotations

from fractions import Fraction
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import sympy as sp

from symalign.errors import ExpressionError, GameFileError, InputError
from symalign.core.expr import RESERVED, referenced_names
from symalign.claims.instances import N_SYMBOL, Instance, _instances  # noqa: F401  (N_SYMBOL, Instance re-exported)
from symalign.core.notebook import LatexRepr
from symalign.io.schema import validate

__all__ = ["Claim", "Instance", "load_claim", "load_claims", "claim_files", "KINDS", "STATUSES",
           "TRUE_STATUSES"]

KINDS = ("closed_form", "existence", "uniqueness", "exclusion_threshold", "steering", "dynamics",
         "identity", "best_response", "equilibrium_count", "symmetric_equilibrium", "comparative_statics")
STATUSES = ("derived", "proved", "checked-by-property", "refuted", "open")
TRUE_STATUSES = ("derived", "proved", "checked-by-property")
"""Statuses that state the claim is true."""

_TOP = {"id", "title", "reference", "kind", "status", "statement", "latex", "hypotheses", "symbols",
        "notes", "game", "claim", "counterexample"}
_COMMON = {"define", "solve_for"}
_CLAIM = {
    "existence": ({"condition"}, set()),
    "uniqueness": ({"condition"}, {"relation", "property", "eigenvalues"}),
    "best_response": ({"map", "argument"}, {"positive"}),
    "closed_form": ({"weights"}, {"support", "positive", "scope"}),
    "identity": ({"lhs", "rhs"}, set()),
    "dynamics": ({"process", "property"}, {"condition", "relation", "modulus", "lipschitz", "step",
                                           "iterations", "starts", "seed"}),
    "exclusion_threshold": ({"group", "condition"}, {"relation", "scope"}),
    "steering": ({"group", "amount"}, {"scope"}),
    "equilibrium_count": ({"count"}, {"relation"}),
    "symmetric_equilibrium": ({"weights"}, {"only"}),
    "comparative_statics": ({"wrt"}, {"of", "group", "agent", "parameter", "derivative", "sign", "scope"}),
}
_CHOICES = {
    "relation": ("iff", "if", "only_if"),
    "property": None,  # per kind, below
    "map": ("simplex_projection", "softmax"),
    "process": ("best_response", "gradient_play"),
    "support": ("interior",),
    "scope": ("all", "reduced_interior"),
    "of": ("weights", "exclusion_threshold"),
    "sign": ("positive", "negative", "nonnegative", "nonpositive"),
}
_RELATIONS = {"equilibrium_count": ("exactly", "at_least")}
_SCOPES = {"closed_form": ("all", "interior"), "comparative_statics": ("all", "interior")}
"""Where a claim must hold: ``all`` (default) wherever the hypotheses hold; a narrower region by name."""
_PROPERTIES = {"uniqueness": ("dsc", "unique"), "dynamics": ("contraction", "two_cycle", "convergence")}
_ASSUMPTIONS = {
    "real": {"real": True}, "positive": {"positive": True}, "nonnegative": {"nonnegative": True},
    "integer": {"integer": True}, "positive_integer": {"integer": True, "positive": True},
}
_RESERVED_NAMES = {"N", "D", "i", "d", "w", "m", "W"}
_CONDITION_FIELDS = ("condition",)
_EXPRESSION_FIELDS = ("argument", "weights", "lhs", "rhs", "modulus", "lipschitz", "amount", "step", "derivative")


@dataclass(frozen=True, eq=False)
class Claim(LatexRepr):
    """A parsed claim file; see ``theorems/README.md`` for the schema.

    Examples
    --------
    >>> import tempfile, os
    >>> text = '''
    ... id = "demo"
    ... reference = "none"
    ... kind = "uniqueness"
    ... status = "proved"
    ... statement = "DSC iff gamma < 2 beta"
    ... [game]
    ... family = "active_alignment"
    ... variant = "overlap"
    ... agents = 3
    ... groups = 2
    ... [claim]
    ... condition = "gamma < beta*(N - 1)"
    ... '''
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "demo.toml")
    ...     _ = open(path, "w").write(text)
    ...     claim = load_claim(path)
    >>> claim.kind, claim.instances[0].label, claim.instances[0].condition(claim.body["condition"])
    ('uniqueness', 'N=3, D=2', gamma < 2*beta)
    """

    path: str
    id: str
    title: str
    reference: str
    kind: str
    expected: str
    statement: str
    latex: str
    hypotheses: tuple
    body: Mapping
    instances: tuple
    counterexample: Mapping | None = None
    notes: str = ""

    def __repr__(self) -> str:
        return f"Claim({self.id}: {self.kind}, stated {self.expected}, {len(self.instances)} instances, file {self.path})"
    game_data: Mapping = field(default_factory=dict)
    notation: object = None
    """The file's ``[latex]`` notation table (:class:`symalign.core.notation.Notation`), or None."""


def claim_files(paths) -> list:
    """Every ``*.toml`` file under the given files/directories, sorted."""
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(x for x in p.rglob("*.toml") if x.is_file())
        elif p.exists():
            out.append(p)
        else:
            raise InputError("path", str(p), "no such file or directory")
    return out


def load_claims(paths) -> list:
    """Load every claim file under ``paths`` (see :func:`claim_files`)."""
    return [load_claim(p) for p in claim_files(paths)]


def load_claim(path) -> Claim:
    """Read and validate one claim file; nothing in it is executed.

    Raises
    ------
    GameFileError
        Naming the file, the field and the offending value or piece.
    """
    from symalign.io.gamefile import read_toml

    data = read_toml(path)
    return _build(data, Path(path))


def _build(data: dict, path: Path) -> Claim:
    def fail(fld, value, reason):
        raise GameFileError(path, fld, value, reason)

    validate(data, "claim", path)  # the published schema first (symalign.io.schema), then the semantics
    unknown = sorted(set(data) - _TOP)
    if unknown:
        fail(unknown[0], data[unknown[0]], f"unknown field (known: {sorted(_TOP)})")
    for key in ("id", "reference", "kind", "status", "statement", "game", "claim"):
        if key not in data:
            fail(key, None, "required field is missing")
    for key in ("id", "reference", "statement", "title", "notes"):
        if key in data and not isinstance(data[key], str):
            fail(key, data[key], "must be a string")
    notation, author_latex = _latex_field(data.get("latex", ""), fail)
    if data["kind"] not in KINDS:
        fail("kind", data["kind"], f"must be one of {list(KINDS)}")
    if data["status"] not in STATUSES:
        fail("status", data["status"], f"must be one of {list(STATUSES)}")
    kind = data["kind"]
    hyps = data.get("hypotheses", [])
    if not isinstance(hyps, list) or not all(isinstance(h, str) for h in hyps):
        fail("hypotheses", hyps, "must be a list of condition strings")
    body = _body(data["claim"], kind, fail)
    symbols = _symbols(data.get("symbols", {}), fail)
    game = data["game"]
    if not isinstance(game, dict):
        fail("game", game, "must be a table")
    instances = tuple(_instances(game, symbols, body, hyps, str(data["id"]), fail))
    cex = data.get("counterexample")
    if cex is not None:
        if not isinstance(cex, dict):
            fail("counterexample", cex, "must be a table of symbol = value")
        if data["status"] != "refuted":
            fail("counterexample", cex, 'only a claim with status = "refuted" states a counterexample')
        for k, v in cex.items():
            ok = not isinstance(v, bool) and isinstance(v, (int, str))
            try:
                ok = ok and Fraction(str(v).strip()) is not None
            except (TypeError, ValueError, ZeroDivisionError):
                ok = False
            if not ok:
                fail(f"counterexample.{k}", v, "must be an exact number (integer or a string like '3/2')")
    for inst in instances:
        _validate_texts(inst, body, kind, fail)
    return Claim(str(path), data["id"], data.get("title", ""), data["reference"], kind, data["status"],
                 data["statement"], author_latex, tuple(hyps), MappingProxyType(body), instances,
                 MappingProxyType(cex) if cex is not None else None, data.get("notes", ""),
                 MappingProxyType(game), notation)


def _latex_field(value, fail):
    """``latex = '...'`` (the author's formula) or a ``[latex]`` table: the paper's notation and its ``formula``."""
    from symalign.core.notation import notation_from_table

    if isinstance(value, str):
        return None, value
    if not isinstance(value, dict):
        fail("latex", value, "must be the author's LaTeX (a string) or a [latex] notation table")
    try:
        notation = notation_from_table(value, "latex")
    except InputError as exc:
        fail(exc.argument, exc.value, exc.reason)
    return notation, value.get("formula", "")


def _body(table, kind, fail) -> dict:
    if not isinstance(table, dict):
        fail("claim", table, "must be a table")
    required, optional = _CLAIM[kind]
    allowed = required | optional | _COMMON
    for key in sorted(set(table) - allowed):
        fail(f"claim.{key}", table[key], f"unknown field for kind {kind!r} (known: {sorted(allowed)})")
    for key in sorted(required - set(table)):
        fail(f"claim.{key}", None, f"required for kind {kind!r}")
    for key, value in table.items():
        if key == "define":
            continue
        if key in ("positive", "only"):
            if not isinstance(value, bool):
                fail(f"claim.{key}", value, "must be true or false")
            continue
        if key in ("count", "agent"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                fail(f"claim.{key}", value, "must be a non-negative integer")
            continue
        if key in ("iterations", "starts", "seed"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                fail(f"claim.{key}", value, "must be a non-negative integer")
            continue
        if key == "eigenvalues":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                fail("claim.eigenvalues", value, "must be a list of expression strings")
            continue
        if key == "group" and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, str):
            fail(f"claim.{key}", value, "must be a string")
        choices = (_PROPERTIES.get(kind) if key == "property" else
                   _RELATIONS.get(kind, _CHOICES["relation"]) if key == "relation" else
                   _SCOPES.get(kind, _CHOICES["scope"]) if key == "scope" else _CHOICES.get(key))
        if choices is not None and value not in choices:
            fail(f"claim.{key}", value, f"must be one of {list(choices)}")
    if kind == "comparative_statics":
        if ("derivative" in table) == ("sign" in table):
            fail("claim", table, "a comparative_statics claim states exactly one of derivative or sign")
        if table.get("of") == "exclusion_threshold" and not {"group", "parameter"} <= set(table):
            fail("claim", table, "of = \"exclusion_threshold\" needs group and parameter")
    defines = table.get("define", [])
    if not isinstance(defines, list):
        fail("claim.define", defines, "must be an array of tables [[claim.define]]")
    seen = set()
    for k, entry in enumerate(defines):
        where = f"claim.define[{k}]"
        if not isinstance(entry, dict) or set(entry) - {"name", "args", "body"} or not {"name", "body"} <= set(entry):
            fail(where, entry, "needs name, body and optional args")
        name, args, text = entry["name"], entry.get("args", []), entry["body"]
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            fail(f"{where}.name", name, "must be an identifier not starting with '_'")
        if name in RESERVED or name in _RESERVED_NAMES or name in seen:
            fail(f"{where}.name", name, "is reserved or already defined")
        if not isinstance(args, list) or not all(isinstance(a, str) and a.isidentifier() for a in args):
            fail(f"{where}.args", args, "must be a list of index names")
        if len(set(args)) != len(args):
            fail(f"{where}.args", args, "index names must be distinct")
        if not isinstance(text, str):
            fail(f"{where}.body", text, "must be a string")
        seen.add(name)
    return dict(table)


def _symbols(table, fail) -> dict:
    if not isinstance(table, dict):
        fail("symbols", table, "must be a table name = assumption")
    out = {}
    for name, kind in table.items():
        if not name.isidentifier() or name in RESERVED or name in _RESERVED_NAMES:
            fail(f"symbols.{name}", kind, "not an allowed symbol name")
        if kind not in _ASSUMPTIONS:
            fail(f"symbols.{name}", kind, f"assumption must be one of {sorted(_ASSUMPTIONS)}")
        out[name] = sp.Symbol(name, **_ASSUMPTIONS[kind])
    return out


def _validate_texts(inst: Instance, body, kind, fail) -> None:
    """Parse every expression of the claim on one instance, so bad files fail at load time."""
    for key in _CONDITION_FIELDS:
        if key in body:
            try:
                inst.condition(body[key])
            except ExpressionError as exc:
                fail(f"claim.{key}", body[key], str(exc))
    for key in _EXPRESSION_FIELDS:
        if key not in body:
            continue
        text = body[key]
        try:
            refs = referenced_names(text)
            needs_i = bool(refs & {"i", "w", "m", "W"})
            if needs_i and inst.symbolic_n:
                raise ExpressionError(text, "i", "agent-indexed names need an explicit number of agents")
            inst.expression(text, 0 if needs_i else None, 0 if "d" in refs else None)
        except ExpressionError as exc:
            fail(f"claim.{key}", text, str(exc))
    for k, text in enumerate(body.get("eigenvalues", [])):
        try:
            inst.expression(text)
        except ExpressionError as exc:
            fail(f"claim.eigenvalues[{k}]", text, str(exc))
    for k, entry in enumerate(body.get("define", [])):
        if entry.get("args"):
            fn = inst.functions[entry["name"]]
            try:
                fn(*[sp.Integer(0)] * len(entry["args"]))
            except ValueError as exc:
                fail(f"claim.define[{k}].body", entry["body"], str(exc))

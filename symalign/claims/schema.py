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

import hashlib
import random
from fractions import Fraction
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import sympy as sp

from symalign.errors import ExpressionError, GameFileError, InputError, SymalignError
from symalign.core.expr import RESERVED, Scope, parse_condition, parse_expression, referenced_names

__all__ = ["Claim", "Instance", "load_claim", "load_claims", "claim_files", "KINDS", "STATUSES",
           "TRUE_STATUSES"]

KINDS = ("closed_form", "existence", "uniqueness", "exclusion_threshold", "steering", "dynamics",
         "identity", "best_response")
STATUSES = ("derived", "proved", "checked-by-property", "refuted", "open")
TRUE_STATUSES = ("derived", "proved", "checked-by-property")
"""Statuses that state the claim is true."""

_TOP = {"id", "title", "reference", "kind", "status", "statement", "latex", "hypotheses", "symbols",
        "notes", "game", "claim", "counterexample"}
_GAME = {"family", "variant", "homogeneous", "agents", "groups", "instances", "parameters", "samples"}
_SAMPLE = {"agents", "groups", "count", "seed"}
_COMMON = {"define", "solve_for"}
_CLAIM = {
    "existence": ({"condition"}, set()),
    "uniqueness": ({"condition"}, {"relation", "property", "eigenvalues"}),
    "best_response": ({"map", "argument"}, {"positive"}),
    "closed_form": ({"weights"}, {"support", "positive"}),
    "identity": ({"lhs", "rhs"}, set()),
    "dynamics": ({"process", "property"}, {"condition", "relation", "modulus", "lipschitz", "step",
                                           "iterations", "starts", "seed"}),
    "exclusion_threshold": ({"group", "condition"}, {"relation"}),
    "steering": ({"group", "amount"}, set()),
}
_CHOICES = {
    "relation": ("iff", "if", "only_if"),
    "property": None,  # per kind, below
    "map": ("simplex_projection", "softmax"),
    "process": ("best_response", "gradient_play"),
    "support": ("interior",),
}
_PROPERTIES = {"uniqueness": ("dsc", "unique"), "dynamics": ("contraction", "two_cycle", "convergence")}
_ASSUMPTIONS = {
    "real": {"real": True}, "positive": {"positive": True}, "nonnegative": {"nonnegative": True},
    "integer": {"integer": True}, "positive_integer": {"integer": True, "positive": True},
}
_RESERVED_NAMES = {"N", "D", "i", "d", "w", "m", "W"}
_CONDITION_FIELDS = ("condition",)
_EXPRESSION_FIELDS = ("argument", "weights", "lhs", "rhs", "modulus", "lipschitz", "amount", "step")
N_SYMBOL = sp.Symbol("N", integer=True, positive=True)


@dataclass(frozen=True, eq=False)
class Instance:
    """One concrete game a claim is checked on, with its expression scope.

    Attributes
    ----------
    label : str
        E.g. ``"N=3, D=3"`` or ``"N symbolic, D=3"`` or ``"sample 1: N=4, D=3"``.
    game : Game or PopulationGame
    sampled : bool
        Parameters drawn at random (a property check, not a proof).
    names, functions : Mapping
        The scope, without the free indices ``i``, ``d``.
    hypotheses : tuple
        The claim's own hypotheses, parsed (conjoined over free indices).
    """

    label: str
    game: object
    sampled: bool
    names: Mapping
    functions: Mapping
    hypotheses: tuple

    @property
    def symbolic_n(self) -> bool:
        from symalign.verify.certificates import PopulationGame

        return isinstance(self.game, PopulationGame)

    @property
    def n_agents(self):
        return self.game.N if self.symbolic_n else self.game.n_agents

    def scope(self, i=None, d=None) -> Scope:
        """The scope with agent ``i`` and group ``d`` bound (0-based)."""
        names = dict(self.names)
        i = None if i is None else int(i)
        d = None if d is None else int(d)
        if i is not None:
            from symalign.core.families.active_alignment import others_mean

            W = self.game.weights
            names.update(i=sp.Integer(i), w=list(W.row(i)), W=[list(W.row(j)) for j in range(W.rows)],
                         m=list(others_mean(W, i)))
        if d is not None:
            names["d"] = sp.Integer(d)
        n = None if self.symbolic_n else self.game.n_agents
        return Scope(names, n_groups=self.game.n_groups, n_agents=n,
                     own_index=i if (i is not None and n) else None, functions=dict(self.functions))

    def indices(self, text) -> list:
        """(i, d) pairs a text ranges over: every agent if it mentions ``i``, every group if ``d``."""
        refs = referenced_names(text)
        if "i" in refs and self.symbolic_n:
            raise ExpressionError(text, "i", "an agent index needs an explicit number of agents")
        agents = range(self.game.n_agents) if "i" in refs else [None]
        groups = range(self.game.n_groups) if "d" in refs else [None]
        return [(i, d) for i in agents for d in groups]

    def condition(self, text: str):
        """Parse a condition; free ``i``/``d`` make it a conjunction over agents/groups."""
        return sp.And(*[parse_condition(text, self.scope(i, d)) for i, d in self.indices(text)])

    def expression(self, text: str, i=None, d=None):
        """Parse an expression with agent ``i`` and group ``d`` bound."""
        return parse_expression(text, self.scope(i, d))

    def matrix(self, text: str) -> sp.Matrix:
        """An N x D matrix of the expression evaluated at every (i, d)."""
        return sp.Matrix(self.game.n_agents, self.game.n_groups, lambda i, d: self.expression(text, i, d))


@dataclass(frozen=True, eq=False)
class Claim:
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
    game_data: Mapping = field(default_factory=dict)


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

    unknown = sorted(set(data) - _TOP)
    if unknown:
        fail(unknown[0], data[unknown[0]], f"unknown field (known: {sorted(_TOP)})")
    for key in ("id", "reference", "kind", "status", "statement", "game", "claim"):
        if key not in data:
            fail(key, None, "required field is missing")
    for key in ("id", "reference", "statement", "latex", "title", "notes"):
        if key in data and not isinstance(data[key], str):
            fail(key, data[key], "must be a string")
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
                 data["statement"], data.get("latex", ""), tuple(hyps), MappingProxyType(body), instances,
                 MappingProxyType(cex) if cex is not None else None, data.get("notes", ""),
                 MappingProxyType(game))


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
        if key == "positive":
            if not isinstance(value, bool):
                fail("claim.positive", value, "must be true or false")
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
        choices = _PROPERTIES.get(kind) if key == "property" else _CHOICES.get(key)
        if choices is not None and value not in choices:
            fail(f"claim.{key}", value, f"must be one of {list(choices)}")
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


def _groups(value, fld, fail):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 2:
        return value
    if isinstance(value, list) and len(value) >= 2 and all(isinstance(g, str) and g for g in value):
        return list(value)
    fail(fld, value, "must be a number of groups >= 2 or a list of group names")


def _shapes(game, fail):
    """(agents, groups) pairs: the explicit ``instances`` list, else agents x groups."""
    if "instances" in game:
        entries = game["instances"]
        if not isinstance(entries, list) or not entries:
            fail("game.instances", entries, "must be a non-empty array of tables {agents, groups}")
        out = []
        for k, e in enumerate(entries):
            if not isinstance(e, dict) or set(e) != {"agents", "groups"}:
                fail(f"game.instances[{k}]", e, "must be a table {agents = ..., groups = ...}")
            out.append((e["agents"], _groups(e["groups"], f"game.instances[{k}].groups", fail)))
        return out
    agents = game["agents"] if isinstance(game["agents"], list) else [game["agents"]]
    raw = game["groups"]
    if isinstance(raw, list) and raw and all(isinstance(g, int) and not isinstance(g, bool) for g in raw):
        groups = [_groups(g, "game.groups", fail) for g in raw]
    else:
        groups = [_groups(raw, "game.groups", fail)]
    return [(n, g) for n in agents for g in groups]


def _instances(game, symbols, body, hyps, claim_id, fail):
    from symalign.verify.certificates import PopulationGame
    from symalign.core.families import get_family
    from symalign.core.game import Game

    unknown = sorted(set(game) - _GAME)
    if unknown:
        fail(f"game.{unknown[0]}", game[unknown[0]], f"unknown field (known: {sorted(_GAME)})")
    needed = ("family",) if "instances" in game else ("family", "agents", "groups")
    for key in needed:
        if key not in game:
            fail(f"game.{key}", None, "required field is missing")
    if game["family"] == "custom":
        fail("game.family", "custom", "custom families are not supported in claim files; use a registered family")
    try:
        family = get_family(game["family"], game.get("variant"))
    except SymalignError as exc:
        fail("game.family", game["family"], str(exc))
    homogeneous = game.get("homogeneous", True)
    if not isinstance(homogeneous, bool):
        fail("game.homogeneous", homogeneous, "must be true or false")
    specs = {s.name: s for s in family.parameters()}
    fixed = _parameters(game.get("parameters", {}), specs, symbols, fail)
    defines = body.get("define", [])
    for n, groups in _shapes(game, fail):
        if n == "N":
            if not homogeneous:
                fail("game.agents", n, "a symbolic number of agents needs homogeneous = true")
            try:
                g = PopulationGame.create(family, groups, N=N_SYMBOL, **fixed)
            except SymalignError as exc:
                fail("game.parameters", None, str(exc))
            yield _instance(f"N symbolic, D={g.n_groups}", g, False, homogeneous, symbols, defines, hyps, fail)
        elif isinstance(n, int) and not isinstance(n, bool) and n >= 2:
            try:
                g = Game.symbolic(family, n, groups, homogeneous=homogeneous, **fixed)
            except SymalignError as exc:
                fail("game.parameters", None, str(exc))
            yield _instance(f"N={n}, D={g.n_groups}", g, False, homogeneous, symbols, defines, hyps, fail)
        else:
            fail("game.agents", n, 'each entry must be an integer >= 2 or the string "N"')
    default_groups = game.get("groups", 2)
    if isinstance(default_groups, list) and default_groups and isinstance(default_groups[0], int):
        default_groups = default_groups[0]
    samples = game.get("samples", [])
    if not isinstance(samples, list):
        fail("game.samples", samples, "must be an array of tables {agents, groups, count}")
    k = 0
    for j, spec in enumerate(samples):
        where = f"game.samples[{j}]"
        if not isinstance(spec, dict) or set(spec) - _SAMPLE or "agents" not in spec:
            fail(where, spec, f"needs agents and optional {sorted(_SAMPLE - {'agents'})}")
        n, count, seed = spec["agents"], spec.get("count", 1), spec.get("seed", 0)
        if isinstance(n, bool) or not isinstance(n, int) or n < 2:
            fail(f"{where}.agents", n, "must be an integer >= 2")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 50:
            fail(f"{where}.count", count, "must be an integer in 1..50")
        sgroups = _groups(spec.get("groups", default_groups), f"{where}.groups", fail)
        rng = random.Random(int(hashlib.sha256(f"{claim_id}/{j}/{seed}".encode()).hexdigest()[:12], 16))
        for _ in range(count):
            k += 1
            g = _sample_game(family, n, sgroups, fixed, homogeneous, symbols, defines, hyps, rng, fail, where)
            yield _instance(f"sample {k}: N={n}, D={g.n_groups}", g, True, homogeneous, symbols, defines,
                            hyps, fail)


def _parameters(table, specs, symbols, fail) -> dict:
    if not isinstance(table, dict):
        fail("game.parameters", table, "must be a table")
    out = {}
    for name, raw in table.items():
        if name not in specs:
            fail(f"game.parameters.{name}", raw, f"not a parameter of the family (its parameters: {sorted(specs)})")
        out[name] = _value(raw, f"game.parameters.{name}", symbols, fail)
    return out


def _value(raw, fld, symbols, fail):
    if isinstance(raw, list):
        return [_value(x, f"{fld}[{k}]", symbols, fail) for k, x in enumerate(raw)]
    if isinstance(raw, str):
        try:
            return parse_expression(raw, Scope(dict(symbols)))
        except ExpressionError as exc:
            fail(fld, raw, str(exc))
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        fail(fld, raw, f"expected a number or an expression string, got {type(raw).__name__}")
    return raw


def _sample_value(spec, n, D, homogeneous, rng):
    def num(lo, hi, den=8):
        return sp.Rational(rng.randint(lo * den, hi * den), den)

    def scalar():
        if spec.sign == "positive":
            return sp.Rational(rng.randint(1, 24), 8)
        if spec.sign == "nonnegative":
            return num(0, 2)
        return num(-2, 2)

    if spec.kind == "agent":
        return scalar() if homogeneous else [scalar() for _ in range(n)]
    if spec.kind == "scalar":
        return scalar()
    if spec.kind == "vector":
        if spec.sign == "simplex":
            rows = []
            for _ in range(n):
                r = [rng.randint(1, 9) for _ in range(D)]
                rows.append([sp.Rational(x, sum(r)) for x in r])
            return rows
        return [[scalar() for _ in range(D)] for _ in range(n)]
    raise InputError("parameters", spec.name, "cannot sample pair parameters")


def _sample_game(family, n, groups, fixed, homogeneous, symbols, defines, hyps, rng, fail, where):
    from symalign.core.game import Game

    D = groups if isinstance(groups, int) else len(groups)
    for _ in range(200):
        values = {s.name: _sample_value(s, n, D, homogeneous, rng) for s in family.parameters() if s.name not in fixed}
        values.update(fixed)
        try:
            g = Game.create(family, n, groups, **values)
        except SymalignError:
            continue
        if g.free_symbols():
            fail(where, None, "sampled games need every parameter numeric (fix symbolic parameters with numbers)")
        inst = _instance("probe", g, True, homogeneous, symbols, defines, (), fail)
        if all(inst.condition(h) is sp.true for h in hyps) and all(h is sp.true for h in g.hypotheses()):
            return g
    fail(where, None, "could not sample parameters satisfying the hypotheses in 200 tries")


def _instance(label, game, sampled, homogeneous, symbols, defines, hyps, fail) -> Instance:
    from symalign.verify.certificates import PopulationGame

    names = dict(symbols)
    pop = isinstance(game, PopulationGame)
    rep = game.representative if pop else game
    names["N"] = game.N if pop else sp.Integer(game.n_agents)
    names["D"] = sp.Integer(game.n_groups)
    for spec in game.family.parameters():
        value = rep.params[spec.name]
        if spec.kind == "agent":
            if homogeneous:
                names[spec.name] = value[0]
            elif not pop:
                names[spec.name] = list(value)
        elif spec.kind == "scalar":
            names[spec.name] = value
        elif spec.kind == "vector" and not pop:
            names[spec.name] = value
    clash = sorted(set(symbols) & {s.name for s in game.family.parameters()})
    if clash:
        fail(f"symbols.{clash[0]}", None, "is a parameter of the family; it is declared by the game")
    functions: dict = {}
    for k, entry in enumerate(defines):
        where = f"claim.define[{k}].body"
        args, text = entry.get("args", []), entry["body"]
        if not args:
            try:
                names[entry["name"]] = parse_expression(text, _scope(names, functions, game, pop))
            except ExpressionError as exc:
                fail(where, text, str(exc))
        else:
            functions[entry["name"]] = _Definition(entry["name"], tuple(args), text, dict(names),
                                                   dict(functions), game, pop)
    inst = Instance(label, game, sampled, MappingProxyType(names), MappingProxyType(functions), ())
    parsed = []
    for k, h in enumerate(hyps):
        try:
            parsed.append(inst.condition(h))
        except ExpressionError as exc:
            fail(f"hypotheses[{k}]", h, str(exc))
    return Instance(label, game, sampled, inst.names, inst.functions, tuple(parsed))


def _scope(names, functions, game, pop):
    return Scope(dict(names), n_groups=game.n_groups, n_agents=None if pop else game.n_agents,
                 functions=dict(functions))


class _Definition:
    """A ``[[claim.define]]`` function: its body is parsed (never executed) per argument tuple."""

    def __init__(self, name, args, text, names, functions, game, pop):
        self.name, self.args, self.text = name, args, text
        self.names, self.functions, self.game, self.pop = names, functions, game, pop
        self.cache: dict = {}

    def __call__(self, *values):
        if len(values) != len(self.args):
            raise ValueError(f"{self.name} takes {len(self.args)} argument(s), got {len(values)}")
        if not all(isinstance(v, sp.Integer) for v in values):
            raise ValueError(f"{self.name}: arguments must be integer indices")
        key = tuple(int(v) for v in values)
        if key not in self.cache:
            names = dict(self.names)
            for a, v in zip(self.args, values):
                if a in names:
                    raise ValueError(f"{self.name}: argument {a!r} shadows a declared name")
                names[a] = v
            try:
                self.cache[key] = parse_expression(self.text, _scope(names, self.functions, self.game, self.pop))
            except ExpressionError as exc:
                raise ValueError(f"in the body of {self.name}: {exc}") from None
        return self.cache[key]


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

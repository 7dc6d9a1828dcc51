"""Claim instances: the concrete games a claim is checked on, built from its ``[game]`` table.

An :class:`Instance` is one game (explicit, with a symbolic number of agents,
or a numeric sample drawn with a seed derived from the claim id) together
with the expression scope of the claim: the family's parameters, the
declared symbols and the ``[[claim.define]]`` definitions, whose bodies are
parsed (never executed) per argument tuple.  Loading and validating the
claim file itself is :mod:`symalign.claims.schema`.
"""

from __future__ import annotations

from decimal import Decimal

import hashlib
import random
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import sympy as sp

from symalign.errors import ExpressionError, InputError, SymalignError
from symalign.core import limits
from symalign.core.expr import Scope, parse_condition, parse_expression, referenced_names

__all__: list = []  # Instance is exported (and documented) by symalign.claims.schema

_GAME = {"family", "variant", "homogeneous", "agents", "groups", "instances", "parameters", "samples", "shared",
         "utility", "hypotheses", "kinds", "signs", "strictly_concave"}
_CUSTOM = ("utility", "hypotheses", "kinds", "signs", "strictly_concave")
_SAMPLE = {"agents", "groups", "count", "seed"}
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
        from symalign.verify.population import PopulationGame

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
    if not agents:
        fail("game.agents", game["agents"], "must be a number of agents or a non-empty array of them")
    raw = game["groups"]
    if isinstance(raw, list) and not raw:
        fail("game.groups", raw, "must be groups (a count or names) or a non-empty array of counts")
    if isinstance(raw, list) and raw and all(isinstance(g, int) and not isinstance(g, bool) for g in raw):
        groups = [_groups(g, "game.groups", fail) for g in raw]
    else:
        groups = [_groups(raw, "game.groups", fail)]
    return [(n, g) for n in agents for g in groups]


def _instances(game, symbols, body, hyps, claim_id, fail):
    from symalign.verify.population import PopulationGame
    from symalign.core.game import Game

    unknown = sorted(set(game) - _GAME)
    if unknown:
        fail(f"game.{unknown[0]}", game[unknown[0]], f"unknown field (known: {sorted(_GAME)})")
    needed = ("family",) if "instances" in game else ("family", "agents", "groups")
    for key in needed:
        if key not in game:
            fail(f"game.{key}", None, "required field is missing")
    shapes = _shapes(game, fail)
    family = _family(game, shapes, fail)
    homogeneous = game.get("homogeneous", True)
    if not isinstance(homogeneous, bool):
        fail("game.homogeneous", homogeneous, "must be true or false")
    specs = {s.name: s for s in family.parameters()}
    shared = game.get("shared", [])
    if not isinstance(shared, list) or not all(isinstance(x, str) for x in shared):
        fail("game.shared", shared, "must be a list of vector parameter names")
    for name in shared:
        if name not in specs or specs[name].kind != "vector":
            fail("game.shared", name, f"must name a vector parameter of the family (its parameters: {sorted(specs)})")
    shared = tuple(shared)
    fixed = _parameters(game.get("parameters", {}), specs, symbols, fail)
    defines = body.get("define", [])
    ctx = (homogeneous, shared, symbols, defines)
    for n, groups in shapes:
        if n == "N":
            if not homogeneous:
                fail("game.agents", n, "a symbolic number of agents needs homogeneous = true")
            try:
                g = PopulationGame.create(family, groups, N=N_SYMBOL, **fixed)
            except SymalignError as exc:
                fail("game.parameters", None, str(exc))
            yield _instance(f"N symbolic, D={g.n_groups}", g, False, ctx, hyps, fail)
        elif isinstance(n, int) and not isinstance(n, bool) and n >= 2:
            try:
                g = Game.symbolic(family, n, groups, homogeneous=homogeneous, shared=shared, **fixed)
            except SymalignError as exc:
                fail("game.parameters", None, str(exc))
            yield _instance(f"N={n}, D={g.n_groups}", g, False, ctx, hyps, fail)
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
        if n > limits.current().agents:
            fail(f"{where}.agents", n, f"exceeds the limit agents = {limits.current().agents} "
                                       f"(raise it with {limits.flag('agents')})")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 50:
            fail(f"{where}.count", count, "must be an integer in 1..50")
        sgroups = _groups(spec.get("groups", default_groups), f"{where}.groups", fail)
        rng = random.Random(int(hashlib.sha256(f"{claim_id}/{j}/{seed}".encode()).hexdigest()[:12], 16))
        for _ in range(count):
            k += 1
            g = _sample_game(family, n, sgroups, fixed, ctx, hyps, rng, fail, where)
            yield _instance(f"sample {k}: N={n}, D={g.n_groups}", g, True, ctx, hyps, fail)


def _family(game, shapes, fail):
    """The game's family: registered by name, or ``custom`` defined inline (the game-file language)."""
    from symalign.core.families import get_family
    from symalign.io.gamefile import custom_family

    name = game["family"]
    if name != "custom":
        for key in _CUSTOM:
            if key in game:
                fail(f"game.{key}", game[key], 'only allowed with family = "custom"')
        try:
            return get_family(name, game.get("variant"))
        except SymalignError as exc:
            fail("game.family", name, str(exc))
    if "variant" in game:
        fail("game.variant", game["variant"], "the custom family has no variants")
    params = game.get("parameters", {})
    if not isinstance(params, dict):
        fail("game.parameters", params, "must be a table")
    n, groups = shapes[0]
    n = 2 if n == "N" else n
    return custom_family(game, params, n, groups if isinstance(groups, int) else len(groups), fail, prefix="game.")


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
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
        fail(fld, raw, f"expected a number or an expression string, got {type(raw).__name__}")
    return raw


def _sample_value(spec, n, D, homogeneous, rng, shared=()):
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
    if spec.kind == "vector" and spec.name in shared:
        return [_sample_value(spec, 1, D, homogeneous, rng)[0]] * n
    if spec.kind == "vector":
        if spec.sign == "simplex":
            rows = []
            for _ in range(n):
                r = [rng.randint(1, 9) for _ in range(D)]
                rows.append([sp.Rational(x, sum(r)) for x in r])
            return rows
        return [[scalar() for _ in range(D)] for _ in range(n)]
    raise InputError("parameters", spec.name, "cannot sample pair parameters")


def _sample_game(family, n, groups, fixed, ctx, hyps, rng, fail, where):
    from symalign.core.game import Game

    homogeneous, shared = ctx[0], ctx[1]
    D = groups if isinstance(groups, int) else len(groups)
    for _ in range(200):
        values = {s.name: _sample_value(s, n, D, homogeneous, rng, shared)
                  for s in family.parameters() if s.name not in fixed}
        values.update(fixed)
        try:
            g = Game.create(family, n, groups, **values)
        except SymalignError:
            continue
        if g.free_symbols():
            fail(where, None, "sampled games need every parameter numeric (fix symbolic parameters with numbers)")
        inst = _instance("probe", g, True, ctx, (), fail)
        if all(inst.condition(h) is sp.true for h in hyps) and all(h is sp.true for h in g.hypotheses()):
            return g
    fail(where, None, "could not sample parameters satisfying the hypotheses in 200 tries")


def _instance(label, game, sampled, ctx, hyps, fail) -> Instance:
    from symalign.verify.population import PopulationGame

    homogeneous, shared, symbols, defines = ctx
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
        elif spec.kind == "vector" and spec.name in shared:
            names[spec.name] = list(value.row(0))
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

"""Claim mutants: small deterministic edits of the shipped claim files (issue 18, claim mutation testing).

Each operator takes the raw TOML table of a claim (read with :mod:`tomllib`, nothing
executed) and yields ``(operator, description, table)``; every mutant is a valid claim
file (it must load with :func:`symalign.claims.schema.load_claim`, otherwise it is
discarded) written with :mod:`tomli_w`.

The base of every mutant is the original file *trimmed for run time*: one explicit
number of agents (the first integer of ``game.agents``), the first of ``game.instances``,
no numeric ``samples`` and no ``[counterexample]``.  The trimmed file is itself a claim
(a weaker one) and is kept as the ``base`` mutant.

Operators
---------
``flip-cmp``   a comparison in ``claim.condition`` or a hypothesis: ``<`` -> ``<=``, ``>``, ``>=`` (and so on)
``const``      a numeric literal in an expression: ``x -> (x + 1/7)`` and ``x -> (2*x)``
``arith``      a binary ``+`` <-> ``-`` in an expression or definition body
``shift-N``    the number of agents plus or minus one
``drop-hyp``   a hypothesis removed, a conjunct of an ``and`` condition removed, a fixed parameter freed
``scope``      ``scope = "reduced_interior"`` -> ``"all"``; ``positive`` removed
``relation``   ``iff`` -> ``if`` / ``only_if``, ``if`` -> ``iff``, ``exactly`` <-> ``at_least``
``param``      a fixed numeric game parameter ``x -> x + 1/7``, ``x -> 2x``
``count``      ``claim.count`` plus or minus one; ``claim.group`` moved to the next group

Run ``python tests/theorems/mutant_ops.py`` from the repository root to regenerate
``tests/theorems/mutants/`` (deterministic: same files, same names).
"""

from __future__ import annotations

import copy
import io
import re
import sys
import tokenize
import tomllib
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THEOREMS = ROOT / "symalign" / "theorems"
OUT = Path(__file__).resolve().parent / "mutants"
PER_CLAIM = 18
"""At most this many mutants per shipped claim (operators taken round-robin, so each is represented)."""

_CONDITION_KEYS = ("condition",)
_EXPR_KEYS = ("condition", "argument", "weights", "lhs", "rhs", "modulus", "lipschitz", "amount", "step",
              "derivative")
_FLIPS = {"<": ("<=", ">", ">="), "<=": ("<", ">=", ">"), ">": (">=", "<", "<="), ">=": (">", "<=", "<")}


def _tokens(text):
    return list(tokenize.generate_tokens(io.StringIO(text).readline))


def _offsets(text):
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return lambda pos: starts[pos[0] - 1] + pos[1]


def _replace(text, start, end, new):
    return text[:start] + new + text[end:]


def comparison_flips(text):
    """Every single flip of a comparison operator in ``text``: ``(description, new_text)``."""
    off = _offsets(text)
    for tok in _tokens(text):
        if tok.type == tokenize.OP and tok.string in _FLIPS:
            a, b = off(tok.start), off(tok.end)
            for new in _FLIPS[tok.string]:
                yield f"'{tok.string}' -> '{new}' at {a}", _replace(text, a, b, new)


def constant_perturbations(text, functions=()):
    """Every numeric literal outside an index (``a[i, 2]``, ``s(0, d)``) and not an exponent, perturbed."""
    off = _offsets(text)
    toks = _tokens(text)
    stack = []  # for each open bracket: True when its contents are indices
    for k, tok in enumerate(toks):
        if tok.type == tokenize.OP and tok.string in "([":
            prev = toks[k - 1] if k else None
            index = tok.string == "[" or (prev is not None and prev.type == tokenize.NAME and prev.string in functions)
            stack.append(index)
        elif tok.type == tokenize.OP and tok.string in ")]":
            if stack:
                stack.pop()
        elif tok.type == tokenize.NUMBER and not any(stack[-1:]):
            if k and toks[k - 1].string == "**":
                continue
            a, b = off(tok.start), off(tok.end)
            x = Fraction(tok.string)
            yield f"{tok.string} -> {tok.string} + 1/7 at {a}", _replace(text, a, b, f"({tok.string} + 1/7)")
            if x != 0:
                yield f"{tok.string} -> 2*{tok.string} at {a}", _replace(text, a, b, f"(2*{tok.string})")


def sign_flips(text):
    """Every binary ``+`` <-> ``-`` (a unary minus is left alone)."""
    off = _offsets(text)
    toks = _tokens(text)
    for k, tok in enumerate(toks):
        if tok.type == tokenize.OP and tok.string in "+-" and k:
            prev = toks[k - 1]
            if prev.type in (tokenize.NAME, tokenize.NUMBER) or prev.string in ")]":
                a, b = off(tok.start), off(tok.end)
                new = "-" if tok.string == "+" else "+"
                yield f"'{tok.string}' -> '{new}' at {a}", _replace(text, a, b, new)


def trimmed(data: dict) -> dict:
    """The claim reduced for run time: one explicit N, one instance, no samples, no counterexample."""
    out = copy.deepcopy(data)
    out.pop("counterexample", None)
    game = out["game"]
    game.pop("samples", None)
    if "instances" in game:
        game["instances"] = game["instances"][:1]
    elif isinstance(game.get("agents"), list):
        ints = [n for n in game["agents"] if isinstance(n, int)]
        game["agents"] = ints[0] if ints else game["agents"]
    return out


def _fields(data):
    """(path, text, is_condition) of every expression string of a claim table."""
    claim = data["claim"]
    for k, h in enumerate(data.get("hypotheses", [])):
        yield ("hypotheses", k), h, True
    for key in _EXPR_KEYS:
        if isinstance(claim.get(key), str):
            yield ("claim", key), claim[key], key in _CONDITION_KEYS
    for k, e in enumerate(claim.get("eigenvalues", [])):
        yield ("claim", "eigenvalues", k), e, False
    for k, entry in enumerate(claim.get("define", [])):
        yield ("claim", "define", k, "body"), entry["body"], False


def _set(data, path, value):
    out = copy.deepcopy(data)
    node = out
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return out


def _text_mutants(data):
    functions = {e["name"] for e in data["claim"].get("define", []) if e.get("args")}
    flips, consts, ariths = [], [], []
    for path, text, is_cond in _fields(data):
        where = ".".join(str(p) for p in path)
        if is_cond:
            flips += [("flip-cmp", f"{where}: {d}", _set(data, path, t)) for d, t in comparison_flips(text)]
        consts += [("const", f"{where}: {d}", _set(data, path, t)) for d, t in constant_perturbations(text, functions)]
        ariths += [("arith", f"{where}: {d}", _set(data, path, t)) for d, t in sign_flips(text)]
    return flips, consts, ariths


def _structural(data):
    game, claim = data["game"], data["claim"]
    shift, drop, scope, relation, param, count = [], [], [], [], [], []
    if isinstance(game.get("agents"), int):
        for delta in (-1, 1):
            if game["agents"] + delta >= 2:
                shift.append(("shift-N", f"agents {game['agents']} -> {game['agents'] + delta}",
                              _set(data, ("game", "agents"), game["agents"] + delta)))
    elif "instances" in game:
        n = game["instances"][0]["agents"]
        for delta in (-1, 1):
            if isinstance(n, int) and n + delta >= 2:
                shift.append(("shift-N", f"agents {n} -> {n + delta}",
                              _set(data, ("game", "instances", 0, "agents"), n + delta)))
    for k, h in enumerate(data.get("hypotheses", [])):
        out = copy.deepcopy(data)
        del out["hypotheses"][k]
        drop.append(("drop-hyp", f"hypothesis {h!r} dropped", out))
    cond = claim.get("condition")
    if isinstance(cond, str) and " and " in cond:
        parts = cond.split(" and ")
        for k in range(len(parts)):
            rest = " and ".join(p for j, p in enumerate(parts) if j != k)
            drop.append(("drop-hyp", f"conjunct {parts[k].strip()!r} of claim.condition dropped",
                         _set(data, ("claim", "condition"), rest)))
    for name in sorted(game.get("parameters", {})):
        out = copy.deepcopy(data)
        del out["game"]["parameters"][name]
        drop.append(("drop-hyp", f"fixed parameter {name} freed", out))
    if claim.get("scope") == "reduced_interior":
        scope.append(("scope", "scope reduced_interior -> all", _set(data, ("claim", "scope"), "all")))
    if claim.get("positive") is True:
        out = copy.deepcopy(data)
        del out["claim"]["positive"]
        scope.append(("scope", "positive = true dropped", out))
    rel = claim.get("relation")
    for new in {"iff": ("if", "only_if"), "if": ("iff",), "only_if": ("iff",),
                "exactly": ("at_least",), "at_least": ("exactly",)}.get(rel, ()):
        relation.append(("relation", f"relation {rel} -> {new}", _set(data, ("claim", "relation"), new)))
    for name, value in sorted(game.get("parameters", {}).items()):
        for path, x in _numbers(value, ("game", "parameters", name)):
            for label, y in ((f"{x} + 1/7", x + Fraction(1, 7)), (f"2*{x}", 2 * x)):
                if y != x:
                    param.append(("param", f"{'.'.join(map(str, path[2:]))}: {x} -> {label}",
                                  _set(data, path, str(y))))
    if isinstance(claim.get("count"), int):
        for delta in (-1, 1):
            if claim["count"] + delta >= 0:
                count.append(("count", f"count {claim['count']} -> {claim['count'] + delta}",
                              _set(data, ("claim", "count"), claim["count"] + delta)))
    if isinstance(claim.get("group"), int) and isinstance(game.get("groups"), int):
        g = (claim["group"] + 1) % game["groups"]
        count.append(("count", f"group {claim['group']} -> {g}", _set(data, ("claim", "group"), g)))
    return shift, drop, scope, relation, param, count


def _numbers(value, path):
    if isinstance(value, list):
        for k, x in enumerate(value):
            yield from _numbers(x, path + (k,))
    elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            yield path, Fraction(str(value))
        except (ValueError, ZeroDivisionError):
            return


def mutants(path: Path) -> list:
    """The mutants of one claim file: ``[(name, operator, description, table)]``, deterministic."""
    with open(path, "rb") as fh:
        original = tomllib.load(fh)
    base = trimmed(original)
    groups = [*_structural(base), *_text_mutants(base)]
    picked = [("base", "trimmed original (one N, no samples)", base)]
    seen = {repr(base)}
    k = 0
    while len(picked) < PER_CLAIM and any(groups):
        group = groups[k % len(groups)]
        k += 1
        if group:
            op, desc, table = group.pop(0)
            if repr(table) not in seen:
                seen.add(repr(table))
                picked.append((op, desc, table))
    stem = f"{path.parent.name}__{path.stem}"
    out = []
    for j, (op, desc, table) in enumerate(picked):
        name = f"{stem}__{j:02d}_{op}"
        table = copy.deepcopy(table)
        table["id"] = f"{original['id']}~{j:02d}-{op}"
        note = f"Mutant of {path.resolve().relative_to(ROOT).as_posix()} by operator {op}: {desc}."
        table["notes"] = note
        out.append((name, op, desc, table))
    return out


def generate(out_dir: Path = OUT) -> list:
    """Write every valid mutant of every shipped claim to ``out_dir``; return the rows of the manifest."""
    import tomli_w

    from symalign.claims.schema import claim_files, load_claim
    from symalign.errors import SymalignError
    from symalign.io.atomic import atomic_output

    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for src in claim_files([THEOREMS]):
        for name, op, desc, table in mutants(src):
            text = f"# generated by tests/theorems/mutant_ops.py -- do not edit\n{tomli_w.dumps(table)}"
            target = out_dir / f"{name}.toml"
            tmp = out_dir / f".{name}.probe.toml"
            tmp.write_text(text, encoding="utf-8")
            try:
                load_claim(tmp)
            except (SymalignError, ValueError, TypeError) as exc:
                print(f"discarded {name}: {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
                continue
            finally:
                tmp.unlink()
            with atomic_output(target) as part:
                Path(part).write_text(text, encoding="utf-8")
            rows.append({"file": target.name, "source": src.relative_to(ROOT).as_posix(), "operator": op,
                         "description": desc})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    made = generate()
    print(f"{len(made)} mutants written to {OUT.relative_to(ROOT)}")

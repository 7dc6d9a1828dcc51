"""Regenerate symalign/io/schemas/claim-1.json from the claim loader's tables (claims/schema.py).

Run ``python tests/unit/_claim_schema.py symalign/io/schemas/claim-1.json`` after changing the claim kinds or
fields; tests/unit/test_schemas.py fails while the two disagree.
"""
import json, sys
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from symalign.claims import schema as s
expr = {"type": "string", "minLength": 1}
num_or_expr = {"oneOf": [{"type": "string", "minLength": 1}, {"type": "number"}]}
field_types = {
    "condition": expr, "relation": None, "property": None, "eigenvalues": {"type": "array", "items": expr},
    "map": None, "argument": expr, "positive": {"type": "boolean"}, "weights": {"oneOf": [expr, {"type": "array"}]},
    "support": None, "lhs": expr, "rhs": expr, "process": None, "modulus": expr, "lipschitz": expr,
    "step": num_or_expr, "iterations": {"type": "integer", "minimum": 1}, "starts": {"type": "integer", "minimum": 1},
    "seed": {"type": "integer", "minimum": 0}, "group": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]},
    "scope": None, "amount": expr, "count": {"type": "integer", "minimum": 0}, "only": {"type": "boolean"},
    "wrt": {"type": "string"}, "of": None, "agent": {"type": "integer", "minimum": 0}, "parameter": {"type": "string"},
    "derivative": expr, "sign": None,
    "define": {"type": "array", "items": {"type": "object", "required": ["name", "body"], "additionalProperties": False,
               "properties": {"name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                              "args": {"type": "array", "items": {"type": "string"}}, "body": expr}}},
    "solve_for": {"type": "string"},
}
branches = []
for kind, (req, opt) in s._CLAIM.items():
    props = {}
    for f in sorted(req | opt | s._COMMON):
        t = field_types.get(f)
        choices = s._CHOICES.get(f)
        if f == "property":
            choices = s._PROPERTIES.get(kind)
        if f == "scope":
            choices = s._SCOPES.get(kind, s._CHOICES["scope"])
        if f == "relation" and kind in s._RELATIONS:
            choices = s._RELATIONS[kind]
        if choices:
            t = {"enum": list(choices)}
        props[f] = t if t is not None else {"type": "string"}
    branches.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                     "then": {"properties": {"claim": {"type": "object", "required": sorted(req),
                                                        "properties": props, "additionalProperties": False}}}})
schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://symalign.invalid/schemas/claim-1.json",
    "title": "symalign claim file",
    "description": "One theorem per TOML file (theorems/<source>/<claim>.toml); see theorems/README.md. "
                   "Expressions are strings in symalign's whitelisted expression language.",
    "type": "object",
    "required": ["id", "reference", "kind", "status", "statement", "game", "claim"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1}, "title": {"type": "string"}, "reference": {"type": "string"},
        "kind": {"enum": list(s.KINDS)}, "status": {"enum": list(s.STATUSES)},
        "statement": {"type": "string"}, "latex": {"type": ["string", "object"]}, "notes": {"type": "string"},
        "hypotheses": {"type": "array", "items": expr},
        "symbols": {"type": "object", "additionalProperties": {"enum": sorted(s._ASSUMPTIONS)}},
        "game": {"type": "object"},
        "claim": {"type": "object"},
        "counterexample": {"type": "object"},
    },
    "allOf": branches,
}
schema["properties"]["symbols"]["additionalProperties"]["title"] = "assumption"
json.dump(schema, open(sys.argv[1], "w"), indent=2)
open(sys.argv[1], "a").write("\n")

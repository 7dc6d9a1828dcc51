"""The published JSON Schemas: valid documents, in step with the readers, enforced with one-line errors."""

from __future__ import annotations

import decimal
import json
import tomllib

import pytest
from jsonschema import Draft202012Validator

from symalign.claims import schema as claim_schema
from symalign.claims.schema import load_claim
from symalign.errors import GameFileError
from symalign.io import gamefile
from symalign.io.gamefile import load_game
from symalign.io.resources import examples_dir, theorems_dir
from symalign.io.schema import SCHEMAS, schema, validate

THEOREMS = sorted(theorems_dir().rglob("*.toml"))
EXAMPLES = sorted(examples_dir().glob("*.toml"))


def _toml(path):
    return tomllib.loads(path.read_text(encoding="utf-8"), parse_float=decimal.Decimal)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_documents_are_valid_json_schema(name):
    Draft202012Validator.check_schema(schema(name))
    assert schema(name)["$id"].endswith(SCHEMAS[name])


def test_shipped_files_validate():
    assert len(THEOREMS) >= 20 and len(EXAMPLES) >= 5
    for path in THEOREMS:
        validate(_toml(path), "claim", path)
    for path in EXAMPLES:
        validate(_toml(path), "game", path)


def test_claim_schema_in_step_with_the_loader():
    """Regenerate with ``python tests/unit/_claim_schema.py symalign/io/schemas/claim-1.json``."""
    doc = schema("claim")
    assert set(doc["properties"]) == claim_schema._TOP
    assert doc["properties"]["kind"]["enum"] == list(claim_schema.KINDS)
    assert doc["properties"]["status"]["enum"] == list(claim_schema.STATUSES)
    branches = {b["if"]["properties"]["kind"]["const"]: b["then"]["properties"]["claim"] for b in doc["allOf"]}
    assert set(branches) == set(claim_schema.KINDS)
    for kind, (required, optional) in claim_schema._CLAIM.items():
        assert set(branches[kind]["required"]) == required, kind
        assert set(branches[kind]["properties"]) == required | optional | claim_schema._COMMON, kind
        if "scope" in optional:
            scopes = claim_schema._SCOPES.get(kind, claim_schema._CHOICES["scope"])
            assert branches[kind]["properties"]["scope"]["enum"] == list(scopes), kind


def test_game_schema_in_step_with_the_reader():
    doc = schema("game")
    assert set(doc["properties"]) == gamefile._TOP
    assert set(doc["required"]) == {"agents", "groups", "family"}
    fields = {b["required"][0] for b in doc["allOf"][0]["then"]["not"]["anyOf"]}
    assert fields == set(gamefile.CUSTOM_FIELDS)


GAME = next(p for p in EXAMPLES if p.name == "interior_4x3.toml")


@pytest.mark.parametrize("change,field,hint", [
    (("agents = 4", "agents = 4"), None, None),
    (('family = "active_alignment"', 'famly = "active_alignment"'), "famly", "did you mean 'family'?"),
    (("agents = 4", 'agents = "4"'), "agents", "must be an integer"),
    (('groups = ["left", "centre", "right"]', 'groups = ["left", "left", "right"]'), "groups", "distinct"),
    (('variant = "overlap"', 'variant = "overlap"\nutility = "w[0]"'), "utility", 'only allowed with family = "custom"'),
])
def test_game_reader_enforces_the_schema(tmp_path, change, field, hint):
    path = tmp_path / "g.toml"
    path.write_text(GAME.read_text(encoding="utf-8").replace(*change))
    if field is None:
        assert load_game(path).n_agents == 4
        return
    with pytest.raises(GameFileError) as info:
        load_game(path)
    msg = str(info.value)
    assert str(path) in msg and f"field '{field}'" in msg and hint in msg and "\n" not in msg


def test_claim_reader_suggests_the_nearest_name(tmp_path):
    src = next(p for p in THEOREMS if p.name == "T2_uniqueness_overlap.toml")
    path = tmp_path / "c.toml"
    path.write_text(src.read_text().replace("condition =", "conditon ="))
    with pytest.raises(GameFileError, match=r"field 'claim.conditon'.*did you mean 'condition'\?"):
        load_claim(path)
    path.write_text(src.read_text().replace('kind = "uniqueness"', 'kind = "uniquness"'))
    with pytest.raises(GameFileError, match=r"did you mean 'uniqueness'\?"):
        load_claim(path)


def test_results_schema_rejects_a_broken_document():
    good = {"schema_version": "1.0", "tool": {"name": "symalign", "version": "0.1.0"}, "python": "3.11",
            "dependencies": {"sympy": "1.14"}, "created": "2026-12-07T00:00:00Z", "conventions": {},
            "claims": [{"path": "theorems/x.toml", "status": "proved", "ok": True}],
            "scenario": {"title": "t", "equilibrium": {}, "unique": True, "exclusion": [], "minimal_subsidies": []},
            "figures": [], "all_claims_as_stated": True, "seconds": 1.0}
    validate(json.loads(json.dumps(good)), "results")
    with pytest.raises(GameFileError, match="claims\\[0\\].status"):
        validate({**good, "claims": [{"path": "x", "status": "sure", "ok": True}]}, "results", "results.json")

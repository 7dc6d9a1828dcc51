"""Malformed files: every field of a game file replaced by values of the wrong type, sign, size or form.

Cases are generated (field x bad value); each must end in a policy exit (0/1/2) and, when refused, one line
naming the file, never a traceback.
"""

from __future__ import annotations

import pytest

from conftest import BASE, CUSTOM, ROOT, assert_clean_error, assert_no_crash, cli, write

BAD_VALUES = [
    "[]", "{}", '""', '"x"', "-1", "0", "1.5", "true", "inf", "nan", "-inf", "1e400",
    "[[[[1]]]]", '"nan"', '"inf"', '"-Infinity"', '"1e400"', "9" * 3000, f'"{"9" * 3000}"', '"sqrt(-1)"',
    '"log(-1)"', '"1/0"', '"sqrt(2)**4999"', '"2**100000"', '"x" ', "{ a = 1 }", "[1, [2]]", '["a", 1]',
    "1979-05-27T07:32:00Z", '"\\u0000"', '"' + "(" * 200 + '"',
]
FIELDS = {
    "agents": "agents = 2", "groups": 'groups = ["x", "y", "z"]', "family": 'family = "active_alignment"',
    "variant": 'variant = "overlap"', "alpha": "alpha = 1", "beta": "beta = 2", "gamma": "gamma = 0.5",
    "a": "a = [[1, 0, 0.5], [0, 1, 0.5]]", "p": "p = [0.4, 0.4, 0.2]",
}


def _mutate(field, value):
    line = FIELDS[field]
    return BASE.replace(line, f"{line.split(' = ')[0]} = {value}")


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_bad_field_values(tmp_path, field, value):
    res = cli("solve", write(tmp_path, _mutate(field, value)))
    assert_no_crash(res)
    if res.exit_code == 2:
        assert "game.toml" in res.stderr


CUSTOM_FIELDS = {
    "utility": 'utility = "sum(a[d]*w[d], d) - sum(w[d]**2, d)"',
    "kinds": "[parameters]",
    "signs": "[parameters]",
    "hypotheses": "[parameters]",
    "strictly_concave": "[parameters]",
}


@pytest.mark.parametrize("value", BAD_VALUES[:20])
@pytest.mark.parametrize("field", sorted(CUSTOM_FIELDS))
def test_bad_custom_fields(tmp_path, field, value):
    anchor = CUSTOM_FIELDS[field]
    if field == "utility":
        text = CUSTOM.replace(anchor, f"utility = {value}")
    elif field in ("kinds", "signs"):
        text = CUSTOM.replace(anchor, f"{field} = {value}\n{anchor}" if not value.startswith("{") else
                              f"[{field}]\na = {value}\n{anchor}")
    else:
        text = CUSTOM.replace(anchor, f"{field} = {value}\n{anchor}")
    res = cli("solve", write(tmp_path, text))
    assert_no_crash(res)


@pytest.mark.parametrize("table, value", [("kinds", '"matrix"'), ("kinds", "3"), ("kinds", "[1]"),
                                          ("signs", '"huge"'), ("signs", "true"), ("signs", "{x = 1}")])
def test_kinds_and_signs_errors_name_their_field(tmp_path, table, value):
    text = CUSTOM.replace("[parameters]", f"[{table}]\na = {value}\n[parameters]")
    assert_clean_error(cli("solve", write(tmp_path, text)), f"{table}.a")


def test_hypothesis_errors_name_the_hypotheses_field(tmp_path):
    text = CUSTOM.replace("[parameters]", 'hypotheses = ["b > 0"]\n[parameters]')
    assert_clean_error(cli("solve", write(tmp_path, text)), "'hypotheses'")


@pytest.mark.parametrize("text", ['alpha = "nan"', 'alpha = "inf"', 'alpha = "-Infinity"'])
def test_nan_strings_are_not_symbols(tmp_path, text):
    assert_clean_error(cli("solve", write(tmp_path, BASE.replace("alpha = 1", text))), "parameters.alpha", "finite")


@pytest.mark.parametrize("text, needle", [
    ('alpha = "1e400"', "number_digits"), ("alpha = " + "9" * 3000, "number_digits"),
    ('alpha = "sqrt(-1)"', "complex"), ('gamma = "sqrt(2)**4999"', "number_digits"),
])
def test_overflowing_numbers_are_refused(tmp_path, text, needle):
    line = "gamma = 0.5" if text.startswith("gamma") else "alpha = 1"
    assert_clean_error(cli("solve", write(tmp_path, BASE.replace(line, text))), needle)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    res = cli("solve", path)
    assert res.exit_code == 0, res.stderr


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00a", b"agents = 2\x00", b"\x80\x81", b""])
def test_binary_or_empty_files(tmp_path, raw):
    path = tmp_path / "bin.toml"
    path.write_bytes(raw)
    assert_clean_error(cli("solve", path), "bin.toml")


@pytest.mark.parametrize("depth", [60, 1000, 100_000])
def test_deeply_nested_toml(tmp_path, depth):
    text = BASE.replace("alpha = 1", "alpha = " + "[" * depth + "1" + "]" * depth)
    assert_clean_error(cli("solve", write(tmp_path, text)), "nested deeper")


def test_flat_long_sum_is_not_called_nested(tmp_path):
    util = " + ".join(f"{k}*w[0]" for k in range(150)) + " - sum(w[d]**2, d)"
    res = cli("solve", write(tmp_path, CUSTOM.replace("sum(a[d]*w[d], d) - sum(w[d]**2, d)", util)))
    assert res.exit_code == 0, res.stderr


@pytest.mark.parametrize("command", ["solve", "derive", "exclusion", "steer", "latex", "verify"])
def test_same_malformed_file_same_exit_status_everywhere(tmp_path, command):
    path = write(tmp_path, "agents = 2\ngroups = [")
    extra = ["--include", "x"] if command == "steer" else []
    res = cli(command, path, *extra)
    assert res.exit_code == 2, (command, res.stdout, res.stderr)
    assert "Traceback" not in res.stdout + res.stderr


CLAIM = (ROOT / "theorems" / "active_alignment" / "T2_uniqueness_overlap.toml").read_text()
CLAIM_FIELDS = {
    "id": 'id = "T2-uniqueness-overlap"', "kind": 'kind = "uniqueness"', "status": 'status = "proved"',
    "variant": 'variant = "overlap"', "homogeneous": "homogeneous = true", "agents": 'agents = [2, 3, 4, 5, 6, "N"]',
    "groups": "groups = 3", "samples": "samples = [{agents = 4, groups = 3, count = 3}]",
    "property": 'property = "dsc"', "relation": 'relation = "iff"', "condition": 'condition = "gamma < beta*(N - 1)"',
    "eigenvalues": 'eigenvalues = ["beta + gamma", "beta - gamma/(N - 1)"]', "solve_for": 'solve_for = "gamma"',
}
CLAIM_BAD = ["[]", "{}", '""', "-1", "0", "true", "nan", "1e400", "[[[[1]]]]", '"nan"', '"1e400"', '"sqrt(-1)"',
             '["a", 1]', "{ a = 1 }", '"' + "(" * 200 + '"', '"x"', "100000", '[{agents = 100000, groups = 3}]']


FAST_CLAIM_BAD = ["[]", "true", '"nan"', '"sqrt(-1)"', "{ a = 1 }", "100000", "[{agents = 100000, groups = 3}]"]


@pytest.mark.parametrize("value", [pytest.param(v, marks=() if v in FAST_CLAIM_BAD else pytest.mark.slow)
                                   for v in CLAIM_BAD])
@pytest.mark.parametrize("field", sorted(CLAIM_FIELDS))
def test_bad_claim_fields(tmp_path, field, value):
    line = CLAIM_FIELDS[field]
    text = CLAIM.replace(line, f"{line.split(' = ')[0]} = {value}", 1)
    res = cli("verify", "--time-limit", "60", write(tmp_path, text, "claim.toml"))
    assert_no_crash(res)


@pytest.mark.parametrize("extra", ['symbols = 3', 'symbols = ["x", 1]', 'symbols = {x = 3}', 'symbols = {x = "huge"}',
                                   "[[claim.define]]\nname = 3", '[[claim.define]]\nname = "f"\nargs = 3\nbody = "1"'])
def test_bad_claim_tables(tmp_path, extra):
    res = cli("verify", write(tmp_path, CLAIM + "\n" + extra + "\n", "claim.toml"))
    assert_no_crash(res)

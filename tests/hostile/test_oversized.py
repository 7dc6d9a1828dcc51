"""Oversized input fails fast with one line naming the limit and the flag that raises it."""

from __future__ import annotations

import time

import pytest

from conftest import BASE, CUSTOM, assert_clean_error, cli, write
from symalign import Game, LimitExceeded, get_family
from symalign.core import limits


def _custom(utility, agents=2):
    return CUSTOM.replace('utility = "sum(a[d]*w[d], d) - sum(w[d]**2, d)"', f'utility = "{utility}"').replace(
        "agents = 2", f"agents = {agents}").replace("a = [[1, 2], [3, 4]]", "a = [1, 2]\n[kinds]\na = \"vector\"")


CASES = [
    ("agents", BASE.replace("agents = 2", "agents = 100000").replace("alpha = 1", "alpha = [1, 2]"), "--limit agents=N"),
    ("agents", BASE.replace("agents = 2", "agents = 65").replace("a = [[1, 0, 0.5], [0, 1, 0.5]]", "a = [[1, 0, 0.5]]"),
     "--limit agents=N"),
    ("groups", BASE.replace('groups = ["x", "y", "z"]', "groups = [" + ", ".join(f'"g{k}"' for k in range(100_000)) + "]"),
     "--limit groups=N"),
    ("groups", BASE.replace('groups = ["x", "y", "z"]', "groups = [" + ", ".join(f'"g{k}"' for k in range(65)) + "]"),
     "--limit groups=N"),
    ("degree", _custom("(w[0] + m[0] + 1)**10000"), "--limit expression_degree=N"),
    ("degree", _custom("(w[0] + m[0] + 1)**101"), "--limit expression_degree=N"),
    ("degree", _custom("((w[0]+1)**10)**11"), "--limit expression_degree=N"),
    ("digits", _custom("sqrt(2)**4999*w[0]"), "--limit number_digits=N"),
    ("digits", _custom("2**400*w[0]"), "--limit number_digits=N"),
    ("nested sums", _custom("sum_agents(sum_agents(W[j][0]*W[k][0], k), j)", agents=300), "--limit agents=N"),
    ("length", _custom("+".join(["w[0]"] * 3000)), "--limit expression_chars=N"),
    ("file size", BASE + "# " + "x" * 1_100_000 + "\n", "--limit file_bytes=N"),
]


@pytest.mark.parametrize("what, text, flag", CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
def test_oversized_game_fails_fast_naming_limit_and_flag(tmp_path, what, text, flag):
    t0 = time.perf_counter()
    assert_clean_error(cli("solve", write(tmp_path, text)), flag)
    assert time.perf_counter() - t0 < 20  # generous: fail fast, never the old minutes


def test_limit_flag_sets_the_limit(tmp_path):
    path = write(tmp_path, _custom("sum(a[d]*w[d], d) - sum(w[d]**4, d)"))
    assert cli("solve", path).exit_code == 0
    assert_clean_error(cli("solve", path, "--limit", "expression_degree=3"), "expression_degree = 3")
    assert cli("solve", path, "--limit", "expression_degree=4").exit_code == 0


@pytest.mark.parametrize("bad", ["agents", "agents=", "agents=-1", "agents=x", "nolimit=3", "agents=1e9", "=3"])
def test_bad_limit_option(tmp_path, bad):
    assert_clean_error(cli("solve", write(tmp_path, BASE), "--limit", bad), "--limit")


def test_closed_form_claim_with_huge_power(tmp_path):
    claim = """id = "huge"
title = "x"
reference = "none"
kind = "closed_form"
status = "derived"
statement = "x"
[game]
family = "active_alignment"
variant = "overlap"
homogeneous = true
instances = [{agents = 2, groups = 2}]
[claim]
weights = "(alpha + beta + gamma + 1)**300"
"""
    t0 = time.perf_counter()
    res = cli("verify", "--json", write(tmp_path, claim, "claim.toml"))
    assert res.exit_code == 2 and "Traceback" not in res.stdout + res.stderr
    row = __import__("json").loads(res.stdout)["claims"][0]
    assert row["status"] == "invalid" and "expression_degree" in row["detail"], row
    assert time.perf_counter() - t0 < 30


def test_sweep_grid_limit(tmp_path):
    res = cli("sweep", write(tmp_path, BASE), "--x", "beta=0.1:5:10000", "--y", "gamma=0:5:10000",
              "--out", tmp_path / "f.png")
    assert_clean_error(res, "grid_points", "--limit grid_points=N")
    assert not (tmp_path / "f.png").exists()


def test_python_api_limits():
    fam = get_family("active_alignment", "overlap")
    with pytest.raises(LimitExceeded, match="agents"):
        Game.symbolic(fam, 100_000, 2)
    with pytest.raises(LimitExceeded, match="groups"):
        Game.symbolic(fam, 2, 10**9)
    with pytest.raises(LimitExceeded, match="groups"):
        Game.symbolic(fam, 2, (f"g{k}" for k in range(10**12)))  # an endless generator is not drained
    with limits.override(agents=70):
        assert Game.symbolic(fam, 70, 2).n_agents == 70


def test_homogeneous_large_n_goes_through_the_symbolic_n_route(tmp_path):
    text = BASE.replace("agents = 2", "agents = 100000").replace("a = [[1, 0, 0.5], [0, 1, 0.5]]", "a = [1, 0, 0.5]")
    t0 = time.perf_counter()
    res = cli("solve", write(tmp_path, text), "--json")
    assert res.exit_code == 0, res.stderr
    import json

    eq = json.loads(res.stdout)["equilibria"][0]
    assert eq["n_agents"] == 100000 and eq["checked"] and eq["route"].startswith("mean-field")
    assert time.perf_counter() - t0 < 30

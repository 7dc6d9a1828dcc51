"""Injections: no text from a file, an option or an API argument is ever executed (canary file)."""

from __future__ import annotations

import pytest
import sympy as sp

from conftest import BASE, CUSTOM, assert_clean_error, assert_no_crash, cli, payloads, write
from symalign import Game, SymalignError, derive_on_support, exclusion_conditions, get_family
from symalign.analysis.steering import shift_attractiveness

N_PAYLOADS = len(payloads(__import__("pathlib").Path("/x")))
_toml = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')  # noqa: E731


def _sites(p):
    """(command, file text) pairs that put payload ``p`` where an expression is read."""
    q = _toml(p)
    return [
        ("solve", BASE.replace("gamma = 0.5", f'gamma = "{q}"')),
        ("solve", BASE.replace("a = [[1, 0, 0.5], [0, 1, 0.5]]", f'a = [[1, 0, "{q}"], [0, 1, 0.5]]')),
        ("solve", CUSTOM.replace('utility = "sum(a[d]*w[d], d) - sum(w[d]**2, d)"', f'utility = "{q}"')),
        ("solve", CUSTOM.replace("[parameters]", f'hypotheses = ["{q}"]\n[parameters]')),
        ("derive", BASE.replace("beta = 2", f'beta = "{q}"')),
        ("latex", BASE.replace("alpha = 1", f'alpha = "{q}"')),
    ]


@pytest.mark.parametrize("k", range(N_PAYLOADS))
@pytest.mark.parametrize("site", range(6))
def test_payload_in_game_file_is_refused(tmp_path, canary, k, site):
    p = payloads(canary)[k]
    command, text = _sites(p)[site]
    res = cli(command, write(tmp_path, text))
    assert_clean_error(res, "game.toml")


@pytest.mark.parametrize("k", range(N_PAYLOADS))
def test_payload_in_claim_file_is_refused(tmp_path, canary, k):
    p = _toml(payloads(canary)[k])
    claim = f"""id = "x"
title = "x"
kind = "uniqueness"
status = "proved"
statement = "x"
[game]
family = "active_alignment"
variant = "overlap"
homogeneous = true
agents = [2]
groups = 2
[claim]
property = "dsc"
relation = "iff"
condition = "{p}"
"""
    res = cli("verify", write(tmp_path, claim, "claim.toml"))
    assert res.exit_code == 2 and "Traceback" not in res.stdout + res.stderr
    assert "INVALID" in res.stdout


@pytest.mark.parametrize("k", range(N_PAYLOADS))
@pytest.mark.parametrize("option", ["--support", "--x", "--target", "--include", "--color"])
def test_payload_in_command_options_is_refused(tmp_path, canary, k, option):
    p = payloads(canary)[k]
    game = write(tmp_path, BASE)
    args = {
        "--support": ["derive", game, "--support", p],
        "--x": ["sweep", game, "--x", f"beta={p}:2:3", "--y", "gamma=0:1:3", "--out", tmp_path / "f.png"],
        "--target": ["steer", game, "--target", p],
        "--include": ["steer", game, "--include", p],
        "--color": ["sweep", game, "--x", "beta=1:2:3", "--y", "gamma=0:1:3", "--out", tmp_path / "f.png",
                    "--color", f"weight:{p}"],
    }[option]
    res = cli(*args)
    assert_no_crash(res)
    assert res.exit_code == 2


@pytest.fixture(scope="module")
def api_objects():
    fam = get_family("active_alignment", "overlap")
    sym = Game.symbolic(fam, 2, ["x", "y"])
    num = Game.create(fam, 2, ["x", "y"], alpha=1, beta=2, gamma=0, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    cond = exclusion_conditions(Game.symbolic(fam, 2, ["x", "y", "z"]))[0]
    return fam, sym, num, derive_on_support(sym), cond


@pytest.mark.parametrize("k", range(N_PAYLOADS))
def test_payload_in_python_api_is_refused(canary, api_objects, k):
    p = payloads(canary)[k]
    fam, sym, num, eq, cond = api_objects
    calls = [
        lambda: sym.subs({"gamma": p}),
        lambda: sym.subs({p: 1}),
        lambda: eq.subs({"beta": p}),
        lambda: shift_attractiveness(num, {"x": p}),
        lambda: shift_attractiveness(num, [p, 0]),
        lambda: Game.create(fam, 2, ["x", "y"], alpha=p, beta=2, gamma=0, a=[[1, 0], [0, 1]], p=[0.5, 0.5]),
        lambda: cond.at({"gamma": p}),
    ]
    for call in calls:
        with pytest.raises(SymalignError):
            call()


def test_group_names_are_names_not_code(tmp_path, canary):
    """A payload as a group name is only a label: it is printed, never run."""
    p = _toml(payloads(canary)[0])
    res = cli("solve", write(tmp_path, BASE.replace('groups = ["x", "y", "z"]', f'groups = ["{p}", "y", "z"]')))
    assert_no_crash(res)


def test_strings_become_exact_values_not_evaluated():
    fam = get_family("active_alignment", "overlap")
    sym = Game.symbolic(fam, 2, ["x", "y"])
    assert sym.subs({"gamma": "beta/2"}).param("gamma", 0) == sp.Symbol("beta", positive=True) / 2

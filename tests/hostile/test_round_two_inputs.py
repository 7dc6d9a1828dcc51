"""Round two (issue 22) of hostile input: sizes refused before work, no internal error, exceptions that travel,
the CLI contract and the trust boundary."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import BASE, CUSTOM, ROOT, assert_clean_error, cli, json_error, run_capped, write
from symalign import errors

CLAIM = ROOT / "theorems" / "active_alignment" / "T0_existence_overlap.toml"


# -- 6 / 8: numbers, nesting, strategy counts, sweep ranges: refused fast, naming file, field, value, limit ----------

NUMBERS = {
    "decimal 1e5000": BASE.replace("beta = 2", "beta = 1e5000"),
    "decimal 1e10000000": BASE.replace("beta = 2", "beta = 1e10000000"),
    "decimal 1e-10000000": BASE.replace("beta = 2", "beta = 1e-10000000"),
    "integer of 5000 digits": BASE.replace("beta = 2", "beta = 1" + "0" * 5000),
    "string fraction": BASE.replace("beta = 2", 'beta = "1/1' + "0" * 5000 + '"'),
}


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_huge_numbers_are_refused_fast_by_the_digit_limit(tmp_path, case):
    t0 = time.perf_counter()
    line = assert_clean_error(cli("solve", write(tmp_path, NUMBERS[case])), "game.toml", "beta", "number_digits",
                              "--limit number_digits=N")
    assert time.perf_counter() - t0 < 20, line


def test_exp_tower_is_refused_by_the_digit_limit(tmp_path):
    text = CUSTOM.replace("sum(a[d]*w[d], d)", "exp(exp(exp(exp(10))))*w[0]")
    assert_clean_error(cli("solve", write(tmp_path, text)), "game.toml", "utility", "number_digits")


@pytest.mark.parametrize("key", ["x" + ".a" * 20_000 + " = 1", "[" + ".".join(["t"] * 60) + "]\nz = 1",
                                 "q = {" + ".".join(["a"] * 60) + " = 1}"], ids=["dotted", "header", "inline"])
def test_deep_dotted_keys_are_refused_before_parsing(tmp_path, key):
    t0 = time.perf_counter()
    assert_clean_error(cli("solve", write(tmp_path, BASE + key + "\n")), "game.toml", "nested deeper than 50")
    assert time.perf_counter() - t0 < 10


def test_nesting_check_leaves_ordinary_dotted_keys_and_decimals_alone(tmp_path):
    from symalign.io.gamefile import read_toml

    deep = ".".join(["k"] * 40)
    data = read_toml(write(tmp_path, f"x.y.z = 1.5\n{deep} = 'a.b'\n[t.u]\nv = {{w.x = 2.5, y = [1.5, 2.5]}}\n"))
    assert data["x"]["y"]["z"] == 1.5 and data["t"]["u"]["v"]["w"]["x"] == 2.5


NFG = {
    "strategies": ('NFG 1 R "t" { "A" "B" } { 100000000000 2 }\n1 2 3 4\n', "groups"),
    "payoff digits": ('NFG 1 R "t" { "A" "B" } { 2 2 }\n1e10000000 2 3 4 5 6 7 8\n', "number_digits"),
}


@pytest.mark.parametrize("case", sorted(NFG))
def test_nfg_sizes_are_refused_before_work(tmp_path, case):
    text, limit = NFG[case]
    t0 = time.perf_counter()
    assert_clean_error(cli("convert", write(tmp_path, text, "g.nfg")), "g.nfg", limit, f"--limit {limit}=N")
    assert time.perf_counter() - t0 < 10


@pytest.mark.parametrize("axis", ["beta=0.5:1e300:10", "beta=1e-300:1:10", "beta=0.5:1e13:10"])
def test_sweep_ranges_are_limited(tmp_path, axis):
    res = cli("sweep", write(tmp_path, BASE), "--x", axis, "--y", "gamma=0:1:10", "--out", tmp_path / "f.png")
    assert_clean_error(res, "--x", "sweep_exponent", "--limit sweep_exponent=N")
    assert "computing" not in res.stderr and "Warning" not in res.stderr


@pytest.mark.parametrize("alpha", ["1e99", "1e-99"])
def test_sweep_of_a_game_with_extreme_fixed_parameters_is_refused_before_work(tmp_path, alpha):
    game = write(tmp_path, BASE.replace("alpha = 1", f"alpha = {alpha}"))
    res = cli("sweep", game, "--x", "beta=1:2:5", "--y", "gamma=0:1:5", "--out", tmp_path / "f.png")
    assert_clean_error(res, "game.toml", "parameters.alpha", "sweep_exponent")
    assert "computing" not in res.stderr


def test_sweep_range_limit_can_be_raised(tmp_path):
    from symalign.analysis.sweep import parse_axis
    from symalign.core.limits import override

    with override(sweep_exponent=14):
        assert parse_axis("beta=0.5:1e13:3", "--x").num == 3


# -- 6: the other internal errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, needle", [
    (["--time-limit", "1e308"], "--time-limit"), (["--memory-limit", "1e308"], "--memory-limit"),
    (["--plugin", "..evil"], "plugin"), (["--plugin", "os.path..x"], "plugin"),
])
def test_option_values_that_crashed(tmp_path, args, needle):
    assert_clean_error(cli("solve", write(tmp_path, BASE), *args), needle)


def test_campaign_negative_seed_is_a_usage_error():
    assert_clean_error(cli("campaign", "--games", 10, "--local", "--seed", -1), "--seed")


def test_hypothesis_source_under_a_time_limit_reports_the_budget():
    res = run_capped(["campaign", "--source", "hypothesis", "--games", 5000, "--chunk", 5000, "--local",
                      "--time-limit", 3], seconds=120)
    assert res.returncode == 2, res.stderr[-800:]
    err = res.stderr.strip().split("\n")[-1]
    assert "time budget" in err and "--time-limit" in err and "Flaky" not in res.stderr, res.stderr[-800:]


@pytest.mark.slow
def test_campaign_small_memory_limit_is_one_line():
    res = run_capped(["campaign", "--games", 2000, "--memory-limit", 400], seconds=300, memory_mb=8192)
    assert res.returncode == 2, res.stderr[-800:]
    assert "Traceback" not in res.stderr and "Nanny" not in res.stderr, res.stderr[-1500:]
    assert res.stderr.strip().split("\n")[-1].startswith("symalign: error:")


def test_closed_stdout(tmp_path):
    game = write(tmp_path, BASE)
    run = lambda *a: subprocess.run([sys.executable, "-m", "symalign.cli.app", *map(str, a)],  # noqa: E731
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120,
                                    env={**os.environ, "PYTHONPATH": str(ROOT)}, close_fds=True,
                                    preexec_fn=lambda: os.close(1))
    res = run("solve", game)
    assert res.returncode == 2 and "standard output is closed" in res.stderr, res.stderr
    out = tmp_path / "o.txt"
    res = run("solve", game, "-o", out)
    assert res.returncode == 0, res.stderr
    assert "agent" in out.read_text()


def test_non_ascii_name_on_a_latin1_terminal(tmp_path):
    game = write(tmp_path, BASE.replace('"x", "y", "z"', '"ł", "y", "z"'))
    res = run_capped(["solve", game], env={"PYTHONIOENCODING": "latin-1"})
    assert res.returncode == 0, res.stderr[-500:]
    assert "\\u0142" in res.stdout


def test_debug_keeps_exit_3_and_shows_the_traceback(tmp_path, monkeypatch):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("symalign.numeric.solve.solve", bug)  # imported by the command when it runs
    monkeypatch.setenv("SYMALIGN_DEBUG", "1")
    res = cli("solve", write(tmp_path, BASE))
    assert res.exit_code == 3, (res.exit_code, res.stderr[-500:])
    assert "Traceback" in res.stderr and "ZeroDivisionError: a bug" in res.stderr
    monkeypatch.delenv("SYMALIGN_DEBUG")
    res = cli("solve", write(tmp_path, BASE))
    assert res.exit_code == 3 and "Traceback" not in res.stderr


# -- 7: exceptions that pickle -----------------------------------------------------------------------------------

EXCEPTIONS = [
    errors.InputError("beta", -2, "must be > 0"), errors.ArgumentTypeError("w", "x", "expected a list"),
    errors.LimitExceeded("agents", 65, "agents", 64, "--limit agents=N"), errors.OutputError("--out", "x", "dir"),
    errors.GameFileError("g.toml", "parameters.beta", -2, "must be > 0"), errors.ExpressionError("x+", "+", "bad"),
    errors.BudgetExceeded("solve", "time", 3.0, "--time-limit"), errors.OptionalDependencyError("zarr", "data", "x"),
    errors.DerivationError("singular"), errors.InputError("f", lambda x: x, "a value that cannot pickle"),
]


@pytest.mark.parametrize("exc", EXCEPTIONS, ids=[type(e).__name__ for e in EXCEPTIONS])
def test_every_exception_pickles_whole(exc):
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc) and str(back) == str(exc) and back.args == exc.args
    for key in ("argument", "path", "field", "reason", "limit", "maximum", "flag", "phase", "resource"):
        if hasattr(exc, key):
            assert getattr(back, key) == getattr(exc, key)


def _raise(exc):
    raise exc


@pytest.mark.parametrize("exc", EXCEPTIONS[:7], ids=[type(e).__name__ for e in EXCEPTIONS[:7]])
def test_exception_raised_in_a_bounded_child_reaches_the_caller_as_itself(exc):
    from symalign.core.budget import Budget, can_enforce, run_bounded

    if not can_enforce():
        pytest.skip("run_bounded forks only where budgets can be enforced (POSIX)")
    with pytest.raises(type(exc)) as info:
        run_bounded(_raise, exc, budget=Budget(30.0, None), phase="test")
    assert str(info.value) == str(exc)


@pytest.mark.slow
def test_exception_raised_in_a_dask_task_reaches_the_caller_as_itself():
    pytest.importorskip("distributed")
    from symalign.analysis.distributed import dask_client

    with dask_client(None, 1, processes=True) as client:
        for exc in (EXCEPTIONS[2], EXCEPTIONS[4], EXCEPTIONS[6]):
            with pytest.raises(type(exc)) as info:
                client.submit(_raise, exc, pure=False).result()
            assert str(info.value) == str(exc)


# -- 9: extreme scales and NumPy warnings ------------------------------------------------------------------------

SCALED = """agents = 2
groups = ["x", "y"]
family = "active_alignment"
variant = "{variant}"
[parameters]
alpha = {alpha}
beta = 2
gamma = 0.5
a = [[1, 0], [0, 1]]
p = [0.5, 0.5]
"""


@pytest.mark.parametrize("variant", ["overlap", "distance", "entropic"])
def test_alpha_1e99_is_solved_quickly(tmp_path, variant):
    t0 = time.perf_counter()
    res = run_capped(["solve", write(tmp_path, SCALED.format(variant=variant, alpha="1e99")), "--json"], seconds=120)
    assert time.perf_counter() - t0 < 60 and res.returncode in (0, 1), res.stderr[-800:]
    data = json.loads(res.stdout)
    points = data.get("equilibria", []) + data.get("stationary_points", [])
    assert points, data
    W = np.array(points[0]["weights"], dtype=float)
    # alpha dominates: each agent puts (almost) all weight on its own attractive group; checked against the
    # best response computed here, independently of the solver: each row maximises <a_i, w_i> on the simplex
    assert W[0, 0] > 0.999 and W[1, 1] > 0.999, W


def test_gradient_scale_keeps_equilibria_and_rejects_nothing_moderate():
    from symalign.numeric.solvers import gradient_scale, solve

    p = np.array([[0.7, 0.3], [0.4, 0.6]])
    for size in (1e-99, 1e-30, 1.0, 1e30, 1e99):
        res = solve(lambda W: size * (-(W - p) - 0.5 * W[::-1]), 2, 2)
        assert res.converged, (size, res)
        np.testing.assert_allclose(res.weights, [[0.833333, 0.166667], [0.233333, 0.766667]], atol=1e-6)
        assert ("scaled" in res.method) == (size != 1.0)
    assert gradient_scale(lambda W: W, np.full((1, 2), 0.5)) == 1.0


def test_no_numpy_warning_from_a_gradient_singular_at_a_vertex(tmp_path):
    text = CUSTOM.replace("sum(a[d]*w[d], d) - sum(w[d]**2, d)", "sum(a[d]*w[d], d) + sum(log(w[d]), d)")
    res = run_capped(["solve", write(tmp_path, text)], seconds=120, env={"PYTHONWARNINGS": "default"})
    assert res.returncode in (0, 1, 2), res.stderr[-800:]
    assert "RuntimeWarning" not in res.stderr and "Traceback" not in res.stderr, res.stderr[-800:]


# -- 10: claims --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("edit, field", [
    (lambda t: t.replace("agents = [2, 3, 4]", "agents = []"), "game.agents"),
    (lambda t: t.replace("groups = 3", "groups = []"), "game.groups"),
    (lambda t: t.replace('title = "A pure', 'title = 3\nxtitle = "A pure'), "title"),
    (lambda t: t.replace('title = "A pure equilibrium exists (overlap variant)"', "notes = {a = 1}"), "notes"),
    (lambda t: t.replace('title = "A pure equilibrium exists (overlap variant)"', "title = 3"), "title"),
])
def test_malformed_claims_are_invalid_exit_2(tmp_path, edit, field):
    claim = write(tmp_path, edit(CLAIM.read_text()), "claim.toml")
    res = cli("verify", claim, "--json")
    assert res.exit_code == 2, (res.exit_code, res.stdout[-500:])
    assert field in res.stdout


# -- 11 / 12: CLI contract and trust boundary ----------------------------------------------------------------------

def test_a_plugin_that_prints_does_not_break_json(tmp_path):
    (tmp_path / "noisy_plugin.py").write_text("print('hello from a plugin')\n")
    res = run_capped(["solve", write(tmp_path, BASE), "--json", "--plugin", "noisy_plugin"],
                     env={"PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"})
    assert res.returncode == 0, res.stderr[-500:]
    json.loads(res.stdout)
    assert "hello from a plugin" in res.stderr


def test_unknown_family_loads_only_the_entry_point_it_names(monkeypatch):
    from importlib import metadata

    from symalign.core.families import base

    loaded = []

    class EP:
        def __init__(self, name):
            self.name, self.value = name, f"pkg_{name}:Family"

        def load(self):
            loaded.append(self.name)
            raise ImportError("not installed")

    monkeypatch.setattr(metadata, "entry_points", lambda group: [EP("evil"), EP("wanted"), EP("other")])
    monkeypatch.setattr(base, "_LOADED_ENTRY_POINTS", set())
    with pytest.raises(errors.UnknownFamilyError, match="wanted"):
        base.get_family("wanted")
    assert loaded == ["wanted"]
    with pytest.raises(errors.UnknownFamilyError):
        base.get_family("nope")
    assert loaded == ["wanted"]  # no entry point of that name: nothing imported


def test_readme_states_the_trust_boundary_and_the_output_guarantees():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Limits and safety"):text.index("## Game files")]
    for needle in ("Trust boundary", "--plugin", "entry point", "of that name only",
                   "leaves the earlier `-o` file", "one set", "resolved", "sweep_exponent"):
        assert needle in section, needle


def test_json_error_of_convert(tmp_path):
    res = cli("convert", write(tmp_path, BASE.replace("beta = 2", "beta = 1e5000")), "--json")
    assert res.exit_code == 2
    err = json_error(res.stdout)
    assert "number_digits" in err["message"] and err["field"] == "parameters.beta"

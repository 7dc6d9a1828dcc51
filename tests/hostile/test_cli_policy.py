"""One error format and exit-code policy for every command; --json errors; conventions (-o, --json, stderr)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import BASE, ROOT, assert_clean_error, cli, json_error, write

COMMANDS = {
    "solve": [], "derive": [], "exclusion": [], "steer": ["--include", "x"], "latex": [], "verify": [],
    "sweep": ["--x", "beta=1:2:3", "--y", "gamma=0:1:3", "--out", "{tmp}/f.png"], "reproduce": None,
}
BAD_FILES = {
    "malformed": "agents = 2\ngroups = [",
    "wrong shape": BASE.replace("p = [0.4, 0.4, 0.2]", "p = [0.4, 0.6]"),
    "negative beta": BASE.replace("beta = 2", "beta = -2"),
    "unknown family": BASE.replace('"active_alignment"', '"nope"'),
}


def _args(command, path, tmp_path):
    extra = [str(a).replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    return [command, path, *extra]


@pytest.mark.parametrize("bad", sorted(BAD_FILES))
@pytest.mark.parametrize("command", [c for c in COMMANDS if COMMANDS[c] is not None])
def test_bad_input_exit_2_one_line_and_json_error(tmp_path, command, bad):
    path = write(tmp_path, BAD_FILES[bad])
    res = cli(*_args(command, path, tmp_path))
    if command == "verify":  # a bad claim file is listed as INVALID, then exit 2
        assert res.exit_code == 2 and "INVALID" in res.stdout and "Traceback" not in res.stdout + res.stderr
        return
    assert_clean_error(res, "game.toml")
    res = cli(*_args(command, path, tmp_path), "--json")
    assert res.exit_code == 2
    err = json_error(res.stdout)
    assert err["exit_status"] == 2 and "game.toml" in err["message"] and err["file"].endswith("game.toml")


@pytest.mark.parametrize("args, needle", [
    (["solve"], "Missing argument"),
    (["solve", "a.toml", "--bogus"], "No such option"),
    (["nosuchcommand"], "No such command"),
    (["sweep", "x.toml", "--x", "beta=1:2:3"], "Missing option"),
    (["reproduce", "--grid", "5"], "--grid"),
    (["verify", "--timeout", "abc", "x"], "--timeout"),
    (["solve", "x.toml", "--time-limit", "-1"], "--time-limit"),
    (["solve", "x.toml", "--memory-limit", "nan"], "--memory-limit"),
])
def test_usage_errors_use_the_same_format(args, needle):
    res = cli(*args)
    assert_clean_error(res, needle)
    assert "Error: Invalid value" not in res.stderr and "Usage:" not in res.stderr


def test_usage_error_under_json_is_a_json_object():
    res = cli("solve", "--json")
    assert res.exit_code == 2 and json_error(res.stdout)["kind"] == "UsageError"


def test_verify_without_claims_is_an_error(tmp_path):
    assert_clean_error(cli("verify", tmp_path), "no claim files")


def test_every_command_has_json_out_and_budget_options():
    for command in list(COMMANDS):
        res = cli(command, "--help")
        assert res.exit_code == 0
        for opt in ("--json", "--out", "--time-limit", "--memory-limit", "--limit"):
            assert opt in res.stdout, (command, opt)


def test_json_stdout_is_pure_json_progress_on_stderr(tmp_path):
    claims = ROOT / "theorems" / "active_alignment" / "T0_existence_overlap.toml"
    res = cli("verify", "--json", claims)
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["claims"][0]["ok"]
    res = cli("sweep", write(tmp_path, BASE), "--x", "beta=1:2:4", "--y", "gamma=0:1:4", "--out", tmp_path / "f.png",
              "--json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["grid"] == [4, 4] and "computing" in res.stderr


def test_derive_latex_prints_only_latex(tmp_path):
    res = cli("derive", write(tmp_path, BASE), "--latex")
    assert res.exit_code == 0, res.stderr
    for line in res.stdout.splitlines():
        assert line.startswith(("%", "\\begin", "\\end", "w^*")) or line.strip().endswith("\\\\") or "&" in line \
            or line.startswith(("\\", "-", "0", "1", "2", "3")), line


def test_derive_json(tmp_path):
    res = cli("derive", write(tmp_path, BASE), "--json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data["weights"]) == 2 and data["valid"] is True


def test_time_budget_names_its_flag(tmp_path):
    text = BASE.replace("agents = 2", "agents = 5").replace("a = [[1, 0, 0.5], [0, 1, 0.5]]", "a = [1, 0, 0.5]")
    # a fresh process: in-process caches from other tests could let the command finish within the budget
    res = _run(["exclusion", str(write(tmp_path, text.replace("alpha = 1", 'alpha = "alpha"'))), "--time-limit", "0.02"])
    assert res.returncode == 2, (res.returncode, res.stdout[-300:], res.stderr[-300:])
    lines = [x for x in res.stderr.splitlines() if x.startswith("symalign: error:")]
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert "time budget" in lines[0] and "--time-limit" in lines[0], lines[0]


def _run(args, **kw):
    return subprocess.run([sys.executable, "-c", "from symalign.cli.app import main; main()", *args],
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""}, **kw)


def test_help_and_version_do_not_import_sympy():
    code = ("import sys; from symalign.cli.app import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'sympy' not in sys.modules and 'numpy' not in sys.modules, 'heavy import'")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr


def test_full_stdout_is_one_line_error(tmp_path):
    path = write(tmp_path, BASE)
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-c", "from symalign.cli.app import main; main()", "solve", str(path)],
                             stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, env={"PYTHONPATH": str(ROOT)})
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip().startswith("symalign: error:") and "Traceback" not in res.stderr
    assert "No space left" in res.stderr

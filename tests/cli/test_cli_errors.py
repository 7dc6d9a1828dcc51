"""Bad input: one clear line naming file, field and value; non-zero exit; no traceback."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from symalign.cli.app import main

BASE = """agents = 2
groups = ["x", "y"]
family = "active_alignment"
variant = "overlap"
[parameters]
alpha = 1
beta = 1
gamma = 0.5
a = [[1, 0], [0, 1]]
p = [0.5, 0.5]
"""


def run(tmp_path, text, *args):
    f = tmp_path / "game.toml"
    f.write_text(text)
    return CliRunner().invoke(main, [*args, str(f)] if args else ["solve", str(f)])


@pytest.mark.parametrize(
    "text, needles",
    [
        ("agents = 2\ngroups = [", ["malformed TOML"]),
        (BASE.replace("a = [[1, 0], [0, 1]]", "a = [[1, 0, 3], [0, 1]]"), ["parameters.a", "2 x 2"]),
        (BASE.replace("p = [0.5, 0.5]", "p = [0.5, 0.6]"), ["parameters.p", "simplex"]),
        (BASE.replace("beta = 1", "beta = -1"), ["parameters.beta", "-1", "> 0"]),
        (BASE.replace("beta = 1", "beta = 0"), ["parameters.beta", "> 0"]),
        (BASE.replace("gamma = 0.5", "gamma = nan"), ["parameters.gamma", "finite"]),
        (BASE.replace("alpha = 1", "alpha = inf"), ["parameters.alpha", "finite"]),
        (BASE.replace('"active_alignment"', '"nope"'), ["family", "nope", "unknown family"]),
        (BASE.replace('"overlap"', '"wobble"'), ["variant", "wobble"]),
        (BASE.replace("gamma = 0.5", "gamma = 0.5\nzeta = 1"), ["parameters.zeta", "not a parameter"]),
        (BASE.replace("gamma = 0.5", 'gamma = "1 +"'), ["parameters.gamma", "1 +"]),
        (BASE.replace("variant = \"overlap\"", "variant = \"distance\"").replace("gamma = 0.5", "gamma = 2"),
         ["beta", "gamma", "hypothesis"]),
        ("agents = 0\ngroups=['x','y']\nfamily='polymatrix'", ["agents", "positive integer"]),
        (
            'agents = 2\ngroups = ["x", "y"]\nfamily = "custom"\nutility = "sum(w[d]*q[d], d)"\n[parameters]\na = [[1, 2], [3, 4]]\n',
            ["utility", "q"],
        ),
        (
            'agents = 2\ngroups = ["x", "y"]\nfamily = "custom"\nutility = "__import__(\'os\').system(\'touch /tmp/symalign_pwned\')"\n[parameters]\na = [[1, 2], [3, 4]]\n',
            ["utility", "__import__"],
        ),
    ],
)
def test_bad_game_file_one_line(tmp_path, text, needles):
    res = run(tmp_path, text)
    assert res.exit_code == 2, res.output
    err = res.output.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("symalign: error: ") and "game.toml" in err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not Path("/tmp/symalign_pwned").exists()


def test_missing_file(tmp_path):
    res = CliRunner().invoke(main, ["solve", str(tmp_path / "none.toml")])
    assert res.exit_code == 2 and "file not found" in res.output


def test_solve_json_interface(examples_dir):
    res = CliRunner().invoke(main, ["solve", str(examples_dir / "exclusion_4x3.toml"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    eq = data["equilibria"][0]
    assert data["unique"] is True and eq["exact"] is True
    assert len(eq["weights"]) == 4 and all(len(r) == 3 for r in eq["weights"])
    assert all("right" not in s and s for s in eq["support"])  # group names, not indices
    assert all(abs(sum(r) - 1) < 1e-12 for r in eq["weights"])


def test_derive_symbolic_prints_conditions(tmp_path):
    text = BASE.replace("gamma = 0.5", 'gamma = "gamma"').replace("beta = 1", 'beta = "beta"')
    res = run(tmp_path, text, "derive")
    assert res.exit_code == 0, res.output
    assert "validity conditions" in res.output and "gamma" in res.output
    res = run(tmp_path, text, "derive", "--latex")
    assert "\\gamma" in res.output and "\\frac" in res.output

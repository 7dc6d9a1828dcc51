"""Helpers of the hostile-input suite: a canary file for injections, in-process and subprocess CLI runs."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]

BASE = """agents = 2
groups = ["x", "y", "z"]
family = "active_alignment"
variant = "overlap"
[parameters]
alpha = 1
beta = 2
gamma = 0.5
a = [[1, 0, 0.5], [0, 1, 0.5]]
p = [0.4, 0.4, 0.2]
"""

CUSTOM = """agents = 2
groups = ["x", "y"]
family = "custom"
utility = "sum(a[d]*w[d], d) - sum(w[d]**2, d)"
[parameters]
a = [[1, 2], [3, 4]]
"""


@pytest.fixture
def canary(tmp_path):
    """A path that an injected payload would create; the test asserts it never appears."""
    path = tmp_path / "CANARY"
    yield path
    assert not path.exists(), f"an injected payload ran: {path} was created"


def payloads(canary: Path) -> list:
    """Texts that would run code, read files or blow up if anything evaluated them."""
    c = str(canary)
    return [
        f"__import__('os').system('touch {c}') or 0",
        f"open('{c}', 'w').write('x')",
        f"exec(\"open('{c}','w')\")",
        f"eval(\"open('{c}','w')\")",
        "().__class__.__bases__[0].__subclasses__()",
        "w.__class__",
        f"(lambda: open('{c}', 'w'))()",
        f"[open('{c}', 'w') for _ in (1,)]",
        f"f\"{{open('{c}','w')}}\"",
        f"(x := open('{c}', 'w'))",
        "import os",
        f"Symbol('x').__init__.__globals__['__builtins__']['open']('{c}', 'w')",
        f"globals()['__builtins__'].open('{c}', 'w')",
        f"sympify(\"open('{c}','w')\")",
        f"S(\"open('{c}','w')\")",
        f"Function('open')('{c}')",
        "1 if True else 0",
        "'a' * 10**9",
        "9**9**9**9",
        "10**10**10",
    ]


def write(tmp_path: Path, text: str, name: str = "game.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args, input=None):
    """Run the CLI in-process (CliRunner); stdout and stderr kept apart."""
    from symalign.cli.app import main

    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=True)


def assert_clean_error(res, *needles, code=2):
    """Exit ``code``, one line 'symalign: error: ...' on stderr naming the needles, no traceback."""
    err = res.stderr.strip()
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == code, (res.exit_code, res.stdout[-500:], err[-500:])
    assert "Traceback" not in err + res.stdout, err
    lines = [x for x in err.splitlines() if x.startswith("symalign: error:")]
    assert len(lines) == 1, err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def assert_no_crash(res):
    """Any policy exit (0, 1, 2), never an internal error or a traceback."""
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code in (0, 1, 2), (res.exit_code, res.stderr[-800:])
    assert "Traceback" not in res.stderr + res.stdout
    if res.exit_code == 2:
        assert res.stderr.strip().splitlines()[-1].startswith("symalign: error:"), res.stderr


def run_capped(args, *, seconds: float = 60, memory_mb: int = 3072, cwd=None, env=None):
    """Run ``python -m symalign.cli.app ARGS`` in a child with a wall-clock and an address-space cap."""
    def limit():
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "symalign.cli.app", *map(str, args)], capture_output=True,
                          text=True, timeout=seconds, preexec_fn=limit, cwd=cwd, env=full_env)


def json_error(stdout: str) -> dict:
    data = json.loads(stdout)
    assert set(data) == {"error"}, data
    return data["error"]

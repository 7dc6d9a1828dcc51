"""numba's cache falls back to a private temporary directory when neither the package's ``__pycache__`` nor the
user's cache can be written (issue 22: ``sweep``/``campaign`` for a user without a writable home)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import BASE, ROOT, write

pytest.importorskip("numba")

SCRIPT = """
import os, sys
sys.path.insert(0, {moddir!r})
if {fallback}:
    from symalign.numeric.batch.numba_cache import ensure_cache_dir
    print("cache dir:", ensure_cache_dir({moddir!r}, home="/dev/null"))
import kern
print("value", kern.f(2.0))
"""


def _run(tmp_path, fallback):
    moddir = tmp_path / "mod"
    moddir.mkdir()
    (moddir / "kern.py").write_text("import numba\n\n@numba.njit(cache=True)\ndef f(x):\n    return 2 * x\n")
    (moddir / "__pycache__").write_text("a file: numba cannot cache beside the source")
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(HOME="/dev/null", PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    code = SCRIPT.format(moddir=str(moddir), fallback=fallback)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)


def test_without_the_fallback_numba_cannot_cache(tmp_path):
    res = _run(tmp_path, False)
    assert res.returncode != 0 and "cache" in res.stderr.lower(), res.stderr[-600:]


def test_with_the_fallback_numba_caches_in_a_private_temporary_directory(tmp_path):
    res = _run(tmp_path, True)
    assert res.returncode == 0, res.stderr[-600:]
    assert "value 4.0" in res.stdout and f"cache dir: {tmp_path}" in res.stdout
    cache = tmp_path / f"symalign-numba-{os.getuid()}"
    assert oct(cache.stat().st_mode & 0o777) == "0o700" and any(cache.rglob("*.nbi"))


def test_sweep_as_an_unprivileged_user(tmp_path):
    """As ``nobody`` (no home, package not writable): needs root to switch user and a Python nobody can run."""
    if os.geteuid() != 0:
        pytest.skip("switching to 'nobody' needs root")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "PYTHONPATH": str(ROOT)}
    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                            "import click, numba, symalign"], capture_output=True, text=True, env=env)
    if probe.returncode != 0:
        pytest.skip(f"'nobody' cannot run this Python with its packages: {probe.stderr.strip()[-120:]}")
    os.chmod(tmp_path, 0o777)
    game = write(tmp_path, BASE)
    res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m",
                          "symalign.cli.app", "sweep", str(game), "--x", "beta=1:2:5", "--y", "gamma=0:1:5",
                          "--out", str(tmp_path / "f.png")], capture_output=True, text=True, timeout=600, env=env)
    assert res.returncode == 0, res.stderr[-800:]

"""The command reference lists every option of every command (sphinx-click, from the click definitions)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import click
import pytest

from symalign.cli.app import main

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _options():
    """(command, option string) for every option of every subcommand."""
    ctx = click.Context(main, info_name="symalign")
    out = []
    for name in main.list_commands(ctx):
        cmd = main.get_command(ctx, name)
        out += [(name, opt) for p in cmd.params if isinstance(p, click.Option) for opt in p.opts if opt.startswith("--")]
    return out


def test_cli_page_renders_the_commands_with_sphinx_click():
    text = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    assert ".. click:: symalign.cli.app:main" in text and ":nested: full" in text
    assert '"sphinx_click"' in (DOCS / "conf.py").read_text(encoding="utf-8")
    assert len(_options()) > 60  # the options the reference must show (checked in the built page below)


@pytest.mark.slow
@pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in ("sphinx", "myst_parser", "sphinx_click")),
                    reason="the docs extra is not installed (pip install 'symalign[docs]')")
def test_built_command_reference_lists_every_option(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(DOCS), str(tmp_path)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = (tmp_path / "reference" / "cli.html").read_text(encoding="utf-8")
    missing = [(c, o) for c, o in _options() if f"cmdoption-symalign-{c}-{o.lstrip('-')}" not in page]
    assert missing == []

"""Every public result type renders in a notebook: its ``_repr_latex_`` typeset by KaTeX without an error node.

The notebook LaTeX of each object is split into math (``$...$``, ``$$...$$``,
``\\begin{env}...\\end{env}``) and text; every math piece is rendered by
KaTeX (``throwOnError``: a parse error fails the test) and the text must
hold no TeX macro (MathJax would show it raw).  KaTeX is found through
``NODE_PATH`` (``npm install katex``; ``.ci/run`` installs it when npm is
there); without node or KaTeX the rendering test is skipped, the text checks
still run.
"""

import json
import os
import re
import shutil
import subprocess

import pytest

from symalign import get_family
from symalign.claims.schema import load_claim
from symalign.io.resources import theorems_dir
from symalign.numeric.closed_forms import find_closed_form

from _helpers import notebook_objects

OVERLAP = get_family("active_alignment", "overlap")
_MATH = re.compile(r"\$\$.*?\$\$|(?<!\\)\$.*?(?<!\\)\$|\\begin\{([A-Za-z*]+)\}.*?\\end\{\1\}", re.S)


@pytest.fixture(scope="module")
def objects():
    out = notebook_objects()
    out["claim with helpers"] = load_claim(theorems_dir() / "active_alignment" / "T3_interior_uniqueness_dsc.toml")
    out["closed form result"] = find_closed_form(out["small"])
    out["symbolic closed form result"] = find_closed_form(out["symbolic game"])
    return out


def split(tex: str):
    """(math pieces, text between them)."""
    math = [m.group(0) for m in _MATH.finditer(tex)]
    rest = _MATH.sub(" ", tex)
    return math, rest


def _katex():
    node = shutil.which("node")
    if node is None:
        return None
    ok = subprocess.run([node, "-e", "require('katex')"], capture_output=True, timeout=60)
    return node if ok.returncode == 0 else None


KATEX = _katex()
_SCRIPT = r"""
const katex = require('katex');
const pieces = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = [];
for (const p of pieces) {
  let src = p, display = false;
  if (src.startsWith('$$')) { src = src.slice(2, -2); display = true; }
  else if (src.startsWith('$')) { src = src.slice(1, -1); }
  else { display = true; }
  try { katex.renderToString(src, {displayMode: display, throwOnError: true, strict: 'ignore'}); out.push(null); }
  catch (e) { out.push(String(e.message || e)); }
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.parametrize("name", ["game", "symbolic game", "solution", "equilibrium", "kkt", "certificate",
                                  "exclusion", "subsidy", "target", "mean field", "claim", "claim with helpers",
                                  "claim result", "closed form result", "symbolic closed form result"])
def test_every_result_renders_without_error(objects, name):
    obj = objects[name]
    tex = obj._repr_latex_()
    html = obj._repr_html_()
    assert isinstance(tex, str) and tex and html.startswith('<div class="symalign">')
    math, text = split(tex)
    assert math, tex
    macros = re.findall(r"\\[A-Za-z]+", text)
    assert not macros, f"TeX macros outside math (MathJax shows them raw): {macros}"
    assert "\\allowbreak" not in tex
    if KATEX is None:
        pytest.skip("node with katex not available (npm install katex; NODE_PATH)")
    res = subprocess.run([KATEX, "-e", _SCRIPT], input=json.dumps(math), capture_output=True, text=True, timeout=120,
                         env=os.environ)
    assert res.returncode == 0, res.stderr
    errors = [(p[:120], e) for p, e in zip(math, json.loads(res.stdout)) if e]
    assert not errors, errors


def test_the_checker_fails_on_a_bad_formula():
    math, text = split(r"Text $\frac{1}{2$ and \emph{raw} \begin{align*} x &= 1 \end{align*}")
    assert math == [r"\begin{align*} x &= 1 \end{align*}"] or len(math) == 2
    assert re.findall(r"\\[A-Za-z]+", text)  # \emph outside math is caught
    if KATEX is None:
        pytest.skip("node with katex not available")
    res = subprocess.run([KATEX, "-e", _SCRIPT], input=json.dumps([r"$\frac{1}{$", r"$\notamacro x$"]),
                         capture_output=True, text=True, timeout=60)
    assert all(json.loads(res.stdout))


def test_figures_display_without_magics(objects):
    from symalign.analysis.sweep import parse_axis, sweep
    from symalign.export.plots import phase_figure

    game = objects["small"]
    fig = phase_figure(sweep(game, parse_axis("beta=1:2:4"), parse_axis("gamma=0:1:4"), use_batch=False))
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG") and len(png) > 5000

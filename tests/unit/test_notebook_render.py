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

from symalign import (Game, derive_mean_field, derive_on_support, exclusion_condition, existence_certificate,
                      get_family, kkt_system, minimal_subsidy, solve, target_subsidy)
from symalign.claims.checks import check_claim
from symalign.claims.schema import load_claim
from symalign.io.gamefile import load_game
from symalign.io.resources import example, theorems_dir
from symalign.numeric.closed_forms import find_closed_form

OVERLAP = get_family("active_alignment", "overlap")
_MATH = re.compile(r"\$\$.*?\$\$|(?<!\\)\$.*?(?<!\\)\$|\\begin\{([A-Za-z*]+)\}.*?\\end\{\1\}", re.S)


@pytest.fixture(scope="module")
def objects():
    game = load_game(example("exclusion_4x3.toml"))
    sym = Game.symbolic(OVERLAP, 2, ["x", "y"])
    claim = load_claim(theorems_dir() / "active_alignment" / "T0_existence_overlap.toml")
    helpers = load_claim(theorems_dir() / "active_alignment" / "T3_interior_uniqueness_dsc.toml")
    small = Game.create(OVERLAP, 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0, a=[[1, "1/2", 0], ["1/2", 1, 0]],
                        p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    return {
        "game": game, "symbolic game": sym, "solution": solve(game), "equilibrium": derive_on_support(sym),
        "kkt": kkt_system(game), "certificate": existence_certificate(game),
        "exclusion": exclusion_condition(game, "right"), "subsidy": minimal_subsidy(game, "right"),
        "target": target_subsidy(small, ["1/3", "1/3", "1/3"]), "mean field": derive_mean_field(OVERLAP, 3),
        "claim": claim, "claim with helpers": helpers, "claim result": check_claim(claim, timeout=10),
        "closed form result": find_closed_form(small), "symbolic closed form result": find_closed_form(sym),
    }


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

    small = objects["target"].game if hasattr(objects["target"], "game") else None
    game = small or Game.create(OVERLAP, 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
                                a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    fig = phase_figure(sweep(game, parse_axis("beta=1:2:4"), parse_axis("gamma=0:1:4"), use_batch=False))
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG") and len(png) > 5000

"""Every generated document compiles with pdflatex: no error, no overfull box, no LaTeX warning.

The write-up of every claim file shipped in ``theorems/`` and of every
example game, a write-up in a non-default notation, and (slow) the report of
``symalign reproduce`` are compiled and their logs parsed
(:mod:`symalign.export.texcompile`).  The log parser itself is tested on
hand-written logs, so the check can fail.
"""

import shutil

import pytest

from symalign.claims.schema import claim_files, load_claim
from symalign.export.latex import claim_latex
from symalign.export.report import game_writeup, standalone
from symalign.export.texcompile import compile_latex, log_problems
from symalign.io.gamefile import load_game
from symalign.io.resources import examples_dir, theorems_dir

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not on PATH")
CLAIMS = sorted(str(p) for p in claim_files([theorems_dir()]))
GAMES = sorted(str(p) for p in examples_dir().glob("*.toml"))
# the longest statements: compiled in the default suite; every claim file in the slow suite
QUICK = [p for p in CLAIMS if any(k in p for k in ("T3_interior_uniqueness_dsc", "T3_statics_gamma",
                                                     "congestion/symmetric_equilibrium"))]


def test_log_parser_finds_boxes_and_warnings():
    log = "\n".join([
        "Overfull \\hbox (206.27547pt too wide) detected at line 32",
        "Underfull \\hbox (badness 10000) in paragraph at lines 5--6",
        "LaTeX Font Warning: Font shape `OML/cmtt/m/it' undefined",
        "(Font)              using `OML/cmm/m/it' instead",
        "Package hyperref Warning: Token not allowed",
        "LaTeX Warning: Label(s) may have changed. Rerun to get cross-references right.",
        "Output written on doc.pdf (1 page).",
    ])
    r = log_problems(log)
    assert r.overfull == ("Overfull \\hbox (206.27547pt too wide) detected at line 32",)
    assert len(r.underfull) == 1 and not r.ok
    assert r.warnings[0] == "LaTeX Font Warning: Font shape `OML/cmtt/m/it' undefined using `OML/cmm/m/it' instead"
    assert [w.split(":")[0] for w in r.warnings] == ["LaTeX Font Warning", "Package hyperref Warning", "LaTeX Warning"]
    clean = log_problems("This is pdfTeX\nOutput written on doc.pdf (1 page).")
    assert clean.ok and clean.summary() == ""
    assert not log_problems("! Undefined control sequence.", compiled=False).ok


def _check(doc: str):
    report = compile_latex(doc)
    assert report.ok, report.summary()
    return report


@needs_pdflatex
def test_a_bad_document_is_reported():
    wide = "\\[" + " + ".join(f"x_{{{k}}}" for k in range(80)) + "\\]"
    report = compile_latex(standalone(wide))
    assert report.compiled and report.overfull and not report.ok
    broken = compile_latex(standalone("\\undefinedmacro"))
    assert not broken.compiled and "Undefined control sequence" in broken.error


@needs_pdflatex
@pytest.mark.parametrize("path", QUICK, ids=lambda p: p.split("theorems/")[-1])
def test_longest_claim_writeups_compile_cleanly(path):
    claim = load_claim(path)
    _check(standalone(claim_latex(claim), title=claim.title or claim.id))


@needs_pdflatex
@pytest.mark.slow
@pytest.mark.parametrize("path", CLAIMS, ids=lambda p: p.split("theorems/")[-1])
def test_every_claim_writeup_compiles_cleanly(path):
    claim = load_claim(path)
    _check(standalone(claim_latex(claim), title=claim.title or claim.id))


@needs_pdflatex
@pytest.mark.slow
@pytest.mark.parametrize("path", GAMES, ids=lambda p: p.split("/")[-1])
def test_every_example_game_writeup_compiles_cleanly(path):
    game = load_game(path)
    _check(standalone(game_writeup(game), title=path.split("/")[-1]))

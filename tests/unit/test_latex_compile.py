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
@pytest.mark.parametrize("path", [p if p in QUICK else pytest.param(p, marks=pytest.mark.slow) for p in CLAIMS],
                         ids=lambda p: p.split("theorems/")[-1])
def test_every_claim_writeup_compiles_cleanly(path):
    """The longest statements run in the default suite, every claim file in the slow one."""
    claim = load_claim(path)
    _check(standalone(claim_latex(claim), title=claim.title or claim.id))


@needs_pdflatex
@pytest.mark.slow
@pytest.mark.parametrize("path", GAMES, ids=lambda p: p.split("/")[-1])
def test_every_example_game_writeup_compiles_cleanly(path):
    game = load_game(path)
    _check(standalone(game_writeup(game), title=path.split("/")[-1]))


# ----------------------------------------------------------------------------- the paper's notation

_PAPER = '''
[latex]
gamma = "\\\\lambda"
beta = "\\\\mu"
w = "\\\\pi"
agent_index = "n"
group_index = "k"
index_base = 0
formula = '\\lambda < \\mu (N-1)'
'''


def _with_table(tmp_path, name, table=_PAPER):
    src = (theorems_dir() / "active_alignment" / name).read_text()
    lines = [ln for ln in src.splitlines() if not ln.startswith("latex = ")]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n" + table)
    return load_claim(path)


def test_a_latex_table_prints_the_papers_symbols(tmp_path):
    claim = _with_table(tmp_path, "T2_uniqueness_overlap.toml")
    assert claim.latex == r"\lambda < \mu (N-1)" and claim.notation.index_base == 0
    tex = claim_latex(claim)
    assert r"\lambda < \mu \left(N - 1\right)" in tex and "numbered from 0" in tex
    body = tex.split(r"\begin{theorem}")[-1].split(r"\begin{conjecture}")[-1]
    assert r"\gamma" not in body and r"\beta" not in body
    assert "The claim file's own LaTeX" not in tex  # the formula is the same mathematics: no flag
    # index letters and base in a closed form with helpers: w^*_{n,k}, s_{0,k}
    sub = claim_latex(_with_table(tmp_path, "T5_minimal_subsidy.toml"))
    assert r"s^*_{k} = \max\left(0, \min\left(s_{0,k}, s_{1,k}, s_{2,k}\right)\right)" in sub
    assert "group $1$" in sub and r"\mu p_{j,e}" in sub
    cf = claim_latex(_with_table(tmp_path, "T3_interior_heterogeneous.toml"))
    assert r"\pi^*_{n,k} = \frac{R_{n,k} - \theta_{n} S_{k}}{\kappa_{n}}" in cf and r"\lambda_{j}" in cf


def test_a_bad_latex_table_is_refused_naming_the_field(tmp_path):
    from symalign.errors import GameFileError

    for table, field in (('[latex]\ngamma = "\\\\lambda{"\n', "latex.gamma"), ("[latex]\nindex_base = 2\n", "latex.index_base"),
                         ('[latex]\ngamma = 3\n', "latex.gamma")):
        with pytest.raises(GameFileError, match=field.replace(".", r"\.")):
            _with_table(tmp_path, "T2_uniqueness_overlap.toml", table)


def test_python_argument_and_game_writeup_use_the_notation():
    from symalign.core.notation import Notation
    from symalign.core.printing import latex
    import sympy as sp

    game = load_game(examples_dir() / "interior_4x3.toml")
    paper = Notation({"gamma": r"\lambda", "w": r"\pi", "a": r"\tilde a", "i": "n"})
    tex = game_writeup(game, kkt=False, notation=paper)
    assert r"U_n(\pi_n, \pi_{-n}) = \alpha_n \langle \tilde a_n, \pi_n \rangle" in tex
    assert r"\lambda_n \langle \pi_n, m_n \rangle" in tex and r"\lambda = (" in tex and r"\gamma" not in tex
    assert latex(sp.Symbol("gamma")) == r"\gamma"  # the notation does not leak out of the call


@needs_pdflatex
def test_a_writeup_in_the_papers_notation_compiles(tmp_path):
    for name in ("T2_uniqueness_overlap.toml", "T5_minimal_subsidy.toml", "T3_interior_heterogeneous.toml"):
        claim = _with_table(tmp_path, name)
        _check(standalone(claim_latex(claim), title=claim.title))


def test_a_game_file_latex_table_reaches_the_cli_writeup(tmp_path):
    from click.testing import CliRunner

    from symalign.cli.app import main

    src = (examples_dir() / "interior_4x3.toml").read_text()
    good = tmp_path / "g.toml"
    good.write_text(src + '\n[latex]\ngamma = "\\\\lambda"\nw = "\\\\pi"\n')
    res = CliRunner().invoke(main, ["latex", str(good), "--no-kkt"])
    assert res.exit_code == 0, res.output
    assert r"\lambda_i \langle \pi_i, m_i \rangle" in res.output and r"\gamma" not in res.output
    bad = tmp_path / "b.toml"
    bad.write_text(src + '\n[latex]\ngamma = "\\\\lambda}"\n')
    res = CliRunner().invoke(main, ["latex", str(bad)])
    assert res.exit_code == 2 and "latex.gamma" in res.output and "Traceback" not in res.output

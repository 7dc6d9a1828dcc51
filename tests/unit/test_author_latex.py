"""Checked against your LaTeX: the author's formula is compared with the checked statement symbolically."""

import pytest
from click.testing import CliRunner

from symalign.cli.app import main
from symalign.errors import InputError
from symalign.export.author_latex import LatexComparison, compare_author_latex, latex_parser_available
from symalign.io.resources import theorems_dir

needs_parser = pytest.mark.skipif(not latex_parser_available(), reason="antlr4-python3-runtime==4.11 not installed")


@needs_parser
@pytest.mark.parametrize("author, checked, status", [
    (r"\gamma < \beta (N-1)", r"\gamma < \beta \left(N - 1\right)", "same"),         # notation differs, maths same
    (r"\beta_i > \gamma_i", r"\gamma_{i} < \beta_{i}", "same"),                       # flipped relation
    (r"2\gamma < 2\beta", r"\gamma < \beta", "same"),                                 # positive factor
    (r"\eta < 2\mu / L^2", r"\eta < \frac{2 \mu}{L^{2}}", "same"),
    (r"\gamma < 2\beta", r"\gamma < \beta \left(N - 1\right)", "differs"),
    (r"\gamma \le \beta", r"\gamma < \beta", "differs"),                              # strict against weak
    (r"\mathrm{DSC} \iff \gamma < \beta", r"\gamma < \beta", "not compared"),         # a connective: refused
    (r"\gamma \le \alpha(D-1)(\bar a_{i,-d} - a_{i,d}) - D\beta p_{i,d}", r"\gamma < \beta", "not compared"),
])
def test_comparison(author, checked, status):
    assert compare_author_latex(author, checked).status == status


def test_bad_arguments_and_statuses():
    with pytest.raises(InputError, match="author"):
        compare_author_latex("", r"\gamma")
    with pytest.raises(InputError, match="status"):
        LatexComparison("maybe")


def _claim(tmp_path, latex):
    src = (theorems_dir() / "active_alignment" / "T2_uniqueness_overlap.toml").read_text()
    lines = [ln for ln in src.splitlines() if not ln.startswith("latex = ")]
    path = tmp_path / "t2.toml"
    path.write_text(f"latex = '{latex}'\n" + "\n".join(lines) + "\n")
    return path


@needs_parser
@pytest.mark.slow
def test_latex_check_exits_1_on_a_mismatch_and_0_on_the_same_maths(tmp_path):
    same = CliRunner().invoke(main, ["latex", "--check", str(_claim(tmp_path, r"\gamma < \beta\,(N-1)"))])
    assert same.exit_code == 0, same.output
    assert "The claim file's own LaTeX" not in same.output  # identical maths gets no flag
    wrong = CliRunner().invoke(main, ["latex", "--check", str(_claim(tmp_path, r"\gamma < 2\beta (N-1)"))])
    assert wrong.exit_code == 1
    assert "differs from the checked statement" in wrong.output


@needs_parser
def test_writeup_flags_only_what_differs(tmp_path):
    from symalign.claims.schema import load_claim
    from symalign.export.latex import claim_latex

    assert "own LaTeX" not in claim_latex(load_claim(_claim(tmp_path, r"\gamma < \beta (N-1)")))
    tex = claim_latex(load_claim(_claim(tmp_path, r"\gamma < 3\beta")))
    assert "differs from the checked statement (compared symbolically" in tex
    caveats = []
    tex = claim_latex(load_claim(_claim(tmp_path, r"\mathrm{DSC} \iff \gamma < \beta")), caveats=caveats)
    assert r"$^\dagger$, not compared" in tex and len(caveats) == 1
    claim_latex(load_claim(_claim(tmp_path, r"\gamma < 3\beta")), caveats=caveats)
    assert len(caveats) == 1  # each caveat once


@needs_parser
def test_a_parse_that_drops_part_of_either_side_is_never_called_the_same():
    truncated = r"\gamma \le \alpha(D-1)(\bar a_{i,-d} - a_{i,d}) - D\beta p_{i,d}"
    assert compare_author_latex(r"\gamma \le \alpha(D-1)", truncated).status == "not compared"
    assert compare_author_latex(truncated, truncated).status == "not compared"


@needs_parser
def test_equations_are_compared_whole_unless_both_left_sides_name_the_result():
    # the same equation with its sides swapped is the same mathematics
    assert compare_author_latex(r"\alpha + \beta = \gamma", r"\gamma = \alpha + \beta").status == "same"
    # a different left side is a different equation (only bare result names on the left are set aside)
    assert compare_author_latex(r"\alpha + \beta = \gamma", r"\alpha - \beta = \gamma").status == "differs"

"""LaTeX export (symalign.export.latex), report documents (symalign.export.report), readable solver code (symalign.export.scalar)."""

import os
import shutil
import subprocess
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from symalign import Game, derive_on_support, get_family
from symalign.export import scalar
from symalign.export.code import latexify_available
from symalign.cli.app import main
from symalign.errors import InputError
from symalign.export.latex import (
    certificate_latex,
    claim_latex,
    code_latex,
    conditions_latex,
    equilibrium_latex,
    escape,
    exclusion_latex,
    expression_latex,
    game_latex,
    kkt_latex,
    latex,
    latex_label,
    parameters_latex,
    register_utility_template,
    steering_latex,
    text,
    theorem,
    utility_latex,
)
from symalign.core.params import ParamSpec
from symalign.export.report import Figure, Section, TheoremEntry, build_report, game_writeup, standalone, write_atomic
from symalign.numeric.simplex import project
from symalign.io.resources import examples_dir, theorems_dir

EXAMPLES = examples_dir()
THEOREMS = theorems_dir()
OVERLAP = get_family("active_alignment", "overlap")


def overlap(n=2, groups=("x", "y"), **kw):
    return Game.symbolic(OVERLAP, n, list(groups), **kw)


@pytest.fixture(scope="module")
def interior_2x3():
    """The symbolic interior closed form of the homogeneous overlap game, N = 2, D = 3 (derived once)."""
    return derive_on_support(overlap(2, "xyz"))


# ----------------------------------------------------------------------------- printer


@pytest.mark.parametrize("name, tex", [
    ("w_{1,2}", "w_{1,2}"),
    ("mu_{1,2}", r"\mu_{1,2}"),
    ("lambda_1", r"\lambda_{1}"),
    ("alpha_2", r"\alpha_{2}"),
    ("gamma", r"\gamma"),
    ("A^{12}_{1,2}", "A^{12}_{1,2}"),
    ("Delta_gamma", r"\Delta_{\gamma}"),
])
def test_symbol_names_print_as_a_paper_writes_them(name, tex):
    assert latex(sp.Symbol(name)) == tex


def test_closed_form_is_grouped_by_parameter_monomials_not_expanded(interior_2x3):
    tex = expression_latex(interior_2x3.weights[0, 0])
    assert r"\alpha \beta \left(2 a_{1,1} - a_{1,2} - a_{1,3}\right)" in tex
    assert r"3 \left(\beta - \gamma\right) \left(\beta + \gamma\right)" in tex
    # every scalar-parameter monomial appears once: no "polynomial soup"
    assert tex.count(r"\alpha \beta") == 1


def test_grouped_terms_rebuild_the_expression():
    """The grouping is a presentation: rebuilding from the printed pieces gives the same polynomial."""
    from symalign.core.printing import _terms

    al, be, ga = sp.symbols("alpha beta gamma", positive=True)
    x, y = sp.symbols("x y")
    expr = 2 * al * be * x - al * be * y + be**2 * (x - 1) - ga**2 + sp.Rational(1, 3) * al * x
    terms = _terms(expr, [al, be, ga])
    assert len(terms) == 4  # alpha*beta, alpha, beta**2, gamma**2
    assert [s for s, _ in terms].count("-") == 1
    assert ("-", r"\gamma^{2}") in terms


def test_long_expressions_split_into_align_lines(interior_2x3):
    tex = expression_latex(interior_2x3.weights[0, 0], width=40)
    assert tex.startswith(r"\frac{1}{") and r"\Bigr)" in tex
    assert tex.count(r"\\") >= 1 and r"&\qquad" in tex


def test_factored_products_stay_factored():
    b, g = sp.symbols("beta gamma", positive=True)
    assert expression_latex((2 * b - g) * (2 * b + g)) == latex((2 * b - g) * (2 * b + g))


def test_escape_and_text():
    assert escape("a_b & 5%") == r"a\_b \& 5\%"
    assert text("cost $x_i$ in #1") == r"cost $x_i$ in \#1"
    assert latex_label("T2: uniqueness (Q')") == "T2:-uniqueness-Q"
    with pytest.raises(InputError):
        latex_label("()")


# ----------------------------------------------------------------------------- utilities and games


def test_templates_for_every_built_in_family():
    assert r"\lVert w_i - m_i \rVert^2" in utility_latex(Game.symbolic(get_family("active_alignment", "distance"), 2, 2))
    assert r"\operatorname{KL}(w_i \,\Vert\, p_i)" in utility_latex(Game.symbolic(get_family("active_alignment", "entropic"), 2, 2))
    assert r"w_i^{\top} A_{ij} w_j" in utility_latex(Game.symbolic(get_family("polymatrix"), 2, 2))
    het = Game.symbolic(OVERLAP, 2, 2, homogeneous=False)
    assert r"\alpha_i \langle a_i, w_i \rangle" in utility_latex(het)


def test_custom_family_renders_a_generic_agent_from_sympy():
    fam = get_family("custom", expression="sum(a[d]*w[d], d) - beta*sum(w[d]**2, d)",
                     specs=(ParamSpec("a", "vector"), ParamSpec("beta", "agent", "positive")))
    g = Game.create(fam, 2, ["x", "y"], a=[1, 0], beta=[1, 2])
    tex = utility_latex(g)
    assert tex.startswith("\\begin{aligned}\nU_{1}(w_1, w_{-1}) &=")
    assert "shown for agent 1" in game_latex(g)
    assert r"\beta \left(" in tex and "a_{1,1}" in tex  # written in the parameters, not the numbers
    assert "% utility = sum(a[d]*w[d], d)" in game_latex(g)
    assert r"\beta = (1, 2)" in parameters_latex(g)


def test_family_may_provide_its_own_latex_and_templates_can_be_registered():
    from dataclasses import dataclass

    from symalign.core.families.base import UtilityFamily

    @dataclass(frozen=True)
    class Linear(UtilityFamily):
        name = "test_linear_latex"

        def parameters(self):
            return (ParamSpec("a", "vector"),)

        def utility(self, game, i, W):
            return game.param("a", i).dot(W.row(i))

    g = Game.create(Linear(), 2, 2, a=[1, 2])
    assert "U_{1}(w_1, w_{-1}) &=" in utility_latex(g)  # fallback: SymPy, generic agent
    register_utility_template("test_linear_latex", lambda game: (r"\langle a_i, w_i \rangle", ()))
    assert utility_latex(g) == r"U_i(w_i, w_{-i}) = \langle a_i, w_i \rangle"
    with pytest.raises(InputError):
        register_utility_template("", lambda game: ("", ()))


def test_parameters_show_exact_decimals_and_matrices():
    g = Game.create(OVERLAP, 2, ["x", "y"], alpha=[0.1, 2], beta="1/3", gamma=0.05,
                    a=[[0.25, -1.5], [0, 1]], p=[0.5, 0.5])
    tex = parameters_latex(g)
    assert r"\alpha = (0.1, 2)" in tex and r"\beta = \frac{1}{3}" in tex and r"\gamma = 0.05" in tex
    assert r"0.25 & -1.5" in tex
    assert "gather*" in game_latex(g)  # matrices go to a display


def test_symbolic_parameters_show_their_domains():
    tex = parameters_latex(overlap(2, "xyz"))
    assert r"\alpha > 0" in tex and r"\gamma \ge 0" in tex
    assert r"a_i \in \mathbb{R}^{3}" in tex and r"p_i \in \Delta_{3}" in tex


def test_kkt_lists_lagrangian_stationarity_and_slackness():
    g = overlap(2, "xy")
    tex = kkt_latex(g)
    assert r"\mathcal{L}_i = U_i(w_i, w_{-i}) - \lambda_i" in tex
    assert tex.count("&= 0") == 4
    assert r"\mu_{i,d} \, w_{i,d} = 0" in tex
    assert kkt_latex(g) == tex


# ----------------------------------------------------------------------------- equilibria


def test_numeric_equilibrium_exact_and_rounded():
    from symalign.numeric.solve import find_equilibrium, solve

    g = Game.create(OVERLAP, 2, ["x", "y"], alpha=1, beta=1, gamma="1/2", a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    tex = equilibrium_latex(find_equilibrium(g))   # concavity not checked here: the sentence is conditional
    assert r"W^* = \begin{array}" in tex and "equilibrium where each utility is concave" in tex
    tex = equilibrium_latex(solve(g).equilibria[0])  # solve checks concavity and deviations
    assert "concave in own weights (checked)" in tex and "deviation gain" in tex
    from symalign.io.gamefile import load_game

    eq = find_equilibrium(load_game(EXAMPLES / "interior_4x3.toml"))
    tex = equilibrium_latex(eq, digits=3)
    assert r"W^* \approx" in tex and "rounded to 3 decimals" in tex


def test_symbolic_equilibrium_lists_support_zeros_and_conditions():
    eq = derive_on_support(overlap(2, "xyz"), [[0, 1], [0, 1]])
    tex = equilibrium_latex(eq, multipliers=True)
    assert r"w^*_{1,3} = w^*_{2,3} = 0" in tex
    assert r"Every agent gives zero weight to $\text{z}$" in tex
    assert r"\lambda_{1} &=" in tex
    assert tex.count(r"\ge 0") == 2 and tex.count("> 0") == 4


def test_weights_latex_is_math_only(interior_2x3):
    from symalign.export.latex import weights_latex

    tex = weights_latex(interior_2x3)
    assert tex.startswith("\\begin{aligned}\nw^*_{1,1} &= ") and tex.endswith("\\end{aligned}")
    assert "support" not in tex and "$" not in tex


def test_invalid_candidate_is_said_so():
    g = Game.create(OVERLAP, 2, ["x", "y"], alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 0]], p=[0.5, 0.5])
    assert r"\emph{not} an equilibrium" in equilibrium_latex(derive_on_support(g))


def test_conditions_drop_true_and_show_false():
    x = sp.Symbol("x")
    assert conditions_latex([sp.true]) == "(no conditions)"
    assert r"\text{false}" in conditions_latex([sp.false, x > 0])


# ----------------------------------------------------------------------------- certificates, claims, theorems


def test_certificate_with_a_real_proof_and_counterexample():
    from symalign.verify.smt import prove

    b, g = sp.symbols("beta gamma", positive=True)
    proof = prove([b > 0, g > 0, g < b], b - g > 0)
    tex = certificate_latex(SimpleNamespace(kind="uniqueness", condition=g < b, status=proof, reference="Rosen 1965"))
    assert r"\emph{Status:} proved." in tex and r"\begin{proposition}[Uniqueness]" in tex
    refuted = prove([b > 0, g > 0], g < b)
    tex = certificate_latex(SimpleNamespace(kind="uniqueness", condition=g < b, status=refuted, reference=None))
    assert "refuted" in tex and "The condition fails at $" in tex


def test_certificate_from_symalign_certificates():
    from symalign.verify.certificates import uniqueness_certificate

    game = overlap(3, "xy")
    tex = certificate_latex(uniqueness_certificate(game))
    assert r"& \gamma < 2 \beta" in tex and r"(\text{multiplicity } 2)" in tex
    assert r"\emph{Status:} refuted: the condition does not follow from the hypotheses" in tex
    assert "The condition fails at $" in tex


def test_certificate_true_and_false_conditions_read_as_sentences():
    tex = certificate_latex(SimpleNamespace(kind="existence", condition=sp.true, status="proved", reference=""))
    assert "A pure Nash equilibrium exists: the condition holds identically." in tex
    tex = certificate_latex(SimpleNamespace(kind="uniqueness", condition=sp.false, status="refuted", reference=""))
    assert "condition fails at these parameters: this certificate does not establish uniqueness" in tex


def test_certificate_matrix_condition_shows_leading_minors():
    from symalign.core.rosen import dsc_matrix

    M = dsc_matrix(overlap(3, "xy"))
    tex = certificate_latex(SimpleNamespace(kind="uniqueness", condition=M, status="unknown", reference=""))
    assert "leading principal minors" in tex
    assert r"\left(2 \beta - \gamma\right) \left(2 \beta + \gamma\right) > 0" in tex  # DSC iff gamma < beta (N-1)


def test_theorem_environment_label_status_and_claim_file():
    tex = theorem("S", title="T_1 & co", label="thm:t 1", env="lemma", status="proved", claim_file="theorems/x.toml",
                  proof="Q")
    assert tex.splitlines()[0] == "% claim file: theorems/x.toml"
    assert r"\begin{lemma}[T\_1 \& co]\label{thm:t-1}" in tex and "\\begin{proof}\nQ\n\\end{proof}" in tex
    with pytest.raises(InputError):
        theorem("S", env="itemize")


def test_claim_is_rendered_by_duck_typing():
    b, g = sp.symbols("beta gamma", positive=True)
    claim = SimpleNamespace(id="T0", title="Existence", statement=r"A pure NE exists.", hypotheses=(b > 0, g < b),
                            status="proved", reference="Rosen 1965", path="theorems/paper/t0.toml")
    tex = claim_latex(claim)
    assert "% claim file: theorems/paper/t0.toml" in tex and r"\label{claim:T0}" in tex
    assert r"Assume $\gamma < \beta$. Then:" in tex and r"\beta > 0" not in tex  # a true hypothesis is dropped
    assert "A pure NE exists." in tex and r"\emph{Status:} proved (stated)." in tex
    # not checked: a conjecture, never a theorem (issue 10: no sentence asserts what was not checked)
    assert r"\begin{conjecture}[not checked: Existence]" in tex and r"\begin{theorem}" not in tex
    tex = claim_latex(SimpleNamespace(id="X", statement="S", hypotheses=("p[i, d] > 0",), status="open"))
    assert r"Assume $p_{i,d} > 0$. Then:" in tex  # claim-language hypotheses typeset from their syntax tree
    # supported only by samples or simulations: not typeset as a theorem
    tex = claim_latex(claim, SimpleNamespace(status="checked-by-property"))
    assert r"\begin{claim}[checked on samples, not proved: Existence]" in tex and r"\begin{theorem}" not in tex


# ----------------------------------------------------------------------------- exclusion and steering


def test_exclusion_of_a_numeric_game_states_the_verdict():
    from symalign.analysis.exclusion import exclusion_condition
    from symalign.io.gamefile import load_game

    cond = exclusion_condition(load_game(EXAMPLES / "exclusion_4x3.toml"), "right", free=["gamma"])
    tex = exclusion_latex(cond, validity=False)
    assert r"\sigma_{4} &=" in tex and r"\Delta_{\gamma} &\le" in tex
    assert r"$\text{right}$ is excluded." in tex


def test_exclusion_threshold_matches_T4_for_the_symbolic_game():
    """gamma <= alpha (D-1)(abar_{-d} - a_d) - D beta p_d, here with p_1 + p_2 = 1 - p_3 still symbolic."""
    from symalign.analysis.exclusion import exclusion_condition

    tex = exclusion_latex(exclusion_condition(overlap(2, "xyz"), "z"))
    assert r"\gamma &\le \alpha \left(a_{1,1} + a_{1,2} - 2 a_{1,3}\right) + \beta \left(p_{1,1} + p_{1,2} - 2 p_{1,3} - 1\right)" in tex


def test_exclusion_and_steering_by_duck_typing():
    x = sp.Symbol("x")
    tex = exclusion_latex(SimpleNamespace(condition=x >= 0, slacks=None), group="g")
    assert r"\text{g}" in tex and "x \\ge 0" in tex
    g = overlap(2, "xy")
    tex = steering_latex(SimpleNamespace(game=g, subsidy=(x, 0), group=None, condition=None))
    assert r"s_{\text{x}} &= x" in tex
    tex = steering_latex(SimpleNamespace(game=g, subsidy=x / 2, group=1, condition=x > 0))
    assert r"s^*_{\text{y}}" in tex and "valid when" in tex
    with pytest.raises(InputError):
        steering_latex(SimpleNamespace())


# ----------------------------------------------------------------------------- documents


def test_build_report_accepts_dicts_and_objects_in_order():
    sec = Section("Two", paragraphs=("b_1",), theorems=(TheoremEntry("S", label="thm:a", status="proved"),),
                  figures=(Figure("fig/a.png", caption="A", label="fig:a"),))
    doc = build_report([{"title": "One", "paragraphs": ["50% $x$"], "latex": [r"\[x\]"]}, sec], title="R",
                       abstract="abs")
    assert doc.index(r"\section{One}") < doc.index(r"\section{Two}")
    assert r"50\% $x$" in doc and r"b\_1" in doc and r"\includegraphics[width=0.8\linewidth]{fig/a.png}" in doc
    assert r"\label{thm:a}" in doc and r"\begin{abstract}" in doc and r"\date{}" in doc
    assert doc == build_report([{"title": "One", "paragraphs": ["50% $x$"], "latex": [r"\[x\]"]}, sec], title="R",
                               abstract="abs")


@pytest.mark.parametrize("sections, argument", [
    ("text", "sections"),
    ([{"title": "a", "bogus": 1}], "sections[0].bogus"),
    ([{"paragraphs": []}], "sections[0].title"),
    ([{"title": "a", "figures": ["my fig.png"]}], "figure.path"),
    ([{"title": "a", "theorems": [{"label": "x"}]}], "sections[0].theorems[0].statement"),
    ([{"title": "a", "paragraphs": "not a list"}], "sections[0].paragraphs"),
])
def test_build_report_rejects_bad_sections(sections, argument):
    with pytest.raises(InputError) as exc:
        build_report(sections)
    assert exc.value.argument == argument


def test_write_atomic_leaves_no_temporary_file(tmp_path):
    out = write_atomic(tmp_path / "a.tex", "one")
    write_atomic(out, "two")
    assert out.read_text() == "two" and os.listdir(tmp_path) == ["a.tex"]
    assert oct(out.stat().st_mode & 0o777) == oct(0o644)
    with pytest.raises(InputError):
        write_atomic(tmp_path / "missing" / "a.tex", "x")


def test_game_writeup_of_a_numeric_game_with_exclusion():
    from symalign.io.gamefile import load_game

    tex = game_writeup(load_game(EXAMPLES / "exclusion_4x3.toml"), code=True)
    for head in ("Game", "KKT conditions", "Existence and uniqueness", "Equilibrium", "Exclusion", "Code"):
        assert rf"\section*{{{head}}}" in tex
    assert r"\begin{proposition}[Uniqueness]" in tex and r"\emph{Status:} proved" in tex
    assert (r"\mathbf{for}" if latexify_available() else r"\begin{verbatim}") in tex  # latexify-py is optional


# ----------------------------------------------------------------------------- readable solver code


@pytest.mark.parametrize("fn", [scalar.simplex_projection, scalar.mean_of_others, scalar.best_response_overlap,
                                scalar.centred, scalar.population_mean, scalar.overlap_interior_weight,
                                scalar.overlap_interior_profile])
def test_every_scalar_function_renders(fn):
    pytest.importorskip("latexify")  # optional (the `latex` extra, Python < 3.14)
    tex = code_latex(fn)
    assert fn.__name__.replace("_", r"\_") in tex
    assert '"' not in tex and "range" not in tex  # docstring dropped, ranges as sets


def test_code_latex_styles_and_errors():
    pytest.importorskip("latexify")
    assert code_latex(scalar.simplex_projection).count(r"\mathbf{for}") == 1
    assert r"\mathbf{function}" in code_latex(scalar.centred, style="algorithm")
    with pytest.raises(InputError):
        code_latex(scalar.simplex_projection, style="function")
    with pytest.raises(InputError):
        code_latex(scalar.centred, style="poem")
    namespace = {}
    exec("def f(x):\n    return x\n", namespace)  # no retrievable source
    with pytest.raises(InputError):
        code_latex(namespace["f"])


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=8))
def test_scalar_projection_agrees_with_the_vectorised_one(v):
    np.testing.assert_allclose(scalar.simplex_projection(v, len(v)), project(np.array(v)), atol=1e-12)


def test_scalar_best_response_is_the_projected_kkt_point():
    W = [[0.2, 0.5, 0.3], [0.6, 0.2, 0.2], [0.1, 0.1, 0.8]]
    m = scalar.mean_of_others(W, 0, 3, 3)
    np.testing.assert_allclose(m, [0.35, 0.15, 0.5])
    br = scalar.best_response_overlap(1, 2, 1, [0.3, 0.2, 0.1], [0.2, 0.3, 0.5], m, 3)
    x = (1 * np.array([0.3, 0.2, 0.1]) + 2 * np.array([0.2, 0.3, 0.5]) - np.array(m)) / 2
    np.testing.assert_allclose(br, project(x), atol=1e-12)


@settings(max_examples=12)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(0, 10**6))
def test_scalar_closed_form_agrees_with_the_derivation(N, D, seed):
    """T3 (homogeneous form) against the exact KKT derivation at random parameters.

    This is the independent check of the hand-typed formula in symalign.export.scalar: every example
    must derive (no skipped cases) and agree entry by entry in exact rational arithmetic.
    """
    rng = np.random.default_rng(seed)
    alpha, beta = Fraction(int(rng.integers(1, 5)), 2), Fraction(int(rng.integers(2, 9)), 2)
    gamma = Fraction(int(rng.integers(0, 7)), 4)
    if gamma == beta * (N - 1):  # the only pole of the interior system (beta - gamma/(N-1) = 0)
        gamma += Fraction(1, 8)  # k/4 + 1/8 is never a multiple of 1/2, so never another pole
    a = [[Fraction(int(x), 10) for x in rng.integers(-10, 10, D)] for _ in range(N)]
    p = []
    for _ in range(N):
        row = [int(x) for x in rng.integers(1, 6, D)]
        p.append([Fraction(x, sum(row)) for x in row])
    g = Game.create(OVERLAP, N, D, alpha=alpha, beta=beta, gamma=gamma, a=a, p=p)
    eq = derive_on_support(g)
    got = scalar.overlap_interior_profile(alpha, beta, gamma, a, p, N, D)
    assert all(isinstance(x, Fraction) for row in got for x in row)  # exact: no float crept in
    assert [[sp.Rational(x.numerator, x.denominator) for x in row] for row in got] == eq.weights.tolist()


# ----------------------------------------------------------------------------- command line


def test_cli_latex_writes_atomically_and_standalone(tmp_path):
    out = tmp_path / "g.tex"
    res = CliRunner().invoke(main, ["latex", str(EXAMPLES / "interior_4x3.toml"), "-o", str(out), "--standalone"])
    assert res.exit_code == 0, res.output
    doc = out.read_text()
    assert doc.startswith(r"\documentclass") and r"\section*{Existence and uniqueness}" in doc
    assert [p.name for p in tmp_path.iterdir()] == ["g.tex"]
    res2 = CliRunner().invoke(main, ["latex", str(EXAMPLES / "interior_4x3.toml"), "--standalone"])
    assert res2.output == doc  # stdout and file agree, and re-running is byte-identical


def test_cli_latex_symbolic_support_and_errors(tmp_path):
    f = tmp_path / "sym.toml"
    f.write_text('agents = 2\ngroups = ["x", "y", "z"]\nfamily = "active_alignment"\n[parameters]\n'
                 'alpha = "alpha"\nbeta = "beta"\ngamma = "gamma"\na = [[1, 0, 0], [0, 1, 0]]\np = [0.5, 0.25, 0.25]\n')
    res = CliRunner().invoke(main, ["latex", str(f), "--support", "x,y", "--no-kkt"])
    assert res.exit_code == 0, res.output
    assert "KKT conditions" not in res.output and r"w^*_{1,3} = w^*_{2,3} = 0" in res.output
    res = CliRunner().invoke(main, ["latex", str(f), "--support", "x,w"])
    assert res.exit_code == 2 and "symalign: error: support" in res.output
    other = tmp_path / "other.toml"
    other.write_text('statement = "x"\n')
    res = CliRunner().invoke(main, ["latex", str(other)])
    assert res.exit_code == 2 and "neither a game file" in res.output
    res = CliRunner().invoke(main, ["latex", str(f), "--check"])
    assert res.exit_code == 2 and "--check applies to claim files only" in res.output


def test_cli_latex_of_a_claim_file(tmp_path):
    claim = THEOREMS / "active_alignment" / "T0_existence_overlap.toml"
    res = CliRunner().invoke(main, ["latex", str(claim), "--standalone", "-o", str(tmp_path / "c.tex")])
    assert res.exit_code == 0, res.output
    doc = (tmp_path / "c.tex").read_text()
    # without --check the claim is not checked: a conjecture, not a theorem
    assert "% claim file: " in doc and r"\begin{conjecture}[not checked: " in doc and r"\emph{Status:}" in doc
    assert r"\begin{theorem}" not in doc
    res = CliRunner().invoke(main, ["latex", str(claim), "--code"])
    assert res.exit_code == 2


def test_claim_latex_with_a_real_claim_and_its_check():
    from symalign.claims.checks import check_claim
    from symalign.claims.schema import load_claim

    path = THEOREMS / "active_alignment" / "T0_existence_overlap.toml"
    claim = load_claim(path)
    result = check_claim(claim)
    tex = claim_latex(claim, result)
    assert f"\\label{{claim:{claim.id}}}" in tex
    assert f"{claim.expected} (stated), {result.status} (checked by symalign)" in tex


# ----------------------------------------------------------------------------- compile


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not on PATH")
def test_standalone_documents_compile_with_pdflatex(tmp_path, interior_2x3):
    from symalign.analysis.exclusion import exclusion_condition
    from symalign.io.gamefile import load_game
    from symalign.core.rosen import dsc_matrix

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, 1])
    fig.savefig(tmp_path / "fig.png")
    plt.close(fig)
    sym = overlap(2, ["left", "centre", "right"])
    sections = [
        {"title": "Game", "latex": [game_latex(sym), kkt_latex(sym)]},
        {"title": "Closed form", "latex": [equilibrium_latex(interior_2x3, multipliers=True)],
         "theorems": [{"statement": "A pure equilibrium exists.", "label": "thm:T0", "title": "Existence",
                       "status": "proved", "claim_file": "theorems/paper/t0.toml", "reference": "Rosen 1965"}]},
        {"title": "Certificates", "latex": [certificate_latex(SimpleNamespace(
            kind="uniqueness", condition=dsc_matrix(overlap(3, "xy")), status="unknown", reference="Rosen 1965"))]},
        {"title": "Exclusion", "latex": [exclusion_latex(exclusion_condition(sym, "right"))],
         "figures": [{"path": "fig.png", "caption": "A figure", "label": "fig:one"}]},
        {"title": "A numeric game", "latex": [game_writeup(load_game(EXAMPLES / "exclusion_4x3.toml"), code=True)]},
    ]
    for name, doc in (("report", build_report(sections, title="symalign test report")),
                      ("fragment", standalone(game_latex(sym), title="Fragment"))):
        (tmp_path / f"{name}.tex").write_text(doc)
        res = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout[-3000:]
        assert (tmp_path / f"{name}.pdf").stat().st_size > 1000

"""Nothing in the package evaluates user text: no eval/exec, no parse_expr, no sympify of strings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "symalign"
FILES = sorted(PACKAGE.rglob("*.py"))


def _calls(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            builtin = isinstance(f, ast.Name)
            name = f.id if builtin else f.attr if isinstance(f, ast.Attribute) else None
            yield name, builtin, node


def _check(path):
    where = lambda node: f"{path.name}:{node.lineno}"  # noqa: E731
    for name, builtin, node in _calls(path):
        if builtin:  # the builtins that run text as code
            assert name not in ("eval", "exec", "compile", "__import__"), where(node)
        assert name not in ("parse_expr", "S"), where(node)  # SymPy's text parsers (sp.S("...") parses)
        if name == "sympify":  # only on objects already built by the package, never on text
            assert any(k.arg == "strict" and getattr(k.value, "value", None) is True for k in node.keywords), where(node)
        if name == "lambdify":  # lambdify takes expressions built by the package; refuse string input
            assert not any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args), where(node)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PACKAGE)) for p in FILES])
def test_no_evaluating_calls(path):
    _check(path)


# SymPy's LaTeX parser (an ANTLR grammar that builds expressions; it evaluates no Python) reads an author's own
# formula for the comparison of ``latex --check``, in this one module only
LATEX_PARSER = PACKAGE / "export" / "author_latex.py"


def test_grep_finds_no_text_evaluation():
    text = "\n".join(p.read_text(encoding="utf-8") for p in FILES if p != LATEX_PARSER)
    import re

    assert not re.search(r"\bparse_expr\b", text) and "sympy.parsing" not in text
    assert "import pickle" not in text and "yaml.load(" not in text


@pytest.mark.parametrize("code", ["x = sp.sympify(user_text)\n", "x = eval(t)\n", "sp.parsing.sympy_parser.parse_expr(t)\n",
                                  "sp.S(t)\n", "exec(t)\n", "__import__(t)\n"])
def test_the_check_can_fail(tmp_path, code):
    bad = tmp_path / "bad.py"
    bad.write_text("import sympy as sp\n" + code)
    with pytest.raises(AssertionError):
        _check(bad)


def test_the_latex_parser_is_the_only_parser():
    text = LATEX_PARSER.read_text(encoding="utf-8")
    assert "from sympy.parsing.latex import parse_latex" in text and "parse_expr" not in text

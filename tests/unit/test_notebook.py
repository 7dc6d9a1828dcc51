"""Jupyter display: every result object has a useful repr and a MathJax-ready _repr_latex_."""

import re

import pytest

from symalign import get_family

from _helpers import notebook_objects

OVERLAP = get_family("active_alignment", "overlap")


@pytest.fixture(scope="module")
def objects():
    return notebook_objects()


NAMES = ["game", "symbolic game", "solution", "equilibrium", "kkt", "certificate", "exclusion", "subsidy", "target",
         "mean field", "claim", "claim result"]


@pytest.mark.parametrize("name", NAMES)
def test_repr_latex_is_math_a_notebook_renders(objects, name):
    tex = objects[name]._repr_latex_()
    assert isinstance(tex, str) and len(tex) > 20
    assert "$" in tex or "\\begin{" in tex  # math content
    assert not any(line.lstrip().startswith("%") for line in tex.splitlines())  # no comment lines
    assert not re.search(r"\\begin\{(theorem|proposition|lemma|remark)", tex)  # MathJax has no theorem environments
    assert tex.count("\\begin{") == tex.count("\\end{")


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_one_informative_line(objects, name):
    text = repr(objects[name])
    assert "\n" not in text and len(text) < 400 and "object at 0x" not in text
    assert not text.startswith(type(objects[name]).__name__ + "(game=")  # not the dataclass dump


def test_game_repr_says_numeric_or_symbolic(objects):
    assert repr(objects["game"]).endswith(", numeric)")
    assert "symbolic in " in repr(objects["symbolic game"]) and "alpha" in repr(objects["symbolic game"])
    assert "exclusion" not in repr(objects["game"]) and "excluded" in repr(objects["exclusion"])
    assert "s* = 31/120" in repr(objects["subsidy"])

"""Jupyter display: every result object has a useful repr and a MathJax-ready _repr_latex_."""

import re

import pytest

from symalign import (Game, derive_mean_field, derive_on_support, exclusion_condition, existence_certificate,
                      get_family, kkt_system, minimal_subsidy, solve, target_subsidy)
from symalign.claims.checks import check_claim
from symalign.claims.schema import load_claim
from symalign.io.gamefile import load_game
from symalign.io.resources import example, theorems_dir

OVERLAP = get_family("active_alignment", "overlap")


@pytest.fixture(scope="module")
def objects():
    game = load_game(example("exclusion_4x3.toml"))
    sym = Game.symbolic(OVERLAP, 2, ["x", "y"])
    claim = load_claim(theorems_dir() / "active_alignment" / "T0_existence_overlap.toml")
    small = Game.create(OVERLAP, 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0, a=[[1, "1/2", 0], ["1/2", 1, 0]],
                        p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    return {
        "game": game, "symbolic game": sym, "solution": solve(game), "equilibrium": derive_on_support(sym),
        "kkt": kkt_system(game), "certificate": existence_certificate(game),
        "exclusion": exclusion_condition(game, "right"), "subsidy": minimal_subsidy(game, "right"),
        "target": target_subsidy(small, ["1/3", "1/3", "1/3"]), "mean field": derive_mean_field(OVERLAP, 3),
        "claim": claim, "claim result": check_claim(claim, timeout=10),
    }


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

"""Own Hessians read off the affine KKT gradients (the fast path of own_concavity) equal the symbolic route."""

from __future__ import annotations

import pytest
import sympy as sp

from symalign import Game
from symalign.core import concavity
from symalign.core.families.custom import CustomFamily
from symalign.core.rosen import own_hessian
from symalign.io.gamefile import load_game
from symalign.io.resources import examples_dir

EXAMPLES = sorted(p.name for p in examples_dir().iterdir() if p.suffix == ".toml")
CUSTOM = {
    "convex": "sum(w[d]**2, d) - sum(w[d]*m[d], d)",
    "cross terms": "-(w[0] + 2*w[1])**2 + 3*w[0]*w[2] - sum(w[d]*m[d], d)",
    "indefinite": "w[0]*w[1] - w[2]**2",
}


def _games():
    for name in EXAMPLES:
        yield name, load_game(examples_dir() / name)
    for name, utility in CUSTOM.items():
        yield name, Game.create(CustomFamily(utility), 3, 3)


@pytest.mark.parametrize("name,game", list(_games()), ids=lambda x: x if isinstance(x, str) else "")
def test_affine_hessians_equal_the_symbolic_ones(name, game):
    fast = concavity._affine_own_hessians(game)
    assert fast is not None, name
    for i in range(game.n_agents):
        assert fast[i] == sp.Matrix(own_hessian(game, i)), (name, i)


@pytest.mark.parametrize("name,game", list(_games()), ids=lambda x: x if isinstance(x, str) else "")
def test_concavity_verdict_is_the_same_by_both_routes(monkeypatch, name, game):
    fast = concavity.own_concavity(game)
    monkeypatch.setattr(concavity, "_affine_own_hessians", lambda g: None)
    assert concavity.own_concavity(game) == fast


def test_non_affine_gradients_take_the_symbolic_route():
    g = Game.create(CustomFamily("-sum(w[d]**3, d)"), 2, 3)
    assert concavity._affine_own_hessians(g) is None
    c = concavity.own_concavity(g)  # proved by curvature rules, strict as the diagonal Hessian route says
    assert (c.status, c.strict, c.method) == ("proved", True, "curvature rules (DCP)")
    assert concavity._diagonal_nonpositive(g, 0) and concavity._diagonal_negative(g, 0)
    assert concavity.own_concavity(Game.create(CustomFamily("sum(w[d]**3, d)"), 2, 3)).status == "refuted"
    entropy = Game.create(CustomFamily("-sum(w[d]*log(w[d]), d)"), 2, 3)
    assert concavity._affine_own_hessians(entropy) is None
    assert concavity.own_concavity(entropy).status == "proved"

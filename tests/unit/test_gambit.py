"""Gambit as enumeration engine: every profile re-checked exactly, same equilibria as our enumeration."""

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.core.kkt import kkt_violations
from symalign.errors import InputError
from symalign.numeric import bimatrix, gambit


def _bimatrix(rng, n):
    A = rng.integers(-9, 10, (n, n)).tolist()
    B = rng.integers(-9, 10, (n, n)).tolist()
    return Game.create(get_family("polymatrix"), 2, [f"s{k}" for k in range(n)], A={"A": A, "B": B})


def _key(eqs):
    return sorted(tuple(map(str, e.weights)) for e in eqs)


@pytest.mark.skipif(not gambit.available(), reason="pygambit not installed (optional extra)")
@pytest.mark.parametrize("seed", range(6))
def test_gambit_agrees_with_support_enumeration(seed):
    rng = np.random.default_rng(seed)
    g = _bimatrix(rng, 3)
    ours = bimatrix.enumerate_bimatrix(g, engine="symalign")
    theirs = bimatrix.enumerate_bimatrix(g, engine="gambit")
    assert theirs.engine == "gambit-enummixed" and ours.engine == "symalign-support-enumeration"
    assert theirs.rejected == ()
    for e in theirs.equilibria:
        assert kkt_violations(g, e.weights) == ()  # independent exact check
    if not ours.degenerate:
        assert _key(theirs.equilibria) == _key(ours.equilibria)


def test_gambit_answer_that_fails_the_exact_check_is_rejected(monkeypatch):
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    from fractions import Fraction as F

    monkeypatch.setattr(gambit, "available", lambda: True)
    monkeypatch.setattr(gambit, "gambit_profiles", lambda A, B: [[[F(1), F(0)], [F(1), F(0)]],
                                                                [[F(1, 2), F(1, 2)], [F(1, 2), F(1, 2)]]])
    r = bimatrix.enumerate_bimatrix(g)
    assert len(r.equilibria) == 1 and r.equilibria[0].weights == sp.ImmutableMatrix([[sp.Rational(1, 2)] * 2] * 2)
    assert len(r.rejected) == 1 and "exceeds" in r.rejected[0][1][0]


def test_fallback_and_bad_input(monkeypatch):
    g = Game.create(get_family("polymatrix"), 2, ["h", "t"], A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    monkeypatch.setattr(gambit, "available", lambda: False)
    r = bimatrix.enumerate_bimatrix(g)
    assert r.engine == "symalign-support-enumeration" and len(r.equilibria) == 1
    with pytest.raises(InputError, match="pygambit is not installed"):
        bimatrix.enumerate_bimatrix(g, engine="gambit")
    with pytest.raises(InputError, match="engine"):
        bimatrix.enumerate_bimatrix(g, engine="lrs")
    aa = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 1]],
                     p=[0.5, 0.5])
    with pytest.raises(InputError, match="bimatrix"):
        gambit.bimatrix_payoffs(aa)

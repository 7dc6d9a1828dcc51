"""Exact profitable deviations: counterexamples to equilibrium claims in games not known to be concave.

The numeric multi-start search (:func:`symalign.numeric.deviation.global_deviation_gain`:
vertices, face centroids, random starts, projected ascent) proposes where an
agent gains; the proposal, and every vertex and point of a small rational grid
of the simplex, is turned into an **exact rational** deviation whose gain
``U_i(x, W_-i) - U_i(W)`` is computed exactly and proved positive (rational
arithmetic; algebraic numbers decided by their minimal polynomial and then
a 50-digit sign).  A returned deviation refutes "``W`` is an equilibrium" by
itself, whatever found it.

Examples
--------
>>> from symalign.io.gamefile import game_from_mapping
>>> g = game_from_mapping({"family": "custom", "agents": 3, "groups": ["a", "b"],
...     "utility": "sum(w[d]**3/sum_agents(W[j][d]**3, j), d)"})
>>> W = sp.ImmutableMatrix([[sp.Rational(1, 2)] * 2] * 3)
>>> dev = profitable_deviation(g, W, 0)
>>> dev.gain, dev.weights
(2/15, (1, 0))
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

__all__ = ["Deviation", "profitable_deviation"]


@dataclass(frozen=True)
class Deviation:
    """An exact unilateral deviation that gains: ``agent`` plays ``weights`` instead, gaining ``gain > 0``."""

    agent: int
    weights: tuple
    gain: sp.Expr
    found_by: str

    def to_dict(self) -> dict:
        return {"agent": self.agent + 1, "weights": [str(x) for x in self.weights], "gain": str(self.gain),
                "found_by": self.found_by}


def _positive(x) -> bool:
    from symalign.numeric.recognise import exactly_zero

    x = sp.sympify(x, strict=True)
    if x.is_Rational:
        return x > 0
    if exactly_zero(x) is not False:
        return False
    return bool(sp.N(x, 50) > 0)


def _grid(D, steps):
    for c in itertools.product(range(steps + 1), repeat=D - 1):
        if sum(c) <= steps:
            yield tuple(sp.Rational(k, steps) for k in c) + (1 - sp.Rational(sum(c), steps),)


def _round(row, den):
    fr = [Fraction(float(x)).limit_denominator(den) for x in row]
    fr[-1] = 1 - sum(fr[:-1])
    if min(fr) < 0:
        return None
    return tuple(sp.Rational(f.numerator, f.denominator) for f in fr)


def profitable_deviation(game, W, agent: int, *, grid_steps: int = 12, max_candidates: int = 2000):
    """The best exact profitable deviation of ``agent`` from the exact profile ``W`` among the candidates, or None.

    Parameters
    ----------
    game : Game
        Numeric game.
    W : Matrix
        Exact (rational) profile.
    agent : int
    grid_steps : int
        Rational grid ``k / grid_steps`` of the simplex (skipped when it has
        more than ``max_candidates`` points).
    """
    from symalign.numeric.cache import numeric
    from symalign.numeric.deviation import global_deviation_gain

    N, D = game.n_agents, game.n_groups
    Wsym = game.weights
    base = {Wsym[i, d]: sp.sympify(W[i, d], strict=True) for i in range(N) for d in range(D)}
    u = game.utility(agent)
    u0 = u.xreplace(base)
    candidates = []
    ng = numeric(game)
    try:
        _, best = global_deviation_gain(ng.utility, ng.grad, np.array(W.evalf(17).tolist(), dtype=float), agent)
        candidates += [(_round(best, den), "multi-start search") for den in (12, 100, 10**4)]
    except (ValueError, FloatingPointError):
        pass
    candidates += [(tuple(sp.Integer(int(d == k)) for d in range(D)), "vertex") for k in range(D)]
    if sum(1 for _ in itertools.islice(_grid(D, grid_steps), max_candidates + 1)) <= max_candidates:
        candidates += [(x, f"rational grid 1/{grid_steps}") for x in _grid(D, grid_steps)]
    found, seen = None, set()
    for x, how in candidates:
        if x is None or x in seen:
            continue
        seen.add(x)
        dev = dict(base)
        dev.update(dict(zip(list(Wsym.row(agent)), x)))
        try:
            gain = u.xreplace(dev) - u0
        except (ZeroDivisionError, TypeError):
            continue
        if gain.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not gain.is_number:
            continue
        if not gain.is_Rational and sp.N(gain, 30) < -1e-20:  # clearly a loss: only the exact check can accept
            continue
        gain = sp.radsimp(gain)
        if _positive(gain) and (found is None or float(gain) > float(found.gain)):
            found = Deviation(agent, x, gain, how)
    return found

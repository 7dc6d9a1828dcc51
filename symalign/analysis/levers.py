"""Alternative steering levers: the diversity weight and one agent's prior.

Besides subsidising a group's attractiveness
(:func:`symalign.analysis.steering.minimal_subsidy`), a regulator may move
the diversity weight (set for every agent, :func:`diversity_lever`) or one
agent's prior toward the group (:func:`prior_lever`).  Each lever is
derived from the exclusion slacks on the reduced support with the moved
quantity symbolic (the smallest root of a slack), then checked by solving
the steered games exactly (:mod:`symalign.analysis.probes`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.analysis.exclusion import exclusion_condition
from symalign.analysis.inputs import group_index, parameter_spec, with_parameter
from symalign.analysis.probes import SteeringCheck, probe_around
from symalign.errors import InputError

__all__ = ["Lever", "diversity_lever", "prior_lever"]


@dataclass(frozen=True, eq=False)
class Lever:
    """An alternative lever: the value of one parameter at which exclusion ends.

    Attributes
    ----------
    game : Game
    group : int
    parameter : str
        What is moved (e.g. ``"gamma"`` for all agents, ``"p[3]"`` for agent 3's prior).
    value : Expr or None
        The derived value where the group's exclusion ends (None if impossible).
    current : Expr
        The parameter's value in ``game``.
    possible : bool
    reason : str
    check : SteeringCheck or None
    """

    game: object
    group: int
    parameter: str
    value: sp.Expr | None
    current: sp.Expr
    possible: bool
    reason: str
    check: SteeringCheck | None = None

    def to_dict(self) -> dict:
        return {
            "group": self.game.groups[self.group], "parameter": self.parameter,
            "value": None if self.value is None else str(self.value), "current": str(self.current),
            "possible": self.possible, "reason": self.reason,
            "check": None if self.check is None else self.check.to_dict(),
        }


def _crossing(slacks, t, t0, lo=None, hi=None):
    """Smallest root > t0 (or largest < t0) of the affine-or-rational slacks, with the agent."""
    best = None
    for i, sl in enumerate(slacks):
        num = sp.numer(sp.together(sp.cancel(sl)))
        if t not in num.free_symbols:
            continue
        for r in sp.Poly(num, t).real_roots():
            if r.is_real and (lo is None or r >= lo) and (hi is None or r <= hi) and r != t0:
                key = abs(r - t0)
                if best is None or key < best[0]:
                    best = (key, r, i)
    return None if best is None else (best[1], best[2])


def diversity_lever(game, group, *, parameter: str = "gamma", check: bool = True) -> Lever:
    """The diversity weight (set for every agent) at which ``group``'s exclusion ends.

    Derived from the exclusion slacks on the reduced support with the
    diversity weight symbolic.  Under the overlap variant diversity cures
    exclusion (every slack decreases in gamma); under the distance variant
    the slacks do not depend on gamma at all, so no diversity weight cures
    it.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> kw = dict(alpha=1, beta=1, gamma="1/10", a=[[0.5, 0.5, 0.1], [0.45, 0.55, 0.15], [0.6, 0.4, 0.1]],
    ...           p=[[0.45, 0.45, 0.1]] * 3)
    >>> lever = diversity_lever(Game.create(get_family("active_alignment", "overlap"), 3, ["l", "c", "r"], **kw), "r")
    >>> lever.value, lever.check.passed
    (2/5, True)
    >>> diversity_lever(Game.create(get_family("active_alignment", "distance"), 3, ["l", "c", "r"], **kw), "r").possible
    False
    """
    d = group_index(game, group)
    if not game.is_numeric:
        raise InputError("game", game, "has symbolic parameters; levers need numbers")
    cond = exclusion_condition(game, d)
    current = game.param(parameter)
    current = current[0] if isinstance(current, tuple) else current
    label = parameter
    if not cond.excluded:
        return Lever(game, d, label, None, current, False, f"group {game.groups[d]!r} is not excluded")
    pcond = exclusion_condition(game, d, free=(parameter,), support=cond.support)
    (sym, t0), = pcond.point.items()
    if pcond.independent_of(sym):
        return Lever(game, d, label, None, current, False,
                     f"no agent's exclusion slack depends on {parameter} (family {game.family.label}): "
                     f"no value of {parameter} ends the exclusion while the reduced equilibrium keeps its support")
    spec = parameter_spec(game, parameter)
    if str(sym).startswith("Delta_"):  # heterogeneous: a common shift of every agent's value
        lo = -min(game.param(parameter)) if spec.sign != "real" else None
    else:
        lo = 0 if spec.sign != "real" else None
    hit = _crossing(pcond.slacks, sym, t0, lo=lo)
    if hit is None:
        free_of = [i + 1 for i, sl in enumerate(pcond.slacks) if sym not in sp.sympify(sl, strict=True).free_symbols]
        return Lever(game, d, label, None, current, False,
                     f"no admissible {parameter} makes an exclusion slack vanish"
                     + (f" (the slacks of agents {free_of} do not depend on {parameter})" if free_of else ""))
    value, agent = hit
    reason = f"agent {agent + 1}'s slack vanishes at {sym} = {value}"
    if any(sp.sympify(h, strict=True).xreplace({sym: value}) is sp.false for h in pcond.game.hypotheses()):
        return Lever(game, d, label, value, current, False, reason + "; but the family's concavity hypotheses fail there")
    if any(sp.sympify(c, strict=True).xreplace({sym: value}) is sp.false for c in pcond.validity):
        reason += "; the reduced equilibrium changes support before that value (see the check)"
    res = None
    if check:
        ok, lines = probe_around(lambda v: pcond.game.subs({sym: v}), value, t0, d)
        res = SteeringCheck(ok, tuple(lines))
    return Lever(game, d, label, value, current, True, reason, res)


def prior_lever(game, group, agent: int, *, check: bool = True) -> Lever:
    """How far agent ``agent``'s prior must move toward ``group`` to end its exclusion.

    The prior follows ``p_i(t) = (1 - t) p_i + t e_d`` for t in [0, 1]; the
    result is the smallest t at which some agent's exclusion slack
    vanishes, or impossible when no t <= 1 suffices.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 3, ["l", "c", "r"], alpha=1, beta=1, gamma="1/10",
    ...                 a=[[0.5, 0.5, 0.1], [0.45, 0.55, 0.15], [0.6, 0.4, 0.1]], p=[[0.45, 0.45, 0.1]] * 3)
    >>> lever = prior_lever(g, "r", 0)
    >>> lever.value, lever.check.passed   # agent 1's prior weight on r: 1/10 -> 7/30
    (4/27, True)
    """
    d = group_index(game, group)
    if not game.is_numeric:
        raise InputError("game", game, "has symbolic parameters; levers need numbers")
    if isinstance(agent, bool) or not isinstance(agent, int) or not 0 <= agent < game.n_agents:
        raise InputError("agent", agent, f"agent index must be in 0..{game.n_agents - 1}")
    cond = exclusion_condition(game, d)
    label = f"p[{agent + 1}] toward {game.groups[d]}"
    if not cond.excluded:
        return Lever(game, d, label, None, sp.Integer(0), False, f"group {game.groups[d]!r} is not excluded")
    t = sp.Symbol("t", real=True)
    P = game.param("p")

    def moved(tv):
        return sp.ImmutableMatrix(P.rows, P.cols, lambda i, k: P[i, k] if i != agent else
                                  (1 - tv) * P[i, k] + (tv if k == d else 0))
    slacks = exclusion_condition(with_parameter(game, "p", moved(t)), d, support=cond.support, solve_for=()).slacks
    hit = _crossing(slacks, t, 0, lo=0, hi=1)
    if hit is None:
        return Lever(game, d, label, None, sp.Integer(0), False,
                     f"even a prior entirely on {game.groups[d]!r} (t = 1) leaves every exclusion slack positive")
    value, who = hit
    res = None
    if check:
        ok, lines = probe_around(lambda v: with_parameter(game, "p", moved(v)), value, 0, d)
        res = SteeringCheck(ok, tuple(lines))
    return Lever(game, d, label, value, sp.Integer(0), True,
                 f"agent {who + 1}'s slack vanishes at t = {value} (prior weight on {game.groups[d]!r}: "
                 f"{sp.nsimplify((1 - value) * P[agent, d] + value)})", res)

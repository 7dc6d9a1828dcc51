"""Steering incentives (the active alignment layer): subsidies and other levers.

A regulator changes incentives so that the equilibrium moves where it
should.  Every result here is *derived* from the KKT system, then *checked*
by solving the steered game exactly (:func:`symalign.numeric.solve.solve`):

:func:`minimal_subsidy`
    the smallest subsidy ``s`` on one group's attractiveness
    (``a_{i,d} -> a_{i,d} + s`` for every agent) that ends its exclusion:
    each agent's exclusion slack on the reduced support is solved for ``s``
    (``slack_i(s) = 0``) and the smallest root is taken.
:func:`target_subsidy`
    the subsidy vector ``s`` (``a_i -> a_i + s``) that moves the
    population's average mixture to a target ``W``: the interior
    equilibrium is derived with ``s`` symbolic, averaged over agents, and
    the aggregate equation ``mean_i w_i(s) = W`` solved for ``s`` (unique up
    to a multiple of the all-ones vector, normalised to ``sum(s) = 0``).
:func:`diversity_lever`, :func:`prior_lever`
    the alternative levers: the diversity weight (set for all agents) and
    one agent's prior (moved toward the group).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.core.derive import derive_on_support
from symalign.errors import DerivationError, InputError
from symalign.analysis.exclusion import _check_applicable, _spec, exclusion_condition, group_index, with_parameter
from symalign.core.kkt import kkt_system
from symalign.core.linear import InconsistentSystem, SingularSystem, solve_linear
from symalign.core.params import exact
from symalign.numeric.solve import find_equilibrium

__all__ = [
    "SteeringCheck",
    "Subsidy",
    "TargetSubsidy",
    "Lever",
    "minimal_subsidy",
    "target_subsidy",
    "diversity_lever",
    "prior_lever",
    "shift_attractiveness",
]

PROBE = sp.Rational(1, 100)
"""Relative step of the checks: the result is probed at (1 -/+ PROBE) times its value."""


@dataclass(frozen=True)
class SteeringCheck:
    """Outcome of solving steered games exactly around a derived value.

    ``passed`` is True when every probe agreed with the derivation;
    ``details`` lists what was solved and seen, one line each.
    """

    passed: bool
    details: tuple

    def to_dict(self) -> dict:
        return {"passed": self.passed, "details": list(self.details)}


@dataclass(frozen=True, eq=False)
class Subsidy:
    """The minimal subsidy on one group's attractiveness that ends its exclusion.

    Attributes
    ----------
    game : Game
    group : int
    amount : Expr
        Exact: ``max(0, min_i s_i)``; any larger subsidy ends the exclusion,
        at ``amount`` itself the group is still (weakly) excluded.
    per_agent : tuple of Expr
        ``s_i``: the root of agent i's slack ``slack_i(s) = 0``.
    binding_agent : int or None
        The agent that starts weighting the group first (numeric games).
    steered_game : Game
        ``game`` with ``a_{i,d} + amount`` for every agent.
    equilibrium : Equilibrium or None
        Exact equilibrium of the steered game (numeric games).
    check : SteeringCheck or None
        Numeric games: solved at ``amount (1 - PROBE)`` (still excluded) and
        ``amount (1 + PROBE)`` (not excluded).
    """

    game: object
    group: int
    amount: sp.Expr
    per_agent: tuple
    binding_agent: int | None
    steered_game: object
    equilibrium: object
    check: SteeringCheck | None

    def to_dict(self) -> dict:
        return {
            "group": self.game.groups[self.group],
            "amount": str(self.amount),
            "amount_float": float(self.amount) if self.amount.is_number else None,
            "per_agent": [str(s) for s in self.per_agent],
            "binding_agent": None if self.binding_agent is None else self.binding_agent + 1,
            "check": None if self.check is None else self.check.to_dict(),
        }


def shift_attractiveness(game, shift, *, parameter: str = "a"):
    """``game`` with ``shift`` (a D-vector, or ``{group: amount}``) added to every agent's ``a_i``."""
    spec = {s.name: s for s in game.family.parameters()}.get(parameter)
    if spec is None or spec.kind != "vector":
        raise InputError("parameter", parameter, f"family {game.family.label!r} has no vector parameter of that name to subsidise")
    D = game.n_groups
    if isinstance(shift, dict):
        vec = [sp.Integer(0)] * D
        for g, v in shift.items():
            vec[group_index(game, g)] = sp.sympify(v)
    else:
        vec = [sp.sympify(v) for v in shift]
        if len(vec) != D:
            raise InputError("shift", shift, f"expected {D} values (one per group)")
    A = game.param(parameter)
    new = sp.ImmutableMatrix(A.rows, A.cols, lambda i, d: A[i, d] + vec[d])
    return with_parameter(game, parameter, new)


def _is_excluded(game, d):
    eq = find_equilibrium(game)
    return d in eq.excluded_groups(), eq


def _probe(make, value, d, expect_below, label):
    """Solve the steered games just below and above ``value``; compare with the expectation."""
    details, ok = [], True
    for factor, expect in ((1 - PROBE, expect_below), (1 + PROBE, not expect_below)):
        v = value * factor
        if v < 0:
            continue
        excluded, eq = _is_excluded(make(v), d)
        ok &= excluded == expect
        state = "excluded" if excluded else "not excluded"
        details.append(f"{label} = {v} ({factor} x derived): group {state} (expected {'excluded' if expect else 'not excluded'})")
    return ok, details


def minimal_subsidy(game, group, *, parameter: str = "a", check: bool = True) -> Subsidy:
    """Derive the smallest subsidy on ``group``'s attractiveness that ends its exclusion.

    Parameters
    ----------
    game : Game
        Numeric or symbolic (then ``amount`` is a ``Max``/``Min`` expression
        and no check is run).
    group : str or int
    parameter : str
        The family's attractiveness parameter (a vector parameter).
    check : bool
        Solve the steered games (numeric games only).

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
    ...                 a=[[1, 1, 0], [1, 0, 0]], p=[[0.5, 0.5, 0], [0.5, 0.25, 0.25]])
    >>> s = minimal_subsidy(g, "z")
    >>> s.amount, s.per_agent, s.check.passed
    (1/4, (1, 1/4), True)
    """
    d = group_index(game, group)
    s = sp.Symbol("s", real=True)
    cond = exclusion_condition(game, d)
    steered_cond = exclusion_condition(shift_attractiveness(game, {d: s}, parameter=parameter), d,
                                       support=cond.support, solve_for=(s,))
    by_agent = {t.agent: t for t in steered_cond.thresholds}
    for i, slack in enumerate(steered_cond.slacks):
        if i not in by_agent:
            raise DerivationError(f"agent {i + 1}'s exclusion slack is not affine in the subsidy with a coefficient "
                                  f"of known sign: {slack}")
        if by_agent[i].direction != "<=":
            raise DerivationError(f"agent {i + 1}'s exclusion slack does not decrease with the subsidy ({slack}): "
                                  "subsidising the group need not end its exclusion")
    roots = tuple(by_agent[i].bound for i in range(game.n_agents))
    amount = sp.Max(0, sp.Min(*roots))
    steered = shift_attractiveness(game, {d: amount}, parameter=parameter)
    if not game.is_numeric:
        return Subsidy(game, d, amount, roots, None, steered, None, None)
    binding = min(range(len(roots)), key=lambda i: roots[i])
    eq_s = find_equilibrium(steered)
    result = None
    if check:
        details = [f"derived per-agent roots {', '.join(str(r) for r in roots)}"]
        ok = True
        if amount > 0:
            ok, lines = _probe(lambda v: shift_attractiveness(game, {d: v}, parameter=parameter), amount, d, True, "subsidy")
            details += lines
            ok &= d in eq_s.excluded_groups()
            details.append(f"subsidy = {amount} (derived): group weakly excluded: {d in eq_s.excluded_groups()}")
        elif d in eq_s.excluded_groups():  # weakly excluded: some slack is exactly zero at s = 0
            tiny = PROBE * max([abs(x) for x in game.param(parameter)] + [sp.Integer(1)]) / 100
            ok = not _is_excluded(shift_attractiveness(game, {d: tiny}, parameter=parameter), d)[0]
            details.append(f"weakly excluded at s = 0 (a slack is exactly zero); at s = {tiny}: not excluded: {ok}")
        else:
            ok = True
            details.append("no subsidy needed: group not excluded at the equilibrium")
        result = SteeringCheck(bool(ok), tuple(details))
    return Subsidy(game, d, amount, roots, binding, steered, eq_s, result)


@dataclass(frozen=True, eq=False)
class TargetSubsidy:
    """A subsidy vector moving the population's average mixture to a target.

    Attributes
    ----------
    game : Game
    target : tuple of Rational
    subsidy : tuple of Expr
        Normalised to ``sum(subsidy) = 0``; adding any multiple of the
        all-ones vector gives the same equilibrium.
    reachable : bool or None
        False when the target is on the boundary or the interior
        equilibrium with this subsidy would need negative weights (None
        while symbolic).
    reason : str
    weights : ImmutableMatrix
        The derived interior equilibrium of the steered game.
    steered_game : Game
    equilibrium : Equilibrium or None
        Solved exactly (numeric, reachable).
    check : SteeringCheck or None
    """

    game: object
    target: tuple
    subsidy: tuple
    reachable: bool | None
    reason: str
    weights: sp.ImmutableMatrix | None
    steered_game: object
    equilibrium: object = None
    check: SteeringCheck | None = None

    def to_dict(self) -> dict:
        return {
            "target": [str(t) for t in self.target],
            "subsidy": [str(x) for x in self.subsidy],
            "subsidy_float": [float(x) for x in self.subsidy] if all(x.is_number for x in self.subsidy) else None,
            "reachable": self.reachable,
            "reason": self.reason,
            "check": None if self.check is None else self.check.to_dict(),
        }


def _target(game, target):
    D = game.n_groups
    if isinstance(target, str):
        target = [x.strip() for x in target.split(",")]
    try:
        vals = [exact(x, "target") for x in target]
    except TypeError:
        raise InputError("target", target, f"expected {D} numbers") from None
    if len(vals) != D:
        raise InputError("target", target, f"expected {D} values (one per group {list(game.groups)}), got {len(vals)}")
    if any(not v.is_number for v in vals) or any(v < 0 for v in vals) or sum(vals) != 1:
        raise InputError("target", [str(v) for v in vals],
                         f"must lie on the simplex (entries >= 0 summing to 1 exactly; sum is {sum(vals)})")
    return tuple(vals)


def target_subsidy(game, target, *, parameter: str = "a", check: bool = True) -> TargetSubsidy:
    """Derive the subsidy vector whose equilibrium has average mixture ``target``.

    Parameters
    ----------
    game : Game
    target : sequence of numbers, or a comma-separated string
        A point of the simplex (exact: ``"1/3"`` or decimals summing to 1).
    parameter : str
        The attractiveness parameter (a vector parameter).
    check : bool
        Solve the steered game exactly (numeric games).

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=1, gamma="1/2",
    ...                 a=[[0.2, 0], [0, 0]], p=[0.5, 0.5])
    >>> t = target_subsidy(g, ["2/5", "3/5"])
    >>> t.subsidy, t.reachable, t.check.passed
    ((-1/5, 1/5), True, True)
    >>> t.weights.tolist()
    [[1/2, 1/2], [3/10, 7/10]]
    """
    W = _target(game, target)
    D, N = game.n_groups, game.n_agents
    if any(w == 0 for w in W):
        zero = [game.groups[d] for d in range(D) if W[d] == 0]
        return TargetSubsidy(game, W, (), False,
                             f"target on the boundary of the simplex (zero weight on {', '.join(zero)}): the aggregate "
                             "equation holds on the interior only; to exclude a group use its exclusion condition",
                             None, game)
    s = tuple(sp.Symbol(f"s_{d + 1}", real=True) for d in range(D))
    sgame = shift_attractiveness(game, s, parameter=parameter)
    kkt = kkt_system(sgame)
    _check_applicable(sgame, kkt)
    interior = tuple(tuple(range(D)) for _ in range(N))
    try:
        eq = derive_on_support(sgame, interior, kkt=kkt, method="general", normal_form="cancel")
    except (SingularSystem, InconsistentSystem) as exc:
        raise DerivationError(f"the interior KKT system is degenerate: {exc}") from None
    mean = [sp.cancel(sum(eq.weights[i, d] for i in range(N)) / N) for d in range(D)]
    eqs = [mean[d] - W[d] for d in range(D - 1)] + [sum(s)]
    try:
        sol = solve_linear(eqs, s)
    except (SingularSystem, InconsistentSystem) as exc:
        raise DerivationError(f"the aggregate equation cannot be solved for the subsidy: {exc}") from None
    subsidy = tuple(sp.factor(sp.cancel(sol[x])) for x in s)
    weights = sp.ImmutableMatrix(eq.weights.xreplace(dict(zip(s, subsidy))).applyfunc(sp.cancel))
    steered = shift_attractiveness(game, subsidy, parameter=parameter)
    if not game.is_numeric:
        return TargetSubsidy(game, W, subsidy, None,
                             "symbolic: reachable where every derived weight is positive", weights, steered)
    bad = [(i, d) for i in range(N) for d in range(D) if not weights[i, d] >= 0]
    if bad:
        where = ", ".join(f"w[{i + 1},{game.groups[d]}] = {weights[i, d]}" for i, d in bad[:4])
        return TargetSubsidy(game, W, subsidy, False,
                             f"unreachable with every agent interior: the only subsidy solving the aggregate equation "
                             f"gives {where} (agents too heterogeneous); equilibria with other supports were not searched",
                             weights, steered)
    eq_s = find_equilibrium(steered)
    result = None
    if check:
        got = tuple(sum(eq_s.weights[i, d] for i in range(N)) / N for d in range(D))
        same = eq_s.weights == weights
        hit = got == W
        result = SteeringCheck(bool(same and hit), (
            f"solved the steered game exactly ({eq_s.method}): average mixture {[str(x) for x in got]}",
            f"equals the target exactly: {hit}; equals the derived interior equilibrium: {same}",
        ))
    zero = [(i, d) for i in range(N) for d in range(D) if weights[i, d] == 0]
    reason = "" if not zero else ("reached with some weights exactly zero (a boundary equilibrium): "
                                  + ", ".join(f"w[{i + 1},{game.groups[d]}]" for i, d in zero[:4]))
    return TargetSubsidy(game, W, subsidy, True, reason, weights, steered, eq_s, result)


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
    spec = _spec(game, parameter)
    if str(sym).startswith("Delta_"):  # heterogeneous: a common shift of every agent's value
        lo = -min(game.param(parameter)) if spec.sign != "real" else None
    else:
        lo = 0 if spec.sign != "real" else None
    hit = _crossing(pcond.slacks, sym, t0, lo=lo)
    if hit is None:
        free_of = [i + 1 for i, sl in enumerate(pcond.slacks) if sym not in sp.sympify(sl).free_symbols]
        return Lever(game, d, label, None, current, False,
                     f"no admissible {parameter} makes an exclusion slack vanish"
                     + (f" (the slacks of agents {free_of} do not depend on {parameter})" if free_of else ""))
    value, agent = hit
    reason = f"agent {agent + 1}'s slack vanishes at {sym} = {value}"
    if any(sp.sympify(h).xreplace({sym: value}) is sp.false for h in pcond.game.hypotheses()):
        return Lever(game, d, label, value, current, False, reason + "; but the family's concavity hypotheses fail there")
    if any(sp.sympify(c).xreplace({sym: value}) is sp.false for c in pcond.validity):
        reason += "; the reduced equilibrium changes support before that value (see the check)"
    res = None
    if check:
        ok, lines = _probe_around(lambda v: pcond.game.subs({sym: v}), value, t0, d)
        res = SteeringCheck(ok, tuple(lines))
    return Lever(game, d, label, value, current, True, reason, res)


def _probe_around(make, value, t0, d):
    """Probe between ``t0`` and ``value`` (excluded) and just beyond ``value`` (not excluded)."""
    step = abs(value - t0) * PROBE if value != t0 else PROBE
    direction = 1 if value > t0 else -1
    lines, ok = [], True
    for v, expect in ((value - direction * step, True), (value + direction * step, False)):
        excluded, _ = _is_excluded(make(v), d)
        ok &= excluded == expect
        lines.append(f"at {v}: group {'excluded' if excluded else 'not excluded'} (expected {'excluded' if expect else 'not excluded'})")
    return ok, lines


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
        ok, lines = _probe_around(lambda v: with_parameter(game, "p", moved(v)), value, 0, d)
        res = SteeringCheck(ok, tuple(lines))
    return Lever(game, d, label, value, sp.Integer(0), True,
                 f"agent {who + 1}'s slack vanishes at t = {value} (prior weight on {game.groups[d]!r}: "
                 f"{sp.nsimplify((1 - value) * P[agent, d] + value)})", res)

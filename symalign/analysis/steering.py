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
    one agent's prior (moved toward the group), in
    :mod:`symalign.analysis.levers` and re-exported here.

The checks (:class:`SteeringCheck`, the probe step ``PROBE``) are
:mod:`symalign.analysis.probes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sympy as sp

from symalign.analysis.exclusion import exclusion_condition
from symalign.analysis.inputs import group_index, with_parameter
from symalign.analysis.levers import Lever, diversity_lever, prior_lever  # noqa: F401  (re-exported)
from symalign.analysis.probes import PROBE, SteeringCheck, is_excluded, probe
from symalign.analysis.reduced import check_applicable
from symalign.core.derive import derive_on_support
from symalign.core.expr import Scope
from symalign.core.uservalues import user_value
from symalign.errors import ArgumentTypeError, DerivationError, InputError
from symalign.core.kkt import kkt_system
from symalign.core.linear import InconsistentSystem, SingularSystem, solve_linear
from symalign.core.params import exact
from symalign.numeric.solve import find_equilibrium
from symalign.core.notebook import LatexRepr

# SteeringCheck (symalign.analysis.probes) and the levers (symalign.analysis.levers)
# are importable from here too and documented in their own modules.
__all__ = [
    "Subsidy",
    "TargetSubsidy",
    "minimal_subsidy",
    "target_subsidy",
    "shift_attractiveness",
]


@dataclass(frozen=True, eq=False)
class Subsidy(LatexRepr):
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

    def __repr__(self) -> str:
        checked = "" if self.check is None else f", check {'passed' if self.check.passed else 'FAILED'}"
        return f"Subsidy(group {self.game.groups[self.group]!r}: s* = {self.amount}{checked})"

    def to_dict(self) -> dict:
        return {
            "group": self.game.groups[self.group],
            "amount": str(self.amount),
            "amount_float": float(self.amount) if self.amount.is_number else None,
            "per_agent": [str(s) for s in self.per_agent],
            "binding_agent": self.binding_agent,
            "check": None if self.check is None else self.check.to_dict(),
        }


def shift_attractiveness(game, shift, *, parameter: str = "a"):
    """``game`` with ``shift`` (a D-vector, or ``{group: amount}``) added to every agent's ``a_i``."""
    from symalign.core import validate

    validate.game(game)
    spec = {s.name: s for s in game.family.parameters()}.get(parameter)
    if spec is None or spec.kind != "vector":
        raise InputError("parameter", parameter, f"family {game.family.label!r} has no vector parameter of that name to subsidise")
    D = game.n_groups
    scope = Scope({s.name: s for s in game.free_symbols()})
    if isinstance(shift, Mapping):
        vec = [sp.Integer(0)] * D
        for g, v in shift.items():
            vec[group_index(game, g)] = user_value(v, f"shift[{g!r}]", scope)
    else:
        if isinstance(shift, (str, bytes)) or not isinstance(shift, (list, tuple, sp.MatrixBase)) and not hasattr(shift, "tolist"):
            raise ArgumentTypeError("shift", shift, f"expected {D} values (one per group) or {{group: amount}}")
        vec = [user_value(v, f"shift[{d}]", scope) for d, v in enumerate(list(shift.tolist() if hasattr(shift, "tolist") else shift))]
        if len(vec) != D:
            raise InputError("shift", shift, f"expected {D} values (one per group)")
    A = game.param(parameter)
    new = sp.ImmutableMatrix(A.rows, A.cols, lambda i, d: A[i, d] + vec[d])
    return with_parameter(game, parameter, new)


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
    from symalign.core import validate

    validate.game(game)
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
            ok, lines = probe(lambda v: shift_attractiveness(game, {d: v}, parameter=parameter), amount, d, True, "subsidy")
            details += lines
            ok &= d in eq_s.excluded_groups()
            details.append(f"subsidy = {amount} (derived): group weakly excluded: {d in eq_s.excluded_groups()}")
        elif d in eq_s.excluded_groups():  # weakly excluded: some slack is exactly zero at s = 0
            tiny = PROBE * max([abs(x) for x in game.param(parameter)] + [sp.Integer(1)]) / 100
            ok = not is_excluded(shift_attractiveness(game, {d: tiny}, parameter=parameter), d)[0]
            details.append(f"weakly excluded at s = 0 (a slack is exactly zero); at s = {tiny}: not excluded: {ok}")
        else:
            ok = True
            details.append("no subsidy needed: group not excluded at the equilibrium")
        result = SteeringCheck(bool(ok), tuple(details))
    return Subsidy(game, d, amount, roots, binding, steered, eq_s, result)


@dataclass(frozen=True, eq=False)
class TargetSubsidy(LatexRepr):
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

    def __repr__(self) -> str:
        state = {True: "reachable", False: "unreachable", None: "reachability unknown"}[self.reachable]
        return f"TargetSubsidy(target ({', '.join(str(t) for t in self.target)}): {state}; s = ({', '.join(str(x) for x in self.subsidy)}))"

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
    from symalign.core import validate

    validate.game(game)
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
    check_applicable(sgame, kkt)
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

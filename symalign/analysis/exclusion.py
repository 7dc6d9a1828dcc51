"""Political exclusion: groups that every agent gives zero weight.

Group ``d`` is excluded at an equilibrium when no agent weights it.  Then
the equilibrium is also an equilibrium of the *reduced game* in which ``d``
is forbidden, and each agent's KKT inequality off its support must hold at
``d``::

    slack_i = lambda_i - g_{i,d} >= 0      for every agent i,

with ``lambda_i`` agent i's multiplier and ``g_{i,d}`` its marginal utility
of ``d``, both at the reduced equilibrium.  Conversely, when every slack is
nonnegative the reduced equilibrium is a KKT point, hence (under the
family's concavity hypotheses) an equilibrium of the full game that
excludes ``d``.  :func:`exclusion_condition` derives the slacks exactly on
the reduced support (:mod:`symalign.core.kkt`, :mod:`symalign.core.linear`), turns
them into inequalities in the parameters, solves them for a parameter where
they are linear in it, and evaluates them at numeric parameters (margins).

Symbolic games use the interior reduced support (every group but ``d`` for
every agent) and carry its validity conditions; numeric games find the
reduced equilibrium's support first (numeric solver, then exact
derivation and exact check), so the answer is exact there too.

The derivation needs gradients affine in the weights and a strictly
concave family: it does not apply to the entropic variant (weights are
never exactly zero, exclusion is only approximate; see
:func:`approximate_exclusion`) nor to polymatrix games (linear utilities,
degenerate).

The reduced game (:func:`reduced_equilibrium`, :class:`ExclusionNotApplicable`)
is :mod:`symalign.analysis.reduced`; the input helpers (:func:`group_index`,
:func:`free_parameters`, :func:`with_parameter`) are
:mod:`symalign.analysis.inputs`.  Both are re-exported here.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

import sympy as sp

from symalign.analysis.inputs import free_parameters, group_index, with_parameter
from symalign.analysis.reduced import ExclusionNotApplicable, check_applicable, reduced_conditions, reduced_equilibrium
from symalign.core.derive import derive_on_support, normalise_support
from symalign.core.equilibrium import Equilibrium, condition_truth, json_truth
from symalign.errors import InputError
from symalign.core.kkt import KKTSystem, kkt_system
from symalign.core.notebook import LatexRepr

__all__ = [
    "ExclusionNotApplicable",
    "Threshold",
    "ExclusionCondition",
    "ApproximateExclusion",
    "exclusion_condition",
    "exclusion_conditions",
    "reduced_equilibrium",
    "approximate_exclusion",
    "group_index",
    "free_parameters",
    "with_parameter",
]

# ----------------------------------------------------------------------------- derivation


def _at_point(kkt, game, point) -> KKTSystem:
    """The KKT system of ``game`` (numeric) from a parametrised one and a point."""
    if not point:
        return kkt
    g = kkt.gradients.xreplace(point)
    return KKTSystem(game, sp.ImmutableMatrix(g), kkt.lambdas, kkt.mus, tuple(x.xreplace(point) for x in kkt.lagrangians))


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Threshold:
    """One agent's exclusion inequality solved for one parameter.

    Agent ``agent``'s slack is nonnegative iff ``parameter <= bound``
    (``direction == "<="``) or ``parameter >= bound`` (``">="``).

    Attributes
    ----------
    agent : int
    parameter : Symbol
    bound : Expr
    direction : str
    value : Expr or None
        The parameter's value at the condition's point (None if unknown).
    """

    agent: int
    parameter: sp.Symbol
    bound: sp.Expr
    direction: str
    value: sp.Expr | None = None

    @property
    def relation(self):
        """The inequality ``parameter <= bound`` (or ``>=``)."""
        rel = sp.Le if self.direction == "<=" else sp.Ge
        return rel(self.parameter, self.bound, evaluate=False)

    @property
    def margin(self):
        """Distance of the value to the bound, in parameter units (>= 0 iff the inequality holds)."""
        if self.value is None or not self.bound.is_number:
            return None
        return self.bound - self.value if self.direction == "<=" else self.value - self.bound


@dataclass(frozen=True, eq=False)
class ExclusionCondition(LatexRepr):
    """When group ``group`` is excluded by every agent, derived from the KKT system.

    Attributes
    ----------
    game : Game
        The game the condition is written for (parametrised when built
        with ``free=``).
    group : int
    support : tuple
        The reduced support (every agent's groups, never ``group``).
    slacks : tuple of Expr
        ``slack_i = lambda_i - g_{i,d}`` at the reduced equilibrium.
    condition : Boolean
        ``And(slack_i >= 0 for every agent)``.
    validity : tuple of Boolean
        Conditions under which the reduced equilibrium has this support
        (positive weights on it, nonnegative slack off it except at ``group``).
    thresholds : tuple of Threshold
        Each agent's inequality solved for an agent/scalar parameter where
        it is linear in that parameter with a coefficient of known sign.
    reduced : Equilibrium
        The reduced equilibrium (closed form on ``support``).
    point : Mapping
        Values of the game's symbols at which margins are evaluated.
    notes : tuple of str
    """

    game: object
    group: int
    support: tuple
    slacks: tuple
    condition: object
    validity: tuple
    thresholds: tuple
    reduced: Equilibrium
    point: Mapping = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple = ()

    @property
    def name(self) -> str:
        return self.game.groups[self.group]

    def __repr__(self) -> str:
        state = {True: "excluded", False: "not excluded", None: "undecided"}[self.excluded]
        margin = "" if self.margin is None else f", margin {self.margin}"
        return f"ExclusionCondition(group {self.name!r} of {self.game!r}: {state}{margin}; {len(self.slacks)} slacks)"

    def _value(self, expr):
        v = sp.sympify(expr, strict=True).xreplace(dict(self.point)) if self.point else sp.sympify(expr, strict=True)
        return v if v.is_number else None

    @property
    def margins(self) -> tuple | None:
        """Each agent's slack at :attr:`point` (None while symbolic)."""
        vals = tuple(self._value(s) for s in self.slacks)
        return None if any(v is None for v in vals) else vals

    @property
    def margin(self):
        """The smallest slack at :attr:`point`: >= 0 iff every agent's inequality holds."""
        m = self.margins
        return None if m is None else min(m)

    @property
    def binding_agent(self) -> int | None:
        """The agent whose slack is smallest at :attr:`point`."""
        m = self.margins
        return None if m is None else min(range(len(m)), key=lambda i: m[i])

    @property
    def excluded(self) -> bool | None:
        """True/False at :attr:`point`; None while undecided or the reduced support does not hold."""
        cond = sp.sympify(self.condition, strict=True).xreplace(dict(self.point)) if self.point else self.condition
        valid = condition_truth([sp.sympify(c, strict=True).xreplace(dict(self.point)) for c in self.validity])
        if valid is not True or cond not in (sp.true, sp.false):
            return None
        return bool(cond)

    def bound(self, parameter) -> sp.Expr | None:
        """Combined threshold of ``parameter`` over agents: ``Min`` of upper or ``Max`` of lower bounds.

        None unless every agent's inequality was solved for ``parameter``
        in the same direction.
        """
        parameter = self._symbol(parameter)
        ts = [t for t in self.thresholds if t.parameter == parameter]
        if len(ts) != len(self.slacks) or len({t.direction for t in ts}) != 1:
            return None
        return (sp.Min if ts[0].direction == "<=" else sp.Max)(*[t.bound for t in ts])

    def _symbol(self, parameter):
        if isinstance(parameter, sp.Symbol):
            return parameter
        names = {str(t.parameter): t.parameter for t in self.thresholds}
        if parameter not in names:
            raise InputError("parameter", parameter, f"no threshold for it (thresholds in {sorted(names)})")
        return names[parameter]

    def independent_of(self, parameter) -> bool:
        """True when no agent's slack depends on ``parameter`` (a Symbol)."""
        return all(parameter not in sp.sympify(s, strict=True).free_symbols for s in self.slacks)

    def at(self, values: Mapping) -> "ExclusionCondition":
        """The same condition with a (new) point at which margins are evaluated."""
        from symalign.core.uservalues import user_substitution

        symbols = set().union(*(sp.sympify(s, strict=True).free_symbols for s in self.slacks), self.point)
        point = dict(self.point)
        point.update(user_substitution(values, symbols, "values"))
        ths = tuple(replace(t, value=point.get(t.parameter)) for t in self.thresholds)
        return replace(self, point=MappingProxyType(point), thresholds=ths)

    def to_dict(self) -> dict:
        out = {
            "group": self.name,
            "excluded": self.excluded,
            "support": [[self.game.groups[k] for k in s] for s in self.support],
            "slacks": [str(s) for s in self.slacks],
            "condition": json_truth(self.condition),
            "margins": None if self.margins is None else [str(m) for m in self.margins],
            "margin": None if self.margin is None else str(self.margin),
            "thresholds": [
                {"agent": t.agent, "parameter": str(t.parameter), "relation": str(t.relation),
                 "bound": str(t.bound), "margin": None if t.margin is None else str(t.margin)}
                for t in self.thresholds
            ],
            "notes": list(self.notes),
        }
        return out


def exclusion_condition(game, group, *, free=(), support=None, solve_for=None, kkt=None) -> ExclusionCondition:
    """Derive when ``group`` gets zero weight from every agent.

    Parameters
    ----------
    game : Game
        Numeric or symbolic; the family's gradients must be affine in the
        weights and the family strictly concave.
    group : str or int
        Group name or 0-based index.
    free : sequence of str, optional
        For a numeric game: agent parameters to keep symbolic (set for all
        agents, see :func:`free_parameters`), so that the condition and its
        thresholds are written in them; margins are evaluated at the game.
    support : sequence, optional
        Reduced support to derive on.  Default: numeric games the support of
        the reduced equilibrium (found and certified exactly), symbolic
        games every group but ``group`` for every agent.
    solve_for : sequence of Symbol, optional
        Symbols to solve each agent's inequality for; default the symbols
        of the agent and scalar parameters.
    kkt : KKTSystem, optional
        A precomputed KKT system of ``game`` (of the parametrised game when
        ``free`` is given).

    Returns
    -------
    ExclusionCondition

    Raises
    ------
    ExclusionNotApplicable
        Entropic variant, polymatrix games, non-affine custom utilities.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, ["x", "y"])
    >>> c = exclusion_condition(g, "y")
    >>> c.slacks[0]
    a_{1,1}*alpha - a_{1,2}*alpha + beta*p_{1,1} - beta*p_{1,2} - beta - gamma
    >>> [str(t.relation) for t in c.thresholds if str(t.parameter) == "gamma"]
    ['gamma <= a_{1,1}*alpha - a_{1,2}*alpha + beta*p_{1,1} - beta*p_{1,2} - beta', 'gamma <= a_{2,1}*alpha - a_{2,2}*alpha + beta*p_{2,1} - beta*p_{2,2} - beta']
    """
    from symalign.core import validate

    validate.game(game)
    d = group_index(game, group)
    key = _condition_key(game, d, free, support, solve_for) if kkt is None else None
    if key is not None and key in _CONDITIONS:
        _CONDITIONS.move_to_end(key)
        return _CONDITIONS[key]
    ctx = _Context.build(game, free, kkt)
    out = ctx.condition(d, support=support, solve_for=solve_for)
    if key is not None:
        _CONDITIONS[key] = out
        while len(_CONDITIONS) > _CONDITIONS_MAX:
            _CONDITIONS.popitem(last=False)
    return out


# Derivations shared by equal games: the report, steering and levers of one run ask for the same
# condition several times.  An ExclusionCondition is immutable and a function of the game's content
# and the arguments alone, so equal keys may share it.  Bounded LRU.
_CONDITIONS: "OrderedDict" = OrderedDict()
_CONDITIONS_MAX = 64


def _condition_key(game, d, free, support, solve_for):
    from symalign.core.gamecache import content_key

    base = content_key(game)
    if base is None:
        return None
    try:
        sup = None if support is None else tuple(tuple(s) if isinstance(s, (list, tuple)) else s for s in support)
        key = (base, d, tuple(free), sup, None if solve_for is None else tuple(solve_for))
        hash(key)
    except TypeError:
        return None
    return key


def exclusion_conditions(game, *, free=(), progress=None) -> tuple:
    """:func:`exclusion_condition` for every group (one KKT derivation shared by all).

    ``progress(done, total)`` is called after each group.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
    ...                 a=[[1, 1, 0], [1, 0, 0]], p=[[0.5, 0.5, 0], [0.5, 0.25, 0.25]])
    >>> [(c.name, c.excluded, c.margin) for c in exclusion_conditions(g)]
    [('x', False, -7/4), ('y', False, -1), ('z', True, 1/4)]
    """
    from symalign.core import validate

    validate.game(game)
    ctx = _Context.build(game, free, None)
    out = []
    for d in range(game.n_groups):
        out.append(ctx.condition(d))
        if progress is not None:
            progress(d + 1, game.n_groups)
    return tuple(out)


@dataclass(frozen=True, eq=False)
class _Context:
    """A game (parametrised by ``free``), its KKT system and its numeric point."""

    game: object
    point: dict
    kkt: KKTSystem
    numeric: object
    numeric_kkt: KKTSystem | None

    @classmethod
    def build(cls, game, free, kkt):
        point = {}
        numeric = game if game.is_numeric else None
        if free:
            if not game.is_numeric:
                raise InputError("free", list(free), "only for numeric games (a symbolic game is already parametrised)")
            numeric = game
            game, point = free_parameters(game, free)
        kkt = kkt_system(game) if kkt is None else kkt
        check_applicable(game, kkt)
        nkkt = None if numeric is None else _at_point(kkt, numeric, point)
        return cls(game, point, kkt, numeric, nkkt)

    def condition(self, d, *, support=None, solve_for=None) -> "ExclusionCondition":
        game = self.game
        notes = []
        if support is not None:
            support = normalise_support(game, support)
            if any(d in s for s in support):
                raise InputError("support", [list(s) for s in support],
                                 f"a reduced support cannot contain group {game.groups[d]!r}")
        elif self.numeric is not None:
            support = reduced_equilibrium(self.numeric, d, kkt=self.numeric_kkt).support
        else:
            support = tuple(tuple(k for k in range(game.n_groups) if k != d) for _ in range(game.n_agents))
            notes.append("reduced support: every group but the excluded one for every agent (interior reduced game)")
        # normal form "cancel": factoring would dominate the cost with a few free
        # parameters, and _solve_for cancels each slack again anyway
        eq = derive_on_support(game, support, kkt=self.kkt, method="general", normal_form="cancel")
        eq = replace(eq, method="kkt-linear (reduced game)")
        slacks = tuple(eq.slack[i, d] for i in range(game.n_agents))
        condition = sp.And(*[s >= 0 for s in slacks])
        validity = tuple(c for c in reduced_conditions(eq, d) if c is not sp.true)
        targets = _threshold_symbols(game) if solve_for is None else tuple(solve_for)
        thresholds = tuple(t for i, s in enumerate(slacks) for t in _solve_for(i, s, targets))
        out = ExclusionCondition(game, d, support, slacks, condition, validity, thresholds, eq,
                                 MappingProxyType({}), tuple(notes))
        return out.at(self.point) if self.point else out


def _threshold_symbols(game) -> tuple:
    out = []
    for spec in game.family.parameters():
        if spec.kind in ("agent", "scalar"):
            vals = game.params[spec.name]
            for v in (vals if isinstance(vals, tuple) else (vals,)):
                out += sorted(v.free_symbols, key=str)
    return tuple(dict.fromkeys(out))


def _solve_for(agent, slack, symbols):
    """Threshold(s) of ``slack >= 0`` in each symbol it is linear in (known-sign coefficient).

    With ``slack = (c1 x + c0) / den`` the direction is the sign of ``c1``
    times that of ``den`` when the latter is known (``den`` may then depend
    on ``x``), else the sign of ``c1 / den`` when ``den`` is free of ``x``.
    """
    slack = sp.sympify(slack, strict=True)
    num, den = sp.fraction(sp.cancel(sp.together(slack)))
    sign = 1 if den.is_positive else (-1 if den.is_negative else 0)
    for x in symbols:
        if x not in num.free_symbols or (sign == 0 and x in den.free_symbols):
            continue
        poly = sp.Poly(num, x)
        if poly.degree() != 1:
            continue
        c1, c0 = poly.all_coeffs()
        c = c1 * sign if sign else sp.cancel(c1 / den)
        if c.is_positive:
            direction = ">="
        elif c.is_negative:
            direction = "<="
        else:
            continue
        yield Threshold(agent, x, sp.factor(sp.cancel(-c0 / c1)), direction)


# ----------------------------------------------------------------------------- entropic


@dataclass(frozen=True, eq=False)
class ApproximateExclusion:
    """Entropic variant: the numeric equilibrium's largest weight on each group.

    Exclusion is only approximate there: ``max_weight[d]`` is tiny but
    positive for a group every agent nearly ignores.
    """

    game: object
    equilibrium: Equilibrium
    max_weight: tuple
    tol: float

    @property
    def nearly_excluded(self) -> tuple:
        """Groups whose largest weight is below ``tol``."""
        return tuple(d for d, m in enumerate(self.max_weight) if m < self.tol)


def approximate_exclusion(game, *, tol: float = 1e-6) -> ApproximateExclusion:
    """Groups that every agent weights below ``tol`` at the numeric equilibrium.

    For families where exact exclusion does not occur (entropic variant).
    """
    from symalign.numeric.solve import find_equilibrium

    eq = find_equilibrium(game)
    W = eq.as_array()
    return ApproximateExclusion(game, eq, tuple(float(x) for x in W.max(axis=0)), float(tol))

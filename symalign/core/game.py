"""The game: N agents, D named groups, one utility family, exact parameters."""

from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import sympy as sp

from symalign.core import limits
from symalign.errors import ArgumentTypeError, InputError
from symalign.core.params import flat_values, make_symbols, normalise, substitution
from symalign.core.notebook import LatexRepr

__all__ = ["Game", "weight_symbols"]


def weight_symbols(n_agents: int, n_groups: int) -> sp.ImmutableMatrix:
    """The strategy profile as an N x D matrix of nonnegative symbols ``w_{i,d}``.

    Examples
    --------
    >>> weight_symbols(2, 3)
    Matrix([
    [w_{1,1}, w_{1,2}, w_{1,3}],
    [w_{2,1}, w_{2,2}, w_{2,3}]])
    """
    return sp.ImmutableMatrix(
        n_agents, n_groups, lambda i, d: sp.Symbol(f"w_{{{i + 1},{d + 1}}}", nonnegative=True)
    )


@dataclass(frozen=True, eq=False)
class Game(LatexRepr):
    """A game among N agents choosing mixtures over D groups.

    Build it with :meth:`Game.create` (numbers or symbols) or
    :meth:`Game.symbolic` (all parameters symbolic).  A ``Game`` is
    immutable and fully described by its family, the number of agents,
    the group names and the parameter values.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["left", "right"],
    ...                 alpha=1, beta=2, gamma="1/2", a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> g.param("gamma", 0)
    1/2
    >>> g.utility(0)  # doctest: +NORMALIZE_WHITESPACE
    -w_{1,1}*w_{2,1}/2 + w_{1,1} - w_{1,2}*w_{2,2}/2 - (w_{1,1} - 1/2)**2 - (w_{1,2} - 1/2)**2
    """

    family: object
    n_agents: int
    groups: tuple
    params: Mapping = field(repr=False)
    notes: tuple = ()
    """What was done to the input (e.g. a prior within 1e-12 of the simplex normalised exactly)."""

    @classmethod
    def create(cls, family, n_agents: int, groups, **values) -> "Game":
        """Validate and normalise parameter values (kept exact) into a game."""
        n_agents, groups = _check_dims(n_agents, groups)
        _check_family(family)
        specs = {s.name: s for s in family.parameters()}
        unknown = set(values) - set(specs)
        if unknown:
            name = sorted(unknown)[0]
            raise InputError(
                name, values[name], f"not a parameter of family {family.label!r} (its parameters: {sorted(specs)})"
            )
        missing = [n for n in specs if n not in values]
        if missing:
            raise InputError(missing[0], None, f"missing parameter of family {family.label!r}")
        notes = []
        params = {n: normalise(specs[n], values[n], n_agents, len(groups), notes) for n in specs}
        game = cls(family, n_agents, groups, MappingProxyType(params), tuple(notes))
        family.validate(game)
        return game

    @classmethod
    def symbolic(cls, family, n_agents: int, groups, *, homogeneous: bool = True, **values) -> "Game":
        """A game whose parameters not given in ``values`` are symbols.

        ``homogeneous`` shares one symbol per per-agent scalar (alpha, beta,
        gamma); vectors (attractiveness, priors) stay agent-specific.
        """
        n_agents, groups = _check_dims(n_agents, groups)
        _check_family(family)
        if not isinstance(homogeneous, bool):
            raise ArgumentTypeError("homogeneous", homogeneous, "must be True or False")
        filled = dict(values)
        for spec in family.parameters():
            if spec.name not in filled:
                filled[spec.name] = make_symbols(
                    spec, n_agents, len(groups), shared=homogeneous and spec.kind == "agent"
                )
        return cls.create(family, n_agents, groups, **filled)

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    @property
    def weights(self) -> sp.ImmutableMatrix:
        """The N x D matrix of weight symbols the utilities are written in."""
        return weight_symbols(self.n_agents, self.n_groups)

    def param(self, name: str, i: int | None = None):
        """Value of parameter ``name``, for agent ``i`` where it is per agent."""
        value = self.params[name]
        if i is None:
            return value
        if isinstance(value, sp.MatrixBase):
            return value.row(i)
        if isinstance(value, tuple):
            return value[i]
        return value

    def utility(self, i: int) -> sp.Expr:
        """Utility of agent ``i`` (0-based) as an expression in :attr:`weights`."""
        if isinstance(i, bool) or not isinstance(i, int):
            raise ArgumentTypeError("i", i, "agent index must be an int")
        if not 0 <= i < self.n_agents:
            raise InputError("i", i, f"agent index must be in 0..{self.n_agents - 1}")
        return self.family.utility(self, i, self.weights)

    def utilities(self) -> tuple:
        return tuple(self.utility(i) for i in range(self.n_agents))

    def own_gradient(self, i: int) -> sp.ImmutableMatrix:
        """Gradient of agent ``i``'s utility with respect to its own weights (row)."""
        u = self.utility(i)
        return sp.ImmutableMatrix([[sp.diff(u, w) for w in self.weights.row(i)]])

    def free_symbols(self) -> frozenset:
        """Symbols among the parameters (empty for a numeric game)."""
        out = set()
        for v in self.params.values():
            for x in flat_values(v):
                out |= x.free_symbols
        return frozenset(out)

    @property
    def is_numeric(self) -> bool:
        return not self.free_symbols()

    def hypotheses(self) -> tuple:
        """Conditions on the parameters under which each utility is concave."""
        return tuple(self.family.hypotheses(self))

    def parameter_constraints(self) -> tuple:
        """Relations every admissible parameter point satisfies (signs, simplex rows)."""
        out = []
        for spec in self.family.parameters():
            vals = [x for x in flat_values(self.params[spec.name]) if not x.is_number]
            if spec.sign == "positive":
                out += [v > 0 for v in vals]
            elif spec.sign in ("nonnegative", "simplex"):
                out += [v >= 0 for v in vals]
            if spec.sign == "simplex":
                mat = self.params[spec.name]
                for i in range(self.n_agents):
                    row = list(mat.row(i))
                    if not all(x.is_number for x in row):
                        out.append(sp.Eq(sum(row), 1))
        return tuple(c for c in dict.fromkeys(out) if c is not sp.true)

    def subs(self, values: Mapping) -> "Game":
        """The game with some parameter symbols replaced by values.

        ``values`` maps symbols (or their names) to numbers, SymPy
        expressions or expression strings; strings are read by the
        whitelist parser of :mod:`symalign.core.expr` (nothing is evaluated).

        Examples
        --------
        >>> from symalign import Game, get_family
        >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, ["x", "y"])
        >>> g.subs({"gamma": "1/2"}).param("gamma", 0)
        1/2
        """
        from symalign.core.uservalues import user_substitution

        replace = substitution(user_substitution(values, self.free_symbols(), "values"))

        def sub(v):
            return tuple(sub(x) for x in v) if isinstance(v, tuple) else replace(v)

        params = {k: sub(v) for k, v in self.params.items()}
        return Game(self.family, self.n_agents, self.groups, MappingProxyType(params), self.notes)

    def __repr__(self):
        free = sorted(str(s) for s in self.free_symbols())
        kind = "numeric" if not free else "symbolic in " + ", ".join(free[:6]) + (", ..." if len(free) > 6 else "")
        return f"Game({self.family.label}, N={self.n_agents}, groups={list(self.groups)}, {kind})"


def _check_family(family):
    from symalign.core.families.base import UtilityFamily

    if not isinstance(family, UtilityFamily):
        raise ArgumentTypeError("family", family, "expected a utility family (e.g. get_family('active_alignment'))")


def _check_dims(n_agents, groups):
    if isinstance(n_agents, bool) or not isinstance(n_agents, numbers.Integral):
        raise ArgumentTypeError("n_agents", n_agents, "must be a positive integer")
    n_agents = int(n_agents)
    if n_agents < 1:
        raise InputError("n_agents", n_agents, "must be a positive integer")
    limits.check("agents", n_agents, "n_agents")
    if isinstance(groups, numbers.Integral) and not isinstance(groups, bool):
        limits.check("groups", int(groups), "groups")
        groups = [f"g{d + 1}" for d in range(int(groups))]
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__iter__") or isinstance(groups, bool):
        raise ArgumentTypeError("groups", groups, "expected a number of groups or a list of group names")
    groups = tuple(itertools.islice(groups, limits.current().groups + 1))  # a generator may not end
    limits.check("groups", len(groups), "groups", shown=f"{len(groups)} groups")
    if len(groups) < 2:
        raise InputError("groups", list(groups), "need at least 2 groups")
    if any(not isinstance(g, str) or not g for g in groups):
        raise InputError("groups", list(groups), "group names must be non-empty strings")
    if len(set(groups)) != len(groups):
        raise InputError("groups", list(groups), "group names must be distinct")
    return n_agents, groups

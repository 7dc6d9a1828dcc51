"""Hypothesis strategies for symalign: simplex points, exact parameters, games.

Every strategy builds inputs that satisfy the hypotheses of the result under
test *by construction* (no ``assume``/``filter`` that would throw most draws
away): a prior is a point of the simplex because it is a normalised vector of
counts; the distance variant's ``gamma_i < beta_i`` because ``gamma_i`` is
drawn as ``beta_i * u`` with ``u`` in ``[0, 1)``; a game is monotone (Rosen's
diagonal strict concavity, hence a unique equilibrium) because its diversity
weights are drawn below an eigenvalue bound.  Parameters are exact
:class:`sympy.Rational` numbers with small denominators, so exact derivations
on the drawn games stay fast.

This module is the entry point: :func:`rationals` and :func:`simplex_points`
are defined in :mod:`symalign.verify.rational_points`, :func:`polymatrix_games` and
:func:`bimatrix_games` in :mod:`symalign.verify.matrix_games`, and all are
importable from here.

Use them with ``@given`` in tests::

    from hypothesis import given
    from symalign.verify.strategies import active_alignment_games
    from symalign.numeric.solve import solve
    from symalign.core.kkt import kkt_violations

    @given(active_alignment_games("distance", monotone=True))
    def test_solve_is_exact(game):
        eq = solve(game).equilibria[0]
        assert kkt_violations(game, eq.weights) == ()

Strategies
----------
rationals
    Exact rationals in an interval with bounded denominators.
simplex_points
    Points of the probability simplex (float or exact; vertices, faces,
    interior, or bounded away from the faces).
active_alignment_games
    Games of the active-alignment family (overlap, distance, entropic).
polymatrix_games, bimatrix_games
    Games linear in own weights, with exact payoffs.
custom_games
    Active-alignment utilities written as custom expressions.

References
----------
Wang et al., "LLM Active Alignment: A Nash Equilibrium Perspective",
arXiv 2602.06836 (2026); the family is reconstructed from the abstract
(see ``shared/model.md``).  Rosen, "Existence and uniqueness of equilibrium
points for concave n-person games", Econometrica 33 (1965).
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from symalign.errors import InputError
from symalign.core.families import CustomFamily, get_family
from symalign.core.game import Game
from symalign.core.params import ParamSpec
from symalign.verify.matrix_games import bimatrix_games, polymatrix_games
from symalign.verify.rational_points import check_denominator, exact_number, int_or_strategy, rationals, simplex_points

__all__ = [
    "rationals",
    "simplex_points",
    "active_alignment_games",
    "polymatrix_games",
    "bimatrix_games",
    "custom_games",
    "CUSTOM_UTILITIES",
]

#: Attractiveness lies in [-s, s] for s drawn from these: a small s (relative to
#: beta) gives interior equilibria, a large one vertices and exclusion.
_ATTRACTIVENESS_SCALES = (sp.Integer(2), sp.Rational(1, 2), sp.Rational(1, 8))

#: The active-alignment utilities written in the custom-expression language.
CUSTOM_UTILITIES = {
    "overlap": "alpha*sum(a[d]*w[d], d) - beta/2*sum((w[d] - p[d])**2, d) - gamma*sum(w[d]*m[d], d)",
    "distance": "alpha*sum(a[d]*w[d], d) - beta/2*sum((w[d] - p[d])**2, d) + gamma/2*sum((w[d] - m[d])**2, d)",
    "entropic": "alpha*sum(a[d]*w[d], d) - beta*sum(w[d]*log(w[d]/p[d]), d) - gamma*sum(w[d]*m[d], d)",
}

_HYPOTHESIS_TEXTS = {"overlap": ("beta > 0",), "distance": ("beta > gamma",), "entropic": ("beta > 0",)}


# --------------------------------------------------------------------------- active alignment


def active_alignment_games(
    variant: str = "overlap",
    n_agents=st.integers(2, 5),
    n_groups=st.integers(2, 5),
    homogeneous: bool = False,
    interior: bool | None = None,
    *,
    monotone: bool = False,
    exclusion: bool | None = None,
    attractiveness=None,
    max_denominator: int = 4,
    fixed: Mapping | None = None,
) -> SearchStrategy:
    """Numeric games of the active-alignment family satisfying its hypotheses.

    Parameters are exact rationals with denominators ``<= max_denominator``:
    ``alpha_i, beta_i`` in ``(0, 2]``; ``a_{i,d} = s x_{i,d}`` with
    ``x_{i,d}`` in ``[-1, 1]`` and one scale ``s`` per game (see
    ``attractiveness``); priors ``p_i`` from :func:`simplex_points`
    (exact).  The diversity weight is
    ``gamma_i = beta_i * u_i`` with, by construction,

    =========== ===================================== ======================================
    variant     ``monotone=False``                    ``monotone=True``
    =========== ===================================== ======================================
    overlap     ``u_i`` in ``[0, 3]``                 ``gamma_i < min_j beta_j``
                                                      (homogeneous: ``gamma < beta (N-1)``)
    entropic    as overlap                            as overlap
    distance    ``u_i`` in ``[0, 1)``                 ``gamma_i < min_j beta_j / 2``
                (concavity: ``gamma_i < beta_i``)     (homogeneous: ``gamma < beta (N-1)/N``)
    =========== ===================================== ======================================

    so each utility is concave in own weights (the family's hypotheses), and
    with ``monotone=True`` the symmetrised pseudo-Jacobian is negative
    definite on the tangent space (Rosen's diagonal strict concavity: the
    equilibrium is unique and projection methods converge).  The
    heterogeneous bounds follow from ``lambda_min(sym(-J)) >= min_i beta_i
    - max_j gamma_j`` (overlap; ``- 2 max_j gamma_j`` for distance); the
    homogeneous ones are the exact eigenvalue conditions of model.md T2.

    Parameters
    ----------
    variant : {"overlap", "distance", "entropic"}
    n_agents, n_groups : int or SearchStrategy of int, optional
        ``N >= 2`` and ``D >= 2`` (defaults: 2 to 5 each).
    homogeneous : bool, optional
        One ``alpha``, ``beta``, ``gamma`` shared by all agents
        (attractiveness and priors stay per agent).
    interior : bool or None, optional
        True: every prior entry ``p_{i,d} > 0``; False: each prior may lie
        on a face of the simplex (about half of them do, vertices
        included); None (default): Hypothesis decides per game.  The
        entropic variant's KL term needs ``p > 0``: None means True there
        and False is an error.
    monotone : bool, optional
        Also satisfy diagonal strict concavity (see the table).
    exclusion : bool or None, optional
        True: bias towards political exclusion: one group ``d`` is made
        unattractive to every agent, ``a_{i,d} = min_k a_{i,k} -
        s_i (beta_i + gamma_i) / alpha_i`` with ``s_i`` in ``[1, 3]``;
        False: never; None (default): Hypothesis decides per draw.
    attractiveness : number or None, optional
        The scale ``s`` of attractiveness, ``a_{i,d}`` in ``[-s, s]``
        before any exclusion bias.  None (default): drawn per game from
        ``{2, 1/2, 1/8}``; a small ``s`` (relative to ``beta``) makes
        interior equilibria common, a large one vertices and exclusion.
    max_denominator : int, optional
        Largest denominator of the drawn scalars (default 4).
    fixed : mapping, optional
        Parameter values used instead of drawing them, e.g. ``{"gamma": 0}``.

    Returns
    -------
    SearchStrategy of Game

    Raises
    ------
    InputError
        Unknown variant, ``interior=False`` for the entropic variant, or a
        ``fixed`` name that is not a parameter of the family.

    Examples
    --------
    Draw games in a test with ``@given``; the hypotheses hold for every draw:

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(active_alignment_games("distance", n_agents=3))
    ... def check(game):
    ...     assert game.n_agents == 3 and 2 <= game.n_groups <= 5
    ...     assert all(g < b for g, b in zip(game.param("gamma"), game.param("beta")))
    >>> check()
    """
    family = get_family("active_alignment", variant)
    n_agents_st = int_or_strategy(n_agents, "n_agents", 2)
    n_groups_st = int_or_strategy(n_groups, "n_groups", 2)
    q = check_denominator(max_denominator)
    if attractiveness is None:
        scales = st.sampled_from(_ATTRACTIVENESS_SCALES)
    else:
        scale = exact_number(attractiveness, "attractiveness")
        if scale < 0:
            raise InputError("attractiveness", attractiveness, "must be >= 0")
        scales = st.just(scale)
    if variant == "entropic":
        if interior is False:
            raise InputError("interior", interior, "the entropic variant needs priors with every entry > 0")
        interior = True
    fixed = dict(fixed or {})
    names = [s.name for s in family.parameters()]
    for key in fixed:
        if key not in names:
            raise InputError("fixed", key, f"not a parameter of {family.label!r} (its parameters: {names})")
    return _draw_active_alignment_game(
        family, n_agents_st, n_groups_st, q, homogeneous, interior, monotone, exclusion, scales, fixed
    )


@st.composite
def _draw_active_alignment_game(draw, family, n_agents_st, n_groups_st, q, homogeneous, interior,
                                monotone, exclusion, scales, fixed):
    N, D = draw(n_agents_st), draw(n_groups_st)
    if N < 2 or D < 2:
        raise InputError("n_agents, n_groups", (N, D), "active alignment games need N >= 2 and D >= 2")
    positive = rationals(0, 2, q, exclude_min=True)

    def agent_values(strategy):
        if homogeneous:
            return [draw(strategy)] * N
        return [draw(strategy) for _ in range(N)]

    alpha, beta = agent_values(positive), agent_values(positive)
    gamma = _draw_gamma(draw, family.variant, beta, N, q, homogeneous, monotone)
    scale = draw(scales)
    attractiveness = rationals(-1, 1, q)
    a = [[scale * draw(attractiveness) for _ in range(D)] for _ in range(N)]
    if interior is None:
        interior = draw(st.booleans())
    prior = simplex_points(D, exact=True, interior=interior)
    p = [list(draw(prior)) for _ in range(N)]
    if draw(st.booleans()) if exclusion is None else exclusion:
        d = draw(st.integers(0, D - 1))
        gap = rationals(1, 3, q)
        for i in range(N):
            others = min(a[i][k] for k in range(D) if k != d)
            a[i][d] = others - draw(gap) * (beta[i] + gamma[i]) / alpha[i]
    values = {"alpha": alpha, "beta": beta, "gamma": gamma, "a": a, "p": p}
    values.update(fixed)
    return Game.create(family, N, D, **values)


def _draw_gamma(draw, variant, beta, N, q, homogeneous, monotone):
    """Diversity weights satisfying the variant's hypotheses by construction."""
    unit = rationals(0, 1, q, exclude_max=True)  # u in [0, 1)
    if monotone:
        if homogeneous:
            bound = beta[0] * ((N - 1) if variant != "distance" else sp.Rational(N - 1, N))
        else:
            bound = min(beta) / (2 if variant == "distance" else 1)
        scale = [bound] * N
    else:
        if variant == "distance":
            scale = list(beta)
        else:
            scale, unit = list(beta), rationals(0, 3, q)
    if homogeneous:
        u = draw(unit)
        return [scale[0] * u] * N
    return [scale[i] * draw(unit) for i in range(N)]



# --------------------------------------------------------------------------- custom


def _custom_family(variant: str) -> CustomFamily:
    specs = (
        ParamSpec("alpha", "agent", "positive", r"\alpha", "weight of attractiveness"),
        ParamSpec("beta", "agent", "positive", r"\beta", "weight of consistency with the prior"),
        ParamSpec("gamma", "agent", "nonnegative", r"\gamma", "weight of diversity"),
        ParamSpec("a", "vector", "real", "a", "attractiveness"),
        ParamSpec("p", "vector", "simplex", "p", "prior alignment"),
    )
    return CustomFamily(CUSTOM_UTILITIES[variant], specs, _HYPOTHESIS_TEXTS[variant], True)


def custom_games(variant: str = "overlap", n_agents=st.integers(2, 4), n_groups=st.integers(2, 4),
                 **options) -> SearchStrategy:
    """Active-alignment games whose utility is written as a custom expression.

    The parameters are drawn by :func:`active_alignment_games` (same
    ``options``; sizes default to 2 to 4 because custom utilities are
    parsed per agent); the family is a :class:`~symalign.core.families.CustomFamily`
    with the expression :data:`CUSTOM_UTILITIES` ``[variant]``, so the game
    has the same utilities as the built-in family and must have the same
    equilibria.  Rebuild the built-in twin with
    ``Game.create(get_family("active_alignment", variant), g.n_agents,
    g.groups, **g.params)``.

    Returns
    -------
    SearchStrategy of Game

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from symalign import get_family
    >>> @settings(max_examples=5, database=None)
    ... @given(custom_games("overlap", 2, 2))
    ... def check(game):
    ...     twin = Game.create(get_family("active_alignment", "overlap"), 2, game.groups, **game.params)
    ...     assert sp.expand(game.utility(0) - twin.utility(0)) == 0
    >>> check()
    """
    if variant not in CUSTOM_UTILITIES:
        raise InputError("variant", variant, f"must be one of {sorted(CUSTOM_UTILITIES)}")
    family = _custom_family(variant)
    builtin = active_alignment_games(variant, n_agents, n_groups, **options)
    return builtin.map(lambda g: Game.create(family, g.n_agents, g.groups, **g.params))

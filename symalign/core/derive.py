"""Closed-form equilibria on a support, derived from the KKT system.

For families whose gradients are affine in the weights (active alignment
``overlap`` and ``distance``, polymatrix, quadratic custom utilities) the
KKT system on a fixed support is linear in the weights and multipliers, so
it is solved exactly (:mod:`symalign.core.linear`) instead of being handed to a
general nonlinear solver.  The result carries its validity conditions.
"""

from __future__ import annotations

from itertools import combinations

import sympy as sp

from symalign.core.equilibrium import Equilibrium
from symalign.errors import DerivationError, InputError
from symalign.core.kkt import kkt_system
from symalign.core.aggregate import detect, solve_aggregative
from symalign.core.structured import StructuredForm, expand_definitions
from symalign.core.linear import InconsistentSystem, SingularSystem, solve_linear

__all__ = ["derive_on_support", "normalise_support", "all_supports", "tidy"]


def tidy(expr):
    """Targeted normal form for derived expressions: one fraction, factored.

    Numbers are returned unchanged; expressions become ``factor(cancel(.))``
    which is cheap for the rational functions that arise here.
    """
    expr = sp.sympify(expr, strict=True)
    return expr if expr.is_number else sp.factor(sp.cancel(expr))


def normalise_support(game, support=None) -> tuple:
    """Check a support profile; ``None`` means the interior (every group).

    Accepts group indices or group names per agent, or one list for all agents.
    """
    D, N = game.n_groups, game.n_agents
    if support is None:
        return tuple(tuple(range(D)) for _ in range(N))
    support = list(support)
    if support and all(isinstance(x, (int, str)) and not isinstance(x, bool) for x in support):
        support = [support] * N
    if len(support) != N:
        raise InputError("support", support, f"expected one support per agent ({N})")
    out = []
    for i, s in enumerate(support):
        idx = []
        for x in s:
            if isinstance(x, str):
                if x not in game.groups:
                    raise InputError(f"support[{i}]", x, f"unknown group; groups are {list(game.groups)}")
                x = game.groups.index(x)
            if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < D:
                raise InputError(f"support[{i}]", x, f"group index must be in 0..{D - 1}")
            idx.append(x)
        if not idx:
            raise InputError(f"support[{i}]", list(s), "a support cannot be empty")
        out.append(tuple(sorted(set(idx))))
    return tuple(out)


def all_supports(n_groups: int, *, sizes=None):
    """Every nonempty subset of ``range(n_groups)``, smallest first."""
    sizes = range(1, n_groups + 1) if sizes is None else sizes
    for k in sizes:
        yield from combinations(range(n_groups), k)


def derive_on_support(
    game, support=None, *, kkt=None, method: str = "auto", normal_form: str | None = None
) -> Equilibrium:
    """Derive the equilibrium on a support profile in closed form.

    Parameters
    ----------
    game : Game
        Numeric or symbolic parameters; the family's gradients must be
        affine in the weights.
    support : sequence, optional
        Groups each agent weights positively; default every group (interior).
    kkt : KKTSystem, optional
        A precomputed :func:`~symalign.core.kkt.kkt_system` of ``game``.
    method : {'auto', 'aggregate', 'general'}
        ``aggregate`` solves through the aggregate of all agents' weights
        (:mod:`symalign.core.aggregate`; requires an aggregative game),
        ``general`` eliminates the full KKT system; ``auto`` picks the
        aggregate path when :func:`symalign.core.aggregate.detect` allows it.
    normal_form : {'factor', 'cancel', 'raw'}, optional
        Form of weights, multipliers and slacks: ``factor(cancel(.))``,
        ``cancel(.)`` only, or as the solver returns them.  Default
        ``factor`` for numeric games and homogeneous symbolic ones, ``raw``
        otherwise; factoring can cost several times the solve.  A ``raw``
        symbolic derivation through the aggregate also keeps the derived
        structure (``Equilibrium.structure``: the weights in terms of the
        named aggregate ``T`` and its definition, see
        :mod:`symalign.core.structured`); the fields hold its expansion.

    Returns
    -------
    Equilibrium
        Exact weights, multipliers and the validity conditions (positive
        weights on the support, nonnegative KKT slack off it).

    Raises
    ------
    DerivationError
        If the gradients are not affine or the system is singular
        (:class:`~symalign.core.linear.SingularSystem`) or inconsistent.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 0]], p=[[0.5, 0.5], [0.5, 0.5]])
    >>> eq = derive_on_support(g)
    >>> eq.weights.tolist()
    [[1, 0], [1/2, 1/2]]
    >>> eq.valid   # agent 1 puts zero weight on y: not strictly interior
    False
    >>> derive_on_support(g, [[0], [0, 1]]).valid
    True
    """
    from symalign.core import validate

    validate.game(game)
    kkt = kkt_system(game) if kkt is None else kkt
    if not kkt.is_affine():
        raise DerivationError(
            f"family {game.family.label!r}: gradients are not affine in the weights, so the KKT system "
            "on a support is not linear; use symalign.numeric.solve for a numeric equilibrium"
        )
    if method not in ("auto", "aggregate", "general"):
        raise InputError("method", method, "must be 'auto', 'aggregate' or 'general'")
    support = normalise_support(game, support)
    W = game.weights
    Ks = detect(kkt) if method != "general" else None
    if method == "aggregate" and Ks is None:
        raise DerivationError(f"family {game.family.label!r}: the game is not aggregative; use method='general'")
    if normal_form is None:
        normal_form = "factor" if _small(game) else "raw"
    forms = {"factor": tidy, "cancel": lambda e: e if e.is_number else sp.cancel(e), "raw": lambda e: e}
    if normal_form not in forms:
        raise InputError("normal_form", normal_form, f"must be one of {sorted(forms)}")
    fmt = forms[normal_form]
    sol, definitions = None, ()
    if Ks is not None:
        try:
            if normal_form == "raw" and game.free_symbols():
                named = solve_aggregative(kkt, support, Ks, structured=True)
                if named is not None:
                    (sol, definitions), used = named, "kkt-aggregate"
            if sol is None:
                sol, used = solve_aggregative(kkt, support, Ks), "kkt-aggregate"
        except (SingularSystem, InconsistentSystem):
            # the per-agent systems can be singular (no own curvature once the
            # others' mean is taken out) although the full system is not
            if method == "aggregate":
                raise
    if sol is None:
        unknowns = [W[i, d] for i, s in enumerate(support) for d in s] + list(kkt.lambdas)
        sol, used = solve_linear(kkt.support_equations(support), unknowns), "kkt-linear"
    values = {W[i, d]: (fmt(sol[W[i, d]]) if d in s else sp.Integer(0)) for i, s in enumerate(support) for d in range(W.cols)}
    weights = sp.ImmutableMatrix(W.rows, W.cols, lambda i, d: values[W[i, d]])
    lambdas = tuple(fmt(sol[lam]) for lam in kkt.lambdas)
    conditions, slacks = [], sp.zeros(W.rows, W.cols)
    for i, s in enumerate(support):
        for d in range(W.cols):
            if d in s:
                conditions.append(_positive(weights[i, d]) if normal_form != "raw" else weights[i, d] > 0)
            else:
                slacks[i, d] = fmt(lambdas[i] - kkt.gradients[i, d].xreplace(values))
                conditions.append(slacks[i, d] >= 0)
    structure = None
    if definitions:
        # the structured form as derived; the fields below are its expansion
        structure = StructuredForm(definitions, weights, lambdas, tuple(conditions), _AGGREGATE_NOTES)
        full = expand_definitions(definitions)
        weights = sp.ImmutableMatrix(weights.xreplace(full))
        lambdas = tuple(m.xreplace(full) for m in lambdas)
        slacks = slacks.xreplace(full)
        cells = [(i, d, d in s) for i, s in enumerate(support) for d in range(W.cols)]  # order of `conditions`
        conditions = [_expanded_relation(c, weights[i, d] if on else slacks[i, d], on)
                      for c, (i, d, on) in zip(conditions, cells)]
    return Equilibrium(
        game=game,
        weights=weights,
        support=support,
        multipliers=lambdas,
        conditions=tuple(conditions),
        hypotheses=game.hypotheses(),
        exact=True,
        method=used,
        slack=sp.ImmutableMatrix(slacks),
        structure=structure,
    )


_AGGREGATE_NOTES = (
    r"$T_d = \sum_j w^*_{j,d}$ is the total weight on group $d$; each agent's weights are affine in $T$ "
    r"($w_i = u_i + V_i T$), and $T$ solves $M T = b$ with $M = I - \sum_i V_i$ and $b = \sum_i u_i$ "
    "(equal entries of $M$ share a name)",
)


def _expanded_relation(structured, expr, strict):
    """``expr > 0`` (or ``>= 0``) for the expansion of a structured condition.

    Decided as the structured condition was (the named quantities are real,
    so a decision there holds for the expansion); otherwise built without
    evaluating: asking SymPy's assumptions about an expanded closed form
    costs far more than the derivation.
    """
    if structured in (sp.true, sp.false):
        return structured
    return sp.StrictGreaterThan(expr, 0, evaluate=False) if strict else sp.GreaterThan(expr, 0, evaluate=False)


def _small(game) -> bool:
    """Whether closed forms are small enough to put in factored normal form.

    Numeric games always are; symbolic ones when few symbols are involved
    (homogeneous scalars); beyond that ``cancel`` of the combined forms
    costs more than it gives and the structured form is kept.
    """
    return len(game.free_symbols()) <= 3 + 2 * game.n_groups * game.n_agents and all(
        len(set(v)) == 1 for v in game.params.values() if isinstance(v, tuple) and v and not isinstance(v[0], tuple)
    )


def _positive(expr):
    rel = expr > 0
    if rel in (sp.true, sp.false):
        return rel
    num, den = sp.fraction(expr)
    if den.is_positive:
        return num > 0
    return rel

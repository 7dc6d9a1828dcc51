"""Symmetric equilibria of symmetric games, by one agent's first-order conditions.

A game is *symmetric* when every agent's utility is agent 1's with the roles
of the agents exchanged, and agent 1's utility treats the others alike.  A
symmetric profile gives every agent the same mixture ``x``.  Imposing
``w_j = x`` for every agent *after* differentiating agent 1's utility in its
own weights leaves one agent's KKT system in D unknowns, whatever N is:

    g_d(x) = lambda  (d in the support),   sum_d x_d = 1,   g_d(x) <= lambda  (off it).

It is handed to :func:`sympy.solve` (non-affine in general) under a time
and memory budget (:func:`symalign.core.budget.run_bounded`).  Each solution
is then checked, not assumed:

* the weights are positive on the support (SymPy's assumptions on the
  parameters) and the slack is nonnegative off it;
* second order: the own Hessian at ``x`` on the tangent space of the simplex
  is negative definite (leading minors, exact);
* global: where the own utility is concave in own weights for *every*
  profile (each second derivative sign-definite after ``factor``, or a
  constant Hessian), the stationary point is each agent's best response,
  hence a Nash equilibrium.  Otherwise the result says so and the numeric
  deviation check (:mod:`symalign.numeric.check`) must decide.

Lottery Colonel Blotto, ``U_i = sum_d v_d w_{i,d} / sum_j w_{j,d}``, gives
``x = v / sum(v)`` for every N (the example below).

Examples
--------
>>> from symalign import Game
>>> from symalign.core.families.custom import CustomFamily
>>> from symalign.core.params import ParamSpec
>>> blotto = CustomFamily("sum(v[d]*w[d]/sum_agents(W[j][d], j), d)", (ParamSpec("v", "vector", "positive"),))
>>> g = Game.symbolic(blotto, 3, 3, shared=["v"])
>>> res = symmetric_equilibria(g)
>>> [s.weights for s in res.solutions]
[(v_{1}/(v_{1} + v_{2} + v_{3}), v_{2}/(v_{1} + v_{2} + v_{3}), v_{3}/(v_{1} + v_{2} + v_{3}))]
>>> s = res.solutions[0]
>>> s.second_order, s.own_concave, s.is_equilibrium, res.complete
(True, True, True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.core.budget import Budget, run_bounded
from symalign.core.derive import all_supports
from symalign.errors import BudgetExceeded, DerivationError, InputError

__all__ = ["SymmetricEquilibrium", "SymmetricResult", "is_symmetric", "symmetric_equilibria", "own_concavity"]

DEFAULT_BUDGET = Budget(seconds=30.0, memory_mb=4096, flag="--timeout")


@dataclass(frozen=True)
class SymmetricEquilibrium:
    """One symmetric solution: every agent plays ``weights``.

    Attributes
    ----------
    weights : tuple
        The common mixture ``x`` (exact expressions).
    multiplier : Expr
        ``lambda``, the common marginal utility on the support.
    support : tuple of int
    positive : bool or None
        Every weight on the support positive (None: not decided).
    slack_ok : bool or None
        ``lambda - g_d >= 0`` off the support (None: not decided).
    second_order : bool or None
        Own Hessian negative definite on the tangent space at ``x``.
    own_concave : bool or None
        Own utility concave in own weights at every profile.
    """

    weights: tuple
    multiplier: sp.Expr
    support: tuple
    positive: bool | None
    slack_ok: bool | None
    second_order: bool | None
    own_concave: bool | None
    slacks: tuple = ()
    """``lambda - g_d`` at ``x`` for each group off the support."""

    @property
    def conditions(self) -> tuple:
        """Validity conditions: weights positive on the support, slack nonnegative off it."""
        return tuple(sp.sympify(self.weights[d] > 0, strict=True) for d in self.support) + \
            tuple(sp.sympify(s >= 0, strict=True) for s in self.slacks)

    @property
    def is_equilibrium(self) -> bool | None:
        """True when feasibility, KKT and global own concavity are all established; False when one fails."""
        flags = (self.positive, self.slack_ok, self.own_concave)
        if any(f is False for f in (self.positive, self.slack_ok)):
            return False
        return True if all(f is True for f in flags) else None

    def profile(self, n_agents: int) -> sp.ImmutableMatrix:
        """The N x D symmetric profile."""
        return sp.ImmutableMatrix([list(self.weights)] * n_agents)


@dataclass(frozen=True)
class SymmetricResult:
    """Every symmetric stationary point found, and whether the search was complete.

    ``complete`` is True when every support was solved within the budget and
    SymPy returned all solutions (then ``solutions`` lists *all* symmetric
    KKT points, so a single valid one is the only symmetric equilibrium).
    """

    game: object
    solutions: tuple
    complete: bool
    notes: tuple = ()


def is_symmetric(game) -> bool:
    """Exact check that the game is symmetric (see the module docstring).

    Agent i's utility must equal agent 1's with rows 1 and i of the profile
    exchanged, and agent 1's utility must be invariant under exchanging any
    two other agents (adjacent exchanges generate them).
    """
    W = game.weights
    N, D = game.n_agents, game.n_groups
    u0 = game.utility(0)

    def swapped(expr, a, b):
        sub = {}
        for d in range(D):
            sub[W[a, d]], sub[W[b, d]] = W[b, d], W[a, d]
        return expr.xreplace(sub)

    for i in range(1, N):
        if not _zero(game.utility(i) - swapped(u0, 0, i)):
            return False
    for j in range(1, N - 1):
        if not _zero(u0 - swapped(u0, j, j + 1)):
            return False
    return True


def symmetric_equilibria(game, *, supports: str = "interior", budget: Budget | None = DEFAULT_BUDGET):
    """Symmetric equilibria of a symmetric game, in closed form where SymPy finds it.

    Parameters
    ----------
    game : Game
        Numeric or symbolic; must be symmetric (:func:`is_symmetric`).
    supports : {'interior', 'all'}
        Solve on the interior only, or on every support of ``x``.
    budget : Budget or None
        Bound on each :func:`sympy.solve` call (``None``: unbounded, in
        process).  A support whose solve runs out of budget makes the result
        incomplete; it never raises.

    Returns
    -------
    SymmetricResult
    """
    if supports not in ("interior", "all"):
        raise InputError("supports", supports, "must be 'interior' or 'all'")
    if game.n_agents < 2:
        raise InputError("game", game, "a symmetric equilibrium needs at least 2 agents")
    if not is_symmetric(game):
        raise DerivationError(f"{game!r} is not symmetric: agents' utilities differ beyond a relabelling")
    D = game.n_groups
    x = tuple(sp.Symbol(f"x_{d + 1}", positive=True) for d in range(D))
    lam = sp.Symbol("lambda", real=True)
    W = game.weights
    u0 = game.utility(0)
    grad = [sp.diff(u0, W[0, d]) for d in range(D)]
    at_x = {W[j, d]: x[d] for j in range(game.n_agents) for d in range(D)}
    g_x = [g.xreplace(at_x) for g in grad]
    concave = own_concavity(game)
    found, complete, notes = [], True, []
    chosen = [tuple(range(D))] if supports == "interior" else list(all_supports(D))
    for supp in chosen:
        off = {x[d]: sp.Integer(0) for d in range(D) if d not in supp}
        try:
            eqs = [sp.together(g_x[d].xreplace(off) - lam) for d in supp]
        except ZeroDivisionError:
            continue
        if any(e.has(sp.zoo, sp.nan) for e in eqs):
            notes.append(f"support {supp}: the gradient is undefined there")
            continue
        dens = [sp.denom(e) for e in eqs]
        eqs = [sp.numer(e) for e in eqs] + [sum(x[d] for d in supp) - 1]
        unknowns = [x[d] for d in supp] + [lam]
        try:
            sols = _solve(eqs, unknowns, budget)
        except BudgetExceeded as exc:
            complete = False
            notes.append(f"support {supp}: {exc}")
            continue
        except NotImplementedError as exc:
            complete = False
            notes.append(f"support {supp}: SymPy cannot solve the reduced system ({exc})")
            continue
        for sol in sols:
            if set(sol) != set(unknowns):
                complete = False
                notes.append(f"support {supp}: a solution family with free unknowns ({sol}) was not expanded")
                continue
            if any(_zero(den.xreplace(sol)) for den in dens):
                # a root of a numerator where its denominator vanishes too: not a stationary point
                notes.append(f"support {supp}: dropped {sol}, where the gradient is undefined")
                continue
            cand = _candidate(game, x, lam, supp, sol, grad, at_x, g_x, concave)
            if cand is not None:
                found.append(cand)
    return SymmetricResult(game, tuple(found), complete, tuple(notes))


def own_concavity(game, i: int = 0) -> bool | None:
    """Whether agent ``i``'s utility is concave in its own weights at every profile (None: not decided).

    Proved by the curvature rules of :mod:`symalign.core.curvature` (certificate re-checked), else
    decided exactly when the own Hessian is constant (eigenvalues), or
    diagonal with each entry sign-definite after ``factor`` under the
    symbols' assumptions (weights nonnegative, declared parameter signs),
    wherever the utility is defined (a ratio ``num/den`` with ``num <= 0 <= den``).
    """
    from symalign.core.curvature import check_tree, curvature_tree

    W = game.weights
    w = list(W.row(i))
    tree = curvature_tree(game.utility(i), w)  # curvature rules first (milliseconds), re-checked
    if tree.curvature in ("concave", "affine", "constant") and check_tree(tree, w):
        return True
    H = sp.hessian(game.utility(i), w)
    if not (H.free_symbols & set(W)):
        try:
            eig = H.eigenvals()
        except (NotImplementedError, sp.polys.polyerrors.PolynomialError):
            return None
        signs = [sp.sympify(e, strict=True).is_nonpositive for e in eig]
        return True if all(s is True for s in signs) else (False if any(s is False for s in signs) else None)
    if any(H[a, b] != 0 for a in range(H.rows) for b in range(H.cols) if a != b):
        return None
    signs = [_nonpositive(sp.factor(sp.cancel(H[d, d]))) for d in range(H.rows)]
    return True if all(s is True for s in signs) else None


def _nonpositive(expr) -> bool | None:
    """``expr <= 0`` wherever it is defined: decided on the expression, else on numerator and denominator."""
    if expr.is_nonpositive is not None:
        return expr.is_nonpositive
    num, den = sp.fraction(expr)
    if (num.is_nonpositive and den.is_nonnegative) or (num.is_nonnegative and den.is_nonpositive):
        return True
    return None


def _candidate(game, x, lam, supp, sol, grad, at_x, g_x, concave):
    D = game.n_groups
    weights = tuple(sp.factor(sp.cancel(sol[x[d]])) if d in supp else sp.Integer(0) for d in range(D))
    mult = sp.factor(sp.cancel(sol[lam]))
    pos = [weights[d].is_positive for d in supp]
    if any(p is False for p in pos):
        return None
    positive = True if all(p is True for p in pos) else None
    value = {x[d]: weights[d] for d in range(D)}
    slacks = [sp.factor(sp.cancel(mult - g_x[d].xreplace(value))) for d in range(D) if d not in supp]
    sl = [s.is_nonnegative for s in slacks]
    slack_ok = False if any(s is False for s in sl) else (True if all(s is True for s in sl) else None)
    return SymmetricEquilibrium(weights, mult, tuple(supp), positive, slack_ok,
                                _second_order(game, supp, weights), concave, tuple(slacks))


def _second_order(game, supp, weights) -> bool | None:
    """Own Hessian at the symmetric point, on the tangent space of the support's face: negative definite?"""
    W = game.weights
    D = game.n_groups
    if len(supp) < 2:
        return True  # a vertex of the face: no tangent directions
    H = sp.hessian(game.utility(0), list(W.row(0)))
    at = {W[j, d]: weights[d] for j in range(game.n_agents) for d in range(D)}
    H = H.xreplace(at)
    last = supp[-1]
    Z = sp.zeros(D, len(supp) - 1)
    for k, d in enumerate(supp[:-1]):
        Z[d, k], Z[last, k] = 1, -1
    M = -(Z.T * H * Z)
    minors = [sp.factor(sp.cancel(M[:k, :k].det())) for k in range(1, M.rows + 1)]
    signs = [m.is_positive for m in minors]
    return True if all(s is True for s in signs) else (False if any(s is False for s in signs) else None)


def _solve(eqs, unknowns, budget):
    if budget is None:
        return _solve_now(eqs, unknowns)
    return run_bounded(_solve_now, eqs, unknowns, budget=budget, phase="symmetric first-order conditions")


def _solve_now(eqs, unknowns):
    return sp.solve(eqs, unknowns, dict=True)


def _zero(expr) -> bool:
    expr = sp.expand(expr)
    return expr == 0 or sp.cancel(sp.together(expr)) == 0

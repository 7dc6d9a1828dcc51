"""KKT conditions of each agent's problem on the simplex.

Agent i maximises ``U_i(w_i, w_{-i})`` subject to ``sum_d w_{i,d} = 1`` and
``w_{i,d} >= 0``.  With multipliers ``lambda_i`` (equality) and
``mu_{i,d} >= 0`` (nonnegativity) the Lagrangian is

    L_i = U_i - lambda_i (sum_d w_{i,d} - 1) + sum_d mu_{i,d} w_{i,d}

and the KKT conditions are stationarity ``g_{i,d} - lambda_i + mu_{i,d} = 0``
(``g_i`` the gradient of ``U_i`` in own weights), primal feasibility,
``mu >= 0`` and complementary slackness ``mu_{i,d} w_{i,d} = 0``.  On a
support S_i this reads ``g_{i,d} = lambda_i`` for d in S_i and
``g_{i,d} <= lambda_i`` off it.  Under concavity (the family's hypotheses)
KKT points are exactly the Nash equilibria.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from symalign.errors import InputError, ShapeError
from symalign.core.notebook import LatexRepr

__all__ = ["KKTSystem", "kkt_system", "build_kkt_system", "multiplier_symbols", "kkt_violations", "split_affine"]


def multiplier_symbols(n_agents: int, n_groups: int):
    """``lambda_i`` (real) and the N x D matrix of ``mu_{i,d}`` (nonnegative)."""
    lam = tuple(sp.Symbol(f"lambda_{i + 1}", real=True) for i in range(n_agents))
    mu = sp.ImmutableMatrix(n_agents, n_groups, lambda i, d: sp.Symbol(f"mu_{{{i + 1},{d + 1}}}", nonnegative=True))
    return lam, mu


@dataclass(frozen=True, eq=False)
class KKTSystem(LatexRepr):
    """The KKT system of a game (all agents), built by :func:`kkt_system`.

    Attributes
    ----------
    game : Game
    gradients : ImmutableMatrix
        N x D, row i the gradient of ``U_i`` in agent i's own weights.
    lambdas : tuple of Symbol
    mus : ImmutableMatrix
    lagrangians : tuple of Expr
    """

    game: object
    gradients: sp.ImmutableMatrix
    lambdas: tuple
    mus: sp.ImmutableMatrix
    lagrangians: tuple

    def __repr__(self) -> str:
        n, d = self.gradients.shape
        affine = "affine" if all(sp.Poly(g, *self.game.weights).total_degree() <= 1
                                 for g in self.gradients if g.is_polynomial(*self.game.weights)) else "nonlinear"
        return (f"KKTSystem({self.game!r}: {n * d} stationarity equations in w, lambda_1..lambda_{n}, "
                f"mu; gradients {affine})")

    @property
    def stationarity(self) -> sp.ImmutableMatrix:
        """N x D matrix of ``dL_i/dw_{i,d}`` (each must vanish)."""
        n, d = self.gradients.shape
        return sp.ImmutableMatrix(n, d, lambda i, k: self.gradients[i, k] - self.lambdas[i] + self.mus[i, k])

    def complementary_slackness(self) -> tuple:
        W = self.game.weights
        return tuple(sp.Eq(self.mus[i, d] * W[i, d], 0) for i in range(W.rows) for d in range(W.cols))

    def primal_feasibility(self) -> tuple:
        W = self.game.weights
        return tuple(sp.Eq(sum(W.row(i)), 1) for i in range(W.rows)) + tuple(w >= 0 for w in W)

    def support_equations(self, support) -> tuple:
        """Equations fixing the solution on a support profile.

        ``g_{i,d} - lambda_i = 0`` for d in the support of agent i (weights
        off the support substituted by zero) and ``sum_{d in S_i} w_{i,d} = 1``.
        """
        W = self.game.weights
        zero = {W[i, d]: 0 for i, s in enumerate(support) for d in range(W.cols) if d not in s}
        eqs = []
        for i, s in enumerate(support):
            for d in s:
                eqs.append(self.gradients[i, d].xreplace(zero) - self.lambdas[i])
            eqs.append(sum(W[i, d] for d in s) - 1)
        return tuple(eqs)

    def is_affine(self) -> bool:
        """True when every gradient is affine in the weights (KKT linear on a support)."""
        return self.affine_parts() is not None

    def affine_parts(self):
        """Each gradient as ``(constant, {weight: coefficient})``, or None if not affine (see :func:`split_affine`)."""
        return self._affine_parts

    @cached_property
    def _affine_parts(self):
        return split_affine(self.gradients, frozenset(self.game.weights))


def split_affine(gradients, weights):
    """Split each entry of a matrix as ``c + sum_w coeff_w * w`` over the symbols ``weights``.

    One pass over the terms of the expanded entries (cheaper than ``Poly``
    with many generators).  Returns a nested tuple (rows x columns) of
    ``(constant, {weight: coefficient})``, or None when an entry is not
    affine in ``weights``.
    """
    rows = []
    for i in range(gradients.rows):
        row = []
        for d in range(gradients.cols):
            const, coeffs = [], {}
            for term in sp.Add.make_args(gradients[i, d]):
                found = term.free_symbols & weights
                if not found:
                    const.append(term)
                    continue
                if len(found) > 1:
                    return None
                (w,) = found
                coeff = term / w
                if coeff.has(w) or not term.is_Mul and term != w:
                    return None
                coeffs.setdefault(w, []).append(coeff)
            row.append((sp.Add(*const), {w: sp.Add(*c) for w, c in coeffs.items()}))
        rows.append(tuple(row))
    return tuple(rows)


def kkt_system(game) -> KKTSystem:
    """The KKT system of every agent's problem on the simplex, built once per game.

    A :class:`~symalign.core.game.Game` is immutable, so its KKT system is
    built on the first call and the same object is returned afterwards
    (``solve``, ``derive_on_support``, Rosen's matrices and the certificates
    all share it).

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, 2)
    >>> k = kkt_system(g)
    >>> k.stationarity[0, 0]
    a_{1,1}*alpha + beta*p_{1,1} - beta*w_{1,1} - gamma*w_{2,1} - lambda_1 + mu_{1,1}
    >>> kkt_system(g) is k
    True
    """
    try:
        return _BUILT[game]
    except (KeyError, TypeError):
        pass
    system = build_kkt_system(game)
    try:
        _BUILT[game] = system
    except TypeError:  # not weak-referenceable: no cache
        pass
    return system


_BUILT: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def build_kkt_system(game) -> KKTSystem:
    """Build the KKT system of ``game`` from its utilities (no cache; see :func:`kkt_system`)."""
    W = game.weights
    lam, mu = multiplier_symbols(game.n_agents, game.n_groups)
    grads, lags = [], []
    for i in range(game.n_agents):
        u = game.utility(i)
        expanded = sp.expand(u, log=False, power_base=False, power_exp=False)
        grads.append(_gradient(expanded, list(W.row(i))))
        lags.append(u - lam[i] * (sum(W.row(i)) - 1) + sum(mu[i, d] * W[i, d] for d in range(W.cols)))
    return KKTSystem(game, sp.ImmutableMatrix(grads), lam, mu, tuple(lags))


def _gradient(expanded, own) -> list:
    """``[d expanded / d w for w in own]``, term by term: each term is differentiated only by the
    own weights it contains (D times fewer derivatives than differentiating the whole sum per weight)."""
    own_set = set(own)
    parts = {w: [] for w in own}
    for term in sp.Add.make_args(expanded):
        for w in term.free_symbols & own_set:
            parts[w].append(_term_derivative(term, w))
    return [sp.expand(sp.Add(*parts[w]), log=False, power_base=False, power_exp=False) for w in own]


def _term_derivative(term, w):
    """d term / d w; a monomial ``c * w**k * rest`` (k a positive integer, rest free of w) directly."""
    if term == w:
        return sp.Integer(1)
    factors = sp.Mul.make_args(term)
    for k, f in enumerate(factors):
        if f == w:
            rest = factors[:k] + factors[k + 1:]
        elif f.is_Pow and f.base == w and f.exp.is_Integer and f.exp > 1:
            rest = factors[:k] + (f.exp, w ** (f.exp - 1)) + factors[k + 1:]
        else:
            continue
        if not any(r.has(w) for r in rest):
            return sp.Mul(*rest)
        break
    return sp.diff(term, w)


def kkt_violations(game, weights) -> tuple:
    """Exact check of the KKT conditions at a numeric profile (no derivation involved).

    For each agent: the row lies on the simplex, the own-gradient is the
    same (``lambda_i``) on every group with positive weight, and no larger
    off the support.  Returns the violated conditions as strings (empty
    when the profile is a KKT point, hence an equilibrium under concavity).

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("polymatrix"), 2, ["h", "t"],
    ...                 A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    >>> kkt_violations(g, [[sp.Rational(1, 2)] * 2] * 2)
    ()
    >>> kkt_violations(g, [[1, 0], [1, 0]])
    ('agent 2: gradient on t (1) exceeds the support value -1',)
    """
    W = sp.ImmutableMatrix(weights)
    sym = game.weights
    if W.shape != sym.shape:
        raise ShapeError("weights", W.shape, f"expected shape {sym.shape}")
    inexact = [x for x in W if not x.is_Rational]
    if inexact:
        raise InputError("weights", inexact[0], "the exact KKT check needs exact rationals (use sympy.Rational)")
    values = dict(zip(list(sym), list(W)))
    out = []
    for i in range(W.rows):
        row = list(W.row(i))
        if any(x < 0 for x in row) or sum(row) != 1:
            out.append(f"agent {i + 1}: weights {row} not on the simplex")
            continue
        u = game.utility(i)
        g = [sp.diff(u, w).xreplace(values) for w in sym.row(i)]
        on = [g[d] for d in range(W.cols) if row[d] > 0]
        lam = on[0]
        for d in range(W.cols):
            if row[d] > 0 and g[d] != lam:
                out.append(f"agent {i + 1}: gradient on {game.groups[d]} ({g[d]}) differs from {lam} on the support")
            elif row[d] == 0 and g[d] > lam:
                out.append(f"agent {i + 1}: gradient on {game.groups[d]} ({g[d]}) exceeds the support value {lam}")
    return tuple(out)

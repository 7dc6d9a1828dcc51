"""Numeric games with quadratic utilities, held as exact rational coefficients (no SymPy expressions).

A family whose utilities are quadratic polynomials in the weights (active
alignment ``overlap`` and ``distance``, polymatrix) can describe a numeric
game directly by its coefficients, through
:meth:`~symalign.core.families.base.UtilityFamily.quadratic_utilities`.
Everything the numeric solve needs then follows from exact rationals
with the known sparse structure, without building, expanding or
differentiating a SymPy expression (which costs seconds at 32 agents x 32
groups):

* the own-gradients ``g(W) = c + M vec(W)`` (:attr:`QuadraticUtilities.affine_gradient`),
  exactly, as sparse rows of :class:`fractions.Fraction`;
* each agent's own Hessian (:meth:`QuadraticUtilities.own_hessian`);
* floating-point ``utility(W)`` and ``grad(W)`` for the numeric solver and
  the deviation check (:meth:`QuadraticUtilities.utility`, :meth:`QuadraticUtilities.grad`).

A utility is ``const + sum lin * w + sum prod * w * w' + sum coef * (c0 + sum v * w)^2``,
the last kind (squares of affine forms) keeping terms such as
``||w_i - m_i||^2`` compact.  :meth:`QuadraticUtilities.to_sympy` writes a
utility back as a SymPy polynomial; the tests require it to equal the
family's symbolic utility, expanded, for every family providing the hook.

Examples
--------
>>> from symalign import Game, get_family
>>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
...                 alpha=1, beta=2, gamma=1, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> q = quadratic_utilities(g)
>>> sp.expand(q.to_sympy(0, g.weights) - g.utility(0))
0
>>> c, rows = q.affine_gradient
>>> [str(x) for x in c], sorted((k, str(v)) for k, v in rows[0].items())
(['2', '1', '1', '2'], [(0, '-2'), (2, '-1')])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy as sp

from symalign.core.gamecache import GameCache

__all__ = ["QuadraticUtilities", "QuadraticBuilder", "quadratic_utilities", "to_fraction", "CACHE"]


def to_fraction(x) -> Fraction:
    """An exact SymPy (or Python) rational as a :class:`fractions.Fraction`; ValueError otherwise."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, sp.Rational):
        return Fraction(int(x.p), int(x.q))
    raise ValueError(f"not an exact rational: {x!r}")


class QuadraticBuilder:
    """Collects the terms of N quadratic utilities over an N x D weight matrix (indices 0-based)."""

    def __init__(self, n_agents: int, n_groups: int):
        self.n_agents, self.n_groups = n_agents, n_groups
        self._const = [Fraction(0)] * n_agents
        self._lin, self._prod, self._sq = {}, {}, []

    def _k(self, j, e):
        return j * self.n_groups + e

    def constant(self, i, coef):
        self._const[i] += to_fraction(coef)

    def linear(self, i, coef, j, e):
        """``coef * w_{j,e}`` in agent i's utility."""
        coef = to_fraction(coef)
        if coef:
            key = (i, self._k(j, e))
            self._lin[key] = self._lin.get(key, 0) + coef

    def product(self, i, coef, j, e, k, f):
        """``coef * w_{j,e} * w_{k,f}`` in agent i's utility."""
        coef = to_fraction(coef)
        if coef:
            a, b = j * self.n_groups + e, k * self.n_groups + f
            key = (i, a, b) if a <= b else (i, b, a)
            self._prod[key] = self._prod.get(key, 0) + coef

    def square(self, i, coef, const, form):
        """``coef * (const + sum_{(j,e)} v * w_{j,e})^2`` in agent i's utility; ``form`` maps (j, e) to v."""
        coef = to_fraction(coef)
        if coef:
            terms = tuple((self._k(j, e), to_fraction(v)) for (j, e), v in form.items() if v)
            self._sq.append((i, coef, to_fraction(const), terms))

    def build(self) -> "QuadraticUtilities":
        return QuadraticUtilities(
            self.n_agents, self.n_groups, tuple(self._const),
            tuple((i, k, c) for (i, k), c in self._lin.items() if c),
            tuple((i, a, b, c) for (i, a, b), c in self._prod.items() if c), tuple(self._sq))


@dataclass(frozen=True, eq=False)
class QuadraticUtilities:
    """Exact quadratic utilities of a numeric game (see the module docstring).

    Attributes
    ----------
    n_agents, n_groups : int
    constants : tuple of Fraction
        Constant term of each agent's utility.
    linear : tuple
        Triples ``(agent, k, coef)``: ``coef * x_k`` with ``x = vec(W)`` (row-major, ``k = j * D + e``).
    products : tuple
        Quadruples ``(agent, k, l, coef)``: ``coef * x_k * x_l`` (``k <= l``).
    squares : tuple
        Entries ``(agent, coef, c0, ((k, v), ...))``: ``coef * (c0 + sum v * x_k)^2``.
    """

    n_agents: int
    n_groups: int
    constants: tuple
    linear: tuple
    products: tuple
    squares: tuple

    # -------------------------------------------------------------------------------- exact
    @cached_property
    def affine_gradient(self):
        """``(c, rows)``: own-gradients ``g = c + M x`` exactly; ``rows[r]`` maps column -> ``M[r, col]``.

        Row ``r = i * D + d`` is ``d U_i / d w_{i,d}`` (only agent i's own weights are differentiated).
        """
        D = self.n_groups
        n = self.n_agents * D
        c = [Fraction(0)] * n
        rows = [{} for _ in range(n)]

        def own(i, k):
            return k // D == i

        def add(r, col, v):
            rows[r][col] = rows[r].get(col, 0) + v

        for i, k, coef in self.linear:
            if own(i, k):
                c[k] += coef
        for i, k, l, coef in self.products:
            if own(i, k):
                add(k, l, coef)
            if own(i, l):
                add(l, k, coef)
        for i, coef, c0, terms in self.squares:
            for k, v in terms:
                if own(i, k):
                    c[k] += 2 * coef * v * c0
                    for col, u in terms:
                        add(k, col, 2 * coef * v * u)
        return tuple(c), tuple({col: v for col, v in row.items() if v} for row in rows)

    @cached_property
    def integer_jacobian(self):
        """``(den, rows)``: the sparse ``M`` of :attr:`affine_gradient` as integer rows, ``M = rows / den``."""
        _, rows = self.affine_gradient
        den = 1
        for row in rows:
            for v in row.values():
                den = math.lcm(den, v.denominator)
        return den, tuple({k: v.numerator * (den // v.denominator) for k, v in row.items()} for row in rows)

    def own_hessian(self, i: int) -> list:
        """Agent ``i``'s (full, D x D) Hessian in its own weights, exact (nested lists of Fraction)."""
        D = self.n_groups
        _, rows = self.affine_gradient
        return [[rows[i * D + d].get(i * D + e, Fraction(0)) for e in range(D)] for d in range(D)]

    def to_sympy(self, i: int, weights) -> sp.Expr:
        """Agent ``i``'s utility as a SymPy polynomial in ``weights`` (an N x D matrix of symbols)."""
        x = list(weights)
        R = lambda f: sp.Rational(f.numerator, f.denominator)  # noqa: E731
        out = [R(self.constants[i])]
        out += [R(c) * x[k] for j, k, c in self.linear if j == i]
        out += [R(c) * x[k] * x[l] for j, k, l, c in self.products if j == i]
        out += [R(c) * (R(c0) + sp.Add(*[R(v) * x[k] for k, v in t])) ** 2 for j, c, c0, t in self.squares if j == i]
        return sp.expand(sp.Add(*out))

    # -------------------------------------------------------------------------------- floats
    @cached_property
    def _arrays(self):
        f = np.array
        lin = f([(i, k, float(c)) for i, k, c in self.linear], dtype=float).reshape(-1, 3)
        prod = f([(i, k, l, float(c)) for i, k, l, c in self.products], dtype=float).reshape(-1, 4)
        sq_agent = f([i for i, *_ in self.squares], dtype=int)
        sq_coef = f([float(c) for _, c, _, _ in self.squares], dtype=float)
        sq_c0 = f([float(c0) for _, _, c0, _ in self.squares], dtype=float)
        form = f([(s, k, float(v)) for s, (_, _, _, t) in enumerate(self.squares) for k, v in t], dtype=float)
        c, rows = self.affine_gradient
        M = f([(r, col, float(v)) for r, row in enumerate(rows) for col, v in row.items()], dtype=float).reshape(-1, 3)
        return dict(
            const=f([float(x) for x in self.constants]),
            lin_i=lin[:, 0].astype(int), lin_k=lin[:, 1].astype(int), lin_c=lin[:, 2],
            prod_i=prod[:, 0].astype(int), prod_k=prod[:, 1].astype(int), prod_l=prod[:, 2].astype(int),
            prod_c=prod[:, 3], sq_i=sq_agent, sq_c=sq_coef, sq_c0=sq_c0,
            form_s=form.reshape(-1, 3)[:, 0].astype(int), form_k=form.reshape(-1, 3)[:, 1].astype(int),
            form_v=form.reshape(-1, 3)[:, 2], grad_c=f([float(x) for x in c]),
            M_r=M[:, 0].astype(int), M_c=M[:, 1].astype(int), M_v=M[:, 2])

    def utility(self, W) -> np.ndarray:
        """``(N,)`` utilities at the profile ``W`` (N x D), in floating point."""
        a, N = self._arrays, self.n_agents
        W = np.asarray(W, dtype=float)
        if W.ndim > 2:
            return np.stack([self.utility(V) for V in W.reshape(-1, *W.shape[-2:])]).reshape(*W.shape[:-2], N)
        x = W.reshape(-1)
        u = a["const"] + np.bincount(a["lin_i"], a["lin_c"] * x[a["lin_k"]], minlength=N)
        u = u + np.bincount(a["prod_i"], a["prod_c"] * x[a["prod_k"]] * x[a["prod_l"]], minlength=N)
        if a["sq_i"].size:
            forms = a["sq_c0"] + np.bincount(a["form_s"], a["form_v"] * x[a["form_k"]], minlength=a["sq_i"].size)
            u = u + np.bincount(a["sq_i"], a["sq_c"] * forms * forms, minlength=N)
        return u

    def grad(self, W) -> np.ndarray:
        """``(N, D)`` own-gradients at ``W``, in floating point (from :attr:`affine_gradient`)."""
        a = self._arrays
        W = np.asarray(W, dtype=float)
        if W.ndim > 2:
            return np.stack([self.grad(V) for V in W.reshape(-1, *W.shape[-2:])]).reshape(W.shape)
        x = W.reshape(-1)
        g = a["grad_c"] + np.bincount(a["M_r"], a["M_v"] * x[a["M_c"]], minlength=x.size)
        return g.reshape(self.n_agents, self.n_groups)


def quadratic_utilities(game):
    """The game's utilities as exact quadratic polynomials, or None (symbolic game or no family hook).

    Cached by the game's content (:class:`~symalign.core.gamecache.GameCache`,
    an LRU of :data:`CACHE`): the same game loaded again reuses the coefficients
    and their float arrays.
    """
    return CACHE.get(game, _build)


def _build(game):
    hook = getattr(game.family, "quadratic_utilities", None)
    if hook is None or not game.is_numeric:
        return None
    try:
        return hook(game)
    except ValueError:  # a parameter that is not an exact rational
        return None


CACHE = GameCache(maxsize=16)
"""Content-keyed LRU of :func:`quadratic_utilities` (``CACHE.info()``, ``CACHE.clear()``)."""

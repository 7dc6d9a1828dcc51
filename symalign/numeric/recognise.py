"""Exact equilibria recognised from a numeric solution: rational candidates checked by exact KKT.

For games whose gradients are not affine (contests, entropic or power
utilities) there is no linear system to solve on a support.  A numeric
equilibrium often has rational coordinates all the same (Tullock Blotto's
``v_d / sum v``): :func:`recognise` rounds each coordinate to the simplest
nearby rational (continued fractions, bounded denominator), and accepts the
candidate only when the KKT conditions hold **exactly** at it:

* on each agent's support the own-gradient entries are equal: their
  differences are algebraic numbers (radicals of rationals) proved zero by
  their minimal polynomial being ``x`` (:func:`sympy.minimal_polynomial`),
  never by a float;
* off the support, ``lambda_i - g_{i,d} >= 0``: proved zero as above, or its
  sign read at 50 digits once it is proved nonzero.

Under proved own-concavity these exact KKT conditions make the candidate an
equilibrium (KKT is sufficient for a concave objective on the simplex).
No candidate is returned when a check fails: the numeric solution stands.

Examples
--------
>>> from symalign.io.gamefile import game_from_mapping
>>> g = game_from_mapping({"family": "custom", "agents": 2, "groups": ["a", "b", "c"],
...     "utility": "sum(v[d]*w[d]**(1/2)/sum_agents(W[j][d]**(1/2), j), d)",
...     "kinds": {"v": "vector"}, "parameters": {"v": [1, 2, 3]}})
>>> import numpy as np
>>> eq = recognise(g, np.array([[0.1666666667, 0.3333333333, 0.5]] * 2))
>>> eq.weights.row(0), eq.method
(Matrix([[1/6, 1/3, 1/2]]), 'recognised rational + exact KKT')
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from symalign.core.equilibrium import Equilibrium
from symalign.core.kkt import kkt_system

__all__ = ["recognise", "rational_candidate", "exactly_zero"]


def rational_candidate(W, *, max_denominator: int = 1000, tol: float = 1e-7):
    """The simplest rational profile within ``tol`` of ``W`` with rows summing to 1 exactly, or None.

    Examples
    --------
    >>> rational_candidate(np.array([[0.3333333334, 0.6666666666]]))
    ((1/3, 2/3),)
    >>> rational_candidate(np.array([[0.31, 0.69]]), max_denominator=10) is None
    True
    """
    rows = []
    for row in np.asarray(W, dtype=float):
        fr = [Fraction(float(x)).limit_denominator(max_denominator) for x in row]
        if any(abs(float(f) - x) > tol for f, x in zip(fr, row)) or sum(fr) != 1 or min(fr) < 0:
            return None
        rows.append(tuple(sp.Rational(f.numerator, f.denominator) for f in fr))
    return tuple(rows)


def exactly_zero(x) -> bool | None:
    """True when the algebraic number ``x`` is zero, False when not, None when undecided (not algebraic).

    Examples
    --------
    >>> exactly_zero(sp.sqrt(8) - 2 * sp.sqrt(2))
    True
    >>> exactly_zero(sp.sqrt(2) - sp.Rational(7, 5))
    False
    """
    x = sp.sympify(x, strict=True)
    if x.is_Rational:
        return x == 0
    if x.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or x.free_symbols:
        return None
    t = sp.Dummy("t")
    try:
        mp = sp.minimal_polynomial(x, t)
    except (NotImplementedError, ValueError, sp.PolynomialError):
        return None
    return mp == t


def recognise(game, W, *, max_denominator: int = 1000, tol: float = 1e-7) -> Equilibrium | None:
    """An exact equilibrium candidate near the numeric profile ``W`` whose KKT conditions hold exactly, or None.

    Parameters
    ----------
    game : Game
        A numeric game.
    W : array_like, shape (N, D)
        A numeric KKT point.
    max_denominator, tol : int, float
        Candidates are rationals with denominators up to ``max_denominator``
        within ``tol`` of ``W``.

    Returns
    -------
    Equilibrium or None
        Exact weights, ``conditions`` all true (each was proved), the
        multipliers; ``concavity`` is left for the caller to set.
    """
    R = rational_candidate(W, max_denominator=max_denominator, tol=tol)
    if R is None:
        return None
    N, D = game.n_agents, game.n_groups
    Wsym = game.weights
    values = {Wsym[i, d]: R[i][d] for i in range(N) for d in range(D)}
    grads = kkt_system(game).gradients
    support = tuple(tuple(d for d in range(D) if R[i][d] > 0) for i in range(N))
    lambdas, slack = [], sp.zeros(N, D)
    for i, s in enumerate(support):
        g = []
        for d in range(D):
            try:
                val = sp.sympify(grads[i, d].xreplace(values), strict=True)
            except (ZeroDivisionError, TypeError):
                return None
            if val.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or not val.is_number:
                return None
            g.append(val)
        lam = g[s[0]]
        if not all(exactly_zero(g[d] - lam) is True for d in s[1:]):
            return None
        for d in range(D):
            if d in s:
                continue
            gap = lam - g[d]
            z = exactly_zero(gap)
            if z is None or (z is False and not sp.N(gap, 50) > 0):
                return None
            slack[i, d] = sp.Integer(0) if z else gap
        lambdas.append(lam)
    weights = sp.ImmutableMatrix(N, D, lambda i, d: R[i][d])
    return Equilibrium(game, weights, support, tuple(lambdas), (sp.true,) * (N * D), game.hypotheses(), True,
                       "recognised rational + exact KKT", None,
                       ("exact point recognised from the numeric solution; its KKT conditions were checked exactly "
                        "(algebraic zeros by minimal polynomials)",), sp.ImmutableMatrix(slack))

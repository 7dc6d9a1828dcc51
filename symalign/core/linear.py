"""Exact solution of linear systems with symbolic coefficients.

The KKT system of a game whose gradients are affine in the weights is
linear on a fixed support.  :func:`solve_linear` solves it by Gauss-Jordan
elimination over SymPy's exact domains (rationals for numeric games, a
field of fractions for symbolic ones).  Large right-hand-side entries are
first abbreviated by fresh symbols, since the solution is linear in them;
this keeps the coefficient field small and the result compact.
"""

from __future__ import annotations

import sympy as sp
from sympy.polys.matrices import DomainMatrix

from symalign.errors import DerivationError

__all__ = ["solve_linear", "solve_matrix", "solve_columns", "random_rational_points", "SingularSystem", "InconsistentSystem"]


class SingularSystem(DerivationError):
    """The system has infinitely many solutions (a degenerate support)."""


class InconsistentSystem(DerivationError):
    """The system has no solution."""


def solve_linear(equations, unknowns, *, abbreviate_matrix: bool = False) -> dict:
    """Solve ``equations == 0`` (affine in ``unknowns``) exactly.

    Returns a dict unknown -> expression.  Raises :class:`SingularSystem`
    or :class:`InconsistentSystem` when there is no unique solution.

    With ``abbreviate_matrix`` the distinct symbolic entries of the
    coefficient matrix are also replaced by fresh symbols before
    elimination (much faster when entries are long sums that take few
    distinct values).  Treating them as independent can only be wrong where
    a pivot vanishes identically once they are substituted back, so the
    result is then verified by exact evaluation at random rational points
    (Schwartz-Zippel identity testing); on failure the system is solved
    again without abbreviating the matrix.

    Examples
    --------
    >>> x, y, a = sp.symbols("x y a")
    >>> solve_linear([x + y - a, x - y - 1], [x, y])
    {x: a/2 + 1/2, y: a/2 - 1/2}
    """
    unknowns = list(unknowns)
    A, b = sp.linear_eq_to_matrix(list(equations), unknowns)
    return solve_matrix(A, b, unknowns, abbreviate_matrix=abbreviate_matrix)


class _Abbreviations:
    """Replace large entries by fresh symbols (and back).

    Entries in at most ``keep`` symbols stay in the coefficient domain,
    where elimination keeps them in canonical (cancelled) form; larger ones
    become fresh symbols, which keeps the domain small.
    """

    def __init__(self, keep: int = 3):
        self.keep = keep
        self.abbrev, self.inverse = {}, {}

    def __call__(self, entry):
        if entry.is_number or entry.is_Symbol or len(entry.free_symbols) <= self.keep:
            return entry
        if entry not in self.abbrev:
            sym = sp.Dummy(f"r{len(self.abbrev)}")
            self.abbrev[entry] = sym
            self.inverse[sym] = entry
        return self.abbrev[entry]

    def back(self, value):
        return value.xreplace(self.inverse) if self.inverse else value


def solve_columns(A, B) -> sp.Matrix:
    """Solve ``A X = B`` for a square nonsingular ``A`` and several right-hand sides.

    Large entries of ``B`` are abbreviated (the solution is linear in
    them).  Raises :class:`SingularSystem` when ``A`` is singular.
    """
    return _eliminate(sp.Matrix(A), sp.Matrix(B))


def solve_matrix(A, b, unknowns, *, abbreviate_matrix: bool = False) -> dict:
    """Solve ``A x = b`` for the symbols ``unknowns`` (see :func:`solve_linear`)."""
    A, b = sp.Matrix(A), sp.Matrix(b)
    if abbreviate_matrix:
        x = _eliminate(A, b, abbreviate_matrix=True)
        if _verified(A, b, x):
            return dict(zip(unknowns, x))
    return dict(zip(unknowns, _eliminate(A, b)))


def _eliminate(A, B, *, abbreviate_matrix: bool = False) -> sp.Matrix:
    """Gauss-Jordan elimination of ``[A | B]`` over an exact domain; the solution columns."""
    short = _Abbreviations()
    B_short = B.applyfunc(short)
    if abbreviate_matrix:
        A = A.applyfunc(short)
    n = A.cols
    rref, pivots = DomainMatrix.from_Matrix(A.row_join(B_short)).to_field().rref()
    if any(p >= n for p in pivots):
        raise InconsistentSystem("the linear system has no solution")
    if len(pivots) < n:
        raise SingularSystem(f"the linear system is singular (rank {len(pivots)} < {n} unknowns)")
    return short.back(rref.to_Matrix()[:n, n:])


def random_rational_points(symbols, points: int = 2):
    """``points`` reproducible random rational assignments of ``symbols`` (for exact identity tests).

    Values are positive, sometimes negative for symbols not known to be
    nonnegative.

    Examples
    --------
    >>> x = sp.Symbol("x", positive=True)
    >>> [v[x] > 0 for v in random_rational_points([x], 3)]
    [True, True, True]
    """
    import random

    rng = random.Random(20260206)
    free = sorted(symbols, key=str)
    for _ in range(points):
        values = {}
        for s in free:
            v = sp.Rational(rng.randint(1, 997), rng.randint(1, 89))
            values[s] = -v if (s.is_real and not s.is_nonnegative and rng.random() < 0.3) else v
        yield values


def _verified(A, b, x, points: int = 2) -> bool:
    """Exact check of ``A x = b`` at random rational parameter points."""
    for values in random_rational_points(A.free_symbols | b.free_symbols, points):
        try:
            xv = x.xreplace(values)
        except ZeroDivisionError:
            return False
        if xv.has(sp.zoo, sp.nan, sp.oo):
            return False
        if A.xreplace(values) * xv - b.xreplace(values) != sp.zeros(A.rows, 1):
            return False
    return True

"""Exact solution of linear systems with symbolic coefficients.

The KKT system of a game whose gradients are affine in the weights is
linear on a fixed support.  :func:`solve_linear` solves it by Gauss-Jordan
elimination over SymPy's exact domains (rationals for numeric games, a
field of fractions for symbolic ones).  Right-hand sides are first
abbreviated by fresh symbols, since the solution is linear in them; this
keeps the coefficient field small and the result compact.
"""

from __future__ import annotations

import sympy as sp
from sympy.polys.matrices import DomainMatrix

from .errors import DerivationError

__all__ = ["solve_linear", "SingularSystem", "InconsistentSystem"]


class SingularSystem(DerivationError):
    """The system has infinitely many solutions (a degenerate support)."""


class InconsistentSystem(DerivationError):
    """The system has no solution."""


def solve_linear(equations, unknowns) -> dict:
    """Solve ``equations == 0`` (affine in ``unknowns``) exactly.

    Returns a dict unknown -> expression.  Raises :class:`SingularSystem`
    or :class:`InconsistentSystem` when there is no unique solution.

    Examples
    --------
    >>> x, y, a = sp.symbols("x y a")
    >>> solve_linear([x + y - a, x - y - 1], [x, y])
    {x: a/2 + 1/2, y: a/2 - 1/2}
    """
    unknowns = list(unknowns)
    A, b = sp.linear_eq_to_matrix(list(equations), unknowns)
    abbrev = {}
    inverse = {}

    def short(entry):
        if entry.is_number or entry.is_Symbol:
            return entry
        if entry not in abbrev:
            sym = sp.Dummy(f"r{len(abbrev)}")
            abbrev[entry] = sym
            inverse[sym] = entry
        return abbrev[entry]

    b_short = b.applyfunc(short)
    n = len(unknowns)
    M = DomainMatrix.from_Matrix(A.row_join(b_short)).to_field()
    rref, pivots = M.rref()
    pivots = tuple(pivots)
    if n in pivots:
        raise InconsistentSystem("the linear system has no solution")
    if len(pivots) < n:
        raise SingularSystem(f"the linear system is singular (rank {len(pivots)} < {n} unknowns)")
    rows = rref.to_Matrix()
    out = {}
    for k, u in enumerate(unknowns):
        value = rows[k, n]
        out[u] = value.xreplace(inverse) if inverse else value
    return out

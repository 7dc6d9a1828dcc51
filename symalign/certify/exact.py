"""Exact rational arithmetic for the checker: conversion to Fraction, linear solves, definiteness.

Nothing here uses floating point: a verdict on rational data is decided exactly.

Examples
--------
>>> positive_semidefinite([[2, -1], [-1, 2]]), positive_semidefinite([[0, 1], [1, 0]])
(True, False)
>>> positive_definite([[1, 0], [0, 0]]), positive_semidefinite([[1, 0], [0, 0]])
(False, True)
>>> solve_linear([[2, 1], [1, 3]], [3, 5])
[Fraction(4, 5), Fraction(7, 5)]
>>> solve_linear([[1, 1], [1, 1]], [1, 2]) is None
True
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Rational

__all__ = ["fraction", "positive_definite", "positive_semidefinite", "solve_linear"]


def fraction(x) -> Fraction | None:
    """``x`` as a Fraction when it is an exact rational (int, Fraction, SymPy Rational), else None.

    Floats are refused: a float is not exact data for the checker.

    >>> fraction(3), fraction(0.5), fraction("1/2")
    (Fraction(3, 1), None, None)
    """
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    p, q = getattr(x, "p", None), getattr(x, "q", None)
    if getattr(x, "is_Rational", False) and isinstance(p, int) and isinstance(q, int):
        return Fraction(p, q)
    if isinstance(x, Rational) and not isinstance(x, float):
        return Fraction(int(x.numerator), int(x.denominator))
    return None


def _ldl_pivots(M) -> list | None:
    """Diagonal pivots of an exact symmetric LDL^T with diagonal pivoting; None if a zero pivot hides
    a nonzero row (the matrix is then indefinite)."""
    A = [[Fraction(x) for x in row] for row in M]
    n = len(A)
    if any(len(row) != n for row in A) or any(A[i][j] != A[j][i] for i in range(n) for j in range(i)):
        raise ValueError("matrix must be square and symmetric")
    live, pivots = list(range(n)), []
    while live:
        k = max(live, key=lambda i: A[i][i])
        if A[k][k] == 0:
            if any(A[i][j] != 0 for i in live for j in live):
                return None  # zero diagonal, nonzero entry: a 2x2 principal minor is negative
            pivots += [Fraction(0)] * len(live)
            return pivots
        if A[k][k] < 0:
            pivots.append(A[k][k])
            return pivots
        live.remove(k)
        pivots.append(A[k][k])
        for i in live:
            f = A[i][k] / A[k][k]
            if f:
                for j in live:
                    A[i][j] -= f * A[k][j]
    return pivots


def positive_semidefinite(M) -> bool:
    """Exact test that symmetric ``M`` (nested lists of rationals) is positive semidefinite."""
    pivots = _ldl_pivots(M)
    return pivots is not None and all(p >= 0 for p in pivots)


def positive_definite(M) -> bool:
    """Exact test that symmetric ``M`` is positive definite (every LDL^T pivot > 0)."""
    pivots = _ldl_pivots(M)
    return pivots is not None and len(pivots) == len(M) and all(p > 0 for p in pivots)


def solve_linear(A, b) -> list | None:
    """The unique solution of ``A x = b`` in Fractions, None when ``A`` is singular."""
    n = len(A)
    M = [[Fraction(x) for x in row] + [Fraction(y)] for row, y in zip(A, b)]
    for c in range(n):
        r = next((r for r in range(c, n) if M[r][c] != 0), None)
        if r is None:
            return None
        M[c], M[r] = M[r], M[c]
        for r in range(n):
            if r != c and M[r][c] != 0:
                f = M[r][c] / M[c][c]
                M[r] = [x - f * y for x, y in zip(M[r], M[c])]
    return [M[i][n] / M[i][i] for i in range(n)]

"""A profile as exact data: rows of Fractions on the simplex, or the reason it is not one.

Examples
--------
>>> import sympy as sp
>>> exact_profile(sp.Matrix([[sp.Rational(1, 2), sp.Rational(1, 2)]]))
([[Fraction(1, 2), Fraction(1, 2)]], '')
>>> exact_profile([[1, 1]])[1]
'row 1 sums to 2, not 1'
>>> exact_profile([[0.5, 0.5]])[1]
'weight (1, 1) = 0.5 is not an exact rational'
"""

from __future__ import annotations

from symalign.certify.exact import fraction

__all__ = ["exact_profile"]


def _rows(weights) -> list:
    if hasattr(weights, "tolist"):
        weights = weights.tolist()
    return [list(row) for row in weights]


def exact_profile(weights) -> tuple:
    """``(rows, problem)``: Fraction rows and ``""`` when on the product of simplices, else the problem.

    ``rows`` is None when a weight is not an exact rational (a *candidate*, not
    a wrong witness); indices in messages are 1-based.
    """
    rows = _rows(weights)
    out = []
    for i, row in enumerate(rows):
        fr = [fraction(x) for x in row]
        bad = next((d for d, x in enumerate(fr) if x is None), None)
        if bad is not None:
            return None, f"weight ({i + 1}, {bad + 1}) = {row[bad]} is not an exact rational"
        out.append(fr)
    for i, row in enumerate(out):
        neg = next((d for d, x in enumerate(row) if x < 0), None)
        if neg is not None:
            return out, f"weight ({i + 1}, {neg + 1}) = {row[neg]} is negative"
        if sum(row) != 1:
            return out, f"row {i + 1} sums to {sum(row)}, not 1"
    return out, ""

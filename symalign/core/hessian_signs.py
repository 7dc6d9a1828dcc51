"""Sign proofs of a diagonal own Hessian on the simplex with Z3's nonlinear real arithmetic (three-valued).

When an agent's utility is separable in its own weights, the own Hessian is
diagonal and own-concavity on the simplex is the sign condition
``h_d(W) <= 0`` for every diagonal entry, over the product of simplices
(the others' weights included) where the entry is defined.  Each entry is a
rational function ``p/q`` of the weights (no logs after differentiation of
``x log x`` twice: ``-1/x``); the query "``p q > 0`` with ``q != 0`` on the
product of simplices" is handed to Z3:

* ``unsat``: proved (the query, as SMT-LIB text, is the certificate and can
  be re-run);
* ``sat``: the model is re-checked by exact substitution in SymPy (Z3's
  nonlinear arithmetic has had soundness bugs) and returned as a witness;
* ``unknown`` or timeout: reported as unknown.

Examples
--------
>>> x, y = sp.symbols("x y", nonnegative=True)
>>> r = diagonal_sign_proof([sp.Rational(1, 25) - sp.Rational(1, 10) / x, -2 + 0 * y], [[x, y]])
>>> r.status
'proved'
>>> diagonal_sign_proof([sp.Rational(1, 2) - sp.Rational(1, 10) / x], [[x, y]]).status
'refuted'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

__all__ = ["SignProof", "diagonal_sign_proof"]


@dataclass(frozen=True)
class SignProof:
    """Outcome of :func:`diagonal_sign_proof`.

    Attributes
    ----------
    status : str
        ``"proved"`` (every entry ``<= 0`` on the product of simplices),
        ``"refuted"`` (witness checked exactly) or ``"unknown"``.
    queries : tuple of str
        The SMT-LIB text of each query (one an entry), found unsat when proved.
    witness : dict or None
        Exact rational point where an entry is positive (refuted).
    reason : str
    """

    status: str
    queries: tuple = ()
    witness: dict | None = None
    reason: str = ""


def _to_z3(poly_expr, zvars):
    import z3

    p = sp.Poly(poly_expr, *zvars.keys())
    total = z3.RealVal(0)
    for monom, coeff in p.terms():
        if not coeff.is_Rational:
            raise TypeError(coeff)
        term = z3.RealVal(str(coeff))
        for sym, k in zip(zvars.keys(), monom):
            for _ in range(k):
                term = term * zvars[sym]
        total = total + term
    return total


def diagonal_sign_proof(entries, simplices, *, timeout_ms: int = 2000) -> SignProof:
    """Prove ``entry <= 0`` on the product of ``simplices`` for every entry (rational functions), three-valued.

    Parameters
    ----------
    entries : sequence of sympy.Expr
        Diagonal Hessian entries, rational functions of the weights with rational coefficients.
    simplices : sequence of sequences of Symbol
        Each a simplex's coordinates (nonnegative, summing to 1).
    timeout_ms : int
        Z3 timeout per query.
    """
    import z3

    symbols = [s for row in simplices for s in row]
    zvars = {s: z3.Real(f"x{k}") for k, s in enumerate(symbols)}
    domain = [v >= 0 for v in zvars.values()] + [
        sum((zvars[s] for s in row), z3.RealVal(0)) == 1 for row in simplices]
    queries = []
    for entry in entries:
        num, den = sp.fraction(sp.together(sp.sympify(entry, strict=True)))
        if (num.free_symbols | den.free_symbols) - set(symbols):
            return SignProof("unknown", tuple(queries), None, f"entry {entry} has other symbols")
        try:
            zn, zd = _to_z3(sp.expand(num), zvars), _to_z3(sp.expand(den), zvars)
        except (sp.PolynomialError, TypeError):
            return SignProof("unknown", tuple(queries), None, f"entry {entry} is not a rational function")
        solver = z3.Solver()
        solver.set("timeout", int(timeout_ms))
        solver.add(*domain, zd != 0, zn * zd > 0)
        queries.append(solver.sexpr())
        res = solver.check()
        if res == z3.unsat:
            continue
        if res == z3.sat:
            model = solver.model()
            point = {}
            for s, v in zvars.items():
                val = model.eval(v, model_completion=True)
                if not z3.is_rational_value(val):
                    return SignProof("unknown", tuple(queries), None, "Z3 model is not rational")
                f = Fraction(val.as_fraction())
                point[s] = sp.Rational(f.numerator, f.denominator)
            value = sp.sympify(entry, strict=True).xreplace(point)
            if value.is_Rational and value > 0 and all(x >= 0 for x in point.values()) and all(
                    sum(point[s] for s in row) == 1 for row in simplices):
                return SignProof("refuted", tuple(queries), point, f"entry {entry} = {value} > 0 at the witness")
            return SignProof("unknown", tuple(queries), None, "Z3 model failed the exact re-check")
        return SignProof("unknown", tuple(queries), None, f"Z3: {solver.reason_unknown()}")
    return SignProof("proved", tuple(queries), None, "every query unsat")

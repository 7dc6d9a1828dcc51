"""Certified isolating boxes for KKT points: the Krawczyk operator in arb ball arithmetic (python-flint).

When no exact point is recognised (:mod:`symalign.numeric.recognise`), the
numeric KKT point of a smooth game is certified instead: on its support the
KKT equations ``g_{i,d}(W) = lambda_i`` (``d`` in the support) and
``sum_d w_{i,d} = 1`` form a square system ``F(x) = 0``.  For a box ``X``
around the numeric point ``y``, with ``C`` an approximate inverse of the
Jacobian at ``y``, the Krawczyk operator

    K(X) = y - C F(y) + (I - C J(X)) (X - y)

is evaluated in ball arithmetic (every rounding error enclosed).  If ``K(X)``
lies in the interior of ``X``, then ``F`` has exactly one zero in ``X``
(Krawczyk 1969; Moore, Kearfott & Cloud, *Introduction to Interval
Analysis*, 2009, Thm 8.2).  Weights are then checked positive on the box and
every off-support slack ``lambda_i - g_{i,d}`` positive on it, so the zero is
a KKT point with the same support; under proved own-concavity it is an
equilibrium, known to lie in the box with rational endpoints.

Examples
--------
>>> x = sp.Symbol("x", positive=True)
>>> box = krawczyk_box([x**2 - 2], [x], [1.41421356])
>>> box.status, box.contains([sp.sqrt(2)])
('unique', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

__all__ = ["Box", "krawczyk_box", "arb_eval", "certify_kkt_point", "boxed_equilibrium"]


@dataclass(frozen=True)
class Box:
    """A box with rational endpoints and what the Krawczyk test proved about it.

    ``status`` is ``"unique"`` (exactly one zero of the system in the box) or ``"unknown"``.
    """

    status: str
    variables: tuple
    lower: tuple
    upper: tuple
    reason: str = ""

    def contains(self, point) -> bool:
        """Exact membership of a point (SymPy numbers), decided at 50 digits away from the endpoints."""
        return all(sp.N(lo, 60) <= sp.N(p, 60) <= sp.N(hi, 60)
                   for lo, p, hi in zip(self.lower, point, self.upper))

    def width(self) -> float:
        return max((float(h - l) for l, h in zip(self.lower, self.upper)), default=0.0)


def arb_eval(expr, env):
    """Enclosure of ``expr`` (Add, Mul, Pow, log, exp, numbers, symbols) with arb balls for the symbols."""
    import flint

    e = expr
    if e.is_Symbol:
        return env[e]
    if e.is_Integer:
        return flint.arb(int(e))
    if e.is_Rational:
        return flint.arb(int(e.p)) / int(e.q)
    if e.is_Float:
        return flint.arb(str(e))
    if e is sp.E:
        return flint.arb(1).exp()
    if e.is_Add:
        out = flint.arb(0)
        for a in e.args:
            out = out + arb_eval(a, env)
        return out
    if e.is_Mul:
        out = flint.arb(1)
        for a in e.args:
            out = out * arb_eval(a, env)
        return out
    if e.is_Pow:
        base = arb_eval(e.base, env)
        if e.exp.is_Integer:
            k = int(e.exp)
            return base ** k if k >= 0 else 1 / base ** (-k)
        if e.exp.is_Rational and e.exp.q == 2:
            return base.sqrt() ** int(e.exp.p) if e.exp.p > 0 else 1 / base.sqrt() ** int(-e.exp.p)
        return base ** arb_eval(e.exp, env)
    if isinstance(e, sp.log):
        return arb_eval(e.args[0], env).log()
    if isinstance(e, sp.exp):
        return arb_eval(e.args[0], env).exp()
    raise NotImplementedError(f"no ball arithmetic for {e.func.__name__}")


def _ball(lo: Fraction, hi: Fraction):
    import flint

    return flint.arb(flint.fmpq(lo.numerator, lo.denominator)).union(flint.arb(flint.fmpq(hi.numerator,
                                                                                            hi.denominator)))


def krawczyk_box(equations, unknowns, x0, *, radii=(1e-12, 1e-10, 1e-8, 1e-6)) -> Box:
    """Try boxes of the given radii around ``x0``; the first that passes the Krawczyk test, or ``unknown``."""
    import flint

    F = [sp.sympify(f, strict=True) for f in equations]
    J = [[sp.diff(f, u) for u in unknowns] for f in F]
    x0 = [Fraction(float(v)) for v in x0]
    y = {u: flint.arb(flint.fmpq(v.numerator, v.denominator)) for u, v in zip(unknowns, x0)}
    n = len(unknowns)
    try:
        Fy = [arb_eval(f, y) for f in F]
        Jy = np.array([[float(arb_eval(j, y).mid()) for j in row] for row in J])
        C = np.linalg.inv(Jy)
    except (NotImplementedError, np.linalg.LinAlgError, ZeroDivisionError, ValueError) as exc:
        return Box("unknown", tuple(unknowns), (), (), f"no Krawczyk test: {exc}")
    Ca = [[flint.arb(float(C[a, b])) for b in range(n)] for a in range(n)]
    for r in radii:
        rad = Fraction(r)
        lo, hi = [v - rad for v in x0], [v + rad for v in x0]
        X = {u: _ball(a, b) for u, a, b in zip(unknowns, lo, hi)}
        try:
            JX = [[arb_eval(j, X) for j in row] for row in J]
        except (NotImplementedError, ZeroDivisionError, ValueError):
            continue
        ok = True
        for a in range(n):
            k = y[unknowns[a]] - sum((Ca[a][b] * Fy[b] for b in range(n)), flint.arb(0))
            for b in range(n):
                m = (1 if a == b else 0) - sum((Ca[a][c] * JX[c][b] for c in range(n)), flint.arb(0))
                k = k + m * (X[unknowns[b]] - y[unknowns[b]])
            if not k.is_finite() or not X[unknowns[a]].contains_interior(k):
                ok = False
                break
        if ok:
            return Box("unique", tuple(unknowns), tuple(sp.Rational(v.numerator, v.denominator) for v in lo),
                       tuple(sp.Rational(v.numerator, v.denominator) for v in hi),
                       f"Krawczyk: K(X) in the interior of X (radius {r:g})")
    return Box("unknown", tuple(unknowns), (), (), "the Krawczyk test failed at every radius tried")


def certify_kkt_point(game, W, support, gradients) -> Box | None:
    """A box holding exactly one KKT point of ``game`` with this ``support`` near ``W`` (checks in ball arithmetic).

    ``gradients`` is the N x D matrix of own-gradients (:func:`symalign.core.kkt.kkt_system`).  The
    unknowns are the support weights and one multiplier an agent.  Returns None when the test fails or a
    positivity (weights on the support, slacks off it) is not established on the box.
    """
    Wsym = game.weights
    N, D = game.n_agents, game.n_groups
    lams = [sp.Dummy(f"lambda{i}") for i in range(N)]
    zero = {Wsym[i, d]: sp.Integer(0) for i in range(N) for d in range(D) if d not in support[i]}
    eqs, unknowns, x0 = [], [], []
    G = np.asarray(gradients_float(game, W))
    for i, s in enumerate(support):
        for d in s:
            eqs.append(gradients[i, d].xreplace(zero) - lams[i])
            unknowns.append(Wsym[i, d])
            x0.append(W[i, d])
        eqs.append(sp.Add(*[Wsym[i, d] for d in s]) - 1)
    unknowns += lams
    x0 += [float(np.mean([G[i, d] for d in s])) for i, s in enumerate(support)]
    box = krawczyk_box(eqs, unknowns, x0)
    if box.status != "unique":
        return None
    X = {u: _ball(Fraction(int(lo.p), int(lo.q)), Fraction(int(hi.p), int(hi.q)))
         for u, lo, hi in zip(box.variables, box.lower, box.upper)}
    for i, s in enumerate(support):
        if not all(X[Wsym[i, d]] > 0 for d in s):
            return None
        for d in range(D):
            if d not in s and not (X[lams[i]] - arb_eval(gradients[i, d].xreplace(zero), X) > 0):
                return None
    return box


def gradients_float(game, W):
    from symalign.numeric.cache import numeric

    return numeric(game).grad(np.asarray(W, dtype=float))


def boxed_equilibrium(game, numeric, W):
    """``numeric`` (an Equilibrium at ``W``) with a Krawczyk certificate in its notes when one is found."""
    from dataclasses import replace

    from symalign.core.kkt import kkt_system

    support = tuple(tuple(int(d) for d in np.flatnonzero(row > 1e-9)) for row in np.asarray(W))
    try:
        box = certify_kkt_point(game, W, support, kkt_system(game).gradients)
    except ImportError:  # python-flint not installed (extra symalign[intervals])
        return replace(numeric, notes=numeric.notes + ("no certified box: python-flint is not installed",))
    except (NotImplementedError, ValueError, ZeroDivisionError):
        box = None
    if box is None:
        return numeric
    return replace(numeric, method=numeric.method + "+krawczyk", notes=numeric.notes + (
        f"certified isolating box: exactly one KKT point with this support lies within {box.width() / 2:.1e} of "
        "these weights (Krawczyk test in ball arithmetic; weights and off-support slacks positive on the box)",))

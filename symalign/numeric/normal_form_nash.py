"""Every Nash equilibrium of a finite n-player game (:class:`~symalign.io.normal_form.NormalForm`), exactly.

Support enumeration with exact polynomial systems: for each support profile
(a nonempty set of pure strategies per player) the indifference conditions
``u_i(s, x_-i) = u_i(s0, x_-i)`` for ``s`` in player i's support, with the
probabilities summing to 1, are polynomial (multilinear) in the unknown
probabilities.  A lexicographic Gröbner basis (SymPy) triangularises the
system; its solutions are exact algebraic numbers (radicals or ``CRootOf``).
A solution is an equilibrium when its probabilities are positive on the
support and no pure strategy off the support pays more; a solution set of
positive dimension is a *component* (a continuum of equilibria), reported
with its parametrisation.

Every isolated equilibrium is then re-checked by :func:`exact_regret`
(each player's best pure payoff minus its payoff, computed from the payoff
table directly, zero-tested by the minimal polynomial), which shares no
code with the enumeration.

The number of support profiles is ``prod(2^k - 1)``; small games only
(``max_supports``).

Examples
--------
>>> from symalign.io.normal_form import parse_normal_form
>>> nf = parse_normal_form('NFG 1 R "pennies" { "1" "2" } { 2 2 } 1 -1 -1 1 -1 1 1 -1')
>>> res = normal_form_equilibria(nf)
>>> res.points, res.components
((((1/2, 1/2), (1/2, 1/2)),), ())
>>> exact_regret(nf, res.points[0])
(0, 0)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import sympy as sp

from symalign.errors import InputError

__all__ = ["NormalFormEquilibria", "Continuum", "normal_form_equilibria", "exact_regret"]


@dataclass(frozen=True)
class Continuum:
    """A positive-dimensional set of equilibria on one support: ``profile`` in the free ``parameters``.

    ``constraints`` (``expr > 0`` on the support, ``expr >= 0`` for the
    regret of strategies off it) say where the set is; ``sample`` is one exact
    rational point of it whose :func:`exact_regret` is zero (None when none was found).
    """

    support: tuple
    profile: tuple
    parameters: tuple
    constraints: tuple
    sample: tuple | None


@dataclass(frozen=True)
class NormalFormEquilibria:
    """Isolated equilibria (``points``: per player a tuple of exact numbers) and ``components``."""

    points: tuple
    components: tuple
    supports_visited: int


def _payoff_fn(nf):
    tables = nf.payoff_tables()
    profiles = list(itertools.product(*(range(k) for k in nf.shape)))

    def u(i, s, x):
        """Player i's payoff from pure strategy s against the others' mixtures x."""
        total = sp.Integer(0)
        for prof in profiles:
            if prof[i] != s:
                continue
            v = tables[i][prof]
            if v == 0:
                continue
            w = sp.Rational(v.numerator, v.denominator)
            for j, sj in enumerate(prof):
                if j != i:
                    w *= x[j][sj]
            total += w
        return sp.expand(total)

    return u


def _sign(e) -> int:
    """Exact sign of an algebraic number (zero decided by its minimal polynomial)."""
    if e.is_Float:
        raise InputError("profile", e, "a float has no exact sign here")
    if e.is_Rational:
        return int(bool(e > 0)) - int(bool(e < 0))
    z = sp.Dummy("z")
    if sp.minimal_polynomial(e, z) == z:
        return 0
    v = sp.N(e, 60)
    if abs(v) < sp.Float("1e-45"):
        raise InputError("profile", e, "sign not decided at 60 digits")
    return 1 if v > 0 else -1


def exact_regret(nf, profile) -> tuple:
    """Per player, the best pure payoff minus the profile's payoff (exact; all zero at an equilibrium).

    ``profile`` is one sequence of exact probabilities (SymPy numbers,
    ints or Fractions) per player.
    """
    if len(profile) != len(nf.players) or any(len(p) != k for p, k in zip(profile, nf.shape)):
        raise InputError("profile", profile, f"expected probabilities for strategies {nf.shape}")
    if any(isinstance(v, float) or (isinstance(v, sp.Basic) and v.has(sp.Float)) for p in profile for v in p):
        raise InputError("profile", profile, "probabilities must be exact (ints, Fractions or SymPy numbers), "
                                             "not floats: a float is never taken for the rational near it")
    x = [[sp.sympify(v, strict=True) for v in p] for p in profile]
    for p in x:
        if any(_sign(v) < 0 for v in p) or _sign(sp.expand(sum(p) - 1)) != 0:
            raise InputError("profile", profile, "each player's probabilities must be >= 0 and sum to 1")
    u = _payoff_fn(nf)
    out = []
    for i, k in enumerate(nf.shape):
        pure = [u(i, s, x) for s in range(k)]
        value = sp.expand(sum(p * v for p, v in zip(x[i], pure)))
        gaps = [sp.expand(v - value) for v in pure]
        best = max(gaps, key=lambda g: (_sign(g), sp.N(g, 60)))
        out.append(best if _sign(best) != 0 else sp.Integer(0))
    return tuple(out)


def normal_form_equilibria(nf, *, max_supports: int = 5000) -> NormalFormEquilibria:
    """Every equilibrium of ``nf`` by support enumeration with exact polynomial systems (module docstring)."""
    n_supports = math.prod(2 ** k - 1 for k in nf.shape)
    if n_supports > max_supports:
        raise InputError("nf", nf.shape, f"{n_supports} support profiles exceed max_supports = {max_supports}")
    u = _payoff_fn(nf)
    points, comps = [], []
    subsets = [[c for r in range(1, k + 1) for c in itertools.combinations(range(k), r)] for k in nf.shape]
    for support in itertools.product(*subsets):
        found = _on_support(nf, u, support)
        if isinstance(found, Continuum):
            comps.append(found)
        elif found is not None:
            points.extend(found)
    checked = [p for p in points if all(r == 0 for r in exact_regret(nf, p))]
    if len(checked) != len(points):
        raise InputError("nf", nf.title, "a support solution failed the exact regret check (a bug)")
    return NormalFormEquilibria(tuple(points), tuple(comps), n_supports)


def _on_support(nf, u, support):
    syms = [[sp.Symbol(f"x{i}_{s}", real=True) if s in support[i] else sp.Integer(0) for s in range(k)]
            for i, k in enumerate(nf.shape)]
    unknowns = [v for row in syms for v in row if isinstance(v, sp.Symbol)]
    eqs = [sum(row) - 1 for row in syms]
    for i, S in enumerate(support):
        base = u(i, S[0], syms)
        eqs += [sp.expand(u(i, s, syms) - base) for s in S[1:]]
    G = sp.groebner(eqs, *unknowns, order="lex")
    if list(G.exprs) == [1]:
        return None
    sols = sp.solve(list(G.exprs), unknowns, dict=True)
    out, continuum = [], None
    for sol in sols:
        free = sorted({f for v in unknowns for f in sp.sympify(sol.get(v, v), strict=True).free_symbols}, key=str)
        prof = [[sp.expand(sp.sympify(v, strict=True).xreplace(sol)) if isinstance(v, sp.Symbol) else v for v in row]
                for row in syms]
        if free:
            found = _continuum(nf, u, support, prof, free)
            if isinstance(found, list):
                out.extend(found)
            elif found is not None:
                continuum = continuum or found
            continue
        if any(not v.is_real for row in prof for v in row):
            continue
        if all(_sign(prof[i][s]) > 0 for i, S in enumerate(support) for s in S) and _off_support_ok(nf, u, support, prof):
            out.append(tuple(tuple(row) for row in prof))
    if continuum is not None:
        return continuum  # isolated solutions on the same support lie on it or are listed with it
    return out or None


def _off_support_ok(nf, u, support, prof) -> bool:
    for i, S in enumerate(support):
        base = u(i, S[0], prof)
        if any(_sign(sp.expand(u(i, t, prof) - base)) > 0 for t in range(nf.shape[i]) if t not in S):
            return False
    return True


def _continuum(nf, u, support, prof, free):
    """The solution family on ``support`` where it is an equilibrium: a Continuum, exact points, or None."""
    on = [sp.cancel(prof[i][s]) for i, S in enumerate(support) for s in S]
    off = []
    for i, S in enumerate(support):
        base = u(i, S[0], prof)
        off += [sp.cancel(base - u(i, t, prof)) for t in range(nf.shape[i]) if t not in S]
    if any(not e.free_symbols and _sign(e) <= 0 for e in on) or any(not e.free_symbols and _sign(e) < 0 for e in off):
        return None  # the support is not the family's support, or a constant deviation pays
    constraints = tuple(e > 0 for e in on if e.free_symbols) + tuple(e >= 0 for e in off if e.free_symbols)
    if len(free) == 1:  # decided exactly: the parameter's feasible set on the real line
        t = free[0]
        where = sp.S.Reals
        for c in constraints:
            where = sp.Intersection(where, sp.solveset(c, t, sp.S.Reals))
        if where is sp.S.EmptySet:
            return None
        if isinstance(where, sp.FiniteSet):  # the family meets the equilibrium set in points
            return [tuple(tuple(sp.expand(v.xreplace({t: a})) for v in row) for row in prof) for a in where]
        if isinstance(where, sp.Interval):
            mid = (where.start + where.end) / 2 if where.end.is_finite and where.start.is_finite else None
            if mid is not None and mid.is_Rational:
                sample = tuple(tuple(sp.expand(v.xreplace({t: mid})) for v in row) for row in prof)
                return _checked_continuum(nf, support, prof, free, constraints, sample)
    sample = None
    grid = [sp.Rational(a, 64) for a in range(1, 64)]
    for values in itertools.product(grid, repeat=len(free)) if len(free) <= 2 else ():
        at = dict(zip(free, values))
        point = [[sp.expand(v.xreplace(at)) for v in row] for row in prof]
        if any(not v.is_Rational for row in point for v in row):
            continue
        if all(bool(c.xreplace(at)) for c in constraints):
            sample = tuple(tuple(row) for row in point)
            break
    return _checked_continuum(nf, support, prof, free, constraints, sample)


def _checked_continuum(nf, support, prof, free, constraints, sample):
    if sample is not None and any(r != 0 for r in exact_regret(nf, sample)):
        raise InputError("nf", nf.title, f"a sample point of a continuum on {support} failed the exact check (a bug)")
    return Continuum(support, tuple(tuple(row) for row in prof), tuple(free), constraints, sample)

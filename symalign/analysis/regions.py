"""Exact exclusion regions in a plane of two parameters.

The exclusion condition of a group (:mod:`symalign.analysis.exclusion`) is derived
with two agent parameters ``x`` and ``y`` symbolic, each *set for all
agents*.  Each agent's slack ``slack_i(x, y) >= 0`` that is linear in
``(x, y)`` (with a denominator of known sign) is an exact half-plane
``a x + b y <= c`` in rationals; the region is their intersection with the
box, computed exactly by clipping (:func:`clip_polygon`).  What is not
linear (slacks with parameter-dependent denominators, the validity of the
reduced support) is kept as relations: the region is ``exact`` when there
are no nonlinear slacks and Z3 proves (:func:`symalign.verify.smt.prove`) that the
reduced equilibrium keeps its support over the whole polygon; otherwise
:meth:`ExclusionRegion.contains` evaluates everything on a grid.

For the active-alignment family at fixed alpha, the slacks on the interior
reduced support are linear in (beta, gamma): the region is the polyhedral
wedge of model.md T4.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy as sp

from symalign.errors import InputError
from symalign.analysis.exclusion import exclusion_condition
from symalign.analysis.inputs import free_parameters, group_index
from symalign.analysis.structured_exclusion import structured_exclusion_condition
from symalign.numeric.compile import compile_expressions

__all__ = ["HalfPlane", "ExclusionRegion", "exclusion_region", "clip_polygon", "relations_hold", "compile_relations"]


@dataclass(frozen=True)
class HalfPlane:
    """The exact half-plane ``a x + b y <= c`` (rationals) from one relation.

    ``source`` says where it comes from: ``"agent i"`` (an exclusion
    slack) or ``"hypothesis"`` (the family's concavity condition).
    """

    a: sp.Rational
    b: sp.Rational
    c: sp.Rational
    source: str

    def relation(self, x, y):
        return sp.Le(self.a * x + self.b * y, self.c, evaluate=False)

    def contains(self, X, Y, tol: float = 0.0):
        return float(self.a) * np.asarray(X) + float(self.b) * np.asarray(Y) <= float(self.c) + tol


def _fr(v) -> Fraction:
    v = sp.Rational(v)
    return Fraction(int(v.p), int(v.q))


def _box_polygon(x0, x1, y0, y1) -> list:
    """The box's corners as exact Fractions, counter-clockwise."""
    return [(_fr(x0), _fr(y0)), (_fr(x1), _fr(y0)), (_fr(x1), _fr(y1)), (_fr(x0), _fr(y1))]


def relations_hold(relations, x, y, X, Y) -> np.ndarray:
    """Boolean array: every relation in ``x``, ``y`` holds (and is finite) at the points ``(X, Y)``.

    Examples
    --------
    >>> x, y = sp.symbols("x y", real=True)
    >>> relations_hold([x < y, x + y >= 1], x, y, [0, 1, 2], [2, 2, 1]).tolist()
    [True, True, False]
    """
    return compile_relations(relations, x, y)(X, Y)


def compile_relations(relations, x, y):
    """``f(X, Y) -> bool array`` evaluating :func:`relations_hold` (compiled once, for many calls)."""
    exprs, ops, never = [], [], False
    for rel in relations:
        if rel is sp.true:
            continue
        if rel is sp.false:
            never = True
            break
        exprs.append(rel.lhs - rel.rhs)
        ops.append(rel.rel_op)
    fn = _polynomial_ratios(exprs, x, y) if exprs and not never else None
    if fn is None and exprs and not never:
        fn = compile_expressions(exprs, [x, y])

    def holds(X, Y):
        X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        ok = np.ones(np.broadcast(X, Y).shape, dtype=bool)
        if never:
            return np.zeros_like(ok)
        if fn is None:
            return ok
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for v, op in zip(fn(X, Y), ops):
                v = np.broadcast_to(np.asarray(v, dtype=float), ok.shape)
                ok &= {">": v > 0, ">=": v >= 0, "<": v < 0, "<=": v <= 0}.get(op, np.isclose(v, 0)) & np.isfinite(v)
        return ok

    return holds


def _polynomial_ratios(exprs, x, y):
    """``f(X, Y) -> list`` of the ratios of polynomials ``exprs`` evaluated from their coefficients (no code
    generation: derived slacks and validity conditions are large but already cancelled); None when an
    expression is not a ratio of polynomials in ``x``, ``y`` with rational coefficients."""
    parts = []
    try:
        for e in exprs:
            num, den = sp.fraction(e)
            parts.append(tuple((np.array(p.monoms(), dtype=int).reshape(-1, 2), np.array([float(c) for c in p.coeffs()]))
                               for p in (sp.Poly(num, x, y, domain="QQ"), sp.Poly(den, x, y, domain="QQ"))))
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed, sp.polys.polyerrors.GeneratorsError):
        return None
    top = max(int(m.max(initial=0)) for pair in parts for m, _ in pair)

    def evaluate(X, Y):
        X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        px, py = [np.ones_like(X)], [np.ones_like(Y)]
        for _ in range(top):
            px.append(px[-1] * X)
            py.append(py[-1] * Y)
        out = []
        for pair in parts:
            num, den = (sum((c * px[i] * py[j] for (i, j), c in zip(m, cs)), np.zeros(np.broadcast(X, Y).shape))
                        for m, cs in pair)
            out.append(num / den)
        return out

    return evaluate


def clip_polygon(vertices, a, b, c) -> list:
    """Clip a convex polygon (list of (x, y) Fractions) by ``a x + b y <= c`` exactly.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> sq = [(F(0), F(0)), (F(1), F(0)), (F(1), F(1)), (F(0), F(1))]
    >>> clip_polygon(sq, F(1), F(1), F(1))
    [(Fraction(0, 1), Fraction(0, 1)), (Fraction(1, 1), Fraction(0, 1)), (Fraction(0, 1), Fraction(1, 1))]
    """
    a, b, c = _fr(a), _fr(b), _fr(c)
    out = []
    n = len(vertices)
    for k in range(n):
        P, Q = vertices[k], vertices[(k + 1) % n]
        fp, fq = a * P[0] + b * P[1] - c, a * Q[0] + b * Q[1] - c
        if fp <= 0:
            out.append(P)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((P[0] + t * (Q[0] - P[0]), P[1] + t * (Q[1] - P[1])))
    dedup = []
    for v in out:
        if not dedup or dedup[-1] != v:
            dedup.append(v)
    if len(dedup) > 1 and dedup[0] == dedup[-1]:
        dedup.pop()
    return dedup


@dataclass(frozen=True, eq=False)
class ExclusionRegion:
    """Where a group is excluded, in the plane of two parameters.

    Attributes
    ----------
    condition : ExclusionCondition
        Derived on the parametrised game (``x``, ``y`` symbolic).
    x, y : Symbol
    box : tuple
        ``((x_lo, x_hi), (y_lo, y_hi))`` exact.
    halfplanes : tuple of HalfPlane
        The linear slacks (and linear hypotheses) as exact half-planes.
    nonlinear : tuple
        Slack relations that are not linear in ``(x, y)``.
    polygon : tuple of (Rational, Rational)
        Vertices of box ∩ half-planes (empty when that is empty).
    validity : tuple
        Conditions under which the reduced equilibrium has its support.
    validity_status : str
        ``"proved"`` when Z3 proved the validity conditions over the
        polygon, otherwise ``"refuted"``, ``"unknown"`` or ``"empty"``.
    counterexample : tuple or None
        For ``"refuted"``: an exact point ``(x, y)`` of the polygon where a
        validity condition fails (re-checked in exact arithmetic), when one
        was found before or by Z3.
    """

    condition: object
    x: sp.Symbol
    y: sp.Symbol
    box: tuple
    halfplanes: tuple
    nonlinear: tuple
    polygon: tuple
    validity: tuple
    validity_status: str
    counterexample: tuple | None = None

    @property
    def group(self) -> int:
        return self.condition.group

    @property
    def exact(self) -> bool:
        """True when the polygon *is* the exclusion region within the box."""
        return not self.nonlinear and self.validity_status in ("proved", "empty")

    def valid(self, X, Y):
        """Boolean array: the reduced equilibrium has its derived support at (X, Y)."""
        return self._valid_fn(X, Y)

    def contains(self, X, Y):
        """Boolean array: the group is excluded at (X, Y) (derived; validity included)."""
        return self._slacks_fn(X, Y) & self.valid(X, Y)

    @cached_property
    def _valid_fn(self):
        return compile_relations(self.validity, self.x, self.y)

    @cached_property
    def _slacks_fn(self):
        rels = [sp.sympify(s, strict=True) >= 0 for s in self.condition.slacks] + list(self.hypotheses)
        return compile_relations(rels, self.x, self.y)

    @property
    def hypotheses(self) -> tuple:
        return tuple(h for h in self.condition.game.hypotheses() if h is not sp.true)

    def edges(self) -> tuple:
        """Polygon edges that lie on a slack line (not on the box): ((x0, y0), (x1, y1), source)."""
        out = []
        n = len(self.polygon)
        if n < 2:
            return ()
        for k in range(n):
            P, Q = self.polygon[k], self.polygon[(k + 1) % n]
            for h in self.halfplanes:
                if h.source == "hypothesis":
                    continue
                if h.a * P[0] + h.b * P[1] == h.c and h.a * Q[0] + h.b * Q[1] == h.c:
                    out.append((P, Q, h.source))
                    break
        return tuple(out)

    def lines(self) -> tuple:
        """Every slack half-plane's boundary line clipped to the box: ((x0, y0), (x1, y1), source)."""
        (x0, x1), (y0, y1) = self.box
        box = _box_polygon(x0, x1, y0, y1)
        out = []
        for h in self.halfplanes:
            if h.source == "hypothesis":
                continue
            a, b, c = _fr(h.a), _fr(h.b), _fr(h.c)
            seg = clip_polygon(clip_polygon(box, a, b, c), -a, -b, -c)
            if len(seg) >= 2:
                P, Q = seg[0], max(seg, key=lambda v: (v[0] - seg[0][0]) ** 2 + (v[1] - seg[0][1]) ** 2)
                out.append(((sp.Rational(P[0]), sp.Rational(P[1])), (sp.Rational(Q[0]), sp.Rational(Q[1])), h.source))
        return tuple(out)


def _linear(rel_expr, x, y):
    """(a, b, c) with ``expr >= 0  <=>  a x + b y <= c`` when linear, else None."""
    num, den = sp.fraction(rel_expr)
    if not (den.is_number and num.is_polynomial(x, y)):  # a constant denominator needs no cancelling
        num, den = sp.fraction(sp.cancel(sp.together(rel_expr)))
    sign = 1 if den.is_positive else (-1 if den.is_negative else 0)
    if sign == 0 or not num.free_symbols <= {x, y}:
        return None
    poly = sp.Poly(num, x, y)
    if poly.total_degree() > 1:
        return None
    cx, cy, c0 = poly.coeff_monomial(x), poly.coeff_monomial(y), poly.coeff_monomial(1)
    # sign * (cx x + cy y + c0) >= 0  <=>  -sign cx x - sign cy y <= sign c0; scaled so |coef of y| = 1
    scale = abs(cy) if cy != 0 else (abs(cx) if cx != 0 else 1)
    return -sign * cx / scale, -sign * cy / scale, sign * c0 / scale


def exclusion_region(game, group, x: str, y: str, box, *, support=None, timeout: float = 5.0) -> ExclusionRegion:
    """Derive the exclusion region of ``group`` in the plane of parameters ``x`` and ``y``.

    Parameters
    ----------
    game : Game
        Numeric; ``x`` and ``y`` are agent (or scalar) parameters, each set
        for all agents.
    group : str or int
    x, y : str
        Parameter names.
    box : ((x_lo, x_hi), (y_lo, y_hi))
        Exact bounds (numbers or strings such as ``"1/10"``).
    support : sequence, optional
        Reduced support; default every group but ``group`` for every agent.
    timeout : float
        Seconds for the Z3 proof that the support is valid over the polygon.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
    ...                 a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    >>> r = exclusion_region(g, "z", "beta", "gamma", ((1, 2), (0, "2/5")))
    >>> [str(h.relation(r.x, r.y)) for h in r.halfplanes]
    ['3*beta/5 + gamma <= 3/2', '3*beta/5 + gamma <= 3/2']
    >>> r.polygon
    ((1, 0), (2, 0), (2, 3/10), (11/6, 2/5), (1, 2/5))
    >>> r.exact, r.validity_status   # Z3: both agents keep every other group over the polygon
    (True, 'proved')
    """
    from symalign.core.params import exact
    from symalign.verify.smt import prove

    if x == y:
        raise InputError("y", y, "the two parameters of the plane must differ")
    d = group_index(game, group)
    (x0, x1), (y0, y1) = box
    x0, x1, y0, y1 = (exact(v, n) for v, n in ((x0, "x_lo"), (x1, "x_hi"), (y0, "y_lo"), (y1, "y_hi")))
    if not (x0 < x1 and y0 < y1):
        raise InputError("box", box, "each range must have lo < hi")
    pgame, X, Y = _plane(game, x, y)
    cond = structured_exclusion_condition(pgame, d, support) if support is not None else None
    if cond is None:  # not aggregative (or a singular aggregate system): the general route
        cond = exclusion_condition(pgame, d, support=support)
    halfplanes, nonlinear = [], []
    for i, s in enumerate(cond.slacks):
        lin = _linear(s, X, Y)
        if lin is None:
            nonlinear.append(sp.sympify(s, strict=True) >= 0)
        else:
            halfplanes.append(HalfPlane(*lin, source=f"agent {i + 1}"))
    for h in pgame.hypotheses():
        if h is sp.true or not isinstance(h, sp.core.relational.Relational):
            continue
        lin = _linear(h.gts - h.lts, X, Y)
        if lin is not None:
            halfplanes.append(HalfPlane(*lin, source="hypothesis"))
    poly = _box_polygon(x0, x1, y0, y1)
    for h in halfplanes:
        poly = clip_polygon(poly, h.a, h.b, h.c)
        if not poly:
            break
    polygon = tuple((sp.Rational(px), sp.Rational(py)) for px, py in poly)
    validity = tuple(cond.validity)
    holds = compile_relations(validity, X, Y)  # compiled once: the screen below and ExclusionRegion.valid
    if len(polygon) < 3:
        status = "empty"
    elif not validity:
        status = "proved"
    else:
        cex = failing_point(validity, X, Y, polygon, holds=holds)  # an exact counterexample spares Z3 the search
        if cex is not None:
            status = "refuted"
        else:
            hyps = [X >= x0, X <= x1, Y >= y0, Y <= y1] + [h.relation(X, Y) for h in halfplanes]
            try:
                proof = prove(hyps, sp.And(*validity), timeout=timeout)
                status = proof.status
                if status == "refuted" and proof.counterexample:
                    found = dict(proof.counterexample)
                    cex = (found.get(X), found.get(Y))
            except (TypeError, ValueError):
                status = "unknown"
    region = ExclusionRegion(cond, X, Y, ((x0, x1), (y0, y1)), tuple(halfplanes), tuple(nonlinear), polygon, validity,
                             status, cex)
    region.__dict__["_valid_fn"] = holds  # the cached_property's value, computed above
    return region


_PLANES: dict = {}


def _plane(game, x, y):
    """``(pgame, X, Y)``: ``game`` with ``x`` and ``y`` set for all agents as symbols; the same object for equal
    games, so its KKT system (cached per game object) is built once for all the regions of a plane."""
    from symalign.core.gamecache import content_key

    key = content_key(game)
    key = None if key is None else (key, x, y)
    if key is not None and key in _PLANES:
        return _PLANES[key]
    pgame, _ = free_parameters(game, [x, y], shift=False)
    out = (pgame, next(s for s in pgame.free_symbols() if s.name == x), next(s for s in pgame.free_symbols() if s.name == y))
    if key is not None:
        if len(_PLANES) >= 16:
            _PLANES.pop(next(iter(_PLANES)))
        _PLANES[key] = out
    return out


def failing_point(relations, X, Y, polygon, samples: int = 64, seed: int = 0, holds=None):
    """An exact point of a convex ``polygon`` where one of ``relations`` fails, or None.

    Screens the vertices, the centroid and ``samples`` seeded random convex
    combinations of the vertices (all exact rationals) with
    :func:`relations_hold`, then re-checks up to eight failing candidates
    exactly with SymPy; only an exact failure is returned.  Finding none proves nothing (Z3 decides).

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> failing_point([x + y <= 1], x, y, ((0, 0), (1, 0), (1, 1), (0, 1)))
    (1, 1)
    >>> failing_point([x + y <= 2], x, y, ((0, 0), (1, 0), (1, 1), (0, 1))) is None
    True
    """
    import random

    verts = [(sp.Rational(a), sp.Rational(b)) for a, b in polygon]
    rng = random.Random(seed)
    points = list(verts) + [(sum(v[0] for v in verts) / len(verts), sum(v[1] for v in verts) / len(verts))]
    for _ in range(samples):
        lam = [sp.Rational(rng.randint(1, 64)) for _ in verts]
        tot = sum(lam)
        points.append((sum(l_ * v[0] for l_, v in zip(lam, verts)) / tot, sum(l_ * v[1] for l_, v in zip(lam, verts)) / tot))
    rels = [r for r in relations if r is not sp.true]
    if not rels:
        return None
    holds = compile_relations(rels, X, Y) if holds is None else holds  # ``holds``: the same relations, compiled
    held = holds([float(p[0]) for p in points], [float(p[1]) for p in points])
    for k in np.flatnonzero(~held)[:8]:  # float screen; only an exact failure counts
        at = {X: points[k][0], Y: points[k][1]}
        if any(_exactly_false(r, at) for r in rels):
            return points[k]
    return None


def _exactly_false(rel, at) -> bool:
    """``rel`` evaluates to False at ``at`` in exact arithmetic (a pole, where it is undefined, is no failure)."""
    try:
        return rel.xreplace(at) is sp.false
    except TypeError:  # SymPy refuses to compare nan or zoo: the relation is undefined there
        return False


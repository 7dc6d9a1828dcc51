"""Every interior KKT point of a smooth game in a box: certified interval branch-and-bound (small dimension).

The interior KKT system is written in the free coordinates
``x = (w_{i,1}, ..., w_{i,D-1})_i`` (``w_{i,D} = 1 - sum``) as
``F(x) = (g_{i,d} - g_{i,D})_{i, d < D} = 0``.  Starting from the box
``[delta, 1 - delta]^n`` (intersected with the simplices later), each box
``X`` is, in arb ball arithmetic (every rounding enclosed):

* discarded when some ``F_k(X)`` excludes 0, or the Krawczyk image
  ``K(X)`` misses ``X`` (no zero in ``X``);
* kept as an isolating box when ``K(X)`` lies in the interior of ``X``
  (exactly one zero, in the interior of ``X``; boxes of one bisection have
  disjoint interiors, so no zero is counted twice);
* otherwise split along its widest side (off-centre, so that a symmetric
  zero does not sit on a cut forever).

When every box is resolved within ``max_boxes`` the list is **complete**: the
game has exactly these interior KKT points with every ``w_{i,d} in
[delta, 1 - delta]``, each unique in its box.  Otherwise the result says
``complete=False`` and how many boxes were left.  Under proved
own-concavity each KKT point is an equilibrium (e.g. logit QRE of
entropy-regularised games).

Examples
--------
>>> from symalign.io.gamefile import game_from_mapping
>>> g = game_from_mapping({"family": "custom", "agents": 2, "groups": ["x", "y"],
...     "utility": "sum(w[d]*m[d], d) - tau*sum(w[d]*log(w[d]), d)", "parameters": {"tau": "1/4"}})
>>> res = interior_kkt_points(g)
>>> res.complete, len(res.boxes)
(True, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from symalign.numeric.krawczyk import _ball, arb_eval

__all__ = ["KKTBoxes", "interior_kkt_points"]


@dataclass(frozen=True)
class KKTBoxes:
    """Outcome of :func:`interior_kkt_points`.

    ``boxes``: tuples of ``(lower, upper)`` rational pairs over the free coordinates
    ``(w_{i,1..D-1})_i``; ``points``: their midpoints as full (N, D) float arrays.
    """

    boxes: tuple
    points: tuple
    complete: bool
    delta: Fraction
    explored: int
    statement: str


def _split_point(lo, hi):
    return lo + (hi - lo) * Fraction(4873, 10000)


def interior_kkt_points(game, *, delta=Fraction(1, 10**6), max_boxes: int = 20_000) -> KKTBoxes:
    """All interior KKT points of ``game`` with weights in ``[delta, 1 - delta]``, certified (see the module)."""
    import flint

    N, D = game.n_agents, game.n_groups
    W = game.weights
    from symalign.core.kkt import kkt_system

    grads = kkt_system(game).gradients
    free = [W[i, d] for i in range(N) for d in range(D - 1)]
    last = {W[i, D - 1]: 1 - sp.Add(*[W[i, d] for d in range(D - 1)]) for i in range(N)}
    F = [sp.sympify(grads[i, d] - grads[i, D - 1], strict=True).xreplace(last) for i in range(N) for d in range(D - 1)]
    J = [[sp.diff(f, u) for u in free] for f in F]
    n = len(free)
    delta = Fraction(delta)
    stack = [[(delta, 1 - delta)] * n]
    found, explored = [], 0
    while stack and explored < max_boxes:
        box = stack.pop()
        explored += 1
        X = {u: _ball(lo, hi) for u, (lo, hi) in zip(free, box)}
        for i in range(N):  # the last weight must be in [delta, 1 - delta] too
            s = flint.arb(1) - sum((X[W[i, d]] for d in range(D - 1)), flint.arb(0))
            if s < float(delta) or s > 1 - float(delta):
                break
        else:
            s = None
        if s is not None:
            continue
        try:
            FX = [arb_eval(f, X) for f in F]
        except (ZeroDivisionError, ValueError):
            FX = None
        if FX is not None and any(v.is_finite() and not v.contains(0) for v in FX):
            continue
        verdict = _krawczyk(F, J, free, box, X) if FX is not None else "split"
        if verdict == "none":
            continue
        if verdict == "unique":
            found.append(tuple(box))
            continue
        k = max(range(n), key=lambda j: box[j][1] - box[j][0])
        lo, hi = box[k]
        mid = _split_point(lo, hi)
        stack.append(box[:k] + [(lo, mid)] + box[k + 1:])
        stack.append(box[:k] + [(mid, hi)] + box[k + 1:])
    complete = not stack
    points = []
    from symalign.numeric.compile import compile_expressions

    fF, fJ = compile_expressions(F, free), compile_expressions([j for row in J for j in row], free)
    for box in found:
        x = _newton(fF, fJ, box)
        P = np.array([x[i * (D - 1):(i + 1) * (D - 1)] + [1 - sum(x[i * (D - 1):(i + 1) * (D - 1)])]
                      for i in range(N)])
        points.append(P)
    statement = (f"{'all' if complete else 'some'} interior KKT points with every weight in [{delta}, 1 - {delta}]: "
                 f"{len(found)}, each unique in its box (certified interval branch-and-bound, Krawczyk, "
                 f"{explored} boxes)" + ("" if complete else f"; {len(stack)} boxes left undecided (budget)"))
    return KKTBoxes(tuple(found), tuple(points), complete, delta, explored, statement)


def _newton(fF, fJ, box, steps: int = 60):
    """The box's zero located by Newton's method from its midpoint, kept in the box (the zero is unique there)."""
    lo = np.array([float(a) for a, _ in box])
    hi = np.array([float(b) for _, b in box])
    x = (lo + hi) / 2
    n = len(box)
    for _ in range(steps):
        Fx = np.array(fF(*x), dtype=float)
        Jx = np.array(fJ(*x), dtype=float).reshape(n, n)
        try:
            step = np.linalg.solve(Jx, Fx)
        except np.linalg.LinAlgError:
            break
        x = np.clip(x - step, lo, hi)
        if np.max(np.abs(step)) < 1e-15:
            break
    return list(x)


def _krawczyk(F, J, free, box, X):
    """``"unique"``, ``"none"`` or ``"split"`` for one box (ball arithmetic)."""
    import flint

    n = len(free)
    mid = [(lo + hi) / 2 for lo, hi in box]
    y = {u: flint.arb(flint.fmpq(m.numerator, m.denominator)) for u, m in zip(free, mid)}
    try:
        Fy = [arb_eval(f, y) for f in F]
        JX = [[arb_eval(j, X) for j in row] for row in J]
        Jy = np.array([[float(arb_eval(j, y).mid()) for j in row] for row in J])
        C = np.linalg.inv(Jy)
    except (ZeroDivisionError, ValueError, np.linalg.LinAlgError):
        return "split"
    if not all(v.is_finite() for v in Fy) or not all(v.is_finite() for row in JX for v in row):
        return "split"
    inside = True
    for a in range(n):
        k = y[free[a]] - sum((flint.arb(float(C[a, b])) * Fy[b] for b in range(n)), flint.arb(0))
        for b in range(n):
            m = (1 if a == b else 0) - sum((flint.arb(float(C[a, c])) * JX[c][b] for c in range(n)), flint.arb(0))
            k = k + m * (X[free[b]] - y[free[b]])
        if not k.overlaps(X[free[a]]):
            return "none"
        inside = inside and X[free[a]].contains_interior(k)
    return "unique" if inside else "split"

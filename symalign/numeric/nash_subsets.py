"""The equilibrium set of a bimatrix game from its extreme equilibria: isolated points and maximal Nash subsets.

The equilibrium set of a bimatrix game is the union of its *maximal Nash
subsets* ``conv(X) x conv(Y)``, where ``X x Y`` ranges over the maximal
bicliques of the bipartite graph whose edges are the extreme equilibria
``(x, y)`` (Winkels 1979; Avis, Rosenberg, Savani and von Stengel,
"Enumeration of Nash equilibria for two-player games", Econ. Theory 42,
2010, Thm 2).  Each such set is made of equilibria whatever the list it
comes from, once its vertices ``(x, y)``, ``x in X, y in Y``, are checked:
best responses to a fixed mixture form a convex set, and a mixture that is a
best response to each ``y`` in ``Y`` is one to every mixture of them.

:func:`nash_subsets` computes the maximal bicliques (the formal concepts of
the graph: every intersection of neighbourhoods) and returns the singletons
as isolated equilibria and the others as components
``W(t) = base + sum_k t_k directions[k]``, each side's convex hull given by
its facet inequalities in the parameters (:func:`hull`).
"""

from __future__ import annotations

import itertools

import sympy as sp

__all__ = ["maximal_bicliques", "hull", "nash_subsets"]


def maximal_bicliques(edges) -> list:
    """Maximal bicliques ``(X, Y)`` (sorted tuples) of the bipartite graph with the given ``(x, y)`` edges.

    Examples
    --------
    >>> maximal_bicliques([("a", 1), ("a", 2), ("b", 3)])
    [(('a',), (1, 2)), (('b',), (3,))]
    >>> maximal_bicliques([("a", 1), ("a", 2), ("b", 2)])
    [(('a',), (1, 2)), (('a', 'b'), (2,))]
    """
    nbrs: dict = {}
    for x, y in edges:
        nbrs.setdefault(x, set()).add(y)
    intents = {frozenset(s) for s in nbrs.values()}
    frontier = set(intents)
    while frontier:  # close under intersection: every concept's Y is an intersection of neighbourhoods
        new = {a & b for a in frontier for b in intents} - intents - {frozenset()}
        intents |= new
        frontier = new
    out = []
    for ys in intents:
        xs = tuple(sorted(x for x, s in nbrs.items() if ys <= s))
        out.append((xs, tuple(sorted(ys))))
    return sorted(out)


def hull(points, name):
    """``(base, directions, parameters, constraints)`` of the convex hull of exact points.

    ``p(t) = base + sum_k t_k directions[k]`` with the directions a basis of
    the affine hull (chosen among ``point - base``) and ``constraints`` the
    facet inequalities ``expr >= 0`` of the hull in the parameters ``t``.

    Examples
    --------
    >>> base, dirs, ts, cons = hull([(0, 0), (1, 0), (0, 1), (1, 1)], "t")
    >>> [list(d) for d in dirs], sorted(str(c) for c in cons)
    ([[1, 0], [0, 1]], ['1 - t_1 >= 0', '1 - t_2 >= 0', 't_1 >= 0', 't_2 >= 0'])
    """
    pts = [sp.Matrix(p) for p in points]
    base, dirs = pts[0], []
    for p in pts[1:]:
        if sp.Matrix.hstack(*dirs, p - base).rank() > len(dirs):
            dirs.append(p - base)
    r = len(dirs)
    ts = sp.symbols(f"{name}_1:{r + 1}", real=True) if r else ()
    if not r:
        return base, (), (), ()
    if r == len(pts) - 1:  # affinely independent points: a simplex, barycentric facets
        return base, tuple(dirs), ts, tuple(sorted([*(t >= 0 for t in ts), 1 - sum(ts) >= 0], key=str))
    M = sp.Matrix.hstack(*dirs)
    coords = [M.solve_least_squares(p - base) for p in pts]  # exact: p - base lies in the span
    t = sp.Matrix(ts)
    facets = set()
    for subset in itertools.combinations(range(len(coords)), r):
        A = sp.Matrix([[*coords[k], 1] for k in subset])
        null = A.nullspace()
        if len(null) != 1:
            continue
        n = null[0]
        values = [(n[:r, 0].T * q)[0, 0] + n[r, 0] for q in coords]
        if all(v >= 0 for v in values):
            expr = (n[:r, 0].T * t)[0, 0] + n[r, 0]
        elif all(v <= 0 for v in values):
            expr = -((n[:r, 0].T * t)[0, 0] + n[r, 0])
        else:
            continue
        scale = max(abs(x) for x in n[:r, 0])  # one representative per facet
        facets.add(sp.expand(expr / scale))
    return base, tuple(dirs), ts, tuple(sorted((e >= 0 for e in facets), key=str))


def nash_subsets(game, equilibria, component):
    """``(isolated, components)`` of a bimatrix game from *all* its extreme equilibria.

    Parameters
    ----------
    game : Game
    equilibria : sequence of Equilibrium
        Every extreme equilibrium, each already checked exactly.
    component : callable
        ``component(support, base, directions, parameters, constraints, vertices)``
        (:class:`symalign.numeric.enumerate.Component`).
    """
    by_edge = {(tuple(e.weights.row(0)), tuple(e.weights.row(1))): e for e in equilibria}
    isolated, components = [], []
    for X, Y in maximal_bicliques(by_edge):
        if len(X) == 1 and len(Y) == 1:
            isolated.append(by_edge[(X[0], Y[0])])
            continue
        bx, dx, sx, cx = hull(X, "s")
        by, dy, sy, cy = hull(Y, "t")
        zero_x, zero_y = [0] * len(X[0]), [0] * len(Y[0])
        directions = tuple(sp.ImmutableMatrix([list(d), zero_y]) for d in dx) + tuple(
            sp.ImmutableMatrix([zero_x, list(d)]) for d in dy)
        support = (tuple(sorted({d for x in X for d, v in enumerate(x) if v > 0})),
                   tuple(sorted({d for y in Y for d, v in enumerate(y) if v > 0})))
        vertices = tuple(sp.ImmutableMatrix([list(x), list(y)]) for x in X for y in Y)
        components.append(component(support, sp.ImmutableMatrix([list(bx), list(by)]), directions, (*sx, *sy),
                                    cx + cy, vertices))
    return tuple(isolated), tuple(components)

"""Equilibria on a 2-D parameter grid by support continuation.

An equilibrium's support is constant on regions of the parameter plane, so
a point next to a solved point most likely has its neighbour's support.
:func:`fill_grid` uses that to send almost no point through the expensive
stages of :class:`~symalign.numeric.batch.compiled.CompiledGame` (the
active set and the iterative fallback):

1. every admissible point gets the compiled closed forms only
   (``fallback="none"``): stage ``closed-form`` / ``cached-support``;
2. seeds: the unsolved points on a coarse lattice (every ``step``-th row
   and column) get the compiled solver's active set, then the supports
   already found elsewhere on the grid, then the iterative fallback;
3. continuation: every unsolved point next to a newly solved one (8
   neighbours) is solved on that neighbour's support, all such points of a
   round in one batched call of
   :meth:`~symalign.numeric.batch.compiled.CompiledGame.solve_supports`,
   and accepted only where the natural KKT residual is ``<= tol`` (the same
   check as every other stage); rounds go on while points get solved;
4. steps 2 and 3 repeat on finer lattices; the points left at the end get
   the full compiled solver.

So the support of each region is found once (by a seed or at the region's
edge) and the per-point cost inside a region is one linear solve and one
residual check.  Where equilibria are not unique (e.g. ``gamma`` above
Rosen's bound) continuation follows the neighbour's branch; each point
still carries its own KKT check.
"""

from __future__ import annotations

import numpy as np

from symalign.errors import InputError

__all__ = ["fill_grid", "NEIGHBOUR_STAGE", "KNOWN_STAGE"]

NEIGHBOUR_STAGE = "neighbour-support"
"""Stage name of the points answered by continuation (step 3)."""

KNOWN_STAGE = "known-support"
"""Stage name of the seeds answered by a support found elsewhere on the grid."""

_SHIFTS = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1))


def fill_grid(compiled, gx, gy, admissible, *, chunk: int = 8192, steps=(16, 4, 1), max_tries: int = 20_000,
              progress=None):
    """Solve ``compiled`` at every admissible point of the grid ``(gx, gy)``.

    Parameters
    ----------
    compiled : CompiledGame
        Two arguments, in the order (x, y).
    gx, gy : ndarray, shape (ny, nx)
        The grid (as from :func:`numpy.meshgrid`).
    admissible : ndarray of bool, shape (ny, nx)
        Points to solve (the others stay NaN / not converged).
    chunk : int
        Points per call in step 1.
    steps : sequence of int
        Seed lattices, coarse to fine.
    max_tries : int
        Bound on the (seed, known support) pairs tried per lattice.
    progress : callable, optional
        ``progress(done, total)``.

    Returns
    -------
    weights, support, converged, residual, stages
        Arrays of shape (ny, nx, N, D), (ny, nx, N, D), (ny, nx), (ny, nx) and a
        dict of points per stage.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> from symalign.numeric.batch.compiled import compile_game
    >>> import sympy as sp
    >>> b, c = sp.symbols("beta gamma", positive=True)
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=b, gamma=c,
    ...                 a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    >>> gx, gy = np.meshgrid(np.linspace(1, 2, 20), np.linspace(0.01, 1.2, 20))
    >>> W, S, ok, r, stages = fill_grid(compile_game(g, [b, c]), gx, gy, np.ones(gx.shape, bool))
    >>> bool(ok.all()), stages["closed-form"] + stages["neighbour-support"] > 300
    (True, True)
    """
    if not (len(compiled.args) == 2 and compiled.path in ("closed-form", "structured", "linear")):
        raise InputError("compiled", compiled.path, "fill_grid needs a compiled game of two arguments with affine gradients")
    shape = gx.shape
    n, d = compiled.game.n_agents, compiled.game.n_groups
    xs, ys = gx.reshape(-1), gy.reshape(-1)
    W = np.full((xs.size, n, d), np.nan)
    S = np.zeros((xs.size, n, d), bool)
    ok = np.zeros(xs.size, bool)
    res = np.full(xs.size, np.nan)
    stages: dict = {}
    todo = admissible.reshape(-1).copy()
    total = int(todo.sum())

    def store(k, r):
        good = r.converged
        kk = k[good]
        W[kk], S[kk], ok[kk], res[kk] = r.weights[good], r.support[good], True, r.residual[good]
        for name, c in r.stage_counts().items():
            if name != "not-converged":
                stages[name] = stages.get(name, 0) + c
        todo[kk] = False
        return kk

    def report():
        if progress:
            progress(total - int(todo.sum()), total)

    idx = np.flatnonzero(todo)
    step1 = max(1, int(chunk))
    for s in range(0, idx.size, step1):
        k = idx[s:s + step1]
        store(k, compiled(xs[k], ys[k], fallback="none"))
        report()
    fresh = ok.copy()
    iy, ix = np.divmod(np.arange(xs.size), shape[1])
    for step in steps:
        seeds = np.flatnonzero(todo & (iy % step == 0) & (ix % step == 0))
        if step > 1 and seeds.size:
            fresh[store(seeds, compiled(xs[seeds], ys[seeds], fallback="active-set"))] = True
            seeds = seeds[todo[seeds]]
        if seeds.size:
            fresh[_known_supports(compiled, xs, ys, seeds, W, S, ok, res, todo, stages, max_tries)] = True
            seeds = seeds[todo[seeds]]
        if step > 1 and seeds.size:
            fresh[store(seeds, compiled(xs[seeds], ys[seeds], start=_near(seeds, W, ok, shape, step)))] = True
        report()
        while fresh.any() and todo.any():
            fresh = _continue(compiled, xs, ys, shape, fresh, todo, W, S, ok, res, stages)
            report()
    left = np.flatnonzero(todo)
    if left.size:  # every support found on the grid (cheap: one small solve each), then the full solver
        _known_supports(compiled, xs, ys, left, W, S, ok, res, todo, stages, 50 * max_tries)
        left = np.flatnonzero(todo)
    if left.size:
        store(left, compiled(xs[left], ys[left], start=_near(left, W, ok, shape, 1)))
        report()
    return (W.reshape(shape + (n, d)), S.reshape(shape + (n, d)), ok.reshape(shape), res.reshape(shape), stages)


def _near(k, W, ok, shape, step):
    """For the points ``k``: the equilibrium of a solved point nearby (within ``step`` rows/columns), else NaN."""
    ny, nx = shape
    iy, ix = np.divmod(k, nx)
    out = np.full((k.size,) + W.shape[1:], np.nan)
    need = np.ones(k.size, bool)
    for r in range(1, max(1, step) + 1):
        for dy in range(-r, r + 1):
            for dx in (-r, r) if abs(dy) < r else range(-r, r + 1):
                y, x = iy + dy, ix + dx
                inside = need & (y >= 0) & (y < ny) & (x >= 0) & (x < nx)
                nb = np.where(inside, y * nx + x, 0)
                take = inside & ok[nb]
                out[take], need[take] = W[nb[take]], False
        if not need.any():
            break
    return out


def _keep(k, good, Wk, rk, W, S, ok, res, todo, stages, name):
    """Store the checked support solutions (``good``) of the points ``k``, count them under ``name``; return them."""
    kk = k[good]
    W[kk], S[kk], ok[kk], res[kk] = Wk[good], Wk[good] > 0, True, rk[good]
    todo[kk] = False
    if kk.size:
        stages[name] = stages.get(name, 0) + int(kk.size)
    return kk


def _known_supports(compiled, xs, ys, k, W, S, ok, res, todo, stages, max_tries):
    """Solve the points ``k`` on the supports found so far (most frequent first); return those solved."""
    found = S[ok].reshape(int(ok.sum()), -1)
    if not found.size:
        return k[:0]
    packed = np.ascontiguousarray(np.packbits(found, axis=1))  # rows as short byte strings: a fast unique
    _, first, counts = np.unique(packed.view(np.dtype((np.void, packed.shape[1]))).ravel(), return_index=True,
                                 return_counts=True)
    keys = found[first]
    order = np.argsort(-counts)[:max(1, max_tries // max(k.size, 1))]
    solved = np.zeros(k.size, bool)
    for key in keys[order]:
        rest = np.flatnonzero(~solved)
        if not rest.size:
            break
        kk = k[rest]
        sup = np.broadcast_to(key.reshape(S.shape[1:]), (kk.size,) + S.shape[1:])
        Wk, rk, good = compiled.solve_supports(xs[kk], ys[kk], supports=sup)
        _keep(kk, good, Wk, rk, W, S, ok, res, todo, stages, KNOWN_STAGE)
        solved[rest[good]] = True
    return k[solved]


def _continue(compiled, xs, ys, shape, fresh, todo, W, S, ok, res, stages):
    """One round: every unsolved point beside a fresh one tries that neighbour's support."""
    ny, nx = shape
    fresh2, todo2 = fresh.reshape(shape), todo.reshape(shape)
    new = np.zeros_like(fresh)
    for dy, dx in _SHIFTS:
        # point (y, x) with neighbour (y + dy, x + dx) fresh
        ys_, yn = slice(max(0, -dy), ny - max(0, dy)), slice(max(0, dy), ny - max(0, -dy))
        xs_, xn = slice(max(0, -dx), nx - max(0, dx)), slice(max(0, dx), nx - max(0, -dx))
        cand = np.zeros(shape, bool)
        cand[ys_, xs_] = todo2[ys_, xs_] & fresh2[yn, xn]
        k = np.flatnonzero(cand)
        if not k.size:
            continue
        nb = k + dy * nx + dx
        Wk, rk, good = compiled.solve_supports(xs[k], ys[k], supports=S[nb])
        new[_keep(k, good, Wk, rk, W, S, ok, res, todo, stages, NEIGHBOUR_STAGE)] = True
    return new

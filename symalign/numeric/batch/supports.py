"""Exact KKT solutions of a batch on given supports (affine gradients).

:func:`solve_on_supports` is the one place where a compiled game solves its
KKT system on supports: a compiled closed form where one was derived for
that support, else the aggregate ``D x D`` solve
(:mod:`symalign.numeric.batch.aggregate`) for aggregative games, else the full
``(N D + N)``-square solve (:func:`symalign.numeric.batch.activeset.kkt_linear_solve`).
Points where the aggregate reduction is singular (``kappa_i = 0``, e.g.
``gamma = beta (N - 1)`` in the overlap variant: the reduction divides by
``kappa_i``) are solved again by the full system, which stays regular there.
"""

from __future__ import annotations

import numpy as np

from symalign.numeric.batch.activeset import kkt_linear_solve
from symalign.numeric.batch.aggregate import aggregate_linear_solve

__all__ = ["solve_on_supports", "stack_columns"]


def solve_on_supports(affine, closed_forms, P, Sk):
    """``(W, ok)``: solutions on the supports ``Sk`` (B, N, D) at the parameter points ``P``.

    ``affine`` is the compiled game's ``(c_fn, m_fn, base, slots, agg_fn)``;
    ``closed_forms`` its compiled closed forms (matched by mask).
    """
    m = Sk.shape[0]
    W = np.full(Sk.shape, np.nan)
    ok = np.zeros(m, bool)
    rest = np.ones(m, bool)
    for cf in closed_forms:
        match = (Sk == cf.mask).all(axis=(1, 2))
        if match.any():
            k = np.flatnonzero(match)
            Wc, _ = cf.evaluate([p[k] for p in P])
            fine = np.isfinite(Wc).all(axis=(1, 2))
            W[k], ok[k] = Wc, fine
            rest[k[fine]] = False
    k = np.flatnonzero(rest)
    c_fn, _, base, _, agg_fn = affine
    nw, n_ag = base.shape[0], Sk.shape[1]
    step = max(16, int(2**22 // (nw + n_ag) ** 2)) if agg_fn is None else 8192
    for s in range(0, k.size, step):
        kk = k[s:s + step]
        Pk = [p[kk] for p in P]
        c = stack_columns(c_fn(*Pk), kk.size, nw)
        full = np.ones(kk.size, bool)
        if agg_fn is not None:  # aggregative: a D x D system per point (numeric.batch.aggregate)
            oc = stack_columns(agg_fn(*Pk), kk.size, 2 * n_ag)
            W[kk], _, ok[kk] = aggregate_linear_solve(c, oc[:, :n_ag], oc[:, n_ag:], Sk[kk])
            full = ~ok[kk]
            if not full.any():
                continue
        j = np.flatnonzero(full)
        W[kk[j]], _, ok[kk[j]] = kkt_linear_solve(c[j], _jacobians(affine, [p[j] for p in Pk], j.size), Sk[kk[j]])
    return W, ok


def stack_columns(values, m: int, width: int) -> np.ndarray:
    """``(m, width)`` array whose column ``j`` is ``values[j]`` (a compiled function's outputs, scalars broadcast).

    Examples
    --------
    >>> stack_columns([np.array([1.0, 2.0]), 3.0], 2, 2).tolist()
    [[1.0, 3.0], [2.0, 3.0]]
    """
    out = np.empty((m, width))
    for j, v in enumerate(values):
        out[:, j] = v
    return out


def _jacobians(affine, Pk, m):
    _, m_fn, base, slots, _ = affine
    M = np.repeat(base[None], m, axis=0)
    for (r, col), v in zip(slots, m_fn(*Pk) if slots else ()):
        M[:, r, col] = v
    return M

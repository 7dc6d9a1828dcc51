"""Tables for the fused kernel (:mod:`symalign.numeric.batch.kernel`), built once per compiled game.

:func:`structured_tables` turns the affine parts of an aggregative game
(``c_{i,d}``, ``own_i``, ``cross_i`` as expressions in the arguments) into
what the kernel evaluates per point: when they are polynomials in the
arguments, a table of monomial exponents and coefficient matrices (so the
kernel reads only the arguments); otherwise ("direct") a compiled NumPy
function that gives the coefficients per point.

:func:`cross_check` compares the kernel's gradient formula
``c - kappa w - theta T`` with the game's own compiled gradient (lambdified
from the KKT system, not from the affine parts) at random arguments and
profiles: the kernel is used only where the two agree, so the kernel's KKT
check rests on a gradient that was itself checked against an independent
route.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from symalign.numeric.batch.supports import stack_columns
from symalign.numeric.compile import compile_expressions

__all__ = ["StructuredTables", "structured_tables", "cross_check"]

_MAX_TERMS = 64


@dataclass(frozen=True, eq=False)
class StructuredTables:
    """Coefficients ``c`` (N*D), ``own`` (N), ``cross`` (N) of an aggregative affine game, as kernel input."""

    exps: np.ndarray
    Cc: np.ndarray
    Co: np.ndarray
    Cx: np.ndarray
    direct: bool
    fn: object = None

    def inputs(self, P, b: int) -> np.ndarray:
        """``X`` (nx, b): the arguments (polynomial tables) or the coefficients themselves (direct)."""
        values = self.fn(*P) if self.direct else P
        X = np.empty((len(values), b))
        for k, v in enumerate(values):
            X[k] = v
        return X

    def coefficients(self, P, b: int):
        """``(c (b, N*D), own (b, N), cross (b, N))`` evaluated with NumPy (for checks)."""
        X = self.inputs(P, b)
        if self.direct:
            nd, n = self.Cc.shape[1], self.Co.shape[1]
            return X[:nd].T, X[nd:nd + n].T, X[nd + n:].T
        mono = np.ones((b, self.exps.shape[0]))
        for k, row in enumerate(self.exps):
            for a, e in enumerate(row):
                mono[:, k] *= X[a] ** int(e)
        return mono @ self.Cc, mono @ self.Co, mono @ self.Cx


def structured_tables(c_exprs, own, cross, args, *, cse: bool = True) -> StructuredTables:
    """Build the kernel tables for the coefficient expressions (polynomial tables when they are polynomials).

    Examples
    --------
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> t = structured_tables([b / 2, 1 + g], [b, b], [g, g], [b, g])
    >>> t.direct, t.exps.tolist(), t.Cc.tolist()
    (False, [[0, 0], [0, 1], [1, 0]], [[0.0, 1.0], [0.0, 1.0], [0.5, 0.0]])
    """
    exprs = [sp.sympify(e, strict=True) for e in list(c_exprs) + list(own) + list(cross)]
    nd, n = len(c_exprs), len(own)
    terms = []
    position = {a: k for k, a in enumerate(args)}
    try:
        for e in exprs:
            # a Poly in the few arguments the expression uses (SymPy's dense representation in all the
            # arguments of a large game costs seconds), its monomials then spread over every argument
            used = sorted(e.free_symbols & position.keys(), key=position.get)
            if used:
                cols = [position[a] for a in used]
                full = []
                for m, coef in sp.Poly(e, *used, domain="QQ").terms():
                    row = [0] * len(args)
                    for k, p in zip(cols, m):
                        row[k] = p
                    full.append((tuple(row), coef))
                terms.append(full)
            else:
                terms.append([((0,) * len(args), sp.Rational(e))])
    except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed, sp.polys.polyerrors.CoercionFailed,
            sp.polys.polyerrors.GeneratorsError, TypeError):
        terms = None
    monos = sorted({m for t in terms for m, _ in t}) if terms is not None else []
    if terms is None or len(monos) > _MAX_TERMS:
        fn = compile_expressions(exprs, args, cse=cse)
        empty = np.zeros((0, nd)), np.zeros((0, n)), np.zeros((0, n))
        return StructuredTables(np.zeros((0, max(len(exprs), 1)), np.int64), *empty, True, fn)
    index = {m: k for k, m in enumerate(monos)}
    C = np.zeros((len(monos), len(exprs)))
    for j, t in enumerate(terms):
        for m, coef in t:
            C[index[m], j] = float(coef)
    exps = np.array(monos, dtype=np.int64).reshape(len(monos), len(args))
    return StructuredTables(exps, np.ascontiguousarray(C[:, :nd]), np.ascontiguousarray(C[:, nd:nd + n]),
                            np.ascontiguousarray(C[:, nd + n:]), False, None)


def cross_check(tables: StructuredTables, grad_fn, n: int, d: int, n_args: int, *, points: int = 8,
                seed: int = 0) -> bool:
    """True when ``c - kappa w - theta T`` equals the compiled gradient ``grad_fn`` at random points.

    Arguments are drawn in [0.5, 2], profiles on the simplex; agreement to
    ``1e-9`` relative to the gradient's scale.
    """
    rng = np.random.default_rng(seed)
    P = [rng.uniform(0.5, 2.0, points) for _ in range(n_args)]
    W = rng.dirichlet(np.ones(d), (points, n))
    with np.errstate(all="ignore"):
        c, own, cross = tables.coefficients(P, points)
        kap = own - cross
        T = W.sum(axis=1)
        mine = c.reshape(points, n, d) - kap[..., None] * W - cross[..., None] * T[:, None, :]
        ref = stack_columns(grad_fn(*P, *W.reshape(points, -1).T), points, n * d).reshape(points, n, d)
    if not (np.isfinite(ref).all() and np.isfinite(mine).all()):
        return False
    return bool(np.abs(mine - ref).max() <= 1e-9 * max(1.0, np.abs(ref).max()))


def fused_call(cg, P, todo, out, W0, fallback, codes):
    """Solve the points ``todo`` of a call of the compiled game ``cg`` with the kernels; return those left.

    The interior closed form first (:mod:`symalign.numeric.batch.interior`, paths
    "closed-form" and "structured"), then (no ``start``) one vectorised active-set step
    from its positive part (:mod:`symalign.numeric.batch.supportblock`); with ``fallback="none"`` then only the
    cached closed forms (NumPy); otherwise the kernel's active set
    (:mod:`symalign.numeric.batch.kernel`) from the support of ``Proj(W0)`` where a
    start is given, else from the interior solution's positive part.  Points
    the kernel leaves (a cycling active set, a singular aggregate reduction)
    go through the NumPy active set (full KKT solves).
    """
    from symalign.numeric.batch.interior import interior_block
    from symalign.numeric.batch.kernel import fused_solve
    from symalign.numeric.batch.supportblock import support_block
    from symalign.numeric.simplex import project

    if not todo.size:
        return todo
    t = cg._fused
    n, d = cg.game.n_agents, cg.game.n_groups
    has_cf = cg.path in ("closed-form", "structured")
    if fallback == "none" and not has_cf:
        return todo
    X = t.inputs(P, out.converged.shape[0])
    idx = np.ascontiguousarray(todo, dtype=np.int64)
    if has_cf:
        interior_block(X, t, idx, verify=cg.verify, tol=cg.tol, out=out, code=codes[0])
        idx = idx[~out.converged[idx]]
        if fallback != "none" and W0 is None and idx.size:  # the first active-set step, vectorised
            support_block(X, t, idx, tol=cg.tol, out=out, code=codes[1])
            idx = idx[~out.converged[idx]]
    if fallback == "none":
        if len(cg.closed_forms) > 1 and idx.size:
            return cg._stages(cg._cached_stage, P, idx, out)
        return idx
    S0, use = np.zeros((1, n, d), bool), np.zeros(idx.size, bool)
    if W0 is not None and idx.size:
        use = np.isfinite(W0[idx]).all(axis=(1, 2))
        if use.any():
            S0 = np.zeros((idx.size, n, d), bool)
            S0[use] = project(W0[idx[use]]) > 0
    if idx.size:
        fused_solve(X, t, idx, S0, use, from_out=has_cf, max_iter=8 + 2 * n * d, tol=cg.tol, out=out, code=codes[1])
    left = idx[~out.converged[idx]]
    if left.size:
        out.weights[left] = np.nan if W0 is None else W0[left]
        left = cg._stages(cg._active_set_stage, P, left, out)
    return left


def fused_supports(cg, P, S):
    """:meth:`CompiledGame.solve_supports` through the kernel: ``(W, residual, ok)``."""
    from symalign.numeric.batch.arguments import holds
    from symalign.numeric.batch.kernel import fused_solve

    m = S.shape[0]
    out = (np.empty(S.shape), np.empty(S.shape, bool), np.zeros(m, bool), np.full(m, np.inf), np.zeros(m, np.int8))
    hyp = holds(cg._hypotheses, P, m)
    idx = np.flatnonzero(hyp).astype(np.int64)
    S = np.ascontiguousarray(S[idx] if idx.size < m else S)
    fused_solve(cg._fused.inputs(P, m), cg._fused, idx, S, np.ones(idx.size, bool), from_out=False, max_iter=1,
                tol=cg.tol, out=out, code=0)
    W, _, ok, r, _ = out
    W[~hyp] = np.nan
    return W, r, ok

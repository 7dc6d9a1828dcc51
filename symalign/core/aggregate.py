"""Fast path: equilibria of aggregative games through the aggregate.

When each agent's gradient depends on the other agents only through
their sum (``d g_i / d w_j`` is the same matrix ``K_i`` for every
``j != i``; true of every active-alignment variant and of any custom
utility written with ``m``), the KKT system on a support decouples:

1. with ``T = sum_j w_j`` as a parameter, agent i's stationarity
   ``g_i(w_i) + K_i (T - w_i) = lambda_i`` on its support and
   ``sum w_i = 1`` is a small linear system, solved once per agent:
   ``w_i = u_i + V_i T``;
2. consistency ``T = sum_i w_i(T)`` is a D x D linear system for ``T``.

This replaces one (N D + N)-dimensional symbolic elimination by N systems
of size D + 1 and one of size D.  With ``structured=True`` the result keeps
``u_{i,d}``, ``b = sum_i u_i``, the entries of ``M = I - sum_i V_i`` and ``T``
as named quantities (:mod:`symalign.core.structured`) instead of
substituting ``T`` back into every weight.  :func:`detect` is conservative (false
negatives only cost time); :func:`symalign.core.derive.derive_on_support` uses
this path when it applies, and a test requires both paths to agree.
"""

from __future__ import annotations

import sympy as sp

from symalign.core.linear import (InconsistentSystem, SingularSystem, random_rational_points, solve_columns,
                                  solve_matrix)
from symalign.core.structured import StructuredForm

__all__ = ["detect", "solve_aggregative"]


def detect(kkt):
    """Per-agent coupling matrices ``K_i`` if the game is aggregative, else None."""
    parts = kkt.affine_parts()
    W = kkt.game.weights
    N, D = W.shape
    if N < 2 or parts is None:
        return None
    Ks = []
    for i in range(N):
        ref = None
        for j in range(N):
            if j == i:
                continue
            K = sp.ImmutableMatrix(D, D, lambda d, e: parts[i][d][1].get(W[j, e], sp.Integer(0)))
            if ref is None:
                ref = K
            elif K != ref:
                return None
        Ks.append(ref)
    return tuple(Ks)


def solve_aggregative(kkt, support, Ks, *, structured: bool = False):
    """Solve the KKT system on ``support`` through the aggregate.

    Returns a dict mapping the weight symbols on the support and the
    multipliers ``lambda_i`` to their closed forms.  With ``structured``
    it returns ``(solution, definitions)`` instead: the closed forms are
    written with named intermediates (``u_{i,d}``, ``b_d``, the distinct entries
    ``M_{d,e}`` of ``M = I - sum_i V_i``, and ``T_d``, defined in this order,
    see :mod:`symalign.core.structured`), or None when the symbolic solution
    of ``M T = b`` fails its exact check at random rational points (the
    caller then solves without naming).
    """
    parts = kkt.affine_parts()
    W = kkt.game.weights
    N, D = W.shape
    u, V, lam = [], [], []
    solved = {}
    for i, s in enumerate(support):
        n = len(s)
        A = sp.zeros(n + 1, n + 1)
        B = sp.zeros(n + 1, D + 1)
        for r, d in enumerate(s):
            const, coeffs = parts[i][d]
            for c, e in enumerate(s):
                A[r, c] = coeffs.get(W[i, e], 0) - Ks[i][d, e]
            A[r, n] = -1
            B[r, 0] = -const
            for e in range(D):
                B[r, 1 + e] = -Ks[i][d, e]
        A[n, :n] = sp.ones(1, n)
        B[n, 0] = 1
        X = _solve_like_before(kkt.game, i, s, A, B, solved)
        row = {d: r for r, d in enumerate(s)}
        u.append([X[row[d], 0] if d in row else sp.Integer(0) for d in range(D)])
        V.append(sp.Matrix(D, D, lambda d, e: X[row[d], 1 + e] if d in row else 0))
        lam.append((X[n, 0], [X[n, 1 + e] for e in range(D)]))
    A_T = sp.eye(D) - sum(V, sp.zeros(D, D))
    definitions = ()
    if structured:
        u, definitions = _named_intercepts(u)
    b_T = sp.Matrix([sp.Add(*[u[i][e] for i in range(N)]) for e in range(D)])
    if structured:
        named = _named_aggregate(kkt.game, A_T, b_T, definitions)
        if named is None:
            return None
        Tv, definitions = named
    else:
        T = [sp.Dummy(f"T{e + 1}") for e in range(D)]
        T_value = solve_matrix(A_T, b_T, T, abbreviate_matrix=True)
        Tv = [T_value[t] for t in T]
    out = {}
    for i, s in enumerate(support):
        for d in s:
            out[W[i, d]] = u[i][d] + _combine(V[i].row(d), Tv)
        l0, lT = lam[i]
        out[kkt.lambdas[i]] = l0 + _combine(lT, Tv)
    return (out, definitions) if structured else out


def _solve_like_before(game, i, s, A, B, solved):
    """Agent i's system ``A X = B``, by renaming an earlier agent's solution when the systems are the same
    up to renaming the agents' own parameters (heterogeneous games: every agent alike), else solved."""
    for j, (A0, B0, X0) in solved.get(s, {}).items():
        ren = _renaming(game, j, i)
        if ren is None or (set(ren.values()) - set(ren)) & (A0.free_symbols | B0.free_symbols):
            continue  # not one-to-one on the symbols of j's system
        if A0.xreplace(ren) == A and B0.xreplace(ren) == B:
            return X0.xreplace(ren)
    X = solve_columns(A, B)
    solved.setdefault(s, {})[i] = (A, B, X)
    return X


def _renaming(game, j, i):
    """``{agent j's own parameter symbol: agent i's}`` when that is a one-to-one renaming of symbols, else None.

    A renaming maps a nonsingular system to a nonsingular one and its
    solution to the solution, so the result can be reused exactly.
    """
    pairs = {}
    for spec in game.family.parameters():
        value = game.params.get(spec.name)
        try:
            if spec.kind == "agent":
                rows = [(value[j], value[i])]
            elif spec.kind == "vector":
                rows = list(zip(value.row(j), value.row(i)))
            elif spec.kind == "scalar":
                continue
            else:
                return None
        except (TypeError, IndexError, AttributeError):
            return None
        for x, y in rows:
            if not (isinstance(x, sp.Symbol) and isinstance(y, sp.Symbol)) or pairs.get(x, y) != y:
                return None
            pairs[x] = y
    if len(set(pairs.values())) != len(pairs):
        return None
    return pairs


def _named_intercepts(u):
    """Each agent's intercepts ``u_{i,d}`` as named symbols: ``(named u, definitions)``."""
    definitions, out = [], []
    for i, row in enumerate(u):
        out.append([])
        for d, x in enumerate(row):
            if not (x.is_number or x.is_Symbol):
                sym = sp.Dummy(f"u_{{{i + 1},{d + 1}}}", real=True)
                definitions.append((sym, x))
                x = sym
            out[-1].append(x)
    return out, tuple(definitions)


def _named_aggregate(game, A_T, b_T, earlier=()):
    """``(T symbols, definitions)``: ``M T = b`` solved with ``b``, ``M``'s entries and ``T`` named.

    Naming the entries treats them as independent symbols; the solution is
    then checked exactly at random rational parameter points (finite, and
    ``M T = b`` after substituting the definitions), None on failure.
    ``earlier`` are definitions ``b`` uses (the intercepts).
    """
    D = A_T.rows
    definitions, names = list(earlier), {}

    def name(expr, label):
        if expr.is_number or expr.is_Symbol:
            return expr
        if expr not in names:
            names[expr] = sp.Dummy(label, real=True)
            definitions.append((names[expr], expr))
        return names[expr]

    b = sp.Matrix([name(b_T[d], f"b_{{{d + 1}}}") for d in range(D)])
    M = sp.Matrix(D, D, lambda d, e: name(A_T[d, e], f"M_{{{d + 1},{e + 1}}}"))
    try:
        X = solve_columns(M, b)
    except (SingularSystem, InconsistentSystem):
        return None
    T = [sp.Dummy(f"T_{{{d + 1}}}", real=True) for d in range(D)]
    definitions += [(T[d], X[d, 0]) for d in range(D)]
    form = StructuredForm(tuple(definitions), sp.ImmutableMatrix(D, 1, T))
    if not _holds(game, form, M, b, T):
        return None
    return T, tuple(definitions)


def _holds(game, form, M, b, T, points: int = 2) -> bool:
    """Exact check of ``M T = b`` at random rational points, evaluating the definitions in order."""
    for values in random_rational_points(game.free_symbols(), points):
        try:
            env = form.evaluate(values)
        except ZeroDivisionError:
            return False
        Tv = sp.Matrix([env[t] for t in T])
        if any(not x.is_number or x.has(sp.zoo, sp.nan, sp.oo) for x in Tv):
            return False
        if M.xreplace(env) * Tv - b.xreplace(env) != sp.zeros(M.rows, 1):
            return False
    return True


def _combine(coeffs, values):
    """``sum_e coeffs[e] * values[e]``, grouping equal coefficients."""
    groups = {}
    for c, v in zip(coeffs, values):
        if c != 0:
            groups.setdefault(c, []).append(v)
    return sp.Add(*[c * sp.Add(*vs) for c, vs in groups.items()])

"""Exact equilibria on a support for numeric quadratic games, in rationals, from the sparse gradient.

The numeric counterpart of :func:`symalign.core.derive.derive_on_support`
for a game given by :class:`~symalign.core.quadratic.QuadraticUtilities`:
the KKT system on a support (``g_{i,d}(W) = lambda_i`` for ``d`` in
``S_i``, ``sum_{d in S_i} w_{i,d} = 1``, ``g = c + M vec(W)``) is solved in
exact rationals (:class:`fractions.Fraction`) by sparse Gauss-Jordan
elimination, with no SymPy expression.

When the game is aggregative (every agent's gradient depends on each other
agent ``j`` through the same matrix ``K_i``, as in active alignment) the
system decouples as in :mod:`symalign.core.aggregate`: with ``T = sum_j w_j``
each agent solves a system of size ``|S_i| + 1`` (``w_i = u_i + V_i T``),
then ``(I - sum_i V_i) T = sum_i u_i`` is D x D.  Otherwise the whole
system is eliminated.  Whatever the route, the solution is then verified
exactly against the KKT equations (``c + M w`` computed in rationals), so
a wrong fast path raises instead of returning a wrong equilibrium.

Examples
--------
>>> from symalign import Game, get_family
>>> from symalign.core.quadratic import quadratic_utilities
>>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
...                 alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 0]], p=[[0.5, 0.5], [0.5, 0.5]])
>>> eq = equilibrium_on_support(g, quadratic_utilities(g), ((0,), (0, 1)))
>>> eq.weights.tolist(), eq.valid
([[1, 0], [1/2, 1/2]], True)
"""

from __future__ import annotations

import weakref
from fractions import Fraction

import sympy as sp

from symalign.core.equilibrium import Equilibrium
from symalign.core.linear import InconsistentSystem, SingularSystem
from symalign.errors import DerivationError

__all__ = ["solve_support", "equilibrium_on_support", "gauss_jordan", "solve_dense", "coupling"]

ZERO = Fraction(0)


def gauss_jordan(rows, n_unknowns: int, n_rhs: int):
    """Solve a square sparse system exactly; ``rows[r]`` maps column -> Fraction.

    Columns ``0..n_unknowns-1`` are the unknowns, the next ``n_rhs`` the
    right-hand sides.  Returns the solution as a list of ``n_unknowns``
    dicts (rhs column index ``0..n_rhs-1`` -> value).  Raises
    :class:`SingularSystem` / :class:`InconsistentSystem`.

    Examples
    --------
    >>> F = Fraction
    >>> gauss_jordan([{0: F(2), 1: F(1), 2: F(3)}, {0: F(1), 1: F(-1), 2: F(0)}], 2, 1)
    [{0: Fraction(1, 1)}, {0: Fraction(1, 1)}]
    """
    rows = [dict(r) for r in rows]
    pivot_of, missing = {}, []
    free = set(range(len(rows)))
    for col in range(n_unknowns):
        cands = [r for r in free if rows[r].get(col)]
        if not cands:
            missing.append(col)
            continue
        p = min(cands, key=lambda r: len(rows[r]))
        free.discard(p)
        prow = rows[p]
        inv = 1 / prow[col]
        prow = {k: v * inv for k, v in prow.items()}
        rows[p] = prow
        for r in range(len(rows)):
            if r == p:
                continue
            f = rows[r].get(col)
            if not f:
                continue
            row = rows[r]
            for k, v in prow.items():
                nv = row.get(k, ZERO) - f * v
                if nv:
                    row[k] = nv
                else:
                    row.pop(k, None)
        pivot_of[col] = p
    for r in free:  # leftover equations read 0 = rhs (their unknown columns were eliminated)
        if any(rows[r].get(n_unknowns + k) for k in range(n_rhs)):
            raise InconsistentSystem("the linear system has no solution")
    if missing:
        raise SingularSystem(f"the linear system is singular (rank {n_unknowns - len(missing)} < {n_unknowns} unknowns)")
    return [{k - n_unknowns: v for k, v in rows[pivot_of[c]].items() if k >= n_unknowns} for c in range(n_unknowns)]


def solve_dense(rows, n_unknowns: int, n_rhs: int):
    """:func:`gauss_jordan`'s system and answer, solved with FLINT's exact rational matrices (``fmpq_mat``).

    Python-flint (extra ``fast``) solves by fraction-free elimination in C;
    without it, or for a singular or non-square system (whose diagnosis
    :func:`gauss_jordan` gives), or beyond :data:`DENSE_LIMIT` unknowns
    (dense storage), the sparse pure-Python elimination answers.  Both are
    exact, so the answer is the same (tested).

    Examples
    --------
    >>> F = Fraction
    >>> solve_dense([{0: F(2), 1: F(1), 2: F(3)}, {0: F(1), 1: F(-1), 2: F(0)}], 2, 1)
    [{0: Fraction(1, 1)}, {0: Fraction(1, 1)}]
    """
    if _flint() is None or len(rows) != n_unknowns or n_unknowns > DENSE_LIMIT:
        return gauss_jordan(rows, n_unknowns, n_rhs)
    flint = _flint()
    n = n_unknowns
    A = flint.fmpq_mat(n, n)
    B = flint.fmpq_mat(n, n_rhs)
    for r, row in enumerate(rows):
        for k, v in row.items():
            if k < n:
                A[r, k] = flint.fmpq(v.numerator, v.denominator)
            else:
                B[r, k - n] = flint.fmpq(v.numerator, v.denominator)
    try:
        X = A.solve(B)
    except ZeroDivisionError:  # singular: the sparse elimination says whether inconsistent or underdetermined
        return gauss_jordan(rows, n_unknowns, n_rhs)
    out = []
    for r in range(n):
        sol = {}
        for k in range(n_rhs):
            v = X[r, k]
            if v != 0:
                sol[k] = Fraction(int(v.p), int(v.q))
        out.append(sol)
    return out


DENSE_LIMIT = 400
"""Largest system :func:`solve_dense` stores densely for FLINT (the sparse elimination beyond)."""

_FLINT = []


def _flint():
    """The ``flint`` module (python-flint), or None when it is not installed."""
    if not _FLINT:
        try:
            import flint
        except ImportError:  # pragma: no cover - the pure fallback is tested by forcing it
            flint = None
        _FLINT.append(flint)
    return _FLINT[0]


def coupling(q):
    """Per-agent matrices ``K_i`` (dicts (d, e) -> v) if the game is aggregative, else None."""
    D, N = q.n_groups, q.n_agents
    if N < 2:
        return None
    _, rows = q.affine_gradient
    Ks = []
    for i in range(N):
        K = {}
        for d in range(D):
            per = {}
            for col, v in rows[i * D + d].items():
                j, e = divmod(col, D)
                if j != i:
                    per.setdefault(j, {})[e] = v
            if not per:
                continue
            if len(per) != N - 1:
                return None
            first = next(iter(per.values()))
            if any(x != first for x in per.values()):
                return None
            K.update({(d, e): v for e, v in first.items()})
        Ks.append(K)
    return Ks


_COUPLING: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _coupling(q):
    try:
        return _COUPLING[q]
    except KeyError:
        _COUPLING[q] = out = coupling(q) if q.n_agents >= 3 else None  # N = 2: the full system is as small
        return out


def solve_support(q, support):
    """``(W, lambdas, g)`` in Fractions solving the KKT equations on ``support``, verified exactly
    (``g`` the own-gradients at ``W``, computed for the verification)."""
    Ks = _coupling(q)
    sol = None
    if Ks is not None:
        try:
            sol = _aggregative_flint(q, support, Ks) if _flint() is not None else None
            if sol is None:
                sol = _aggregative(q, support, Ks)
        except (SingularSystem, InconsistentSystem):
            sol = None  # per-agent systems can be singular although the full one is not
    if sol is None:
        sol = _full(q, support)
    return sol + (_verify(q, support, *sol),)


def _aggregative_flint(q, support, Ks):
    """:func:`_aggregative` with every agent's system and the aggregate one as FLINT matrices (``fmpq_mat``).

    Agent i's bordered system on ``S_i`` is ``Q_i^T Gb_i Q_i`` with
    ``Gb_i = [[G_i, -1], [1^T, 0]]`` (``G_i`` its own curvature net of the
    coupling ``K_i``) and ``Q_i`` the embedding of ``S_i`` and the
    multiplier; its right-hand side ``Q_i^T [[-c_i, -K_i], [1, 0]]``.  Only
    a loop over agents runs in Python; the O(N D^2) rational arithmetic runs
    in C.  None when a system is singular (the pure route then decides).
    """
    flint = _flint()
    N, D = q.n_agents, q.n_groups
    c, rows = q.affine_gradient
    Q = flint.fmpq

    def fq(v):
        return Q(v.numerator, v.denominator)

    total = flint.fmpq_mat(D + 1, D + 1)
    Ys = []
    try:
        for i, s in enumerate(support):
            n, K = len(s), Ks[i]
            Gb = flint.fmpq_mat(D + 1, D + 1)
            Bb = flint.fmpq_mat(D + 1, D + 1)
            for d in range(D):
                for col, v in rows[i * D + d].items():
                    j, e = divmod(col, D)
                    if j == i:
                        Gb[d, e] += fq(v)
                if c[i * D + d]:
                    Bb[d, 0] = -fq(c[i * D + d])
                Gb[d, D] = -1
                Gb[D, d] = 1
            for (d, e), v in K.items():
                Gb[d, e] -= fq(v)
                Bb[d, e + 1] = -fq(v)
            Bb[D, 0] = 1
            Qi = flint.fmpq_mat(D + 1, n + 1)
            for r, d in enumerate(s):
                Qi[d, r] = 1
            Qi[D, n] = 1
            Qt = Qi.transpose()
            Y = Qi * (Qt * Gb * Qi).solve(Qt * Bb)  # rows: w_i on S_i, then lambda_i; columns: 1, T
            Ys.append(Y)
            total += Y
        sumV = flint.fmpq_mat(D, D, [total[d, e + 1] for d in range(D) for e in range(D)])
        sumu = flint.fmpq_mat(D, 1, [total[d, 0] for d in range(D)])
        T = (flint.fmpq_mat(D, D, [int(d == e) for d in range(D) for e in range(D)]) - sumV).solve(sumu)
    except ZeroDivisionError:
        return None
    one_T = flint.fmpq_mat(D + 1, 1, [1] + [T[e, 0] for e in range(D)])
    W, lambdas = [], []
    for Y in Ys:
        x = Y * one_T
        vals = [Fraction(int(x[k, 0].p), int(x[k, 0].q)) for k in range(D + 1)]
        W.append(vals[:D])
        lambdas.append(vals[D])
    return W, lambdas


def _aggregative(q, support, Ks):
    N, D = q.n_agents, q.n_groups
    c, rows = q.affine_gradient
    u, V, lam = [], [], []
    for i, s in enumerate(support):
        n, K = len(s), Ks[i]
        eqs = []
        for d in s:
            row = rows[i * D + d]
            eq = {}
            for r, e in enumerate(s):
                v = row.get(i * D + e, ZERO) - K.get((d, e), ZERO)
                if v:
                    eq[r] = v
            eq[n] = Fraction(-1)
            if c[i * D + d]:
                eq[n + 1] = -c[i * D + d]
            for e in range(D):
                if K.get((d, e)):
                    eq[n + 2 + e] = -K[(d, e)]
            eqs.append(eq)
        eqs.append({**{r: Fraction(1) for r in range(n)}, n + 1: Fraction(1)})
        X = solve_dense(eqs, n + 1, D + 1)
        ui, Vi = [ZERO] * D, [{} for _ in range(D)]
        for r, d in enumerate(s):
            ui[d] = X[r].get(0, ZERO)
            Vi[d] = {e: v for e, v in ((k - 1, v) for k, v in X[r].items() if k) if v}
        u.append(ui)
        V.append(Vi)
        lam.append((X[n].get(0, ZERO), {k - 1: v for k, v in X[n].items() if k}))
    # (I - sum V) T = sum u
    sysT = []
    for d in range(D):
        eq = {d: Fraction(1)}
        for i in range(N):
            for e, v in V[i][d].items():
                nv = eq.get(e, ZERO) - v
                if nv:
                    eq[e] = nv
                else:
                    eq.pop(e, None)
        b = sum((u[i][d] for i in range(N)), ZERO)
        if b:
            eq[D] = b
        sysT.append(eq)
    T = [x.get(0, ZERO) for x in solve_dense(sysT, D, 1)]
    W = [[u[i][d] + sum((v * T[e] for e, v in V[i][d].items()), ZERO) for d in range(D)] for i in range(N)]
    lambdas = [l0 + sum((v * T[e] for e, v in lT.items()), ZERO) for l0, lT in lam]
    return W, lambdas


def _full(q, support):
    N, D = q.n_agents, q.n_groups
    c, rows = q.affine_gradient
    index = {}
    for i, s in enumerate(support):
        for d in s:
            index[i * D + d] = len(index)
    n_w = len(index)
    eqs = []
    for i, s in enumerate(support):
        for d in s:
            eq = {index[col]: v for col, v in rows[i * D + d].items() if col in index}
            eq[n_w + i] = Fraction(-1)
            if c[i * D + d]:
                eq[n_w + N] = -c[i * D + d]
            eqs.append(eq)
        eqs.append({**{index[i * D + d]: Fraction(1) for d in s}, n_w + N: Fraction(1)})
    X = solve_dense(eqs, n_w + N, 1)
    W = [[ZERO] * D for _ in range(N)]
    for k, r in index.items():
        W[k // D][k % D] = X[r].get(0, ZERO)
    return W, [X[n_w + i].get(0, ZERO) for i in range(N)]


def gradient_at(q, W):
    """Exact own-gradients ``c + M vec(W)`` (N x D nested lists of Fraction), in integer arithmetic."""
    import math

    D = q.n_groups
    c, rows = q.affine_gradient
    x = [v for row in W for v in row]
    den_x = 1
    for v in x:
        den_x = math.lcm(den_x, v.denominator)
    X = [v.numerator * (den_x // v.denominator) for v in x]  # x = X / den_x
    den_m, Mz = q.integer_jacobian  # M = Mz / den_m
    den = den_x * den_m
    g = [c[r] + Fraction(sum(v * X[col] for col, v in row.items()), den) for r, row in enumerate(Mz)]
    return [g[i * D:(i + 1) * D] for i in range(q.n_agents)]


def _verify(q, support, W, lambdas):
    g = gradient_at(q, W)
    for i, s in enumerate(support):
        if sum(W[i][d] for d in s) != 1 or any(W[i][d] for d in range(q.n_groups) if d not in s) \
                or any(g[i][d] != lambdas[i] for d in s):
            raise DerivationError(f"exact verification of the support solve failed for agent {i + 1}: a bug")
    return g


def equilibrium_on_support(game, q, support) -> Equilibrium:
    """The :class:`Equilibrium` on ``support`` with exact weights, multipliers, slacks and validity conditions.

    Same fields as :func:`symalign.core.derive.derive_on_support` of a numeric
    game (conditions: weight ``> 0`` on the support, slack ``lambda_i - g_{i,d} >= 0``
    off it, each ``True`` or ``False``).
    """
    W, lambdas, g = solve_support(q, support)
    N, D = q.n_agents, q.n_groups
    R = lambda f: sp.Rational(f.numerator, f.denominator)  # noqa: E731
    conditions, slack = [], [[sp.Integer(0)] * D for _ in range(N)]
    for i, s in enumerate(support):
        for d in range(D):
            if d in s:
                conditions.append(sp.true if W[i][d] > 0 else sp.false)
            else:
                slack[i][d] = R(lambdas[i] - g[i][d])
                conditions.append(sp.true if lambdas[i] >= g[i][d] else sp.false)
    return Equilibrium(game=game, weights=sp.ImmutableMatrix([[R(x) for x in row] for row in W]),
                       support=tuple(tuple(s) for s in support), multipliers=tuple(R(x) for x in lambdas),
                       conditions=tuple(conditions), hypotheses=game.hypotheses(), exact=True,
                       method="kkt-rational", slack=sp.ImmutableMatrix(slack))

"""Games with kinks (``abs``, ``max``, ``min``): smoothed numeric solves and an exact one-sided KKT check.

Gradient solvers stall at kinks (an L1 prior penalty ``-beta sum |w_d - p_d|``
puts equilibria exactly on them).  Two steps:

* :func:`smoothed_solution`: ``|a|`` is replaced by ``sqrt(a^2 + eps^2)``
  (``max``/``min`` through ``|a - b|``) and the smooth game solved for
  decreasing ``eps``, each solve warm-started at the previous point: a
  numeric point near the equilibrium, never reported as one by itself;
* :func:`one_sided_kkt`: at an exact rational candidate, each agent's
  one-sided derivatives ``g+_d = U'(w; e_d)`` and ``g-_d = -U'(w; -e_d)`` are
  computed exactly by directional-derivative rules (chain and product rules;
  at a kink of ``|a|`` the derivative is ``|a'|``, of ``max`` the largest
  active one), and the condition "some ``lambda`` has ``g+_d <= lambda <= g-_d``
  on the support and ``g+_d <= lambda`` off it" is checked in rationals.
  When every kink's argument involves one own weight, the superdifferential
  of ``U_i`` is the box ``[g+, g-]``, so under proved own-concavity the
  condition is exactly optimality of every agent (KKT with
  supergradients): an exact equilibrium.  Otherwise the check returns None.

Examples
--------
>>> w, p = sp.Symbol("w", nonnegative=True), sp.Rational(1, 3)
>>> one_sided_derivative(-sp.Abs(w - p), {w: p}, {w: 1}), one_sided_derivative(-sp.Abs(w - p), {w: p}, {w: -1})
(-1, -1)
"""

from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["is_nonsmooth", "smoothed_solution", "one_sided_derivative", "one_sided_kkt", "nonsmooth_equilibrium"]

_KINKS = (sp.Abs, sp.Max, sp.Min)


def is_nonsmooth(game) -> bool:
    """True when some utility contains ``abs``, ``max`` or ``min``."""
    return any(u.has(*_KINKS) for u in game.utilities())


def _smooth(expr, eps):
    def rule(e):
        args = [rule(a) for a in e.args] if e.args else []
        if isinstance(e, sp.Abs):
            return sp.sqrt(args[0] ** 2 + eps ** 2)
        if isinstance(e, (sp.Max, sp.Min)):
            out = args[0]
            for b in args[1:]:
                gap = sp.sqrt((out - b) ** 2 + eps ** 2)
                out = (out + b + gap) / 2 if isinstance(e, sp.Max) else (out + b - gap) / 2
            return out
        return e.func(*args) if args else e

    return rule(sp.sympify(expr, strict=True))


def smoothed_solution(game, *, epsilons=(1e-2, 1e-4, 1e-6, 1e-8), tol: float = 1e-11):
    """Numeric profiles approaching an equilibrium of a game with kinks (smoothing continuation).

    Yields one (N, D) array a smoothing level (the gradient is differentiated and compiled once, with
    ``eps`` an argument), so that the caller can stop as soon as a candidate passes its exact check.
    """
    from symalign.numeric import solvers
    from symalign.numeric.compile import compile_expressions

    W = game.weights
    flat = list(W)
    N, D = game.n_agents, game.n_groups
    eps = sp.Dummy("eps", positive=True)
    grads = [sp.diff(_smooth(game.utility(i), eps), W[i, d]) for i in range(N) for d in range(D)]
    f = compile_expressions(grads, flat + [eps])
    W0 = None
    for level in epsilons:
        def grad(P, level=level):
            out = f(*np.asarray(P, dtype=float).reshape(-1), level)
            return np.array(np.broadcast_arrays(*out), dtype=float).reshape(N, D)

        W0 = np.asarray(solvers.solve(grad, N, D, W0=W0, tol=max(tol, level * 1e-3), max_iter=50_000).weights)
        yield W0


def one_sided_derivative(expr, point, direction):
    """Exact one-sided directional derivative of ``expr`` at ``point`` along ``direction`` ({symbol: coefficient})."""
    e = sp.sympify(expr, strict=True)
    if not (e.free_symbols & set(direction)):
        return sp.Integer(0)
    if e.is_Symbol:
        return sp.sympify(direction.get(e, 0), strict=True)
    if e.is_Add:
        return sp.Add(*[one_sided_derivative(a, point, direction) for a in e.args])
    if e.is_Mul:
        vals = [a.xreplace(point) for a in e.args]
        return sp.Add(*[one_sided_derivative(a, point, direction) * sp.Mul(*(vals[:k] + vals[k + 1:]))
                        for k, a in enumerate(e.args)])
    if isinstance(e, sp.Abs):
        a0 = e.args[0].xreplace(point)
        da = one_sided_derivative(e.args[0], point, direction)
        return abs(da) if a0 == 0 else sp.sign(a0) * da
    if isinstance(e, (sp.Max, sp.Min)):
        vals = [a.xreplace(point) for a in e.args]
        best = max(vals) if isinstance(e, sp.Max) else min(vals)
        ders = [one_sided_derivative(a, point, direction) for a, v in zip(e.args, vals) if v == best]
        return max(ders) if isinstance(e, sp.Max) else min(ders)
    if len(e.args) == 1 or (e.is_Pow and not (e.exp.free_symbols & set(direction))):
        inner = e.args[0]
        x = sp.Dummy("x")
        outer = e.func(x, *e.args[1:]) if e.is_Pow else e.func(x)
        return sp.diff(outer, x).xreplace({x: inner.xreplace(point)}) * one_sided_derivative(inner, point, direction)
    raise NotImplementedError(f"no one-sided derivative rule for {e.func.__name__}")


def _separable_kinks(expr, own) -> bool:
    return all(len(k.args[0].free_symbols & own) <= 1 if isinstance(k, sp.Abs)
               else len(set().union(*(a.free_symbols for a in k.args)) & own) <= 1
               for k in sp.sympify(expr, strict=True).atoms(*_KINKS))


def one_sided_kkt(game, R) -> bool | None:
    """Exact supergradient KKT check at the rational profile ``R`` (rows of Rationals).

    True when every agent's condition holds, False when one fails, None when
    a kink's argument involves several own weights (the check would not be
    exact) or a derivative rule is missing.
    """
    N, D = game.n_agents, game.n_groups
    Wsym = game.weights
    point = {Wsym[i, d]: R[i][d] for i in range(N) for d in range(D)}
    for i in range(N):
        u, own = game.utility(i), list(Wsym.row(i))
        if not _separable_kinks(u, set(own)):
            return None
        try:
            up = [one_sided_derivative(u, point, {w: 1}) for w in own]
            down = [-one_sided_derivative(u, point, {w: -1}) for w in own]
        except NotImplementedError:
            return None
        if not all(x.is_Rational for x in up + down):
            return None
        support = [d for d in range(D) if R[i][d] > 0]
        low = max(up)  # lambda >= g+_d for every d
        if support and low > min(down[d] for d in support):
            return False
    return True


def nonsmooth_equilibrium(game, ng):
    """Kinks (abs/max/min): smoothing continuation for the point, then an exact one-sided KKT check of its
    rational candidate; the numeric point when the check does not pass (``ng`` is unused, kept for the caller)."""
    from symalign.core.equilibrium import Equilibrium
    from symalign.numeric.recognise import rational_candidate

    ok = R = None
    for W in smoothed_solution(game):  # loose candidates are fine: the exact check decides
        for den, tol in ((20, 2e-2), (100, 1e-3), (1000, 1e-5)):
            R = rational_candidate(W, max_denominator=den, tol=tol)
            ok = one_sided_kkt(game, R) if R is not None else None
            if ok:
                break
        if ok:
            break
    N, D = game.n_agents, game.n_groups
    if ok:
        support = tuple(tuple(d for d in range(D) if R[i][d] > 0) for i in range(N))
        return Equilibrium(game, sp.ImmutableMatrix(N, D, lambda i, d: R[i][d]), support, (), (sp.true,) * (N * D),
                           game.hypotheses(), True, "smoothing + one-sided exact KKT", None,
                           ("utility with kinks: the profile's one-sided derivatives satisfy the supergradient KKT "
                            "conditions exactly (each kink in one own weight, so the superdifferential is a box)",))
    why = "no rational candidate" if R is None else ("the exact one-sided KKT check failed" if ok is False else
                                                     "kinks in several own weights: no exact check")
    support = tuple(tuple(int(d) for d in np.flatnonzero(row > 1e-9)) or (int(np.argmax(row)),) for row in W)
    return Equilibrium(game, sp.ImmutableMatrix(W.tolist()), support, exact=False, method="smoothing continuation",
                       hypotheses=game.hypotheses(),
                       notes=(f"utility with kinks: numeric point of the smoothed game ({why})",))

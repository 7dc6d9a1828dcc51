"""The one bridge from symbolic to numeric: compile SymPy expressions with lambdify.

Generated functions take explicit, documented arguments; compilation is
refused when an expression has a free symbol that is not an argument
(a silent NameError or a wrong constant at run time would be worse).
Common-subexpression elimination is on by default.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

from symalign.core.gamecache import GameCache
from symalign.errors import InputError

__all__ = ["compile_expressions", "NumericGame", "numeric_game"]


def compile_expressions(exprs, args, *, cse: bool = True, definitions=()) -> Callable:
    """Compile a list of expressions into one NumPy function of ``args``.

    Parameters
    ----------
    exprs : sequence of Expr
    args : sequence of Symbol
        The positional arguments of the generated function, in this order.
    cse : bool
        Common-subexpression elimination (default on).
    definitions : sequence of (Symbol, Expr), optional
        Named intermediate quantities in dependency order (as in
        :class:`symalign.core.structured.StructuredForm`): ``exprs`` and
        later right-hand sides may use the symbols defined earlier.  They
        become local assignments of the generated function, so a closed
        form is compiled in its derived structure, never expanded.

    Returns
    -------
    callable
        ``f(*arrays) -> list`` of the expressions evaluated elementwise.

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> f = compile_expressions([x * y, x + 1], [x, y])
    >>> f(2.0, 3.0)
    [6.0, 3.0]
    >>> s = sp.Dummy("s")
    >>> compile_expressions([x / s, y / s], [x, y], definitions=[(s, x + y)])(1.0, 3.0)
    [0.25, 0.75]
    """
    from symalign.core.structured import check_definitions

    exprs = [sp.sympify(e, strict=True) for e in exprs]
    args = list(args)
    allowed = set(args)
    try:
        definitions = check_definitions(definitions, allowed)
    except InputError as exc:
        raise InputError("definitions", [str(s) for s, _ in definitions], exc.reason) from None
    defined = {sym for sym, _ in definitions}
    missing = set().union(*(e.free_symbols for e in exprs)) - allowed - defined if exprs else set()
    if missing:
        names = sorted(str(s) for s in missing)
        raise InputError("args", [str(a) for a in args], f"free symbols {names} are not among the arguments")
    # Arguments whose names are not identifiers (``a_{1,1}``) get plain identifier names here, in one
    # pass; lambdify would substitute them one at a time into every expression (quadratic in the size,
    # and for every argument as soon as one is a Dummy).
    names = {str(x) for e in exprs for x in e.free_symbols} | {str(x) for _, e in definitions for x in e.free_symbols}
    prefix = "_arg"
    while any(n.startswith(prefix) for n in names):
        prefix = "_" + prefix
    rename = {a: sp.Symbol(f"{prefix}{k}") for k, a in enumerate(args)
              if isinstance(a, sp.Symbol) and not (a.name.isidentifier() and not keyword.iskeyword(a.name))}
    if rename:
        args = [rename.get(a, a) for a in args]
        exprs = [e.xreplace(rename) for e in exprs]
        definitions = tuple((sym, expr.xreplace(rename)) for sym, expr in definitions)
    if not definitions:
        return sp.lambdify(args, exprs, modules=_NUMPY, cse=cse)
    # local names that are valid identifiers and cannot clash with an argument
    local = {sym: sp.Dummy(f"q{k}") for k, (sym, _) in enumerate(definitions)}
    pairs = [(local[sym], expr.xreplace(local)) for sym, expr in definitions]
    exprs = [e.xreplace(local) for e in exprs]
    return sp.lambdify(args, exprs, modules=_NUMPY, cse=lambda out: _assignments(pairs, out, cse))


def _assignments(pairs, exprs, cse):
    """``(assignments, outputs)`` for lambdify: the definitions (and cse's) in dependency order."""
    if not cse:
        return pairs, exprs
    rhs = [expr for _, expr in pairs]
    repl, reduced = sp.cse(rhs + list(exprs), symbols=sp.numbered_symbols("x", cls=sp.Dummy), list=True)
    named = [(sym, e) for (sym, _), e in zip(pairs, reduced[: len(pairs)])]
    return _topological(list(repl) + named), reduced[len(pairs):]


def _topological(assignments):
    """Order ``(symbol, expr)`` pairs so each comes after the symbols it uses (stable)."""
    targets = {sym for sym, _ in assignments}
    done, out, pending = set(), [], list(assignments)
    while pending:
        rest = []
        for sym, expr in pending:
            if (expr.free_symbols & targets) <= done:
                out.append((sym, expr))
                done.add(sym)
            else:
                rest.append((sym, expr))
        if len(rest) == len(pending):
            raise InputError("definitions", [str(s) for s, _ in rest], "circular definitions")
        pending = rest
    return out


# lambdify's "numpy" namespace given as the module object (plus SymPy's two translations for it), not as
# the string: the string runs `from numpy import *`, which imports numpy's lazy submodules (f2py, testing,
# ma, ...; ~60 ms at the first call of a CLI command)
def _xlogy(x, y):
    """``x log y`` with the limit value 0 where ``x = 0`` (as scipy.special.xlogy); used only where ``y / x``
    is free of the weights (entropy, KL), so that 0 is the limit of the expression."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where(x == 0, 0.0, out)


class XLogY(sp.Function):
    """``x log(y)`` whose value at ``x = 0`` is the limit 0 (compiled to :func:`_xlogy`)."""

    nargs = 2


def with_entropy_limits(expr, weights):
    """Rewrite each product ``x log(k x)`` (``k`` free of ``weights``) as :class:`XLogY`, so that ``0 log 0 = 0``.

    Examples
    --------
    >>> w = sp.Symbol("w", nonnegative=True)
    >>> f = compile_expressions([with_entropy_limits(-w * sp.log(w / 2) + w, {w})], [w])
    >>> float(f(0.0)[0]), round(float(f(0.5)[0]), 6)
    (0.0, 1.193147)
    """
    weights = set(weights)

    def fix(e):
        if not e.args:
            return e
        e = e.func(*[fix(a) for a in e.args]) if not isinstance(e, XLogY) else e
        if e.is_Mul:
            logs = [a for a in e.args if isinstance(a, sp.log)]
            if len(logs) == 1:
                rest = sp.Mul(*[a for a in e.args if a is not logs[0]])
                const = sp.Mul(*[a for a in sp.Mul.make_args(rest) if not (a.free_symbols & weights)])
                x = rest / const
                if x.free_symbols & weights and not (sp.cancel(logs[0].args[0] / x).free_symbols & weights):
                    return const * XLogY(x, logs[0].args[0])
        return e

    return fix(sp.sympify(expr, strict=True))


_NUMPY = [{"I": 1j, "Heaviside": np.heaviside, "XLogY": _xlogy}, np]


@dataclass(frozen=True, eq=False)
class NumericGame:
    """A numeric game as plain callables on profiles ``W`` of shape (N, D).

    ``grad(W)`` returns the (N, D) array whose row i is the gradient of
    ``U_i`` in agent i's own weights; ``utility(W)`` the (N,) utilities.
    """

    n_agents: int
    n_groups: int
    grad: Callable
    utility: Callable
    concave: bool = True
    entropic: bool = False


def numeric_game(game, *, cse: bool = True) -> NumericGame:
    """Compile a game with numeric parameters into a :class:`NumericGame` (memoised per game).

    The gradients are those of :func:`symalign.core.kkt.kkt_system` (built
    once per game).  When they are affine in the weights, ``grad`` is the
    matrix product ``c + M vec(W)`` with ``c`` and ``M`` taken from the
    affine parts (no code generation); otherwise they are compiled with
    lambdify.  The utilities are compiled on the first call of ``utility``.
    A game is immutable, so the result is cached by content
    (:class:`~symalign.core.gamecache.GameCache`): a warm ``solve`` of the
    same or an equal game compiles nothing.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 0]], p=[0.5, 0.5])
    >>> ng = numeric_game(g)
    >>> ng.grad(np.full((2, 2), 0.5)).tolist(), float(ng.utility(np.full((2, 2), 0.5))[0])
    ([[1.0, 0.0], [0.0, 0.0]], 0.5)
    >>> numeric_game(g) is ng
    True
    """
    cse = bool(cse)
    return _NUMERIC[cse].get(game, lambda g: _build_numeric_game(g, cse))


_NUMERIC = {True: GameCache(maxsize=16), False: GameCache(maxsize=4)}
"""Compiled games by ``cse``: the content-keyed LRU of :mod:`symalign.core.gamecache` (one cache mechanism)."""


def _build_numeric_game(game, cse) -> NumericGame:
    from symalign.core.kkt import kkt_system

    free = game.free_symbols()
    if free:
        raise InputError("game", game, f"has symbolic parameters {sorted(map(str, free))}; substitute numbers first")
    W = game.weights
    flat = list(W)
    N, D = game.n_agents, game.n_groups
    kkt = kkt_system(game)
    parts = kkt.affine_parts()
    if parts is not None:
        index = {w: k for k, w in enumerate(flat)}
        entries = [entry for row in parts for entry in row]
        c0 = np.array([float(const) for const, _ in entries])
        M = np.zeros((N * D, N * D))
        for r, (_, coeffs) in enumerate(entries):
            for w, coeff in coeffs.items():
                M[r, index[w]] = float(coeff)

        def grad(P):
            return (c0 + M @ np.asarray(P, dtype=float).reshape(-1)).reshape(N, D)
    else:
        fg = compile_expressions(list(kkt.gradients), flat, cse=cse)

        def grad(P):
            out = fg(*np.asarray(P, dtype=float).reshape(-1))
            return np.array(np.broadcast_arrays(*out), dtype=float).reshape(N, D)

    compiled_utility = []

    def utility(P):
        if not compiled_utility:
            compiled_utility.append(compile_expressions([with_entropy_limits(u, flat) for u in game.utilities()],
                                                        flat, cse=cse))
        out = compiled_utility[0](*np.asarray(P, dtype=float).reshape(-1))
        return np.array(np.broadcast_arrays(*out), dtype=float).reshape(N)

    entropic = getattr(game.family, "variant", "") == "entropic"
    return NumericGame(N, D, grad, utility, concave=game.family.strictly_concave, entropic=entropic)

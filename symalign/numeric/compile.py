"""The one bridge from symbolic to numeric: compile SymPy expressions with lambdify.

Generated functions take explicit, documented arguments; compilation is
refused when an expression has a free symbol that is not an argument
(a silent NameError or a wrong constant at run time would be worse).
Common-subexpression elimination is on by default.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

from symalign.errors import InputError

__all__ = ["compile_expressions", "NumericGame", "numeric_game"]


def compile_expressions(exprs, args, *, cse: bool = True) -> Callable:
    """Compile a list of expressions into one NumPy function of ``args``.

    Parameters
    ----------
    exprs : sequence of Expr
    args : sequence of Symbol
        The positional arguments of the generated function, in this order.
    cse : bool
        Common-subexpression elimination (default on).

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
    """
    exprs = [sp.sympify(e, strict=True) for e in exprs]
    args = list(args)
    allowed = set(args)
    missing = set().union(*(e.free_symbols for e in exprs)) - allowed if exprs else set()
    if missing:
        names = sorted(str(s) for s in missing)
        raise InputError("args", [str(a) for a in args], f"free symbols {names} are not among the arguments")
    return sp.lambdify(args, exprs, modules=_NUMPY, cse=cse)


# lambdify's "numpy" namespace given as the module object (plus SymPy's two translations for it), not as
# the string: the string runs `from numpy import *`, which imports numpy's lazy submodules (f2py, testing,
# ma, ...; ~60 ms at the first call of a CLI command)
_NUMPY = [{"I": 1j, "Heaviside": np.heaviside}, np]


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
    A game is immutable, so the result is cached by identity: a warm
    ``solve`` of the same game compiles nothing.

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
    key = (bool(cse),)
    try:
        return _NUMERIC[game][key]
    except (KeyError, TypeError):
        pass
    ng = _build_numeric_game(game, cse)
    try:
        _NUMERIC.setdefault(game, {})[key] = ng
    except TypeError:  # not weak-referenceable: no cache
        pass
    return ng


_NUMERIC: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


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
            compiled_utility.append(compile_expressions(list(game.utilities()), flat, cse=cse))
        out = compiled_utility[0](*np.asarray(P, dtype=float).reshape(-1))
        return np.array(np.broadcast_arrays(*out), dtype=float).reshape(N)

    entropic = getattr(game.family, "variant", "") == "entropic"
    return NumericGame(N, D, grad, utility, concave=game.family.strictly_concave, entropic=entropic)

"""The one bridge from symbolic to numeric: compile SymPy expressions with lambdify.

Generated functions take explicit, documented arguments; compilation is
refused when an expression has a free symbol that is not an argument
(a silent NameError or a wrong constant at run time would be worse).
Common-subexpression elimination is on by default.
"""

from __future__ import annotations

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
    return sp.lambdify(args, exprs, modules="numpy", cse=cse)


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
    """Compile a game with numeric parameters into a :class:`NumericGame`."""
    free = game.free_symbols()
    if free:
        raise InputError("game", game, f"has symbolic parameters {sorted(map(str, free))}; substitute numbers first")
    W = game.weights
    flat = list(W)
    grads = [sp.diff(game.utility(i), w) for i in range(game.n_agents) for w in W.row(i)]
    utils = list(game.utilities())
    fg = compile_expressions(grads, flat, cse=cse)
    fu = compile_expressions(utils, flat, cse=cse)
    N, D = game.n_agents, game.n_groups

    def grad(P):
        P = np.asarray(P, dtype=float)
        out = fg(*P.reshape(-1))
        return np.array(np.broadcast_arrays(*out), dtype=float).reshape(N, D)

    def utility(P):
        P = np.asarray(P, dtype=float)
        out = fu(*P.reshape(-1))
        return np.array(np.broadcast_arrays(*out), dtype=float).reshape(N)

    entropic = getattr(game.family, "variant", "") == "entropic"
    return NumericGame(N, D, grad, utility, concave=game.family.strictly_concave, entropic=entropic)

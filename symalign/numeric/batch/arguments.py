"""Arguments of compiled games: their order, the arrays of a batch, and the per-point parameter checks.

:func:`default_args` orders a game's free symbols (the arguments of
:func:`symalign.numeric.batch.compiled.compile_game`), :func:`check_args`
validates given ones, :func:`batch_arrays` turns the values passed for one
call into float arrays of one batch, and :func:`compile_relations` /
:func:`failures` compile relations in the arguments (parameter
constraints, concavity hypotheses) and mark the points where they fail.
:func:`exclusion_supports` lists the supports "group d excluded by every
agent" (for ``compile_game(..., supports=...)``).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symalign.errors import InputError, ShapeError
from symalign.numeric.batch.closedform import flatten_conditions, relation_parts
from symalign.numeric.compile import compile_expressions
from symalign.core.params import flat_values

__all__ = ["default_args", "exclusion_supports", "check_args", "batch_arrays", "compile_domain", "compile_relations",
           "failures", "holds"]


def default_args(game) -> tuple:
    """The game's free symbols in the documented order.

    Parameters in the family's declaration order; within one, agent by agent
    and group by group (row-major), each symbol at its first appearance.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, 2, a=[1, 0], p=[0.5, 0.5])
    >>> default_args(g)
    (alpha, beta, gamma)
    """
    seen = {}
    for spec in game.family.parameters():
        for x in flat_values(game.params[spec.name]):
            for s in sorted(sp.sympify(x, strict=True).free_symbols, key=str):
                seen.setdefault(s, None)
    return tuple(seen)


def exclusion_supports(game) -> tuple:
    """The D supports "group d excluded by every agent" (for ``supports=``)."""
    d_all = range(game.n_groups)
    return tuple(tuple(tuple(e for e in d_all if e != d) for _ in range(game.n_agents)) for d in d_all)


def check_args(game, args) -> tuple:
    """``args`` checked (distinct Symbols covering the game's free symbols), or :func:`default_args`."""
    args = default_args(game) if args is None else tuple(args)
    bad = [a for a in args if not isinstance(a, sp.Symbol)]
    if bad:
        raise InputError("args", bad[0], "arguments must be SymPy Symbols")
    if len(set(args)) != len(args):
        raise InputError("args", [str(a) for a in args], "arguments must be distinct")
    missing = game.free_symbols() - set(args)
    if missing:
        raise InputError("args", [str(a) for a in args],
                         f"free symbols {sorted(map(str, missing))} of the game are not among the arguments")
    return args


def batch_arrays(names, arrays, named) -> list:
    """One contiguous float array per argument in ``names``, broadcast to one batch.

    The values come by position (``arrays``) or by name (``named``), not both.
    """
    if named:
        if arrays:
            raise InputError("arrays", len(arrays), "pass the arguments either all by position or all by name")
        unknown = set(named) - set(names)
        missing = [n for n in names if n not in named]
        if unknown or missing:
            raise InputError(sorted(unknown)[0] if unknown else missing[0], None,
                             f"arguments must be exactly {list(names)}")
        arrays = [named[n] for n in names]
    if len(arrays) != len(names):
        raise InputError("arrays", len(arrays), f"expected {len(names)} arrays, one per argument {list(names)}")
    out = []
    for name, x in zip(names, arrays):
        try:
            v = np.asarray(x, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(name, x, f"cannot be converted to a float array ({exc})") from None
        if v.ndim > 1:
            raise ShapeError(name, x, f"must be a scalar or a 1-D array (one value per point), got shape {v.shape}")
        bad = ~np.isfinite(v)
        if bad.any():
            k = int(np.flatnonzero(bad.ravel())[0])
            raise InputError(name, float(v.ravel()[k]), f"must be finite (point {k})")
        out.append(v)
    try:
        shape = np.broadcast_shapes(*(v.shape for v in out)) or (1,)
    except ValueError:
        raise ShapeError("arrays", {n: v.shape for n, v in zip(names, out)}, "lengths do not broadcast to one batch") from None
    return [np.ascontiguousarray(np.broadcast_to(v, shape)) for v in out]


def compile_domain(game, args, cse) -> tuple:
    """The game's parameter constraints and the arguments' signs, compiled (see :func:`compile_relations`)."""
    # The derivation relies on the arguments' sign assumptions, which also make parameter_constraints()
    # drop relations such as `alpha > 0` (True for a positive symbol): check them unevaluated.
    signs = [sp.StrictGreaterThan(a, 0, evaluate=False) if a.is_positive else sp.GreaterThan(a, 0, evaluate=False)
             for a in args if a.is_nonnegative]
    return compile_relations(signs + list(game.parameter_constraints()), args, cse)


def compile_relations(rels, args, cse) -> tuple:
    """``(fn, kinds, texts)``: one compiled function for the relations ``rels`` (see :func:`failures`)."""
    exprs, kinds, texts = [], [], []
    for rel in dict.fromkeys(flatten_conditions(rels)):
        parts = relation_parts(rel)
        if parts is not None:
            exprs.append(parts[0])
            kinds.append(parts[1])
            texts.append(str(rel))
    return compile_expressions(exprs, args, cse=cse), tuple(kinds), tuple(texts)


def failures(relations, P, b):
    """``(text, bad)`` per compiled relation: ``bad`` (shape (b,)) marks the points where it fails."""
    fn, kinds, texts = relations
    for v, kind, text in zip(fn(*P), kinds, texts):
        yield text, _fails(np.broadcast_to(np.asarray(v, float), (b,)), kind)


def holds(relations, P, b) -> np.ndarray:
    """``(b,)`` bool: the points where every compiled relation holds."""
    ok = np.ones(b, bool)
    for _, bad in failures(relations, P, b):
        ok &= ~bad
    return ok


def _fails(v, kind) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if kind == "gt":
            return ~(v > 0)
        if kind == "ge":
            return ~(v >= 0)
        return ~(np.abs(v) <= 1e-9)



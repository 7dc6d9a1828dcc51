"""Values handed to the Python API by a user, turned into exact SymPy objects without evaluating anything.

Every string a user gives to an API (``Game.subs``, ``Equilibrium.subs``,
``shift_attractiveness``, ...) goes through the whitelist parser of
:mod:`symalign.core.expr`, never through ``sympify`` (which evaluates text).
"""

from __future__ import annotations

import math
from typing import Mapping

import sympy as sp

from symalign.core import limits
from symalign.core.expr import Scope, _to_value, parse_expression
from symalign.errors import ArgumentTypeError, InputError

__all__ = ["user_value", "user_substitution", "user_condition"]


def user_value(value, argument: str, scope: "Scope | None" = None):
    """A value from a user (number, SymPy expression or expression text) as an exact SymPy expression.

    Text is read by the whitelist parser (never ``sympify``): names must be
    declared by ``scope``.  Python numbers are kept exact (floats by their
    shortest decimal).

    Examples
    --------
    >>> import sympy as sp
    >>> g = sp.Symbol("gamma", positive=True)
    >>> user_value("2*gamma + 0.5", "shift", Scope({"gamma": g}))
    2*gamma + 1/2
    >>> user_value("__import__('os')", "shift")
    Traceback (most recent call last):
    ...
    symalign.errors.ExpressionError: in expression "__import__('os')": call to undeclared function '__import__': "__import__('os')"
    """
    if isinstance(value, str):
        return parse_expression(value, scope or Scope({}))
    if isinstance(value, bool) or value is None:
        raise ArgumentTypeError(argument, value, "expected a number, a SymPy expression or an expression string")
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr):
            raise ArgumentTypeError(argument, value, "expected an expression, not a relation or a boolean")
        out = sp.Rational(str(value)) if isinstance(value, sp.Float) else value
    else:
        try:
            out = _to_value(value)
        except TypeError:
            raise ArgumentTypeError(argument, value, f"expected a number or an expression, got {type(value).__name__}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(argument, value, "must be finite (NaN and infinity are not allowed)")
        if not isinstance(out, sp.Expr):
            raise ArgumentTypeError(argument, value, f"expected a number or an expression, got {type(value).__name__}")
    if out.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise InputError(argument, value, "must be finite")
    if out.has(sp.I):
        raise InputError(argument, value, "must be real (complex numbers are not allowed)")
    limits.check_digits(out, argument, shown=value)
    return out


def user_substitution(values, symbols, argument: str = "values") -> dict:
    """``{symbol or name: value}`` from a user -> ``{Symbol: exact expression}``, nothing evaluated.

    Names are looked up among ``symbols`` (the parameter symbols of a game);
    a value may be expression text in those names.
    """
    if not isinstance(values, Mapping):
        raise ArgumentTypeError(argument, values, "expected a mapping {symbol or name: value}")
    by_name = {s.name: s for s in symbols}
    scope = Scope(dict(by_name))
    out = {}
    for key, value in values.items():
        if isinstance(key, str):
            if key not in by_name:
                raise InputError(argument, key, f"no parameter symbol of that name (symbols: {sorted(by_name)})")
            key = by_name[key]
        elif not isinstance(key, sp.Symbol):
            raise ArgumentTypeError(argument, key, "keys must be SymPy symbols or their names")
        out[key] = user_value(value, f"{argument}[{key}]", scope)
    return out


def user_condition(value, argument: str, symbols=()):
    """A condition from a user (a SymPy relation or condition text in ``symbols``' names), nothing evaluated."""
    from sympy.logic.boolalg import Boolean

    from symalign.core.expr import parse_condition

    if isinstance(value, str):
        return parse_condition(value, Scope({s.name: s for s in symbols}))
    if isinstance(value, bool):
        return sp.true if value else sp.false
    if isinstance(value, Boolean):
        return value
    raise ArgumentTypeError(argument, value, "expected a SymPy relation or a condition string such as 'gamma < beta'")

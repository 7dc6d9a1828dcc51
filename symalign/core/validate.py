"""Argument checks for the Python API: the package's own exceptions, never a deep SymPy/NumPy one.

Examples
--------
>>> positive_int(-1, "max_profiles")
Traceback (most recent call last):
...
symalign.errors.InputError: max_profiles=-1: must be a positive integer
>>> flag("no", "homogeneous")
Traceback (most recent call last):
...
symalign.errors.ArgumentTypeError: homogeneous='no': must be True or False
"""

from __future__ import annotations

import math
import numbers

from symalign.errors import ArgumentTypeError, InputError

__all__ = ["game", "positive_int", "positive_float", "flag", "callable_or_none"]


def game(value, argument: str = "game", *, numeric: bool = False):
    """``value`` must be a :class:`~symalign.core.game.Game` (numeric if asked)."""
    from symalign.core.game import Game

    if not isinstance(value, Game):
        raise ArgumentTypeError(argument, value, f"expected a symalign Game, got {type(value).__name__}")
    if numeric and not value.is_numeric:
        raise InputError(argument, value, "has symbolic parameters; give numbers (or use derive_on_support)")
    return value


def positive_int(value, argument: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(argument, value, "must be a positive integer")
    if value < (0 if allow_zero else 1):
        raise InputError(argument, value, "must be a non-negative integer" if allow_zero else "must be a positive integer")
    return int(value)


def positive_float(value, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(argument, value, "must be a positive number")
    try:
        out = float(value)
    except OverflowError:
        raise InputError(argument, value, "must be a finite positive number") from None
    if not math.isfinite(out) or out <= 0:
        raise InputError(argument, value, "must be a finite positive number")
    return out


def flag(value, argument: str) -> bool:
    if not isinstance(value, bool):
        raise ArgumentTypeError(argument, value, "must be True or False")
    return value


def callable_or_none(value, argument: str):
    if value is not None and not callable(value):
        raise ArgumentTypeError(argument, value, "must be callable or None")
    return value

"""Hypothesis strategies for exact numbers: bounded rationals and simplex points.

The building blocks of the game strategies of :mod:`symalign.verify.strategies`
(which re-exports :func:`rationals` and :func:`simplex_points`): exact
:class:`sympy.Rational` numbers with small denominators, and points of the
probability simplex built as normalised vectors of counts, so they lie on
the simplex by construction.  The argument checks shared by the strategy
modules live here too.

Its two strategies, :func:`rationals` and :func:`simplex_points`, are
re-exported and documented by :mod:`symalign.verify.strategies`.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from symalign.errors import InputError
from symalign.core.params import exact

__all__ = [
    "rationals",
    "simplex_points",
]

#: Largest count drawn when building exact simplex points (denominators stay small).
_MAX_COUNT = 4


# --------------------------------------------------------------------------- helpers


def int_or_strategy(value, argument: str, lo: int) -> SearchStrategy:
    """``value`` as a strategy of ints (an int becomes ``just``); checked eagerly."""
    if isinstance(value, SearchStrategy):
        return value
    if isinstance(value, bool) or not isinstance(value, Integral) or value < lo:
        raise InputError(argument, value, f"must be an integer >= {lo} or a strategy of integers")
    return st.just(int(value))


def exact_number(value, argument: str) -> sp.Rational:
    """``value`` as an exact rational (``0.1`` is ``1/10``); InputError otherwise."""
    out = exact(value, argument)
    if not out.is_Rational:
        raise InputError(argument, value, "must be a rational number")
    return out


def check_denominator(max_denominator) -> int:
    """``max_denominator`` as an int ``>= 1``; InputError otherwise."""
    if isinstance(max_denominator, bool) or not isinstance(max_denominator, Integral) or max_denominator < 1:
        raise InputError("max_denominator", max_denominator, "must be an integer >= 1")
    return int(max_denominator)


def _numerator_range(q: int, lo, hi, exclude_min: bool, exclude_max: bool) -> tuple:
    nlo, nhi = math.ceil(lo * q), math.floor(hi * q)
    if exclude_min and nlo == lo * q:
        nlo += 1
    if exclude_max and nhi == hi * q:
        nhi -= 1
    return int(nlo), int(nhi)


# --------------------------------------------------------------------------- numbers


def rationals(
    lo, hi, max_denominator: int = 10, *, exclude_min: bool = False, exclude_max: bool = False
) -> SearchStrategy:
    """Exact rationals ``n/q`` in ``[lo, hi]`` with ``1 <= q <= max_denominator``.

    Draws shrink towards denominator 1 and towards the value nearest 0.

    Parameters
    ----------
    lo, hi : number or str
        Bounds, converted exactly (``0.1`` is ``1/10``, ``"1/3"`` is ``1/3``).
    max_denominator : int, optional
        Largest denominator drawn (default 10).
    exclude_min, exclude_max : bool, optional
        Make the interval open at ``lo`` / ``hi``.

    Returns
    -------
    SearchStrategy of sympy.Rational

    Raises
    ------
    InputError
        If ``lo > hi``, the bounds are not rational, or no rational with a
        small enough denominator lies in the interval.

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> find(rationals(0, 1, 4), lambda x: x > sp.Rational(1, 2), settings=settings(database=None))
    1
    >>> find(rationals(0, 1, 4, exclude_max=True), lambda x: x > sp.Rational(1, 2),
    ...      settings=settings(database=None))
    2/3
    >>> rationals(1, 0)
    Traceback (most recent call last):
    ...
    symalign.errors.InputError: lo=1: must be <= hi=0
    """
    lo_r, hi_r = exact_number(lo, "lo"), exact_number(hi, "hi")
    q_max = check_denominator(max_denominator)
    if lo_r > hi_r:
        raise InputError("lo", lo_r, f"must be <= hi={hi_r}")
    if hi_r - lo_r >= 2:  # every denominator has a numerator strictly inside
        qs = list(range(1, q_max + 1))
    else:
        qs = [q for q in range(1, q_max + 1) if _ordered(_numerator_range(q, lo_r, hi_r, exclude_min, exclude_max))]
    if not qs:
        raise InputError(
            "max_denominator", q_max,
            f"no rational with denominator <= {q_max} lies in the interval "
            f"{'(' if exclude_min else '['}{lo_r}, {hi_r}{')' if exclude_max else ']'}",
        )

    return _draw_rational(tuple(qs), lo_r, hi_r, exclude_min, exclude_max)


def _ordered(pair) -> bool:
    return pair[0] <= pair[1]


# Composite strategies are defined once, at module level: ``st.composite``
# inspects the source of the function it decorates, which is slow to repeat.


@st.composite
def _draw_rational(draw, qs, lo, hi, exclude_min, exclude_max):
    q = draw(st.sampled_from(qs))
    nlo, nhi = _numerator_range(q, lo, hi, exclude_min, exclude_max)
    return sp.Rational(draw(st.integers(nlo, nhi)), q)


# --------------------------------------------------------------------------- simplex


def simplex_points(n: int, *, min_value=0, exact: bool = False, interior: bool = False) -> SearchStrategy:
    """Points of the probability simplex ``{w in R^n : w >= 0, sum(w) = 1}``.

    Unless ``interior`` or ``min_value > 0``, about half of the draws lie on a
    proper face (some entries exactly zero), vertices included; the rest have
    every entry positive.

    Parameters
    ----------
    n : int
        Dimension (number of groups), ``n >= 1``.
    min_value : number, optional
        Every entry is ``>= min_value`` (requires ``0 <= min_value <= 1/n``).
        A positive value keeps the points away from the faces.
    exact : bool, optional
        Exact :class:`sympy.Rational` entries summing exactly to 1 (small
        denominators, built from integer counts ``1..4``), as a tuple.
        Otherwise a float64 array summing to 1 up to rounding
        (``|sum - 1| <= 4 n eps``) and never below ``min_value``.
    interior : bool, optional
        Every entry ``> min_value`` (no faces).

    Returns
    -------
    SearchStrategy of tuple of sympy.Rational (exact) or numpy.ndarray

    Raises
    ------
    InputError
        If ``n`` or ``min_value`` is out of range.

    Examples
    --------
    The simplest exact point on a face (shortlex-smallest choices) is a vertex:

    >>> from hypothesis import find, settings
    >>> find(simplex_points(3, exact=True), lambda w: 0 in w,
    ...      settings=settings(database=None))
    (1, 0, 0)
    >>> find(simplex_points(3, exact=True, min_value="1/10"), lambda w: True,
    ...      settings=settings(database=None))
    (1/3, 1/3, 1/3)
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise InputError("n", n, "must be an integer >= 1")
    n = int(n)
    floor = exact_number(min_value, "min_value")
    if floor < 0 or n * floor > 1:
        raise InputError("min_value", min_value, f"must be in [0, 1/n] = [0, 1/{n}]")
    if interior and n * floor == 1:
        raise InputError("min_value", min_value, f"no point has every entry > 1/{n}: use interior=False")
    faces = not interior and floor == 0 and n > 1
    return _draw_simplex_point(n, floor, bool(exact), faces)


@st.composite
def _draw_simplex_point(draw, n, floor, exact, faces):
    mass = 1 - n * floor  # what is spread by the counts
    if faces and not draw(st.booleans()):
        k = draw(st.integers(1, n - 1))
        order = draw(st.permutations(range(n)))
        support = sorted(order[:k])
    else:
        support = list(range(n))
    if exact:
        counts = draw(st.lists(st.integers(1, _MAX_COUNT), min_size=len(support), max_size=len(support)))
        total = sum(counts)
        out = [floor] * n
        for d, c in zip(support, counts):
            out[d] = floor + mass * sp.Rational(c, total)
        return tuple(out)
    counts = draw(st.lists(st.floats(2.0**-40, 1.0), min_size=len(support), max_size=len(support)))
    c = np.zeros(n)
    c[support] = counts
    return float(floor) + float(mass) * (c / c.sum())

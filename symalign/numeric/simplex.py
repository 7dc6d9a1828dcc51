"""Numerical helpers for the probability simplex.

The probability simplex is ``Delta_D = {w in R^D : w >= 0, sum(w) = 1}``.
Every function here is pure NumPy and works along one axis (by default the
last), so a stack of points of shape ``(..., D)`` is handled in one call.

Functions
---------
project
    Euclidean projection onto the simplex (sort based, O(D log D)).
is_on_simplex
    Tolerant membership test.
support
    Indices of the groups that carry weight.
validate_simplex_point
    Check a user supplied point and raise :class:`~symalign.errors.InputError`
    naming the argument when it is not on the simplex.
softmax
    Numerically stable softmax.
"""

from __future__ import annotations

import numpy as np

from symalign.core import validate
from symalign.errors import InputError, ShapeError

__all__ = [
    "project",
    "is_on_simplex",
    "support",
    "validate_simplex_point",
    "softmax",
]

#: Default tolerance used when checking user supplied simplex points.
SIMPLEX_ATOL = 1e-9


def _float_array(value: object, argument: str) -> np.ndarray:
    """Convert to a float array, turning conversion failures into InputError."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(argument, value, f"cannot be converted to a float array ({exc})") from None
    return arr


def _check_axis(arr: np.ndarray, axis: int, argument: str) -> int:
    if arr.ndim == 0:
        raise ShapeError(argument, arr, "must be an array with at least one dimension, got a scalar")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise InputError("axis", axis, "must be an integer")
    if not -arr.ndim <= axis < arr.ndim:
        raise InputError("axis", axis, f"out of range for an array with {arr.ndim} dimension(s)")
    axis = int(axis) % arr.ndim
    if arr.shape[axis] == 0:
        raise ShapeError(argument, arr, f"axis {axis} has length 0; the simplex needs D >= 1")
    return axis


def project(v: object, radius: float = 1.0, axis: int = -1) -> np.ndarray:
    """Euclidean projection onto the (scaled) probability simplex.

    Returns the point ``x`` of ``{x >= 0, sum(x) = radius}`` closest to ``v``
    in the Euclidean norm, computed independently along ``axis`` for every
    other index (so ``v`` may have any leading batch dimensions).

    The algorithm is the sort-based method of Duchi, Shalev-Shwartz, Singer
    and Chandra, "Efficient projections onto the l1-ball for learning in high
    dimensions", ICML 2008, as presented by Wang and Carreira-Perpinan,
    "Projection onto the probability simplex: an efficient algorithm with a
    simple proof, and an application", arXiv:1309.1541 (2013): sort ``v`` in
    decreasing order ``u``, find the largest ``rho`` with
    ``u_rho - (sum_{j<=rho} u_j - radius) / rho > 0``, set
    ``tau = (sum_{j<=rho} u_j - radius) / rho`` and return ``max(v - tau, 0)``.
    The cost is ``O(D log D)`` per point.

    Parameters
    ----------
    v : array_like, shape (..., D, ...)
        Points to project; must be finite.
    radius : float, optional
        Total mass of the simplex (default 1, the probability simplex); must
        be finite and positive.
    axis : int, optional
        Axis along which the simplex lives (default: last).

    Returns
    -------
    numpy.ndarray
        Array of the same shape as ``v``, non-negative, summing to ``radius``
        along ``axis`` (up to rounding).

    Raises
    ------
    InputError
        If ``v`` contains NaN or infinities, or ``radius`` is not positive.
    ShapeError
        If ``v`` is a scalar or the axis has length 0.

    Examples
    --------
    >>> project([0.5, 0.5])
    array([0.5, 0.5])
    >>> project([2.0, 0.0, -1.0])
    array([1., 0., 0.])
    >>> project([[1.0, 1.0], [0.3, 0.1]])
    array([[0.5, 0.5],
           [0.6, 0.4]])
    >>> project([3.0, 1.0], radius=2.0)
    array([2., 0.])
    """
    arr = _float_array(v, "v")
    axis = _check_axis(arr, axis, "v")
    if not np.all(np.isfinite(arr)):
        raise InputError("v", v, "must be finite (no NaN or infinity)")
    r = validate.positive_float(radius, "radius")

    x = np.moveaxis(arr, axis, -1)
    d = x.shape[-1]
    u = -np.sort(-x, axis=-1)  # decreasing
    css = np.cumsum(u, axis=-1) - r
    k = np.arange(1, d + 1, dtype=float)
    cond = u - css / k > 0.0  # always true at k = 1 (equals r > 0)
    # rho = largest index where cond holds (robust even if rounding breaks the prefix shape)
    rho = d - np.argmax(cond[..., ::-1], axis=-1)
    tau = np.take_along_axis(css, (rho - 1)[..., None], axis=-1) / rho[..., None]
    out = np.maximum(x - tau, 0.0)
    return np.moveaxis(out, -1, axis)


def is_on_simplex(w: object, atol: float = SIMPLEX_ATOL, axis: int = -1) -> bool | np.ndarray:
    """Whether ``w`` lies on the probability simplex up to ``atol``.

    A point passes when all entries are finite, every entry is ``>= -atol``
    and ``|sum(w) - 1| <= atol`` along ``axis``.

    Parameters
    ----------
    w : array_like, shape (..., D)
        Point(s) to test.
    atol : float, optional
        Absolute tolerance (default ``1e-9``).
    axis : int, optional
        Axis of the simplex (default: last).

    Returns
    -------
    bool or numpy.ndarray of bool
        A plain ``bool`` for a single point, otherwise an array of shape
        ``w.shape`` without ``axis``.

    Examples
    --------
    >>> is_on_simplex([0.25, 0.75])
    True
    >>> is_on_simplex([0.5, 0.6])
    False
    >>> is_on_simplex([[1.0, 0.0], [-0.1, 1.1]])
    array([ True, False])
    """
    arr = _float_array(w, "w")
    axis = _check_axis(arr, axis, "w")
    finite = np.all(np.isfinite(arr), axis=axis)
    with np.errstate(invalid="ignore"):
        nonneg = np.all(arr >= -atol, axis=axis)
        total = np.abs(np.sum(arr, axis=axis) - 1.0) <= atol
    ok = finite & nonneg & total
    return bool(ok) if ok.ndim == 0 else ok


def support(w: object, tol: float = 1e-12) -> np.ndarray:
    """Indices of the entries of a single point ``w`` that exceed ``tol``.

    Parameters
    ----------
    w : array_like, shape (D,)
        A point (typically on the simplex).
    tol : float, optional
        Threshold (default ``1e-12``); entries ``<= tol`` count as zero.

    Returns
    -------
    numpy.ndarray of int
        Sorted indices ``j`` with ``w[j] > tol``.

    Examples
    --------
    >>> support([0.5, 0.0, 0.5])
    array([0, 2])
    >>> support([0.999, 1e-15, 0.001], tol=1e-9)
    array([0, 2])
    """
    arr = _float_array(w, "w")
    if arr.ndim != 1:
        raise ShapeError("w", arr, f"must be one-dimensional, got shape {arr.shape}")
    return np.flatnonzero(arr > tol)


def validate_simplex_point(
    w: object,
    argument: str = "p",
    *,
    atol: float = SIMPLEX_ATOL,
    shape: tuple[int, ...] | None = None,
    strictly_positive: bool = False,
) -> np.ndarray:
    """Check that a user supplied ``w`` lies on the simplex and return it.

    Every point along the last axis is checked, so a profile of shape
    ``(N, D)`` validates all ``N`` rows.

    Parameters
    ----------
    w : array_like, shape (..., D)
        The value to check.
    argument : str, optional
        Name of the argument, used in error messages (default ``"p"``).
    atol : float, optional
        Tolerance for the sum and for negative entries (default ``1e-9``).
    shape : tuple of int, optional
        If given, the exact shape required.
    strictly_positive : bool, optional
        If true, also require every entry to be ``> 0``.

    Returns
    -------
    numpy.ndarray
        A float copy of ``w``.

    Raises
    ------
    ShapeError
        Wrong number of dimensions or wrong shape.
    InputError
        Not finite, an entry below ``-atol`` (or ``<= 0`` when
        ``strictly_positive``), or a sum differing from 1 by more than
        ``atol``.  The message names ``argument``.

    Examples
    --------
    >>> validate_simplex_point([0.2, 0.8])
    array([0.2, 0.8])
    >>> validate_simplex_point([0.2, 0.7], argument="prior")
    Traceback (most recent call last):
        ...
    symalign.errors.InputError: prior=[0.2, 0.7]: entries must sum to 1 (sum = 0.9)
    """
    arr = np.array(_float_array(w, argument), dtype=float, copy=True)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ShapeError(argument, w, "must be a non-empty array of weights (last axis = groups)")
    if shape is not None and arr.shape != tuple(shape):
        raise ShapeError(argument, w, f"must have shape {tuple(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(argument, w, "must be finite (no NaN or infinity)")
    if strictly_positive:
        if np.any(arr <= 0.0):
            raise InputError(argument, w, f"entries must be > 0 (min = {arr.min():.6g})")
    elif np.any(arr < -atol):
        raise InputError(argument, w, f"entries must be >= 0 (min = {arr.min():.6g})")
    sums = arr.sum(axis=-1)
    bad = np.abs(sums - 1.0) > atol
    if np.any(bad):
        worst = float(np.ravel(sums)[np.argmax(np.ravel(np.abs(sums - 1.0)))])
        raise InputError(argument, w, f"entries must sum to 1 (sum = {worst:.12g})")
    return arr


def softmax(z: object, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax ``exp(z) / sum(exp(z))`` along ``axis``.

    The maximum is subtracted before exponentiating, so large inputs do not
    overflow.  Entries equal to ``-inf`` get probability 0.

    Parameters
    ----------
    z : array_like
        Scores; NaN and ``+inf`` are rejected, and at least one entry per
        slice must be finite.
    axis : int, optional
        Axis to normalise over (default: last).

    Returns
    -------
    numpy.ndarray
        Same shape as ``z``; each slice along ``axis`` is on the simplex.

    Examples
    --------
    >>> softmax([0.0, 0.0])
    array([0.5, 0.5])
    >>> softmax([1000.0, 1000.0, -np.inf])
    array([0.5, 0.5, 0. ])
    """
    arr = _float_array(z, "z")
    axis = _check_axis(arr, axis, "z")
    if np.any(np.isnan(arr)) or np.any(arr == np.inf):
        raise InputError("z", z, "must not contain NaN or +infinity")
    top = np.max(arr, axis=axis, keepdims=True)
    if np.any(top == -np.inf):
        raise InputError("z", z, "every slice needs at least one finite entry")
    e = np.exp(arr - top)
    return e / np.sum(e, axis=axis, keepdims=True)

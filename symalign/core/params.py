"""Parameter specifications and their normalisation to exact SymPy values.

A utility family declares its parameters with :class:`ParamSpec`.  Values
given by a user (numbers, decimal strings, symbols, nested lists) are turned
into exact SymPy objects of a fixed shape by :func:`normalise`:

========== ============================== ==========================
kind        accepted input                 stored as
========== ============================== ==========================
``scalar``  one value                      ``Expr``
``agent``   one value or N values          tuple of N ``Expr``
``vector``  D values (shared) or N x D     ``ImmutableMatrix`` N x D
``pair``    N x N x D x D, or (A, B)       tuple of N tuples of N D x D
            for N = 2 (bimatrix)           ``ImmutableMatrix`` (diagonal
                                           blocks zero)
========== ============================== ==========================
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Real

import sympy as sp

from symalign.core import limits
from symalign.errors import InputError, ShapeError

__all__ = ["ParamSpec", "exact", "normalise", "make_symbols", "flat_values", "substitution", "SIMPLEX_TOL"]

SIMPLEX_TOL = sp.Rational(1, 10**12)
"""A numeric simplex row within this of the simplex (sum off by at most this, entries >= -this) is
accepted and normalised exactly (tiny negatives set to 0, then divided by the sum), with a note."""

_KINDS = ("scalar", "agent", "vector", "pair")
_SIGNS = ("real", "positive", "nonnegative", "simplex")


@dataclass(frozen=True)
class ParamSpec:
    """Declaration of one parameter of a utility family.

    Parameters
    ----------
    name : str
        Name used in game files and in ``Game.param``.
    kind : {'scalar', 'agent', 'vector', 'pair'}
        Shape class, see the module docstring.
    sign : {'real', 'positive', 'nonnegative', 'simplex'}
        Constraint checked on numeric values and used as SymPy assumption
        on symbols (``simplex`` rows are nonnegative and sum to one).
    latex : str
        LaTeX name of the parameter (e.g. ``\\alpha``).
    doc : str
        One-line meaning, shown in docs and error messages.
    """

    name: str
    kind: str
    sign: str = "real"
    latex: str = ""
    doc: str = ""

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise InputError("kind", self.kind, f"must be one of {_KINDS}")
        if self.sign not in _SIGNS:
            raise InputError("sign", self.sign, f"must be one of {_SIGNS}")

    @property
    def assumptions(self) -> dict:
        """SymPy assumptions for symbols of this parameter."""
        if self.sign == "positive":
            return {"positive": True}
        if self.sign in ("nonnegative", "simplex"):
            return {"nonnegative": True}
        return {"real": True}


def exact(value, argument: str = "value") -> sp.Expr:
    """Convert a number to an exact SymPy number (floats via their decimal text).

    Examples
    --------
    >>> exact(0.1)
    1/10
    >>> exact("2/3")
    2/3
    >>> from decimal import Decimal
    >>> exact(Decimal("0.12345678901234567890123"))   # every written digit kept
    12345678901234567890123/100000000000000000000000
    """
    if hasattr(value, "dtype") and getattr(value, "shape", None) == ():  # a NumPy scalar or 0-d array
        value = value.item()
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError(argument, value, "must be finite (NaN and infinity are not allowed)")
        limits.check_decimal(value, argument)  # before Fraction builds 10**exponent
        frac = Fraction(value)
        return sp.Rational(frac.numerator, frac.denominator)
    if isinstance(value, sp.Basic):
        if isinstance(value, sp.Float):
            return sp.Rational(str(value))
        if not isinstance(value, sp.Expr):
            raise InputError(argument, value, "expected a number or a SymPy expression")
        return value
    if isinstance(value, bool):
        raise InputError(argument, value, "expected a number, got a boolean")
    if isinstance(value, Integral):
        limits.check_digits(sp.Integer(int(value)), argument)
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, Real):
        if not math.isfinite(float(value)):
            raise InputError(argument, value, "must be finite (NaN and infinity are not allowed)")
        return sp.Rational(repr(float(value)))
    if isinstance(value, str):
        exponent = re.search(r"[eE]\s*([+-]?\d+)\s*$", value)
        if len(value) > 1000 or (exponent and abs(int(exponent.group(1))) > 10 * limits.current().number_digits):
            limits.check_digits(sp.Integer(10) ** (10 * limits.current().number_digits), argument, shown=value)
        try:
            frac = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise InputError(argument, value, "not a number (write e.g. 0.25 or 1/4)") from None
        return sp.Rational(frac.numerator, frac.denominator)
    raise InputError(argument, value, f"expected a number, got {type(value).__name__}")


def make_symbols(spec: ParamSpec, n_agents: int, n_groups: int, *, shared: bool):
    """Symbols with the spec's assumptions, in the normalised layout.

    ``shared`` makes one symbol for all agents (``agent`` kind) or one
    D-vector for all agents (``vector`` kind).  Agent and group indices in
    symbol names are 1-based, as a paper would write them.
    """
    asm = spec.assumptions
    name = spec.name
    if spec.kind == "scalar" or (spec.kind == "agent" and shared):
        return sp.Symbol(name, **asm) if spec.kind == "scalar" else (sp.Symbol(name, **asm),) * n_agents
    if spec.kind == "agent":
        return tuple(sp.Symbol(f"{name}_{i + 1}", **asm) for i in range(n_agents))
    if spec.kind == "vector":
        if shared:
            row = [sp.Symbol(f"{name}_{{{d + 1}}}", **asm) for d in range(n_groups)]
            return sp.ImmutableMatrix([row] * n_agents)
        return sp.ImmutableMatrix(
            n_agents, n_groups, lambda i, d: sp.Symbol(f"{name}_{{{i + 1},{d + 1}}}", **asm)
        )
    blocks = tuple(
        tuple(
            sp.ImmutableMatrix(
                n_groups,
                n_groups,
                lambda d, e: sp.Symbol(f"{name}^{{{i + 1}{j + 1}}}_{{{d + 1},{e + 1}}}", **asm),
            )
            if i != j
            else sp.ImmutableMatrix.zeros(n_groups, n_groups)
            for j in range(n_agents)
        )
        for i in range(n_agents)
    )
    return blocks


def substitution(values):
    """A function substituting ``values`` into expressions (and matrices).

    ``xreplace`` when every key is a symbol (much faster than ``subs`` on
    large closed forms, and exact), ``subs`` otherwise.
    """
    values = dict(values)
    if all(isinstance(k, sp.Symbol) for k in values):
        return lambda e: sp.sympify(e, strict=True).xreplace(values)
    return lambda e: sp.sympify(e, strict=True).subs(values)


def flat_values(value):
    """Every scalar in a normalised parameter value (scalar, tuple, matrix, nested tuples)."""
    if isinstance(value, tuple):
        for v in value:
            yield from flat_values(v)
    elif isinstance(value, sp.MatrixBase):
        yield from value
    else:
        yield value


def normalise(spec: ParamSpec, value, n_agents: int, n_groups: int, notes: list | None = None):
    """Check ``value`` against ``spec`` and return it exact, in the normalised layout.

    NumPy arrays and scalars are accepted wherever lists and numbers are.
    Numeric ``simplex`` rows within :data:`SIMPLEX_TOL` of the simplex are
    normalised exactly; a note saying so is appended to ``notes``.

    Examples
    --------
    >>> import numpy as np
    >>> spec = ParamSpec("p", "vector", "simplex")
    >>> notes = []
    >>> row = normalise(spec, np.array([0.3745401188473625, 0.4753571214017262, 0.15010275975091133]), 1, 3, notes)
    >>> sum(row)
    1
    >>> notes[-1]
    'p[0] summed to 25000000000000001/25000000000000000 (4e-17 off the simplex): divided by its sum, exactly'
    """
    arg = spec.name
    value = _plain(value)
    if spec.kind == "scalar":
        out = _scalar(value, arg)
        _check_sign(spec, [out], arg)
        return out
    if spec.kind == "agent":
        if _is_seq(value):
            if len(value) != n_agents:
                raise ShapeError(arg, value, f"expected one value or {n_agents} (one per agent), got {len(value)}")
            out = tuple(_scalar(v, f"{arg}[{i}]") for i, v in enumerate(value))
        else:
            out = (_scalar(value, arg),) * n_agents
        _check_sign(spec, out, arg)
        return out
    if spec.kind == "vector":
        rows = _matrix_rows(value, arg, n_agents, n_groups)
        if spec.sign == "simplex":
            rows = [_near_simplex(r, f"{arg}[{i}]", notes) for i, r in enumerate(rows)]
        mat = sp.ImmutableMatrix(rows)
        for i in range(n_agents):
            _check_sign(spec, list(mat.row(i)), f"{arg}[{i}]")
        return mat
    return _pair(spec, value, arg, n_agents, n_groups, notes)


def _plain(value):
    """NumPy arrays (any depth, inside lists, tuples or the bimatrix dict) as nested lists."""
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _near_simplex(row, arg, notes):
    """``row`` normalised exactly when numeric and within SIMPLEX_TOL of the simplex (else unchanged)."""
    if not all(v.is_number for v in row):
        return row
    total = sum(row)
    if total == 1 and all(v >= 0 for v in row):
        return row
    if abs(total - 1) > SIMPLEX_TOL or any(v < -SIMPLEX_TOL for v in row):
        return row  # far off: the sign check below reports it
    clipped = [v if v > 0 else sp.Integer(0) for v in row]
    s = sum(clipped)
    if notes is not None:
        off = max(abs(total - 1), *(-v for v in row if v < 0)) if any(v < 0 for v in row) else abs(total - 1)
        notes.append(f"{arg} summed to {total} ({float(off):.3g} off the simplex): "
                     + ("tiny negative entries set to 0, " if s != total else "") + "divided by its sum, exactly")
    return [v / s for v in clipped]


def _is_seq(value) -> bool:
    return isinstance(value, (list, tuple)) or (isinstance(value, sp.MatrixBase))


def _scalar(value, arg):
    if _is_seq(value):
        raise ShapeError(arg, value, "expected a single value")
    out = exact(value, arg)
    if out.has(sp.nan, sp.oo, -sp.oo, sp.zoo):
        raise InputError(arg, value, "must be finite")
    if out.is_real is False or out.has(sp.I):
        raise InputError(arg, value, "must be real")
    limits.check_digits(out, arg, shown=value)
    return out


def _matrix_rows(value, arg, n_agents, n_groups):
    if isinstance(value, sp.MatrixBase):
        value = value.tolist()
    if not _is_seq(value):
        raise ShapeError(arg, value, f"expected {n_groups} values or an {n_agents} x {n_groups} array")
    if value and all(not _is_seq(v) for v in value):
        if len(value) != n_groups:
            raise ShapeError(arg, value, f"expected {n_groups} values (one per group), got {len(value)}")
        row = [_scalar(v, f"{arg}[{d}]") for d, v in enumerate(value)]
        return [row] * n_agents
    if len(value) != n_agents or any(not _is_seq(r) or len(r) != n_groups for r in value):
        raise ShapeError(arg, value, f"expected an {n_agents} x {n_groups} array (agents x groups)")
    return [[_scalar(v, f"{arg}[{i}][{d}]") for d, v in enumerate(r)] for i, r in enumerate(value)]


def _pair(spec, value, arg, n_agents, n_groups, notes=None):
    if isinstance(value, dict) and set(value) == {"A", "B"} and n_agents == 2:
        A, B = _rectangular(value["A"], value["B"], arg, n_groups, notes)
        value = [[None, A], [_transpose(B), None]]
    if not _is_seq(value) or len(value) != n_agents:
        raise ShapeError(arg, value, f"expected {n_agents} x {n_agents} blocks of {n_groups} x {n_groups}")
    blocks = []
    for i, row in enumerate(value):
        if not _is_seq(row) or len(row) != n_agents:
            raise ShapeError(f"{arg}[{i}]", row, f"expected {n_agents} blocks")
        out_row = []
        for j, blk in enumerate(row):
            if i == j:
                out_row.append(sp.ImmutableMatrix.zeros(n_groups, n_groups))
                continue
            sub = _matrix_rows(blk, f"{arg}[{i}][{j}]", n_groups, n_groups)
            out_row.append(sp.ImmutableMatrix(sub))
        blocks.append(tuple(out_row))
    return tuple(blocks)


def _rectangular(A, B, arg, n_groups, notes):
    """An m x n bimatrix game (m, n <= D) padded to D x D with strictly dominated placeholder strategies.

    The row player's strategies m..D-1 pay ``min(A, 0) - 1`` against everything
    while real strategies pay at least ``min(A, 0)`` (0 against the other
    player's placeholders), and likewise for the column player under B, so
    placeholders are strictly dominated, carry zero weight in every
    equilibrium, and the equilibria are exactly those of the m x n game.
    """
    if not (_is_seq(A) and _is_seq(B) and A and B and all(_is_seq(r) for r in A) and all(_is_seq(r) for r in B)):
        return A, B
    m, n = len(A), len(A[0])
    if (m, n) == (n_groups, n_groups) or any(len(r) != n for r in A) or len(B) != m or any(len(r) != n for r in B):
        return A, B
    if m > n_groups or n > n_groups:
        raise ShapeError(f"{arg}.A", A, f"a {m} x {n} game needs at least {max(m, n)} groups (strategies), got {n_groups}")
    A = [[_scalar(v, f"{arg}.A[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(A)]
    B = [[_scalar(v, f"{arg}.B[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(B)]
    if not all(v.is_number for r in A + B for v in r):
        raise ShapeError(f"{arg}.A", A, f"an {m} x {n} game (not {n_groups} x {n_groups}) must be numeric")
    low_a = min(min(min(r) for r in A), 0) - 1
    low_b = min(min(min(r) for r in B), 0) - 1
    pad_a = [r + [sp.Integer(0)] * (n_groups - n) for r in A] + [[low_a] * n_groups] * (n_groups - m)
    pad_b = [r + [low_b] * (n_groups - n) for r in B] + [[sp.Integer(0)] * n + [low_b] * (n_groups - n)] * (n_groups - m)
    if notes is not None:
        notes.append(f"{arg}: a {m} x {n} bimatrix game; strategies beyond each player's own ({m} for the row "
                     f"player, {n} for the column player) are strictly dominated placeholders, never played")
    return pad_a, pad_b


def _transpose(rows):
    if not _is_seq(rows) or not rows or not all(_is_seq(r) for r in rows):
        return rows
    return [list(col) for col in zip(*rows)]


def _check_sign(spec: ParamSpec, values, arg):
    for v in values:
        if not v.is_number:
            continue
        if spec.sign == "positive" and not v > 0:
            raise InputError(arg, v, "must be > 0")
        if spec.sign in ("nonnegative", "simplex") and v < 0:
            raise InputError(arg, v, "must be >= 0")
    if spec.sign == "simplex" and all(v.is_number for v in values):
        total = sum(values)
        if total != 1:
            raise InputError(arg, list(values), f"must lie on the simplex (entries >= 0 summing to 1), sums to {total}")

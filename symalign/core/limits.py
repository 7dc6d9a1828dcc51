"""Every input limit of symalign, in one place, and how to raise each one.

A hostile or simply too large input must fail fast with one line naming the
limit and the flag that raises it, never hang or exhaust memory.  The
limits below are checked at the boundary (game and claim files, the Python
API, the expression parser, grids, outputs); each command also runs under a
wall-clock and memory budget (:data:`COMMAND_BUDGETS`, enforced by
:func:`symalign.core.budget.process_budget`).

======================= ============ ==============================================
limit                   default      what it bounds
======================= ============ ==============================================
``agents``              64           agents of a game built explicitly (homogeneous
                                     active-alignment games beyond it are solved by
                                     the mean-field route, see ``symalign solve``)
``groups``              64           groups (strategies) of a game
``expression_chars``    10 000       characters of one expression
``expression_degree``   100          total degree of an expression (bounds expansion)
``number_digits``       100          decimal digits of a numerator or denominator
                                     (so every number converts to a finite float)
``grid_points``         1 000 000    points of a sweep grid
``sweep_exponent``      12           ends of a sweep axis: 0 or of size 1e-12..1e12
                                     (floats of the grid stay far from overflow)
``file_bytes``          1 048 576    size of a game or claim file (1 MiB)
======================= ============ ==============================================

From the command line: ``--limit NAME=VALUE`` (repeatable, e.g.
``--limit agents=200``), ``--time-limit SECONDS`` and ``--memory-limit MIB``
(``0`` turns a budget off).  From Python: ``with override(agents=200): ...``.

Examples
--------
>>> from symalign.core.limits import current, override, check
>>> current().agents
64
>>> with override(agents=200):
...     current().agents
200
>>> check("agents", 65, "agents")
Traceback (most recent call last):
...
symalign.errors.LimitExceeded: agents=65: exceeds the limit agents = 64 (raise it with --limit agents=N)
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from dataclasses import dataclass

from symalign.errors import InputError, LimitExceeded

__all__ = ["Limits", "current", "override", "check", "parse_limit", "COMMAND_BUDGETS", "command_budget",
           "DEFAULT_COMMAND_BUDGET", "check_digits", "check_decimal", "degree_bound"]


@dataclass(frozen=True)
class Limits:
    """The input limits (see the module docstring for their meaning)."""

    agents: int = 64
    groups: int = 64
    expression_chars: int = 10_000
    expression_degree: int = 100
    number_digits: int = 100
    grid_points: int = 1_000_000
    sweep_exponent: int = 12
    file_bytes: int = 1_048_576

    def __post_init__(self):
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InputError(f.name, v, "a limit must be a positive integer")


_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("symalign_limits", default=Limits())

#: Default budget of each command: (wall-clock seconds, memory MiB).
COMMAND_BUDGETS = {
    "solve": (600.0, 4096.0),
    "derive": (600.0, 4096.0),
    "exclusion": (900.0, 4096.0),
    "steer": (600.0, 4096.0),
    "sweep": (900.0, 4096.0),
    "latex": (600.0, 4096.0),
    "verify": (3600.0, 4096.0),
    "reproduce": (3600.0, 4096.0),
    "campaign": (3600.0, 4096.0),
}
DEFAULT_COMMAND_BUDGET = (600.0, 4096.0)


def command_budget(name: str) -> tuple:
    """``(seconds, memory_mb)`` budget of command ``name`` (a default for commands not listed)."""
    return COMMAND_BUDGETS.get(name, DEFAULT_COMMAND_BUDGET)


def current() -> Limits:
    """The limits in force (the defaults unless inside :func:`override`)."""
    return _CURRENT.get()


@contextlib.contextmanager
def override(**values):
    """Raise (or lower) some limits inside a ``with`` block."""
    names = {f.name for f in dataclasses.fields(Limits)}
    for name in values:
        if name not in names:
            raise InputError(name, values[name], f"not a limit (limits: {sorted(names)})")
    token = _CURRENT.set(dataclasses.replace(current(), **values))
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


def flag(name: str) -> str:
    """The command-line spelling that raises limit ``name``."""
    return f"--limit {name}=N"


def check(name: str, value: int, argument: str, shown=None) -> None:
    """Raise :class:`~symalign.errors.LimitExceeded` if ``value`` exceeds limit ``name``.

    ``shown`` is what the message displays as the argument's value
    (default ``value``).
    """
    maximum = getattr(current(), name)
    if value > maximum:
        raise LimitExceeded(argument, value if shown is None else shown, name, maximum, flag(name))


def parse_limit(text: str) -> tuple:
    """``"agents=200"`` -> ``("agents", 200)`` (also accepts ``expression-degree=...``)."""
    if not isinstance(text, str) or "=" not in text:
        raise InputError("--limit", text, "expected NAME=VALUE, e.g. agents=200")
    name, _, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    names = sorted(f.name for f in dataclasses.fields(Limits))
    if name not in names:
        raise InputError("--limit", text, f"unknown limit {name!r} (limits: {', '.join(names)})")
    raw = raw.strip().replace("_", "")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 18:
        raise InputError("--limit", text, "the value must be a positive integer")
    return name, int(raw)


def check_digits(value, argument: str, shown=None) -> None:
    """Refuse an exact number (or the numbers inside an expression) with too many digits.

    Every number a user gives must convert to a finite float for the numeric
    layer: numerators and denominators have at most ``number_digits`` digits.
    """
    import sympy as sp

    bound = 10 ** current().number_digits
    atoms = [value] if isinstance(value, sp.Rational) else value.atoms(sp.Rational) if isinstance(value, sp.Basic) else ()
    for r in atoms:
        if abs(r.p) >= bound or r.q >= bound:
            digits = max(_digits(abs(r.p)), _digits(r.q))
            raise LimitExceeded(argument, value if shown is None else shown, "number_digits",
                                f"{current().number_digits} (a number here has {digits} digits)", flag("number_digits"))


def _digits(n) -> int:
    """Decimal digits of a positive integer, without converting it to text (which Python refuses past 4,300)."""
    n = int(n)
    d = max(int((n.bit_length() - 1) * 0.30102999566398120), 1)  # a lower bound
    while n.bit_length() < 100_000 and n >= 10 ** d:
        d += 1
    return d


def check_decimal(value, argument: str) -> None:
    """Refuse a ``Decimal`` whose exact fraction would have far more than ``number_digits`` digits.

    Checked on its digits and exponent *before* the fraction is built: ``1e10000000`` is refused at once
    instead of computing 10**10**7.  (The exact count is checked later by :func:`check_digits`.)

    Examples
    --------
    >>> from decimal import Decimal
    >>> check_decimal(Decimal("1e10000000"), "beta")
    Traceback (most recent call last):
    ...
    symalign.errors.LimitExceeded: beta=Decimal('1E+10000000'): exceeds the limit number_digits = 100 (a number here is written with 10000001 digits) (raise it with --limit number_digits=N)
    """
    if not value.is_finite():
        return
    _, digits, exponent = value.as_tuple()
    size = max(len(digits) + max(exponent, 0), -exponent)  # digits of the numerator / of the power of ten below
    if size > 2 * current().number_digits + 2:
        raise LimitExceeded(argument, value, "number_digits", f"{current().number_digits} (a number here is written with "
                                                              f"{size} digits)", flag("number_digits"))


def degree_bound(expr) -> int:
    """An upper bound on the total degree of ``expr`` once expanded (a rational function: both parts).

    Numbers have degree 0, symbols 1; sums take the largest, products the
    sum, integer powers multiply; a function of a non-constant argument counts
    as its argument's degree (at least 1).  It bounds what an ``expand`` of
    the expression (or of its derivatives) can cost.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> degree_bound((x + y + 1)**3 * x), degree_bound(sp.exp(x**2) / y)
    (4, 3)
    """
    import sympy as sp
    from sympy.logic.boolalg import Boolean

    memo: dict = {}

    def deg(e) -> int:
        if e in memo:
            return memo[e]
        if e.is_Number or not e.free_symbols:
            out = 0
        elif e.is_Symbol:
            out = 1
        elif e.is_Add or isinstance(e, (Boolean, sp.Min, sp.Max)) or e.is_Relational:
            out = max((deg(a) for a in e.args), default=0)
        elif e.is_Mul:
            out = sum(deg(a) for a in e.args)
        elif e.is_Pow:
            base, exp = e.args
            if exp.is_Integer:
                out = deg(base) * abs(int(exp))
            elif exp.is_Rational:  # a root: degree of the base, rounded up
                out = max(1, -(-deg(base) * abs(exp.p) // exp.q))
            else:
                out = max(1, deg(base), deg(exp))
        else:
            out = max(1, max((deg(a) for a in e.args), default=1))
        memo[e] = out
        return out

    return deg(expr)

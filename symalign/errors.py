"""Project exceptions.

Every error raised because of bad user input is a :class:`SymalignError`
and also a :class:`ValueError` or :class:`TypeError`, so callers can catch
either the project's class or the builtin one.  Messages name the argument
(or file and field) and show the offending value.
"""

from __future__ import annotations

__all__ = [
    "SymalignError",
    "InputError",
    "ShapeError",
    "GameFileError",
    "ExpressionError",
    "NotExpressibleError",
    "DerivationError",
    "UnknownFamilyError",
    "BudgetExceeded",
    "ArgumentTypeError",
    "LimitExceeded",
    "OutputError",
]


class SymalignError(Exception):
    """Base class of every exception raised by symalign.

    Every subclass pickles whole (its message, attributes and class), so an
    error raised in a child process (:func:`symalign.core.budget.run_bounded`)
    or a Dask task reaches the caller as itself, not as a foreign ``TypeError``.

    Examples
    --------
    >>> import copy
    >>> exc = copy.deepcopy(InputError("beta", -2, "must be > 0"))  # through __reduce__, as pickling does
    >>> type(exc).__name__, exc.argument, str(exc)
    ('InputError', 'beta', 'beta=-2: must be > 0')
    """

    def __reduce__(self):
        return _rebuild, (type(self), self.args, _picklable(self.__dict__))


class InputError(SymalignError, ValueError):
    """An argument has a bad value (wrong sign, not on the simplex, NaN, ...)."""

    def __init__(self, argument: str, value: object, reason: str):
        self.argument = argument
        self.value = value
        self.reason = reason
        super().__init__(f"{argument}={_short(value)}: {reason}")


class ArgumentTypeError(InputError, TypeError):
    """An argument has the wrong type (a string where a list is expected, ...).

    Both a :class:`ValueError` (through :class:`InputError`) and a :class:`TypeError`.
    """


class LimitExceeded(InputError):
    """An input is larger than a limit of :mod:`symalign.core.limits`.

    ``limit`` names the limit, ``maximum`` its current value and ``flag``
    the command-line option (or keyword) that raises it.
    """

    def __init__(self, argument: str, value: object, limit: str, maximum: object, flag: str = ""):
        self.limit = limit
        self.maximum = maximum
        self.flag = flag
        hint = f" (raise it with {flag})" if flag else ""
        super().__init__(argument, value, f"exceeds the limit {limit} = {maximum}{hint}")


class OutputError(InputError):
    """An output target that symalign refuses to write (a device, a FIFO, a directory, an input file)."""


class ShapeError(InputError):
    """An array argument has the wrong shape."""


class UnknownFamilyError(InputError):
    """A utility family or variant name that is not registered."""


class GameFileError(SymalignError, ValueError):
    """A game or claim file is malformed: names the file, the field and the value."""

    def __init__(self, path: object, field: str, value: object, reason: str):
        self.path = str(path)
        self.field = field
        self.value = value
        self.reason = reason
        where = f"{self.path}: " if path is not None else ""
        fld = f"field '{field}'" if field else "file"
        val = f" = {_short(value)}" if value is not None else ""
        super().__init__(f"{where}{fld}{val}: {reason}")


class ExpressionError(SymalignError, ValueError):
    """An expression (from a file) does not parse or uses something not allowed."""

    def __init__(self, text: str, piece: str, reason: str):
        self.text = text
        self.piece = piece
        self.reason = reason
        super().__init__(f"in expression {_short(text, 120)}: {reason}: {_short(piece, 80)}")


class NotExpressibleError(SymalignError, TypeError):
    """A SymPy object that cannot be translated (e.g. to Z3)."""


class DerivationError(SymalignError, ValueError):
    """A derivation cannot be carried out (singular system, unsupported structure)."""


class OptionalDependencyError(SymalignError, ImportError):
    """A feature needs an optional dependency that is not installed; the message names the extra."""

    def __init__(self, package: str, extra: str, feature: str):
        self.package, self.extra, self.feature = package, extra, feature
        super().__init__(f"{feature} needs {package}, which is not installed: pip install 'symalign[{extra}]'")


class BudgetExceeded(SymalignError, RuntimeError):
    """A phase ran out of its wall-clock or memory budget (the answer is then *open*, never guessed).

    ``phase`` names what was running, ``resource`` is ``"time"`` or
    ``"memory"``, ``limit`` the budget in seconds or MiB and ``flag`` the
    command-line option (or keyword) that raises it.
    """

    def __init__(self, phase: str, resource: str, limit: float, flag: str = ""):
        self.phase = phase
        self.resource = resource
        self.limit = limit
        self.flag = flag
        unit = "s" if resource == "time" else " MiB"
        hint = f" (raise it with {flag})" if flag else ""
        super().__init__(f"{phase}: {resource} budget of {limit:g}{unit} exhausted{hint}")


def _rebuild(cls, args, state):
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc


_PORTABLE = ("builtins", "sympy", "numpy", "decimal", "fractions", "pathlib", "symalign")


def _picklable(state: dict) -> dict:
    """The attributes, a value of a foreign type or a callable (a user's lambda, an open file) as its repr."""
    out = {}
    for key, value in state.items():
        items = value if isinstance(value, (list, tuple)) else [value]
        portable = all(type(v).__module__.split(".")[0] in _PORTABLE and not callable(v)
                       and not hasattr(v, "read") for v in items)
        out[key] = value if portable else _short(value, 200)
    return out


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

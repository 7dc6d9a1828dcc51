"""Wall-clock and memory budgets for long phases, enforced at the process level.

SymPy, Z3's Python layer and NumPy can all run for a long time inside one
call, where no cooperative check is reached.  A budget is therefore enforced
by the operating system:

* :func:`run_bounded` runs one call in a forked child process with an
  address-space limit (``RLIMIT_AS``) and kills it at the deadline; the
  caller gets the value or :class:`~symalign.errors.BudgetExceeded`.  One
  runaway claim or derivation cannot take the rest of a run with it.
* :func:`process_budget` bounds the current process (a CLI command): an
  alarm signal raises :class:`~symalign.errors.BudgetExceeded` at the
  deadline, and ``RLIMIT_AS`` turns a memory blow-up into ``MemoryError``,
  which is reported as the memory budget.

Where ``fork`` or ``resource`` are missing (not Linux/macOS) the call runs
unbounded in this process and the result says so (``Bounded.enforced``).

Examples
--------
>>> from symalign.core.budget import Budget, run_bounded
>>> run_bounded(sum, [1, 2, 3], budget=Budget(seconds=10, memory_mb=None), phase="adding")
6
"""

from __future__ import annotations

import contextlib
import copyreg
import multiprocessing
import signal
import threading
import time
import traceback
import types
from dataclasses import dataclass

from symalign.errors import BudgetExceeded, InputError

# Results (frozen dataclasses holding read-only mappings) travel back from the child by pickle.
def _read_only(mapping):
    return types.MappingProxyType(mapping)


copyreg.pickle(types.MappingProxyType, lambda m: (_read_only, (dict(m),)))

try:  # POSIX only
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None

__all__ = ["Budget", "run_bounded", "process_budget", "can_enforce", "DEFAULT_SECONDS", "DEFAULT_MEMORY_MB"]

DEFAULT_SECONDS = 600.0
DEFAULT_MEMORY_MB = 8192


@dataclass(frozen=True)
class Budget:
    """A wall-clock budget in seconds and a memory budget in MiB (``None``: unbounded).

    ``flag`` names the option that raises the budget, for the error message.
    """

    seconds: float | None = DEFAULT_SECONDS
    memory_mb: float | None = DEFAULT_MEMORY_MB
    flag: str = ""

    def __post_init__(self):
        for name in ("seconds", "memory_mb"):
            v = getattr(self, name)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (v > 0) or v != v or v == float("inf"):
                raise InputError(name, v, "a budget must be a positive finite number or None")


def can_enforce() -> bool:
    """True where budgets are enforced by the OS (``fork`` and ``resource`` available)."""
    return resource is not None and "fork" in multiprocessing.get_all_start_methods()


def _limit_memory(memory_mb):
    if memory_mb is None or resource is None:
        return
    limit = int(memory_mb * 1024 * 1024)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child(conn, fn, args, kwargs, memory_mb):
    try:
        _limit_memory(memory_mb)
        value = fn(*args, **kwargs)
        conn.send(("ok", value))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
        try:
            conn.send(("error", exc))
        except Exception:  # the exception itself does not pickle
            conn.send(("error", RuntimeError("".join(traceback.format_exception_only(type(exc), exc)).strip())))
    finally:
        conn.close()


def run_bounded(fn, *args, budget: Budget, phase: str, **kwargs):
    """``fn(*args, **kwargs)`` within ``budget``, or :class:`~symalign.errors.BudgetExceeded`.

    The call runs in a forked child (memory limited by ``RLIMIT_AS``) and is
    killed at the deadline; exceptions raised by ``fn`` are re-raised here.
    The value travels back through a pipe, so it must pickle; it comes from
    this package's own code in a child of this process, never from a file.
    """
    if not isinstance(budget, Budget):
        raise InputError("budget", budget, "expected a symalign.core.budget.Budget")
    if (budget.seconds is None and budget.memory_mb is None) or not can_enforce():
        return fn(*args, **kwargs)
    if multiprocessing.current_process().daemon:  # inside a bounded child: no grandchildren, bound in place
        with process_budget(budget, phase):
            return fn(*args, **kwargs)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, budget.memory_mb), daemon=True)
    proc.start()
    child.close()
    try:
        ready = parent.poll(budget.seconds)  # None: wait as long as it takes
        if not ready:
            raise BudgetExceeded(phase, "time", budget.seconds, budget.flag)
        try:
            tag, value = parent.recv()
        except (EOFError, OSError):  # killed (e.g. by the OOM killer) before it could answer
            proc.join(1.0)
            raise BudgetExceeded(phase, "memory", budget.memory_mb or float("nan"), budget.flag) from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
    if tag == "ok":
        return value
    if tag == "memory":
        raise BudgetExceeded(phase, "memory", budget.memory_mb, budget.flag)
    raise value


@contextlib.contextmanager
def process_budget(budget: Budget, phase: str):
    """Bound the rest of this process's work in the ``with`` block (a CLI command).

    The wall clock is enforced with ``SIGALRM`` (main thread only; elsewhere
    it is not enforced), memory with ``RLIMIT_AS``; both are restored on exit.
    """
    if not isinstance(budget, Budget):
        raise InputError("budget", budget, "expected a symalign.core.budget.Budget")
    use_alarm = (budget.seconds is not None and hasattr(signal, "SIGALRM")
                 and threading.current_thread() is threading.main_thread())
    old_limit = resource.getrlimit(resource.RLIMIT_AS) if resource is not None else None

    def on_alarm(signum, frame):
        raise BudgetExceeded(phase, "time", budget.seconds, budget.flag)

    old_handler, outer, started = None, 0.0, time.monotonic()
    if use_alarm:
        outer = signal.getitimer(signal.ITIMER_REAL)[0]  # an enclosing budget's remaining time (0: none)
        old_handler = signal.signal(signal.SIGALRM, on_alarm)
        seconds = float(budget.seconds) if not outer else min(float(budget.seconds), outer)
        if outer and outer <= budget.seconds:  # the enclosing budget expires first: it reports
            signal.signal(signal.SIGALRM, old_handler)
            old_handler = None
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        if budget.memory_mb is not None and resource is not None:
            _limit_memory(budget.memory_mb)
        yield budget
    except MemoryError:
        raise BudgetExceeded(phase, "memory", budget.memory_mb or float("nan"), budget.flag) from None
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if old_handler is not None:
                signal.signal(signal.SIGALRM, old_handler)
            if outer:  # give the enclosing budget back what is left of it
                signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-3))
        if old_limit is not None:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_AS, old_limit)

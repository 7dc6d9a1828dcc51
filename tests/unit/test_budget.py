"""Process-level budgets: a runaway call is stopped and reported, never left running."""

import os
import time

import pytest

from symalign.core.budget import Budget, can_enforce, process_budget, run_bounded
from symalign.errors import BudgetExceeded, InputError

pytestmark = pytest.mark.skipif(not can_enforce(), reason="needs fork and resource (POSIX)")


def _sleep(seconds):
    time.sleep(seconds)
    return "woke"


def _allocate(mib):
    return len(bytearray(mib * 1024 * 1024))


def _raise():
    raise KeyError("inner")


def test_value_comes_back_from_a_child_process():
    assert run_bounded(os.getpid, budget=Budget(5, None), phase="p") != os.getpid()
    assert run_bounded(_sleep, 0.01, budget=Budget(5, None), phase="p") == "woke"


def test_time_budget_stops_the_call():
    t0 = time.monotonic()
    with pytest.raises(BudgetExceeded) as info:
        run_bounded(_sleep, 30, budget=Budget(0.5, None, flag="--timeout"), phase="sleeping")
    assert time.monotonic() - t0 < 10
    assert info.value.resource == "time" and "sleeping" in str(info.value) and "--timeout" in str(info.value)


def test_memory_budget_stops_the_call():
    with pytest.raises(BudgetExceeded) as info:
        run_bounded(_allocate, 2048, budget=Budget(30, 512), phase="allocating")
    assert info.value.resource == "memory"
    assert run_bounded(_allocate, 16, budget=Budget(30, 512), phase="small") == 16 * 1024 * 1024


def test_exceptions_of_the_call_are_reraised():
    with pytest.raises(KeyError):
        run_bounded(_raise, budget=Budget(5, None), phase="p")


def test_process_budget_alarm():
    t0 = time.monotonic()
    with pytest.raises(BudgetExceeded):
        with process_budget(Budget(0.3, None), "loop"):
            while True:
                sum(range(1000))
    assert time.monotonic() - t0 < 5
    with process_budget(Budget(5, None), "quick"):  # restored: no stray alarm afterwards
        pass
    time.sleep(0.01)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "10", True])
def test_bad_budgets_are_refused(bad):
    with pytest.raises(InputError):
        Budget(seconds=bad)

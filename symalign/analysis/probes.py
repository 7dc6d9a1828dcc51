"""Checks of steering results: solve the steered games exactly around a derived value.

A steering result (a subsidy, a lever's value) is derived from the KKT
system; it is then checked by solving steered games exactly
(:func:`symalign.numeric.solve.find_equilibrium`) just before and just
beyond the derived value, at a relative step :data:`PROBE`, and comparing
whether the group is excluded there with what the derivation predicts.
The outcome is a :class:`SteeringCheck`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.numeric.solve import find_equilibrium

__all__ = ["PROBE", "SteeringCheck", "is_excluded", "probe", "probe_around"]

PROBE = sp.Rational(1, 100)
"""Relative step of the checks: the result is probed at (1 -/+ PROBE) times its value."""


@dataclass(frozen=True)
class SteeringCheck:
    """Outcome of solving steered games exactly around a derived value.

    ``passed`` is True when every probe agreed with the derivation;
    ``details`` lists what was solved and seen, one line each.
    """

    passed: bool
    details: tuple

    def to_dict(self) -> dict:
        return {"passed": self.passed, "details": list(self.details)}


def is_excluded(game, d):
    """``(excluded, equilibrium)``: whether group ``d`` is excluded at the exact equilibrium of ``game``."""
    eq = find_equilibrium(game)
    return d in eq.excluded_groups(), eq


def probe(make, value, d, expect_below, label):
    """Solve the steered games just below and above ``value``; compare with the expectation."""
    details, ok = [], True
    for factor, expect in ((1 - PROBE, expect_below), (1 + PROBE, not expect_below)):
        v = value * factor
        if v < 0:
            continue
        excluded, eq = is_excluded(make(v), d)
        ok &= excluded == expect
        state = "excluded" if excluded else "not excluded"
        details.append(f"{label} = {v} ({factor} x derived): group {state} (expected {'excluded' if expect else 'not excluded'})")
    return ok, details


def probe_around(make, value, t0, d):
    """Probe between ``t0`` and ``value`` (excluded) and just beyond ``value`` (not excluded)."""
    step = abs(value - t0) * PROBE if value != t0 else PROBE
    direction = 1 if value > t0 else -1
    lines, ok = [], True
    for v, expect in ((value - direction * step, True), (value + direction * step, False)):
        excluded, _ = is_excluded(make(v), d)
        ok &= excluded == expect
        lines.append(f"at {v}: group {'excluded' if excluded else 'not excluded'} (expected {'excluded' if expect else 'not excluded'})")
    return ok, lines

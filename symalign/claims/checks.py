"""Checking claims: compute the actual status of a :class:`~symalign.claims.schema.Claim`.

One checker per claim kind, each in its own module
(:mod:`~symalign.claims.existence`, :mod:`~symalign.claims.uniqueness`,
:mod:`~symalign.claims.best_response`, :mod:`~symalign.claims.closed_form`,
:mod:`~symalign.claims.exclusion`, :mod:`~symalign.claims.dynamics`); each
works on every instance of the claim (an explicit game, a game with a
symbolic number of agents, or a numeric sample) and returns an :class:`InstanceResult`.  The claim's status is the
aggregate: ``refuted`` when any instance is refuted, ``open`` when any is
undecided, otherwise ``derived``/``proved`` from the symbolic instances
(``checked-by-property`` when only samples or simulations support it).
Counterexamples are exact and re-checked by a route that does not share
the derivation (e.g. the Sylvester test of the numeric game's DSC matrix).
Every Z3 call has a timeout; ``unknown`` is reported as ``open``, never as
proved.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Mapping

from symalign.claims.best_response import check_best_response
from symalign.claims.closed_form import check_closed_form, check_identity
from symalign.claims.common import InstanceResult
from symalign.claims.dynamics import check_dynamics
from symalign.claims.exclusion import check_exclusion
from symalign.claims.equilibria import check_equilibrium_count, check_symmetric_equilibrium
from symalign.claims.existence import check_existence
from symalign.claims.statics import check_comparative_statics
from symalign.claims.steering import check_steering
from symalign.claims.schema import Claim
from symalign.claims.counterexample import file_counterexample
from symalign.claims.uniqueness import check_uniqueness
from symalign.errors import SymalignError
from symalign.core.notebook import LatexRepr

__all__ = ["InstanceResult", "ClaimResult", "check_claim", "check_claim_bounded", "passes",
           "DEFAULT_CLAIM_SECONDS"]

DEFAULT_CLAIM_SECONDS = 300.0
"""Default wall-clock budget of one claim (all its instances, SymPy and Z3 phases)."""


@dataclass(frozen=True, eq=False)
class ClaimResult(LatexRepr):
    """Outcome of a claim: aggregate status, per-instance results, comparison with the file."""

    claim: Claim
    status: str
    detail: str
    instances: tuple
    seconds: float
    counterexample: Mapping | None = None
    recheck: str = ""

    def __repr__(self) -> str:
        return (f"ClaimResult({self.claim.id}: {self.status}, stated {self.claim.expected}, "
                f"{'as stated' if self.ok else 'NOT as stated'}, {len(self.instances)} instances)")

    @property
    def witness(self) -> str:
        """Game file of the first refuting instance whose counterexample is a confirmed game ('' if none)."""
        return next((r.witness for r in self.instances if r.status == "refuted" and r.witness), "")

    @property
    def ok(self) -> bool:
        """Whether the computed status is what the file states (see :func:`passes`)."""
        return passes(self.claim.expected, self.status)

    def to_dict(self) -> dict:
        def cex(c):
            return None if c is None else {str(k): str(v) for k, v in c.items()}

        return {
            "id": self.claim.id, "path": self.claim.path, "kind": self.claim.kind,
            "expected": self.claim.expected, "status": self.status, "ok": self.ok,
            "seconds": round(self.seconds, 3), "detail": self.detail,
            "counterexample": cex(self.counterexample), "recheck": self.recheck,
            "reference": self.claim.reference, "witness": self.witness or None,
            "instances": [{"label": r.label, "status": r.status, "detail": r.detail,
                           "counterexample": cex(r.counterexample), "recheck": r.recheck,
                           "seconds": round(r.seconds, 3)} for r in self.instances],
        }


def passes(expected: str, actual: str) -> bool:
    """Agreement rule: equal statuses, or a true claim confirmed more strongly than stated.

    Examples
    --------
    >>> passes("proved", "proved"), passes("checked-by-property", "proved"), passes("proved", "open")
    (True, True, False)
    """
    if expected == actual:
        return True
    return expected == "checked-by-property" and actual in ("derived", "proved")


def check_claim(claim: Claim, *, timeout: float = 10.0) -> ClaimResult:
    """Check every instance of a claim and aggregate.

    Parameters
    ----------
    claim : Claim
    timeout : float
        Budget of each Z3 call, in seconds.
    """
    start = time.monotonic()
    results = []
    for inst in claim.instances:
        t0 = time.monotonic()
        try:
            r = _CHECKERS[claim.kind](claim, inst, timeout)
        except SymalignError as exc:
            r = InstanceResult(inst.label, "open", f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug must not pass as proved: report it as open
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            r = InstanceResult(inst.label, "open", f"internal error {type(exc).__name__}: {exc} "
                                                   f"({tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})")
        witness = r.witness
        if r.status == "refuted" and not witness:
            from symalign.claims.witness import fallback_witness

            try:
                witness = fallback_witness(inst, r.counterexample, f"claim {claim.id}, {r.label}")
            except SymalignError:
                witness = ""
        results.append(InstanceResult(r.label, r.status, r.detail, r.counterexample, r.recheck,
                                      time.monotonic() - t0, inst.sampled, witness))
    status, lead = _aggregate(results)
    detail = lead.detail if lead else ""
    if claim.counterexample is not None and status == "refuted":
        text, valid = file_counterexample(claim)
        detail += f"; file counterexample: {text}"
        if not valid:
            status = BAD_COUNTEREXAMPLE
            detail += " -- counterexample does not re-check"
    return ClaimResult(claim, status, detail, tuple(results), time.monotonic() - start,
                       lead.counterexample if lead else None, lead.recheck if lead else "")


BAD_COUNTEREXAMPLE = "bad-counterexample"
"""Status of a claim refuted by symalign whose file's ``[counterexample]`` does not re-check."""


def check_claim_bounded(claim: Claim, *, timeout: float = 10.0,
                        seconds: float | None = DEFAULT_CLAIM_SECONDS) -> ClaimResult:
    """:func:`check_claim` within a wall-clock budget (process level, SymPy phases included).

    The claim is checked in a forked child (:func:`symalign.core.budget.run_bounded`)
    that is killed at the deadline; the result is then ``open`` with the
    reason, never a hang.  ``seconds=None`` runs it unbounded in this process.

    Examples
    --------
    >>> from pathlib import Path
    >>> import symalign
    >>> from symalign.claims.schema import load_claim
    >>> root = Path(symalign.__file__).resolve().parents[1]
    >>> c = load_claim(root / "theorems/active_alignment/T0_existence_overlap.toml")
    >>> check_claim_bounded(c, seconds=0.001).status
    'open'
    """
    from symalign.core.budget import Budget, run_bounded
    from symalign.errors import BudgetExceeded

    if seconds is None:
        return check_claim(claim, timeout=timeout)
    start = time.monotonic()

    def work():
        r = check_claim(claim, timeout=timeout)
        return r.status, r.detail, r.instances, r.seconds, r.counterexample, r.recheck

    try:
        status, detail, inst, secs, cex, recheck = run_bounded(
            work, budget=Budget(seconds=seconds, memory_mb=None, flag="--claim-seconds"), phase=f"claim {claim.id}")
    except BudgetExceeded as exc:
        return ClaimResult(claim, "open", f"not decided within the budget: {exc}", (), time.monotonic() - start)
    return ClaimResult(claim, status, detail, inst, secs, cex, recheck)


def _aggregate(results):
    if not results:
        return "open", InstanceResult("", "open", "no instance to check")
    for s in ("refuted", "open"):
        for r in results:
            if r.status == s:
                return s, InstanceResult(r.label, s, f"[{r.label}] {r.detail}", r.counterexample, r.recheck)
    main = [r for r in results if not r.sampled and r.status != "checked-by-property"]
    if not main:
        return "checked-by-property", _summary(results, "checked-by-property")
    status = "proved" if any(r.status == "proved" for r in main) else "derived"
    return status, _summary(results, status)


def _summary(results, status):
    main = [r for r in results if not r.sampled] or list(results)
    lead = next((r for r in main if r.label.startswith("N symbolic")), main[-1])
    extra = sum(r.sampled for r in results) if not lead.sampled else 0
    tail = f" (+{extra} numeric sample{'s' * (extra != 1)} agree)" if extra else ""
    return InstanceResult(lead.label, status, f"[{_labels(main)}] {lead.detail}{tail}")


def _labels(results) -> str:
    """Compact instance list, e.g. 'N=2,3,4,N; D=3'."""
    by_d: dict = {}
    for r in results:
        parts = dict(p.split("=") for p in r.label.replace("N symbolic", "N=N").split(": ")[-1].split(", ") if "=" in p)
        by_d.setdefault(parts.get("D", "?"), []).append(parts.get("N", "?"))
    return "; ".join(f"N={','.join(ns)}, D={d}" for d, ns in by_d.items())


_CHECKERS = {
    "existence": check_existence,
    "uniqueness": check_uniqueness,
    "best_response": check_best_response,
    "closed_form": check_closed_form,
    "identity": check_identity,
    "exclusion_threshold": check_exclusion,
    "steering": check_steering,
    "dynamics": check_dynamics,
    "equilibrium_count": check_equilibrium_count,
    "symmetric_equilibrium": check_symmetric_equilibrium,
    "comparative_statics": check_comparative_statics,
}

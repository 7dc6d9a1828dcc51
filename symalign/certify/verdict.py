"""The checker's answer: accepted, rejected (with the reason) or only a candidate, and the ledger of rejections.

A :class:`Verdict` is frozen data.  ``accepted`` is the only status that lets
a result be called an equilibrium, ``unique`` or ``exact``; ``candidate``
means the checker could not decide (irrational weights, a utility that is
not quadratic in own weights, no concavity certificate and too many faces
to enumerate); ``rejected`` means the witness is wrong, and says why.

When a route *claimed* a verdict that the checker rejects, the caller
records it in :data:`LEDGER` (:meth:`Ledger.record`): each such rejection
is a bug report against that route, counted and kept with its reason.

Examples
--------
>>> v = rejected("regret", "agent 1 gains 1/2", gain=Fraction(1, 2))
>>> v.accepted, v.status, v.reason
(False, 'rejected', 'agent 1 gains 1/2')
>>> ledger = Ledger()
>>> ledger.record("solve", v); ledger.count
1
>>> ledger.record("solve", accepted("regret", "regret 0")); ledger.count
1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["Verdict", "accepted", "rejected", "candidate", "Ledger", "LEDGER", "STATUSES"]

STATUSES = ("accepted", "rejected", "candidate")


@dataclass(frozen=True)
class Verdict:
    """What the checker found for one witness.

    Attributes
    ----------
    status : {"accepted", "rejected", "candidate"}
    check : str
        Which check ran (e.g. ``"finite regret"``, ``"kkt+concavity"``, ``"faces"``, ``"dsc"``).
    reason : str
        Human-readable justification (what held, or what failed).
    gain : Fraction or None
        Exact largest deviation gain found (0 when accepted by a regret check).
    deviation : tuple or None
        Agent index and its better response, when rejected by a deviation.
    """

    status: str
    check: str
    reason: str
    gain: Fraction | None = None
    deviation: tuple | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status={self.status!r}: must be one of {STATUSES}")

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def to_dict(self) -> dict:
        out = {"status": self.status, "check": self.check, "reason": self.reason}
        if self.gain is not None:
            out["gain"] = str(self.gain)
        return out


def accepted(check: str, reason: str, **kw) -> Verdict:
    return Verdict("accepted", check, reason, **kw)


def rejected(check: str, reason: str, **kw) -> Verdict:
    return Verdict("rejected", check, reason, **kw)


def candidate(check: str, reason: str, **kw) -> Verdict:
    return Verdict("candidate", check, reason, **kw)


@dataclass
class Ledger:
    """Rejections of verdicts a route claimed: each is a bug report (``source``, the verdict)."""

    entries: list = field(default_factory=list)

    def record(self, source: str, verdict: Verdict) -> None:
        """Keep ``verdict`` when the checker rejected what ``source`` claimed."""
        if verdict.status == "rejected":
            self.entries.append((source, verdict))

    @property
    def count(self) -> int:
        return len(self.entries)

    def reset(self) -> None:
        self.entries.clear()


LEDGER = Ledger()
"""Every rejection of a claimed verdict in this process (a bug report each)."""

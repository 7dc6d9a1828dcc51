"""The result of a batch solve and the bookkeeping shared by its stages.

:class:`BatchResult` is what :class:`~symalign.numeric.batch.compiled.CompiledGame`
returns; :data:`STAGES` names the step that answered each point (``BatchResult.stage``
indexes it).  ``_Out`` is the writable buffer the stages fill before it is frozen
into a :class:`BatchResult`.  The underscored names (stage codes, ``_Out``,
``_as_slice``) are shared by the stage modules of :mod:`symalign.numeric.batch` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["BatchResult", "STAGES"]

STAGES = ("closed-form", "cached-support", "active-set", "iterative", "not-converged", "hypotheses", "identified-support")
_CF, _CS, _AS, _IT, _NC, _HY, _ID = range(7)


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Equilibria of a batch of B games.

    Attributes
    ----------
    weights : ndarray, shape (B, N, D)
        Equilibrium profiles; NaN where not ``converged``.
    support : ndarray of bool, shape (B, N, D)
        Groups each agent weights positively (all False where not converged).
    converged : ndarray of bool, shape (B,)
        KKT verified: validity conditions of an exact closed form, or natural
        residual ``<= tol``.
    residual : ndarray, shape (B,)
        Natural KKT residual (as :func:`symalign.numeric.check.kkt_residual`); NaN
        where not measured (closed-form points with ``verify=False``).
    stage : ndarray of int8, shape (B,)
        Index into :data:`STAGES`: which step answered each point.
    method : str
        The compiled path ("closed-form", "linear" or "iterative").
    args : tuple of str
        Argument names, in order.
    """

    weights: np.ndarray
    support: np.ndarray
    converged: np.ndarray
    residual: np.ndarray
    stage: np.ndarray
    method: str
    args: tuple = ()

    def __post_init__(self):
        for name in ("weights", "support", "converged", "residual", "stage"):
            getattr(self, name).flags.writeable = False

    def __len__(self) -> int:
        return self.converged.shape[0]

    def stage_counts(self) -> dict:
        """Number of points answered by each stage."""
        counts = np.bincount(self.stage, minlength=len(STAGES))
        return {name: int(c) for name, c in zip(STAGES, counts) if c}

    def excluded(self) -> np.ndarray:
        """(B, D) bool: groups given zero weight by every agent (converged points)."""
        return self.converged[:, None] & ~self.support.any(axis=1)


class _Out(NamedTuple):
    weights: np.ndarray
    support: np.ndarray
    converged: np.ndarray
    residual: np.ndarray
    stage: np.ndarray


def _as_slice(k):
    """A contiguous index array as a slice (cheap views instead of gathers)."""
    if k.size and k[-1] - k[0] + 1 == k.size:
        return slice(int(k[0]), int(k[-1]) + 1)
    return k

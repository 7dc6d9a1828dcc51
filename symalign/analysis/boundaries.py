"""The exclusion boundaries of a sweep, complete and deterministic.

A phase diagram's derived boundary is made of pieces, one per reduced
support met along the boundary on the grid (:func:`boundary_supports`).
:func:`exclusion_boundaries` derives every piece exactly
(:func:`symalign.analysis.regions.exclusion_region`, through the aggregate
for aggregative games: :mod:`symalign.analysis.structured_exclusion`) with
no wall-clock budget, so what a figure draws depends on the grid alone;
a piece with no derived region is listed with its reason, never dropped
silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symalign.analysis.inputs import group_index
from symalign.analysis.regions import exclusion_region

__all__ = ["boundary_supports", "Boundaries", "exclusion_boundaries"]


def boundary_supports(result, group) -> tuple:
    """Every reduced support at the grid points of ``result`` where ``group`` is excluded next to a solved
    point where it is not: the pieces of the exclusion boundary.

    All of them (no share or count cut-off), most frequent first, ties in
    the supports' order: a function of the grid alone, so two runs give
    the same list.
    """
    d = group_index(result.game, group)
    ex = result.excluded[..., d]
    free = result.solved & ~ex
    near = np.zeros_like(ex)
    near[1:, :] |= free[:-1, :]
    near[:-1, :] |= free[1:, :]
    near[:, 1:] |= free[:, :-1]
    near[:, :-1] |= free[:, 1:]
    counts = {}
    for sup in result.support[ex & near]:
        key = tuple(tuple(int(k) for k in np.flatnonzero(row)) for row in sup)
        counts[key] = counts.get(key, 0) + 1
    return tuple(k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True)
class Boundaries:
    """The derived pieces of a sweep's exclusion boundaries (:func:`exclusion_boundaries`).

    ``regions``: one :class:`ExclusionRegion` per (group, boundary support);
    ``omitted``: ``(group, support, reason)`` for each boundary support with
    no derived region (its reduced KKT system is singular or inconsistent),
    to be stated wherever the boundaries are drawn.  ``complete`` is True
    when nothing was omitted.
    """

    regions: tuple
    omitted: tuple

    @property
    def complete(self) -> bool:
        return not self.omitted


_REGIONS: dict = {}
_REGIONS_MAX = 256


def exclusion_boundaries(result, *, groups=None, timeout: float = 5.0) -> Boundaries:
    """The derived exclusion region of every boundary piece of a sweep: complete and deterministic.

    For every group excluded somewhere on the grid (or those in ``groups``)
    and every support of :func:`boundary_supports`, the region is derived
    exactly (:func:`~symalign.analysis.regions.exclusion_region`; through the aggregate,
    :mod:`symalign.analysis.structured_exclusion`, for aggregative games).
    No wall-clock budget decides which pieces are derived: what is drawn
    from the result depends on the grid alone; a support whose reduced
    system has no solution is listed in ``omitted`` with the reason.
    ``timeout`` bounds only each Z3 validity proof, whose outcome
    (``validity_status``, three-valued) never changes a region's polygon,
    lines or grid-evaluated validity.  Derivations are kept per process by
    the game's content, the plane, the box and the support.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> from symalign.analysis.sweep import parse_axis, sweep
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
    ...                 a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    >>> b = exclusion_boundaries(sweep(g, parse_axis("beta=1:2:21"), parse_axis("gamma=0:1:21")))
    >>> [(reg.group, reg.condition.support) for reg in b.regions], b.complete
    ([(2, ((0, 1), (0, 1))), (2, ((0,), (1,)))], True)
    """
    from symalign.errors import DerivationError
    from symalign.core.gamecache import content_key
    from symalign.core.linear import InconsistentSystem, SingularSystem

    game, x, y = result.game, result.x, result.y
    box = ((x.start, x.stop), (y.start, y.stop))
    wanted = range(game.n_groups) if groups is None else sorted({group_index(game, g) for g in groups})
    game_key = content_key(game)
    regions, omitted = [], []
    for d in wanted:
        if not result.excluded[..., d].any():
            continue
        for sup in boundary_supports(result, d):
            key = None if game_key is None else (game_key, x.name, y.name, box, float(timeout), d, sup)
            region = _REGIONS.get(key) if key is not None else None
            if region is None:
                try:
                    region = exclusion_region(game, d, x.name, y.name, box, support=sup, timeout=timeout)
                except (DerivationError, SingularSystem, InconsistentSystem) as exc:
                    omitted.append((d, sup, str(exc)))
                    continue
                if key is not None:
                    if len(_REGIONS) >= _REGIONS_MAX:
                        _REGIONS.pop(next(iter(_REGIONS)))
                    _REGIONS[key] = region
            regions.append(region)
    return Boundaries(tuple(regions), tuple(omitted))

"""Exact solves on supports: one support, a valid face of a support, every support profile.

The KKT system of a game with affine gradients is linear on a fixed support
(weights on the support and multipliers). :func:`deriver` solves it exactly,
from the family's exact quadratic utilities in rationals where it gives them
(:func:`~symalign.core.affine_solve.equilibrium_on_support`), else from the
symbolic KKT system (:func:`~symalign.core.derive.derive_on_support`);
:func:`valid_face` searches the faces of a support whose equilibrium is
invalid; :func:`support_enumeration` visits every support profile.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from symalign.core.affine_solve import equilibrium_on_support
from symalign.core.derive import all_supports, derive_on_support
from symalign.core.kkt import kkt_system
from symalign.core.linear import InconsistentSystem, SingularSystem
from symalign.core.quadratic import quadratic_utilities
from symalign.errors import DerivationError, InputError

__all__ = ["deriver", "valid_face", "support_enumeration"]


def deriver(game):
    """``support -> Equilibrium`` solving the KKT system exactly on a support, or None (gradients not affine).

    From the exact quadratic utilities in rationals when the family provides
    them (:func:`~symalign.core.affine_solve.equilibrium_on_support`), else
    :func:`~symalign.core.derive.derive_on_support` on the symbolic KKT system.
    """
    q = quadratic_utilities(game)
    if q is not None:
        return lambda support: equilibrium_on_support(game, q, support)
    kkt = kkt_system(game)
    if not kkt.is_affine():
        return None
    return lambda support: derive_on_support(game, support, kkt=kkt)


def valid_face(support, derive, depth: int = 2, budget: int = 200):
    """A valid equilibrium on a face of ``support`` (groups dropped), searched breadth-first."""
    frontier, seen = [support], {support}
    for _ in range(depth):
        nxt = []
        for sup in frontier:
            for i, s in enumerate(sup):
                if len(s) < 2:
                    continue
                for d in s:
                    face = sup[:i] + (tuple(x for x in s if x != d),) + sup[i + 1:]
                    if face in seen:
                        continue
                    seen.add(face)
                    budget -= 1
                    if budget < 0:
                        return None
                    try:
                        eq = derive(face)
                    except (SingularSystem, InconsistentSystem):
                        eq = None
                    if eq is not None and eq.valid:
                        return eq
                    nxt.append(face)
        frontier = nxt
    return None


def support_enumeration(game, *, max_profiles: int = 20_000):
    """All equilibria of a game linear in own weights, by support enumeration.

    Returns ``(equilibria, degenerate)``; ``degenerate`` is True when a
    support system of equal sizes was singular, or an equilibrium has a
    pure best response outside its support (zero KKT slack off the
    support) or supports of unequal size (N = 2): the game is then
    degenerate and the list may miss a continuum of equilibria.
    """
    from symalign.core import validate

    validate.game(game, numeric=True)
    max_profiles = validate.positive_int(max_profiles, "max_profiles")
    D, N = game.n_groups, game.n_agents
    n_profiles = (2**D - 1) ** N
    if n_profiles > max_profiles:
        raise InputError(
            "game", game, f"support enumeration would visit {n_profiles} support profiles (limit {max_profiles})"
        )
    derive = deriver(game)
    if derive is None:
        raise DerivationError(f"family {game.family.label!r}: gradients are not affine in the weights, "
                              "so support enumeration does not apply")
    eqs, degenerate = [], False
    for profile in itertools.product(list(all_supports(D)), repeat=N):
        sizes = {len(s) for s in profile}
        try:
            eq = derive(profile)
        except SingularSystem:
            degenerate = degenerate or len(sizes) == 1
            continue
        except InconsistentSystem:
            continue
        if eq.valid:
            tight_off_support = any(
                eq.slack[i, d] == 0 for i, s in enumerate(profile) for d in range(D) if d not in s
            )
            if tight_off_support or (N == 2 and len(sizes) > 1):
                degenerate = True
            eqs.append(replace(eq, method="support-enumeration"))
    return eqs, degenerate

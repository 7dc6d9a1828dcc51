"""The reduced game: a group forbidden to every agent, and when exact exclusion analysis applies.

When group ``d`` is excluded at an equilibrium, that equilibrium is also an
equilibrium of the *reduced game* in which no agent may weight ``d``.
:func:`reduced_equilibrium` finds the exact equilibrium of the reduced game
of a numeric game (numeric solver for the support, exact derivation and
exact check on it); its slacks at ``d`` decide exclusion
(:mod:`symalign.analysis.exclusion`).  :func:`check_applicable` raises
:class:`ExclusionNotApplicable` for families where the exact analysis does
not apply (entropic variant, polymatrix games, non-affine gradients).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp

from symalign.analysis.inputs import group_index
from symalign.numeric import solvers
from symalign.core.derive import derive_on_support
from symalign.core.equilibrium import Equilibrium, condition_truth
from symalign.errors import DerivationError, InputError
from symalign.core.kkt import kkt_system
from symalign.core.linear import InconsistentSystem, SingularSystem
from symalign.numeric.compile import compile_expressions

__all__ = ["ExclusionNotApplicable", "check_applicable", "reduced_conditions", "reduced_equilibrium"]


class ExclusionNotApplicable(DerivationError):
    """The exact exclusion analysis does not apply to this game's family."""


def check_applicable(game, kkt) -> None:
    """Raise :class:`ExclusionNotApplicable` unless the exact analysis applies to ``game`` (KKT system ``kkt``)."""
    fam = game.family
    if getattr(fam, "variant", "") == "entropic":
        raise ExclusionNotApplicable(
            f"family {fam.label!r}: the best response is a softmax, so every agent gives every group positive "
            "weight (p > 0); exclusion is only approximate (exponentially small weights): use approximate_exclusion"
        )
    if not fam.strictly_concave:
        raise ExclusionNotApplicable(
            f"family {fam.label!r}: utilities are linear in own weights, equilibria need not be unique "
            "(degenerate), so exclusion is not a property of the game; exclusion analysis does not apply"
        )
    if not kkt.is_affine():
        raise ExclusionNotApplicable(
            f"family {fam.label!r}: gradients are not affine in the weights, so the KKT system on the reduced "
            "support is not linear and the exclusion condition cannot be derived exactly"
        )


def reduced_conditions(eq, d):
    """Validity conditions of ``eq`` that do not concern group ``d``."""
    D = eq.game.n_groups
    return tuple(c for k, c in enumerate(eq.conditions) if k % D != d)


def reduced_equilibrium(game, group, *, kkt=None, tol: float = 1e-12) -> Equilibrium:
    """The exact equilibrium of the game in which no agent may weight ``group``.

    The numeric solver (:func:`symalign.numeric.solvers.solve` on the gradient with
    the group's column removed) proposes a support; the equilibrium is then
    derived exactly on it and its KKT conditions checked exactly for every
    group but ``group``; an active-set repair (never adding ``group``)
    handles borderline supports.  Its ``slack[:, group]`` are the slacks
    that decide exclusion.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
    ...                 a=[[1, 1, 0], [1, 0, 0]], p=[[0.5, 0.5, 0], [0.5, 0.25, 0.25]])
    >>> eq = reduced_equilibrium(g, "z")
    >>> eq.weights.tolist(), eq.slack[:, 2].T.tolist()
    ([[1/2, 1/2, 0], [1, 0, 0]], [[1, 1/4]])
    """
    if not game.is_numeric:
        raise InputError("game", game, "has symbolic parameters; reduced_equilibrium needs numbers")
    d = group_index(game, group)
    kkt = kkt_system(game) if kkt is None else kkt
    check_applicable(game, kkt)
    N, D = game.n_agents, game.n_groups
    keep = [k for k in range(D) if k != d]
    fg = compile_expressions(list(kkt.gradients), list(game.weights))

    def grad(Wr):
        W = np.zeros((N, D))
        W[:, keep] = Wr
        out = fg(*W.reshape(-1))
        return np.array(np.broadcast_arrays(*out), dtype=float).reshape(N, D)[:, keep]

    res = solvers.solve(grad, N, D - 1, tol=tol)
    Wr = np.asarray(res.weights)
    support = tuple(tuple(keep[k] for k in np.flatnonzero(row > 1e-9)) or (keep[int(np.argmax(row))],) for row in Wr)
    seen = set()
    for _ in range(4 * N * D):
        seen.add(support)
        try:
            eq = derive_on_support(game, support, kkt=kkt, method="general", normal_form="cancel")
        except (SingularSystem, InconsistentSystem):
            break
        conds = reduced_conditions(eq, d)
        if condition_truth(conds):
            return replace(eq, method="reduced-game: solver support + exact kkt",
                           notes=(f"reduced game without {game.groups[d]!r}",))
        support = _repair(eq, d)
        if support in seen:
            break
    raise DerivationError(
        f"could not certify the equilibrium of the game without group {game.groups[d]!r} "
        f"(solver residual {res.residual:.3g}, support guess {support})"
    )


def _repair(eq, d):
    D = eq.game.n_groups
    new = []
    for i, s in enumerate(eq.support):
        conds = eq.conditions[i * D:(i + 1) * D]
        keep = [k for k in range(D) if k != d and
                ((k in s and conds[k] is not sp.false) or (k not in s and conds[k] is sp.false))]
        new.append(tuple(keep) if keep else (max(s, key=lambda k: eq.weights[i, k]),))
    return tuple(new)

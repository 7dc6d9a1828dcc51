"""Exact equilibria of numeric games.

Strictly concave families: the independent numeric solver locates the
support cheaply, the equilibrium is then derived exactly on it
(:func:`~symalign.core.derive.derive_on_support`) and its KKT conditions are
verified exactly; an active-set repair handles borderline supports.
Families linear in own weights (polymatrix): all equilibria by support
enumeration.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from symalign.numeric import check

from symalign.numeric import solvers
from symalign.core.derive import all_supports, derive_on_support
from symalign.core.equilibrium import Equilibrium
from symalign.errors import DerivationError, InputError
from symalign.core.kkt import kkt_system
from symalign.core.linear import InconsistentSystem, SingularSystem
from symalign.numeric.compile import numeric_game
from symalign.core.rosen_affine import dsc_holds
from symalign.core.notebook import LatexRepr

__all__ = ["Solution", "solve", "find_equilibrium", "support_enumeration"]


@dataclass(frozen=True, eq=False)
class Solution(LatexRepr):
    """Equilibria of a numeric game and what is known about uniqueness.

    ``unique`` is True when proved (Rosen's diagonal strict concavity holds
    exactly, or support enumeration of a nondegenerate game found one),
    False when several equilibria were found, None when unknown.
    """

    game: object
    equilibria: tuple
    unique: bool | None
    degenerate: bool = False
    notes: tuple = ()
    components: tuple = ()
    """Faces of positive dimension of the equilibrium set (``solve(..., all_equilibria=True)``)."""

    def __repr__(self) -> str:
        k = len(self.equilibria)
        exact = sum(1 for e in self.equilibria if e.exact)
        unique = {True: "unique", False: "not unique", None: "uniqueness unknown"}[self.unique]
        return (f"Solution({self.game!r}: {k} equilibri{'um' if k == 1 else 'a'} ({exact} exact), {unique}"
                + (", degenerate" if self.degenerate else "") + ")")

    def to_dict(self) -> dict:
        return {
            "components": [c.to_dict() for c in self.components],
            "game": {"family": self.game.family.label, "agents": self.game.n_agents, "groups": list(self.game.groups)},
            "equilibria": [e.to_dict() for e in self.equilibria],
            "unique": self.unique,
            "degenerate": self.degenerate,
            "notes": list(getattr(self.game, "notes", ())) + list(self.notes),  # input notes first
        }


def solve(game, *, tol: float = 1e-12, max_profiles: int = 20_000, all_equilibria: bool = False) -> Solution:
    """All equilibria we can certify for a numeric game.

    With ``all_equilibria`` every equilibrium of a game with affine
    gradients is enumerated (:func:`symalign.numeric.enumerate.enumerate_equilibria`),
    non-isolated ones as exact components.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=1, gamma="1/2", a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> sol = solve(g)
    >>> sol.unique, sol.equilibria[0].weights
    (True, Matrix([
    [1, 0],
    [0, 1]]))
    """
    from symalign.core import validate

    validate.game(game)
    tol, max_profiles = validate.positive_float(tol, "tol"), validate.positive_int(max_profiles, "max_profiles")
    if not game.is_numeric:
        raise InputError("game", game, "has symbolic parameters; use derive_on_support for closed forms")
    if all_equilibria:
        from symalign.numeric.enumerate import enumerate_equilibria

        res = enumerate_equilibria(game, max_profiles=max_profiles)
        return Solution(game, res.isolated, res.unique, bool(res.components), res.notes, res.components)
    if not game.family.strictly_concave:
        eqs, degenerate = support_enumeration(game, max_profiles=max_profiles)
        unique = False if len(eqs) > 1 else (True if len(eqs) == 1 and not degenerate else None)
        notes = ("degenerate game: equilibria may form a continuum; enumeration lists isolated ones",) if degenerate else ()
        return Solution(game, tuple(eqs), unique, degenerate, notes)
    eq = find_equilibrium(game, tol=tol)
    unique = _unique_by_rosen(game)
    notes = ("uniqueness not established (Rosen's condition fails or is undecided): "
             "solve(..., all_equilibria=True) / solve --all enumerates every equilibrium",) \
        if unique is None and kkt_system(game).is_affine() else ()
    return Solution(game, (eq,), unique, notes=notes)


def _unique_by_rosen(game) -> bool | None:
    kkt = kkt_system(game)
    if not kkt.is_affine():
        return None
    return True if dsc_holds(game, kkt) else None  # exact from the affine parts (rosen_affine)


def find_equilibrium(game, *, tol: float = 1e-12, max_repairs: int | None = None) -> Equilibrium:
    """One equilibrium of a concave numeric game, exact where the family allows."""
    from symalign.core import validate

    validate.game(game, numeric=True)
    tol = validate.positive_float(tol, "tol")
    if max_repairs is not None:
        validate.positive_int(max_repairs, "max_repairs", allow_zero=True)
    ng = numeric_game(game)
    method = "mirror_descent" if ng.entropic else "extragradient"
    res = solvers.solve(ng.grad, game.n_agents, game.n_groups, method=method, tol=tol)
    W = np.asarray(res.weights)
    kkt = kkt_system(game)
    if not kkt.is_affine():
        note = () if res.converged else (f"solver did not converge (residual {res.residual:.3g})",)
        return Equilibrium(
            game, sp.ImmutableMatrix(W.tolist()), _numeric_support(W), exact=False,
            method=res.method, residual=float(res.residual), hypotheses=game.hypotheses(), notes=note,
        )
    support = _numeric_support(W)
    seen = set()
    limit = max_repairs if max_repairs is not None else 4 * game.n_agents * game.n_groups
    for _ in range(limit):
        seen.add(support)
        try:
            eq = derive_on_support(game, support, kkt=kkt)
        except (SingularSystem, InconsistentSystem):
            face = _valid_face(game, support, kkt)
            if face is not None:
                r = float(check.kkt_residual(ng.grad, face.as_array()))
                notes = ("equilibria are not isolated: the solver's support gives a singular system; "
                         "this exact equilibrium lies on a face of it",)
                return replace(face, method="solver-support+face+exact-kkt", residual=r, notes=notes)
            break
        if eq.valid:
            r = float(check.kkt_residual(ng.grad, eq.as_array()))
            return replace(eq, method="solver-support+exact-kkt", residual=r)
        support = _repair(game, eq)
        if support in seen:
            break
    raise DerivationError(
        f"could not certify an exact equilibrium (numeric solver residual {res.residual:.3g}, "
        f"support guess {support})"
    )


def _valid_face(game, support, kkt, depth: int = 2, budget: int = 200):
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
                        eq = derive_on_support(game, face, kkt=kkt)
                    except (SingularSystem, InconsistentSystem):
                        eq = None
                    if eq is not None and eq.valid:
                        return eq
                    nxt.append(face)
        frontier = nxt
    return None


def _numeric_support(W, tol=1e-9):
    return tuple(tuple(int(d) for d in np.flatnonzero(row > tol)) or (int(np.argmax(row)),) for row in W)


def _repair(game, eq):
    D = game.n_groups
    new = []
    for i, s in enumerate(eq.support):
        conds = eq.conditions[i * D:(i + 1) * D]
        keep = [d for d in range(D) if (d in s and conds[d] is not sp.false) or (d not in s and conds[d] is sp.false)]
        if not keep:
            keep = [max(s, key=lambda d: eq.weights[i, d])]
        new.append(tuple(keep))
    return tuple(new)


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
    kkt = kkt_system(game)
    eqs, degenerate = [], False
    for profile in itertools.product(list(all_supports(D)), repeat=N):
        sizes = {len(s) for s in profile}
        try:
            eq = derive_on_support(game, profile, kkt=kkt)
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

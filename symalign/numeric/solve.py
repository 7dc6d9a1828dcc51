"""Exact equilibria of numeric games, each with its own check.

Own-concavity is checked, not declared (:mod:`symalign.core.concavity`).
Every result carries its KKT residual, its best deviation gain found by
an independent search (:mod:`symalign.numeric.deviation`, global over the
simplex where concavity is not proved), the concavity status and notes.

Concave games: the independent numeric solver locates the
support cheaply, the equilibrium is then derived exactly on it
(:func:`~symalign.core.derive.derive_on_support`) and its KKT conditions are
verified exactly; an active-set repair handles borderline supports.
Families linear in own weights (polymatrix): all equilibria by support
enumeration (:mod:`symalign.numeric.support_solve`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from symalign.numeric import check
from symalign.numeric.deviation import DEVIATION_TOL, check_profile
from symalign.core.concavity import own_concavity

from symalign.numeric import solvers
from symalign.core.equilibrium import Equilibrium
from symalign.errors import DerivationError, InputError
from symalign.core.kkt import kkt_system
from symalign.core.linear import InconsistentSystem, SingularSystem
from symalign.numeric import cache
from symalign.core.quadratic import quadratic_utilities
from symalign.numeric.support_solve import deriver, support_enumeration, valid_face
from symalign.certify import LEDGER, check_unique
from symalign.core.notebook import LatexRepr

__all__ = ["Solution", "solve", "find_equilibrium", "support_enumeration", "check_profile", "NOT_ISOLATED"]


@dataclass(frozen=True, eq=False)
class Solution(LatexRepr):
    """Equilibria of a numeric game, each with its own check, and what is known about uniqueness.

    Attributes
    ----------
    game : Game
    equilibria : tuple of Equilibrium
        Profiles that passed the independent deviation check (each carries
        ``concavity``, ``deviation_gain``, ``residual``, ``isolated``, ``notes``).
    unique : bool or None
        True when proved (own-concavity proved and Rosen's diagonal strict
        concavity holds exactly, or support enumeration of a nondegenerate
        game found one), False when several equilibria were found or they
        form a continuum, None when unknown.
    degenerate : bool
    notes : tuple of str
    concavity : Concavity or None
        The game's own-concavity check (:func:`symalign.core.concavity.own_concavity`).
    stationary_points : tuple of Equilibrium
        KKT points that are *not* equilibria: an agent gains more than the
        tolerance by deviating (their ``deviation_gain`` says how much).
        Reported only where own-concavity is not proved.
    """

    game: object
    equilibria: tuple
    unique: bool | None
    degenerate: bool = False
    notes: tuple = ()
    concavity: object = None
    stationary_points: tuple = ()
    components: tuple = ()
    """Faces of positive dimension of the equilibrium set (``solve(..., all_equilibria=True)``)."""

    def __repr__(self) -> str:
        k = len(self.equilibria)
        exact = sum(1 for e in self.equilibria if e.certified)
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
            "isolated": None if not self.equilibria else
            (False if any(e.isolated is False for e in self.equilibria) else
             (True if self.unique else None)),
            "concavity": None if self.concavity is None else self.concavity.to_dict(),
            "stationary_points": [e.to_dict() for e in self.stationary_points],
            "notes": list(getattr(self.game, "notes", ())) + list(self.notes),  # input notes first
        }


NOT_ISOLATED = "equilibria are not isolated (a continuum): this is one of them"


def solve(game, *, tol: float = 1e-12, max_profiles: int = 20_000, all_equilibria: bool = False,
          max_vertex_profiles: int = 4096, deviation_tol: float = DEVIATION_TOL) -> Solution:
    """Equilibria of a numeric game, each checked by an independent deviation search.

    Own-concavity is checked first (:func:`~symalign.core.concavity.own_concavity`).
    When it is proved, the equilibrium is found by the numeric solver,
    derived exactly on its support and checked (exact KKT, residual,
    deviation gain); families linear in own weights go through support
    enumeration.  When it is refuted or unknown, KKT points are only
    *candidates*: each candidate, and every pure profile (vertex of the
    product of simplices, when there are at most ``max_vertex_profiles``), is
    kept as an equilibrium only if a multi-start search over the whole
    simplex (:func:`~symalign.numeric.deviation.global_deviation_gain`) finds
    no deviation gaining more than ``deviation_tol * (1 + |U_i|)``; rejected
    KKT points are reported as ``stationary_points``.

    With ``all_equilibria`` every equilibrium of a game with affine
    gradients is enumerated (:func:`symalign.numeric.enumerate.enumerate_equilibria`),
    non-isolated ones as exact components; each isolated one is checked the
    same way (own-concavity, deviation gain).

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
    >>> eq = sol.equilibria[0]
    >>> eq.certified, eq.concavity, eq.deviation_gain <= 1e-9
    (True, 'proved', True)
    """
    from symalign.core import validate

    validate.game(game)
    tol, max_profiles = validate.positive_float(tol, "tol"), validate.positive_int(max_profiles, "max_profiles")
    if not game.is_numeric:
        raise InputError("game", game, "has symbolic parameters; use derive_on_support for closed forms")
    if not all_equilibria and game.n_agents > 2:
        sym = _symmetric(game, deviation_tol)
        if sym is not None:
            return sym
    concav = own_concavity(game)
    ng = cache.numeric(game)
    if all_equilibria and not kkt_system(game).is_affine():
        return _all_by_branch_and_bound(game, ng, concav, deviation_tol)
    if all_equilibria:
        from symalign.numeric.enumerate import enumerate_equilibria

        res = enumerate_equilibria(game, max_profiles=max_profiles, _concavity=concav, _ng=ng)
        eqs = res.isolated  # already checked with ``concav`` (check_profile)
        good = tuple(e for e in eqs if _passes(e, ng, deviation_tol))
        bad = tuple(e for e in eqs if not _passes(e, ng, deviation_tol))
        notes = tuple(res.notes) + ((f"own-concavity {concav.status}: enumerated KKT points are checked by "
                                     "the exact checker (else the deviation search)",)
                                    if concav.status != "proved" else ()) + _bug_notes(bad, concav)
        # a failed check voids the count; two profiles that pass the deviation check refute uniqueness
        unique = False if len(good) > 1 else (res.unique if concav.status == "proved" and not bad else None)
        return Solution(game, good, unique, bool(res.components), notes, concav, bad, res.components)
    if concav.status == "proved":
        return _solve_concave(game, ng, concav, tol, max_profiles, deviation_tol)
    return _solve_nonconcave(game, ng, concav, tol, max_vertex_profiles, deviation_tol)


def _symmetric(game, deviation_tol):
    """Homogeneous games: the symmetric equilibrium by the mean-field route, checked on a representative
    agent (:func:`symalign.numeric.homogeneous.symmetric_equilibrium`); None when the route does not apply,
    strict own-concavity is not proved or the check fails (the explicit game is then solved)."""
    from symalign.numeric.homogeneous import is_homogeneous, symmetric_equilibrium

    if not is_homogeneous(game):
        return None
    try:
        res = symmetric_equilibrium(game)
    except (DerivationError, InputError):
        return None
    eq = res.equilibrium
    # without proved strict own-concavity the explicit route also lists pure-profile equilibria or
    # enumerates supports: take it
    status = getattr(eq.certificate, "status", None)
    if status == "rejected":  # the independent checker decided it is not an equilibrium
        return None
    if res.concavity.status != "proved" or res.concavity.strict is not True \
            or (status != "accepted" and not eq.deviation_gain <= deviation_tol * res.scale):
        return None
    notes = () if res.unique else (
        "uniqueness not established (Rosen's condition fails): other, asymmetric equilibria may exist; "
        "solve(..., all_equilibria=True) enumerates the explicit game",)
    return Solution(game, (eq,), res.unique, False, notes, res.concavity)


def _linear_in_own(game) -> bool:
    q = quadratic_utilities(game)
    if q is not None:
        return all(not any(x for row in q.own_hessian(i) for x in row) for i in range(game.n_agents))
    return all(sp.hessian(game.utility(i), list(game.weights.row(i))).is_zero_matrix for i in range(game.n_agents))


def _solve_concave(game, ng, concav, tol, max_profiles, deviation_tol):
    if not game.family.strictly_concave or (concav.strict is False and _linear_in_own(game)):
        eqs, degenerate = support_enumeration(game, max_profiles=max_profiles)
        eqs = [check_profile(e, ng, concav) for e in eqs]
        good = [e for e in eqs if _passes(e, ng, deviation_tol)]
        bad = tuple(e for e in eqs if not _passes(e, ng, deviation_tol))
        # uniqueness from the complete enumeration only where the checker accepted every equilibrium listed:
        # a candidate that passed the float search alone decides nothing
        certain = all(e.certified for e in good)
        unique = (False if len(good) > 1 else True if len(good) == 1 and not degenerate else None) if certain else None
        notes = ("degenerate game: equilibria may form a continuum; support enumeration lists the equilibria of "
                 "its nonsingular supports (isolated ones and some vertices of components), not every component: "
                 "solve(..., all_equilibria=True) / solve --all lists them all",) if degenerate else ()
        return Solution(game, tuple(good), unique, degenerate, notes + _bug_notes(bad, concav), concav, bad)
    eq = check_profile(find_equilibrium(game, tol=tol, _ng=ng), ng, concav)
    if not _passes(eq, ng, deviation_tol):  # would be a bug: KKT under proved concavity
        return Solution(game, (), None, False, _bug_notes((eq,), concav), concav, (eq,))
    notes = (NOT_ISOLATED,) if eq.isolated is False else ()
    unique = False if eq.isolated is False else _unique_by_rosen(game)
    if unique is None and deriver(game) is not None:
        notes += ("uniqueness not established (Rosen's condition fails or is undecided): "
                  "solve(..., all_equilibria=True) / solve --all enumerates every equilibrium",)
    return Solution(game, (eq,), unique, eq.isolated is False, notes, concav)


def _bug_notes(bad, concav):
    """Notes on KKT points that are not equilibria; under proved concavity each is a bug (certify.LEDGER)."""
    if not bad:
        return ()
    if concav.status != "proved":
        return (f"{len(bad)} KKT point(s) are not equilibria (own-concavity {concav.status}): reported as "
                "stationary points",)
    for e in bad:
        if e.certificate is not None:
            LEDGER.record("solve", e.certificate)
    return (f"{len(bad)} KKT point(s) failed the equilibrium check although concavity is proved "
            "(a numerical or derivation problem): reported as stationary points",)


def _solve_nonconcave(game, ng, concav, tol, max_vertex_profiles, deviation_tol):
    why = f"own-concavity {concav.status}"
    candidates = []
    try:
        candidates.append(find_equilibrium(game, tol=tol, _ng=ng))
    except (DerivationError, InputError):
        pass
    candidates += list(_pure_candidates(game, ng, max_vertex_profiles, deviation_tol))
    eqs, stationary, seen = [], [], []
    for cand in candidates:
        W = cand.as_array()
        if any(np.max(np.abs(W - V)) < 1e-9 for V in seen):
            continue
        seen.append(W)
        checked = check_profile(cand, ng, concav)
        note = (f"{why}: KKT conditions do not imply an equilibrium; " + (
            f"the exact checker found no gain ({checked.certificate.check})" if checked.certified else
            "checked by a multi-start search for deviations over the whole simplex (numeric evidence, not a proof)"),)
        if _passes(checked, ng, deviation_tol):
            eqs.append(replace(checked, notes=checked.notes + note))
        elif cand.method != "pure-profile":
            stationary.append(replace(checked, notes=checked.notes + (
                f"stationary point, NOT an equilibrium: an agent gains {checked.deviation_gain:.3g} by deviating",)))
    notes = (f"{why} ({concav.method}): stationary points are not reported as equilibria; "
             "uniqueness is not established",) + tuple(concav.notes)
    if game.n_groups ** game.n_agents > max_vertex_profiles:
        notes += (f"pure profiles not enumerated ({game.n_groups}**{game.n_agents} > {max_vertex_profiles})",)
    if not eqs:
        notes += ("no equilibrium found by the search (one exists when utilities are continuous only "
                  "in mixed extensions; this is not a proof of non-existence)",)
    return Solution(game, tuple(eqs), False if len(eqs) > 1 else None, False, notes, concav, tuple(stationary))


def _pure_candidates(game, ng, limit, deviation_tol):
    """Pure profiles (vertices) where no agent gains by moving to another vertex."""
    N, D = game.n_agents, game.n_groups
    if D ** N > limit:
        return
    eye = np.eye(D)
    for combo in itertools.product(range(D), repeat=N):
        W = eye[list(combo)]
        U = ng.utility(W)
        ok = True
        for i in range(N):
            for d in range(D):
                if d == combo[i]:
                    continue
                V = W.copy()
                V[i] = eye[d]
                if ng.utility(V)[i] - U[i] > deviation_tol * (1 + abs(U[i])):
                    ok = False
                    break
            if not ok:
                break
        if ok:
            weights = sp.ImmutableMatrix(N, D, lambda i, d: sp.Integer(int(d == combo[i])))
            yield Equilibrium(game, weights, tuple((c,) for c in combo), exact=True, method="pure-profile",
                              hypotheses=game.hypotheses())


def _passes(eq, ng, deviation_tol) -> bool:
    """The exact checker's verdict where it decided; else (candidates, never certified) the float search."""
    status = getattr(eq.certificate, "status", None)
    if status in ("accepted", "rejected"):
        return status == "accepted"
    scale = 1.0 + float(np.max(np.abs(ng.utility(eq.as_array()))))
    return eq.deviation_gain is not None and eq.deviation_gain <= deviation_tol * scale


def _unique_by_rosen(game) -> bool | None:
    """True only when the checker accepts Rosen's certificate (:func:`symalign.certify.check_unique`)."""
    return True if check_unique(game).accepted else None


def find_equilibrium(game, *, tol: float = 1e-12, max_repairs: int | None = None, _ng=None) -> Equilibrium:
    """One KKT point of a numeric game, exact where the family allows.

    It is an equilibrium when own-concavity holds (:func:`solve` checks);
    where equilibria form a continuum the result is exact on a face when
    one is found, else the solver's numeric point, with ``isolated=False``.
    """
    from symalign.core import validate

    validate.game(game, numeric=True)
    tol = validate.positive_float(tol, "tol")
    if max_repairs is not None:
        validate.positive_int(max_repairs, "max_repairs", allow_zero=True)
    ng = cache.numeric(game) if _ng is None else _ng
    derive = deriver(game)
    if derive is not None and quadratic_utilities(game) is not None and game.n_agents * game.n_groups <= 64:
        # small game, exact rational solves cheaper than the iterative solver: try the interior first
        # (a valid KKT point needs no solver run; larger games take the solver's support directly)
        try:
            eq = derive(tuple(tuple(range(game.n_groups)) for _ in range(game.n_agents)))
        except (SingularSystem, InconsistentSystem):
            eq = None
        if eq is not None and eq.valid:
            return replace(eq, method="interior+exact-kkt", residual=float(check.kkt_residual(ng.grad, eq.as_array())))
    if derive is None:
        from symalign.numeric.nonsmooth import is_nonsmooth

        if is_nonsmooth(game):
            from symalign.numeric.nonsmooth import nonsmooth_equilibrium

            return nonsmooth_equilibrium(game, ng)
    method = "mirror_descent" if ng.entropic else "extragradient"
    res = solvers.solve(ng.grad, game.n_agents, game.n_groups, method=method, tol=tol)
    W = np.asarray(res.weights)
    numeric = Equilibrium(
        game, sp.ImmutableMatrix(W.tolist()), _numeric_support(W), exact=False,
        method=res.method, residual=float(res.residual), hypotheses=game.hypotheses(),
        notes=() if res.converged else (f"solver did not converge (residual {res.residual:.3g})",),
    )
    if derive is None:
        from symalign.numeric.recognise import recognise

        exact = recognise(game, W)
        if exact is None:
            from symalign.numeric.krawczyk import boxed_equilibrium

            return boxed_equilibrium(game, numeric, W)
        return replace(exact, method="solver+" + exact.method,
                       residual=float(check.kkt_residual(ng.grad, exact.as_array())))
    support = _numeric_support(W)
    seen = set()
    limit = max_repairs if max_repairs is not None else 4 * game.n_agents * game.n_groups
    for _ in range(limit):
        seen.add(support)
        try:
            eq = derive(support)
        except (SingularSystem, InconsistentSystem) as exc:
            singular = isinstance(exc, SingularSystem)
            face = valid_face(support, derive)
            if face is not None:
                r = float(check.kkt_residual(ng.grad, face.as_array()))
                notes = ((NOT_ISOLATED + "; the solver's support gives a singular system and this exact "
                          "equilibrium lies on a face of it",) if singular else ())
                return replace(face, method="solver-support+face+exact-kkt", residual=r, notes=notes,
                               isolated=False if singular else None)
            if singular:
                return replace(numeric, isolated=False, notes=numeric.notes + (
                    NOT_ISOLATED + "; the KKT system on the solver's support is singular and no exact "
                    "point was found on its faces: numeric equilibrium with its residual",))
            break
        if eq.valid:
            r = float(check.kkt_residual(ng.grad, eq.as_array()))
            return replace(eq, method="solver-support+exact-kkt", residual=r)
        support = _repair(game, eq)
        if support in seen:
            break
    return replace(numeric, notes=numeric.notes + (
        f"no exact equilibrium derived (support guess {support}): numeric solution with its residual",))


def _all_by_branch_and_bound(game, ng, concav, deviation_tol):
    """Non-affine gradients: every interior KKT point by certified branch-and-bound
    (:func:`symalign.numeric.branch_bound.interior_kkt_points`), each checked like any candidate."""
    from symalign.numeric.branch_bound import interior_kkt_points

    from symalign.numeric.recognise import recognise

    try:
        res = interior_kkt_points(game)
    except ImportError:
        raise DerivationError("solve --all for games with non-affine gradients needs python-flint "
                              "(pip install 'symalign[intervals]')") from None
    eqs, bad = [], []
    for P in res.points:
        e = recognise(game, P) or Equilibrium(game, sp.ImmutableMatrix(P.tolist()), _numeric_support(P),
                                              exact=False, hypotheses=game.hypotheses())
        e = check_profile(replace(e, method="branch-and-bound (Krawczyk)" + ("+exact" if e.exact else ""),
                                  notes=e.notes + ("unique KKT point in its certified box",)), ng, concav)
        (eqs if _passes(e, ng, deviation_tol) else bad).append(e)
    notes = (res.statement,)
    if concav.status != "proved":
        notes += (f"own-concavity {concav.status}: the boxed KKT points are checked by the deviation search",)
    notes += ("KKT points on the boundary of the simplex (some weight below the box's margin) are not searched",)
    unique = False if len(eqs) > 1 else None  # boundary points are outside the search
    return Solution(game, tuple(eqs), unique, False, notes + _bug_notes(tuple(bad), concav) * (concav.status == "proved"),
                    concav, tuple(bad))


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

"""Own-concavity of a numeric game, checked from its Hessians (never declared).

Each utility ``U_i`` must be concave in agent ``i``'s own weights on the
simplex for first-order (KKT) conditions to characterise best responses
(and for Rosen's existence theorem).  :func:`own_concavity` decides this
from the own Hessian restricted to the tangent space ``{v : sum v = 0}``
(:func:`symalign.core.rosen.own_hessian`), three-valued:

* ``"proved"``: the restricted Hessian is constant and exactly negative
  semidefinite (sign pattern of its characteristic polynomial, in
  rationals), or the full own Hessian is diagonal with entries that are
  nonpositive for every positive weight (e.g. entropy terms);
* ``"refuted"``: a profile where the restricted Hessian has a positive
  eigenvalue, confirmed exactly at a rational profile;
* ``"unknown"``: the Hessian depends on the weights and no violation was
  found at the sampled profiles (sampling is evidence, not proof).

The family's ``strictly_concave`` flag is not consulted.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from symalign.core.kkt import kkt_system
from symalign.core.rosen import charpoly_coefficients, own_hessian, restrict_to_tangent

__all__ = ["Concavity", "own_concavity", "psd_exact"]

STATUSES = ("proved", "refuted", "unknown")


@dataclass(frozen=True)
class Concavity:
    """Whether every utility is concave in the agent's own weights.

    Attributes
    ----------
    status : str
        ``"proved"``, ``"refuted"`` or ``"unknown"`` (see the module docstring).
    strict : bool or None
        True when every restricted own Hessian is exactly negative definite
        (strict concavity), False when one is singular somewhere, None when unknown.
    method : str
        How it was decided.
    witness : tuple or None
        ``(agent, profile)`` with an exact rational profile where agent's
        own Hessian has a positive eigenvalue (when refuted).
    notes : tuple of str
    """

    status: str
    strict: bool | None
    method: str
    witness: tuple | None = None
    notes: tuple = ()
    certificates: tuple = ()
    """``(agent, proof)`` pairs: curvature rule trees (:class:`symalign.core.curvature.Node`, re-checked by
    :func:`symalign.core.curvature.check_tree`) or Z3 sign proofs of a diagonal Hessian
    (:class:`symalign.core.hessian_signs.SignProof`, whose SMT-LIB queries can be re-run)."""

    def to_dict(self) -> dict:
        out = {"status": self.status, "strict": self.strict, "method": self.method}
        if self.witness is not None:
            out["witness"] = {"agent": self.witness[0], "profile": [[str(x) for x in r] for r in self.witness[1]]}
        if self.certificates:
            out["certificates"] = [{"agent": i, "tree": t.to_dict()} if hasattr(t, "to_dict") else
                                   {"agent": i, "smt2": list(t.queries)} for i, t in self.certificates]
        return out


def psd_exact(M) -> tuple[bool, bool]:
    """``(semidefinite, definite)`` for a symmetric matrix of rationals, exactly.

    A real symmetric matrix is positive semidefinite iff the coefficients of
    its characteristic polynomial ``det(t I - M)`` alternate in sign (zeros
    allowed), since all its roots are real; it is definite when moreover the
    constant coefficient is not zero.

    Examples
    --------
    >>> psd_exact(sp.Matrix([[2, 1], [1, 2]]))
    (True, True)
    >>> psd_exact(sp.Matrix([[1, 1], [1, 1]]))
    (True, False)
    >>> psd_exact(sp.Matrix([[0, 1], [1, 0]]))
    (False, False)
    """
    M = sp.Matrix(M)
    if M.rows == 0:
        return True, True
    coeffs = charpoly_coefficients(M)  # leading first: t^n + c1 t^(n-1) + ...
    semidefinite = all((-1) ** k * c >= 0 for k, c in enumerate(coeffs))
    return semidefinite, bool(semidefinite and coeffs[-1] != 0)


def own_concavity(game, *, samples: int = 64, seed: int = 0) -> Concavity:
    """Check that every agent's utility is concave in its own weights.

    Parameters
    ----------
    game : Game
        A game with numeric parameters.
    samples : int
        Random interior profiles (besides the centre and near-vertex points)
        at which a weight-dependent Hessian is evaluated.
    seed : int
        Seed of the sampler (deterministic results).

    Examples
    --------
    >>> from symalign import Game
    >>> from symalign.core.families.custom import CustomFamily
    >>> g = Game.create(CustomFamily("sum(w[d]**2, d) - sum(w[d]*m[d], d)"), 2, 3)
    >>> c = own_concavity(g)
    >>> c.status, c.method
    ('refuted', 'exact (constant Hessian)')
    >>> own_concavity(Game.create(CustomFamily("-sum(w[d]**2, d)"), 2, 3)).status
    'proved'
    >>> own_concavity(Game.create(CustomFamily("-sum(w[d]*log(w[d]), d)"), 2, 3)).status
    'proved'
    """
    if game.free_symbols():
        from symalign.errors import InputError

        raise InputError("game", game, "has symbolic parameters; own_concavity checks numeric games "
                                       "(use verify.certificates.existence_certificate for symbolic ones)")
    from symalign.core.quadratic import quadratic_utilities

    q = quadratic_utilities(game)
    if q is not None:
        return _quadratic_concavity(game, q)
    seen: dict = {}
    strict_all, methods, unknown_notes, z3_proofs = True, set(), [], []
    weights = game.weights
    affine = _affine_own_hessians(game)
    if affine is None and not kkt_system(game).is_affine():  # Hessian depends on the weights: rules first
        structural = _structural(game)
        if structural is not None:
            return structural
    for i in range(game.n_agents):
        H = affine[i] if affine is not None else sp.Matrix(own_hessian(game, i))
        key = sp.ImmutableMatrix(H)
        if key in seen:
            continue
        seen[key] = i
        wsyms = H.free_symbols
        if not wsyms:
            semi, definite = psd_exact(-H)
            methods.add("exact (constant Hessian)")
            if not semi:
                return Concavity("refuted", False, "exact (constant Hessian)",
                                 (i, _centre(game)), (f"agent {i + 1}: own Hessian has a positive eigenvalue "
                                                      "at every profile",))
            strict_all = strict_all and definite
            continue
        if _diagonal_nonpositive(game, i):
            methods.add("diagonal Hessian, signs on positive weights")
            strict_all = None if strict_all is None else (strict_all and _diagonal_negative(game, i))
            continue
        proof = _z3_diagonal(game, i)
        bad = _sampled_violation(H, weights, game, i, samples, seed)  # also cross-checks a Z3 proof
        if bad is None and proof is not None and proof.status == "proved":
            methods.add("diagonal Hessian, Z3 sign proof on the simplex")
            strict_all = None
            z3_proofs.append((i, proof))
            continue
        if bad is not None:
            return Concavity("refuted", False, "sampled, confirmed at a rational profile", (i, bad),
                             (f"agent {i + 1}: own Hessian has a positive eigenvalue at the witness profile",))
        methods.add("sampled")
        strict_all = None
        unknown_notes.append(f"agent {i + 1}: own Hessian depends on the weights; no violation at "
                             f"{samples + 1 + game.n_groups} sampled profiles (evidence, not proof)")
    if unknown_notes:
        if any(u.has(sp.Abs, sp.Max, sp.Min) for u in game.utilities()):
            unknown_notes.append("the utilities have kinks (abs/max/min): sampled Hessians are blind to them, "
                                 "a convex kink is not detected")
        return Concavity("unknown", None, " + ".join(sorted(methods)), None, tuple(unknown_notes))
    return Concavity("proved", strict_all, " + ".join(sorted(methods)), None, (), tuple(z3_proofs))


def _z3_diagonal(game, i):
    """Z3 proof that agent i's diagonal own Hessian is nonpositive on the product of simplices, or None.

    None when the Hessian is not diagonal or an entry is not a rational function; the proof's queries
    (SMT-LIB) are its certificate (:mod:`symalign.core.hessian_signs`).
    """
    from symalign.core.hessian_signs import diagonal_sign_proof

    H = _full_hessian(game, i)
    if any(H[r, c] != 0 for r in range(H.rows) for c in range(H.cols) if r != c):
        return None
    entries = [sp.cancel(H[d, d]) for d in range(H.rows)]
    used = set().union(*(e.free_symbols for e in entries))
    rows = [list(game.weights.row(j)) for j in range(game.n_agents) if used & set(game.weights.row(j))]
    if not rows:
        return None
    return diagonal_sign_proof(entries, rows)


def _structural(game):
    """Own-concavity proved by curvature rules for every agent (milliseconds), or None when a rule is missing.

    Each agent's certificate is re-checked by :func:`~symalign.core.curvature.check_tree` before it is
    used; strictness is claimed only for separable trees (:func:`~symalign.core.curvature.strictly_concave`).
    """
    from symalign.core.curvature import check_tree, curvature_tree, strictly_concave

    certs, strict = [], True
    for i in range(game.n_agents):
        own = list(game.weights.row(i))
        tree = curvature_tree(game.utility(i), own)
        if tree.curvature not in ("concave", "affine", "constant") or not check_tree(tree, own):
            return None
        certs.append((i, tree))
        strict = strict and strictly_concave(tree, own)
    return Concavity("proved", True if strict else None, "curvature rules (DCP)", None,
                     () if strict else ("strict own-concavity not established by the curvature rules",),
                     tuple(certs))


def _quadratic_concavity(game, q) -> Concavity:
    """Own-concavity of a quadratic game from its exact own Hessians (constant: decided exactly).

    Same answer as the symbolic route (tested): the tangent-space Hessian
    ``B^T H B`` is tested for negative definiteness by exact fraction-free
    elimination, and only when that fails for semidefiniteness through the
    characteristic polynomial (:func:`psd_exact`).
    """
    from symalign.core.rosen_affine import _bareiss_positive_definite

    method = "exact (constant Hessian)"
    seen, strict_all = set(), True
    last = q.n_groups - 1
    den, rows = q.integer_jacobian  # own Hessian of agent i: rows[i*D + d][i*D + e] / den
    D = q.n_groups
    for i in range(game.n_agents):
        H = [[rows[i * D + d].get(i * D + e, 0) for e in range(D)] for d in range(D)]
        Hr = tuple(map(tuple, restrict_to_tangent(H)))
        if Hr in seen:
            continue
        seen.add(Hr)
        if _bareiss_positive_definite([[-x for x in row] for row in Hr]):  # -Hr / den positive definite
            continue
        semi, definite = psd_exact(-sp.Matrix(last, last, lambda a, b: sp.Integer(Hr[a][b])))
        if not semi:
            return Concavity("refuted", False, method, (i, _centre(game)),
                             (f"agent {i + 1}: own Hessian has a positive eigenvalue at every profile",))
        strict_all = strict_all and definite
    return Concavity("proved", strict_all, method)


def _affine_own_hessians(game):
    """Restricted own Hessians read off the KKT system's affine gradients, or None.

    When every own-gradient is affine with rational coefficients (the usual
    numeric game), agent i's own Hessian is the constant matrix of the
    coefficients of ``w_i`` in its gradient: no second differentiation of the
    utility.  None (use :func:`symalign.core.rosen.own_hessian`) when a
    gradient is not affine, a coefficient is not rational, or a block is not
    symmetric.
    """
    parts = kkt_system(game).affine_parts()
    if parts is None:
        return None
    W, D = game.weights, game.n_groups
    out = []
    for i in range(game.n_agents):
        own = [W[i, e] for e in range(D)]
        H = [[parts[i][d][1].get(w, sp.Integer(0)) for w in own] for d in range(D)]
        if not all(x.is_Rational for row in H for x in row) or any(
                H[d][e] != H[e][d] for d in range(D) for e in range(d)):
            return None
        out.append(sp.Matrix(restrict_to_tangent(H)))
    return out


def _centre(game):
    D = game.n_groups
    return tuple(tuple(sp.Rational(1, D) for _ in range(D)) for _ in range(game.n_agents))


def _positive_subs(game):
    return {w: sp.Dummy(positive=True) for w in game.weights}


def _full_hessian(game, i):
    return sp.hessian(game.utility(i), list(game.weights.row(i)))


def _diagonal_nonpositive(game, i) -> bool:
    H = _full_hessian(game, i)
    if any(H[r, c] != 0 for r in range(H.rows) for c in range(H.cols) if r != c):
        return False
    sub = _positive_subs(game)
    return all(sp.sympify(H[d, d], strict=True).xreplace(sub).is_nonpositive is True for d in range(H.rows))


def _diagonal_negative(game, i) -> bool:
    H = _full_hessian(game, i)
    sub = _positive_subs(game)
    return all(sp.sympify(H[d, d], strict=True).xreplace(sub).is_negative is True for d in range(H.rows))


def _sample_profiles(n_agents, n_groups, samples, seed):
    rng = np.random.default_rng(seed)
    pts = [np.full((n_agents, n_groups), 1.0 / n_groups)]
    for d in range(n_groups):  # near each vertex (interior, so log terms stay finite)
        P = np.full((n_agents, n_groups), 0.05 / max(n_groups - 1, 1))
        P[:, d] = 0.95 if n_groups > 1 else 1.0
        pts.append(P)
    pts += list(rng.dirichlet(np.ones(n_groups), size=(samples, n_agents)))
    return pts


def _rational_profile(P):
    rows = []
    for r in P:
        fr = [Fraction(float(x)).limit_denominator(10**6) for x in r]
        fr = [max(f, Fraction(1, 10**6)) for f in fr]
        s = sum(fr)
        rows.append(tuple(sp.Rational(f.numerator, f.denominator) / sp.Rational(s.numerator, s.denominator)
                          for f in fr))
    return tuple(rows)


def _sampled_violation(H, weights, game, i, samples, seed):
    """An exact rational profile where ``H`` (restricted own Hessian) is not NSD, or None.

    ``H`` is evaluated exactly at rational profiles; entries that are not
    rational there (logs) are decided with 30-digit arithmetic and a margin.
    """
    flat = list(weights)
    for P in _sample_profiles(game.n_agents, game.n_groups, samples, seed):
        R = _rational_profile(P)
        sub = dict(zip(flat, [x for row in R for x in row]))
        Hs = H.xreplace(sub)
        if all(x.is_Rational for x in Hs):
            if not psd_exact(-Hs)[0]:
                return R
            continue
        vals = np.linalg.eigvalsh(np.array(Hs.evalf(30).tolist(), dtype=float))
        if vals.size and vals[-1] > 1e-9 * max(1.0, float(np.max(np.abs(vals)))):
            return R
    return None

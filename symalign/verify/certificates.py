"""Existence and uniqueness certificates (Rosen 1965) derived from the game.

An *existence* certificate shows that every utility is concave in the
agent's own strategy on the simplex: the own Hessian, restricted to the
tangent space ``{v : sum_d v_d = 0}`` (:func:`symalign.core.rosen.own_hessian`),
is negative semidefinite.  Rosen's Theorem 1 then gives a pure Nash
equilibrium.  A *uniqueness* certificate shows Rosen's diagonal strict
concavity: the symmetrised pseudo-Jacobian is negative definite on the
tangent space (:func:`symalign.core.rosen.dsc_matrix`), which by Rosen's
Theorems 2 and 6 makes the equilibrium unique.

The condition on the parameters is *derived*, never typed in:

* closed-form eigenvalues when the characteristic polynomial splits into
  linear factors (computed by factorisation, not guessed;
  :mod:`symalign.verify.spectra`);
* for homogeneous parameters the matrix is block structured,
  ``I_N (x) A + (J_N - I_N) (x) B``; an orthogonal change of basis in the
  agent index turns it into ``diag(A + (N-1) B, A - B, ..., A - B)``, so
  the eigenvalues are those of ``A + (N-1) B`` (once) and ``A - B``
  (``N - 1`` times).  This also works for a symbolic number of agents
  (:class:`symalign.verify.population.PopulationGame`);
* Sylvester's leading principal minors otherwise.

Each sign condition is reduced (positive numeric factors and factors that
are positive on the domain, such as ``N - 1`` or interior weights, are
dropped; :mod:`symalign.verify.signs`) and the reduced certificate, not a
quantified form, is given to Z3 (:func:`symalign.verify.smt.prove`) together
with the family's hypotheses.

References
----------
J. B. Rosen, "Existence and uniqueness of equilibrium points for concave
n-person games", Econometrica 33(3):520-534, 1965.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

import sympy as sp

from symalign.errors import DerivationError, InputError
from symalign.core.rosen import dsc_matrix, leading_minors, negative_definite, own_hessian
from symalign.verify.population import PopulationGame
from symalign.verify.signs import cross_checked, domain_keep, prune, relevant, sign_clauses, sign_condition
from symalign.verify.smt import Proof, nonvacuous, prove
from symalign.verify.spectra import block_blocks, block_spectrum, compression, gram_inverse, spectrum
from symalign.core.notebook import LatexRepr

__all__ = [
    "Certificate",
    "Term",
    "existence_certificate",
    "uniqueness_certificate",
    "REFERENCES",
]

REFERENCES = MappingProxyType({
    "existence": "Rosen (1965), Econometrica 33(3):520-534, Theorem 1 (concave games on compact "
                 "convex strategy sets have a pure equilibrium)",
    "uniqueness": "Rosen (1965), Econometrica 33(3):520-534, Theorems 2 and 6 (diagonal strict "
                  "concavity, r = 1, implies a unique equilibrium; negative definite symmetrised "
                  "pseudo-Jacobian implies diagonal strict concavity)",
})
STATUSES = ("proved", "refuted", "unknown")


class Term(NamedTuple):
    """One piece of a derivation: an eigenvalue or a minor, with its multiplicity."""

    label: str
    value: sp.Expr
    multiplicity: object = 1


@dataclass(frozen=True, eq=False)
class Certificate(LatexRepr):
    """A derived Rosen condition and its proof status.

    Attributes
    ----------
    kind : str
        ``"existence"`` or ``"uniqueness"``.
    condition : sympy.Boolean
        Reduced condition on the parameters (may mention interior weights
        for families whose Hessian depends on them), equivalent to the
        matrix property on the admissible domain: the symbols' sign
        assumptions, ``N >= 2`` and interior weights.  ``True`` when the
        property holds for every admissible parameter.
    derivation : tuple of Term
        Eigenvalues (of the compression onto the tangent space) or leading
        principal minors the condition was read from.
    method : str
        ``"eigenvalues (block reduction)"``, ``"eigenvalues (characteristic
        polynomial)"``, ``"Sylvester minors"`` or ``"exact (numeric)"``.
    exact : bool
        True when ``condition`` is necessary and sufficient for the matrix
        property certified (concavity in own strategy; negative
        definiteness of the symmetrised pseudo-Jacobian, which is diagonal
        strict concavity when the pseudo-gradient is affine).  Uniqueness
        itself only follows from the condition (sufficient, not necessary).
    hypotheses : tuple
        What the proof assumed (family hypotheses, parameter constraints,
        ``assuming``).
    proof : Proof or None
        Z3's verdict on ``hypotheses => condition``; None when decided by
        exact evaluation (numeric games) or trivially.
    status : str
        ``"proved"``, ``"refuted"`` or ``"unknown"``.
    reference : str
    notes : tuple of str

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 3, 3)
    >>> c = uniqueness_certificate(g)
    >>> c.condition
    gamma < 2*beta
    >>> sorted(str(t.value) for t in c.derivation)
    ['beta + gamma', 'beta - gamma/2']
    >>> c.status, c.counterexample is not None      # DSC needs more than the family's hypotheses
    ('refuted', True)
    >>> uniqueness_certificate(g, assuming=[g.param("gamma", 0) < 2 * g.param("beta", 0)]).status
    'proved'
    """

    kind: str
    condition: sp.Basic
    derivation: tuple
    method: str
    exact: bool
    hypotheses: tuple
    proof: Proof | None
    status: str
    reference: str
    notes: tuple = field(default=())

    def __repr__(self) -> str:
        cond = str(self.condition)
        cond = cond if len(cond) <= 60 else cond[:57] + "..."
        return f"Certificate({self.kind}: {self.status}; condition {cond}; {self.method})"

    def __post_init__(self):
        if self.status not in STATUSES:
            raise InputError("status", self.status, f"must be one of {STATUSES}")

    @property
    def counterexample(self):
        """Exact parameter values violating the condition under the hypotheses (when refuted)."""
        return self.proof.counterexample if self.proof is not None else None

    def __bool__(self):
        raise TypeError("a Certificate has no truth value; test .status")


# --- the certificates ---------------------------------------------------------

def _domain(game, symbols):
    """Open-domain facts for weight symbols appearing in a matrix, and N >= 2."""
    W = set(game.weights) if hasattr(game, "weights") else set(game.representative.weights)
    ws = [w for w in symbols if w in W]
    facts = [w > 0 for w in sorted(ws, key=sp.default_sort_key)]
    syms = set(ws)
    if isinstance(game, PopulationGame):
        facts.append(game.N >= 2)
        syms.add(game.N)
    return tuple(facts), frozenset(syms)


def _hyps(game, assuming, family=True):
    fam = tuple(game.hypotheses()) if family else ((game.N >= 2,) if isinstance(game, PopulationGame) else ())
    from symalign.core.uservalues import user_condition

    syms = game.free_symbols() if hasattr(game, "free_symbols") else ()
    return tuple(game.parameter_constraints()) + fam + tuple(user_condition(a, "assuming", syms) for a in assuming)


def existence_certificate(game, *, assuming=(), timeout: float = 10.0, solve_for=None,
                          family_hypotheses: bool = True, seconds: float | None = None) -> Certificate:
    """Concavity of each utility in the agent's own strategy on the simplex.

    The own Hessian restricted to the tangent space must be negative
    semidefinite; the condition is read from its eigenvalues when they
    have a closed form (then it is necessary and sufficient) and from
    Sylvester's minors of strict concavity otherwise (sufficient).

    Parameters
    ----------
    game : Game or PopulationGame
    assuming : sequence of SymPy relations
        Extra hypotheses for the proof.
    timeout : float
        Z3 budget in seconds.
    solve_for : Symbol or sequence of Symbol, optional
        Present each clause solved for this symbol (the first of the
        sequence it contains) where possible; default ``gamma``/``gamma_i``.
    family_hypotheses : bool, default True
        Include the family's declared concavity hypotheses in the proof;
        False checks whether ``assuming`` alone implies the derived condition.
    seconds : float, optional
        Wall-clock budget for the whole certificate, SymPy phases included
        (default ``3 * timeout + 10``); on expiry the status is ``"unknown"``.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> c = existence_certificate(Game.symbolic(get_family("active_alignment", "distance"), 2, 3))
    >>> c.condition, c.status, c.exact
    (gamma <= beta, 'proved', True)
    >>> c.reference.startswith("Rosen (1965)")
    True
    """
    return _bounded("existence", _existence, game, seconds, assuming=assuming, timeout=timeout,
                    solve_for=solve_for, family_hypotheses=family_hypotheses)


def _existence(game, *, assuming, timeout, solve_for, family_hypotheses):
    if isinstance(game, PopulationGame):
        mats = {0: sp.Matrix(own_hessian(game.representative, 0))}
    else:
        mats = {i: sp.Matrix(own_hessian(game, i)) for i in range(game.n_agents)}
    D = game.n_groups
    if solve_for is None:
        solve_for = _gammas(game)
    free = set().union(*[m.free_symbols for m in mats.values()])
    domain, dsyms = _domain(game, free)
    clauses, terms, exact, seen = [], [], True, {}
    method = set()
    for i, M in mats.items():
        P = -M
        key = sp.ImmutableMatrix(P)
        if key in seen:
            continue
        seen[key] = i
        who = "agent" if isinstance(game, PopulationGame) else f"agent {i + 1}"
        spec = spectrum(gram_inverse(D) * P) if not P.free_symbols & dsyms else None
        if spec is not None:
            method.add("eigenvalues (characteristic polynomial)")
            for lam, mult in spec:
                terms.append(Term(f"eigenvalue of -H ({who}) on the tangent space", lam, mult))
                clauses.append(sign_condition(lam, strict=False, domain_symbols=dsyms, domain=domain,
                                              solve_for=solve_for, timeout=min(2.0, timeout)))
        else:
            method.add("Sylvester minors")
            exact = False
            minors = leading_minors(P)
            terms += [Term(f"leading minor {k} of -H ({who})", m) for k, m in enumerate(minors, 1)]
            clauses += sign_clauses(minors, strict=True, domain_symbols=dsyms, domain=domain,
                                     solve_for=solve_for, timeout=min(2.0, timeout))
    notes = () if exact else ("strict concavity via Sylvester minors: sufficient for concavity",)
    cert = _finish("existence", clauses, terms, " + ".join(sorted(method)), exact,
                   _hyps(game, assuming, family_hypotheses), domain, timeout, notes)
    if cert.status != "proved" and not exact and not isinstance(game, PopulationGame) and not game.free_symbols():
        return _sampled_existence(game, cert)
    return cert


def _sampled_existence(game, cert):
    """A numeric game whose own Hessian depends on the weights: decide by :func:`own_concavity`.

    The Sylvester-minor route is only sufficient; the Hessian is checked
    directly (diagonal sign rule, or sampled profiles with an exact witness).
    """
    from symalign.core.concavity import own_concavity

    c = own_concavity(game)
    if c.status == "proved":
        return Certificate("existence", sp.true, cert.derivation, c.method, False, cert.hypotheses, None,
                           "proved", REFERENCES["existence"], cert.notes + (f"own Hessians checked: {c.method}",))
    if c.status == "refuted":
        agent, profile = c.witness
        return Certificate("existence", sp.false, cert.derivation, c.method, False, cert.hypotheses, None,
                           "refuted", REFERENCES["existence"], cert.notes + c.notes + (
                               f"agent {agent + 1}'s utility is not concave at the profile {list(profile)}",))
    return Certificate("existence", cert.condition, cert.derivation, cert.method + " + sampled", False,
                       cert.hypotheses, cert.proof, "unknown", REFERENCES["existence"], cert.notes + c.notes)


def uniqueness_certificate(game, *, assuming=(), timeout: float = 10.0, solve_for=None,
                           seconds: float | None = None) -> Certificate:
    """Rosen's diagonal strict concavity on the product of simplices.

    ``-(J + J^T)/2`` restricted to the tangent space must be positive
    definite.  Homogeneous games are reduced by their block structure
    (also for a symbolic number of agents,
    :class:`~symalign.verify.population.PopulationGame`);
    numeric games are decided exactly; otherwise closed-form eigenvalues or
    Sylvester's minors.

    Parameters
    ----------
    game : Game or PopulationGame
    assuming : sequence of SymPy relations
        Extra hypotheses for the proof (e.g. the claimed threshold).
    timeout : float
        Z3 budget in seconds.
    solve_for : Symbol or sequence of Symbol, optional
        Present each clause solved for this symbol (the first of the
        sequence it contains) where possible; default ``gamma``/``gamma_i``.
    seconds : float, optional
        Wall-clock budget for the whole certificate, SymPy phases included
        (default ``3 * timeout + 10``); on expiry the status is ``"unknown"``.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 3, 2, alpha=1, beta=1,
    ...                 gamma="3/2", a=[0, 1], p=[0.5, 0.5])
    >>> c = uniqueness_certificate(g)
    >>> c.status, c.method
    ('proved', 'exact (numeric)')
    """
    return _bounded("uniqueness", _uniqueness, game, seconds, assuming=assuming, timeout=timeout,
                    solve_for=solve_for)


def _uniqueness(game, *, assuming, timeout, solve_for):
    D = game.n_groups
    if solve_for is None:
        solve_for = _gammas(game)
    if isinstance(game, PopulationGame):
        own, cross = game.check_structure()
        n = game.N
        A = -compression((own + own.T) / 2, D)
        Bc = -compression((cross + cross.T) / 2, D)
        blocks, P = (A, Bc), None
        free = A.free_symbols | Bc.free_symbols
    else:
        n = game.n_agents
        M = sp.Matrix(dsc_matrix(game))
        P = -M
        free = P.free_symbols
        if not free:
            return _numeric_uniqueness(game, M, _hyps(game, assuming))
        blocks = block_blocks(P, n)
        if blocks is not None:
            gi = gram_inverse(D)
            blocks = (gi * blocks[0], gi * blocks[1])
    domain, dsyms = _domain(game, free)
    terms, clauses, exact = [], [], True
    spec = None
    if blocks is not None:
        spec = block_spectrum(*blocks, n)
        method = "eigenvalues (block reduction)"
    elif not free & dsyms:
        spec = spectrum(gram_inverse(D, n) * P)
        method = "eigenvalues (characteristic polynomial)"
    if spec is not None:
        for lam, mult in spec:
            terms.append(Term("eigenvalue of -sym(J) on the tangent space", lam, mult))
            clauses.append(sign_condition(lam, strict=True, domain_symbols=dsyms, domain=domain,
                                          solve_for=solve_for, timeout=min(2.0, timeout)))
    else:
        method = "Sylvester minors"
        mats = [P] if blocks is None else [blocks[0] + (n - 1) * blocks[1], blocks[0] - blocks[1]]
        for j, X in enumerate(mats):
            if blocks is not None:  # reduced blocks are not symmetric; use the congruent symmetric form
                X = gram_inverse(D).inv() * X
            minors = leading_minors(X)
            terms += [Term(f"leading minor {k}" + (f" of reduced block {j + 1}" if blocks else ""), m)
                      for k, m in enumerate(minors, 1)]
            clauses += sign_clauses(minors, strict=True, domain_symbols=dsyms, domain=domain,
                                     solve_for=solve_for, timeout=min(2.0, timeout))
    notes = ("negative definiteness is sufficient (not necessary) for uniqueness",)
    if free & dsyms:
        exact = False
        notes += ("the pseudo-Jacobian depends on the weights: condition required at every interior profile",)
    return _finish("uniqueness", clauses, terms, method, exact, _hyps(game, assuming), domain, timeout, notes)


UNDERIVED = sp.Symbol("condition_not_derived")
"""Placeholder condition of a certificate whose derivation ran out of its budget."""


def _bounded(kind, fn, game, seconds, **kwargs):
    """Run a certificate's derivation and proof within a wall-clock budget (``unknown`` on expiry)."""
    from symalign.core.budget import Budget, run_bounded
    from symalign.errors import BudgetExceeded

    if seconds is None:
        seconds = 3 * float(kwargs["timeout"]) + 10
    try:
        return run_bounded(fn, game, budget=Budget(seconds=seconds, memory_mb=None, flag="seconds"),
                           phase=f"{kind} certificate", **kwargs)
    except BudgetExceeded as exc:
        return Certificate(kind, UNDERIVED, (), "not derived", False, (), None, "unknown", REFERENCES[kind],
                           (f"budget exhausted: {exc}",))


def _finish(kind, clauses, terms, method, exact, hyps, domain, timeout, notes=()):
    clauses = prune(clauses, domain, timeout=min(2.0, timeout))
    condition = sp.And(*clauses) if clauses else sp.true
    hyps = tuple(dict.fromkeys(h for h in hyps if h is not sp.true))
    if condition is sp.true:
        return Certificate(kind, condition, tuple(terms), method, exact, hyps, None, "proved",
                           REFERENCES[kind], tuple(notes) + ("condition holds identically",))
    if condition is sp.false:
        return Certificate(kind, condition, tuple(terms), method, exact, hyps, None, "refuted",
                           REFERENCES[kind], tuple(notes) + ("condition fails at the given parameters",))
    extra = tuple(domain) if condition.free_symbols & domain_keep(domain) else ()
    every = hyps + extra
    hyps = relevant(every, condition)
    proof = nonvacuous(cross_checked(prove(hyps, condition, timeout=timeout)), timeout=timeout, hypotheses=every)
    return Certificate(kind, condition, tuple(terms), method, exact, hyps, proof, proof.status,
                       REFERENCES[kind], tuple(notes) + ((proof.reason,) if proof.reason else ()))


def _gammas(game):
    """Default symbols to solve conditions for: ``gamma`` or ``gamma_i``."""
    return tuple(s for s in _free(game) if s.name == "gamma" or s.name.startswith("gamma_"))


def _free(game):
    if isinstance(game, PopulationGame):
        return sorted(game.scalar_symbols(), key=sp.default_sort_key)
    return sorted(game.free_symbols(), key=sp.default_sort_key)


def _numeric_uniqueness(game, M, hyps):
    """Exact check at numeric parameters by Sylvester minors; eigenvalues reported when rational."""
    minors = leading_minors(-M)
    ok = all(m > 0 for m in minors)
    if negative_definite(M) is not ok:  # pragma: no cover - would be a bug in rosen or here
        raise DerivationError("exact Sylvester test disagrees with rosen.negative_definite")
    n, D = game.n_agents, game.n_groups
    P = -M
    blocks = block_blocks(P, n)
    gi = gram_inverse(D)
    spec = block_spectrum(gi * blocks[0], gi * blocks[1], n) if blocks is not None else \
        spectrum(gram_inverse(D, n) * P, max_size=12)
    if spec is not None:
        terms = tuple(Term("eigenvalue of -sym(J) on the tangent space", lam, m) for lam, m in spec)
    else:
        terms = tuple(Term(f"leading minor {k} of -sym(J)", m) for k, m in enumerate(minors, 1))
    return Certificate("uniqueness", sp.true if ok else sp.false, terms, "exact (numeric)", True,
                       tuple(h for h in hyps if h is not sp.true), None, "proved" if ok else "refuted",
                       REFERENCES["uniqueness"],
                       ("decided exactly at the given parameters (Sylvester minors)",)
                       + (() if ok else ("a leading minor is not positive: DSC fails here",)))

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
  linear factors (computed by factorisation, not guessed);
* for homogeneous parameters the matrix is block structured,
  ``I_N (x) A + (J_N - I_N) (x) B``; an orthogonal change of basis in the
  agent index turns it into ``diag(A + (N-1) B, A - B, ..., A - B)``, so
  the eigenvalues are those of ``A + (N-1) B`` (once) and ``A - B``
  (``N - 1`` times).  This also works for a symbolic number of agents
  (:class:`PopulationGame`);
* Sylvester's leading principal minors otherwise.

Each sign condition is reduced (positive numeric factors and factors that
are positive on the domain, such as ``N - 1`` or interior weights, are
dropped) and the reduced certificate, not a quantified form, is given to Z3
(:func:`symalign.verify.smt.prove`) together with the family's hypotheses.

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
from sympy.polys.matrices import DomainMatrix

from symalign.errors import DerivationError, InputError
from symalign.core.rosen import dsc_matrix, leading_minors, negative_definite, own_hessian, pseudo_jacobian, tangent_basis
from symalign.verify.smt import Proof, prove

__all__ = [
    "Certificate",
    "Term",
    "PopulationGame",
    "existence_certificate",
    "uniqueness_certificate",
    "spectrum",
    "block_blocks",
    "block_spectrum",
    "compression",
    "sign_condition",
    "cross_checked",
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
_LAM = sp.Dummy("lambda")


class Term(NamedTuple):
    """One piece of a derivation: an eigenvalue or a minor, with its multiplicity."""

    label: str
    value: sp.Expr
    multiplicity: object = 1


@dataclass(frozen=True, eq=False)
class Certificate:
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

    def __post_init__(self):
        if self.status not in STATUSES:
            raise InputError("status", self.status, f"must be one of {STATUSES}")

    @property
    def counterexample(self):
        """Exact parameter values violating the condition under the hypotheses (when refuted)."""
        return self.proof.counterexample if self.proof is not None else None

    def __bool__(self):
        raise TypeError("a Certificate has no truth value; test .status")


# --- linear algebra on the tangent space ------------------------------------

def compression(X, n_groups: int, n_agents: int = 1) -> sp.Matrix:
    """Matrix of ``P X P`` on the tangent space in the basis ``e_d - e_D``.

    Its eigenvalues are those of ``Q^T X Q`` for an orthonormal basis ``Q``
    of the tangent space: ``(B^T B)^{-1} B^T X B`` is similar to it.

    Examples
    --------
    >>> compression(sp.eye(3) * 2, 3)
    Matrix([
    [2, 0],
    [0, 2]])
    """
    B = sp.diag(*[tangent_basis(n_groups)] * n_agents)
    G = B.T * B
    return (G.inv() * B.T * sp.Matrix(X) * B).applyfunc(sp.cancel)


def _gram_inverse(n_groups: int, n_agents: int = 1) -> sp.Matrix:
    B = sp.diag(*[tangent_basis(n_groups)] * n_agents)
    return (B.T * B).inv()


def spectrum(C, *, max_size: int = 8):
    """Eigenvalues with multiplicities, when the characteristic polynomial splits.

    The characteristic polynomial is factored over the rationals (with the
    parameters as further variables); when every factor is linear in the
    eigenvalue the roots are returned, else None.

    Returns
    -------
    tuple of (Expr, int) or None

    Examples
    --------
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> spectrum(sp.Matrix([[b, g], [g, b]]))
    ((beta - gamma, 1), (beta + gamma, 1))
    >>> spectrum(sp.Matrix([[1, 1], [1, 0]])) is None      # irrational eigenvalues
    True
    """
    C = sp.Matrix(C)
    if C.rows != C.cols:
        raise InputError("C", C.shape, "must be square")
    if C.rows > max_size or not _splits_at_a_point(C):
        return None
    coeffs = _charpoly(C)
    poly = sp.Add(*[c * _LAM ** (C.rows - k) for k, c in enumerate(coeffs)])
    num = sp.fraction(sp.cancel(sp.together(poly)))[0]
    _, factors = sp.factor_list(sp.expand(num))
    roots: dict = {}
    for f, e in factors:
        if not f.has(_LAM):
            continue
        if sp.degree(f, _LAM) != 1:
            return None
        c1, c0 = sp.Poly(f, _LAM).all_coeffs()
        r = _readable(sp.cancel(-c0 / c1))
        roots[r] = roots.get(r, 0) + e
    if sum(roots.values()) != C.rows:
        return None
    return tuple(sorted(roots.items(), key=lambda t: sp.default_sort_key(t[0])))


def _charpoly(C) -> list:
    """Coefficients of the characteristic polynomial, highest degree first (exact domain arithmetic)."""
    dM = DomainMatrix.from_Matrix(C)
    return [dM.domain.to_sympy(c) for c in dM.charpoly()]


def _splits_at_a_point(C) -> bool:
    """Cheap necessary test: at a random rational point the characteristic polynomial splits over Q.

    Roots that are rational functions of the parameters stay rational
    after specialisation, so a non-splitting specialisation rules out a
    closed form (and skips an expensive multivariate factorisation).
    """
    free = sorted(C.free_symbols, key=sp.default_sort_key)
    if not free:
        return True
    import random

    rng = random.Random(1965)
    for _ in range(3):
        point = {s: sp.Rational(rng.randint(7, 97), rng.randint(5, 53)) for s in free}
        X = C.xreplace(point)
        if any(not x.is_finite for x in X):
            continue
        poly = sp.Poly(_charpoly(X), _LAM)
        return all(sp.degree(f, _LAM) <= 1 for f, _ in poly.factor_list()[1])
    return True


def _readable(r):
    """The shortest of a few equivalent forms of a rational function."""
    forms = [sp.factor(r), sp.expand(r)]
    forms += [sp.apart(r, s) for s in sorted(sp.fraction(r)[1].free_symbols, key=sp.default_sort_key)]
    return min(forms, key=lambda f: (sp.count_ops(f), sp.default_sort_key(f)))


def block_blocks(M, n_agents: int):
    """``(A, B)`` when ``M = I_N (x) A + (J_N - I_N) (x) B``, else None (conservative).

    Examples
    --------
    >>> M = sp.Matrix([[2, 1], [1, 2]])
    >>> block_blocks(M, 2)
    (Matrix([[2]]), Matrix([[1]]))
    """
    M = sp.Matrix(M)
    if M.rows != M.cols or M.rows % n_agents:
        return None
    k = M.rows // n_agents

    def blk(i, j):
        return M[i * k:(i + 1) * k, j * k:(j + 1) * k]

    A = blk(0, 0)
    B = blk(0, 1) if n_agents > 1 else sp.zeros(k, k)
    for i in range(n_agents):
        for j in range(n_agents):
            diff = blk(i, j) - (A if i == j else B)
            if any(sp.cancel(x) != 0 for x in diff):
                return None
    return A, B


def block_spectrum(A, B, n_agents):
    """Eigenvalues of ``I_N (x) A + (J_N - I_N) (x) B`` from the reduced blocks.

    With ``U`` orthogonal and ``U^T J_N U = diag(N, 0, ..., 0)``,
    ``(U (x) I)^T M (U (x) I) = diag(A + (N-1) B, A - B, ..., A - B)``; the
    spectra of the two reduced blocks are computed by :func:`spectrum`.
    ``n_agents`` may be a symbol.  Returns None when a reduced block's
    characteristic polynomial does not split.

    Examples
    --------
    >>> N = sp.Symbol("N", integer=True, positive=True)
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> block_spectrum(sp.Matrix([[b]]), sp.Matrix([[g / (N - 1)]]), N)
    ((beta + gamma, 1), (beta - gamma/(N - 1), N - 1))
    """
    plus = spectrum(sp.Matrix(A) + (n_agents - 1) * sp.Matrix(B))
    minus = spectrum(sp.Matrix(A) - sp.Matrix(B))
    if plus is None or minus is None:
        return None
    return tuple(plus) + tuple((lam, m * (n_agents - 1)) for lam, m in minus)


# --- reduction of sign conditions -------------------------------------------

def _domain_sign(f, domain, timeout):
    """+1 / -1 when ``f`` has that sign everywhere on the domain, else None."""
    if f.is_positive:
        return 1
    if f.is_negative:
        return -1
    for sign, rel in ((1, f > 0), (-1, f < 0)):
        if prove(domain, rel, timeout=timeout).status == "proved":
            return sign
    return None


def sign_condition(expr, *, strict: bool, domain_symbols=frozenset(), domain=(), timeout: float = 2.0,
                   solve_for=None, positive=()):
    """``expr > 0`` (or ``>= 0``) reduced to an equivalent relation.

    Positive numeric factors are dropped; so are factors depending only on
    ``domain_symbols`` that are positive (or negative, flipping the sign)
    wherever ``domain`` holds, e.g. ``N - 1`` under ``N >= 2``.  With
    ``solve_for`` the result is solved for that symbol when it enters
    linearly with a numeric coefficient.  Factors in ``positive`` (known
    positive from earlier clauses of a conjunction) are dropped too.

    Examples
    --------
    >>> N = sp.Symbol("N", integer=True, positive=True)
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> sign_condition(b - g / (N - 1), strict=True, domain_symbols={N}, domain=[N >= 2], solve_for=g)
    gamma < beta*(N - 1)
    >>> x = sp.Symbol("x", real=True)
    >>> sign_condition(6 * x**3, strict=False)
    x >= 0
    >>> sign_condition(6 * b, strict=False)      # decided by beta's assumption
    True
    """
    expr = sp.cancel(sp.together(sp.sympify(expr)))
    if expr.is_number:
        return sp.true if (expr > 0 if strict else expr >= 0) else sp.false
    num, den = sp.fraction(expr)
    sign, keep, zeros = 1, [], []
    for part in (num, den):
        coeff, factors = sp.factor_list(part)
        sign *= 1 if coeff > 0 else -1
        for f, e in factors:
            if f.is_positive or f.is_negative:
                sign *= (1 if f.is_positive else -1) ** e
                continue
            if f in positive or -f in positive:
                sign *= (1 if f in positive else -1) ** e
                continue
            if f.free_symbols <= set(domain_symbols):
                s = _domain_sign(f, list(domain), timeout)
                if s is not None:
                    sign *= s ** e
                    continue
            if e % 2 == 0:
                zeros.append(f)
            else:
                keep.append(f)
    g = sign * sp.Mul(*keep)
    rel = _solved(g, strict, solve_for, set(domain_symbols), list(domain), timeout)
    if not zeros:
        return rel
    if strict:
        return sp.And(rel, *[sp.Ne(f, 0) for f in zeros])
    return sp.Or(rel, *[sp.Eq(f, 0) for f in zeros])


def _sign_clauses(exprs, *, strict, domain_symbols, domain, solve_for, timeout=2.0):
    """Conjunction of ``e > 0`` (or ``>= 0``), each reduced given the earlier ones (pivot-like)."""
    clauses, positive = [], set()
    for e in exprs:
        rel = sign_condition(e, strict=strict, domain_symbols=domain_symbols, domain=domain,
                             solve_for=solve_for, positive=tuple(positive), timeout=timeout)
        clauses.append(rel)
        if strict and isinstance(rel, sp.StrictGreaterThan) and rel.rhs == 0:
            positive.update(f for f, _ in sp.factor_list(rel.lhs)[1])
        elif strict and isinstance(rel, sp.StrictLessThan) and rel.free_symbols:
            positive.update(f for f, _ in sp.factor_list(rel.rhs - rel.lhs)[1])
    return clauses


def _solved(g, strict, solve_for, domain_symbols=frozenset(), domain=(), timeout=2.0):
    if g.as_coeff_Mul()[0].is_negative:
        rel = (-g < 0) if strict else (-g <= 0)
    else:
        rel = (g > 0) if strict else (g >= 0)
    if solve_for is None or rel in (sp.true, sp.false):
        return rel
    if not isinstance(solve_for, sp.Basic):  # a collection: the first one present
        solve_for = next((s for s in solve_for if g.has(s)), None)
        if solve_for is None:
            return rel
    if not g.has(solve_for):
        return rel
    g = sp.expand(g)
    c = g.coeff(solve_for)
    rest = sp.expand(g - c * solve_for)
    if rest.has(solve_for) or c == 0:
        return rel
    if c.is_number:
        c_sign = 1 if c > 0 else -1
    elif c.free_symbols <= domain_symbols:
        c_sign = _domain_sign(c, domain, timeout)
    else:
        c_sign = None
    if c_sign is None:
        return rel
    bound = sp.factor(sp.cancel(-rest / c))
    if c_sign > 0:
        return solve_for > bound if strict else solve_for >= bound
    return solve_for < bound if strict else solve_for <= bound


def _prune(clauses, domain, timeout=2.0):
    """Drop duplicates and clauses implied by the others, the domain and the symbols' sign assumptions."""
    out = []
    for c in clauses:
        if c is sp.true or c in out:
            continue
        out.append(c)
    if sp.false in out:
        return [sp.false]
    k = 0
    while k < len(out):
        others = out[:k] + out[k + 1:]
        if prove(list(others) + list(domain), out[k], timeout=timeout).status == "proved":
            out.pop(k)
        else:
            k += 1
    return out


def _sample_value(sym, rng):
    if sym.is_integer:
        return sp.Integer(rng.randint(2 if sym.is_positive else -8, 8))
    v = sp.Rational(rng.randint(0, 96), rng.randint(1, 16))
    if sym.is_positive:
        return v + sp.Rational(1, 17)
    return v if sym.is_nonnegative else v * rng.choice((-1, 1))


def cross_checked(proof: Proof, samples: int = 40, seed: int = 1965) -> Proof:
    """Confirm a ``"proved"`` verdict at random exact points (Z3's nonlinear arithmetic has had bugs).

    A sampled point satisfying the hypotheses where the conclusion is false
    turns the verdict into ``"unknown"`` (with the point in the reason);
    other verdicts are returned unchanged.

    Examples
    --------
    >>> x = sp.Symbol("x", positive=True)
    >>> cross_checked(prove([], x + 1 > 0)).status
    'proved'
    """
    if proof.status != "proved":
        return proof
    import random

    rng = random.Random(seed)
    syms = sorted(set().union(*[h.free_symbols for h in proof.hypotheses], proof.conclusion.free_symbols),
                  key=sp.default_sort_key)
    for _ in range(samples):
        point = {s: _sample_value(s, rng) for s in syms}
        try:
            if not all(h.xreplace(point) is sp.true for h in proof.hypotheses):
                continue
            if proof.conclusion.xreplace(point) is sp.false:
                return Proof("unknown", proof.hypotheses, proof.conclusion, None,
                             f"Z3 said proved but the conclusion fails at {point}", proof.seconds)
        except (TypeError, ZeroDivisionError):
            continue
    return proof


def _relevant(hyps, condition):
    """The hypotheses connected to the condition through shared symbols (others cannot matter)."""
    syms, chosen, changed = set(condition.free_symbols), [], True
    rest = list(hyps)
    while changed:
        changed = False
        for h in list(rest):
            if h.free_symbols & syms:
                chosen.append(h)
                rest.remove(h)
                syms |= h.free_symbols
                changed = True
    return tuple(h for h in hyps if h in chosen)


def _domain_keep(domain):
    return frozenset().union(*[d.free_symbols for d in domain]) if domain else frozenset()


def _finish(kind, clauses, terms, method, exact, hyps, domain, timeout, notes=()):
    clauses = _prune(clauses, domain, timeout=min(2.0, timeout))
    condition = sp.And(*clauses) if clauses else sp.true
    hyps = tuple(dict.fromkeys(h for h in hyps if h is not sp.true))
    if condition is sp.true:
        return Certificate(kind, condition, tuple(terms), method, exact, hyps, None, "proved",
                           REFERENCES[kind], tuple(notes) + ("condition holds identically",))
    if condition is sp.false:
        return Certificate(kind, condition, tuple(terms), method, exact, hyps, None, "refuted",
                           REFERENCES[kind], tuple(notes) + ("condition fails at the given parameters",))
    extra = tuple(domain) if condition.free_symbols & _domain_keep(domain) else ()
    hyps = _relevant(hyps + extra, condition)
    proof = cross_checked(prove(hyps, condition, timeout=timeout))
    return Certificate(kind, condition, tuple(terms), method, exact, hyps, proof, proof.status,
                       REFERENCES[kind], tuple(notes) + ((proof.reason,) if proof.reason else ()))


# --- games with a symbolic number of agents ----------------------------------

@dataclass(frozen=True, eq=False)
class PopulationGame:
    """A homogeneous game with a symbolic number of agents ``N``.

    Agents share alpha, beta, gamma; each utility depends on the others
    only through their mean ``m_i`` (the active-alignment families).  The
    two-agent game (where ``m_1 = w_2``) gives ``d g_i / d w_i`` and
    ``d g_i / d m_i``; for N agents ``d g_i / d w_j = (d g_i / d m_i) / (N - 1)``.
    :meth:`check_structure` confirms this against explicit games.

    Examples
    --------
    >>> from symalign import get_family
    >>> pg = PopulationGame.create(get_family("active_alignment", "distance"), 3)
    >>> c = uniqueness_certificate(pg)
    >>> sorted(str(t.value) for t in c.derivation)
    ['beta', 'beta - gamma - gamma/(N - 1)']
    >>> c.condition
    gamma < beta*(N - 1)/N
    """

    family: object
    groups: tuple
    N: sp.Symbol
    representative: object
    values: MappingProxyType

    @classmethod
    def create(cls, family, groups, *, N=None, **values):
        from symalign.core.game import Game

        N = sp.Symbol("N", integer=True, positive=True) if N is None else N
        if not (isinstance(N, sp.Symbol) and N.is_integer):
            raise InputError("N", N, "must be a Symbol assumed integer")
        rep = Game.symbolic(family, 2, groups, homogeneous=True, **values)
        return cls(family, rep.groups, N, rep, MappingProxyType(dict(values)))

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def instance(self, n: int):
        """The explicit game with ``n`` agents and the same parameter symbols."""
        from symalign.core.game import Game

        return Game.symbolic(self.family, n, self.groups, homogeneous=True, **self.values)

    def hypotheses(self) -> tuple:
        return tuple(self.representative.hypotheses()) + (self.N >= 2,)

    def parameter_constraints(self) -> tuple:
        scalars = self.scalar_symbols()
        return tuple(c for c in self.representative.parameter_constraints() if c.free_symbols <= scalars)

    def scalar_symbols(self) -> frozenset:
        """Symbols of the per-agent scalar parameters (shared by all agents)."""
        out = set()
        for spec in self.family.parameters():
            if spec.kind in ("agent", "scalar"):
                v = self.representative.param(spec.name, 0)
                out |= sp.sympify(v).free_symbols
        return frozenset(out)

    def jacobian_blocks(self, matrix_of=pseudo_jacobian):
        """``(d g_i/d w_i, d g_i/d w_j)`` as D x D matrices, functions of ``N``.

        ``matrix_of`` maps a game to the Jacobian of a stacked per-agent map
        with respect to the whole profile: by default the pseudo-gradient
        (:func:`symalign.core.rosen.pseudo_jacobian`); any map whose agent ``i``
        part depends on the others only through their mean has the same
        block structure (e.g. the interior best response).
        """
        J = matrix_of(self.representative)
        D = self.n_groups
        own, cross = J[:D, :D], J[:D, D:]
        if set().union(*[x.free_symbols for x in J]) & set(self.representative.weights):
            raise DerivationError(f"family {self.family.label!r}: the Jacobian depends on the "
                                  "weights; a symbolic number of agents needs affine gradients")
        return sp.Matrix(own), sp.Matrix(cross) / (self.N - 1)

    def check_structure(self, n: int = 3, matrix_of=pseudo_jacobian):
        """The blocks of :meth:`jacobian_blocks`, confirmed against the explicit n-agent game.

        Raises DerivationError unless ``matrix_of(self.instance(n))`` is
        ``I_n (x) own + (J_n - I_n) (x) cross`` at ``N = n``.
        """
        own, cross = self.jacobian_blocks(matrix_of)
        J = matrix_of(self.instance(n))
        expect = sp.kronecker_product(sp.eye(n), own) + \
            sp.kronecker_product(sp.ones(n) - sp.eye(n), cross.subs(self.N, n))
        if any(sp.cancel(x) != 0 for x in (J - expect)):
            raise DerivationError(f"family {self.family.label!r}: agent i's map does not depend on the others "
                                  f"only through their mean (checked at N = {n})")
        return own, cross

    def __repr__(self):
        return f"PopulationGame({self.family.label}, N={self.N}, groups={list(self.groups)})"


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
    return tuple(game.parameter_constraints()) + fam + tuple(sp.sympify(a) for a in assuming)


def existence_certificate(game, *, assuming=(), timeout: float = 10.0, solve_for=None,
                          family_hypotheses: bool = True) -> Certificate:
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

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> c = existence_certificate(Game.symbolic(get_family("active_alignment", "distance"), 2, 3))
    >>> c.condition, c.status, c.exact
    (gamma <= beta, 'proved', True)
    >>> c.reference.startswith("Rosen (1965)")
    True
    """
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
        spec = spectrum(_gram_inverse(D) * P) if not P.free_symbols & dsyms else None
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
            clauses += _sign_clauses(minors, strict=True, domain_symbols=dsyms, domain=domain,
                                     solve_for=solve_for, timeout=min(2.0, timeout))
    notes = () if exact else ("strict concavity via Sylvester minors: sufficient for concavity",)
    return _finish("existence", clauses, terms, " + ".join(sorted(method)), exact,
                   _hyps(game, assuming, family_hypotheses), domain, timeout, notes)


def uniqueness_certificate(game, *, assuming=(), timeout: float = 10.0, solve_for=None) -> Certificate:
    """Rosen's diagonal strict concavity on the product of simplices.

    ``-(J + J^T)/2`` restricted to the tangent space must be positive
    definite.  Homogeneous games are reduced by their block structure
    (also for a symbolic number of agents, :class:`PopulationGame`);
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

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 3, 2, alpha=1, beta=1,
    ...                 gamma="3/2", a=[0, 1], p=[0.5, 0.5])
    >>> c = uniqueness_certificate(g)
    >>> c.status, c.method
    ('proved', 'exact (numeric)')
    """
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
            gi = _gram_inverse(D)
            blocks = (gi * blocks[0], gi * blocks[1])
    domain, dsyms = _domain(game, free)
    terms, clauses, exact = [], [], True
    spec = None
    if blocks is not None:
        spec = block_spectrum(*blocks, n)
        method = "eigenvalues (block reduction)"
    elif not free & dsyms:
        spec = spectrum(_gram_inverse(D, n) * P)
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
                X = _gram_inverse(D).inv() * X
            minors = leading_minors(X)
            terms += [Term(f"leading minor {k}" + (f" of reduced block {j + 1}" if blocks else ""), m)
                      for k, m in enumerate(minors, 1)]
            clauses += _sign_clauses(minors, strict=True, domain_symbols=dsyms, domain=domain,
                                     solve_for=solve_for, timeout=min(2.0, timeout))
    notes = ("negative definiteness is sufficient (not necessary) for uniqueness",)
    if free & dsyms:
        exact = False
        notes += ("the pseudo-Jacobian depends on the weights: condition required at every interior profile",)
    return _finish("uniqueness", clauses, terms, method, exact, _hyps(game, assuming), domain, timeout, notes)


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
    gi = _gram_inverse(D)
    spec = block_spectrum(gi * blocks[0], gi * blocks[1], n) if blocks is not None else \
        spectrum(_gram_inverse(D, n) * P, max_size=12)
    if spec is not None:
        terms = tuple(Term("eigenvalue of -sym(J) on the tangent space", lam, m) for lam, m in spec)
    else:
        terms = tuple(Term(f"leading minor {k} of -sym(J)", m) for k, m in enumerate(minors, 1))
    return Certificate("uniqueness", sp.true if ok else sp.false, terms, "exact (numeric)", True,
                       tuple(h for h in hyps if h is not sp.true), None, "proved" if ok else "refuted",
                       REFERENCES["uniqueness"],
                       ("decided exactly at the given parameters (Sylvester minors)",)
                       + (() if ok else ("a leading minor is not positive: DSC fails here",)))

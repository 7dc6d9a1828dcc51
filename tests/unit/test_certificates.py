"""Existence and uniqueness certificates (symalign.verify.certificates).

Derived conditions are checked against independent routes: the
characteristic polynomial of the full matrix (vs the block reduction),
explicit games (vs a symbolic number of agents), numpy eigenvalues at
random parameter points and the exact Sylvester test of rosen.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family
from symalign.verify.certificates import Certificate, existence_certificate, uniqueness_certificate
from symalign.verify.population import PopulationGame
from symalign.verify.signs import sign_condition
from symalign.verify.spectra import block_blocks, block_spectrum, compression, spectrum
from symalign.errors import DerivationError, InputError
from symalign.core.rosen import dsc_matrix, leading_minors, negative_definite, pseudo_jacobian

VARIANTS = ("overlap", "distance")
N_SYM = sp.Symbol("N", integer=True, positive=True)


def fam(v):
    return get_family("active_alignment", v)


def symbolic(v, n, d=3, homogeneous=True):
    return Game.symbolic(fam(v), n, d, homogeneous=homogeneous)


def as_multiset(spec):
    return sorted(((sp.factor(lam), m) for lam, m in spec), key=lambda t: sp.default_sort_key(t[0]))


# --- linear algebra ---------------------------------------------------------------

def test_spectrum_splits_and_refuses():
    b, g = sp.symbols("beta gamma", positive=True)
    assert spectrum(sp.Matrix([[b, g], [g, b]])) == ((b - g, 1), (b + g, 1))
    assert spectrum(sp.Matrix([[1, 1], [1, 0]])) is None          # golden ratio: no rational roots
    assert spectrum(sp.diag(2, 2, 5)) == ((2, 2), (5, 1))
    with pytest.raises(InputError):
        spectrum(sp.Matrix([[1, 2]]))


def test_block_detection_is_conservative():
    A, B = sp.Matrix([[2, 1], [1, 2]]), sp.Matrix([[0, 1], [1, 0]])
    M = sp.kronecker_product(sp.eye(3), A) + sp.kronecker_product(sp.ones(3) - sp.eye(3), B)
    assert block_blocks(M, 3) == (A, B)
    M2 = sp.Matrix(M)
    M2[0, 4] += 1
    assert block_blocks(M2, 3) is None
    assert block_blocks(M, 4) is None       # 6 rows are not 4 blocks


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("n", [2, 3, 4])
def test_block_reduction_matches_full_characteristic_polynomial(variant, n):
    """Block-circulant eigenvalues agree with the charpoly of the whole compressed matrix."""
    g = symbolic(variant, n)
    J = sp.Matrix(pseudo_jacobian(g))
    S = -compression((J + J.T) / 2, 3, n)
    full = spectrum(S, max_size=20)
    blocks = block_blocks(S, n)
    assert blocks is not None and full is not None
    assert as_multiset(block_spectrum(*blocks, n)) == as_multiset(full)


@pytest.mark.parametrize("variant", VARIANTS)
def test_symbolic_n_reduction_agrees_with_explicit_games(variant):
    pg = PopulationGame.create(fam(variant), 3, N=N_SYM)
    cert_n = uniqueness_certificate(pg)
    for n in range(2, 7):
        explicit = uniqueness_certificate(symbolic(variant, n))
        from_n = [(sp.factor(t.value.subs(N_SYM, n)), sp.sympify(t.multiplicity).subs(N_SYM, n))
                  for t in cert_n.derivation]
        assert as_multiset(from_n) == as_multiset([(t.value, t.multiplicity) for t in explicit.derivation])
        # the derived conditions agree as well (Z3 under the sign constraints)
        from symalign.verify.smt import prove

        cond_n = cert_n.condition.subs(N_SYM, n)
        assert prove([], sp.Equivalent(cond_n, explicit.condition), timeout=10).status == "proved"


def test_population_game_structure_check():
    pg = PopulationGame.create(fam("entropic"), 2)
    with pytest.raises(DerivationError, match="depends on the weights"):
        pg.jacobian_blocks()
    with pytest.raises(InputError):
        PopulationGame.create(fam("overlap"), 2, N=sp.Symbol("N"))   # not integer
    pg = PopulationGame.create(fam("overlap"), 3)
    pg.check_structure(3)
    pg.check_structure(4)
    assert (pg.N >= 2) in pg.hypotheses()


def test_leading_minors_agree_with_berkowitz_determinants():
    """Independent route: SymPy's Berkowitz determinant of each leading block."""
    g = symbolic("overlap", 3, 3, homogeneous=False)
    P = -sp.Matrix(dsc_matrix(g))[:4, :4]
    ours = leading_minors(P)
    theirs = [P[:k, :k].det(method="berkowitz") for k in range(1, 5)]
    assert len(ours) == 4
    assert all(sp.cancel(a - b) == 0 for a, b in zip(ours, theirs))


# --- sign conditions ----------------------------------------------------------------

def test_sign_condition_reductions():
    b, g = sp.symbols("beta gamma", positive=True)
    x = sp.Symbol("x", real=True)
    N = N_SYM
    assert sign_condition(b - g / (N - 1), strict=True, domain_symbols={N}, domain=[N >= 2],
                          solve_for=g) == (g < b * (N - 1))
    assert sign_condition(-3 * x, strict=True) == (x < 0)
    assert sign_condition(x**2 * (x - 1), strict=False) == sp.Or(x - 1 >= 0, sp.Eq(x, 0))
    assert sign_condition(x**2 * (x - 1), strict=True) == sp.And(x - 1 > 0, sp.Ne(x, 0))
    assert sign_condition(sp.Integer(0), strict=True) is sp.false
    assert sign_condition(sp.Integer(0), strict=False) is sp.true


# --- existence ------------------------------------------------------------------------

@pytest.mark.parametrize("n", [2, 3])
def test_existence_overlap_and_distance(n):
    c = existence_certificate(symbolic("overlap", n, homogeneous=False))
    assert c.kind == "existence" and c.status == "proved" and c.exact
    assert "Theorem 1" in c.reference
    betas = {t.value for t in c.derivation}
    assert betas == {sp.Symbol(f"beta_{i + 1}", positive=True) for i in range(n)}
    d = existence_certificate(symbolic("distance", n))
    b, g = sp.Symbol("beta", positive=True), sp.Symbol("gamma", nonnegative=True)
    assert d.condition == (g <= b)
    assert [t.value for t in d.derivation] == [b - g]
    # independent route: numpy eigenvalues of the numeric own Hessian on the tangent space
    game = symbolic("distance", n)
    H = sp.hessian(game.utility(0), list(game.weights.row(0)))
    for beta, gamma in ((1, sp.Rational(1, 2)), (1, 1), (1, sp.Rational(3, 2)), (2, 3), (3, 2)):
        X = np.array(compression(H.xreplace({b: beta, g: gamma}), 3).tolist(), dtype=float)
        concave = max(np.linalg.eigvals(X).real) <= 1e-12
        assert concave == (d.condition.xreplace({b: beta, g: gamma}) is sp.true)


def test_existence_distance_refuted_without_family_hypotheses():
    c = existence_certificate(symbolic("distance", 2), family_hypotheses=False)
    assert c.status == "refuted"
    cex = c.counterexample
    assert c.condition.xreplace(dict(cex)) is sp.false
    # independent re-check: the numeric own Hessian has a positive eigenvalue
    g = Game.symbolic(fam("distance"), 2, 3)
    H = sp.hessian(g.utility(0), list(g.weights.row(0))).xreplace(dict(cex))
    assert max(np.linalg.eigvalsh(np.array(H.tolist(), dtype=float))) > 0


def test_existence_entropic_uses_minors_and_interior_weights():
    c = existence_certificate(symbolic("entropic", 2))
    assert c.status == "proved" and not c.exact and c.method == "Sylvester minors"
    assert any(t.value.free_symbols & set(Game.symbolic(fam("entropic"), 2, 3).weights) for t in c.derivation)


# --- uniqueness -----------------------------------------------------------------------

def _numeric_dsc(variant, n, beta, gamma):
    g = Game.symbolic(fam(variant), n, 3)
    M = sp.Matrix(dsc_matrix(g)).subs({sp.Symbol("beta", positive=True): beta,
                                      sp.Symbol("gamma", nonnegative=True): gamma})
    return max(np.linalg.eigvalsh(np.array(M.tolist(), dtype=float))) < 0


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_uniqueness_condition_matches_numeric_eigenvalues(variant, n):
    """Independent route: numpy eigenvalues of the DSC matrix at random points."""
    g = symbolic(variant, n)
    c = uniqueness_certificate(g)
    assert c.kind == "uniqueness" and c.exact and c.method == "eigenvalues (block reduction)"
    b, gm = sp.Symbol("beta", positive=True), sp.Symbol("gamma", nonnegative=True)
    rng = random.Random(n)
    scale = n - 1 if variant == "overlap" else 1      # gamma / beta spans both sides of the threshold
    seen = set()
    for _ in range(12):
        beta = sp.Rational(rng.randint(1, 40), 8)
        gamma = beta * scale * sp.Rational(rng.randint(0, 16), 8)
        expect = _numeric_dsc(variant, n, beta, gamma)
        assert (c.condition.xreplace({b: beta, gm: gamma}) is sp.true) == expect
        seen.add(expect)
    assert seen == {True, False}


def test_uniqueness_refuted_counterexample_rechecks_exactly():
    g = symbolic("overlap", 3)
    c = uniqueness_certificate(g)
    assert c.status == "refuted"
    cex = dict(c.counterexample)
    for h in c.hypotheses:
        assert h.xreplace(cex) is sp.true
    assert c.condition.xreplace(cex) is sp.false
    numeric = g.subs(cex).subs({s: sp.Rational(1, 3) if s.name.startswith("p") else 0
                                for s in g.subs(cex).free_symbols()})
    assert negative_definite(dsc_matrix(numeric)) is False


def test_uniqueness_proved_under_assumption_and_cross_checked():
    g = symbolic("overlap", 4)
    b, gm = sp.Symbol("beta", positive=True), sp.Symbol("gamma", nonnegative=True)
    c = uniqueness_certificate(g, assuming=[gm < 3 * b])
    assert c.status == "proved" and c.proof is not None and c.proof.proved
    # sampled cross-check of "proved": DSC holds at random points of the assumed region
    rng = random.Random(0)
    for _ in range(5):
        beta = sp.Rational(rng.randint(1, 30), 7)
        gamma = beta * sp.Rational(rng.randint(0, 29), 10)
        assert _numeric_dsc("overlap", 4, beta, gamma)


def test_uniqueness_numeric_games_exact():
    base = dict(alpha=1, a=[[1, 0, 0], [0, 1, 0], [0, 0, 1]], p=[[0.5, 0.25, 0.25]] * 3)
    ok = uniqueness_certificate(Game.create(fam("overlap"), 3, 3, beta=1, gamma=1.5, **base))
    bad = uniqueness_certificate(Game.create(fam("overlap"), 3, 3, beta=1, gamma=2.5, **base))
    assert (ok.status, bad.status) == ("proved", "refuted")
    assert ok.method == "exact (numeric)" and ok.proof is None
    assert {t.value for t in ok.derivation} == {sp.Rational(5, 2), sp.Rational(1, 4)}
    # independent route: numpy eigenvalues of -sym(J) on the tangent space
    J = sp.Matrix(pseudo_jacobian(Game.create(fam("overlap"), 3, 3, beta=1, gamma=1.5, **base)))
    X = np.array(compression(-(J + J.T) / 2, 3, 3).tolist(), dtype=float)
    assert np.allclose(sorted(set(np.round(np.linalg.eigvals(X).real, 9))), [0.25, 2.5])


def test_uniqueness_heterogeneous_uses_minors_and_agrees_with_rosen():
    g = symbolic("overlap", 2, 3, homogeneous=False)
    c = uniqueness_certificate(g)
    assert c.method in ("Sylvester minors", "eigenvalues (characteristic polynomial)")
    rng = random.Random(5)
    for _ in range(8):
        point = {s: sp.Rational(rng.randint(1, 30), 6) for s in g.free_symbols() if s.name[:4] in ("beta", "gamm")}
        numeric = g.subs(point)
        numeric = numeric.subs({s: sp.Rational(1, 3) if s.name.startswith("p") else 0 for s in numeric.free_symbols()})
        assert negative_definite(dsc_matrix(numeric)) == (c.condition.xreplace(point) is sp.true)


def test_unknown_is_never_proved():
    c = uniqueness_certificate(symbolic("overlap", 3), timeout=1e-9)
    assert c.status == "unknown" and c.proof.status == "unknown"


def test_contradictory_assumptions_never_prove():
    # gamma < beta < gamma implies anything: the certificate must not report it as proved
    g = Game.symbolic(fam("distance"), 2, 3)
    beta, gamma = (next(s for s in g.free_symbols() if s.name == n) for n in ("beta", "gamma"))
    assert existence_certificate(g).status == "proved"  # the same certificate without the contradiction
    c = existence_certificate(g, assuming=(gamma < beta, beta < gamma))
    assert c.status == "unknown" and "contradict" in c.proof.reason


def test_certificate_is_frozen_and_has_no_truth_value():
    c = existence_certificate(symbolic("overlap", 2))
    assert isinstance(c, Certificate)
    with pytest.raises(TypeError):
        bool(c)
    with pytest.raises(AttributeError):
        c.status = "refuted"
    with pytest.raises(InputError):
        Certificate("existence", sp.true, (), "", True, (), None, "maybe", "")


def test_cross_check_demotes_a_wrong_proof():
    from symalign.verify.signs import cross_checked
    from symalign.verify.smt import Proof

    x = sp.Symbol("x", positive=True)
    forged = Proof("proved", (x > 0,), x > 3, None, "", 0.0)
    out = cross_checked(forged)
    assert out.status == "unknown" and "fails at" in out.reason
    good = Proof("proved", (x > 3,), x > 1, None, "", 0.0)
    assert cross_checked(good) is good

"""The checker layer (symalign.certify): it accepts true witnesses, rejects wrong ones (each rejection of a
claimed verdict counted), and decides exactly whatever the size of the numbers."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symalign import Game, get_family
from symalign.certify import LEDGER, Ledger, check_equilibrium, check_unique
from symalign.certify.exact import positive_definite, positive_semidefinite, solve_linear
from symalign.certify.finite import polymatrix_regret
from symalign.certify.profile import exact_profile
from symalign.certify.quadratic import best_response_gain, own_concave
from symalign.certify.verdict import Verdict
from symalign.core.families.custom import CustomFamily

OVERLAP = get_family("active_alignment", "overlap")
POLY = get_family("polymatrix")
R = sp.Rational


def _bimatrix(A, B):
    return Game.create(POLY, 2, [str(k) for k in range(len(A))], A={"A": A, "B": B})


def _own_regret(A, B, x, y):
    """Exact regret of both players, computed here without the checker (plain Fractions)."""
    x, y = [F(v) for v in x], [F(v) for v in y]
    n, m = len(A), len(A[0])
    row = [sum(F(A[r][c]) * y[c] for c in range(m)) for r in range(n)]
    col = [sum(F(B[r][c]) * x[r] for r in range(n)) for c in range(m)]
    return (max(row) - sum(a * b for a, b in zip(x, row)), max(col) - sum(a * b for a, b in zip(y, col)))


# ---------------------------------------------------------------- exact kernels

rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(rationals, min_size=n, max_size=n),
                                                    min_size=n, max_size=n)))
def test_definiteness_agrees_with_sympy_eigenvalues(rows):
    M = [[(rows[i][j] + rows[j][i]) / 2 for j in range(len(rows))] for i in range(len(rows))]
    S = sp.Matrix([[R(x.numerator, x.denominator) for x in r] for r in M])
    assert positive_semidefinite(M) == S.is_positive_semidefinite
    assert positive_definite(M) == S.is_positive_definite


def test_solve_linear_and_asymmetric_input():
    assert solve_linear([[0, 1], [1, 0]], [2, 3]) == [3, 2]
    assert solve_linear([[1, 2], [2, 4]], [1, 2]) is None
    with pytest.raises(ValueError, match="symmetric"):
        positive_semidefinite([[1, 2], [0, 1]])


def test_profile_must_be_exact_and_on_the_simplex():
    assert exact_profile([[F(1, 3), F(2, 3)]]) == ([[F(1, 3), F(2, 3)]], "")
    assert exact_profile([[R(-1, 2), R(3, 2)]])[1] == "weight (1, 1) = -1/2 is negative"
    assert exact_profile([[sp.sqrt(2) / 2, 1 - sp.sqrt(2) / 2]])[0] is None
    assert exact_profile([[True, 0]])[0] is None


@settings(max_examples=40, deadline=None)
@given(st.lists(rationals, min_size=3, max_size=3), st.lists(rationals, min_size=6, max_size=6),
       st.lists(st.integers(0, 4), min_size=3, max_size=3))
def test_face_enumeration_is_never_beaten_by_a_grid(b, h, raw):
    """The exact best response is at least every point of a rational grid (an independent lower bound), and
    it is attained: its value equals the grid maximum when the grid contains it."""
    H = [[2 * h[0], h[1], h[2]], [h[1], 2 * h[3], h[4]], [h[2], h[4], 2 * h[5]]]
    w = [F(x + 1) / (sum(raw) + 3) for x in raw]
    gain, better, how = best_response_gain(b, H, w)

    def value(x):
        return sum(bi * xi for bi, xi in zip(b, x)) + sum(H[d][e] * x[d] * x[e] for d in range(3)
                                                         for e in range(3)) / 2

    grid = [[F(i, 12), F(j, 12), F(12 - i - j, 12)] for i in range(13) for j in range(13 - i)]
    assert gain is not None and gain >= 0
    assert all(value(x) - value(w) <= gain for x in grid)
    if gain > 0:
        assert better is not None and sum(better) == 1 and min(better) >= 0
        assert value(list(better)) - value(w) == gain


def test_own_concavity_certificate_is_on_the_tangent_space():
    assert own_concave([[F(0), F(1)], [F(1), F(0)]])        # x0 x1 is concave along x0 + x1 = 1
    assert not own_concave([[F(0), F(-1)], [F(-1), F(0)]])
    assert not own_concave([[F(1), F(0)], [F(0), F(1)]])


# ---------------------------------------------------------------- equilibria

def test_bimatrix_regret_is_exact_whatever_the_payoffs_size():
    big = 10 ** 99
    A, B = [[3 * big, 0], [0, big]], [[big, 0], [0, 3 * big]]
    g = _bimatrix(A, B)
    for W in ([[1, 0], [1, 0]], [[0, 1], [0, 1]], [[R(3, 4), R(1, 4)], [R(1, 4), R(3, 4)]]):
        v = check_equilibrium(g, sp.Matrix(W))
        assert v.accepted and _own_regret(A, B, W[0], W[1]) == (0, 0), (W, v)
    v = check_equilibrium(g, sp.Matrix([[1, 0], [0, 1]]))
    assert v.status == "rejected" and v.gain == max(_own_regret(A, B, [1, 0], [0, 1])) == big


def test_a_one_unit_deviation_among_huge_payoffs_is_seen():
    big = 10 ** 40
    A, B = [[big, big], [big + 1, big]], [[0, 0], [0, 0]]
    v = check_equilibrium(_bimatrix(A, B), sp.Matrix([[1, 0], [1, 0]]))
    assert v.status == "rejected" and v.gain == 1 and v.deviation == (1, 2)


def test_concave_game_equilibrium_accepted_and_a_wrong_one_rejected_with_the_exact_gain():
    g = Game.create(OVERLAP, 2, ["x", "y"], alpha=1, beta=1, gamma="1/2", a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    v = check_equilibrium(g, sp.Matrix([[1, 0], [0, 1]]))
    assert v.accepted and v.check == "kkt+concavity"
    bad = check_equilibrium(g, sp.Matrix([[0, 1], [1, 0]]))
    # independent: agent 1's utility along its edge, maximised exactly by SymPy
    t = sp.Symbol("t", real=True)
    W = g.weights
    u = g.utility(0).subs({W[1, 0]: 1, W[1, 1]: 0, W[0, 0]: t, W[0, 1]: 1 - t})
    best = max(u.subs(t, x) for x in [0, 1] + [r for r in sp.solve(sp.diff(u, t), t) if 0 <= r <= 1])
    assert bad.status == "rejected" and bad.gain == best - u.subs(t, 0)


def test_non_concave_kkt_point_rejected_with_the_issue_18_gain():
    """u = w0 w1 - c <w, m>, N = 2, D = 3: the symmetric KKT point is never an equilibrium; its gain is
    c^2/(3c - 1)^2 (issue 18), checked at several c against that formula."""
    for c in (R(1), R(2), R(5, 2)):
        g = Game.create(CustomFamily(f"w[0]*w[1] - ({c})*sum(w[d]*m[d], d)"), 2, 3)
        x = sp.Symbol("x")
        # the symmetric KKT point with w0 = w1 = x, w2 = 1 - 2x: g0 = x - c x = g2 = -c (1 - 2x)
        xs = sp.solve(sp.Eq(x - c * x, -c * (1 - 2 * x)), x)[0]
        W = sp.Matrix([[xs, xs, 1 - 2 * xs]] * 2)
        v = check_equilibrium(g, W)
        assert v.status == "rejected" and v.gain == c ** 2 / (3 * c - 1) ** 2, (c, v)


def test_candidates_are_not_rejections():
    g = Game.create(get_family("active_alignment", "entropic"), 2, ["x", "y"], alpha=1, beta=1, gamma=1,
                    a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    v = check_equilibrium(g, sp.Matrix([[R(1, 2)] * 2] * 2))
    assert v.status == "candidate" and not v.accepted
    sym = Game.symbolic(OVERLAP, 2, ["x", "y"])
    assert check_equilibrium(sym, sp.Matrix([[1, 0], [0, 1]])).status == "candidate"
    g2 = Game.create(OVERLAP, 2, ["x", "y"], alpha=1, beta=1, gamma=1, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    assert check_equilibrium(g2, sp.Matrix([[0.5, 0.5], [0.5, 0.5]])).status == "candidate"
    assert check_equilibrium(g2, sp.Matrix([[1, 0]])).status == "rejected"


def test_polymatrix_with_three_agents_matches_an_own_regret_loop():
    blocks = [[None, [[1, 0], [0, 2]], [[0, 3], [1, 0]]], [[[2, 0], [0, 1]], None, [[1, 1], [0, 2]]],
              [[[0, 1], [1, 0]], [[1, 0], [0, 1]], None]]
    for profile in itertools.product([(F(1), F(0)), (F(0), F(1)), (F(1, 2), F(1, 2))], repeat=3):
        rows = [list(r) for r in profile]
        regrets = []
        for i in range(3):
            v = [sum(F(blocks[i][j][d][e]) * rows[j][e] for j in range(3) if j != i for e in range(2))
                 for d in range(2)]
            regrets.append(max(v) - sum(a * b for a, b in zip(rows[i], v)))
        verdict = polymatrix_regret(blocks, rows)
        assert verdict.accepted == (max(regrets) == 0)
        if not verdict.accepted:
            assert verdict.gain == max(regrets)


# ---------------------------------------------------------------- uniqueness

@pytest.mark.parametrize("N", [2, 3, 4])
def test_dsc_certificate_matches_rosen_threshold(N):
    """T2 (model.md): for homogeneous parameters DSC holds iff gamma < beta (N - 1); the checker's exact
    verdict must agree on both sides of the threshold (and at it)."""
    for beta, gamma in ((1, R(1, 2)), (1, N - 1), (2, 2 * (N - 1) - R(1, 10)), (2, 2 * (N - 1) + R(1, 10))):
        g = Game.create(OVERLAP, N, ["x", "y", "z"], alpha=1, beta=beta, gamma=gamma, a=[[1, 0, 0]] * N,
                        p=["1/2", "3/10", "1/5"])
        assert check_unique(g).accepted == (gamma < beta * (N - 1)), (beta, gamma)


def test_uniqueness_of_a_non_quadratic_game_is_a_candidate():
    g = Game.create(get_family("active_alignment", "entropic"), 2, ["x", "y"], alpha=1, beta=1, gamma=1,
                    a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    assert check_unique(g).status == "candidate"


# ---------------------------------------------------------------- verdicts and ledger

def test_verdict_vocabulary_and_ledger():
    with pytest.raises(ValueError, match="status"):
        Verdict("proved", "x", "y")
    led = Ledger()
    led.record("route", Verdict("candidate", "x", "undecided"))
    led.record("route", Verdict("rejected", "x", "wrong"))
    assert led.count == 1 and led.entries[0][0] == "route"
    led.reset()
    assert led.count == 0


def test_a_rejected_claim_under_proved_concavity_is_counted_as_a_bug(monkeypatch):
    """Force the exact checker to reject what the concave route found: solve demotes it and LEDGER counts it."""
    from symalign.numeric.solve import solve
    import symalign.certify as certify

    def wrong(game, weights):
        return Verdict("rejected", "test", "forced rejection")

    monkeypatch.setattr(certify, "check_equilibrium", wrong)
    g = Game.create(OVERLAP, 2, ["x", "y", "z"], alpha=1, beta=2, gamma=1, a=[[1, 0, 0], [0, 1, 0]],
                    p=["1/2", "3/10", "1/5"])
    before = LEDGER.count
    sol = solve(g)
    assert sol.equilibria == () and len(sol.stationary_points) == 1
    assert LEDGER.count == before + 1 and LEDGER.entries[-1][1].reason == "forced rejection"
    assert "although concavity is proved" in " ".join(sol.notes)

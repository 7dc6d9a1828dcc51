"""Checking ``dynamics`` claims: best-response contraction and 2-cycles, gradient play.

Dispatched to by :mod:`symalign.claims.checks`: the interior
best-response map's linear part and its spectrum, exact 2-cycles of
simultaneous best response, and the contraction bound of projected gradient
play, each with simulations on numeric samples.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from symalign.verify.certificates import uniqueness_certificate
from symalign.verify.population import PopulationGame
from symalign.verify.signs import prune as _prune, sign_condition
from symalign.verify.spectra import block_blocks, block_spectrum, compression, spectrum
from symalign.claims.common import (InstanceResult, _compare, _full_hessian, _hyps, _implies, _is_zero,
                                    _numeric_game_at, _solve_for, _truth)
from symalign.errors import DerivationError, InputError, SymalignError

__all__ = ["check_dynamics"]


def check_dynamics(claim, inst, timeout):
    proc, prop = claim.body["process"], claim.body["property"]
    if proc == "best_response" and prop == "contraction":
        return _br_contraction(claim, inst, timeout)
    if proc == "best_response" and prop == "two_cycle":
        return _br_two_cycle(claim, inst, timeout)
    if proc == "gradient_play" and prop == "convergence":
        return _gradient_play(claim, inst, timeout)
    raise InputError("claim.property", prop, f"not supported for process {proc!r}")


def _own_best_response(game, kkt, i):
    """Agent i's interior best response: affine expressions in the others' weights."""
    from symalign.core.linear import solve_linear

    W = game.weights
    eqs = [kkt.gradients[i, d] - kkt.lambdas[i] for d in range(W.cols)] + [sum(W.row(i)) - 1]
    sol = solve_linear(eqs, list(W.row(i)) + [kkt.lambdas[i]])
    return [sol[W[i, d]] for d in range(W.cols)]


def _br_jacobian(game):
    from symalign.core.kkt import kkt_system

    kkt = kkt_system(game)
    if not kkt.is_affine():
        raise DerivationError("the best-response map is affine on the interior only for affine gradients")
    rows = [x for i in range(game.n_agents) for x in _own_best_response(game, kkt, i)]
    return sp.Matrix(rows).jacobian(list(game.weights))


def _br_spectrum(inst):
    """Eigenvalues of the interior best-response map's linear part on the tangent space."""
    game, D = inst.game, inst.game.n_groups
    if isinstance(game, PopulationGame):
        own, cross = game.check_structure(3, matrix_of=_br_jacobian)
        spec = block_spectrum(compression(own, D), compression(cross, D), game.N)
        return spec, "block reduction, symbolic N"
    X = compression(_br_jacobian(game), D, game.n_agents)
    return _matrix_spectrum(X, game.n_agents)


def _domain(inst):
    if isinstance(inst.game, PopulationGame):
        return frozenset({inst.game.N}), (inst.game.N >= 2,)
    return frozenset(), ()


def _br_contraction(claim, inst, timeout):
    spec, how = _br_spectrum(inst)
    if spec is None:
        return InstanceResult(inst.label, "open", "eigenvalues of the best-response map have no closed form")
    dsyms, domain = _domain(inst)
    solve_for = _solve_for(claim, inst)
    clauses = []
    for lam, _ in spec:
        for e in (1 - lam, 1 + lam):
            clauses.append(sign_condition(e, strict=True, domain_symbols=dsyms, domain=domain, solve_for=solve_for))
    derived = sp.And(*_prune(clauses, domain))
    eig = ", ".join(f"{lam}" + (f" (x{sp.factor(m)})" if m != 1 else "") for lam, m in spec)
    base = f"interior BR map is affine; eigenvalues of its linear part on the tangent space ({how}): {eig}; " \
           f"spectral radius < 1 iff {derived}"
    stated = inst.condition(claim.body["condition"])
    relation = claim.body.get("relation", "iff")
    p_if, p_only = _compare(derived, stated, _hyps(inst), relation, timeout)
    for p, what in ((p_if, "stated condition holds but the map does not contract"),
                    (p_only, "the map contracts although the stated condition fails")):
        if p is not None and p.refuted:
            cex = p.counterexample
            return InstanceResult(inst.label, "refuted", f"{base}; {what}", cex, _recheck_br_radius(inst, cex))
    pending = [p for p in (p_if, p_only) if p is not None and not p.proved]
    if pending:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {pending[0].reason}")
    return InstanceResult(inst.label, "proved", f"{base}; {relation} proved")


def _numeric_br(game):
    """Float best response of every agent (support enumeration of each own KKT; affine gradients)."""
    from symalign.numeric.compile import numeric_game

    ng = numeric_game(game)
    N, D = game.n_agents, game.n_groups
    H = [np.array(_full_hessian(game, i).tolist(), dtype=float) for i in range(N)]
    supports = [list(s) for k in range(1, D + 1) for s in itertools.combinations(range(D), k)]

    def br(W):
        G = ng.grad(W)
        out = np.zeros_like(W)
        for i in range(N):
            g0 = G[i] - H[i] @ W[i]
            for S in supports:
                k = len(S)
                A = np.zeros((k + 1, k + 1))
                A[:k, :k], A[:k, k], A[k, :k] = H[i][np.ix_(S, S)], -1.0, 1.0
                try:
                    x = np.linalg.solve(A, np.concatenate([-g0[S], [1.0]]))
                except np.linalg.LinAlgError:
                    continue
                w = np.zeros(D)
                w[S] = x[:k]
                if (w >= -1e-12).all() and (g0 + H[i] @ w <= x[k] + 1e-10).all():
                    out[i] = np.clip(w, 0.0, None)
                    break
            else:
                raise DerivationError(f"no best response found for agent {i + 1}")
        return out

    return br


def _recheck_br_radius(inst, cex):
    try:
        game = _numeric_game_at(inst, cex)
        br = _numeric_br(game)
    except SymalignError as exc:
        return f"not re-checked ({exc})"
    N, D = game.n_agents, game.n_groups
    W0 = np.full((N, D), 1.0 / D)
    h = 1e-6
    T = np.zeros((N * D, N * D))
    for k in range(N * D):
        E = np.zeros(N * D)
        E[k] = h
        T[:, k] = ((br(W0 + E.reshape(N, D)) - br(W0 - E.reshape(N, D))) / (2 * h)).reshape(-1)
    X = np.array(compression(sp.Matrix(T.tolist()), D, N).tolist(), dtype=float)
    rho = max(abs(np.linalg.eigvals(X)))
    return f"re-checked numerically (finite differences of the float best response, {N} agents): spectral radius {rho:.6g}"


def _simulate(step, W0, iterations):
    hist = [W0]
    for _ in range(iterations):
        hist.append(step(hist[-1]))
    return hist


def _br_two_cycle(claim, inst, timeout):
    from symalign.numeric.solve import find_equilibrium

    game = inst.game
    if isinstance(game, PopulationGame) or not game.is_numeric:
        raise InputError("game.parameters", None, "a two-cycle claim needs numeric parameters and explicit N")
    cert = uniqueness_certificate(game, timeout=timeout)
    eq = find_equilibrium(game)
    ne = eq.as_array()
    br = _numeric_br(game)
    rng = np.random.default_rng(claim.body.get("seed", 0))
    iterations = claim.body.get("iterations", 400)
    cycles, converged = [], []
    for _ in range(claim.body.get("starts", 3)):
        start = rng.dirichlet(np.ones(game.n_groups), size=game.n_agents)
        hist = _simulate(br, start, iterations)
        a, b, c = hist[-3], hist[-2], hist[-1]
        period2 = np.abs(c - a).max() < 1e-9 and np.abs(c - b).max() > 1e-3
        far = np.abs(c - ne).max() > 1e-3
        if period2 and far:
            cycles.append((b, c))
        elif np.abs(c - ne).max() < 1e-9 and np.abs(c - b).max() < 1e-12:
            converged.append(start)
    unique = "unique (DSC holds exactly)" if cert.status == "proved" else "not certified unique"
    if not cycles:
        what = (f"NE {unique}; simultaneous best response did not end in a 2-cycle from any of the random starts "
                f"within {iterations} steps")
        if converged:  # a run that reaches the NE contradicts "does not converge"
            return InstanceResult(inst.label, "refuted", what, recheck=f"{len(converged)} start(s) converged to "
                                  f"the NE, e.g. from {np.round(converged[0], 6).tolist()}")
        return InstanceResult(inst.label, "open", what + " (a random search that finds none is not a refutation)")
    exact = _exact_two_cycle(game, *cycles[0])
    detail = (f"NE {unique}; from {len(cycles)} random start(s) simultaneous best response ends in a 2-cycle "
              f"at distance {np.abs(cycles[0][1] - ne).max():.3g} from the NE")
    if exact is None:
        return InstanceResult(inst.label, "checked-by-property", detail + " (numerically; exact check failed)")
    if cert.status != "proved":
        return InstanceResult(inst.label, "open", detail + "; uniqueness of the NE not certified")
    return InstanceResult(inst.label, "proved", detail + f"; the 2-cycle is verified exactly ({exact})")


def _exact_two_cycle(game, X, Y):
    """Exact pair (X, Y) with X = BR(Y), Y = BR(X) on the numerically found supports, or None."""
    from symalign.core.kkt import kkt_system
    from symalign.core.linear import solve_linear

    kkt = kkt_system(game)
    W = game.weights
    N, D = W.shape
    xs = sp.Matrix(N, D, lambda i, d: sp.Dummy(f"x{i}{d}"))
    ys = sp.Matrix(N, D, lambda i, d: sp.Dummy(f"y{i}{d}"))
    lx = [sp.Dummy(f"lx{i}") for i in range(N)]
    ly = [sp.Dummy(f"ly{i}") for i in range(N)]
    eqs, grads = [], {}
    for own, other, lam, num in ((xs, ys, lx, X), (ys, xs, ly, Y)):
        for i in range(N):
            sub = {W[j, d]: (own if j == i else other)[j, d] for j in range(N) for d in range(D)}
            g = [kkt.gradients[i, d].xreplace(sub) for d in range(D)]
            grads[(id(own), i)] = g
            for d in range(D):
                eqs.append(g[d] - lam[i] if num[i, d] > 1e-9 else own[i, d])
            eqs.append(sum(own.row(i)) - 1)
    try:
        sol = solve_linear(eqs, list(xs) + list(ys) + lx + ly)
    except DerivationError:
        return None
    Xe, Ye = xs.xreplace(sol), ys.xreplace(sol)
    for own, lam in ((xs, lx), (ys, ly)):
        M = own.xreplace(sol)
        if any(x < 0 for x in M):
            return None
        for i in range(N):
            g = [x.xreplace(sol) for x in grads[(id(own), i)]]
            if any(g[d] > lam[i].xreplace(sol) for d in range(D)):
                return None
    if Xe == Ye:
        return None
    return f"KKT of each best response checked in exact arithmetic; first agent cycles {list(Xe.row(0))} <-> {list(Ye.row(0))}"


def _gradient_play(claim, inst, timeout):
    from symalign.core.rosen import pseudo_jacobian

    body = claim.body
    for key in ("modulus", "lipschitz", "step", "condition"):
        if key not in body:
            raise InputError(f"claim.{key}", None, "required for gradient-play convergence claims")
    game, D = inst.game, inst.game.n_groups
    if isinstance(game, PopulationGame):
        own, cross = game.check_structure()
        sym = lambda X: (X + X.T) / 2  # noqa: E731
        neg = block_spectrum(-compression(sym(own), D), -compression(sym(cross), D), game.N)
        lin = block_spectrum(compression(own, D), compression(cross, D), game.N)
        symmetric = (own - own.T).is_zero_matrix and (cross - cross.T).is_zero_matrix
    else:
        J = sp.Matrix(pseudo_jacobian(game))
        if J.free_symbols & set(game.weights):
            raise DerivationError("gradient-play bound needs a constant pseudo-Jacobian (affine gradients)")
        n = game.n_agents
        neg = _matrix_spectrum(-compression((J + J.T) / 2, D, n), n)[0]
        lin = _matrix_spectrum(compression(J, D, n), n)[0]
        symmetric = (J - J.T).is_zero_matrix
    if neg is None or lin is None:
        return InstanceResult(inst.label, "open", "no closed-form eigenvalues for the pseudo-Jacobian")
    if not symmetric:
        return InstanceResult(inst.label, "open", "pseudo-Jacobian not symmetric: the Lipschitz constant needs singular values")
    mu, L, eta = (inst.expression(body[k]) for k in ("modulus", "lipschitz", "step"))
    stated = inst.condition(body["condition"])
    hyps = _hyps(inst)  # for symbolic N the family hypotheses include N >= 2
    facts = [("modulus is an eigenvalue of -sym(J)", any(_is_zero(mu - lam) for lam, _ in neg)),
             ("Lipschitz constant is |an eigenvalue of J|", any(_is_zero(L - lam) or _is_zero(L + lam) for lam, _ in lin))]
    for what, ok in facts:
        if not ok:
            return InstanceResult(inst.label, "refuted", f"{what}: false (eigenvalues {[l for l, _ in neg]}, {[l for l, _ in lin]})")
    goals = [("modulus <= every eigenvalue of -sym(J)", sp.true, sp.And(*[mu <= lam for lam, _ in neg])),
             ("Lipschitz >= |every eigenvalue of J|", sp.true, sp.And(*[sp.And(L >= lam, L >= -lam) for lam, _ in lin])),
             ("stated step condition => contraction factor^2 = 1 - 2 eta mu + eta^2 L^2 < 1",
              sp.And(stated, eta > 0), 1 - 2 * eta * mu + eta**2 * L**2 < 1)]
    for what, premise, goal in goals:
        p = _implies(hyps, premise, goal, timeout)
        if p.refuted:
            return InstanceResult(inst.label, "refuted", f"{what}: refuted", p.counterexample,
                                  f"re-checked exactly by substitution: {_truth(goal, p.counterexample)}")
        if not p.proved:
            return InstanceResult(inst.label, "open", f"{what}: Z3 {p.reason}")
    detail = (f"mu = {mu} is the smallest eigenvalue of -sym(J) and L = {L} the spectral radius of J on the "
              f"tangent space; the stated step bound makes 1 - 2 eta mu + eta^2 L^2 < 1 (projection is nonexpansive)")
    if inst.sampled:
        return _simulate_gradient_play(inst, mu, L)
    return InstanceResult(inst.label, "proved", detail)


def _matrix_spectrum(X, n):
    """``(spectrum or None, how)`` of an n-agent matrix: block reduction when it applies."""
    blocks = block_blocks(X, n)
    if blocks is not None:
        return block_spectrum(*blocks, n), "block reduction"
    return spectrum(X, max_size=12), "characteristic polynomial"


def _simulate_gradient_play(inst, mu, L):
    """Projected gradient play at eta = 0.9 x 2 mu / L^2 on a numeric game: converges, ratio within the bound."""
    from symalign.numeric.compile import numeric_game
    from symalign.numeric.simplex import project
    from symalign.numeric.solve import find_equilibrium

    game = inst.game
    bound = 2 * mu / L**2
    step = float(sp.Rational(9, 10) * bound)
    q = float(sp.sqrt(1 - 2 * step * mu + step**2 * L**2))
    ng = numeric_game(game)
    ne = find_equilibrium(game).as_array()
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(3):
        W = rng.dirichlet(np.ones(game.n_groups), size=game.n_agents)
        for _ in range(20000):
            before = np.linalg.norm(W - ne)
            W = project(W + step * ng.grad(W))
            after = np.linalg.norm(W - ne)
            if before > 1e-9:
                worst = max(worst, after / before)
            if after < 1e-10:
                break
        if np.linalg.norm(W - ne) > 1e-8:
            return InstanceResult(inst.label, "refuted", f"gradient play with eta = {step:.4g} (0.9 x bound) "
                                  "did not converge to the NE")
    if worst > q * (1 + 1e-7) + 1e-12:
        return InstanceResult(inst.label, "refuted", f"observed contraction ratio {worst:.6f} exceeds the bound {q:.6f}")
    return InstanceResult(inst.label, "checked-by-property",
                          f"simulated with eta = 0.9 x 2 mu/L^2 = {step:.4g}: converges to the exact NE from 3 starts; "
                          f"worst observed ratio {worst:.4f} <= bound {q:.4f}")

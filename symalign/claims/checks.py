"""Checking claims: compute the actual status of a :class:`~symalign.claims.schema.Claim`.

One checker per claim kind; each works on every instance of the claim (an
explicit game, a game with a symbolic number of agents, or a numeric
sample) and returns an :class:`InstanceResult`.  The claim's status is the
aggregate: ``refuted`` when any instance is refuted, ``open`` when any is
undecided, otherwise ``derived``/``proved`` from the symbolic instances
(``checked-by-property`` when only samples or simulations support it).
Counterexamples are exact and re-checked by a route that does not share
the derivation (e.g. the Sylvester test of the numeric game's DSC matrix).
Every Z3 call has a timeout; ``unknown`` is reported as ``open``, never as
proved.
"""

from __future__ import annotations

import time
from fractions import Fraction
import traceback
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import sympy as sp

from symalign.verify.certificates import (PopulationGame, _hyps as _game_hyps, _relevant, compression, cross_checked,
                           existence_certificate, uniqueness_certificate)
from symalign.claims.schema import Claim, Instance
from symalign.errors import InputError, SymalignError
from symalign.verify.smt import prove

__all__ = ["InstanceResult", "ClaimResult", "check_claim", "passes"]

_DSC_REF = "Rosen (1965) Thm 2/6"


@dataclass(frozen=True)
class InstanceResult:
    """Outcome of a claim on one instance."""

    label: str
    status: str
    detail: str
    counterexample: Mapping | None = None
    recheck: str = ""
    seconds: float = 0.0
    sampled: bool = False


@dataclass(frozen=True, eq=False)
class ClaimResult:
    """Outcome of a claim: aggregate status, per-instance results, comparison with the file."""

    claim: Claim
    status: str
    detail: str
    instances: tuple
    seconds: float
    counterexample: Mapping | None = None
    recheck: str = ""

    @property
    def ok(self) -> bool:
        """Whether the computed status is what the file states (see :func:`passes`)."""
        return passes(self.claim.expected, self.status)

    def to_dict(self) -> dict:
        def cex(c):
            return None if c is None else {str(k): str(v) for k, v in c.items()}

        return {
            "id": self.claim.id, "path": self.claim.path, "kind": self.claim.kind,
            "expected": self.claim.expected, "status": self.status, "ok": self.ok,
            "seconds": round(self.seconds, 3), "detail": self.detail,
            "counterexample": cex(self.counterexample), "recheck": self.recheck,
            "reference": self.claim.reference,
            "instances": [{"label": r.label, "status": r.status, "detail": r.detail,
                           "counterexample": cex(r.counterexample), "recheck": r.recheck,
                           "seconds": round(r.seconds, 3)} for r in self.instances],
        }


def passes(expected: str, actual: str) -> bool:
    """Agreement rule: equal statuses, or a true claim confirmed more strongly than stated.

    Examples
    --------
    >>> passes("proved", "proved"), passes("checked-by-property", "proved"), passes("proved", "open")
    (True, True, False)
    """
    if expected == actual:
        return True
    return expected == "checked-by-property" and actual in ("derived", "proved")


def check_claim(claim: Claim, *, timeout: float = 10.0) -> ClaimResult:
    """Check every instance of a claim and aggregate.

    Parameters
    ----------
    claim : Claim
    timeout : float
        Budget of each Z3 call, in seconds.
    """
    start = time.monotonic()
    results = []
    for inst in claim.instances:
        t0 = time.monotonic()
        try:
            r = _CHECKERS[claim.kind](claim, inst, timeout)
        except SymalignError as exc:
            r = InstanceResult(inst.label, "open", f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug must not pass as proved: report it as open
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            r = InstanceResult(inst.label, "open", f"internal error {type(exc).__name__}: {exc} "
                                                   f"({tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})")
        results.append(InstanceResult(r.label, r.status, r.detail, r.counterexample, r.recheck,
                                      time.monotonic() - t0, inst.sampled))
    status, lead = _aggregate(results)
    detail = lead.detail if lead else ""
    if claim.counterexample is not None and status == "refuted":
        text, valid = _file_counterexample(claim)
        detail += f"; file counterexample: {text}"
        if not valid:
            status = "open"
            detail += " -- it does NOT re-check as a counterexample"
    return ClaimResult(claim, status, detail, tuple(results), time.monotonic() - start,
                       lead.counterexample if lead else None, lead.recheck if lead else "")


def _aggregate(results):
    if not results:
        return "open", InstanceResult("", "open", "no instance to check")
    for s in ("refuted", "open"):
        for r in results:
            if r.status == s:
                return s, InstanceResult(r.label, s, f"[{r.label}] {r.detail}", r.counterexample, r.recheck)
    main = [r for r in results if not r.sampled and r.status != "checked-by-property"]
    if not main:
        return "checked-by-property", _summary(results, "checked-by-property")
    status = "proved" if any(r.status == "proved" for r in main) else "derived"
    return status, _summary(results, status)


def _summary(results, status):
    main = [r for r in results if not r.sampled] or list(results)
    lead = next((r for r in main if r.label.startswith("N symbolic")), main[-1])
    extra = sum(r.sampled for r in results) if not lead.sampled else 0
    tail = f" (+{extra} numeric sample{'s' * (extra != 1)} agree)" if extra else ""
    return InstanceResult(lead.label, status, f"[{_labels(main)}] {lead.detail}{tail}")


def _labels(results) -> str:
    """Compact instance list, e.g. 'N=2,3,4,N; D=3'."""
    by_d: dict = {}
    for r in results:
        parts = dict(p.split("=") for p in r.label.replace("N symbolic", "N=N").split(": ")[-1].split(", ") if "=" in p)
        by_d.setdefault(parts.get("D", "?"), []).append(parts.get("N", "?"))
    return "; ".join(f"N={','.join(ns)}, D={d}" for d, ns in by_d.items())


# --- helpers -------------------------------------------------------------------

def _hyps(inst: Instance) -> tuple:
    """Parameter constraints, the family's hypotheses and the claim's (as the certificates assume them)."""
    return tuple(h for h in _game_hyps(inst.game, inst.hypotheses) if h is not sp.true)


def _solve_for(claim, inst):
    name = claim.body.get("solve_for")
    if not name:
        return None
    value = inst.names.get(name)
    if isinstance(value, sp.Symbol):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(x for x in value if isinstance(x, sp.Symbol))
    return None


def _terms(cert) -> str:
    """Distinct eigenvalues of a certificate with multiplicities ('' when it used minors)."""
    seen = {}
    for t in cert.derivation:
        if t.label.startswith("eigenvalue"):
            seen.setdefault(t.value, t.multiplicity)
    return ", ".join(f"{v}" + (f" (x{sp.factor(m)})" if m != 1 else "") for v, m in seen.items())


def _cond(c) -> str:
    return "all admissible parameters" if c is sp.true else str(c)


def _fmt(mapping) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(mapping.items(), key=lambda kv: str(kv[0])))


def _implies(hyps, premise, conclusion, timeout):
    """Z3 proof (cross-checked) of ``premise => conclusion`` under the relevant hypotheses; premise may be True."""
    premises = [] if premise is sp.true else [premise]
    hyps = _relevant(tuple(hyps), sp.And(conclusion, *premises))
    return cross_checked(prove(list(hyps) + premises, conclusion, timeout=timeout))


def _compare(derived, stated, hyps, relation, timeout):
    """Prove the directions of ``stated <=> derived`` that ``relation`` asks for.

    Returns ``(if_proof, only_if_proof)`` (None for a direction not asked):
    ``if``: stated => derived; ``only_if``: derived => stated.
    """
    p_if = _implies(hyps, stated, derived, timeout) if relation in ("iff", "if") else None
    p_only = _implies(hyps, derived, stated, timeout) if relation in ("iff", "only_if") else None
    return p_if, p_only


def _numeric_game_at(inst: Instance, values: Mapping):
    """A numeric game at the counterexample; parameters it does not fix get neutral values."""
    g = inst.game
    if isinstance(g, PopulationGame):
        g = g.instance(int(values[g.N]))
    g = g.subs({k: v for k, v in values.items() if not (isinstance(inst.game, PopulationGame) and k == inst.game.N)})
    fill = _neutral_values(g)
    return g.subs(fill) if fill else g


def _neutral_values(game) -> dict:
    """Values for the game's free parameter symbols: 1 (positive), the uniform prior (simplex), else 0."""
    out = {}
    for spec in game.family.parameters():
        value = game.params[spec.name]
        flat = list(value) if isinstance(value, (tuple, sp.MatrixBase)) else [value]
        neutral = {"positive": sp.Integer(1), "simplex": sp.Rational(1, game.n_groups)}.get(spec.sign, sp.Integer(0))
        for x in flat:
            out.update(dict.fromkeys(sp.sympify(x).free_symbols, neutral))
    return out


def _truth(cond, values):
    """Exact truth value of ``cond`` at ``values`` (None when undefined or undecided)."""
    try:
        r = cond.xreplace(dict(values))
    except (TypeError, ZeroDivisionError):
        return None
    return r if r in (sp.true, sp.false) else None


def _eliminate_minmax(exprs):
    """Replace Min/Max by fresh reals with defining constraints (for Z3)."""
    constraints = []

    def walk(e):
        if not isinstance(e, sp.Basic) or not e.args:
            return e
        args = [walk(a) for a in e.args]
        if isinstance(e, (sp.Min, sp.Max)):
            t = sp.Dummy("minmax", real=True)
            bound = (lambda a: t <= a) if isinstance(e, sp.Min) else (lambda a: t >= a)
            constraints.extend(bound(a) for a in args)
            constraints.append(sp.Or(*[sp.Eq(t, a) for a in args]))
            return t
        return e.func(*args)

    return [walk(sp.sympify(e)) for e in exprs], constraints


def _impose_simplex(expr, game):
    """Substitute ``p_{i,D} = 1 - sum_{d<D} p_{i,d}`` for symbolic prior rows."""
    subs = {}
    specs = [s for s in game.family.parameters() if s.sign == "simplex"]
    for spec in specs:
        M = game.params[spec.name]
        for i in range(M.rows):
            row = list(M.row(i))
            last = row[-1]
            if isinstance(last, sp.Symbol) and last not in subs:
                subs[last] = 1 - sum(row[:-1])
    return expr.xreplace(subs) if subs else expr


def _is_zero(expr) -> bool:
    """Exact zero test: rational functions in the sparse fraction field, else expand_log + cancel."""
    expr = sp.sympify(expr)
    if expr.is_number and expr.is_Rational:
        return expr == 0
    syms = sorted(expr.free_symbols, key=sp.default_sort_key)
    if syms and not expr.has(sp.log, sp.exp):
        try:
            return sp.QQ.frac_field(*syms).from_sympy(expr) == 0
        except (sp.polys.polyerrors.CoercionFailed, sp.polys.polyerrors.PolynomialError):
            pass
    return sp.cancel(sp.together(sp.expand_log(expr, force=True))) == 0


def _random_point(symbols, seed=0):
    import random

    rng = random.Random(seed)
    out = {}
    for s in symbols:
        v = sp.Rational(rng.randint(1, 97), rng.randint(1, 29))
        out[s] = v if (s.is_positive or s.is_nonnegative) else v * rng.choice([-1, 1])
    return out


# --- existence -------------------------------------------------------------------

def _check_existence(claim, inst, timeout):
    stated = inst.condition(claim.body["condition"])
    cert = existence_certificate(inst.game, assuming=tuple(inst.hypotheses) + (stated,), timeout=timeout,
                                 family_hypotheses=False, solve_for=_solve_for(claim, inst))
    eig = _terms(cert)
    base = (f"eigenvalues of -H_i on the tangent space: {eig}; " if eig else f"{cert.method}; ") + \
        (f"concave in own strategy iff {_cond(cert.condition)}" if cert.exact else
         f"strictly concave if {_cond(cert.condition)}")
    if cert.status == "proved":
        return InstanceResult(inst.label, "proved", f"{base}; stated condition implies it; pure NE exists "
                                                    f"by {cert.reference.split(',')[0]} Thm 1")
    if cert.status == "refuted":
        cex = cert.counterexample
        return InstanceResult(inst.label, "refuted", f"{base}; stated condition does not imply it",
                              cex, _recheck_concavity(inst, cex))
    return InstanceResult(inst.label, "open", f"{base}; Z3: {cert.proof.reason if cert.proof else 'unknown'}")


def _recheck_concavity(inst, cex):
    """Independent re-check: eigenvalues (numpy) of the numeric own Hessian on the tangent space."""
    try:
        g = _numeric_game_at(inst, cex)
    except SymalignError as exc:
        return f"not re-checked ({exc})"
    bad = []
    for i in range(g.n_agents):
        H = _full_hessian(g, i)
        if H.free_symbols:
            return "re-checked by exact substitution only (the Hessian depends on the weights)"
        X = np.array(compression(H, g.n_groups).tolist(), dtype=float)
        if max(np.linalg.eigvals(X).real) > 1e-12:
            bad.append(i + 1)
    return (f"re-checked on the numeric game: own Hessian has a positive eigenvalue on the tangent space "
            f"for agent(s) {bad}" if bad else "re-check FAILED: the numeric own Hessians are negative semidefinite")


def _full_hessian(g, i):
    w = list(g.weights.row(i))
    return sp.hessian(g.utility(i), w)


# --- uniqueness ------------------------------------------------------------------

def _check_uniqueness(claim, inst, timeout):
    body = claim.body
    stated = inst.condition(body["condition"])
    relation, prop = body.get("relation", "iff"), body.get("property", "dsc")
    cert = uniqueness_certificate(inst.game, timeout=timeout, solve_for=_solve_for(claim, inst))
    derived = cert.condition
    eig = _terms(cert)
    how = cert.method.split("(")[-1].rstrip(")")
    base = (f"eigenvalues of -sym(J) on the tangent space ({how}): {eig}; " if eig else
            f"{cert.method}; ") + f"DSC iff {_cond(derived)}"
    if "eigenvalues" in body:
        mismatch = _eigen_mismatch(inst, body["eigenvalues"], cert)
        if mismatch:
            return InstanceResult(inst.label, "refuted", f"{base}; {mismatch}")
    hyps = _hyps(inst)
    p_if, p_only = _compare(derived, stated, hyps, relation, timeout)
    if p_only is not None and p_only.status == "refuted":
        cex = p_only.counterexample
        what = "DSC holds (so the equilibrium is unique) where the stated condition fails"
        return InstanceResult(inst.label, "refuted", f"{base}; {what}", cex, _recheck_dsc(inst, cex, stated))
    if p_if is not None and p_if.status == "refuted":
        cex = p_if.counterexample
        if prop == "dsc":
            return InstanceResult(inst.label, "refuted", f"{base}; the stated condition holds where DSC fails",
                                  cex, _recheck_dsc(inst, cex, stated))
        point, several = _search_several(inst, stated, derived, hyps, cex)
        if several:
            return InstanceResult(inst.label, "refuted", f"{base}; the stated condition holds but the game has "
                                  f"several equilibria there", point, several)
        return InstanceResult(inst.label, "open", f"{base}; DSC fails at {_fmt(cex)} although the stated "
                                                  "condition holds: uniqueness there is not decided by DSC")
    pending = [p for p in (p_if, p_only) if p is not None and p.status != "proved"]
    if pending:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {pending[0].reason}")
    if prop == "unique" and relation != "if":
        return InstanceResult(inst.label, "open", f"{base}; the condition is sufficient for uniqueness "
                                                  "(Rosen); its necessity needs multiple equilibria beyond it")
    return InstanceResult(inst.label, "proved", f"{base}; {relation} proved ({_DSC_REF})")


def _search_several(inst, stated, derived, hyps, first, tries: int = 400, budget: int = 40):
    """A point where ``stated`` holds, DSC fails and the game has several equilibria.

    Tries the Z3 counterexample, then random exact parameter points
    (seeded) satisfying the hypotheses and the stated condition but not the
    derived DSC condition.  Returns ``(point, recheck text)`` or ``(None, '')``.
    """
    import random

    from symalign.claims.schema import _sample_value

    text = _several_equilibria(inst, first)
    if text or isinstance(inst.game, PopulationGame):
        return (first, text) if text else (None, "")
    game = inst.game
    rng = random.Random(2602)
    checked = 0
    for _ in range(tries):
        point = {}
        for spec in game.family.parameters():
            value = game.params[spec.name]
            flat = list(value) if isinstance(value, (tuple, sp.MatrixBase)) else [value]
            if not any(isinstance(x, sp.Symbol) for x in flat):
                continue
            draw = _sample_value(spec, game.n_agents, game.n_groups, False, rng)
            draw = [x for row in draw for x in row] if spec.kind == "vector" else \
                (draw if isinstance(draw, list) else [draw] * len(flat))
            point.update({x: v for x, v in zip(flat, draw) if isinstance(x, sp.Symbol)})
        if not all(_truth(h, point) is sp.true for h in hyps):
            continue
        if _truth(stated, point) is not sp.true or _truth(derived, point) is not sp.false:
            continue
        checked += 1
        text = _several_equilibria(inst, point)
        if text:
            return point, text
        if checked >= budget:
            break
    return None, ""


def _several_equilibria(inst, values) -> str:
    """Two or more exact equilibria of the numeric game at ``values`` (support enumeration), or ''.

    Each equilibrium is re-checked with :func:`symalign.core.kkt.kkt_violations`
    (exact KKT at the profile, independent of the derivation).
    """
    from symalign.core.kkt import kkt_violations
    from symalign.numeric.solve import support_enumeration

    try:
        game = _numeric_game_at(inst, values)
        eqs, _ = support_enumeration(game, max_profiles=4096)
    except SymalignError:
        return ""
    distinct = []
    for eq in eqs:
        W = sp.ImmutableMatrix(eq.weights)
        if W not in distinct and not kkt_violations(game, W):
            distinct.append(W)
    if len(distinct) < 2:
        return ""
    shown = "; ".join(str(W.tolist()) for W in distinct[:3])
    return (f"re-checked exactly: {len(distinct)} distinct equilibria of the numeric game (support enumeration, "
            f"each passing the exact KKT check): {shown}")


def _eigen_mismatch(inst, texts, cert):
    if not any(t.label.startswith("eigenvalue") for t in cert.derivation):
        return f"no closed-form eigenvalues ({cert.method}) to compare with the stated ones"
    stated = [inst.expression(t) for t in texts]
    derived = [t.value for t in cert.derivation]
    missing = [s for s in stated if not any(_is_zero(s - d) for d in derived)]
    extra = [d for d in derived if not any(_is_zero(s - d) for s in stated)]
    if missing or extra:
        return f"stated eigenvalues {stated} differ from the derived {derived}"
    return ""


def _recheck_dsc(inst, cex, stated, verdict=False):
    """Independent re-check: the Sylvester test of the numeric game's DSC matrix, and the stated condition."""
    from symalign.core.rosen import dsc_matrix, negative_definite

    try:
        g = _numeric_game_at(inst, cex)
        nd = negative_definite(dsc_matrix(g))
    except (SymalignError, ValueError) as exc:
        return (f"not re-checked ({exc})", None, None) if verdict else f"not re-checked ({exc})"
    s = _truth(stated, cex)
    nd_txt = {True: "holds", False: "fails", None: "undecided"}[nd]
    text = (f"re-checked exactly on the {g.n_agents}-agent numeric game: DSC {nd_txt} "
            f"(Sylvester minors of the DSC matrix), stated condition is {s}")
    return (text, nd, s) if verdict else text


def _file_counterexample(claim):
    """Re-check the counterexample a refuted file states; returns (text, whether it is one).

    Parameters the file does not give take neutral values (as in the
    re-checks): 1 for positive scalars, 0 for other scalars and
    attractiveness, the uniform prior.
    """
    if claim.kind != "uniqueness":
        return f"{dict(claim.counterexample)} (not re-checked for kind {claim.kind!r})", True
    inst = next((x for x in claim.instances if not x.sampled), claim.instances[0])
    symbols = {s.name: s for s in _free_symbols(inst)}
    values = {}
    for k, v in claim.counterexample.items():
        sym = symbols.get(k) or (inst.names.get(k) if isinstance(inst.names.get(k), sp.Symbol) else None)
        if sym is None:
            return f"{k} is not a symbol of the claim", False
        frac = Fraction(str(v).strip())
        values[sym] = sp.Rational(frac.numerator, frac.denominator)
    point = _full_point(inst, values)
    stated = inst.condition(claim.body["condition"])
    relation, prop = claim.body.get("relation", "iff"), claim.body.get("property", "dsc")
    s = _truth(stated, point)
    if prop == "unique" and relation in ("if", "iff") and s is sp.true:
        several = _several_equilibria(inst, point)
        if several:
            return f"{_fmt(values)}: stated condition is True; {several}", True
    text, nd, s = _recheck_dsc(inst, point, stated, verdict=True)
    valid = (nd is True and s is sp.false and relation in ("iff", "only_if")) or \
        (nd is False and s is sp.true and relation in ("iff", "if") and prop == "dsc")
    return f"{_fmt(values)}: {text}", valid


def _free_symbols(inst):
    g = inst.game
    return g.scalar_symbols() if isinstance(g, PopulationGame) else g.free_symbols()


def _full_point(inst, values):
    """``values`` completed with the neutral values used by :func:`_numeric_game_at`."""
    if isinstance(inst.game, PopulationGame):
        return dict(values)
    return {**_neutral_values(inst.game), **values}


# --- best response ---------------------------------------------------------------

def _check_best_response(claim, inst, timeout):
    if inst.symbolic_n:
        raise InputError("agents", "N", "best-response claims need an explicit number of agents")
    if inst.sampled:
        return _sample_best_response(claim, inst)
    from symalign.core.kkt import kkt_system

    kkt = kkt_system(inst.game)
    W = inst.game.weights
    kind = claim.body["map"]
    scales = []
    for i in range(inst.game.n_agents):
        z = [inst.expression(claim.body["argument"], i, d) for d in range(inst.game.n_groups)]
        g = list(kkt.gradients.row(i))
        if kind == "simplex_projection":
            c = sp.cancel(-sp.diff(g[0], W[i, 0]))
            resid = [sp.expand(g[d] - c * (z[d] - W[i, d])) for d in range(len(g))]
            if c.free_symbols & set(W) or any(not _is_zero(r - resid[0]) for r in resid):
                return InstanceResult(inst.label, "refuted", f"agent {i + 1}: the gradient is not "
                                      f"c*(v - w) + const with v the stated argument (c = {c})")
            p = _implies(_hyps(inst), sp.true, c > 0, timeout)
            if p.status != "proved":
                return InstanceResult(inst.label, "refuted" if p.refuted else "open",
                                      f"scale {c} of the projection not positive", p.counterexample)
            scales.append(c)
        else:
            S = sum(sp.exp(x) for x in z)
            sub = {W[i, d]: sp.exp(z[d]) / S for d in range(len(g))}
            gs = [x.xreplace(sub) for x in g]
            if any(not _is_zero(x - gs[0]) for x in gs):
                return InstanceResult(inst.label, "refuted", f"agent {i + 1}: the stated softmax is not stationary")
            if claim.body.get("positive") and not _positive_under(list(sub.values()), _hyps(inst)):
                return InstanceResult(inst.label, "open", f"agent {i + 1}: positivity of the best response not established")
    what = (f"KKT of agent i's problem = c_i x KKT of the Euclidean projection of the stated argument "
            f"(same support conditions; c_i = {', '.join(map(str, dict.fromkeys(scales)))} > 0)") if kind == "simplex_projection" else \
        "the stated softmax makes the own-gradient constant across groups (interior stationarity)" + \
        ("; every weight of it is positive under the hypotheses, so no equilibrium excludes a group exactly"
         if claim.body.get("positive") else "")
    return InstanceResult(inst.label, "proved", f"{what}; strictly concave, so it is the best response")


def _exact_projection(v):
    """Euclidean projection onto the simplex in exact arithmetic (sort based)."""
    u = sorted(v, reverse=True)
    total, tau = sp.Integer(0), None
    for k, x in enumerate(u, 1):
        total += x
        t = (total - 1) / k
        if x - t > 0:
            tau = t
    return [sp.Max(x - tau, 0) for x in v]


def _sample_best_response(claim, inst):
    from symalign.core.kkt import kkt_system
    from symalign.numeric.simplex import project, softmax

    game = inst.game
    W = game.weights
    rng = np.random.default_rng(7)
    grads = kkt_system(game).gradients
    for trial in range(3):
        others = rng.dirichlet(np.ones(game.n_groups), size=game.n_agents)
        prof = {W[j, d]: sp.Rational(int(round(others[j, d] * 10**6)), 10**6) for j in range(W.rows) for d in range(W.cols)}
        for i in range(game.n_agents):
            z = [inst.expression(claim.body["argument"], i, d).xreplace(prof) for d in range(game.n_groups)]
            if claim.body["map"] == "simplex_projection":
                w = _exact_projection(z)
                flt = project(np.array([float(x) for x in z]))
                if np.max(np.abs(flt - np.array([float(x) for x in w]))) > 1e-12:
                    return InstanceResult(inst.label, "open", "exact and float projections disagree")
                at = dict(prof)
                at.update({W[i, d]: w[d] for d in range(game.n_groups)})
                g = [grads[i, d].xreplace(at) for d in range(game.n_groups)]
                lam = max(g[d] for d in range(game.n_groups) if w[d] > 0)
                bad = [d for d in range(game.n_groups) if (w[d] > 0 and g[d] != lam) or g[d] > lam]
            else:
                w = softmax(np.array([float(x) for x in z]))
                at = {k: float(v) for k, v in prof.items()}
                at.update({W[i, d]: w[d] for d in range(game.n_groups)})
                g = [float(grads[i, d].xreplace(at)) for d in range(game.n_groups)]
                bad = [d for d in range(game.n_groups) if abs(g[d] - g[0]) > 1e-9]
            if bad:
                cex = {str(k): v for k, v in prof.items() if k not in set(W.row(i))}
                return InstanceResult(inst.label, "refuted", f"agent {i + 1}: KKT of its own problem fails at the "
                                      f"stated best response on groups {bad}", cex)
    exact = "exactly" if claim.body["map"] == "simplex_projection" else "to 1e-9"
    return InstanceResult(inst.label, "checked-by-property",
                          f"the stated best response satisfies agent i's KKT {exact} at 3 random profiles")


# --- closed forms and identities ---------------------------------------------------

def _check_closed_form(claim, inst, timeout):
    from symalign.core.kkt import kkt_system

    if inst.symbolic_n:
        raise InputError("agents", "N", "closed-form claims need an explicit number of agents")
    game = inst.game
    stated = inst.matrix(claim.body["weights"])
    kkt = kkt_system(game)
    if kkt.is_affine():
        from symalign.core.derive import derive_on_support

        eq = derive_on_support(game, None, kkt=kkt)
        diff = [_impose_simplex(x, game) for x in (eq.weights - stated)]
        bad = [k for k, x in enumerate(diff) if not _is_zero(x)]
        if bad:
            return _differs(inst, eq.weights, stated, bad)
        how = "derived by derive_on_support (interior KKT, exact) and equal to the stated form"
        status = "checked-by-property" if inst.sampled else "derived"
        return InstanceResult(inst.label, status, how + (" (sum_d p_{i,d} = 1 imposed)" if not inst.sampled else ""))
    return _stationary_form(claim, inst, stated, kkt)


def _differs(inst, derived, stated, bad):
    k = bad[0]
    i, d = divmod(k, inst.game.n_groups)
    free = sorted((derived[k] - stated[k]).free_symbols, key=sp.default_sort_key)
    for seed in range(20):
        point = _random_point(free, seed)
        try:
            a, b = derived[k].xreplace(point), stated[k].xreplace(point)
        except ZeroDivisionError:
            continue
        if a.is_finite and b.is_finite and a != b:
            return InstanceResult(inst.label, "refuted", f"w[{i + 1},{d + 1}]: derived {derived[k]} differs from "
                                  f"the stated form", point, f"re-checked exactly: derived {a}, stated {b}")
    return InstanceResult(inst.label, "open", f"w[{i + 1},{d + 1}]: the difference does not cancel, "
                                              "but no point separating them was found")


def _stationary_form(claim, inst, stated, kkt):
    """Non-affine families: the stated profile is interior, feasible and stationary for every agent."""
    game = inst.game
    W = game.weights
    sub = {W[i, d]: stated[i, d] for i in range(W.rows) for d in range(W.cols)}
    for i in range(W.rows):
        if not _is_zero(sum(stated.row(i)) - 1):
            return InstanceResult(inst.label, "refuted", f"row {i + 1} of the stated form does not sum to 1")
        g = [kkt.gradients[i, d].xreplace(sub) for d in range(W.cols)]
        if any(not _is_zero(x - g[0]) for x in g):
            return InstanceResult(inst.label, "refuted", f"agent {i + 1}: own-gradient not constant at the stated form")
    detail = "stated form lies on the simplex and makes every own-gradient constant (interior KKT, exact); " \
             "strictly concave, so it is the equilibrium"
    if claim.body.get("positive"):
        pos = _positive_under(list(stated), inst.hypotheses + tuple(game.parameter_constraints()))
        if not pos:
            return InstanceResult(inst.label, "open", detail + "; positivity of every weight not established")
        detail += "; every weight is positive under the hypotheses (no exact exclusion)"
    return InstanceResult(inst.label, "checked-by-property" if inst.sampled else "proved", detail)


def _positive_under(exprs, hyps):
    """SymPy's assumptions decide positivity after symbols assumed ``> 0`` get positive dummies."""
    pos = {}
    for h in hyps:
        for rel in (h.args if isinstance(h, sp.And) else (h,)):
            if isinstance(rel, sp.StrictGreaterThan) and rel.rhs == 0 and isinstance(rel.lhs, sp.Symbol):
                pos[rel.lhs] = sp.Dummy(rel.lhs.name, positive=True)
            elif isinstance(rel, sp.StrictLessThan) and rel.lhs == 0 and isinstance(rel.rhs, sp.Symbol):
                pos[rel.rhs] = sp.Dummy(rel.rhs.name, positive=True)
    return all(sp.sympify(e).xreplace(pos).is_positive for e in exprs)


def _check_identity(claim, inst, timeout):
    game = inst.game
    lhs_t, rhs_t = claim.body["lhs"], claim.body["rhs"]
    pairs = inst.indices(lhs_t + " + " + rhs_t)
    for i, d in pairs:
        lhs, rhs = inst.expression(lhs_t, i, d), inst.expression(rhs_t, i, d)
        diff = lhs - rhs if inst.symbolic_n else _impose_simplex(lhs - rhs, game)
        if not _is_zero(diff):
            free = sorted(diff.free_symbols, key=sp.default_sort_key)
            point = _random_point(free, 1)
            return InstanceResult(inst.label, "refuted", f"lhs - rhs = {sp.factor(diff)} is not zero"
                                  + (f" at i={i}" if i is not None else "") + (f", d={d}" if d is not None else ""),
                                  point, f"re-checked exactly: lhs - rhs = {diff.xreplace(point)}")
    return InstanceResult(inst.label, "checked-by-property" if inst.sampled else "proved",
                          "lhs - rhs cancels exactly" + ("" if inst.symbolic_n else " (sum_d p_{i,d} = 1 imposed)"))


# --- exclusion and steering ---------------------------------------------------------

def _without_dummies(cex):
    """A Z3 counterexample without the auxiliary Min/Max variables of :func:`_eliminate_minmax`."""
    return {k: v for k, v in cex.items() if not isinstance(k, sp.Dummy)}


def _group_index(inst, group):
    groups = inst.game.groups
    if isinstance(group, int):
        if not 0 <= group < len(groups):
            raise InputError("claim.group", group, f"group index must be in 0..{len(groups) - 1}")
        return group
    if group not in groups:
        raise InputError("claim.group", group, f"unknown group; groups are {list(groups)}")
    return groups.index(group)


def _bound_condition(inst, text, d):
    """Conjunction over agents when ``i`` is referenced; ``d`` bound to the group."""
    from symalign.core.expr import parse_condition, referenced_names

    agents = range(inst.game.n_agents) if "i" in referenced_names(text) else [None]
    return sp.And(*[parse_condition(text, inst.scope(i, d)) for i in agents])


def _check_exclusion(claim, inst, timeout):
    from symalign.analysis.exclusion import exclusion_condition

    d = _group_index(inst, claim.body["group"])
    derived0 = sp.sympify(exclusion_condition(inst.game, d).condition)
    stated0 = _bound_condition(inst, claim.body["condition"], d)
    (derived, stated), extra = _eliminate_minmax([derived0, stated0])
    relation = claim.body.get("relation", "iff")
    p_if, p_only = _compare(derived, stated, _hyps(inst) + tuple(extra), relation, timeout)
    base = f"derived exclusion condition: {derived0}"
    for p, what in ((p_if, "stated condition holds but the group is not excluded"),
                    (p_only, "the group is excluded although the stated condition fails")):
        if p is not None and p.refuted:
            cex = _without_dummies(p.counterexample)
            return InstanceResult(inst.label, "refuted", f"{base}; {what}", cex,
                                  f"re-checked by exact substitution: derived {_truth(derived0, cex)}, "
                                  f"stated {_truth(stated0, cex)}")
    pending = [p for p in (p_if, p_only) if p is not None and not p.proved]
    if pending:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {pending[0].reason}")
    return InstanceResult(inst.label, "proved", f"{base}; {relation} proved")


def _check_steering(claim, inst, timeout):
    from symalign.analysis.steering import minimal_subsidy

    d = _group_index(inst, claim.body["group"])
    derived = sp.sympify(minimal_subsidy(inst.game, d).amount)
    stated = inst.expression(claim.body["amount"], None, d)
    (a, b), extra = _eliminate_minmax([derived, stated])
    p = _implies(_hyps(inst) + tuple(extra), sp.true, sp.Eq(a, b), timeout)
    base = f"derived minimal subsidy: {derived}"
    if p.refuted:
        cex = _without_dummies(p.counterexample)
        return InstanceResult(inst.label, "refuted", f"{base}; differs from the stated amount", cex,
                              f"re-checked exactly: derived {derived.xreplace(cex)}, stated {stated.xreplace(cex)}")
    if not p.proved:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {p.reason}")
    return InstanceResult(inst.label, "proved", f"{base}; equal to the stated amount")


# --- dynamics (symalign.claims.dynamics) ---------------------------------------------

def _check_dynamics(claim, inst, timeout):
    from symalign.claims.dynamics import check_dynamics

    return check_dynamics(claim, inst, timeout)


_CHECKERS = {
    "existence": _check_existence,
    "uniqueness": _check_uniqueness,
    "best_response": _check_best_response,
    "closed_form": _check_closed_form,
    "identity": _check_identity,
    "exclusion_threshold": _check_exclusion,
    "steering": _check_steering,
    "dynamics": _check_dynamics,
}

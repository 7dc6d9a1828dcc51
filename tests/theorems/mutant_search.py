"""Independent counterexample search for claim mutants: the literal statement, evaluated exactly at random points.

This does not call any claim checker (:mod:`symalign.claims.checks` and the kind
modules).  It uses the claim loader only to parse the statement (the whitelist
expression parser) and builds each game through :class:`symalign.core.game.Game`;
equilibria are decided by this module's own exact test :func:`is_nash` (global
maximum of each agent's utility over its simplex, computed face by face in
rationals for utilities quadratic in the own weights) and enumerated with the
project's exact support enumeration (:func:`symalign.numeric.enumerate.enumerate_equilibria`,
every KKT point it lists re-decided by :func:`is_nash`).

Points are drawn with a seeded :class:`random.Random` (seed from the claim id):
exact rationals with the family's signs, priors on the simplex, and only points
where the file's hypotheses (and the family's concavity hypotheses, except for
existence claims whose condition is about them) hold.

Per kind, the statement searched (``None``: no search for that kind, reported ``n/a``):

* ``existence``: condition => a pure equilibrium exists;
* ``uniqueness``: ``dsc``: Rosen's DSC (sym. pseudo-Jacobian negative definite on
  the tangent space, exact Sylvester test) iff/if/only-if the condition, and each
  stated eigenvalue is one; ``unique``: condition => exactly one equilibrium;
* ``best_response`` (projection): the projection of the argument maximises agent i's utility;
* ``closed_form``: where the form is a positive profile it is an equilibrium; with
  ``positive = true`` it is positive;
* ``exclusion_threshold``: (unique equilibrium, in scope) every agent excludes the group iff the condition;
* ``steering``: with subsidy amount + 1/64 the group is not excluded; with amount - 1/64 (>= 0) it is;
* ``equilibrium_count``: the number of equilibria; ``symmetric_equilibrium``: the stated mixture,
  played by all, is an equilibrium;
* ``comparative_statics`` (``of = weights``, ``derivative``): the derivative of the interior
  equilibrium, from this module's own solve of the interior KKT system, at interior points;
* ``dynamics``: ``contraction``: spectral radius of the interior best response's linear part
  (from the own Hessians) < 1 iff/if/only-if the condition; ``convergence``: under the condition,
  projected gradient play does not expand any tangent direction at an interior equilibrium;
* entropic variant (softmax best response, closed forms with exponentials): exact
  stationarity of the strictly concave utility, differences of logs decided exactly when they
  cancel, as nonzero when a 50-digit evaluation exceeds 1e-30.

Not searched (``n/a`` or no counterexample possible here): existence for non-affine
gradients, ``two_cycle`` dynamics, statics of exclusion thresholds and signs.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import time
from dataclasses import dataclass, field

import sympy as sp

from symalign.errors import SymalignError

POINTS = 6
"""Random parameter points tried per mutant."""
DELTA = sp.Rational(1, 64)


@dataclass(frozen=True)
class Search:
    """Outcome: ``counterexample`` (with the point and what fails), ``none`` (no counterexample found) or ``n/a``."""

    verdict: str
    kind: str = ""
    detail: str = ""
    point: dict = field(default_factory=dict)
    points: int = 0
    seconds: float = 0.0


class _Skip(Exception):
    """The point is outside the statement's scope (or undecidable here): try another."""


# ---------------------------------------------------------------- exact equilibrium test

def _own_max(u, own):
    """Exact maximum of ``u`` (polynomial of degree <= 2 in ``own``) over the simplex of ``own``."""
    D = len(own)
    best = None
    for size in range(1, D + 1):
        for S in itertools.combinations(range(D), size):
            off = {own[k]: 0 for k in range(D) if k not in S}
            v = u.xreplace(off)
            free = [own[k] for k in S]
            if size == 1:
                cand = [v.xreplace({free[0]: 1})]
            else:
                lam = sp.Dummy("lam")
                eqs = [sp.diff(v, x) - lam for x in free] + [sum(free) - 1]
                sol = sp.linsolve(eqs, free + [lam])
                cand = []
                for s in sol:
                    s = dict(zip(free + [lam], s))
                    if any(not x.is_Rational for x in s.values()):
                        continue  # singular face: its maximum is on its boundary (a smaller face)
                    if all(s[x] > 0 for x in free):
                        cand.append(v.xreplace({x: s[x] for x in free}))
            for c in cand:
                if best is None or c > best:
                    best = c
    return best


def is_nash(game, W) -> tuple:
    """(True, '') when no agent gains by deviating from exact profile ``W``; else (False, reason)."""
    sym = game.weights
    values = {sym[i, d]: W[i][d] for i in range(game.n_agents) for d in range(game.n_groups)}
    for i in range(game.n_agents):
        row = [sp.Rational(x) for x in W[i]]
        if any(x < 0 for x in row) or sum(row) != 1:
            return False, f"agent {i + 1}: {row} not on the simplex"
        u = sp.expand(game.utility(i))
        own = list(sym.row(i))
        others = {k: v for k, v in values.items() if k not in own}
        ui = sp.expand(u.xreplace(others))
        if not ui.is_polynomial(*own) or sp.Poly(ui, *own).total_degree() > 2:
            raise _Skip("utility not quadratic in own weights")
        here = ui.xreplace({own[d]: row[d] for d in range(len(own))})
        best = _own_max(ui, own)
        if best > here:
            return False, f"agent {i + 1} gains {best - here} by deviating"
    return True, ""


def equilibria(game) -> tuple:
    """(list of exact equilibria, has_continuum) from the exact enumeration, each re-decided by :func:`is_nash`."""
    from symalign.numeric.enumerate import enumerate_equilibria

    res = enumerate_equilibria(game, engine="symalign")
    out = [eq.weights for eq in res.isolated if is_nash(game, eq.weights.tolist())[0]]
    cont = False
    for comp in res.components:
        if any(is_nash(game, V.tolist())[0] for V in comp.vertices):
            cont = True
    return out, cont


# ---------------------------------------------------------------- random points

def _value(rng, sign, tame=False):
    if tame:  # a regime where interior equilibria are common: small attractiveness, large consistency
        if sign == "positive":
            return sp.Rational(rng.randint(4, 32), 4)
        if sign == "nonnegative":
            return sp.Rational(rng.randint(0, 8), 8)
        return sp.Rational(rng.randint(-8, 8), 32)
    if sign == "positive":
        return sp.Rational(rng.randint(1, 32), rng.choice((4, 8)))
    if sign == "nonnegative":
        return sp.Integer(0) if rng.random() < 0.15 else sp.Rational(rng.randint(1, 32), rng.choice((4, 8)))
    return sp.Rational(rng.randint(-24, 24), rng.choice((4, 8)))


def random_point(rng, inst) -> dict:
    """Symbol -> exact value for every free symbol of the instance's game (and declared symbols)."""
    g = inst.game
    out = {}
    tame = rng.random() < 0.5
    for spec in g.family.parameters():
        mat = g.params[spec.name]
        rows = mat.tolist() if hasattr(mat, "tolist") else [[mat]] if isinstance(mat, sp.Basic) else [list(mat)]
        if spec.sign == "simplex":
            for row in rows:
                if all(x.is_number for x in row):
                    continue
                r = [rng.randint(0 if rng.random() < 0.2 else 1, 9) for _ in row]
                if sum(r) == 0:
                    r[0] = 1
                for x, k in zip(row, r):
                    out[x] = sp.Rational(k, sum(r))
        else:
            for x in (x for row in rows for x in (row if isinstance(row, list) else [row])):
                if isinstance(x, sp.Symbol) and x not in out:
                    out[x] = _value(rng, spec.sign, tame)
    for name, s in inst.names.items():
        if isinstance(s, sp.Symbol) and s not in out and name not in ("N", "D") and s.is_positive:
            out[s] = sp.Rational(rng.randint(1, 64), 64)  # declared positive symbols (steps): in (0, 1]
        elif isinstance(s, sp.Symbol) and s not in out and name not in ("N", "D"):
            out[s] = _value(rng, "positive" if s.is_positive else "nonnegative" if s.is_nonnegative else "real")
    return out


def _truth(cond, point):
    try:
        v = cond.xreplace(point)
    except (TypeError, ZeroDivisionError) as exc:
        raise _Skip(f"condition undefined at the point: {exc}") from None
    if v not in (sp.true, sp.false):
        try:
            v = sp.simplify(v)
        except TypeError as exc:
            raise _Skip(f"condition undefined at the point: {exc}") from None
    if v not in (sp.true, sp.false):
        raise _Skip(f"condition not decided at the point: {v}")
    return v is sp.true


def _numeric_game(inst, point):
    return inst.game.subs(point) if point else inst.game


# ---------------------------------------------------------------- per kind

def _existence(claim, inst, point):
    if not _truth(inst.condition(claim.body["condition"]), point):
        raise _Skip("condition false")
    eqs, cont = equilibria(_numeric_game(inst, point))
    if not eqs and not cont:
        return "no pure equilibrium although the condition holds"
    return None


def _tangent(game):
    N, D = game.n_agents, game.n_groups
    P1 = sp.eye(D) - sp.ones(D, D) / D
    return sp.diag(*[P1] * N)


def _dsc(game):
    grads = [g for i in range(game.n_agents) for g in game.own_gradient(i)]
    ws = list(game.weights)
    J = sp.Matrix([[sp.diff(g, w) for w in ws] for g in grads])
    if J.free_symbols:
        raise _Skip("pseudo-Jacobian not constant")
    S = -(J + J.T) / 2
    D = game.n_groups
    # basis of the tangent space: e_d - e_D per agent (rational)
    cols = []
    for i in range(game.n_agents):
        for d in range(D - 1):
            v = sp.zeros(len(ws), 1)
            v[i * D + d], v[i * D + D - 1] = 1, -1
            cols.append(v)
    B = sp.Matrix.hstack(*cols)
    Q = B.T * S * B
    dsc = all(Q[:k, :k].det() > 0 for k in range(1, Q.rows + 1))
    P = _tangent(game)
    return dsc, P * S * P


def _uniqueness(claim, inst, point):
    body = claim.body
    game = _numeric_game(inst, point)
    cond = _truth(inst.condition(body["condition"]), point)
    rel = body.get("relation", "iff")
    if body.get("property", "dsc") == "dsc":
        dsc, M = _dsc(game)
        if rel in ("iff", "if") and cond and not dsc:
            return "condition holds but DSC fails (exact Sylvester test)"
        if rel in ("iff", "only_if") and dsc and not cond:
            return "DSC holds but the condition fails"
        x = sp.Symbol("x")
        for text in body.get("eigenvalues", []):
            lam = inst.expression(text).xreplace(point)
            if lam != 0 and (M - lam * sp.eye(M.rows)).det() != 0:
                return f"stated eigenvalue {text} = {lam} is not an eigenvalue"
        if body.get("eigenvalues"):
            stated = {inst.expression(t).xreplace(point) for t in body["eigenvalues"]}
            roots = sp.roots(sp.Poly((M - x * sp.eye(M.rows)).det(), x))
            extra = [r for r in roots if r != 0 and r not in stated]
            if extra:
                return f"eigenvalue {extra[0]} is not stated"
        return None
    if not cond:
        raise _Skip("condition false")
    eqs, cont = equilibria(game)
    if cont or len(eqs) != 1:
        return f"{'a continuum of' if cont else len(eqs)} equilibria although the condition holds"
    return None


def _project(v):
    """Exact Euclidean projection onto the simplex (sort-based)."""
    u = sorted(v, reverse=True)
    css, rho, theta = 0, 0, 0
    for k, x in enumerate(u, 1):
        css += x
        t = (css - 1) / k
        if x - t > 0:
            rho, theta = k, t
    return [max(x - theta, 0) for x in v]


def _stationary(game, W, i):
    """Agent ``i`` at an interior profile of a game strictly concave in own weights (entropic variant).

    The own gradient must be the same on every group.  The differences (logs of
    rationals and of exponentials, after ``expand_log``) are decided exactly when they
    cancel, and as nonzero when a 50-digit evaluation exceeds 1e-30.
    """
    if getattr(game.family, "variant", "") != "entropic":
        raise _Skip("stationarity suffices only for the entropic variant here")
    if any(not (x > 0) for x in W[i]):
        raise _Skip("profile not interior")
    sym = game.weights
    values = {sym[j, d]: W[j][d] for j in range(game.n_agents) for d in range(game.n_groups)}
    g = [sp.expand_log(x.xreplace(values), force=True) for x in game.own_gradient(i)]
    for d in range(1, len(g)):
        diff = g[d] - g[0]
        v = sp.N(diff, 50)
        if abs(v) > sp.Float("1e-30"):
            return False, f"own gradient differs between groups 1 and {d + 1} by {sp.N(diff, 8)}"
        if sp.simplify(diff) != 0:
            raise _Skip("stationarity not decided exactly")
    return True, ""


def _best_response(claim, inst, point, rng):
    game = _numeric_game(inst, point)
    W = [[sp.Rational(k, 1) for k in (rng.randint(0, 5) for _ in range(game.n_groups))] for _ in range(game.n_agents)]
    W = [[x / sum(r) if sum(r) else sp.Rational(1, len(r)) for x in r] for r in W]
    sym = game.weights
    values = {sym[i, d]: W[i][d] for i in range(game.n_agents) for d in range(game.n_groups)}
    for i in range(game.n_agents):
        arg = [inst.expression(claim.body["argument"], i, d).xreplace(point).xreplace(values)
               for d in range(game.n_groups)]
        W2 = [list(r) for r in W]
        if claim.body["map"] == "softmax":
            z = sum(sp.exp(x) for x in arg)
            W2[i] = [sp.exp(x) / z for x in arg]
            ok, why = _stationary(game, W2, i)
        else:
            if not all(x.is_Rational for x in arg):
                raise _Skip("argument not rational")
            W2[i] = _project(arg)
            ok, why = is_nash_agent(game, W2, i)
        if not ok:
            return f"the {claim.body['map']} of the argument is not agent {i + 1}'s best response: {why}"
    return None


def is_nash_agent(game, W, i):
    sym = game.weights
    values = {sym[j, d]: W[j][d] for j in range(game.n_agents) for d in range(game.n_groups) if j != i}
    own = list(sym.row(i))
    ui = sp.expand(game.utility(i).xreplace(values))
    if not ui.is_polynomial(*own) or sp.Poly(ui, *own).total_degree() > 2:
        raise _Skip("utility not quadratic in own weights")
    here = ui.xreplace(dict(zip(own, W[i])))
    best = _own_max(ui, own)
    return (best <= here), f"gain {best - here}"


def _closed_form(claim, inst, point):
    game = _numeric_game(inst, point)
    M = [[inst.expression(claim.body["weights"], i, d).xreplace(point) for d in range(game.n_groups)]
         for i in range(game.n_agents)]
    if claim.body.get("positive") and any(x <= 0 for r in M for x in r):
        return f"positive = true but the form has an entry {min(x for r in M for x in r)}"
    if any(not (x > 0) for r in M for x in r):
        raise _Skip("form not positive: outside the interior statement")
    if not all(x.is_Rational for r in M for x in r):
        for i in range(game.n_agents):
            if sp.N(sum(M[i]) - 1, 50) != 0 and sp.simplify(sum(M[i]) - 1) != 0:
                return f"row {i + 1} of the form does not sum to 1"
            ok, why = _stationary(game, M, i)
            if not ok:
                return f"the positive closed form is not an equilibrium: agent {i + 1}: {why}"
        return None
    ok, why = is_nash(game, M)
    return None if ok else f"the positive closed form is not an equilibrium: {why}"


def _excluded_state(game, g):
    eqs, cont = equilibria(game)
    if cont or len(eqs) != 1:
        raise _Skip("equilibrium not unique")
    W = eqs[0]
    return all(W[i, g] == 0 for i in range(game.n_agents)), W


def _exclusion(claim, inst, point):
    game = _numeric_game(inst, point)
    g = int(claim.body["group"])
    text = claim.body["condition"]
    cond = all(_truth(_cond(inst, text, i, g), point)
               for i in (range(game.n_agents) if "i" in _refs(text) else [None]))
    excluded, W = _excluded_state(game, g)
    if claim.body.get("scope", "all") == "reduced_interior":
        if any(W[i, k] == 0 for i in range(game.n_agents) for k in range(game.n_groups) if k != g):
            raise _Skip("reduced game not interior")
        if not excluded:
            red = _reduced_kkt_points(game, g)
            if len(red) != 1 or any(x == 0 for x in red[0]):
                raise _Skip("reduced game not interior")
    rel = claim.body.get("relation", "iff")
    if excluded and not cond and rel in ("iff", "only_if"):
        return f"group {g + 1} excluded at the unique equilibrium {W.tolist()} but the condition fails"
    if cond and not excluded and rel in ("iff", "if"):
        return f"condition holds but group {g + 1} is used at the unique equilibrium {W.tolist()}"
    return None


def _reduced_kkt_points(game, g):
    """Every KKT point of the reduced game (group ``g`` forbidden), by exact support enumeration."""
    sym = game.weights
    N, D = game.n_agents, game.n_groups
    zero = {sym[i, g]: 0 for i in range(N)}
    grads = [[sp.expand(sp.diff(game.utility(i), sym[i, k]).xreplace(zero)) for k in range(D)] for i in range(N)]
    others = [k for k in range(D) if k != g]
    supports = [S for r in range(1, len(others) + 1) for S in itertools.combinations(others, r)]
    out = []
    for prof in itertools.product(supports, repeat=N):
        lams = sp.symbols(f"lam0:{N}")
        unknowns = [sym[i, k] for i in range(N) for k in prof[i]] + list(lams)
        off = {sym[i, k]: 0 for i in range(N) for k in range(D) if k not in prof[i]}
        eqs = [grads[i][k].xreplace(off) - lams[i] for i in range(N) for k in prof[i]]
        eqs += [sum(sym[i, k] for k in prof[i]) - 1 for i in range(N)]
        sols = list(sp.linsolve(eqs, unknowns))
        if len(sols) != 1 or not all(x.is_Rational for x in sols[0]):
            if sols and not all(x.is_Rational for x in sols[0]):
                raise _Skip("reduced game has a continuum of KKT points")
            continue
        val = dict(zip(unknowns, sols[0]))
        val.update(off)
        if any(val[sym[i, k]] <= 0 for i in range(N) for k in prof[i]):
            continue
        if any(grads[i][k].xreplace(val) > val[lams[i]] for i in range(N) for k in others if k not in prof[i]):
            continue
        out.append([val[sym[i, k]] for i in range(N) for k in others])
    return out


def _refs(text):
    from symalign.core.expr import referenced_names

    return referenced_names(text)


def _cond(inst, text, i, g):
    from symalign.core.expr import parse_condition

    return parse_condition(text, inst.scope(i, g))


def _steering(claim, inst, point):
    from symalign.core.expr import parse_expression

    game = _numeric_game(inst, point)
    g = int(claim.body["group"])
    s = parse_expression(claim.body["amount"], inst.scope(None, g)).xreplace(point)
    if not s.is_Rational:
        raise _Skip("amount not rational")
    a = sp.Matrix(game.params["a"])

    def shifted(x):
        b = a.copy()
        for i in range(b.rows):
            b[i, g] += x
        return _with(game, a=b)

    if _excluded_state(shifted(s + DELTA), g)[0]:
        return f"group {g + 1} still excluded with subsidy {s} + {DELTA}"
    if s - DELTA >= 0 and not _excluded_state(shifted(s - DELTA), g)[0]:
        return f"group {g + 1} already used with subsidy {s} - {DELTA} (amount not minimal)"
    return None


def _with(game, **values):
    from symalign.core.game import Game

    params = {k: (sp.Matrix(v) if hasattr(v, "shape") else v) for k, v in game.params.items()}
    params.update(values)
    params = {k: (v.tolist() if hasattr(v, "tolist") else list(v) if isinstance(v, tuple) else v)
              for k, v in params.items()}
    return Game.create(game.family, game.n_agents, list(game.groups), **params)


def _count(claim, inst, point):
    eqs, cont = equilibria(_numeric_game(inst, point))
    n = float("inf") if cont else len(eqs)
    want = claim.body["count"]
    if claim.body.get("relation", "exactly") == "exactly" and n != want:
        return f"{n} equilibria, stated exactly {want}"
    if claim.body.get("relation") == "at_least" and n < want:
        return f"{n} equilibria, stated at least {want}"
    return None


def _symmetric(claim, inst, point):
    from symalign.core.kkt import kkt_violations

    game = _numeric_game(inst, point)
    x = [inst.expression(claim.body["weights"], None, d).xreplace(point) for d in range(game.n_groups)]
    if not all(v.is_Rational for v in x):
        raise _Skip("mixture not rational")
    if any(v < 0 for v in x) or sum(x) != 1:
        return f"stated mixture {x} is not on the simplex"
    W = [list(x) for _ in range(game.n_agents)]
    try:
        ok, why = is_nash(game, W)
    except _Skip:
        bad = kkt_violations(game, W)  # KKT is necessary: a violation is a sure counterexample
        ok, why = not bad, "; ".join(bad)
    return None if ok else f"the symmetric profile {x} is not an equilibrium: {why}"


def _statics(claim, inst, point):
    """``of = weights``: dw*/d(wrt) on the interior, from this module's own solve of the interior KKT system."""
    body = claim.body
    if body.get("of", "weights") != "weights" or "derivative" not in body:
        raise _Skip("only weight derivatives are searched")
    wrt = inst.names.get(body["wrt"])
    if not isinstance(wrt, sp.Symbol) or wrt not in point:
        raise _Skip("wrt is not a free scalar parameter")
    game = inst.game.subs({k: v for k, v in point.items() if k != wrt})
    sym = game.weights
    N, D = game.n_agents, game.n_groups
    lams = sp.symbols(f"lam0:{N}")
    eqs = [sp.diff(game.utility(i), sym[i, k]) - lams[i] for i in range(N) for k in range(D)]
    eqs += [sum(sym.row(i)) - 1 for i in range(N)]
    unknowns = list(sym) + list(lams)
    sols = list(sp.linsolve(eqs, unknowns))
    if len(sols) != 1:
        raise _Skip("interior system not uniquely solvable")
    sol = dict(zip(unknowns, sols[0]))
    here = {wrt: point[wrt]}
    W = [[sp.cancel(sol[sym[i, k]]) for k in range(D)] for i in range(N)]
    Wv = [[x.xreplace(here) for x in r] for r in W]
    if any(not x.is_Rational or x <= 0 for r in Wv for x in r):
        raise _Skip("not interior")
    for i in range(N):
        for k in range(D):
            true = sp.cancel(sp.diff(W[i][k], wrt)).xreplace(here)
            if "derivative" in body:
                stated = inst.expression(body["derivative"], i, k).xreplace(point)
                if sp.nsimplify(stated - true) != 0:
                    return f"dw[{i + 1},{k + 1}]/d{wrt} is {true}, stated {stated}"
    return None


def _tangent_basis(D):
    return sp.Matrix(D, D - 1, lambda r, c: 1 if r == c else (-1 if r == D - 1 else 0))


def _spectral_radius_below_one(M):
    """Exact when the characteristic polynomial's roots are found; else 50-digit roots with a 1e-20 margin."""
    x = sp.Symbol("x")
    poly = sp.Poly(M.charpoly(x).as_expr(), x)
    roots = sp.roots(poly)
    if sum(roots.values()) == poly.degree():
        return all(sp.Abs(r) < 1 for r in roots)
    vals = [abs(complex(r)) for r in poly.nroots(n=50)]
    if any(abs(v - 1) < 1e-20 for v in vals):
        raise _Skip("spectral radius too close to 1")
    return all(v < 1 for v in vals)


def _dynamics(claim, inst, point):
    """``contraction``: interior best response's linear part (own derivation) has spectral radius < 1 iff the
    condition; ``convergence``: under the condition, projected gradient play is non-expansive at an interior
    equilibrium (||P A x|| <= ||x|| for every tangent x, A = I + eta J)."""
    body = claim.body
    game = _numeric_game(inst, point)
    sym = game.weights
    N, D = game.n_agents, game.n_groups
    B = _tangent_basis(D)
    ws = list(sym)
    grads = [g for i in range(N) for g in game.own_gradient(i)]
    J = sp.Matrix([[sp.diff(g, w) for w in ws] for g in grads])
    if J.free_symbols:
        raise _Skip("gradient not affine")
    cond = _truth(inst.condition(body["condition"]), point) if "condition" in body else True
    if body["property"] == "contraction":
        blocks = []
        for i in range(N):
            H = J[i * D:(i + 1) * D, i * D:(i + 1) * D]
            Hb = B.T * H * B
            if Hb.det() == 0:
                raise _Skip("own Hessian singular on the tangent space")
            row = [(-Hb.inv() * B.T * J[i * D:(i + 1) * D, j * D:(j + 1) * D] * B) if j != i else sp.zeros(D - 1)
                   for j in range(N)]
            blocks.append(row)
        Lam = sp.Matrix(sp.BlockMatrix(blocks))
        contracts = _spectral_radius_below_one(Lam)
        rel = body.get("relation", "iff")
        if cond and not contracts and rel in ("iff", "if"):
            return "condition holds but the interior best-response map has spectral radius >= 1"
        if contracts and not cond and rel in ("iff", "only_if"):
            return "the interior best-response map contracts but the condition fails"
        return None
    if body["property"] == "convergence":
        if not cond:
            raise _Skip("condition false")
        eta = inst.expression(body["step"]).xreplace(point)
        eqs, cont = equilibria(game)
        if cont or len(eqs) != 1 or any(x == 0 for x in eqs[0]):
            raise _Skip("no unique interior equilibrium")
        A = sp.eye(N * D) + eta * J
        P = _tangent(game)
        Bf = sp.diag(*[B] * N)
        Q = Bf.T * (A.T * P * A - sp.eye(N * D)) * Bf
        if not Q.is_negative_semidefinite:
            return f"step {eta} satisfies the condition but gradient play expands a tangent direction"
        return None
    raise _Skip(f"property {body['property']} not searched")


_SEARCHES = {"dynamics": _dynamics, "comparative_statics": _statics, "existence": _existence, "uniqueness": _uniqueness, "closed_form": _closed_form,
             "exclusion_threshold": _exclusion, "steering": _steering, "equilibrium_count": _count,
             "symmetric_equilibrium": _symmetric}


def search(claim, *, points: int = POINTS, seconds: float = 20.0) -> Search:
    """Look for a counterexample to ``claim``'s literal statement (see the module docstring)."""
    start = time.monotonic()
    kind = claim.kind
    if kind not in _SEARCHES and kind != "best_response":
        return Search("n/a", detail=f"no independent search for kind {kind}")
    insts = [x for x in claim.instances if not x.symbolic_n and not x.sampled]
    if not insts:
        return Search("n/a", detail="no explicit instance")
    rng = random.Random(int(hashlib.sha256(claim.id.encode()).hexdigest()[:12], 16))
    tried, reasons = 0, {}
    fixed = all(x.game.is_numeric for x in insts)
    for k in range(1 if fixed else points * 4):
        if tried >= points or time.monotonic() - start > seconds:
            break
        inst = insts[k % len(insts)]
        point = random_point(rng, inst)
        try:
            if kind != "existence":
                for h in inst.game.hypotheses():
                    if not _truth(h, point):
                        raise _Skip("family hypothesis fails")
            for h in inst.hypotheses:
                if not _truth(h, point):
                    raise _Skip("hypothesis fails")
            if kind == "best_response":
                why = _best_response(claim, inst, point, rng)
            else:
                why = _SEARCHES[kind](claim, inst, point)
            tried += 1
        except SymalignError as exc:
            return Search("n/a", detail=f"{type(exc).__name__}: {str(exc)[:160]}", points=tried,
                          seconds=time.monotonic() - start)
        except (TypeError, ZeroDivisionError) as exc:  # e.g. a log of 0, a division by 0: undefined there
            reasons[f"undefined at the point ({type(exc).__name__})"] = reasons.get(
                f"undefined at the point ({type(exc).__name__})", 0) + 1
            continue
        except _Skip as exc:
            reasons[str(exc)] = reasons.get(str(exc), 0) + 1
            continue
        if why:
            return Search("counterexample", kind, f"[{inst.label}] {why}",
                          {str(s): str(v) for s, v in point.items()}, tried, time.monotonic() - start)
    skipped = ", ".join(f"{v} x {k}" for k, v in sorted(reasons.items()))
    return Search("none" if tried else "n/a", detail=f"{tried} points tried" + (f"; skipped: {skipped}" if skipped else ""),
                  points=tried, seconds=time.monotonic() - start)

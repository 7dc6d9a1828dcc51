"""Every equilibrium of a numeric game with affine gradients: supports, exact elimination, components.

For each support profile (one nonempty set of groups per agent) the KKT
system on it is linear and is solved exactly over the rationals:

* a unique solution is an equilibrium when its weights are positive on the
  support and its KKT slack is nonnegative off it;
* a singular but consistent system has an affine family of solutions
  ``x(t) = x0 + V t``; the parameters ``t`` for which the validity
  conditions hold (weights >= 0 on the support, slack >= 0 off it) form a
  polytope, computed exactly with its vertices.  A polytope of positive
  dimension is a *component*: a face of the equilibrium set with its
  parametrisation (a segment, a polygon, ...), reported as such instead of
  as its endpoints.

Pure strategies strictly dominated whatever the others do (the own-gradient
gap is affine in the others' weights, so its minimum over their simplices is
exact) are pruned first, for agents whose gradients do not depend on their
own weights (polymatrix games).  KKT points are equilibria when each
utility is concave in own weights; that is checked
(:func:`symalign.core.concavity.own_concavity`) and reported, and every
isolated equilibrium carries the best unilateral deviation gain measured by
the independent checker (global search unless concavity is proved).

Examples
--------
>>> from symalign import Game, get_family
>>> g = Game.create(get_family("polymatrix"), 2, ["x", "y"],
...                 A={"A": [[1, 1], [0, 0]], "B": [[1, 1], [0, 1]]})
>>> res = enumerate_equilibria(g)
>>> len(res.isolated), [c.dimension for c in res.components], res.unique
(0, [1], False)
>>> res.components[0].vertices
(Matrix([
[1, 0],
[0, 1]]), Matrix([
[1, 0],
[1, 0]]))
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import sympy as sp

from symalign.core.derive import all_supports
from symalign.core.equilibrium import Equilibrium
from symalign.core.kkt import kkt_system
from symalign.core.concavity import own_concavity
from symalign.errors import DerivationError, InputError
from symalign.numeric.gambit import GAMBIT_NOTE, gambit_equilibria
from symalign.numeric.vertex_enumeration import NOTE as VERTEX_NOTE, exact_regret_checked, vertex_equilibrium_set

__all__ = ["Component", "Enumeration", "enumerate_equilibria", "dominated_groups"]


@dataclass(frozen=True, eq=False)
class Component:
    """A face of the equilibrium set: ``W(t) = base + sum_k t_k directions[k]`` for ``t`` in a polytope.

    Attributes
    ----------
    support : tuple of tuple of int
    base : ImmutableMatrix
        N x D profile at ``t = 0``.
    directions : tuple of ImmutableMatrix
        N x D direction per parameter.
    parameters : tuple of Symbol
    constraints : tuple of Relational
        ``expr >= 0`` in the parameters: where the face is.
    vertices : tuple of ImmutableMatrix
        Its extreme profiles (exact).
    """

    support: tuple
    base: sp.ImmutableMatrix
    directions: tuple
    parameters: tuple
    constraints: tuple
    vertices: tuple

    @property
    def dimension(self) -> int:
        return len(self.parameters)

    @property
    def kind(self) -> str:
        return {0: "point", 1: "segment", 2: "polygon"}.get(self.dimension, "polytope")

    def profile(self):
        """The parametrised profile ``W(t)``."""
        out = sp.Matrix(self.base)
        for t, V in zip(self.parameters, self.directions):
            out += t * V
        return sp.ImmutableMatrix(out)

    def contains(self, W) -> bool:
        """Whether the exact profile ``W`` lies on this face."""
        M = sp.Matrix.hstack(*[sp.Matrix(list(V)) for V in self.directions])
        rhs = sp.Matrix(list(sp.Matrix(W) - self.base))
        try:
            sol, free = M.gauss_jordan_solve(rhs)
        except ValueError:
            return False
        if free.shape[0]:
            sol = sol.xreplace({f: 0 for f in free})
        values = dict(zip(self.parameters, sol))
        return all(c.xreplace(values) is sp.true for c in self.constraints)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "dimension": self.dimension, "support": [list(s) for s in self.support],
            "profile": [[str(x) for x in self.profile().row(i)] for i in range(self.base.rows)],
            "parameters": [str(t) for t in self.parameters], "constraints": [str(c) for c in self.constraints],
            "vertices": [[[str(x) for x in V.row(i)] for i in range(V.rows)] for V in self.vertices],
        }


@dataclass(frozen=True, eq=False)
class Enumeration:
    """All equilibria of a game with affine gradients.

    ``isolated`` are isolated equilibria (exact); ``components`` the faces of
    positive dimension.  ``unique`` is True when exactly one equilibrium
    exists, False when there are several or a continuum, None when the KKT
    points could not be certified as equilibria (own concavity not
    established).  ``concave`` is that check.
    """

    game: object
    isolated: tuple
    components: tuple
    unique: bool | None
    concave: bool | None
    profiles: int
    pruned: tuple = ()
    notes: tuple = ()


def dominated_groups(game) -> tuple:
    """For each agent, groups strictly dominated whatever the others play (empty when not decidable).

    Only for agents whose own-gradient does not depend on their own weights
    (utility linear in own weights): group ``d`` is dominated by ``e`` when
    ``min over the others' simplices of g_{i,e} - g_{i,d} > 0``.
    """
    kkt = kkt_system(game)
    parts = kkt.affine_parts()
    if parts is None:
        raise DerivationError("dominance needs affine gradients")
    W = game.weights
    out = []
    for i in range(game.n_agents):
        own = set(W.row(i))
        if any(set(parts[i][d][1]) & own for d in range(game.n_groups)):
            out.append(())
            continue
        bad = set()
        for d in range(game.n_groups):
            for e in range(game.n_groups):
                if e == d:
                    continue
                c = parts[i][e][0] - parts[i][d][0]
                coeff = {}
                for src, sign in ((parts[i][e][1], 1), (parts[i][d][1], -1)):
                    for w, k in src.items():
                        coeff[w] = coeff.get(w, 0) + sign * k
                low = c + sum(min(coeff.get(W[j, k], 0) for k in range(game.n_groups))
                              for j in range(game.n_agents) if j != i)
                if low > 0:
                    bad.add(d)
                    break
        out.append(tuple(sorted(bad)))
    return tuple(out)


def enumerate_equilibria(game, *, max_profiles: int = 20_000, engine: str = "auto", _concavity=None,
                         _ng=None) -> Enumeration:
    """Every equilibrium of a numeric game with affine gradients (see the module docstring).

    ``engine="auto"`` lets Gambit answer for a large bimatrix game when pygambit is installed
    (:func:`symalign.numeric.gambit.gambit_equilibria`: every extreme equilibrium re-checked exactly,
    noted in ``notes``); ``"symalign"`` never uses it (claims); ``"gambit"`` requires it.  Without
    Gambit a bimatrix game with rational payoffs goes to symalign's exact vertex enumeration
    (:mod:`symalign.numeric.vertex_enumeration`), other games (and ``engine="support"``) to the
    support enumeration below.

    ``_concavity`` / ``_ng``: the game's :func:`~symalign.core.concavity.own_concavity`
    and numeric game when the caller already has them.
    """
    if not game.is_numeric:
        raise InputError("game", game, "has symbolic parameters; enumeration needs numbers")
    kkt = kkt_system(game)
    if not kkt.is_affine():
        raise DerivationError(f"family {game.family.label!r}: gradients are not affine; enumeration does not apply")
    N, D = game.n_agents, game.n_groups
    pruned = dominated_groups(game)
    n_profiles = 1
    for i in range(N):  # nonempty supports avoiding the pruned groups (not listed: there may be 2**D of them)
        n_profiles *= 2 ** (D - len(pruned[i])) - 1
    by_gambit = gambit_equilibria(game, n_profiles, engine, Component)  # None: symalign's own enumeration below
    engine_note = GAMBIT_NOTE
    if by_gambit is None and engine != "support":  # a bimatrix game: exact vertex enumeration (Gambit's method)
        by_gambit = vertex_equilibrium_set(game, Component)
        engine_note = VERTEX_NOTE if by_gambit is not None else GAMBIT_NOTE  # None: not a bimatrix game
    if n_profiles > max_profiles and by_gambit is None:
        raise InputError("game", game, f"enumeration would visit {n_profiles} support profiles (limit {max_profiles})")
    concav = own_concavity(game) if _concavity is None else _concavity
    concave = {"proved": True, "refuted": False}.get(concav.status)
    points, faces = (([], []) if by_gambit is None else map(list, by_gambit))
    choices = () if by_gambit is not None else [[s for s in all_supports(D) if not set(s) & set(pruned[i])]
                                                 for i in range(N)]
    for profile in itertools.product(*choices) if by_gambit is None else ():
        found = _on_support(game, kkt, profile)
        if isinstance(found, Component):
            faces.append(found)
        elif found is not None:
            points.append(found)
    faces = _maximal(faces) if by_gambit is None else faces  # Gambit's Nash subsets: maximal, apart from its points
    isolated = []
    for eq in points:
        if by_gambit is None and any(f.contains(eq.weights) for f in faces):
            continue
        if any(eq.weights == other.weights for other in isolated):
            continue
        isolated.append(eq)
    if isolated and engine_note == VERTEX_NOTE:  # each already passed exact regret: no float search needed
        from symalign.certify import check_equilibrium

        isolated = [replace(exact_regret_checked(eq, concav.status), certificate=check_equilibrium(game, eq.weights))
                    for eq in isolated]
    elif isolated:
        from symalign.numeric.compile import numeric_game

        ng = numeric_game(game) if _ng is None else _ng
        isolated = [_checked(eq, ng, concav) for eq in isolated]
    total = len(isolated) + len(faces)
    unique = (total == 1 and not faces) if concave else (False if total > 1 or faces else None)
    if concave is not True and total <= 1:
        unique = None
    notes = [] if by_gambit is None else [engine_note]
    if by_gambit is not None and total == 1 and engine_note == GAMBIT_NOTE:
        unique = None  # one equilibrium found; that there is no other rests on Gambit, which is not re-checked
    if faces:
        notes.append(f"equilibria are not isolated: {len(faces)} component(s) of positive dimension "
                     "(faces of the equilibrium set; faces listed separately may touch)")
    if concave is not True:
        notes.append("own concavity not established: the KKT points listed need not be equilibria; "
                     "see each one's deviation gain")
    return Enumeration(game, tuple(isolated), tuple(faces), unique, concave, n_profiles, pruned, tuple(notes))


def _checked(eq, ng, concav):
    """``eq`` with its residual, deviation gain and concavity filled in (:func:`symalign.numeric.deviation.check_profile`)."""
    from symalign.numeric.deviation import check_profile

    out = check_profile(eq, ng, concav)
    return replace(out, method=eq.method,
                   notes=eq.notes + (f"largest unilateral deviation gain {out.deviation_gain:.3g} (independent check)",))


def _on_support(game, kkt, profile):
    """The unique equilibrium on ``profile``, a component, or None."""
    W = game.weights
    unknowns = [W[i, d] for i, s in enumerate(profile) for d in s] + list(kkt.lambdas)
    A, b = sp.linear_eq_to_matrix(list(kkt.support_equations(profile)), unknowns)
    try:
        sol, free = A.gauss_jordan_solve(b)
    except ValueError:  # inconsistent
        return None
    params = tuple(sp.Symbol(f"t_{k + 1}", real=True) for k in range(free.shape[0]))
    sol = sol.xreplace(dict(zip(list(free), params)))
    values = {W[i, d]: sp.Integer(0) for i, s in enumerate(profile) for d in range(W.cols) if d not in s}
    values.update(zip(unknowns, sol))
    weights = sp.Matrix(W.rows, W.cols, lambda i, d: sp.expand(values[W[i, d]]))
    lambdas = [sp.expand(values[lam]) for lam in kkt.lambdas]
    slack = sp.zeros(W.rows, W.cols)
    exprs = []
    for i, s in enumerate(profile):
        for d in range(W.cols):
            if d in s:
                exprs.append(weights[i, d])
            else:
                slack[i, d] = sp.expand(lambdas[i] - kkt.gradients[i, d].xreplace(values))
                exprs.append(slack[i, d])
    if not params:
        if any(x < 0 for x in exprs) or any(weights[i, d] == 0 for i, s in enumerate(profile) for d in s):
            return None
        conditions = tuple(sp.true for _ in exprs)
        return Equilibrium(game, sp.ImmutableMatrix(weights), tuple(profile), tuple(lambdas), conditions,
                           game.hypotheses(), True, "support-enumeration", slack=sp.ImmutableMatrix(slack))
    face = _component(profile, weights, params, exprs)
    if isinstance(face, sp.MatrixBase):  # the polytope is a point: an isolated (degenerate) equilibrium
        return Equilibrium(game, sp.ImmutableMatrix(face), tuple(profile), exact=True, method="support-enumeration",
                           hypotheses=game.hypotheses(), notes=("degenerate support system (singular), isolated point",))
    return face


def _component(profile, weights, params, exprs):
    constraints = [e for e in exprs if e.free_symbols]
    if any(e < 0 for e in exprs if not e.free_symbols):
        return None
    vertices = _vertices(params, constraints)
    if not vertices:
        return None
    at = [weights.xreplace(v) for v in vertices]
    distinct = []
    for V in at:
        if V not in distinct:
            distinct.append(V)
    base = weights.xreplace({t: 0 for t in params})
    dirs = [weights.diff(t) for t in params]
    rank = sp.Matrix.hstack(*[sp.Matrix(list(V)) for V in dirs]).rank()
    if rank < len(params):
        raise DerivationError(f"support {profile}: the solution family is not parametrised by the weights alone")
    if len(distinct) == 1:
        return None if any(distinct[0][i, d] == 0 for i, s in enumerate(profile) for d in s) else distinct[0]
    rel = tuple(e >= 0 for e in constraints)
    return Component(tuple(profile), sp.ImmutableMatrix(base), tuple(sp.ImmutableMatrix(V) for V in dirs), params, rel,
                     tuple(sp.ImmutableMatrix(V) for V in distinct))


def _vertices(params, constraints) -> list:
    """Vertices of ``{t : e(t) >= 0 for e in constraints}`` by exact enumeration of tight sets."""
    m = len(params)
    rows = [[sp.diff(e, t) for t in params] for e in constraints]
    consts = [e.xreplace({t: 0 for t in params}) for e in constraints]
    out = []
    for tight in itertools.combinations(range(len(constraints)), m):
        A = sp.Matrix([rows[k] for k in tight])
        if A.det() == 0:
            continue
        t = A.LUsolve(sp.Matrix([-consts[k] for k in tight]))
        point = dict(zip(params, t))
        if all(e.xreplace(point) >= 0 for e in constraints) and point not in out:
            out.append(point)
    return out


def _maximal(faces) -> list:
    """Drop faces contained in another one (every vertex on it); keep one of identical faces."""
    out = []
    for k, f in enumerate(faces):
        inside = False
        for j, g in enumerate(faces):
            if j == k or g.dimension < f.dimension:
                continue
            if all(g.contains(v) for v in f.vertices):
                same = g.dimension == f.dimension and all(f.contains(v) for v in g.vertices)
                if not same or j < k:
                    inside = True
                    break
        if not inside:
            out.append(f)
    return out

"""Homogeneous games with many agents, solved by the mean-field route instead of an explicit N-agent system.

When every agent has the same parameters and the family is a mean-field
game (its utility depends on the others only through their mean ``m_i``,
checked here on three agents), the interior equilibrium is found without an
explicit N-agent system: every agent plays the same mixture ``w*``.  The
reduction is the one of :mod:`symalign.core.meanfield` (averaged
stationarity for the population mean, then one agent's linear system), done
with the numbers substituted first, so it costs two (D + 1)-dimensional
linear solves whatever N.

The answer is checked independently: in the two-agent game with the same
parameters, agent 1's utility is ``F(w_1, m_1)`` with ``m_1 = w_2``, so
``w*`` is a best response to "everyone else plays ``w*``" exactly when the
profile ``(w*, w*)`` passes the numeric checks of :mod:`symalign.numeric.check`
(KKT residual and best unilateral deviation, which share no code with the
derivation; the deviation search is global unless own-concavity is proved,
:func:`symalign.numeric.deviation.deviation_gains`).

Examples
--------
>>> from symalign import Game, get_family
>>> rep = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y", "z"],
...                   alpha=1, beta=2, gamma=1, a=[0.5, 0.3, 0.2], p=[0.4, 0.4, 0.2])
>>> sol = solve_homogeneous(rep, 100_000)
>>> sol.weights, sol.checked
((13/30, 11/30, 1/5), True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from symalign.core import validate
from symalign.core.kkt import split_affine
from symalign.core.linear import solve_linear
from symalign.errors import DerivationError, InputError
from symalign.core.concavity import own_concavity
from symalign.numeric.check import kkt_residual
from symalign.numeric.cache import numeric
from symalign.numeric.deviation import deviation_gains

__all__ = ["HomogeneousSolution", "SymmetricResult", "solve_homogeneous", "symmetric_equilibrium", "is_homogeneous"]

TOL = 1e-9


@dataclass(frozen=True)
class HomogeneousSolution:
    """The symmetric interior equilibrium of a homogeneous N-agent game.

    ``weights`` is every agent's mixture (exact), ``residual`` and
    ``deviation_gain`` the independent checks on the two-agent game,
    ``checked`` whether both are below ``1e-9``.
    """

    family: str
    n_agents: int
    groups: tuple
    weights: tuple
    residual: float
    deviation_gain: float
    checked: bool
    method: str = "mean-field reduction (no explicit N-agent system)"

    def to_dict(self) -> dict:
        return {
            "family": self.family, "n_agents": self.n_agents, "groups": list(self.groups),
            "route": self.method, "symmetric": True,
            "weights": [float(w) for w in self.weights], "weights_exact": [str(w) for w in self.weights],
            "exact": self.checked, "kkt_residual": self.residual, "deviation_gain": self.deviation_gain,
            "checked": self.checked, "unique": None,
        }


def is_homogeneous(game) -> bool:
    """True when every agent of ``game`` has the same parameter values."""
    for spec in game.family.parameters():
        value = game.param(spec.name)
        if spec.kind == "pair":
            return False
        if isinstance(value, tuple) and len(set(value)) > 1:
            return False
        if isinstance(value, sp.MatrixBase) and any(value.row(i) != value.row(0) for i in range(value.rows)):
            return False
    return True


def solve_homogeneous(representative, n_agents: int) -> HomogeneousSolution:
    """Solve the N-agent game whose agents all have ``representative``'s (agent 0's) parameters.

    Raises
    ------
    DerivationError
        If the family is not a mean-field family, or the equilibrium is not
        interior (the route then does not apply).
    """
    validate.game(representative, numeric=True)
    n_agents = validate.positive_int(n_agents, "n_agents")
    if n_agents < 2:
        raise InputError("n_agents", n_agents, "the mean-field route needs at least 2 agents")
    if not is_homogeneous(representative):
        raise InputError("game", representative, "agents differ: the mean-field route needs identical agents")
    pair = representative if representative.n_agents == 2 else _n_agent(representative, 2)
    w = _mean_field_point(pair, n_agents)
    if not all(x.is_Rational for x in w):
        raise DerivationError("the mean-field reduction did not give exact numbers")
    if not all(x > 0 for x in w):
        raise DerivationError(f"the symmetric equilibrium is not interior (stationary point {[str(x) for x in w]}): "
                              "the mean-field route does not apply")
    ng = numeric(pair)
    W = np.array([[float(x) for x in w]] * 2)
    residual = float(kkt_residual(ng.grad, W))
    # local ascent finds the best response only under proved own-concavity; otherwise search globally
    gains, _ = deviation_gains(ng.utility, ng.grad, W, concave=own_concavity(pair).status == "proved")
    gain = float(gains.max())
    return HomogeneousSolution(representative.family.label, n_agents, tuple(representative.groups), w,
                               residual, gain, residual < TOL and gain < TOL)


@dataclass(frozen=True)
class SymmetricResult:
    """What :func:`symmetric_equilibrium` found: the checked equilibrium and what is known around it."""

    equilibrium: object
    concavity: object
    unique: bool | None
    scale: float
    """``1 + |U|`` at the profile (every agent's utility is the same), the deviation tolerance's scale."""


def symmetric_equilibrium(game) -> SymmetricResult:
    """The symmetric interior equilibrium of a homogeneous N-agent game, without an N-agent system.

    The point is the mean-field reduction's (:func:`solve_homogeneous`), at a
    cost independent of N.  It is checked on **one representative agent**,
    which is valid by symmetry: agents are identical and the family's
    utility is ``U_i = F(w_i, m_i)`` with ``m_i`` the mean of the others
    (checked on three agents), so at the profile where everyone plays ``w*``
    every agent faces ``m_i = w*`` and solves the *same* problem
    ``max_w F(w, w*)``; in the two-agent game with the same parameters agent
    1 faces exactly that problem at ``(w*, w*)``.  Hence:

    * the exact KKT check (own gradient ``grad_w F(w*, w*)`` equal on every
      group) is computed once, in rationals;
    * the deviation gain is the two-agent game's at ``(w*, w*)``, global over
      the simplex unless own-concavity (``F`` concave in ``w``, the same
      Hessian for every agent) is proved;
    * uniqueness: with affine gradients, own block ``H`` and cross block
      ``K`` (``d g_1 / d w_2`` in the two-agent game), the N-agent
      pseudo-Jacobian is ``I (x) H + (11^T - I) (x) K/(N-1)``; its symmetric
      part on the tangent space splits along ``1`` and ``1^perp`` into
      ``sym(H) + sym(K)`` and ``sym(H) - sym(K)/(N-1)`` (restricted to
      ``sum v = 0``), so Rosen's diagonal strict concavity for every N is
      decided exactly on these two (D-1)-square matrices.

    Raises
    ------
    DerivationError
        If the route does not apply (not a mean-field family, gradients not
        affine, the symmetric point not interior, or its exact KKT check
        fails): the caller then solves the explicit game.
    """
    from fractions import Fraction

    from symalign.core.quadratic import to_fraction
    from symalign.core.rosen import restrict_to_tangent
    from symalign.core.rosen_affine import _jacobian_rows, positive_definite_rational

    if not is_homogeneous(game):
        raise InputError("game", game, "agents differ: the symmetric route needs identical agents")
    N, D = game.n_agents, game.n_groups
    pair = _n_agent(game, 2)
    w = _mean_field_point(pair, N)
    if not all(x.is_Rational and x > 0 for x in w):
        raise DerivationError("the symmetric point is not interior: the mean-field route does not apply")
    rows = _jacobian_rows(pair, None)
    if rows is None:
        raise DerivationError("the gradients are not affine in the weights")
    # exact KKT check of the representative: g(w*, w*) equal on every group
    kkt_const = [to_fraction(c) for c, _ in _affine_consts(pair)]
    x = [to_fraction(v) for v in w] * 2
    g = [kkt_const[d] + sum((v * x[col] for col, v in rows[d].items()), Fraction(0)) for d in range(D)]
    if any(gd != g[0] for gd in g):
        raise DerivationError("the mean-field point fails the exact KKT check")
    lam = sp.Rational(g[0].numerator, g[0].denominator)
    concav = own_concavity(pair)
    ng = numeric(pair)
    W2 = np.array([[float(v) for v in w]] * 2)
    residual = float(kkt_residual(ng.grad, W2))
    gains, how = deviation_gains(ng.utility, ng.grad, W2, concave=concav.status == "proved")
    scale = 1.0 + float(np.max(np.abs(ng.utility(W2))))
    # Rosen on the two invariant subspaces (see the docstring)
    H = [[rows[d].get(e, Fraction(0)) for e in range(D)] for d in range(D)]
    K = [[rows[d].get(D + e, Fraction(0)) for e in range(D)] for d in range(D)]

    def restricted(M):  # -B^T sym(M) B
        S = [[(M[a][b] + M[b][a]) / 2 for b in range(D)] for a in range(D)]
        return [[-x for x in row] for row in restrict_to_tangent(S)]

    plus = restricted([[H[a][b] + K[a][b] for b in range(D)] for a in range(D)])
    minus = restricted([[H[a][b] - K[a][b] / (N - 1) for b in range(D)] for a in range(D)])
    unique = True if (concav.status == "proved" and positive_definite_rational(plus)
                      and positive_definite_rational(minus)) else None
    from symalign.core.equilibrium import Equilibrium

    notes = ("homogeneous game: mean-field route (no N-agent system); the exact KKT check and the deviation "
             "search are done on one representative agent, valid by symmetry",)
    eq = Equilibrium(game, sp.ImmutableMatrix(N, D, lambda i, d: w[d]), tuple(tuple(range(D)) for _ in range(N)),
                     multipliers=(lam,) * N, conditions=(sp.true,) * (N * D), hypotheses=game.hypotheses(),
                     exact=True, method="mean-field (symmetric profile)", slack=sp.zeros(N, D).as_immutable(),
                     residual=residual, concavity=concav.status, deviation_gain=float(np.max(gains)),
                     deviation_method=f"{how}, representative agent", notes=notes)
    from symalign.certify import check_equilibrium, check_unique

    eq = replace(eq, certificate=check_equilibrium(game, eq.weights))
    # uniqueness only from the checker's own certificate (the invariant-subspace test above is the route's)
    unique = True if unique and check_unique(game).accepted else None
    return SymmetricResult(eq, concav, unique, scale)


def _affine_consts(pair):
    from symalign.core.quadratic import quadratic_utilities

    q = quadratic_utilities(pair)
    if q is not None:
        return [(c, None) for c in q.affine_gradient[0][:pair.n_groups]]
    from symalign.core.kkt import kkt_system

    return [kkt_system(pair).affine_parts()[0][d] for d in range(pair.n_groups)]


def _mean_field_point(pair, n_agents):
    """The mean-field reduction of :mod:`symalign.core.meanfield`, with the numbers substituted first.

    ``F(w, m)`` is agent 1's utility in the two-agent game (``m = w_2``); the
    structure ``U_i = F(w_i, m_i)`` is checked on three agents.  Averaging the
    stationarity conditions gives ``g(Wbar, Wbar) = lambda 1`` for the population
    mean; identical agents then play ``w`` with ``m = (N Wbar - w) / (N - 1)``.
    Two linear systems of size D + 1, whatever N.
    """
    D = pair.n_groups
    w, m = list(pair.weights.row(0)), list(pair.weights.row(1))
    F = pair.utility(0)
    trio = _n_agent(pair, 3)
    W3 = trio.weights
    expected = F.xreplace({**dict(zip(w, W3.row(0))), **{m[d]: (W3[1, d] + W3[2, d]) / 2 for d in range(D)}})
    if sp.expand(trio.utility(0) - expected, log=False) != 0:
        raise DerivationError(f"family {pair.family.label!r}: utilities do not depend on the others only through "
                              "their mean")
    grad = [sp.expand(sp.diff(F, x)) for x in w]
    variables = frozenset(w + m)
    if split_affine(sp.ImmutableMatrix([grad]), variables) is None:
        raise DerivationError(f"family {pair.family.label!r}: the gradient is not affine in the weights")
    bar = [sp.Symbol(f"Wbar_{d + 1}", real=True) for d in range(D)]
    lam = sp.Symbol("lambda", real=True)
    to_bar = {**dict(zip(w, bar)), **dict(zip(m, bar))}
    mean = solve_linear([g.xreplace(to_bar) - lam for g in grad] + [sum(bar) - 1], bar + [lam])
    N = sp.Integer(n_agents)
    others = {m[d]: (N * mean[bar[d]] - w[d]) / (N - 1) for d in range(D)}
    own = solve_linear([g.xreplace(others) - lam for g in grad] + [sum(w) - 1], w + [lam])
    return tuple(sp.cancel(own[x]) for x in w)


def _n_agent(pair, n):
    from symalign.core.game import Game

    values = {}
    for spec in pair.family.parameters():
        v = pair.param(spec.name)
        values[spec.name] = v[0] if isinstance(v, tuple) else [list(v.row(0))] * n if isinstance(v, sp.MatrixBase) else v
    return Game.create(pair.family, n, pair.groups, **values)

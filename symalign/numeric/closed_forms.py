"""One entry point for closed forms of any game: which route applies, and the numeric answer otherwise.

Routes, tried in order (each checks its own applicability):

1. affine gradients: :func:`~symalign.core.derive.derive_on_support` (the
   interior, or for a numeric game the support of its equilibrium);
2. tilted priors: :func:`~symalign.core.nonlinear.tilted_prior`;
3. symmetric games: :func:`~symalign.core.symmetric.symmetric_equilibria`,
   one agent's first-order conditions with the others equal; when that finds
   no equilibrium, the uniform profile ``1/D`` if it satisfies every agent's
   first-order conditions identically and own-concavity is proved (route ``uniform``);
4. numeric games: the KKT system on the support the numeric solver found,
   by :func:`~symalign.core.nonlinear.solve_on_support` under a budget.

When none gives a valid closed form the result says "no closed form found"
and, for a numeric game, carries the numeric equilibrium.  For numeric games
every reported profile carries the best unilateral deviation gain measured by
the independent checker (:func:`symalign.numeric.deviation.deviation_gain`, global
unless own-concavity is proved); a gain above the tolerance is stated in the
notes (the profile is then a stationary point, not an equilibrium).

Examples
--------
>>> from symalign import Game
>>> from symalign.core.families.custom import CustomFamily
>>> from symalign.core.params import ParamSpec
>>> blotto = CustomFamily("sum(v[d]*w[d]/sum_agents(W[j][d], j), d)", (ParamSpec("v", "vector", "positive"),))
>>> r = find_closed_form(Game.create(blotto, 2, 3, v=[1, 2, 3]))
>>> r.route, r.equilibria[0].weights.row(0), r.deviation_gain < 1e-6
('symmetric', Matrix([[1/6, 1/3, 1/2]]), True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from symalign.core.budget import Budget
from symalign.core.derive import derive_on_support
from symalign.core.equilibrium import Equilibrium
from symalign.core.kkt import kkt_system
from symalign.core.nonlinear import solve_on_support, tilted_prior
from symalign.core.symmetric import is_symmetric, symmetric_equilibria
from symalign.core.notebook import LatexRepr
from symalign.errors import BudgetExceeded
from symalign.numeric.compile import numeric_game
from symalign.numeric.deviation import DEVIATION_TOL, deviation_gain, kkt_residual

__all__ = ["ClosedFormResult", "find_closed_form"]


@dataclass(frozen=True, eq=False)
class ClosedFormResult(LatexRepr):
    """What :func:`find_closed_form` found.

    Attributes
    ----------
    route : str
        ``affine``, ``tilted-prior``, ``symmetric``, ``uniform``, ``kkt-nonlinear`` or ``none``.
    equilibria : tuple of Equilibrium
        Closed forms (empty when ``route == "none"``).
    numeric : Equilibrium or None
        The numeric equilibrium (numeric games), always computed when no closed form is found.
    deviation_gain : float or None
        Largest unilateral deviation gain over the reported profiles (numeric games; each is
        checked, and one that fails is named in ``notes``).
    notes : tuple of str
    """

    game: object
    route: str
    equilibria: tuple
    numeric: Equilibrium | None
    deviation_gain: float | None
    notes: tuple = ()

    @property
    def found(self) -> bool:
        return self.route != "none"


def find_closed_form(game, *, budget: Budget | None = Budget(seconds=10.0, memory_mb=4096)) -> ClosedFormResult:
    """Try the closed-form routes in order; see the module docstring."""
    notes = []
    kkt = kkt_system(game)
    if kkt.is_affine():
        if game.is_numeric:
            from symalign.numeric.solve import find_equilibrium

            eq = find_equilibrium(game)
            return _result(game, "affine", (eq,), None, notes)
        return _result(game, "affine", (derive_on_support(game, None, kkt=kkt),), None, notes)
    eq = tilted_prior(game)
    if eq is not None:
        return _result(game, "tilted-prior", (eq,), None, notes)
    if game.n_agents >= 2 and is_symmetric(game):
        res = symmetric_equilibria(game, budget=budget)
        notes += list(res.notes)
        good = [s for s in res.solutions if s.is_equilibrium]
        if good:
            eqs = tuple(_symmetric_equilibrium(game, s) for s in good)
            if not res.complete:
                notes.append("the symmetric search was incomplete: other symmetric equilibria may exist")
            return _result(game, "symmetric", eqs, None, notes)
        uniform = _uniform_equilibrium(game)
        if uniform is not None:
            return _result(game, "uniform", (uniform,), None, notes + [
                "the uniform profile satisfies every agent's first-order conditions exactly and own-concavity is "
                "proved: an equilibrium for every value of the parameters; other equilibria are not excluded"])
        undecided = [s for s in res.solutions if s.is_equilibrium is None]
        if undecided:
            notes.append(f"{len(undecided)} symmetric stationary point(s) found whose global optimality is not "
                         "established (own concavity undecided)")
    numeric = None
    if game.is_numeric:
        from symalign.numeric.solve import find_equilibrium

        numeric = find_equilibrium(game)
        try:
            sols = solve_on_support(game, numeric.support, budget=budget)
        except BudgetExceeded as exc:
            notes.append(f"KKT system on the solver's support: {exc}")
            sols = ()
        except NotImplementedError as exc:
            notes.append(f"SymPy cannot solve the KKT system on the solver's support ({exc})")
            sols = ()
        valid = [s for s in sols if s.valid]
        if valid:
            return _result(game, "kkt-nonlinear", tuple(valid), numeric, notes)
    notes.append("no closed form found" + ("; the numeric equilibrium is reported" if numeric is not None else ""))
    return _result(game, "none", (), numeric, notes)


def _uniform_equilibrium(game):
    """Everyone at ``1/D``, when every own-gradient is then equal across groups (exactly, for any parameter
    values) and own-concavity is proved; else None (e.g. the logit QRE ``(1/2, 1/2)`` of a coordination game
    for every temperature)."""
    import sympy as sp

    from symalign.core.symmetric import own_concavity

    N, D = game.n_agents, game.n_groups
    W = game.weights
    at = {W[i, d]: sp.Rational(1, D) for i in range(N) for d in range(D)}
    grads = kkt_system(game).gradients
    lams = []
    for i in range(N):
        g = [sp.expand_log(sp.sympify(grads[i, d], strict=True).xreplace(at), force=True) for d in range(D)]
        if any(sp.cancel(sp.expand(x - g[0])) != 0 for x in g[1:]):
            return None
        lams.append(g[0])
    if not all(own_concavity(game, i) is True for i in range(N)):
        return None
    return Equilibrium(game, sp.ImmutableMatrix(N, D, lambda i, d: sp.Rational(1, D)),
                       tuple(tuple(range(D)) for _ in range(N)), tuple(lams), (), game.hypotheses(), True,
                       "uniform-foc", notes=("first-order conditions hold exactly at the uniform profile for all "
                                             "parameter values; own-concavity proved",))


def _symmetric_equilibrium(game, s) -> Equilibrium:
    support = tuple(s.support for _ in range(game.n_agents))
    return Equilibrium(game, s.profile(game.n_agents), support, (s.multiplier,) * game.n_agents, (),
                       game.hypotheses(), True, "symmetric-foc",
                       notes=("symmetric first-order conditions solved exactly; second order and own concavity "
                              "checked, so every agent best-responds",))


def _result(game, route, eqs, numeric, notes) -> ClosedFormResult:
    """Measure every reported profile with the independent deviation check (numeric games)."""
    gain = None
    if game.is_numeric:
        targets = tuple(eqs) if eqs else (() if numeric is None else (numeric,))
        checked, gains = [], []
        for k, target in enumerate(targets):
            g = deviation_gain(game, target)
            gains.append(g)
            if eqs and target.residual is None:
                target = replace(target, residual=kkt_residual(game, target))
            checked.append(target)
            with np.errstate(divide="ignore", invalid="ignore"):  # e.g. 0/0 at a vertex
                U = np.abs(numeric_game(game).utility(target.as_array()))
            scale = 1.0 + float(np.max(U[np.isfinite(U)], initial=0.0))
            if g > DEVIATION_TOL * scale:  # a KKT point the independent check rejects
                which = f"profile {k + 1}" if len(targets) > 1 else "the reported profile"
                notes = list(notes) + [f"NOT an equilibrium: an agent gains {g:.3g} by deviating from {which} "
                                       "(a stationary point; see `symalign solve`)"]
        if eqs:
            eqs = tuple(checked)
        gain = max(gains, default=None)
    elif route == "affine":  # the tilted prior proves its own concavity (b_i > 0)
        notes = list(notes) + ["symbolic game: the closed form solves the KKT conditions under its stated "
                               "conditions; it is an equilibrium where own-concavity holds, which is not "
                               "checked here (see `symalign verify` / existence_certificate)"]
    return ClosedFormResult(game, route, tuple(eqs), numeric, gain, tuple(notes))

"""Closed forms when the gradients are not affine: tilted priors and bounded nonlinear solves.

Two routes, each conservative ("a false positive is a bug, a false negative
is just slower"):

* :func:`tilted_prior`: when every own-gradient has the form
  ``g_{i,d} = c_{i,d} - b_i log w_{i,d}`` with ``c`` and ``b_i > 0`` free of
  every weight (entropic utilities whose other terms do not depend on the
  profile, e.g. the entropic variant with ``gamma = 0``), the KKT system
  decouples and ``w_{i,d} = exp(c_{i,d}/b_i) / sum_k exp(c_{i,k}/b_i)``:
  the prior tilted by the exponentiated incentives.  The utility is then
  strictly concave in own weights and the best response does not depend on
  the others, so this profile is the unique equilibrium.
* :func:`solve_on_support`: the KKT system on a support handed to
  :func:`sympy.solve` under a time and memory budget
  (:func:`symalign.core.budget.run_bounded`); each solution comes back as an
  :class:`~symalign.core.equilibrium.Equilibrium` with its validity
  conditions (positive on the support, nonnegative slack off it).

Examples
--------
>>> from symalign import Game, get_family
>>> g = Game.symbolic(get_family("active_alignment", "entropic"), 2, 2, gamma=0)
>>> eq = tilted_prior(g)
>>> eq.weights[0, 0]
p_{1,1}*exp(a_{1,1}*alpha/beta)/(p_{1,1}*exp(a_{1,1}*alpha/beta) + p_{1,2}*exp(a_{1,2}*alpha/beta))
>>> eq.method, eq.valid
('tilted-prior', True)
"""

from __future__ import annotations

import sympy as sp

from symalign.core.budget import Budget, run_bounded
from symalign.core.derive import normalise_support
from symalign.core.equilibrium import Equilibrium
from symalign.core.kkt import kkt_system

__all__ = ["tilted_prior", "solve_on_support"]


def tilted_prior(game):
    """The tilted-prior closed form, or None when the gradients do not have that structure."""
    W = game.weights
    kkt = kkt_system(game)
    weights_set = set(W)
    rows, mults = [], []
    for i in range(game.n_agents):
        cs, b = [], None
        for d in range(game.n_groups):
            g = sp.expand(sp.expand_log(kkt.gradients[i, d], force=True))
            logw = sp.log(W[i, d])
            coeff = g.coeff(logw)
            rest = sp.expand(g - coeff * logw)
            if coeff == 0 or (coeff.free_symbols | rest.free_symbols) & weights_set:
                return None
            if b is None:
                b = -coeff
            elif sp.cancel(b + coeff) != 0:
                return None
            cs.append(rest)
        if b.is_positive is not True:
            return None
        common = set.intersection(*[set(sp.Add.make_args(c)) for c in cs])
        shift = sp.Add(*common)
        terms = [sp.exp(sp.expand((c - shift) / b)) for c in cs]
        total = sp.Add(*terms)
        rows.append([t / total for t in terms])
        mults.append(b * sp.log(total) + shift)
    weights = sp.ImmutableMatrix(rows)
    return Equilibrium(
        game=game, weights=weights, support=normalise_support(game, None), multipliers=tuple(mults),
        conditions=(), hypotheses=game.hypotheses(), exact=True, method="tilted-prior",
        notes=("own-gradients c_{i,d} - b_i log w_{i,d} with c, b_i free of the profile: each best response "
               "is the tilted prior whatever the others do, so this is the unique equilibrium",),
    )


def solve_on_support(game, support=None, *, budget: Budget | None = Budget(seconds=20.0, memory_mb=4096)):
    """Every solution of the KKT equations on a support, by :func:`sympy.solve` under ``budget``.

    Returns a tuple of :class:`~symalign.core.equilibrium.Equilibrium` (method
    ``kkt-nonlinear``), each with its validity conditions; an empty tuple
    when SymPy finds none.  Raises :class:`~symalign.errors.BudgetExceeded`
    when the budget runs out and lets :class:`NotImplementedError` from
    SymPy through (no closed form).
    """
    support = normalise_support(game, support)
    kkt = kkt_system(game)
    W = game.weights
    fracs = [sp.together(e) for e in kkt.support_equations(support)]
    eqs = [sp.numer(e) for e in fracs]
    unknowns = [W[i, d] for i, s in enumerate(support) for d in s] + list(kkt.lambdas)
    if budget is None:
        sols = _solve_now(eqs, unknowns)
    else:
        sols = run_bounded(_solve_now, eqs, unknowns, budget=budget, phase="KKT system on a support")
    out = []
    zero = {W[i, d]: sp.Integer(0) for i, s in enumerate(support) for d in range(W.cols) if d not in s}
    for sol in sols:
        if set(sol) != set(unknowns):
            continue
        if any(sp.cancel(sp.denom(e).xreplace(sol)) == 0 for e in fracs):
            continue  # a numerator's root where its denominator vanishes too: not a KKT point
        values = dict(zero)
        values.update({W[i, d]: sp.factor(sp.cancel(sol[W[i, d]])) for i, s in enumerate(support) for d in s})
        weights = sp.ImmutableMatrix(W.rows, W.cols, lambda i, d: values[W[i, d]])
        if any(x.is_real is False for x in weights):
            continue
        lambdas = tuple(sol[lam] for lam in kkt.lambdas)
        conditions, slack = [], sp.zeros(W.rows, W.cols)
        for i, s in enumerate(support):
            for d in range(W.cols):
                if d in s:
                    conditions.append(sp.sympify(weights[i, d] > 0, strict=True))
                else:
                    slack[i, d] = sp.factor(sp.cancel(lambdas[i] - kkt.gradients[i, d].xreplace(values)))
                    conditions.append(sp.sympify(slack[i, d] >= 0, strict=True))
        out.append(Equilibrium(game, weights, support, lambdas, tuple(conditions), game.hypotheses(), True,
                               "kkt-nonlinear", None, (), sp.ImmutableMatrix(slack)))
    return tuple(out)


def _solve_now(eqs, unknowns):
    return sp.solve(eqs, unknowns, dict=True)

"""Renderers of the remaining result objects, and their registration for Jupyter display.

Importing this module (``import symalign`` does) registers a LaTeX renderer
for every result class with :func:`symalign.core.notebook.register_latex_renderer`,
so each shows as typeset math in a notebook.

Examples
--------
>>> from symalign import Game, get_family, solve
>>> g = Game.create(get_family("active_alignment"), 2, ["x", "y"], alpha=1, beta=1, gamma="1/2",
...                 a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> g
Game(active_alignment/overlap, N=2, groups=['x', 'y'], numeric)
>>> "\\\\alpha" in g._repr_latex_() and "%" not in g._repr_latex_()
True
>>> sol = solve(g)
>>> sol
Solution(Game(active_alignment/overlap, N=2, groups=['x', 'y'], numeric): 1 equilibrium (1 exact), unique)
>>> print(solution_latex(sol).splitlines()[0])
% solution: active_alignment/overlap, N = 2, D = 2
"""

from __future__ import annotations

import sympy as sp

from symalign.analysis.exclusion import ExclusionCondition
from symalign.analysis.steering import Subsidy, TargetSubsidy
from symalign.claims.checks import ClaimResult
from symalign.claims.schema import Claim
from symalign.core.game import Game
from symalign.core.kkt import KKTSystem
from symalign.core.meanfield import MeanFieldClosedForm
from symalign.core.notebook import register_latex_renderer
from symalign.core.printing import _LINE, expression_latex, latex
from symalign.export.analysis_tex import exclusion_latex, steering_latex
from symalign.export.game_tex import game_latex, kkt_latex
from symalign.export.claim_tex import claim_latex
from symalign.export.results_tex import certificate_latex, equilibrium_latex
from symalign.numeric.closed_forms import ClosedFormResult
from symalign.numeric.solve import Solution
from symalign.verify.certificates import Certificate

__all__ = ["solution_latex", "meanfield_latex"]


def solution_latex(sol) -> str:
    """The equilibria of a :class:`~symalign.numeric.solve.Solution` and what is known about uniqueness."""
    game = sol.game
    k = len(sol.equilibria)
    unique = {True: "It is the unique equilibrium (proved).", False: "The equilibrium is not unique.",
              None: "Uniqueness is not established."}[sol.unique] if k == 1 else \
        {False: f"The game has (at least) these {k} equilibria.", None: f"{k} equilibria found; the list may be incomplete.",
         True: "Unique."}[sol.unique]
    parts = [f"% solution: {game.family.label}, N = {game.n_agents}, D = {game.n_groups}", unique]
    parts += [equilibrium_latex(eq) for eq in sol.equilibria]
    if getattr(sol, "stationary_points", ()):
        parts.append("Stationary points that are not equilibria (an agent gains by deviating):")
        parts += [equilibrium_latex(eq) for eq in sol.stationary_points]
    notes = list(getattr(game, "notes", ())) + list(sol.notes)
    parts += [f"Note: {n}" for n in notes]
    return "\n".join(parts)


def meanfield_latex(cf) -> str:
    """The mean-field closed form (symbolic N): population mean and a generic agent's weights.

    Examples
    --------
    >>> from symalign import derive_mean_field, get_family
    >>> print(meanfield_latex(derive_mean_field(get_family("active_alignment", "overlap"), 2)).splitlines()[1])
    \\begin{align*}
    """
    D = cf.mean.cols
    agent = cf.agent
    names = {}
    if cf.structured_agent is not None:  # the agent in terms of the named mean (shorter, the derived structure)
        names = {sym: sp.Symbol(rf"\bar W^*_{{{d + 1}}}") for d, sym in enumerate(cf.mean_symbols)}
        agent = cf.structured_agent.xreplace(names)
    return "\n".join([
        f"% mean-field closed form: {cf.family.label}, symbolic N, D = {D}",
        r"\begin{align*}",
        " \\\\\n".join(rf"\bar W^*_{{{d + 1}}} &= {expression_latex(cf.mean[d], width=_LINE)}" for d in range(D))
        + " \\\\",
        " \\\\\n".join(rf"w^*_{{i,{d + 1}}} &= {expression_latex(agent[d], width=_LINE)}" for d in range(D)),
        r"\end{align*}",
    ] + ([r"where $\bar W^*$ is the population mean above."] if names else []))


def closed_form_result_latex(res) -> str:
    """A :class:`~symalign.numeric.closed_forms.ClosedFormResult`: the route taken, each closed form, the check."""
    from symalign.core.printing import text

    head = text(f"Closed form by the {res.route} route" if res.found else "No closed form found")
    parts = [head + (f" ({len(res.equilibria)} equilibria):" if len(res.equilibria) > 1 else ":")]
    parts += [equilibrium_latex(eq) for eq in res.equilibria]
    if not res.equilibria and res.numeric is not None:
        parts += [text("The numeric equilibrium:"), equilibrium_latex(res.numeric)]
    if res.deviation_gain is not None:
        parts.append(text(f"Largest unilateral deviation gain over these profiles: {res.deviation_gain:.2e}."))
    parts += [text(n) for n in res.notes]
    return "\n".join(parts)


for _cls, _renderer in (
    (ClosedFormResult, closed_form_result_latex),
    (Game, game_latex),
    (KKTSystem, kkt_latex),
    (MeanFieldClosedForm, meanfield_latex),
    (Solution, solution_latex),
    (Certificate, certificate_latex),
    (ExclusionCondition, exclusion_latex),
    (Subsidy, steering_latex),
    (TargetSubsidy, steering_latex),
    (Claim, claim_latex),
    (ClaimResult, lambda r: claim_latex(r.claim, r)),
):
    register_latex_renderer(_cls, _renderer)

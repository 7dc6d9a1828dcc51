"""LaTeX export: games, KKT systems, equilibria, certificates and exclusion.

Every function returns a LaTeX fragment (a string) that drops into a
paper; :func:`symalign.export.report.standalone` and
:func:`symalign.export.report.build_report` wrap fragments into a compilable
document.  Output is deterministic: the same objects give byte-identical
text in every run (terms in SymPy's canonical order, monomials sorted, no
timestamps).

Utilities are written as a reader of the paper would write them, with
inner products, norms and sums: each built-in family has a template
(:func:`register_utility_template` adds one for a new family); a family
without a template is rendered agent by agent from its SymPy expression.
Derived closed forms are grouped by monomials of the scalar parameters
(``alpha``, ``beta``, ``gamma``...) over a factored denominator, so a
closed form reads as ``\\frac{\\alpha\\beta(\\dots) - \\dots}{(\\beta - \\gamma)(\\beta + \\gamma)}``
rather than as an expanded polynomial.

The renderers live in three modules, all re-exported here (import them
from this module):

:mod:`symalign.export.game_tex`
    utilities, parameters, games and KKT systems;
:mod:`symalign.export.results_tex`
    equilibria, validity conditions, certificates, theorem environments
    and claims;
:mod:`symalign.export.analysis_tex`
    exclusion thresholds and steering subsidies;

the printer itself (:func:`latex`, :func:`expression_latex`,
:func:`weights_latex`...) is :mod:`symalign.core.printing` and readable
solver code :mod:`symalign.export.code`.

Examples
--------
>>> from symalign import Game, get_family, derive_on_support
>>> game = Game.symbolic(get_family("active_alignment", "overlap"), 2, ["x", "y"])
>>> print(utility_latex(game))
U_i(w_i, w_{-i}) = \\alpha \\langle a_i, w_i \\rangle - \\frac{\\beta}{2} \\lVert w_i - p_i \\rVert^2 - \\gamma \\langle w_i, m_i \\rangle
>>> latex(sp.Symbol("mu_{1,2}", nonnegative=True))
'\\\\mu_{1,2}'
>>> print(expression_latex(derive_on_support(game).weights[0, 0]))
\\frac{\\alpha \\beta \\left(a_{1,1} - a_{1,2}\\right) - \\alpha \\gamma \\left(a_{2,1} - a_{2,2}\\right) + \\beta^{2} \\left(p_{1,1} - p_{1,2} + 1\\right) - \\beta \\gamma \\left(p_{2,1} - p_{2,2}\\right) - \\gamma^{2}}{2 \\left(\\beta - \\gamma\\right) \\left(\\beta + \\gamma\\right)}
"""

from __future__ import annotations

import sympy as sp  # noqa: F401  (the examples above use it)

from symalign.export.analysis_tex import exclusion_latex, steering_latex
from symalign.export.code import code_latex
from symalign.export.game_tex import game_latex, kkt_latex, parameters_latex, register_utility_template, utility_latex
from symalign.export.claim_tex import claim_latex
from symalign.export.results_tex import (certificate_latex, conditions_latex, equilibrium_latex,
                                         matrix_condition_latex, theorem)
from symalign.core.printing import (SymalignLatexPrinter, escape, expression_latex, latex, latex_label, text,
                                     weights_latex)

__all__ = [
    "SymalignLatexPrinter",
    "latex",
    "expression_latex",
    "escape",
    "text",
    "utility_latex",
    "register_utility_template",
    "game_latex",
    "parameters_latex",
    "kkt_latex",
    "equilibrium_latex",
    "weights_latex",
    "conditions_latex",
    "matrix_condition_latex",
    "certificate_latex",
    "exclusion_latex",
    "steering_latex",
    "claim_latex",
    "theorem",
    "latex_label",
    "code_latex",
]

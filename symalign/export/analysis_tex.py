"""LaTeX of analysis results: exclusion thresholds and steering subsidies.

:func:`exclusion_latex` writes when every agent gives a group zero weight
(the KKT slacks at the reduced equilibrium, their thresholds and the
reduced support); :func:`steering_latex` writes a subsidy that ends an
exclusion or moves the population's average mixture.  Both are duck
typed: :mod:`symalign.analysis` results, or any object with the
documented attributes.

Every public function here is re-exported by :mod:`symalign.export.latex`,
the entry point of the LaTeX export.
"""

from __future__ import annotations

import sympy as sp

from symalign.errors import InputError
from symalign.export.game_tex import _number
from symalign.export.results_tex import _condition_block, _support_text, conditions_latex
from symalign.core.printing import _LINE, escape, expression_latex, latex

__all__ = ["exclusion_latex", "steering_latex"]

_REL = {"<=": r"\le", ">=": r"\ge", "<": "<", ">": ">"}


def exclusion_latex(result, *, game=None, group=None, validity: bool = True) -> str:
    """An exclusion threshold: when every agent gives a group zero weight.

    ``result`` is a :class:`~symalign.analysis.exclusion.ExclusionCondition` or any
    object with ``slacks`` (one expression per agent, each ``>= 0`` at
    exclusion) and optionally ``condition``, ``thresholds`` (with
    ``agent``, ``parameter``, ``bound``, ``direction``), ``validity``,
    ``support`` and ``margins``; ``game`` and ``group`` default to
    ``result.game`` / ``result.group``.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> from symalign.analysis.exclusion import exclusion_condition
    >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, ["x", "y"])
    >>> tex = exclusion_latex(exclusion_condition(g, "y"))
    >>> print(tex.splitlines()[3])
    \\sigma_{1} &= \\alpha \\left(a_{1,1} - a_{1,2}\\right) + \\beta \\left(p_{1,1} - p_{1,2} - 1\\right) - \\gamma \\ge 0 \\\\
    """
    game = getattr(result, "game", None) if game is None else game
    group = getattr(result, "group", None) if group is None else group
    if isinstance(group, int) and game is not None:
        group = game.groups[group]
    gtex = rf"\text{{{escape(group)}}}" if group is not None else "d"
    family = getattr(game, "family", None)
    lines = [f"% exclusion threshold: group {group}" + (f", {family.label}" if family is not None else "")]
    support = getattr(result, "support", None)
    slacks = list(getattr(result, "slacks", None) or ())
    if slacks:
        lines.append(f"Every agent gives zero weight to ${gtex}$ at equilibrium exactly when each agent's KKT slack "
                     rf"$\sigma_i = \lambda_i - g_{{i,{gtex}}}$ at the equilibrium of the game without ${gtex}$ is nonnegative:")
        lines.append("\\begin{align*}")
        lines.append(" \\\\\n".join(
            rf"\sigma_{{{i + 1}}} &= {expression_latex(sl, width=_LINE)} \ge 0" for i, sl in enumerate(slacks)))
        lines.append("\\end{align*}")
    else:
        lines.append(f"Every agent gives zero weight to ${gtex}$ at equilibrium exactly when")
        lines.append(_condition_block(getattr(result, "condition", sp.true)))
    thresholds = list(getattr(result, "thresholds", None) or ())
    if thresholds:
        params = sorted({t.parameter for t in thresholds}, key=sp.default_sort_key)
        for x in params:
            ts = sorted((t for t in thresholds if t.parameter == x), key=lambda t: t.agent)
            lines.append(f"Solved for ${latex(x)}$:")
            lines.append("\\begin{align*}")
            lines.append(" \\\\\n".join(
                rf"{latex(x)} &{_REL[t.direction]} {expression_latex(t.bound, width=_LINE)}"
                rf" && \text{{(agent {t.agent + 1})}}" for t in ts))
            lines.append("\\end{align*}")
    if support is not None and game is not None:
        lines.append(f"The game without ${gtex}$ is solved on the support {_support_text(game, support)}")
        conds = [c for c in (getattr(result, "validity", None) or ()) if c is not sp.true]
        if validity and conds:
            lines[-1] += ", which holds when"
            lines.append(conditions_latex(conds))
        else:
            lines[-1] += "."
    margins = getattr(result, "margins", None)
    if margins:
        worst = min(range(len(margins)), key=lambda i: margins[i])
        verdict = "is excluded" if margins[worst] >= 0 else "is not excluded"
        lines.append(f"At the game's parameters the smallest slack is $\\sigma_{{{worst + 1}}} = {_number(margins[worst])}$: "
                     f"${gtex}$ {verdict}.")
    return "\n".join(lines)


def steering_latex(result) -> str:
    """A steering subsidy: the subsidy vector (or amount) and the condition it meets.

    Works with :class:`symalign.analysis.steering.Subsidy` (``amount``,
    ``per_agent``, ``group``), :class:`symalign.analysis.steering.TargetSubsidy`
    (``subsidy``, ``target``) and any object with ``subsidy`` (a value, a
    sequence or a matrix) and optional ``group``, ``target``, ``condition``.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> from symalign.analysis.steering import minimal_subsidy
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
    ...                 a=[[1, 1, 0], [1, 0, 0]], p=[[0.5, 0.5, 0], [0.5, 0.25, 0.25]])
    >>> print(steering_latex(minimal_subsidy(g, "z")))  # doctest: +ELLIPSIS
    % steering subsidy: group z
    The minimal subsidy ending the exclusion of $\\text{z}$ ($a_{i,\\text{z}} \\to a_{i,\\text{z}} + s$ for every agent) is
    \\begin{equation*}
    s^*_{\\text{z}} = \\max\\Bigl(0, \\min_i s_i\\Bigr) = ...
    \\end{equation*}
    ...
    """
    game = getattr(result, "game", None)
    sub = getattr(result, "subsidy", None)
    if sub is None:
        sub = getattr(result, "amount", None)
    group = getattr(result, "group", None)
    if isinstance(group, int) and game is not None:
        group = game.groups[group]
    lines = ["% steering subsidy" + (f": group {group}" if group is not None else "")]
    if sub is None:
        raise InputError("result", result, "has no 'subsidy' or 'amount' attribute")
    if isinstance(sub, (list, tuple, sp.MatrixBase)):
        entries = list(sub)
        if game is not None and len(entries) == game.n_groups:
            rows = [rf"s_{{\text{{{escape(g)}}}}} &= {expression_latex(x, width=_LINE)}" for g, x in zip(game.groups, entries)]
        else:
            rows = [rf"s_{{{k + 1}}} &= {expression_latex(x, width=_LINE)}" for k, x in enumerate(entries)]
        target = getattr(result, "target", None)
        if target is not None:
            lines.append("To move the population's average mixture to $\\bar{W} = (" +
                         ", ".join(_number(t) for t in target) + ")$ the regulator adds to attractiveness "
                         "($a_i \\to a_i + s$, up to a multiple of $\\mathbf{1}$) the subsidy")
        else:
            lines.append("The regulator adds to attractiveness ($a_i \\to a_i + s$) the subsidy")
        lines += ["\\begin{align*}", " \\\\\n".join(rows), "\\end{align*}"]
    else:
        gtex = rf"\text{{{escape(group)}}}" if group is not None else "d"
        lines.append(f"The minimal subsidy ending the exclusion of ${gtex}$ "
                     f"($a_{{i,{gtex}}} \\to a_{{i,{gtex}}} + s$ for every agent) is")
        per_agent = list(getattr(result, "per_agent", None) or ())
        lead = r"\max\Bigl(0, \min_i s_i\Bigr) = " if per_agent else ""
        lines += ["\\begin{equation*}", f"s^*_{{{gtex}}} = {lead}{expression_latex(sub)}", "\\end{equation*}"]
        if per_agent:
            lines.append(r"where $s_i$ is the subsidy at which agent $i$'s exclusion slack vanishes:")
            lines += ["\\begin{align*}", " \\\\\n".join(
                rf"s_{{{i + 1}}} &= {expression_latex(x, width=_LINE)}" for i, x in enumerate(per_agent)), "\\end{align*}"]
    cond = getattr(result, "condition", None)
    if cond is not None:
        lines.append("valid when")
        lines.append(_condition_block(cond))
    check = getattr(result, "check", None)
    if check is not None and hasattr(check, "passed"):
        lines.append("Checked by solving the steered games exactly: " + ("passed." if check.passed else "FAILED."))
    return "\n".join(lines)

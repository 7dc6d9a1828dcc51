"""LaTeX of games: utilities, parameters, the game paragraph and its KKT system.

Utilities are written as a reader of the paper would write them, with
inner products, norms and sums: each built-in family has a template
(:func:`register_utility_template` adds one for a new family); a family
without a template is rendered agent by agent from its SymPy expression.
Parameter values are shown as exact decimals where they are, otherwise
with their sign constraints.

Every public function here is re-exported by :mod:`symalign.export.latex`,
the entry point of the LaTeX export.

Examples
--------
>>> from symalign import Game, get_family
>>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, ["x", "y"])
>>> print(parameters_latex(g))
\\alpha > 0, \\quad \\beta > 0, \\quad \\gamma \\ge 0, \\quad a_i \\in \\mathbb{R}^{2}, \\quad p_i \\in \\Delta_{2}
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from symalign.errors import InputError
from symalign.core.printing import (_LINE, _chunks, _comment, _groups, _lines, _relation_latex, _signed, decimal_places,
                                     decimal_text, latex)
from symalign.core.params import flat_values

__all__ = [
    "utility_latex",
    "register_utility_template",
    "parameters_latex",
    "game_latex",
    "kkt_latex",
]

# ---------------------------------------------------------------------------
# utilities

_TEMPLATES: dict = {}


def register_utility_template(family_label: str, template: Callable) -> None:
    """Register ``template(game) -> (utility, definitions)`` for a family label.

    ``utility`` is the right-hand side of ``U_i(w_i, w_{-i}) = ...`` in
    LaTeX; ``definitions`` a tuple of LaTeX definitions of auxiliary
    notation (e.g. ``m_i = ...``).  ``family_label`` is the family's ``label``
    (``"name"`` or ``"name/variant"``).
    """
    if not isinstance(family_label, str) or not family_label:
        raise InputError("family_label", family_label, "must be a family label such as 'active_alignment/overlap'")
    if not callable(template):
        raise InputError("template", template, "must be callable as template(game)")
    _TEMPLATES[family_label] = template


def _scalar(game, name) -> str:
    """``\\alpha`` when every agent shares the value, ``\\alpha_i`` otherwise."""
    spec = next(s for s in game.family.parameters() if s.name == name)
    base = _param_tex(spec)
    value = game.params[name]
    if isinstance(value, tuple) and len(set(value)) > 1:
        i = _names()[4]
        return f"{base}_{i}" if len(i) == 1 else f"{base}_{{{i}}}"
    return base


def _param_tex(spec) -> str:
    from symalign.core.notation import current_notation

    if spec.name in current_notation().symbols:  # the paper's notation first
        return current_notation().symbols[spec.name]
    if spec.latex and spec.latex != spec.name:
        return spec.latex
    return latex(sp.Symbol(spec.name))


def _names():
    """The letters of the current notation (:func:`symalign.core.notation.use_notation`): w, a, p, m, i."""
    from symalign.core.notation import current_notation

    table = current_notation().symbols
    return tuple(table.get(k, k) for k in ("w", "a", "p", "m", "i"))


def _mean() -> str:
    w, _, _, m, i = _names()
    sub = i if len(i) == 1 else "{" + i + "}"
    return rf"{m}_{sub} = \frac{{1}}{{N - 1}} \sum_{{j \neq {i}}} {w}_j"


_MEAN = _mean()


def _active_alignment(game):
    al, be, ga = (_scalar(game, k) for k in ("alpha", "beta", "gamma"))
    w, a, p, m, i = _names()
    sub = i if len(i) == 1 else "{" + i + "}"
    wi, ai, pi, mi = (f"{x}_{sub}" for x in (w, a, p, m))
    attract = rf"{al} \langle {ai}, {wi} \rangle"
    variant = game.family.variant
    if variant == "entropic":
        body = rf"{attract} - {be} \operatorname{{KL}}({wi} \,\Vert\, {pi}) - {ga} \langle {wi}, {mi} \rangle"
        kl = rf"\operatorname{{KL}}({w} \,\Vert\, {p}) = \sum_{{d=1}}^{{D}} {w}_d \log \frac{{{w}_d}}{{{p}_d}}"
        return body, (_mean(), kl)
    consistency = rf"\frac{{{be}}}{{2}} \lVert {wi} - {pi} \rVert^2"
    if variant == "distance":
        return rf"{attract} - {consistency} + \frac{{{ga}}}{{2}} \lVert {wi} - {mi} \rVert^2", (_mean(),)
    return rf"{attract} - {consistency} - {ga} \langle {wi}, {mi} \rangle", (_mean(),)


def _polymatrix(game):
    return r"\sum_{j \neq i} w_i^{\top} A_{ij} w_j", ()


for _variant in ("overlap", "distance", "entropic"):
    register_utility_template(f"active_alignment/{_variant}", _active_alignment)
register_utility_template("polymatrix", _polymatrix)


def utility_latex(game) -> str:
    """The utility of agent ``i`` as a paper writes it (one line per agent for custom families).

    A family may provide ``latex_utility(game) -> str`` itself; otherwise a
    registered template is used; otherwise each agent's SymPy utility.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "distance"), 3, 2, homogeneous=False)
    >>> print(utility_latex(g))
    U_i(w_i, w_{-i}) = \\alpha_i \\langle a_i, w_i \\rangle - \\frac{\\beta_i}{2} \\lVert w_i - p_i \\rVert^2 + \\frac{\\gamma_i}{2} \\lVert w_i - m_i \\rVert^2
    """
    body, _ = _utility_parts(game)
    return body


def _utility_parts(game):
    family = game.family
    own = getattr(family, "latex_utility", None)
    w, _, _, _, i = _names()
    sub = i if len(i) == 1 else "{" + i + "}"
    head = rf"U_{sub}({w}_{sub}, {w}_{{-{i}}})"
    if callable(own):
        return rf"{head} = {own(game)}", ()
    template = _TEMPLATES.get(family.label)
    if template is not None:
        body, defs = template(game)
        return rf"{head} = {body}", tuple(defs)
    return _generic_utility(game), ()


def _open_wide(u, terms) -> list:
    """Signed terms with each one wider than a line opened up: ``c (x + y + ...)`` becomes the pieces
    ``c \\Bigl( x``, ``+ y``, ..., ``+ z \\Bigr)``, so the line breaker can split inside it."""
    from symalign.export.claim_expr import _visible

    out = []
    for (sign, body), t in zip(terms, u.as_ordered_terms() if isinstance(u, sp.Add) else [u]):
        t = -t if sign == "-" else t
        inner = [f for f in sp.Mul.make_args(t) if isinstance(f, sp.Add)]
        if _visible(body) <= _LINE or len(inner) != 1:
            out.append((sign, body))
            continue
        coeff = sp.Mul(*[f for f in sp.Mul.make_args(t) if f is not inner[0]])
        parts = _signed(inner[0].as_ordered_terms())
        head = "" if coeff == 1 else latex(coeff) + " "
        first = ("- " if parts[0][0] == "-" else "") + parts[0][1]
        parts[0] = (sign, head + r"\Bigl(" + first)
        parts[-1] = (parts[-1][0], parts[-1][1] + r" \Bigr)") if len(parts) > 1 else \
            (sign, parts[0][1] + r" \Bigr)")
        out += parts
    return out


def _generic_utility(game) -> str:
    """Agent 1's utility with symbolic parameters (grouped, split in lines), standing for every agent."""
    from symalign.core.game import Game

    try:
        generic = Game.symbolic(game.family, game.n_agents, game.groups)
        u = generic.utility(0)
    except Exception:  # the family cannot be instantiated symbolically: use the game's own numbers
        generic, u = game, game.utility(0)
    terms = _signed(u.as_ordered_terms() if isinstance(u, sp.Add) else [u])  # as parsed, not expanded
    body = _lines(_chunks(_open_wide(u, terms), _LINE))
    return "\\begin{aligned}\nU_{1}(w_1, w_{-1}) &= " + body + "\n\\end{aligned}"


# ---------------------------------------------------------------------------
# parameters and games

_SIGN_TEX = {"positive": "> 0", "nonnegative": r"\ge 0"}
_REAL = r"\in \mathbb{R}"


def _number(x) -> str:
    x = sp.sympify(x, strict=True)
    if isinstance(x, sp.Rational) and not isinstance(x, sp.Integer):
        k = decimal_places(x)
        if k is not None and k <= 6:
            return decimal_text(x, k)
    return latex(x)


def _matrix(rows, fmt=_number) -> str:
    body = " \\\\ ".join(" & ".join(fmt(x) for x in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def parameters_latex(game) -> str:
    """Parameter values (numbers as decimals where exact) or their sign constraints.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=[0.5, 2], gamma="1/3", a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> print(parameters_latex(g))
    \\alpha = 1, \\quad \\beta = (0.5, 2), \\quad \\gamma = \\frac{1}{3}, \\quad a = \\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}, \\quad p = \\begin{pmatrix} 0.5 & 0.5 \\\\ 0.5 & 0.5 \\end{pmatrix}
    """
    D = game.n_groups
    parts = []
    for spec in game.family.parameters():
        tex = _param_tex(spec)
        value = game.params[spec.name]
        flat = list(flat_values(value))
        if all(x.is_number for x in flat):
            parts.append(f"{tex} = {_value(spec, value)}")
            continue
        if _is_default_symbolic(spec, value):
            if spec.kind == "vector":
                dom = r"\Delta_{%d}" % D if spec.sign == "simplex" else r"\mathbb{R}^{%d}" % D
                sub = "_i" if not _shared_rows(value) else ""
                parts.append(f"{tex}{sub} \\in {dom}")
            else:
                sub = "_i" if spec.kind == "agent" and len(set(value)) > 1 else ""
                parts.append(f"{tex}{sub} {_SIGN_TEX.get(spec.sign, _REAL)}")
            continue
        parts.append(f"{tex} = {_value(spec, value)}")
    return ", \\quad ".join(parts)


def _shared_rows(mat) -> bool:
    return all(mat.row(i) == mat.row(0) for i in range(mat.rows))


def _is_default_symbolic(spec, value) -> bool:
    return all(isinstance(x, sp.Symbol) for x in flat_values(value) if not (spec.kind == "pair" and x == 0))


def _value(spec, value) -> str:
    if spec.kind == "scalar":
        return _number(value)
    if spec.kind == "agent":
        if len(set(value)) == 1:
            return _number(value[0])
        return "(" + ", ".join(_number(x) for x in value) + ")"
    if spec.kind == "vector":
        return _matrix(value.tolist())
    n = len(value)
    blocks = [f"{spec.name}_{{{i + 1}{j + 1}}} = {_matrix(value[i][j].tolist())}"
              for i in range(n) for j in range(n) if i != j]
    return r"\text{blocks } " + ", ".join(blocks)


def game_latex(game, *, title: str | None = None) -> str:
    """The game as a paragraph and a display: players, strategies, utility, parameters.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, ["x", "y"])
    >>> print(game_latex(g))  # doctest: +ELLIPSIS
    % game: active_alignment/overlap, N = 2, D = 2
    Agents $i = 1, \\dots, 2$ choose mixtures $w_i \\in \\Delta_{2}$ over the groups x, y, with utilities
    \\begin{equation*}
    U_i(w_i, w_{-i}) = ...
    \\end{equation*}
    where $m_i = \\frac{1}{N - 1} \\sum_{j \\neq i} w_j$, and $\\alpha > 0, \\quad \\beta > 0, \\quad \\gamma \\ge 0, \\quad a_i \\in \\mathbb{R}^{2}, \\quad p_i \\in \\Delta_{2}$.
    """
    body, defs = _utility_parts(game)
    head = f"% game: {game.family.label}, N = {game.n_agents}, D = {game.n_groups}"
    lines = [head]
    if title:
        lines.append(f"% {_comment(title)}")
    if game.family.name == "custom":
        lines.append(f"% utility = {_comment(game.family.expression)}")
    w, _, _, _, i = _names()
    isub = i if len(i) == 1 else "{" + i + "}"
    lines.append(
        rf"Agents ${i} = 1, \dots, {game.n_agents}$ choose mixtures ${w}_{isub} \in \Delta_{{{game.n_groups}}}$ "
        rf"over the groups {_groups(game)}, with utilities"
    )
    lines += ["\\begin{equation*}", body, "\\end{equation*}"]
    if body.startswith("\\begin{aligned}\nU_{1}(w_1, w_{-1})"):
        lines.append("(shown for agent 1; every agent's utility has the same form)")
    where = ", ".join(f"${d}$" for d in defs)
    params = parameters_latex(game)
    if "pmatrix" in params:
        lead = f"where {where}, and parameters" if where else "with parameters"
        rows = params.replace(", \\quad ", " \\\\\n")
        lines += [lead + " (rows are agents, columns groups)", "\\begin{gather*}", rows, "\\end{gather*}"]
    elif params:
        lines.append((f"where {where}, and " if where else "with ") + f"${params}$.")
    elif where:
        lines.append(f"where {where}.")
    hyps = [h for h in game.hypotheses() if h is not sp.true]
    if hyps:
        lines.append("The utilities are concave in own weights when $" + r", \ ".join(_relation_latex(h) for h in hyps) + "$.")
    return "\n".join(x for x in lines if x)


# ---------------------------------------------------------------------------
# KKT systems


def kkt_latex(kkt) -> str:
    """Lagrangian, stationarity (explicit) and complementary slackness of a KKT system.

    ``kkt`` is a :class:`~symalign.core.kkt.KKTSystem` or a game.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, ["x", "y"])
    >>> tex = kkt_latex(g)
    >>> print(tex.splitlines()[7])
    a_{1,1} \\alpha + \\beta p_{1,1} - \\beta w_{1,1} - \\gamma w_{2,1} - \\lambda_{1} + \\mu_{1,1} &= 0 \\\\
    """
    from symalign.core.kkt import kkt_system

    if not hasattr(kkt, "stationarity"):
        kkt = kkt_system(kkt)
    game = kkt.game
    N, D = game.n_agents, game.n_groups
    lines = [
        f"% KKT system: {game.family.label}, N = {N}, D = {D}",
        r"Agent $i$ maximises $U_i$ over $\Delta_{%d}$; with multipliers $\lambda_i \in \mathbb{R}$ "
        r"for $\sum_{d} w_{i,d} = 1$ and $\mu_{i,d} \ge 0$ for $w_{i,d} \ge 0$ its Lagrangian is" % D,
        "\\begin{equation*}",
        r"\mathcal{L}_i = U_i(w_i, w_{-i}) - \lambda_i \Bigl( \sum_{d=1}^{%d} w_{i,d} - 1 \Bigr) + \sum_{d=1}^{%d} \mu_{i,d} \, w_{i,d}." % (D, D),
        "\\end{equation*}",
        r"Stationarity, $\partial \mathcal{L}_i / \partial w_{i,d} = 0$:",
        "\\begin{align*}",
    ]
    rows = []
    for i in range(N):
        for d in range(D):
            rows.append(f"{latex(kkt.stationarity[i, d])} &= 0")
    lines.append(" \\\\\n".join(rows))
    lines += [
        "\\end{align*}",
        "complementary slackness and feasibility:",
        "\\begin{equation*}",
        r"\mu_{i,d} \, w_{i,d} = 0, \quad \mu_{i,d} \ge 0, \quad w_{i,d} \ge 0, \quad "
        r"\sum_{d=1}^{%d} w_{i,d} = 1 \qquad (i = 1, \dots, %d; \ d = 1, \dots, %d)." % (D, N, D),
        "\\end{equation*}",
    ]
    return "\n".join(lines)

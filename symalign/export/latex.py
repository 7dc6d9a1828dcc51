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

from typing import Callable

import sympy as sp

from symalign.errors import InputError
from symalign.export.code import code_latex
from symalign.core.printing import (_LINE, SymalignLatexPrinter, _chunks, _comment, _groups, _lines, _relation_latex,
                                     _signed, _weights_math, escape, expression_latex, latex, latex_label, text,
                                     weights_latex)
from symalign.core.params import flat_values

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
        return f"{base}_i"
    return base


def _param_tex(spec) -> str:
    if spec.latex and spec.latex != spec.name:
        return spec.latex
    return latex(sp.Symbol(spec.name))


_MEAN = r"m_i = \frac{1}{N - 1} \sum_{j \neq i} w_j"


def _active_alignment(game):
    al, be, ga = (_scalar(game, k) for k in ("alpha", "beta", "gamma"))
    attract = rf"{al} \langle a_i, w_i \rangle"
    variant = game.family.variant
    if variant == "entropic":
        body = rf"{attract} - {be} \operatorname{{KL}}(w_i \,\Vert\, p_i) - {ga} \langle w_i, m_i \rangle"
        kl = r"\operatorname{KL}(w \,\Vert\, p) = \sum_{d=1}^{D} w_d \log \frac{w_d}{p_d}"
        return body, (_MEAN, kl)
    consistency = rf"\frac{{{be}}}{{2}} \lVert w_i - p_i \rVert^2"
    if variant == "distance":
        return rf"{attract} - {consistency} + \frac{{{ga}}}{{2}} \lVert w_i - m_i \rVert^2", (_MEAN,)
    return rf"{attract} - {consistency} - {ga} \langle w_i, m_i \rangle", (_MEAN,)


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
    if callable(own):
        return rf"U_i(w_i, w_{{-i}}) = {own(game)}", ()
    template = _TEMPLATES.get(family.label)
    if template is not None:
        body, defs = template(game)
        return rf"U_i(w_i, w_{{-i}}) = {body}", tuple(defs)
    return _generic_utility(game), ()


def _generic_utility(game) -> str:
    """Agent 1's utility with symbolic parameters (grouped, split in lines), standing for every agent."""
    from symalign.core.game import Game

    try:
        generic = Game.symbolic(game.family, game.n_agents, game.groups)
        u = generic.utility(0)
    except Exception:  # the family cannot be instantiated symbolically: use the game's own numbers
        generic, u = game, game.utility(0)
    terms = _signed(u.as_ordered_terms() if isinstance(u, sp.Add) else [u])  # as parsed, not expanded
    body = _lines(_chunks(terms, _LINE))
    return "\\begin{aligned}\nU_{1}(w_1, w_{-1}) &= " + body + "\n\\end{aligned}"


# ---------------------------------------------------------------------------
# parameters and games

_SIGN_TEX = {"positive": "> 0", "nonnegative": r"\ge 0"}
_REAL = r"\in \mathbb{R}"
_REL = {"<=": r"\le", ">=": r"\ge", "<": "<", ">": ">"}


def _number(x) -> str:
    x = sp.sympify(x)
    if isinstance(x, sp.Rational) and not isinstance(x, sp.Integer):
        q = int(x.q)
        twos = fives = 0
        while q % 2 == 0:
            q //= 2
            twos += 1
        while q % 5 == 0:
            q //= 5
            fives += 1
        k = max(twos, fives)
        if q == 1 and k <= 6:
            return _decimal(x, k)
    return latex(x)


def _decimal(x, k) -> str:
    scaled = int(x * 10**k)
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(k + 1, "0")
    return f"{sign}{digits[:-k]}.{digits[-k:]}"


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
    Agents $i = 1, \\dots, 2$ choose mixtures $w_i \\in \\Delta_{2}$ over the groups $\\text{x}, \\text{y}$, with utilities
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
    lines.append(
        rf"Agents $i = 1, \dots, {game.n_agents}$ choose mixtures $w_i \in \Delta_{{{game.n_groups}}}$ "
        rf"over the groups ${_groups(game)}$, with utilities"
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


# ---------------------------------------------------------------------------
# equilibria and conditions


def _support_text(game, support) -> str:
    """``$S_1 = \\{...\\}$, $S_2 = ...$``: one inline formula per agent, so lines can break."""
    parts = []
    for i, s in enumerate(support):
        names = r",\allowbreak ".join(rf"\text{{{escape(game.groups[d])}}}" for d in s)
        parts.append(rf"$S_{{{i + 1}}} = \{{{names}\}}$")
    return ", ".join(parts)


def conditions_latex(conditions, *, width: int = _LINE) -> str:
    """Relations one per line in an ``align*`` (``True`` ones dropped).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> print(conditions_latex([x > 0, sp.true, x <= 1]))
    \\begin{align*}
    & x > 0 \\\\
    & x \\le 1
    \\end{align*}
    """
    rows = [f"& {_relation_latex(c, width=width)}" for c in conditions if c is not sp.true and c is not True]
    if not rows:
        return "(no conditions)"
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def equilibrium_latex(eq, *, multipliers: bool = False, conditions: bool = True, digits: int = 4) -> str:
    """An equilibrium: closed form (symbolic) or profile (numeric), its support and validity conditions.

    Numeric profiles are shown exactly when every entry is short, otherwise
    rounded to ``digits`` decimals (and said so).

    Examples
    --------
    >>> from symalign import Game, get_family, derive_on_support
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 0]], p=[0.5, 0.5])
    >>> print(equilibrium_latex(derive_on_support(g, [[0], [0, 1]])))
    % equilibrium: active_alignment/overlap, support [[0], [0, 1]]
    On the support $S_{1} = \\{\\text{x}\\}$, $S_{2} = \\{\\text{x},\\allowbreak \\text{y}\\}$ the KKT system gives
    \\begin{equation*}
    W^* = \\begin{array}{c|cc} & \\text{x} & \\text{y} \\\\ \\hline 1 & 1 & 0 \\\\ 2 & \\frac{1}{2} & \\frac{1}{2} \\end{array}
    \\end{equation*}
    It is an equilibrium: every validity condition holds.
    """
    game = eq.game
    N, D = game.n_agents, game.n_groups
    supp = [list(s) for s in eq.support]
    lines = [f"% equilibrium: {game.family.label}, support {supp}"]
    numeric = all(sp.sympify(x).is_number for x in eq.weights)
    lead = "the KKT system gives" if eq.exact else "the numeric solver gives"
    lines.append(f"On the support {_support_text(game, eq.support)} {lead}")
    body, rounded = _weights_math(eq, digits)
    if numeric:
        lines += ["\\begin{equation*}", body, "\\end{equation*}"]
        if rounded:
            lines.append(f"(entries rounded to {digits} decimals; the exact values are rational).")
    else:
        lines += ["\\begin{align*}", body, "\\end{align*}"]
        off = [(i, d) for i in range(N) for d in range(D) if d not in eq.support[i]]
        if off:
            lines.append("and $" + " = ".join(f"w^*_{{{i + 1},{d + 1}}}" for i, d in off) + " = 0$.")
    if multipliers and eq.multipliers:
        lines.append(r"The multipliers (each agent's equilibrium marginal utility) are")
        lines.append("\\begin{align*}")
        lines.append(" \\\\\n".join(
            rf"\lambda_{{{i + 1}}} &= {expression_latex(m, width=_LINE)}" for i, m in enumerate(eq.multipliers)))
        lines.append("\\end{align*}")
    excluded = eq.excluded_groups()
    if excluded:
        names = ", ".join(rf"\text{{{escape(game.groups[d])}}}" for d in excluded)
        lines.append(f"Every agent gives zero weight to ${names}$.")
    if conditions:
        valid = eq.valid
        if valid is True:
            lines.append("It is an equilibrium: every validity condition holds.")
        elif valid is False:
            lines.append("It is \\emph{not} an equilibrium: a validity condition fails.")
        else:
            lines.append(r"It is an equilibrium exactly when (weights positive on the support, "
                         r"KKT slack $\lambda_i - g_{i,d}$ nonnegative off it)")
            lines.append(conditions_latex(eq.conditions))
        hyps = [h for h in eq.hypotheses if h is not sp.true and h is not True]
        if hyps:
            lines.append("under the concavity hypotheses $" + r", \ ".join(_relation_latex(h) for h in hyps) + "$.")
    return "\n".join(lines)


def matrix_condition_latex(M, *, name: str = "M", relation: str = "negative definite") -> str:
    """A symmetric matrix condition with its leading principal minors (Sylvester).

    For ``relation="negative definite"`` the minors shown are those of
    ``-M``, each of which must be positive.

    Examples
    --------
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> print(matrix_condition_latex(sp.Matrix([[-b, g / 2], [g / 2, -b]]), name="S"))
    \\begin{equation*}
    S = \\begin{pmatrix} - \\beta & \\frac{\\gamma}{2} \\\\ \\frac{\\gamma}{2} & - \\beta \\end{pmatrix}
    \\end{equation*}
    is negative definite iff the leading principal minors of $-S$ are positive:
    \\begin{align*}
    & \\frac{\\left(2 \\beta - \\gamma\\right) \\left(2 \\beta + \\gamma\\right)}{4} > 0
    \\end{align*}
    """
    from symalign.core.rosen import leading_minors

    M = sp.Matrix(M)
    sign = -1 if relation == "negative definite" else 1
    minors = leading_minors(sign * M)
    mtex = _matrix(M.tolist(), fmt=latex)
    which = f"-{name}" if sign < 0 else name
    head = (f"\\begin{{equation*}}\n{name} = {mtex}\n\\end{{equation*}}\n"
            f"is {relation} iff the leading principal minors of ${which}$ are positive:")
    return head + "\n" + conditions_latex([sp.factor(m) > 0 for m in minors])


# ---------------------------------------------------------------------------
# certificates, claims, exclusion, steering (duck typed)


def _status(obj) -> str:
    status = getattr(obj, "status", None)
    status = getattr(status, "status", status)  # a Proof
    return str(status) if status is not None else "unknown"


def _condition_block(cond) -> str:
    if isinstance(cond, str):
        return text(cond)
    if isinstance(cond, (list, tuple)):
        return conditions_latex(cond)
    if isinstance(cond, sp.MatrixBase):
        return matrix_condition_latex(cond)
    if isinstance(cond, sp.And):
        return conditions_latex(sorted(cond.args, key=sp.default_sort_key))
    return conditions_latex([cond])


def theorem(statement: str, *, title: str | None = None, label: str | None = None, env: str = "theorem",
            status: str | None = None, reference: str | None = None, claim_file: str | None = None,
            proof: str | None = None) -> str:
    """A theorem environment with label, status line and the claim file as a comment.

    ``statement`` and ``proof`` are LaTeX; ``title``, ``status`` and
    ``reference`` are plain text (escaped, inline ``$...$`` kept).

    Examples
    --------
    >>> print(theorem(r"A pure equilibrium exists.", title="Existence", label="thm:T0",
    ...               status="proved", reference="Rosen 1965, Thm 1", claim_file="theorems/paper/t0.toml"))
    % claim file: theorems/paper/t0.toml
    \\begin{theorem}[Existence]\\label{thm:T0}
    A pure equilibrium exists.
    \\end{theorem}
    \\noindent\\emph{Status:} proved. \\emph{Reference:} Rosen 1965, Thm 1.
    """
    if env not in ("theorem", "proposition", "lemma", "corollary", "conjecture", "definition", "remark"):
        raise InputError("env", env, "must be a theorem environment defined by symalign.export.report.PREAMBLE")
    lines = []
    if claim_file:
        lines.append(f"% claim file: {_comment(claim_file)}")
    opt = f"[{text(title)}]" if title else ""
    lab = f"\\label{{{latex_label(label)}}}" if label else ""
    lines += [f"\\begin{{{env}}}{opt}{lab}", statement.strip(), f"\\end{{{env}}}"]
    tail = []
    if status:
        tail.append(rf"\emph{{Status:}} {text(status)}.")
    if reference:
        tail.append(rf"\emph{{Reference:}} {text(reference)}.")
    if tail:
        lines.append(r"\noindent" + " ".join(tail))
    if proof:
        lines += ["\\begin{proof}", proof.strip(), "\\end{proof}"]
    return "\n".join(lines)


def _counterexample(obj) -> str:
    cex = getattr(obj, "counterexample", None)
    if cex is None:
        status = getattr(obj, "status", None)
        cex = getattr(status, "counterexample", None)
    if not cex:
        return ""
    items = sorted(cex.items(), key=lambda kv: sp.default_sort_key(kv[0]))
    return "Counterexample: $" + ", ".join(f"{latex(k)} = {latex(v)}" for k, v in items) + "$."


_STATUS_TEXT = {
    "proved": "the condition follows from the hypotheses (proved)",
    "refuted": "the condition does not follow from the hypotheses (refuted)",
    "unknown": "undecided (unknown)",
}


def certificate_latex(cert, *, label: str | None = None, max_hypotheses: int = 6) -> str:
    """An existence/uniqueness certificate: its condition, derivation and proof status.

    Works with :class:`symalign.verify.certificates.Certificate` and with any
    object with ``kind``, ``condition``, ``status`` (a string or a
    :class:`~symalign.verify.smt.Proof`) and ``reference``; ``condition`` may be
    a relation, a tuple of relations, a matrix (negative definiteness) or
    text.  Optional ``derivation`` (terms with ``label``, ``value``,
    ``multiplicity``), ``method``, ``hypotheses`` and ``counterexample``
    are shown when present.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> cert = SimpleNamespace(kind="uniqueness", condition=g < b, status="proved",
    ...                        reference="Rosen 1965, Thm 2")
    >>> print(certificate_latex(cert))
    % certificate: uniqueness
    \\begin{proposition}[Uniqueness]
    The equilibrium is unique when
    \\begin{align*}
    & \\gamma < \\beta
    \\end{align*}
    \\end{proposition}
    \\noindent\\emph{Status:} proved. \\emph{Reference:} Rosen 1965, Thm 2.
    """
    kind = str(getattr(cert, "kind", "certificate"))
    lead = {
        "existence": "A pure Nash equilibrium exists when",
        "uniqueness": "The equilibrium is unique when",
        "concavity": "Each utility is concave in the agent's own weights when",
    }.get(kind, "The certificate holds when")
    hyps = [h for h in (getattr(cert, "hypotheses", None) or ()) if h is not sp.true and h is not True]
    if hyps and len(hyps) <= max_hypotheses:
        lead = "Assume $" + r", \ ".join(_relation_latex(h) for h in hyps) + "$. Then " + lead[0].lower() + lead[1:]
    cond = getattr(cert, "condition", sp.true)
    if cond is sp.true or cond is True:
        body = lead.rsplit(" when", 1)[0] + ": the condition holds identically."
    elif cond is sp.false or cond is False:
        body = lead.rsplit(" when", 1)[0] + ": the condition fails for every parameter value (not certified)."
    else:
        body = lead + "\n" + _condition_block(cond)
    terms = getattr(cert, "derivation", None) or ()
    if terms:
        method = getattr(cert, "method", "")
        rows = []
        for t in terms:
            mult = getattr(t, "multiplicity", 1)
            tail = "" if mult == 1 else rf" && (\text{{multiplicity }} {latex(sp.sympify(mult))})"
            rows.append(rf"& \text{{{escape(t.label)}:}} && {expression_latex(t.value)}{tail}")
        body += ("\nThe condition is read off these terms" + (f" ({escape(method)})" if method else "") + ":" +
                 "\n\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    status = _status(cert)
    if (terms or hyps) and status in _STATUS_TEXT:
        status = f"{status}: {_STATUS_TEXT[status].rsplit(' (', 1)[0]}"
    cex = _counterexample(cert)
    out = theorem(body, title=kind.replace("_", " ").capitalize(), label=label, env="proposition",
                  status=status, reference=getattr(cert, "reference", None))
    if cex:
        out += "\n" + cex.replace("Counterexample:", "The condition fails at")
    return f"% certificate: {_comment(kind)}\n{out}"


def claim_latex(claim, result=None) -> str:
    """A claim (theorem file) as a labelled theorem with its status and the file it came from.

    Works with :class:`symalign.claims.schema.Claim` (``id``, ``title``, ``kind``,
    ``statement`` in words, ``latex`` in math, ``hypotheses``, ``expected``
    status, ``reference``, ``path``) and, by duck typing, with any object
    with some of these (``status`` for the status, ``statement`` as LaTeX
    or a SymPy condition).  ``result`` (a
    :class:`symalign.claims.checks.ClaimResult`, or anything with
    ``status``) adds the status symalign computed next to the stated one.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> claim = SimpleNamespace(id="T0", title="Existence", statement="A pure equilibrium exists.",
    ...                         latex=r"\\exists\\, W^*", expected="proved", reference="Rosen 1965",
    ...                         path="theorems/t0.toml")
    >>> print(claim_latex(claim, SimpleNamespace(status="proved")))
    % claim file: theorems/t0.toml
    \\begin{theorem}[Existence]\\label{claim:T0}
    A pure equilibrium exists.
    \\begin{equation*}
    \\exists\\, W^*
    \\end{equation*}
    \\end{theorem}
    \\noindent\\emph{Status:} proved (stated), proved (checked by symalign). \\emph{Reference:} Rosen 1965.
    """
    statement = getattr(claim, "statement", None)
    if statement is None:
        statement = getattr(claim, "conclusion", None) or getattr(claim, "condition", "")
    math = getattr(claim, "latex", "") or ""
    if isinstance(statement, str):
        body = text(" ".join(statement.split()))
        if math.strip():
            body += "\n\\begin{equation*}\n" + math.strip() + "\n\\end{equation*}"
    else:
        body = _condition_block(statement)
    ident = getattr(claim, "id", None) or getattr(claim, "name", None)
    title = getattr(claim, "title", None) or getattr(claim, "name", None) or ident
    path = next((getattr(claim, k) for k in ("path", "source", "file") if getattr(claim, k, None)), None)
    hyps = getattr(claim, "hypotheses", None) or ()
    hyps = [hyps] if isinstance(hyps, str) else [h for h in hyps if h is not sp.true and h is not True]
    if hyps:  # claim-language text is shown verbatim, SymPy relations as formulas
        items = [rf"\texttt{{{escape(h)}}}" if isinstance(h, str) else f"${_relation_latex(h)}$" for h in hyps]
        body = "Assume " + ", ".join(items) + ". Then:\n" + body
    stated = getattr(claim, "expected", None) or getattr(claim, "status", None)
    stated = getattr(stated, "status", stated)
    status = f"{stated} (stated)" if stated else None
    if result is not None:
        status = (status + ", " if status else "") + f"{_status(result)} (checked by symalign)"
    cex = _counterexample(result) if result is not None else ""
    cex = cex or _counterexample(claim)
    if cex:
        body += "\n" + cex
    out = theorem(body, title=str(title) if title else None, label=f"claim:{ident}" if ident else None,
                  status=status, reference=getattr(claim, "reference", None) or None,
                  claim_file=str(path) if path else None)
    return out


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

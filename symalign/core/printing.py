"""The LaTeX printer of symalign: symbol names, closed forms grouped for reading, escaping.

:func:`latex` prints SymPy objects with symbol names as a paper writes them
(``alpha_2`` as ``\\alpha_{2}``, ``mu_{1,2}`` as ``\\mu_{1,2}``);
:func:`expression_latex` writes a closed form as one fraction whose
numerator is grouped by monomials of the scalar parameters, split into
lines when long; :func:`escape` and :func:`text` make plain text safe.
The renderers of games, equilibria and certificates are in
:mod:`symalign.export.latex`, which re-exports these names.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter, translate

from symalign.core.notation import current_notation
from symalign.core.notebook import in_notebook
from symalign.errors import InputError

__all__ = ["SymalignLatexPrinter", "latex", "expression_latex", "escape", "text", "latex_label", "decimal_places",
           "decimal_text"]

_NAME = re.compile(r"^([A-Za-z]+)((?:[_^](?:\{[^{}]*\}|[A-Za-z0-9]+))*)$")
_PART = re.compile(r"([_^])(\{[^{}]*\}|[A-Za-z0-9]+)")


class SymalignLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with symbol names as a paper writes them.

    ``alpha_2`` prints as ``\\alpha_{2}``, ``mu_{1,2}`` as ``\\mu_{1,2}``
    (SymPy leaves a Greek base followed by braces untranslated),
    ``A^{12}_{1,2}`` unchanged.
    """

    printmethod = "_latex"

    def _print_Symbol(self, expr, style="plain"):
        name = self._settings["symbol_names"].get(expr)
        if name is not None:
            return name
        m = _NAME.match(expr.name)
        table = current_notation().symbols  # the paper's notation (symalign.core.notation.use_notation)
        if m is not None and m.group(1) in table:
            rest = m.group(2)
            if rest and "{" not in rest:  # alpha_2 -> \alpha_{2}
                rest = _PART.sub(lambda p: f"{p.group(1)}{{{p.group(2)}}}", rest)
            return table[m.group(1)] + rest
        if m is None or "{" not in expr.name:
            return super()._print_Symbol(expr, style=style)
        base = translate(m.group(1))
        rest = "".join(f"{op}{arg if arg.startswith('{') else '{' + arg + '}'}" for op, arg in _PART.findall(m.group(2)))
        return base + rest


def latex(expr, **settings) -> str:
    """LaTeX of a SymPy object with :class:`SymalignLatexPrinter`.

    Examples
    --------
    >>> latex(sp.Symbol("alpha_2") + sp.Symbol("w_{1,2}"))
    '\\\\alpha_{2} + w_{1,2}'
    """
    return SymalignLatexPrinter(settings).doprint(sp.sympify(expr, strict=True))


# ---------------------------------------------------------------------------
# closed forms: grouped by monomials of the scalar parameters, split in lines

_LINE = 52  # visible characters per displayed line (rough)


def _visible(tex: str) -> int:
    tex = re.sub(r"\\(left|right|mathopen\{\}|mathclose\{\}|cdot)", "", tex)
    tex = re.sub(r"\\[A-Za-z]+", "x", tex)
    return len(re.sub(r"[{}\s^_]", "", tex))


def _terms(expr, keys) -> list:
    """Signed LaTeX terms of a polynomial, grouped by monomials in ``keys``."""
    expr = sp.expand(expr)
    keys = [k for k in keys if expr.has(k)]
    if not keys or not expr.is_polynomial(*keys):
        return _signed(expr.as_ordered_terms() if isinstance(expr, sp.Add) else [expr])
    out = []
    for powers, coeff in sp.Poly(expr, *keys).terms():
        mono = sp.Mul(*[k**e for k, e in zip(keys, powers)])
        if isinstance(coeff, sp.Add) and mono != 1:
            content, prim = coeff.primitive()
            if _leading_negative(prim):
                content, prim = -content, -prim
            neg = content < 0
            body = f"{latex(abs(content) * mono)} \\left({latex(prim)}\\right)"
        else:
            neg = _leading_negative(coeff * mono)
            body = latex(-coeff * mono if neg else coeff * mono)
        out.append(("-" if neg else "+", body))
    return out


def _leading_negative(expr) -> bool:
    """Whether the first printed term of ``expr`` carries a minus sign."""
    terms = expr.as_ordered_terms() if isinstance(expr, sp.Add) else [expr]
    return latex(terms[0]).startswith("-")


def _signed(terms) -> list:
    out = []
    for t in terms:
        neg = t.could_extract_minus_sign()
        out.append(("-" if neg else "+", latex(-t if neg else t)))
    return out


def _join(terms) -> str:
    text = ""
    for k, (sign, body) in enumerate(terms):
        if k == 0:
            text = ("- " if sign == "-" else "") + body
        else:
            text += f" {sign} {body}"
    return text or "0"


def _chunks(terms, width=_LINE) -> list:
    lines, cur = [], []
    for t in terms:
        if cur and _visible(_join(cur + [t])) > width:
            lines.append(cur)
            cur = []
        cur.append(t)
    if cur:
        lines.append(cur)
    return lines


def _lines(lines) -> str:
    """Chunks of signed terms joined as continuation lines of an ``align``."""
    out = []
    for k, line in enumerate(lines):
        seg = _join(line)
        if k > 0 and line[0][0] == "+":
            seg = "+ " + seg
        out.append(seg)
    return " \\\\\n  &\\qquad ".join(out)


def _keys_of(expr, keys) -> list:
    """The symbols of ``keys`` that occur in ``expr``, in canonical order."""
    keys = set(keys)
    return [s for s in sorted(expr.free_symbols, key=sp.default_sort_key) if s in keys]


def expression_latex(expr, keys=None, *, width: int | None = None) -> str:
    """A derived expression as one fraction with a grouped numerator.

    Parameters
    ----------
    expr : Expr
    keys : iterable of Symbol, optional
        Symbols whose monomials group the numerator (default: the symbols
        named ``alpha``, ``beta``, ``gamma`` and their per-agent versions).
    width : int, optional
        If given and the numerator is wider, return a multi-line form
        ``\\frac{1}{den} \\bigl( ... \\\\ ... \\bigr)`` for an ``align``
        environment (lines joined by ``\\\\ &\\qquad``).

    Examples
    --------
    >>> al, be = sp.symbols("alpha beta", positive=True)
    >>> x = sp.Symbol("x")
    >>> expression_latex((al * x + be * x + al) / (2 * be))
    '\\\\frac{\\\\alpha \\\\left(x + 1\\\\right) + \\\\beta x}{2 \\\\beta}'
    """
    expr = sp.sympify(expr, strict=True)
    if isinstance(expr, sp.Basic) and not isinstance(expr, sp.Expr):
        return latex(expr)
    if keys is None:
        keys = [s for s in expr.free_symbols if _is_scalar_param(s)]
    keys = _keys_of(expr, keys)
    if expr.is_number or not keys:
        return latex(expr)
    num, den = sp.fraction(sp.together(expr))
    if isinstance(num, (sp.Mul, sp.Pow)) and sum(1 for f in sp.Mul.make_args(num) if not f.is_number) > 1:
        return latex(expr)  # a product of factors reads best as factored
    den = sp.factor(den)
    terms = _terms(num, keys)
    if den.could_extract_minus_sign():
        den = -den
        terms = [("+" if s == "-" else "-", b) for s, b in terms]
    lines = _chunks(terms, width) if width else [terms]
    if den == 1:
        return _lines(lines)
    dtex = latex(den)
    if len(lines) > 1:
        return f"\\frac{{1}}{{{dtex}}} \\Bigl( " + _lines(lines) + " \\Bigr)"
    return f"\\frac{{{_join(terms)}}}{{{dtex}}}"


_SCALAR_NAMES = re.compile(r"^(alpha|beta|gamma|delta|eta|kappa|theta|lambda|rho|sigma|tau)(_\d+|_\{\d+\})?$")


def _is_scalar_param(s) -> bool:
    return bool(_SCALAR_NAMES.match(s.name)) and not s.name.startswith("lambda")


def _relation_latex(rel, width=None) -> str:
    if rel is sp.true or rel is True:
        return r"\text{true}"
    if rel is sp.false or rel is False:
        return r"\text{false}"
    if isinstance(rel, sp.core.relational.Relational):
        lhs, rhs = rel.lhs, rel.rhs
        op = {">": ">", ">=": r"\ge", "<": "<", "<=": r"\le", "==": "=", "!=": r"\ne"}[rel.rel_op]
        return f"{expression_latex(lhs, width=width)} {op} {expression_latex(rhs)}"
    if isinstance(rel, (sp.And, sp.Or)):
        joiner = r" \;\wedge\; " if isinstance(rel, sp.And) else r" \;\vee\; "
        return joiner.join(_relation_latex(a) for a in sorted(rel.args, key=sp.default_sort_key))
    return latex(rel)


# ---------------------------------------------------------------------------
# text helpers

_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def decimal_places(x) -> int | None:
    """Places after the point of a rational that is a terminating decimal (None otherwise).

    Examples
    --------
    >>> decimal_places(sp.Rational(1, 8)), decimal_places(sp.Rational(1, 3)), decimal_places(sp.Integer(4))
    (3, None, 0)
    """
    x = sp.sympify(x, strict=True)
    if not x.is_Rational:
        return None
    q = int(x.q)
    twos = fives = 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    return max(twos, fives) if q == 1 else None


def decimal_text(x, places: int) -> str:
    """A terminating decimal written out exactly with ``places`` places (see :func:`decimal_places`).

    Examples
    --------
    >>> decimal_text(sp.Rational(-7, 20), 2), decimal_text(sp.Rational(1, 8), 3)
    ('-0.35', '0.125')
    """
    scaled = int(sp.Rational(x) * 10**places)
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{sign}{digits}"


def escape(value) -> str:
    """Escape LaTeX special characters in plain text.

    Examples
    --------
    >>> escape("50% of group_a & b")
    '50\\\\% of group\\\\_a \\\\& b'
    """
    if in_notebook():  # MathJax shows text as it is: only a dollar would start math
        return str(value).replace("$", r"\$")
    return "".join(_ESCAPES.get(ch, ch) for ch in str(value))


def text(value) -> str:
    """Plain text with inline math ``$...$`` kept verbatim and the rest escaped.

    Examples
    --------
    >>> text("gamma_i at 10% of $\\\\beta$")
    'gamma\\\\_i at 10\\\\% of $\\\\beta$'
    """
    parts = re.split(r"(\$[^$]*\$)", str(value))
    return "".join(p if p.startswith("$") and p.endswith("$") and len(p) > 1 else escape(p) for p in parts)


def latex_label(value) -> str:
    """A LaTeX label from any text: letters, digits and ``:-.`` kept, the rest ``-``.

    Examples
    --------
    >>> latex_label("thm:T2 uniqueness (Q)")
    'thm:T2-uniqueness-Q'
    """
    out = re.sub(r"[^A-Za-z0-9:.\-]+", "-", str(value)).strip("-")
    if not out:
        raise InputError("label", value, "needs at least one letter or digit")
    return out


def _comment(value) -> str:
    return " ".join(str(value).split())


def _groups(game) -> str:
    """The group names as plain text (outside math, so a long list breaks between names)."""
    return ", ".join(escape(g) for g in game.groups)


def _short_exact(weights) -> bool:
    return all(len(latex(x)) <= 14 for x in weights)


def _weights_math(eq, digits):
    """(math, rounded): the profile as an array (numeric) or ``align`` rows of the closed form."""
    game = eq.game
    N, D = game.n_agents, game.n_groups
    if all(sp.sympify(x, strict=True).is_number for x in eq.weights):
        exact = eq.exact and _short_exact(eq.weights)
        fmt = latex if exact else (lambda x: latex(x) if x in (0, 1) else f"{float(x):.{digits}f}")
        header = " & ".join(rf"\text{{{escape(g)}}}" for g in game.groups)
        rows = " \\\\ ".join(f"{i + 1} & " + " & ".join(fmt(eq.weights[i, d]) for d in range(D)) for i in range(N))
        rel = "=" if exact else r"\approx"
        return rf"W^* {rel} \begin{{array}}{{c|{'c' * D}}} & {header} \\ \hline {rows} \end{{array}}", not exact
    st = getattr(eq, "structure", None)
    source = eq.weights if st is None else st.weights
    show = (lambda x: expression_latex(x, width=_LINE)) if st is None else (lambda x: _sum_latex(x, True))
    rows = [f"w^*_{{{i + 1},{d + 1}}} &= {show(source[i, d])}" for i in range(N) for d in range(D) if d in eq.support[i]]
    if st is not None:
        rows += [r"&\text{where}"] + definitions_rows(st.definitions)
    return " \\\\\n".join(rows), False


def definitions_rows(definitions) -> list:
    """``name &= value`` rows of named intermediates, the last defined block first (a "where" clause reads top-down).

    Examples
    --------
    >>> x = sp.Symbol("x", positive=True)
    >>> s, t = sp.Dummy("s_{1}"), sp.Dummy("t")
    >>> definitions_rows([(s, x + 1), (t, 2 * s)])
    ['t &= 2 s_{1}', 's_{1} &= x + 1']
    >>> definitions_rows([(s, x + 1), (sp.Dummy("s_{2}"), x), (t, s)])
    ['t &= s_{1}', 's_{1} &= x + 1', 's_{2} &= x']
    """
    blocks = []
    for sym, expr in definitions:  # consecutive names with the same stem (T_1, T_2...) form a block
        stem = sym.name.split("_")[0]
        if not blocks or blocks[-1][0] != stem:
            blocks.append((stem, []))
        blocks[-1][1].append(f"{latex(sym)} &= {_sum_latex(expr)}")
    return [row for _, rows in reversed(blocks) for row in rows]


def _sum_latex(expr, keep_sum: bool = False) -> str:
    """A structured expression: a sum over different denominators (or any sum, with ``keep_sum``)
    stays a sum of its terms instead of being put over a common denominator."""
    terms = sp.Add.make_args(expr)
    if len(terms) > 1 and (keep_sum or len({sp.fraction(t)[1] for t in terms} - {1}) > 1):
        signed = []
        for t in expr.as_ordered_terms():
            neg = t.could_extract_minus_sign()
            signed.append(("-" if neg else "+", expression_latex(-t if neg else t)))
        return _lines(_chunks(signed))
    return expression_latex(expr, width=_LINE)


def weights_latex(eq, *, digits: int = 4) -> str:
    """The equilibrium profile as math only (no prose), e.g. for Jupyter's ``_repr_latex_``.

    Numeric: ``W^* = array``; symbolic: an ``aligned`` block of the closed
    form on the support (weights off the support are zero).

    Examples
    --------
    >>> from symalign import Game, get_family, derive_on_support
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 0]], p=[0.5, 0.5])
    >>> weights_latex(derive_on_support(g, [[0], [0, 1]]))
    'W^* = \\\\begin{array}{c|cc} & \\\\text{x} & \\\\text{y} \\\\\\\\ \\\\hline 1 & 1 & 0 \\\\\\\\ 2 & \\\\frac{1}{2} & \\\\frac{1}{2} \\\\end{array}'
    """
    body, _ = _weights_math(eq, digits)
    if all(sp.sympify(x, strict=True).is_number for x in eq.weights):
        return body
    return "\\begin{aligned}\n" + body + "\n\\end{aligned}"

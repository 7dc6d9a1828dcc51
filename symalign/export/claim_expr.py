"""LaTeX of claim-language expressions, from their syntax tree, with line breaking and the author's notation.

A claim's ``condition``, ``weights``, ``lhs``/``rhs``, ``amount`` and its
``[[claim.define]]`` helpers are written in the claim language
(:mod:`symalign.core.expr`).  They are parsed here with Python's ``ast``
(nothing is executed) and printed node by node:

* a helper call ``Wbar(d)`` prints as the helper's symbol with its
  arguments as subscripts (``\\bar{W}_{d}``), and the helper itself is
  typeset as a ``where`` line (:func:`definitions_tex`), so nothing is
  printed as code;
* names print through a notation table (:class:`Notation`: ``w`` as
  ``\\pi``, ``gamma`` as ``\\gamma``...); subscripts are shifted to the
  write-up's index base (1 by default: the claim language counts from 0, the
  paper from 1), so ``b[0]`` prints as ``b_{1}`` and ``c[1 - d]`` as
  ``c_{3 - d}``;
* :func:`display_tex` breaks a long expression at its top-level
  conjunctions, relations and additive terms into a ``multline*`` whose
  lines stay within the text width.

A construct outside the printer's grammar is refused (:class:`ValueError`
inside, ``\\text{...}`` of the escaped source outside math only as a last
resort from :func:`expression_tex`).

Examples
--------
>>> print(expression_tex("gamma <= alpha*(sum(a[i, k], k) - D*a[i, d]) - D*beta*p[i, d]"))
\\gamma \\le \\alpha \\left(\\sum_{k} a_{i,k} - D a_{i,d}\\right) - D \\beta p_{i,d}
>>> print(expression_tex("b[1] - b[0] < (N + 1)*c[1 - d]"))
b_{2} - b_{1} < \\left(N + 1\\right) c_{3 - d}
>>> print(expression_tex("Wbar(d) > 0", helpers={"Wbar"}, notation=Notation({"W": "\\\\Pi"})))
\\bar{W}_{d} > 0
"""

from __future__ import annotations

import ast
import re

import sympy as sp

from symalign.core.notation import DEFAULT_NOTATION, Notation, current_notation
from symalign.core.printing import escape
from symalign.errors import InputError

__all__ = ["Notation", "expression_tex", "display_tex", "definitions_tex", "DEFAULT_NOTATION"]

_CMP = {ast.Lt: "<", ast.LtE: r"\le", ast.Gt: ">", ast.GtE: r"\ge", ast.Eq: "=", ast.NotEq: r"\ne"}
_FUN = {"log": r"\log", "exp": r"\exp", "min": r"\min", "max": r"\max"}
_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_SIZES = frozenset({"N", "D"})
_RIGHT_OF_ADD = 1.5  # the precedence passed to the right operand of + and -: a sum there needs no parentheses
LINE = 62
"""Visible characters per displayed line (about \\linewidth of an 11pt article with 2.2 cm margins)."""


def _visible(tex: str) -> int:
    """Rough printed width of math LaTeX in characters: a fraction counts as its wider part, macros as one."""
    out, k = 0, 0
    while k < len(tex):
        if tex.startswith(r"\frac", k) or tex.startswith(r"\tfrac", k):
            k = tex.index("{", k)
            num, k = _group(tex, k)
            den, k = _group(tex, k)
            out += max(_visible(num), _visible(den)) + 1
            continue
        if tex.startswith(r"\left", k) or tex.startswith(r"\right", k) or tex.startswith(r"\Bigl", k) \
                or tex.startswith(r"\Bigr", k):
            k += 5 if tex.startswith(r"\left", k) or tex.startswith(r"\Bigl", k) or tex.startswith(r"\Bigr", k) else 6
            continue
        if tex.startswith(r"\mathrm{", k) or tex.startswith(r"\text{", k):
            k = tex.index("{", k)
            inner, k = _group(tex, k)
            out += len(inner)
            continue
        ch = tex[k]
        if ch == "\\":
            m = re.match(r"\\[A-Za-z]+", tex[k:])
            k += len(m.group(0)) if m else 2
            out += 1
            continue
        if ch in "_^":  # scripts are small: count half
            k += 1
            if k < len(tex) and tex[k] == "{":
                inner, k = _group(tex, k)
                out += (_visible(inner) + 1) // 2
            else:
                k += 1
                out += 1
            continue
        if ch not in "{} ":
            out += 2 if ch in "<>=+-" else 1  # relation and operator spacing
        k += 1
    return out


def _group(tex: str, k: int):
    """The brace group starting at ``tex[k] == "{"``: (inside, index after it)."""
    depth, start = 0, k
    while k < len(tex):
        if tex[k] == "{":
            depth += 1
        elif tex[k] == "}":
            depth -= 1
            if depth == 0:
                return tex[start + 1:k], k + 1
        k += 1
    return tex[start + 1:], k


class _Printer:
    def __init__(self, helpers=(), notation: Notation | None = None, index_vars=frozenset()):
        self.helpers = frozenset(helpers)
        self.nt = notation if notation is not None else current_notation()
        self.index_vars = frozenset(index_vars)

    def __call__(self, node, prec=0):
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise ValueError(type(node).__name__)
        return method(node, prec)

    def _Expression(self, node, prec):
        return self(node.body, prec)

    def _Constant(self, node, prec):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ValueError("constant")
        return str(node.value)

    def _Name(self, node, prec):
        return self.nt.name(node.id)

    def index(self, node) -> str:
        """A subscript, shifted from the claim language's 0-based count to the notation's base."""
        if self.nt.index_base == 0:
            return self(node)
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if not names <= (self.index_vars | _SIZES) or any(
                not isinstance(n, (ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Expression, ast.operator,
                                   ast.unaryop, ast.expr_context)) for n in ast.walk(node)):
            return self(node)
        syms = {n: sp.Symbol(n, integer=True) for n in names}
        expr = _index_expr(node, syms)  # built from the syntax tree: the text is never evaluated
        if expr is None:
            return self(node)
        shifted = sp.expand(expr.subs({syms[n]: syms[n] - 1 for n in names if n not in _SIZES}) + 1)
        if isinstance(expr, sp.Symbol) or not shifted.is_polynomial():
            return self(node)
        order = sorted(sp.Add.make_args(shifted), key=lambda t: (t.is_number, sp.default_sort_key(t)))
        if len(order) > 1 and order[0].could_extract_minus_sign():
            order = order[1:] + order[:1]  # 3 - d rather than -d + 3
        out = ""
        for k, t in enumerate(order):
            neg = t.could_extract_minus_sign()
            body = sp.latex(-t if neg else t, symbol_names={s: self.nt.name(s.name) for s in t.free_symbols})
            out += ("-" if neg else "") + body if k == 0 else (" - " if neg else " + ") + body
        return out

    def _Subscript(self, node, prec):
        base, idx = node, []
        while isinstance(base, ast.Subscript):
            sl = base.slice
            parts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
            idx = [self.index(p) for p in parts] + idx
            base = base.value
        return f"{self(base, 5)}_{{{','.join(idx)}}}"

    def _UnaryOp(self, node, prec):
        if isinstance(node.op, ast.USub):
            out = "-" + self(node.operand, 3)
            return rf"\left({out}\right)" if prec > 1 else out
        if isinstance(node.op, ast.Not):
            return r"\neg " + self(node.operand, 5)
        if isinstance(node.op, ast.UAdd):
            return self(node.operand, prec)
        raise ValueError("unary")

    def _BinOp(self, node, prec):
        op = type(node.op)
        if op not in _PREC:
            raise ValueError("operator")
        p = _PREC[op]
        if op is ast.Div:
            return rf"\frac{{{self(node.left)}}}{{{self(node.right)}}}"
        if op is ast.Pow:
            out = f"{self(node.left, 5)}^{{{self(node.right)}}}"
        elif op is ast.Mult:
            out = f"{self(node.left, p)} {self(node.right, p + 1)}"
        else:
            sign = " + " if op is ast.Add else " - "
            out = self(node.left, p) + sign + self(node.right, _RIGHT_OF_ADD)
        return rf"\left({out}\right)" if p < prec else out

    def _Compare(self, node, prec):
        out = self(node.left, 1)
        for op, right in zip(node.ops, node.comparators):
            out += f" {_CMP[type(op)]} {self(right, 1)}"
        return out

    def _BoolOp(self, node, prec):
        sym = r" \wedge " if isinstance(node.op, ast.And) else r" \vee "
        out = sym.join(self(v, 1) for v in node.values)
        return rf"\left({out}\right)" if prec > 0 and isinstance(node.op, ast.Or) else out

    def _Call(self, node, prec):
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise ValueError("call")
        f, args = node.func.id, node.args
        if f in self.helpers:
            inner = ",".join(self.index(a) for a in args)
            return self.nt.name(f) + (f"_{{{inner}}}" if args else "")
        if f in ("sum", "sum_agents", "sum_others") and len(args) == 2 and isinstance(args[1], ast.Name):
            var = self.nt.name(args[1].id)
            sub = {"sum": var, "sum_agents": var, "sum_others": rf"{var} \ne {self.nt.name('i')}"}[f]
            out = rf"\sum_{{{sub}}} {self(args[0], 2)}"
            return rf"\left({out}\right)" if prec > 1 and prec != _RIGHT_OF_ADD else out  # b + \sum_k x_k reads right
        if f == "sqrt" and len(args) == 1:
            return rf"\sqrt{{{self(args[0])}}}"
        if f == "abs" and len(args) == 1:
            return rf"\left|{self(args[0])}\right|"
        if f in _FUN:
            return _FUN[f] + r"\left(" + ", ".join(self(a) for a in args) + r"\right)"
        raise ValueError("function")

    # -- line breaking: top-level pieces, each printable on its own --------------------------------

    def pieces(self, node) -> list:
        """Signed pieces of a top-level expression: [(joiner, latex)], joiner '' for the first."""
        if isinstance(node, ast.Expression):
            return self.pieces(node.body)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            out = []
            for k, v in enumerate(node.values):
                sub = self.pieces(v)
                out += [(r"\wedge" if k and j == 0 else s, t) for j, (s, t) in enumerate(sub)]
            return out
        if isinstance(node, ast.Compare):
            out = self.terms(node.left)
            for op, right in zip(node.ops, node.comparators):
                sub = self.terms(right)
                out += [(_CMP[type(op)] if j == 0 else s, t) for j, (s, t) in enumerate(sub)]
            return out
        return self.terms(node)

    def terms(self, node) -> list:
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            right = self.terms(node.right)
            sign = "+" if isinstance(node.op, ast.Add) else "-"
            if isinstance(node.op, ast.Sub) and len(right) > 1:
                right = [("", rf"\left({self(node.right)}\right)")]
            first = right[0][1]
            return self.terms(node.left) + [(sign, first)] + right[1:]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            num = self.terms(node.left)
            if len(num) > 1 and _visible(self(node)) > LINE:  # a long fraction: 1/den times its numerator's terms
                den = self(node.right)
                return [("", rf"\frac{{1}}{{{den}}} \Bigl({num[0][1]}")] + num[1:-1] + \
                    [(num[-1][0], num[-1][1] + r"\Bigr)")]
        return [("", self(node))]


def _parse(text):
    if not isinstance(text, str):
        raise InputError("expression", text, "expected claim-language text")
    return ast.parse(text.strip(), mode="eval")


def _index_vars(tree, extra=()) -> frozenset:
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return frozenset(n for n in names if len(n) == 1 and n.islower()) | frozenset(extra)


def expression_tex(text: str, *, helpers=(), notation: Notation | None = None) -> str:
    """LaTeX of a claim-language expression or condition on one line (math mode, no delimiters).

    Falls back to ``\\text{...}`` (the text, escaped) for anything outside
    the printer's grammar, so a claim is never typeset as something else.
    """
    notation = notation if notation is not None else current_notation()
    try:
        tree = _parse(text)
        return _Printer(helpers, notation, _index_vars(tree))(tree)
    except (SyntaxError, ValueError, KeyError, RecursionError, TypeError, sp.SympifyError):
        return rf"\text{{{escape(text)}}}"


def _lines_of(pieces, width) -> list:
    lines, cur = [], ""
    for sign, body in pieces:
        seg = (f"{sign} " if sign else "") + body
        if cur and _visible(cur + seg) > width:
            lines.append(cur.rstrip())
            cur = ""
        cur += seg + " "
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def display_tex(text: str, *, lhs: str = "", helpers=(), notation: Notation | None = None,
                width: int = LINE) -> str:
    """A displayed expression (``equation*``, or ``multline*`` broken at top-level pieces when long).

    Examples
    --------
    >>> print(display_tex("gamma < beta*(N - 1)"))
    \\begin{equation*}
    \\gamma < \\beta \\left(N - 1\\right)
    \\end{equation*}
    >>> print(display_tex("alpha*a[i, d] + beta*p[i, d] - gamma*m[i, d] > 0 and beta > gamma", width=10))
    \\begin{multline*}
    \\alpha a_{i,d} + \\beta p_{i,d} \\\\
    - \\gamma m_{i,d} > 0 \\\\
    \\wedge \\beta > \\gamma
    \\end{multline*}
    """
    notation = notation if notation is not None else current_notation()
    try:
        tree = _parse(text)
        pr = _Printer(helpers, notation, _index_vars(tree))
        one = pr(tree)
        pieces = pr.pieces(tree)
    except (SyntaxError, ValueError, KeyError, RecursionError, TypeError, sp.SympifyError):
        return "\\begin{equation*}\n" + rf"\text{{{escape(text)}}}" + "\n\\end{equation*}"
    head = f"{lhs} = " if lhs else ""
    if _visible(head + one) <= width:
        return "\\begin{equation*}\n" + head + one + "\n\\end{equation*}"
    segments = [[]]  # each conjunct starts a line of its own
    for piece in pieces:
        if piece[0] == r"\wedge" and segments[-1]:
            segments.append([])
        segments[-1].append(piece)
    lines = [ln for seg in segments for ln in _lines_of(seg, width)]
    lines[0] = head + lines[0]
    return "\\begin{multline*}\n" + " \\\\\n".join(lines) + "\n\\end{multline*}"


def definitions_tex(defines, *, helpers=(), notation: Notation | None = None, width: int = LINE) -> str:
    """``where`` lines for a claim's ``[[claim.define]]`` helpers, typeset (never as code).

    ``defines`` is a sequence of mappings with ``name``, ``args`` and
    ``body``, in the order of the file (each may use the ones before it).

    Examples
    --------
    >>> print(definitions_tex([{"name": "theta", "args": ["j"], "body": "gamma[j]/(N - 1)"}]))
    \\begin{align*}
    &\\text{where } & \\theta_{j} &= \\frac{\\gamma_{j}}{N - 1}
    \\end{align*}
    """
    notation = notation if notation is not None else current_notation()
    helpers = frozenset(helpers) | {d["name"] for d in defines}
    rows = []
    for k, d in enumerate(defines):
        args = [notation.name(a) for a in d.get("args", ())]
        name = notation.name(d["name"]) + (f"_{{{','.join(args)}}}" if args else "")
        try:
            tree = _parse(d["body"])
            pr = _Printer(helpers, notation, _index_vars(tree, d.get("args", ())))
            lines = _lines_of(pr.pieces(tree), width - 12) if _visible(pr(tree)) > width - 12 else [pr(tree)]
        except (SyntaxError, ValueError, KeyError, RecursionError, TypeError, sp.SympifyError):
            lines = [rf"\text{{{escape(d['body'])}}}"]
        lead = r"&\text{where } & " if k == 0 else "&& "
        rows.append(f"{lead}{name} &= {lines[0]}")
        rows += [rf"&& &\qquad {ln}" for ln in lines[1:]]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


_INDEX_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}


def _index_expr(node, syms):
    """The SymPy value of an index expression (names, small integers, + - *), or None outside that grammar."""
    if isinstance(node, ast.Expression):
        return _index_expr(node.body, syms)
    if isinstance(node, ast.Name):
        return syms.get(node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool) \
            and abs(node.value) < 10**6:
        return sp.Integer(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _index_expr(node.operand, syms)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and type(node.op) in _INDEX_OPS:
        left, right = _index_expr(node.left, syms), _index_expr(node.right, syms)
        return None if left is None or right is None else _INDEX_OPS[type(node.op)](left, right)
    return None

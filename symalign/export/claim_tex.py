"""LaTeX of what a claim file states, typeset from its parsed expressions (not from the author's text).

A claim's ``condition``, ``weights``, ``lhs``/``rhs`` and ``amount`` are
written in the claim language (:mod:`symalign.core.expr`).  They are parsed
here with Python's ``ast`` (nothing is executed) and printed node by node,
keeping the free indices ``i``, ``d`` and summation variables symbolic, so
the LaTeX shows exactly the expression symalign checked.  A construct the
printer does not know is shown verbatim in ``\\texttt``.

Examples
--------
>>> print(expression_tex("gamma <= alpha*(sum(a[i, k], k) - D*a[i, d]) - D*beta*p[i, d]"))
\\gamma \\le \\alpha \\left(\\sum_{k} a_{i,k} - D a_{i,d}\\right) - D \\beta p_{i,d}
>>> print(expression_tex("gamma < beta*min(N - 1, 150) and beta > 0"))
\\gamma < \\beta \\min\\left(N - 1, 150\\right) \\wedge \\beta > 0
"""

from __future__ import annotations

import ast
import re

import sympy as sp

from symalign.core.printing import escape

__all__ = ["expression_tex", "claim_statement_tex", "claim_latex"]

_CMP = {ast.Lt: "<", ast.LtE: r"\le", ast.Gt: ">", ast.GtE: r"\ge", ast.Eq: "=", ast.NotEq: r"\ne"}
_FUN = {"log": r"\log", "exp": r"\exp", "min": r"\min", "max": r"\max"}
_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def _name(name: str) -> str:
    return sp.latex(sp.Symbol(name))


class _Printer:
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
        return _name(node.id)

    def _Subscript(self, node, prec):
        base, idx = node, []
        while isinstance(base, ast.Subscript):
            sl = base.slice
            parts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
            idx = [self(p) for p in parts] + idx
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
            out = self(node.left, p) + sign + self(node.right, p + 1)
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
        if f in ("sum", "sum_agents", "sum_others") and len(args) == 2 and isinstance(args[1], ast.Name):
            var = _name(args[1].id)
            sub = {"sum": var, "sum_agents": var, "sum_others": rf"{var} \ne i"}[f]
            out = rf"\sum_{{{sub}}} {self(args[0], 2)}"
            return rf"\left({out}\right)" if prec > 1 else out
        if f == "sqrt" and len(args) == 1:
            return rf"\sqrt{{{self(args[0])}}}"
        if f == "abs" and len(args) == 1:
            return rf"\left|{self(args[0])}\right|"
        if f in _FUN:
            return _FUN[f] + r"\left(" + ", ".join(self(a) for a in args) + r"\right)"
        raise ValueError("function")


def expression_tex(text: str) -> str:
    """LaTeX of a claim-language expression or condition, from its syntax tree.

    Falls back to ``\\texttt{...}`` (the text, escaped) for anything outside
    the printer's grammar, so a claim is never typeset as something else.
    """
    try:
        return _Printer()(ast.parse(text.strip(), mode="eval"))
    except (SyntaxError, ValueError, KeyError, RecursionError):
        return rf"\texttt{{{escape(text)}}}"


_FIELDS = {
    "existence": ("condition",), "uniqueness": ("condition",), "exclusion_threshold": ("condition",),
    "dynamics": ("condition",), "closed_form": ("weights",), "identity": ("lhs", "rhs"),
    "steering": ("amount",), "best_response": ("argument",),
}


def claim_statement_tex(claim) -> str:
    """The checked part of a claim, typeset: what symalign compares, by claim kind.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(kind="uniqueness", body={"condition": "gamma < beta*(N - 1)", "relation": "iff"})
    >>> print(claim_statement_tex(c))
    Checked condition (relation: iff):
    \\begin{equation*}
    \\gamma < \\beta \\left(N - 1\\right)
    \\end{equation*}
    """
    kind = getattr(claim, "kind", "")
    body = getattr(claim, "body", None) or {}
    fields = [f for f in _FIELDS.get(kind, ()) if isinstance(body.get(f), str)]
    if not fields:
        return ""
    if kind == "identity":
        math = expression_tex(body["lhs"]) + " = " + expression_tex(body["rhs"])
        head = "Checked identity:"
    elif kind == "closed_form":
        math = r"w^*_{i,d} = " + expression_tex(body["weights"])
        head = "Checked closed form:"
    elif kind == "steering":
        math = r"s^*_d = " + expression_tex(body["amount"])
        head = f"Checked minimal subsidy (scope: {escape(str(body.get('scope', 'all')).replace('_', ' '))}):"
    else:
        math = expression_tex(body[fields[0]])
        extra = [f"relation: {body['relation']}"] if isinstance(body.get("relation"), str) else []
        if isinstance(body.get("scope"), str):
            extra.append(f"scope: {body['scope'].replace('_', ' ')}")
        head = "Checked condition" + (f" ({escape('; '.join(extra))})" if extra else "") + ":"
    out = f"{head}\n\\begin{{equation*}}\n{math}\n\\end{{equation*}}"
    if any("[" in body[f] or re.search(r"\w\(\s*\d", body[f]) for f in fields) or isinstance(body.get("group"), int):
        out += "\n" + INDEX_NOTE
    return out


INDEX_NOTE = (r"\emph{Indices:} in the claim file's expressions (and its integer \texttt{group}) agents and groups "
              r"are counted from 0, as in the file; in subscripts of symbols (e.g.\ counterexample values "
              r"$a_{1,2}$) and in the text, from 1, as in the paper.")
"""The one index convention, stated wherever a write-up shows claim-file expressions."""


_TRUE = ("proved", "derived")


def _norm(tex: str) -> str:
    return "".join(tex.split())


def claim_latex(claim, result=None) -> str:
    """A claim file as LaTeX: its statement, the condition symalign checked, and the outcome.

    The environment follows the *checked* status, never the stated one: a
    theorem when symalign proved or derived it, a claim marked "checked on
    samples, not proved" when only samples or simulations support it,
    "Claim (refuted)" with the
    counterexample when refuted, a conjecture when open or not checked
    (``result`` None).  The checked part is typeset from the parsed claim
    expressions (:func:`claim_statement_tex`); the author's free ``latex``
    field is shown as written only when it is the same LaTeX, otherwise
    below it, flagged as not checked.

    Works with :class:`symalign.claims.schema.Claim` and, by duck typing,
    with any object with some of ``id``, ``title``, ``kind``, ``body``,
    ``statement``, ``latex``, ``hypotheses``, ``expected``, ``reference``,
    ``path``; ``result`` is a :class:`symalign.claims.checks.ClaimResult`
    (or anything with ``status`` and optionally ``counterexample``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> claim = SimpleNamespace(id="T2", title="Uniqueness", kind="uniqueness", statement="DSC iff gamma is below twice beta.",
    ...                         body={"condition": "gamma < 2*beta"}, latex=r"\\gamma < 3\\beta",
    ...                         expected="proved", reference="Rosen 1965", path="theorems/t2.toml")
    >>> print(claim_latex(claim, SimpleNamespace(status="proved")))
    % claim file: theorems/t2.toml
    \\begin{theorem}[Uniqueness]\\label{claim:T2}
    DSC iff gamma is below twice beta.
    Checked condition:
    \\begin{equation*}
    \\gamma < 2 \\beta
    \\end{equation*}
    \\end{theorem}
    \\noindent\\emph{Status:} proved (stated), proved (checked by symalign). \\emph{Reference:} Rosen 1965.
    \\par\\noindent\\emph{The claim file's own LaTeX, not checked by symalign (it differs from the checked condition):} $\\gamma < 3\\beta$
    >>> print(claim_latex(claim, SimpleNamespace(status="refuted", counterexample={sp.Symbol("gamma"): 3, sp.Symbol("beta"): 1})))
    ... # doctest: +ELLIPSIS
    % claim file: theorems/t2.toml
    \\begin{claim}[refuted: Uniqueness]\\label{claim:T2}
    ...
    Counterexample: $\\beta = 1, \\gamma = 3$.
    \\end{claim}
    ...
    """
    from symalign.export.results_tex import _counterexample, _relation_latex, _status, text, theorem

    statement = getattr(claim, "statement", None) or ""
    body = text(" ".join(statement.split())) if isinstance(statement, str) else ""
    checked = claim_statement_tex(claim)
    author = (getattr(claim, "latex", "") or "").strip()
    author_note = ""
    if checked:
        body += ("\n" if body else "") + checked
        if author and _norm(author) not in _norm(checked):
            author_note = (r"\par\noindent\emph{The claim file's own LaTeX, not checked by symalign (it differs "
                           r"from the checked condition):} $" + author + "$")
    elif author:
        author_note = r"\par\noindent\emph{The claim file's own LaTeX, not checked by symalign:} $" + author + "$"
    ident = getattr(claim, "id", None) or getattr(claim, "name", None)
    title = getattr(claim, "title", None) or ident
    path = next((getattr(claim, k) for k in ("path", "source", "file") if getattr(claim, k, None)), None)
    hyps = getattr(claim, "hypotheses", None) or ()
    hyps = [hyps] if isinstance(hyps, str) else [h for h in hyps if h is not sp.true and h is not True]
    if hyps:
        items = [f"${expression_tex(h)}$" if isinstance(h, str) else f"${_relation_latex(h)}$" for h in hyps]
        body = "Assume " + ", ".join(items) + ". Then:\n" + body
    stated = getattr(claim, "expected", None) or getattr(claim, "status", None)
    stated = getattr(stated, "status", stated)
    status = f"{stated} (stated)" if stated else None
    checked_status = _status(result) if result is not None else None
    if result is not None:
        status = (status + ", " if status else "") + f"{checked_status} (checked by symalign)"
    if checked_status in _TRUE:
        env, heading = "theorem", title
    elif checked_status == "checked-by-property":  # samples or simulations support it: evidence, not a theorem
        env, heading = "claim", f"checked on samples, not proved: {title}" if title else "checked on samples, not proved"
    elif checked_status == "refuted":
        env, heading = "claim", f"refuted: {title}" if title else "refuted"
        cex = _counterexample(result) or _counterexample(claim)
        body += "\n" + (cex or "No counterexample point is recorded.")
        recheck = getattr(result, "recheck", "") if result is not None else ""
        if isinstance(recheck, str) and recheck:
            body += "\nRe-checked independently: " + text(" ".join(recheck.split())) + "."
    else:
        env = "conjecture"
        what = "not checked" if result is None else f"{checked_status}: not established by symalign"
        heading = f"{what}: {title}" if title else what
    out = theorem(body, title=str(heading) if heading else None, label=f"claim:{ident}" if ident else None,
                  env=env, status=status, reference=getattr(claim, "reference", None) or None,
                  claim_file=str(path) if path else None)
    return out + ("\n" + author_note if author_note else "")

"""The syntax an expression may use: a whitelist over Python's syntax tree, checked before any evaluation.

:func:`whitelisted_tree` parses a text with ``ast.parse(text, mode="eval")``
(nothing is executed) and walks the tree: anything outside the language of
:mod:`symalign.core.expr` (attribute access, lambda, comprehensions,
literals other than numbers, calls of undeclared names, nesting deeper than
:data:`MAX_DEPTH`, overlong number literals) raises
:class:`~symalign.errors.ExpressionError` naming the piece.
:mod:`symalign.core.expr` then builds SymPy objects from the checked tree.

Examples
--------
>>> whitelisted_tree(" x + 1 ", frozenset())[0]
'x + 1'
>>> whitelisted_tree("x.__class__", frozenset())
Traceback (most recent call last):
...
symalign.errors.ExpressionError: in expression 'x.__class__': attribute access is not allowed: 'x.__class__'
"""

from __future__ import annotations

import ast
import re

from symalign.core import limits
from symalign.errors import ExpressionError

__all__ = ["MAX_DEPTH", "BINOP_NODES", "CMPOP_NODES", "whitelisted_tree", "same_chain"]

MAX_DEPTH = 100          # deepest nesting of brackets and of the expression tree
BINOP_NODES = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
CMPOP_NODES = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Call,
            ast.Name, ast.Constant, ast.Subscript, ast.Tuple, ast.Load, ast.And, ast.Or,
            ast.USub, ast.UAdd, ast.Not, *BINOP_NODES, *CMPOP_NODES)
_REASONS = {
    ast.Attribute: "attribute access is not allowed", ast.Lambda: "lambda is not allowed",
    **dict.fromkeys((ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp),
                    "comprehensions and generator expressions are not allowed"),
    **dict.fromkeys((ast.List, ast.Dict, ast.Set), "list, dict and set literals are not allowed"),
    ast.JoinedStr: "f-strings are not allowed", ast.Starred: "starred arguments are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed", ast.Slice: "slices are not allowed",
    ast.IfExp: "conditional expressions (a if c else b) are not allowed",
    ast.BitXor: "'^' is not allowed; use '**' for powers", ast.BitAnd: "'&' is not allowed; use 'and'",
    ast.BitOr: "'|' is not allowed; use 'or'", ast.Invert: "'~' is not allowed; use 'not'",
}


def whitelisted_tree(text: str, calls: frozenset | None) -> tuple[str, ast.Expression]:
    """Length, bracket depth, syntax and whitelist checks; return (stripped text, tree).

    ``calls``: the function names a call may use (None: any name, as when only the names are listed).
    """
    if not isinstance(text, str):
        raise ExpressionError(repr(text)[:80], type(text).__name__, "expression must be a string")
    max_chars = limits.current().expression_chars
    if len(text) > max_chars:
        raise ExpressionError(text[:60] + "...", f"{len(text)} characters",
                              f"text is longer than {max_chars} characters (the limit expression_chars; "
                              f"raise it with {limits.flag('expression_chars')})")
    text = text.strip()
    if not text:
        raise ExpressionError(text, text, "expression is empty")
    depth = 0
    for pos, char in enumerate(text):
        depth += (char in "([{") - (char in ")]}")
        if depth > MAX_DEPTH:
            raise ExpressionError(text, text[max(0, pos - 20):pos + 1], f"brackets nested deeper than {MAX_DEPTH}")
    run = re.search(r"\d[\d_]{%d,}" % (4 * limits.current().number_digits), text)
    if run:  # a number literal far over the digit limit: refused before Python converts it (or refuses to)
        raise ExpressionError(text, run.group()[:20] + "...", f"number too large: {len(run.group())} digits exceed the limit "
                              f"number_digits = {limits.current().number_digits} "
                              f"(raise it with {limits.flag('number_digits')})")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = max((exc.offset or 1) - 1, 0)
        line = (exc.text or text).rstrip("\n")
        where = f" at line {exc.lineno}, column {col + 1}" if exc.lineno else ""
        raise ExpressionError(text, line[max(0, col - 20):col + 20] or line,
                              f"syntax error{where}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(text, text[:60], f"expression nested deeper than {MAX_DEPTH}") from None

    def fail(node: ast.AST, parent: ast.AST, reason: str):
        piece = ast.get_source_segment(text, node) or ast.get_source_segment(text, parent)
        raise ExpressionError(text, piece or text, reason)  # operators have no position: use parent

    stack = [(tree, 0, False, tree)]
    while stack:
        node, depth, in_index, parent = stack.pop()
        if depth > MAX_DEPTH:
            fail(node, parent, f"expression nested deeper than {MAX_DEPTH}")
        if not isinstance(node, _ALLOWED):
            reason = _REASONS.get(type(node), f"{type(node).__name__} is not allowed")
            if isinstance(node, ast.cmpop):
                reason = "only < <= > >= == != comparisons are allowed"
            elif isinstance(node, ast.operator) and type(node) not in _REASONS:
                reason = "only the operators + - * / ** are allowed"
            fail(node, parent, reason)
        if isinstance(node, ast.Tuple) and not in_index:
            fail(node, parent, "tuples are only allowed as indices, as in W[j, d]")
        if isinstance(node, ast.Constant) and type(node.value) not in (int, float, bool):
            what = "strings" if isinstance(node.value, (str, bytes)) else f"{node.value!r} literals"
            fail(node, parent, f"{what} are not allowed")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                bad = node.func if isinstance(node.func, ast.Attribute) else node
                fail(bad, node, _REASONS.get(type(node.func), "only named functions can be called"))
            if node.keywords:
                fail(node, parent, "keyword arguments are not allowed")
            if calls is not None and node.func.id not in calls:
                fail(node, parent, f"call to undeclared function {node.func.id!r}")
        for child in reversed(list(ast.iter_child_nodes(node))):
            sub = isinstance(node, ast.Subscript) and child is node.slice
            flat = same_chain(node, child)  # a + b + c + ... is long, not deep
            stack.append((child, depth + (isinstance(child, ast.expr) and not flat), sub, node))
    return text, tree


_CHAINS = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))


def _chain_group(node) -> int | None:
    if isinstance(node, ast.BinOp):
        for k, ops in enumerate(_CHAINS):
            if isinstance(node.op, ops):
                return k
    return None


def same_chain(parent, child) -> bool:
    """True for the left operand of a left-associative chain of + - (or * /) of the same kind."""
    return (isinstance(parent, ast.BinOp) and child is parent.left
            and _chain_group(parent) is not None and _chain_group(parent) == _chain_group(child))



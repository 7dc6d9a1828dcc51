"""Safe parsing of user expressions (utilities, hypotheses, claims) into SymPy.

Nothing in the text is ever executed: the text goes through
``ast.parse(text, mode="eval")`` and a whitelist walker builds SymPy objects
directly.  Anything outside the language below raises
:class:`~symalign.errors.ExpressionError` naming the offending piece.

Language: integer and decimal literals (decimals are exact rationals),
``+ - * / **``, unary ``+``/``-``, parentheses, comparisons
``< <= > >= == !=`` (chains allowed), ``and or not``, names and indexing
(``w[d]``, ``W[j, d]``, ``W[j][d]``) declared by a :class:`Scope`, the
functions ``log exp sqrt abs Abs min max implies``, the bounded sums
``sum(body, d)``, ``sum(body, d, lo, hi)``, ``sum_others(body, j)``,
``sum_agents(body, j)``, and the extra functions of the scope.

Limits keep hostile files cheap: at most ``MAX_LENGTH`` characters, nesting
at most ``MAX_DEPTH`` deep, numbers of at most 10 000 bits (1 000 bits under
a root or in ``exp``), sum ranges of at most 10 000 and 100 000 evaluation
steps.  SymPy's own automatic evaluation is not otherwise time-bounded.

Examples
--------
>>> import sympy as sp
>>> x, y = sp.symbols("x y")
>>> parse_expression("0.1*x + y**2", Scope({"x": x, "y": y}))
x/10 + y**2
>>> parse_condition("0 < x < 1", Scope({"x": x}))
(0 < x) & (x < 1)
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Mapping

import sympy as sp
from sympy.logic.boolalg import Boolean

from symalign.core import limits
from symalign.core.syntax import MAX_DEPTH, same_chain, whitelisted_tree
from symalign.errors import ExpressionError, InputError, LimitExceeded

__all__ = ["Scope", "parse_expression", "parse_condition", "referenced_names",
           "MAX_LENGTH", "MAX_DEPTH", "RESERVED"]

MAX_LENGTH = 10_000      # default longest text (the limit in force: symalign.core.limits, expression_chars)
_MAX_BITS = 10_000       # largest numerator/denominator (3000 digits: still printable)
_MAX_SLOW_BITS = 1_000   # largest number under a root (SymPy factors it) or in exp()
_MAX_STEPS = 100_000     # node evaluations (bounds the expansion of nested sums)

_FUNCS = {"log": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "Abs": sp.Abs, "abs": sp.Abs}
_SUMS = ("sum", "sum_others", "sum_agents")
RESERVED = frozenset(_FUNCS) | {"min", "max", "implies", *_SUMS}
_BINOPS = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul,
           ast.Div: lambda a, b: a / b, ast.Pow: sp.Pow}
_CMPOPS = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge,
           ast.Eq: sp.Eq, ast.NotEq: sp.Ne}
_FLOAT_EXP = re.compile(r"[eE]([+-]?[0-9_]+)$")


@dataclass(frozen=True)
class Scope:
    """What a text may refer to.

    Parameters
    ----------
    names : Mapping[str, object]
        Scalars (SymPy expressions or ints) or nested sequences of them
        (lists, tuples, SymPy matrices).  A matrix with one column is a
        vector (``w[d]``); any other matrix is indexed ``W[j, d]`` or ``W[j][d]``.
    n_groups : int, optional
        Range of ``sum(body, d)``.
    n_agents, own_index : int, optional
        Range of ``sum_agents`` / ``sum_others`` and the index they skip.
    functions : Mapping[str, Callable]
        Extra functions, called with the evaluated SymPy arguments.
    """

    names: Mapping[str, object]
    n_groups: int | None = None
    n_agents: int | None = None
    own_index: int | None = None
    functions: Mapping[str, Callable] = field(default_factory=dict)

    def __post_init__(self):
        for arg in ("n_groups", "n_agents"):
            value = getattr(self, arg)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise InputError(arg, value, "expected a non-negative int or None")
        if self.own_index is not None and not (
                isinstance(self.own_index, int) and 0 <= self.own_index < (self.n_agents or 0)):
            raise InputError("own_index", self.own_index, "expected an int in range(n_agents)")
        for name, func in self.functions.items():
            if name in RESERVED or name in self.names or not callable(func):
                raise InputError("functions", name, "must be callable and not a built-in or scope name")


def parse_expression(text: str, scope: Scope) -> sp.Expr:
    """Parse an arithmetic ``text`` into a SymPy expression.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"sum(w[d] * a[d], d) - 0.5 * x**2"``.
    scope : Scope
        Names, ranges and extra functions the text may use.

    Raises
    ------
    ExpressionError
        If the text is not in the language, refers to something the scope
        does not declare, or is a relation / boolean.

    Examples
    --------
    >>> import sympy as sp
    >>> w = sp.symbols("w0:3")
    >>> parse_expression("sum(w[d]**2, d)", Scope({"w": w}, n_groups=3))
    w0**2 + w1**2 + w2**2
    """
    return _Evaluator(text, scope).run("expression")


def parse_condition(text: str, scope: Scope) -> sp.Basic:
    """Parse a relation or boolean combination of relations.

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b")
    >>> parse_condition("implies(a > 0, b >= a)", Scope({"a": a, "b": b}))
    Implies(a > 0, b >= a)
    """
    return _Evaluator(text, scope).run("condition")


def referenced_names(text: str) -> frozenset[str]:
    """Free names of ``text`` (not function names, not bound sum indices).

    Examples
    --------
    >>> sorted(referenced_names("sum(w[d] * a[d], d) + c(x)"))
    ['a', 'w', 'x']
    """
    text, tree = whitelisted_tree(text, None)
    found: set[str] = set()

    def walk(node: ast.AST, bound: frozenset) -> None:
        if isinstance(node, ast.Name):
            if node.id not in bound:
                found.add(node.id)
        elif isinstance(node, ast.Call):
            args = node.args
            if node.func.id in _SUMS and len(args) >= 2 and isinstance(args[1], ast.Name):
                walk(args[0], bound | {args[1].id})
                args = args[2:]
            for arg in args:
                walk(arg, bound)
        else:
            for child in ast.iter_child_nodes(node):
                walk(child, bound)

    walk(tree.body, frozenset())
    return frozenset(found)


def _to_value(obj: object):
    """Scope / function value -> SymPy scalar or nested tuple (vector, matrix)."""
    if isinstance(obj, sp.MatrixBase):
        return tuple(obj) if obj.cols == 1 else tuple(tuple(obj.row(r)) for r in range(obj.rows))
    if isinstance(obj, (list, tuple)):
        return tuple(_to_value(o) for o in obj)
    if isinstance(obj, bool):
        return sp.true if obj else sp.false
    if isinstance(obj, int):
        return sp.Integer(obj)
    if isinstance(obj, Fraction):
        return sp.Rational(obj.numerator, obj.denominator)
    if isinstance(obj, float) and math.isfinite(obj):
        return sp.Rational(repr(obj))  # shortest decimal: 0.1 -> 1/10, as symalign.core.params.exact
    if isinstance(obj, sp.Basic):
        return obj
    raise TypeError(f"unsupported value {obj!r} of type {type(obj).__name__}")


def _bits(r: sp.Rational) -> int:
    return max(abs(r.p), r.q).bit_length()


class _Evaluator:
    """Walks a whitelisted tree and builds SymPy objects."""

    def __init__(self, text: str, scope: Scope):
        self.scope = scope
        self.text, self.tree = whitelisted_tree(text, RESERVED | frozenset(scope.functions))
        self.bound: dict[str, sp.Integer] = {}
        self.cache: dict[str, object] = {}
        self.steps = 0

    def fail(self, node: ast.AST, reason: str):
        raise ExpressionError(self.text, ast.get_source_segment(self.text, node) or self.text, reason)

    def run(self, kind: str):
        try:
            value = self.scalar(self.tree.body) if kind == "expression" else self.boolean(self.tree.body)
        except ExpressionError:
            raise
        except (TypeError, ValueError, ArithmeticError) as exc:  # raised by SymPy itself
            raise ExpressionError(self.text, self.text, f"cannot build the expression: {exc}") from None
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            self.fail(self.tree.body, "the expression is undefined (division by zero or infinity)")
        if value.has(sp.I):
            self.fail(self.tree.body, "complex numbers are not allowed (e.g. sqrt or log of a negative number)")
        try:
            limits.check_digits(value, "expression", shown=self.text[:60])
        except LimitExceeded as exc:
            self.fail(self.tree.body, exc.reason)
        degree, most = limits.degree_bound(value), limits.current().expression_degree
        if degree > most:
            self.fail(self.tree.body, f"total degree {degree} exceeds the limit expression_degree = {most} "
                                      f"(raise it with {limits.flag('expression_degree')})")
        return value

    def scalar(self, node: ast.AST) -> sp.Expr:
        value = self.eval(node)
        if isinstance(value, tuple):
            self.fail(node, "a vector or matrix must be indexed down to a scalar here")
        if not isinstance(value, sp.Expr) or isinstance(value, sp.MatrixBase):
            self.fail(node, "expected an arithmetic expression, got a relation or boolean")
        return value

    def boolean(self, node: ast.AST) -> Boolean:
        value = self.eval(node)
        if not isinstance(value, Boolean):
            self.fail(node, "expected a relation or boolean condition, got an arithmetic expression")
        return value

    def integer(self, node: ast.AST) -> int:
        value = self.eval(node)
        if not isinstance(value, sp.Integer):
            self.fail(node, "index and range bounds must be integers")
        return int(value)

    def eval(self, node: ast.AST):
        self.steps += 1
        if self.steps > _MAX_STEPS:
            self.fail(self.tree.body, f"expression expands to more than {_MAX_STEPS} terms")
        method = getattr(self, "eval_" + type(node).__name__)
        return method(node)

    def eval_Constant(self, node: ast.Constant):
        if isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if isinstance(node.value, int):
            value = sp.Integer(node.value)
        else:  # exact value of the decimal as written, not of the binary float
            source = ast.get_source_segment(self.text, node).replace("_", "")
            exponent = _FLOAT_EXP.search(source)
            if exponent and abs(int(exponent.group(1))) > _MAX_BITS:
                self.fail(node, "number too large")
            frac = Fraction(source)
            value = sp.Rational(frac.numerator, frac.denominator)
        if _bits(value) > _MAX_BITS:
            self.fail(node, "number too large")
        return value

    def eval_Name(self, node: ast.Name):
        if node.id in self.bound:
            return self.bound[node.id]
        if node.id not in self.scope.names:
            self.fail(node, f"name {node.id!r} is not declared")
        if node.id not in self.cache:
            try:
                self.cache[node.id] = _to_value(self.scope.names[node.id])
            except TypeError as exc:
                self.fail(node, f"scope entry {node.id!r}: {exc}")
        return self.cache[node.id]

    def eval_Subscript(self, node: ast.Subscript):
        value = self.eval(node.value)
        indices = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        for index in indices:
            if not isinstance(value, tuple):
                self.fail(node, "only vectors and matrices can be indexed")
            k = self.integer(index)
            if not 0 <= k < len(value):
                self.fail(index, f"index {k} out of range 0..{len(value) - 1}")
            value = value[k]
        return value

    def eval_UnaryOp(self, node: ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return sp.Not(self.boolean(node.operand))
        value = self.scalar(node.operand)
        return -value if isinstance(node.op, ast.USub) else value

    def eval_BinOp(self, node: ast.BinOp):
        chain = [node]  # evaluate a + b + c + ... iteratively (no recursion per term)
        while same_chain(chain[-1], chain[-1].left):
            chain.append(chain[-1].left)
        value = self.scalar(chain[-1].left)
        for link in reversed(chain):
            self.steps += 1
            value = self.binop(link, value, self.scalar(link.right))
        return value

    def binop(self, node: ast.BinOp, left, right):
        if isinstance(node.op, ast.Div) and right.is_zero:
            self.fail(node, "division by zero")
        if isinstance(node.op, ast.Pow):
            self.check_power(node, left, right)
        value = _BINOPS[type(node.op)](left, right)
        coeff = value.as_coeff_Mul()[0]
        if coeff.is_Rational and _bits(coeff) > _MAX_BITS:
            self.fail(node, "number too large")
        return value

    def check_power(self, node: ast.AST, base: sp.Expr, exponent: sp.Expr) -> None:
        """Refuse powers whose evaluation by SymPy would take too long."""
        if not exponent.is_Rational:
            return
        bits = max(map(_bits, base.atoms(sp.Rational)), default=1)
        if bits * abs(exponent) > _MAX_BITS or (exponent.q != 1 and bits > _MAX_SLOW_BITS):
            self.fail(node, "power too large")

    def eval_BoolOp(self, node: ast.BoolOp):
        op = sp.And if isinstance(node.op, ast.And) else sp.Or
        return op(*(self.boolean(v) for v in node.values))

    def eval_Compare(self, node: ast.Compare):
        values = [self.scalar(node.left)] + [self.scalar(c) for c in node.comparators]
        pairs = [_CMPOPS[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:])]
        return pairs[0] if len(pairs) == 1 else sp.And(*pairs)

    def eval_Call(self, node: ast.Call):
        name, args = node.func.id, node.args
        if name in _SUMS:
            return self.sum(node, name, args)
        if name in _FUNCS:
            if len(args) != 1:
                self.fail(node, f"{name} takes exactly one argument")
            arg = self.scalar(args[0])
            if name in ("sqrt", "exp"):  # SymPy factors roots, evaluates exp numerically
                self.check_power(node, arg, sp.Rational(1, 2))
            if name == "exp" and arg.is_number:
                self.check_exp(node, arg)
            return _FUNCS[name](arg)
        if name in ("min", "max"):
            if not args:
                self.fail(node, f"{name} needs at least one argument")
            return (sp.Min if name == "min" else sp.Max)(*(self.scalar(a) for a in args))
        if name == "implies":
            if len(args) != 2:
                self.fail(node, "implies takes exactly two arguments")
            return sp.Implies(self.boolean(args[0]), self.boolean(args[1]))
        values = [self.eval(a) for a in args]
        try:
            return _to_value(self.scope.functions[name](*values))
        except (TypeError, ValueError, ArithmeticError) as exc:
            self.fail(node, f"function {name!r} failed: {exc}")

    def check_exp(self, node, arg):
        """Refuse ``exp`` of a constant whose value would have more than ``number_digits`` digits."""
        digits = limits.current().number_digits
        bound = digits * 2.302585092994046  # ln(10**digits)
        try:
            size = float(sp.Abs(arg).evalf(15))
        except (ArithmeticError, TypeError, ValueError):
            size = float("inf")
        if not size <= bound:
            self.fail(node, f"exp of a constant of size {size:.6g} exceeds the limit number_digits = {digits} "
                            f"(raise it with {limits.flag('number_digits')})")

    def sum(self, node: ast.Call, name: str, args: list):
        s = self.scope
        if len(args) not in ((2, 4) if name == "sum" else (2,)):
            self.fail(node, f"{name} takes (body, index)" + (" or (body, index, lo, hi)" if name == "sum" else ""))
        var = args[1]
        if not isinstance(var, ast.Name):
            self.fail(var, f"the index of {name} must be a bare name")
        if var.id in s.names or var.id in s.functions or var.id in RESERVED or var.id in self.bound:
            self.fail(var, f"index {var.id!r} shadows a name already in use")
        if len(args) == 4:
            indices = range(self.integer(args[2]), self.integer(args[3]))
            if len(indices) > MAX_LENGTH:
                self.fail(node, f"sum range longer than {MAX_LENGTH}")
        elif name == "sum":
            if s.n_groups is None:
                self.fail(node, "sum(body, d) needs n_groups, which this context does not provide")
            indices = range(s.n_groups)
        elif s.n_agents is None or (name == "sum_others" and s.own_index is None):
            self.fail(node, f"{name} needs n_agents" + (" and own_index" if name == "sum_others" else "")
                      + ", which this context does not provide")
        else:
            indices = [j for j in range(s.n_agents) if name == "sum_agents" or j != s.own_index]
        terms = []
        for k in indices:
            self.bound[var.id] = sp.Integer(k)
            try:
                terms.append(self.scalar(args[0]))
            finally:
                del self.bound[var.id]
        return sp.Add(*terms)

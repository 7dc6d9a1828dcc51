"""Concavity proved by structure: curvature and sign rules over the SymPy expression tree.

In the spirit of disciplined convex programming (Grant, Boyd & Ye 2006;
CVXPY's curvature and sign analysis), :func:`curvature_tree` labels every
node of an expression with its curvature in the given variables
(``constant``, ``affine``, ``concave``, ``convex`` or ``unknown``) and its
sign (``nonneg``, ``nonpos`` or ``any``), by one rule per node:

* ``constant`` (no variable), ``affine`` (degree <= 1 in the variables),
  ``quadratic`` (degree 2 with a constant rational Hessian, decided by an exact
  semidefiniteness test);
* ``sum``; ``scale`` (a constant factor of known sign);
* composition with an atom of known curvature and monotonicity on the sign
  of its argument: ``x^r`` (``0 < r < 1`` concave nondecreasing on
  ``x >= 0``; ``r > 1`` convex; ``r < 0`` convex nonincreasing on ``x > 0``),
  ``log`` (concave nondecreasing), ``exp`` (convex nondecreasing), ``Abs``
  (convex), ``Max`` (convex nondecreasing), ``Min`` (concave nondecreasing);
* ``entropy``: ``x log(k x)`` with ``k > 0`` constant, convex for affine ``x``;
* ``ratio``: ``x/(x + c)`` with ``c >= 0`` constant, concave nondecreasing
  in ``x`` where ``x + c > 0`` (contest success functions: Tullock, lottery
  Blotto).

The result is a tree of frozen :class:`Node` data: a certificate that
:func:`check_tree` re-checks node by node (each node's expression is the
combination of its children's, and each label follows from theirs by the
named rule) without calling the analyser.  Curvature is claimed on the
domain where the expression is defined (logs and denominators positive).
A rule that does not apply gives ``unknown``: a false negative is only
slower (the caller falls back to Hessian sign proofs), a false positive
would be a bug.

Examples
--------
>>> x, y = sp.symbols("x y", nonnegative=True)
>>> c = sp.Symbol("c", nonnegative=True)
>>> t = curvature_tree(3 * sp.sqrt(x) / (sp.sqrt(x) + c) - x * sp.log(x), (x, y))
>>> t.curvature, t.rule
('concave', 'sum')
>>> check_tree(t, (x, y))
True
>>> curvature_tree(x**3 / (x**3 + c), (x,)).curvature
'unknown'
>>> curvature_tree(-abs(x - sp.Rational(1, 3)) - (x + y)**2, (x, y)).curvature
'concave'
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["Node", "curvature_tree", "check_tree", "strictly_concave", "CURVATURES"]

CURVATURES = ("constant", "affine", "concave", "convex", "unknown")


@dataclass(frozen=True)
class Node:
    """One node of a curvature certificate.

    Attributes
    ----------
    expr : sympy.Expr
        The sub-expression this node labels.
    rule : str
        The rule that gives the labels (see the module docstring).
    curvature : str
        One of :data:`CURVATURES`, in the variables of the analysis.
    sign : str
        ``"nonneg"``, ``"nonpos"`` or ``"any"`` on the domain.
    children : tuple of Node
    data : tuple
        Rule data: the exponent (``power``), the constant factor (``scale``),
        the constant ``c`` (``ratio``), ``k`` (``entropy``).
    """

    expr: sp.Expr
    rule: str
    curvature: str
    sign: str
    children: tuple = ()
    data: tuple = ()

    def to_dict(self) -> dict:
        return {"expr": str(self.expr), "rule": self.rule, "curvature": self.curvature, "sign": self.sign,
                "data": [str(x) for x in self.data], "children": [c.to_dict() for c in self.children]}

    def size(self) -> int:
        return 1 + sum(c.size() for c in self.children)


# --- the rule table (shared by the analyser and the checker) -------------------------------------------------

def _const_sign(e) -> str:
    if e.is_nonnegative is True:
        return "nonneg"
    if e.is_nonpositive is True:
        return "nonpos"
    return "any"


def _flip(curv: str) -> str:
    return {"concave": "convex", "convex": "concave"}.get(curv, curv)


def _sum_curvature(curvs) -> str:
    kinds = set(curvs) - {"constant"}
    if not kinds:
        return "constant"
    if kinds == {"affine"}:
        return "affine"
    for c in ("concave", "convex"):
        if kinds <= {"affine", c}:
            return c
    return "unknown"


def _sum_sign(signs) -> str:
    for s in ("nonneg", "nonpos"):
        if all(x == s for x in signs):
            return s
    return "any"


def _compose(atom: str, mono: str, arg: str) -> str:
    """Curvature of ``f(g)`` for an atom ``f`` (curvature, monotonicity on g's range) and ``g``'s curvature."""
    if arg == "constant":
        return "constant"
    if atom == "affine":
        return arg if mono in ("nondecreasing", "nonincreasing") and arg != "unknown" else "unknown"
    if arg == "affine":
        return atom
    if mono == "nondecreasing" and arg == atom:
        return atom
    if mono == "nonincreasing" and arg == _flip(atom):
        return atom
    return "unknown"


def _power_atom(r, arg_sign):
    """``(curvature, monotonicity, sign of result)`` of ``x**r`` on arguments of ``arg_sign``, or None."""
    if r == 0:
        return None
    if 0 < r < 1:
        return ("concave", "nondecreasing", "nonneg") if arg_sign == "nonneg" else None
    if r < 0:
        return ("convex", "nonincreasing", "nonneg") if arg_sign == "nonneg" else None
    if r.is_integer and r % 2 == 0:
        mono = {"nonneg": "nondecreasing", "nonpos": "nonincreasing"}.get(arg_sign, "none")
        return "convex", mono, "nonneg"
    return ("convex", "nondecreasing", "nonneg") if arg_sign == "nonneg" else None


def _atom(kind, arg_sign):
    """``(curvature, monotonicity, result sign)`` of a one-argument atom."""
    if kind == "log":
        return "concave", "nondecreasing", "any"
    if kind == "exp":
        return "convex", "nondecreasing", "nonneg"
    if kind == "abs":
        return "convex", {"nonneg": "nondecreasing", "nonpos": "nonincreasing"}.get(arg_sign, "none"), "nonneg"
    raise KeyError(kind)


# --- the analyser --------------------------------------------------------------------------------------------

def curvature_tree(expr, variables) -> Node:
    """Curvature certificate of ``expr`` in ``variables`` (other symbols are constants with their assumptions).

    Parameters
    ----------
    expr : sympy.Expr
    variables : sequence of sympy.Symbol
        The variables (an agent's own weights, declared nonnegative).

    Returns
    -------
    Node
        The root of the rule tree; its ``curvature`` is ``"unknown"`` when no rule applies.
    """
    return _Analyser(tuple(variables)).node(sp.sympify(expr, strict=True))


class _Analyser:
    def __init__(self, variables):
        self.vars = variables
        self.varset = set(variables)

    def free(self, e) -> bool:
        return not (e.free_symbols & self.varset)

    def node(self, e) -> Node:
        if self.free(e):
            return Node(e, "constant", "constant", _const_sign(e))
        poly = _poly(e, self.vars)
        if poly is not None and poly.total_degree() <= 1:
            return Node(e, "affine", "affine", _const_sign(e))
        if poly is not None and poly.total_degree() == 2:
            q = _quadratic(e, self.vars)
            if q is not None:
                return q
        if e.is_Add:
            kids = tuple(self.node(a) for a in e.args)
            return Node(e, "sum", _sum_curvature([k.curvature for k in kids]), _sum_sign([k.sign for k in kids]),
                        kids)
        if e.is_Mul:
            return self.mul(e)
        if e.is_Pow and e.exp.is_Rational and self.free(e.exp):
            kid = self.node(e.base)
            atom = _power_atom(e.exp, kid.sign)
            if atom is None:
                return Node(e, "power", "unknown", "any", (kid,), (e.exp,))
            return Node(e, "power", _compose(atom[0], atom[1], kid.curvature), atom[2], (kid,), (e.exp,))
        for cls, kind in ((sp.log, "log"), (sp.exp, "exp"), (sp.Abs, "abs")):
            if isinstance(e, cls):
                kid = self.node(e.args[0])
                curv, mono, sign = _atom(kind, kid.sign)
                return Node(e, kind, _compose(curv, mono, kid.curvature), sign, (kid,))
        if isinstance(e, (sp.Max, sp.Min)):
            kids = tuple(self.node(a) for a in e.args)
            atom = "convex" if isinstance(e, sp.Max) else "concave"
            curvs = {_compose(atom, "nondecreasing", k.curvature) for k in kids}
            curv = curvs.pop() if len(curvs) == 1 else ("unknown" if "unknown" in curvs or
                                                        {"concave", "convex"} <= curvs else atom)
            return Node(e, "max" if atom == "convex" else "min", curv, _sum_sign([k.sign for k in kids]), kids)
        return Node(e, "opaque", "unknown", "any")

    def mul(self, e) -> Node:
        const = [a for a in e.args if self.free(a)]
        rest = [a for a in e.args if not self.free(a)]
        if const:
            k = sp.Mul(*const)
            kid = self.node(sp.Mul(*rest))
            ks = _const_sign(k)
            curv = kid.curvature if ks == "nonneg" else (_flip(kid.curvature) if ks == "nonpos" else
                                                         ("affine" if kid.curvature == "affine" else "unknown"))
            return Node(e, "scale", curv, _times_sign(ks, kid.sign), (kid,), (k,))
        ratio = self.ratio(e, rest)
        if ratio is not None:
            return ratio
        entropy = self.entropy(e, rest)
        if entropy is not None:
            return entropy
        return Node(e, "opaque", "unknown", "any")

    def ratio(self, e, factors):
        """``x/(x + c)`` with x the variable part of the denominator and c >= 0 constant."""
        for f in factors:
            if f.is_Pow and f.exp == -1 and f.base.is_Add:
                x = sp.Add(*[a for a in f.base.args if not self.free(a)])
                c = sp.Add(*[a for a in f.base.args if self.free(a)])
                if sp.Mul(*[g for g in factors if g is not f]) == x and c != 0:
                    kid = self.node(x)
                    ok = _const_sign(c) == "nonneg"
                    return Node(e, "ratio", _compose("concave", "nondecreasing", kid.curvature) if ok else "unknown",
                                "nonneg" if ok and kid.sign == "nonneg" else "any", (kid,), (c,))
        return None

    def entropy(self, e, factors):
        """``x log(k x)`` with k > 0 constant: convex for affine x."""
        if len(factors) != 2:
            return None
        for lg, x in (factors, factors[::-1]):
            if isinstance(lg, sp.log):
                k = sp.cancel(lg.args[0] / x)
                if self.free(k) and k.is_positive:
                    kid = self.node(x)
                    curv = "convex" if kid.curvature in ("affine", "constant") else "unknown"
                    return Node(e, "entropy", curv, "any", (kid,), (k,))
        return None


def _times_sign(a, b):
    if "any" in (a, b):
        return "any"
    return "nonneg" if a == b else "nonpos"


def _poly(e, variables):
    try:
        p = sp.Poly(e, *variables)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return None
    if any(c.free_symbols & set(variables) for c in p.coeffs()):
        return None
    return p


def _quadratic(e, variables):
    H = sp.hessian(e, variables)
    if not all(x.is_Rational for x in H):
        return None
    if _semidefinite(-H):
        curv = "concave"
    elif _semidefinite(H):
        curv = "convex"
    else:
        curv = "unknown"
    return Node(e, "quadratic", curv, _const_sign(e))


def _semidefinite(M) -> bool:
    """Exact PSD test of a rational symmetric matrix: its characteristic polynomial's coefficients alternate."""
    from symalign.core.rosen import charpoly_coefficients

    return all((-1) ** k * a >= 0 for k, a in enumerate(charpoly_coefficients(M)))


# --- the checker ---------------------------------------------------------------------------------------------

def check_tree(node: Node, variables) -> bool:
    """Re-check a curvature certificate node by node; True when every node's labels follow from its rule.

    Each node is checked locally: its expression is the stated combination
    of its children's, leaf facts are re-established (a constant has no
    variable, an affine node has degree <= 1, a quadratic node's Hessian is
    re-tested), the sign claimed for a constant is SymPy's, and the
    curvature and sign follow from the children's labels by the rule table.
    A node labelled ``unknown`` is accepted (it claims nothing).

    Examples
    --------
    >>> x = sp.Symbol("x", nonnegative=True)
    >>> t = curvature_tree(sp.log(x) - x**2, (x,))
    >>> check_tree(t, (x,))
    True
    >>> from dataclasses import replace
    >>> check_tree(replace(t, curvature="convex"), (x,))
    False
    """
    variables = tuple(variables)
    varset = set(variables)
    return _check(node, variables, varset)


def _same(a, b) -> bool:
    return a == b or sp.cancel(sp.expand(a - b)) == 0


def _check(n: Node, variables, varset) -> bool:
    if n.curvature == "unknown" and n.sign == "any":
        return True
    if not all(_check(k, variables, varset) for k in n.children):
        return False
    e, kids = n.expr, n.children
    if n.rule == "constant":
        return not (e.free_symbols & varset) and n.curvature == "constant" and n.sign in (_const_sign(e), "any")
    if n.rule == "affine":
        p = _poly(e, variables)
        return p is not None and p.total_degree() <= 1 and n.curvature in ("affine", "unknown") \
            and n.sign in (_const_sign(e), "any")
    if n.rule == "quadratic":
        q = _quadratic(e, variables)
        p = _poly(e, variables)
        return q is not None and p is not None and p.total_degree() <= 2 and \
            n.curvature in (q.curvature, "unknown") and n.sign in (_const_sign(e), "any")
    if n.rule == "sum":
        return _same(e, sp.Add(*[k.expr for k in kids])) and \
            _weaker(n.curvature, _sum_curvature([k.curvature for k in kids])) and \
            n.sign in (_sum_sign([k.sign for k in kids]), "any")
    if n.rule == "scale":
        (kid,), (k,) = kids, n.data
        if k.free_symbols & varset or not _same(e, k * kid.expr):
            return False
        ks = _const_sign(k)
        curv = kid.curvature if ks == "nonneg" else (_flip(kid.curvature) if ks == "nonpos" else
                                                     ("affine" if kid.curvature == "affine" else "unknown"))
        return _weaker(n.curvature, curv) and n.sign in (_times_sign(ks, kid.sign), "any")
    if n.rule == "power":
        (kid,), (r,) = kids, n.data
        atom = _power_atom(r, kid.sign) if r.is_Rational else None
        return atom is not None and _same(e, kid.expr ** r) and \
            _weaker(n.curvature, _compose(atom[0], atom[1], kid.curvature)) and n.sign in (atom[2], "any")
    if n.rule in ("log", "exp", "abs"):
        (kid,) = kids
        fn = {"log": sp.log, "exp": sp.exp, "abs": sp.Abs}[n.rule]
        curv, mono, sign = _atom(n.rule, kid.sign)
        return _same(e, fn(kid.expr)) and _weaker(n.curvature, _compose(curv, mono, kid.curvature)) \
            and n.sign in (sign, "any")
    if n.rule in ("max", "min"):
        fn, atom = (sp.Max, "convex") if n.rule == "max" else (sp.Min, "concave")
        ok = all(_compose(atom, "nondecreasing", k.curvature) in (atom, "affine", "constant") for k in kids)
        return e == fn(*[k.expr for k in kids]) and n.curvature in ((atom, "unknown") if ok else ("unknown",)) \
            and n.sign in (_sum_sign([k.sign for k in kids]), "any")
    if n.rule == "ratio":
        (kid,), (c,) = kids, n.data
        if c.free_symbols & varset or _const_sign(c) != "nonneg" or not _same(e, kid.expr / (kid.expr + c)):
            return False
        return _weaker(n.curvature, _compose("concave", "nondecreasing", kid.curvature)) and \
            n.sign in ("nonneg" if kid.sign == "nonneg" else "any", "any")
    if n.rule == "entropy":
        (kid,), (k,) = kids, n.data
        if k.free_symbols & varset or k.is_positive is not True or not _same(e, kid.expr * sp.log(k * kid.expr)):
            return False
        return n.curvature in (("convex", "unknown") if kid.curvature in ("affine", "constant") else ("unknown",)) \
            and n.sign == "any"
    return False


def _weaker(claimed: str, derived: str) -> bool:
    """A claimed curvature is acceptable when the derived one implies it."""
    if claimed == derived or claimed == "unknown":
        return True
    implies = {"constant": {"affine", "concave", "convex"}, "affine": {"concave", "convex"}}
    return claimed in implies.get(derived, set())


def strictly_concave(tree: Node, variables) -> bool:
    """True when a concave certificate is separable with a strictly concave one-variable term in each variable.

    A term qualifies when it is, up to a positive constant factor, ``x^r``
    (``0 < r < 1``), ``-x^r`` (``r > 1`` or ``r < 0``), ``log x``, ``-exp x``,
    ``-x log(k x)`` or ``x/(x + c)`` with ``c > 0``, of an affine ``x`` in one
    variable only; the other terms are
    concave by the tree, so the sum is strictly concave.  False means only
    "not established".

    Examples
    --------
    >>> x, y = sp.symbols("x y", nonnegative=True)
    >>> strictly_concave(curvature_tree(sp.sqrt(x) - y * sp.log(y), (x, y)), (x, y))
    True
    >>> strictly_concave(curvature_tree(sp.sqrt(x) + y, (x, y)), (x, y))
    False
    """
    if tree.curvature != "concave":
        return False
    terms = tree.children if tree.rule == "sum" else (tree,)
    covered = set()
    for t in terms:
        positive = True
        while t.rule == "scale":
            positive = positive if t.data[0].is_positive else (not positive if t.data[0].is_negative else None)
            t = t.children[0]
        if positive is None or not t.children:
            continue
        kid = t.children[0]
        own = kid.expr.free_symbols & set(variables)
        if len(own) != 1 or kid.rule != "affine":
            continue
        if positive and ((t.rule == "power" and 0 < t.data[0] < 1) or t.rule == "log"
                         or (t.rule == "ratio" and t.data[0].is_positive)):
            covered |= own
        elif positive is False and (t.rule in ("entropy", "exp") or (t.rule == "power" and not 0 <= t.data[0] <= 1)):
            covered |= own  # minus a strictly convex one-variable atom
    return covered >= set(variables)

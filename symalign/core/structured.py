"""Closed forms kept in their derived structure: named intermediate quantities.

The aggregate route (:mod:`symalign.core.aggregate`) derives each agent's
equilibrium as ``w_i = u_i + V_i T`` where ``T = sum_j w_j`` solves a D x D
linear system ``M T = b``.  Substituting ``T`` back gives expressions that
grow like N D^2 per weight (about 80 000 operations per weight at N = D =
10); kept with ``T`` *named*, every weight is a few terms and ``T`` is
defined once.  A :class:`StructuredForm` holds

* ``definitions``: ``(symbol, expression)`` pairs in dependency order (each
  right-hand side uses the game's parameters and the symbols defined before
  it), like the output of :func:`sympy.cse`;
* the weights, multipliers and validity conditions written with those
  symbols.

The symbols are :class:`sympy.Dummy` instances (they never collide with a
parameter of the same name); their names are LaTeX-ready (``T_{1}``,
``b_{1}``, ``M_{1,2}``).  :meth:`StructuredForm.expand` substitutes the
definitions back: the expanded form is equal to the structured one
(tested exactly at random rational points).

Examples
--------
>>> x, y = sp.symbols("x y", positive=True)
>>> s = sp.Dummy("s")
>>> form = StructuredForm(((s, x + y),), sp.ImmutableMatrix([[x / s, y / s]]), (), ())
>>> form.expand(form.weights[0, 0])
x/(x + y)
>>> form.defined_symbols() == {s}
True
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symalign.errors import InputError

__all__ = ["StructuredForm", "expand_definitions", "check_definitions"]


def check_definitions(definitions, allowed=None) -> tuple:
    """Validate ``(symbol, expression)`` pairs: symbols unique, each defined before use.

    ``allowed`` (a set of symbols), when given, is what right-hand sides may
    use besides earlier definitions; a pair using anything else is refused.

    Examples
    --------
    >>> a, b, x = sp.symbols("a b x")
    >>> check_definitions([(a, x + 1), (b, 2 * a)], {x})
    ((a, x + 1), (b, 2*a))
    >>> check_definitions([(b, 2 * a), (a, x + 1)], {x})
    Traceback (most recent call last):
    ...
    symalign.errors.InputError: definitions=[(b, 2*a), (a, x + 1)]: b uses ['a'] before they are defined (or that are not arguments)
    """
    out, seen = [], set()
    for pair in definitions:
        try:
            sym, expr = pair
        except (TypeError, ValueError):
            raise InputError("definitions", list(definitions), "expected (symbol, expression) pairs") from None
        if not isinstance(sym, sp.Symbol) or sym in seen:
            raise InputError("definitions", list(definitions), f"{sym} is not a new symbol")
        expr = sp.sympify(expr, strict=True)
        if allowed is not None:
            unknown = expr.free_symbols - seen - set(allowed)
            if unknown:
                names = sorted(map(str, unknown))
                raise InputError("definitions", list(definitions),
                                 f"{sym} uses {names} before they are defined (or that are not arguments)")
        seen.add(sym)
        out.append((sym, expr))
    return tuple(out)


def expand_definitions(definitions) -> dict:
    """``symbol -> expression in the parameters only`` for every definition.

    Each right-hand side is substituted with the expansions of the earlier
    ones (``xreplace``: no algebra, so shared subexpressions stay shared).
    """
    full = {}
    for sym, expr in definitions:
        full[sym] = expr.xreplace(full) if full else expr
    return full


@dataclass(frozen=True, eq=False)
class StructuredForm:
    """A closed form with named intermediate quantities (see the module docstring).

    Attributes
    ----------
    definitions : tuple of (Symbol, Expr)
        Intermediate quantities in dependency order.
    weights : ImmutableMatrix
        N x D weights in terms of the parameters and the defined symbols.
    multipliers : tuple
        ``lambda_i`` in the same terms.
    conditions : tuple
        Validity conditions in the same terms (same order as the expanded ones).
    notes : tuple of str
        What the named quantities are, in words (used by the LaTeX export).
    """

    definitions: tuple
    weights: sp.ImmutableMatrix
    multipliers: tuple = ()
    conditions: tuple = ()
    notes: tuple = ()

    def defined_symbols(self) -> set:
        """The named intermediate symbols."""
        return {sym for sym, _ in self.definitions}

    def expand(self, expr):
        """``expr`` with every definition substituted back (parameters only)."""
        full = self._expansions()
        return sp.sympify(expr, strict=True).xreplace(full)

    def expanded_weights(self) -> sp.ImmutableMatrix:
        """The N x D weights in the parameters only (equal to the structured ones)."""
        full = self._expansions()
        return sp.ImmutableMatrix(self.weights.xreplace(full))

    def _expansions(self) -> dict:
        cached = self.__dict__.get("_full")
        if cached is None:
            cached = expand_definitions(self.definitions)
            object.__setattr__(self, "_full", cached)
        return cached

    def subs(self, sub) -> "StructuredForm":
        """Apply ``sub`` (a function of one expression) to every right-hand side and result."""
        return StructuredForm(
            tuple((sym, sub(expr)) for sym, expr in self.definitions),
            sp.ImmutableMatrix(self.weights.applyfunc(sub)),
            tuple(sub(m) for m in self.multipliers),
            tuple(sub(c) for c in self.conditions),
            self.notes,
        )

    def evaluate(self, values: dict) -> dict:
        """Exact values of the defined symbols at parameter ``values`` (symbol -> number).

        Evaluates the definitions in order, so the cost is the size of the
        structure, not of the expanded form.
        """
        env = dict(values)
        for sym, expr in self.definitions:
            env[sym] = expr.xreplace(env)
        return env

    def __repr__(self) -> str:
        names = ", ".join(str(sym.name) for sym, _ in self.definitions[:6])
        more = ", ..." if len(self.definitions) > 6 else ""
        return f"StructuredForm({len(self.definitions)} definitions: {names}{more})"

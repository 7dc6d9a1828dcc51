"""Checked against your LaTeX: compare a claim file's own ``latex`` text with the checked statement, symbolically.

A claim file may carry the author's LaTeX of the statement (``latex =
'...'``).  symalign checks the parsed ``[claim]`` expressions, not that
text; :func:`compare_author_latex` says whether the two are the same
mathematics.  Both sides are read by SymPy's LaTeX parser
(``sympy.parsing.latex``, which needs ``antlr4-python3-runtime==4.11``:
``pip install 'symalign[latexparse]'``) and compared as relations: the same
kind of (in)equality and a difference that cancels to zero (``=`` and
``!=`` also up to sign).  Nothing is decided by text or by a float.

The parser is lenient: it may silently drop the tail of an expression it
does not understand.  A parse that lost a name the text mentions is
therefore refused ("not compared"), never called the same.

Examples
--------
>>> r = compare_author_latex(r"\\gamma < \\beta (N-1)", r"\\gamma < \\beta \\left(N - 1\\right)")
>>> r.status if latex_parser_available() else "same"
'same'
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass

import sympy as sp

from symalign.errors import InputError

__all__ = ["LatexComparison", "compare_author_latex", "latex_parser_available"]

_STATUSES = ("same", "differs", "not compared")
_GREEK = frozenset("alpha beta gamma delta eta theta kappa lambda mu nu pi rho sigma tau phi psi omega".split())
_NAME = re.compile(r"\\(alpha|beta|gamma|delta|eta|theta|kappa|lambda|mu|nu|pi|rho|sigma|tau|phi|psi|omega)\b"
                   r"|(?<![\\A-Za-z])([A-Za-z])(?![A-Za-z])")


@dataclass(frozen=True)
class LatexComparison:
    """The outcome of comparing the author's LaTeX with the checked statement.

    Attributes
    ----------
    status : str
        ``"same"`` (the same relation, symbolically), ``"differs"``, or
        ``"not compared"`` (a side could not be read; see ``reason``).
    reason : str
        Why, in a sentence.
    """

    status: str
    reason: str = ""

    def __post_init__(self):
        if self.status not in _STATUSES:
            raise InputError("status", self.status, f"must be one of {list(_STATUSES)}")


def latex_parser_available() -> bool:
    """Whether SymPy's LaTeX parser can run (it needs the antlr4 runtime)."""
    return importlib.util.find_spec("antlr4") is not None


def _parse(tex: str):
    from sympy.parsing.latex import parse_latex

    expr = parse_latex(tex)
    # "\beta (N - 1)" reads as a function beta applied to N - 1: a product in the claim language
    apps = {f: sp.Symbol(f.func.__name__) * sp.Mul(*f.args) for f in expr.atoms(sp.core.function.AppliedUndef)}
    return expr.xreplace(apps) if apps else expr


def _names(expr) -> set:
    out = set()
    for s in expr.free_symbols:
        base = re.sub(r"_.*$", "", s.name).lstrip("\\")
        out.add(base)
        out.update(re.findall(r"[A-Za-z]+", s.name.split("_", 1)[1]) if "_" in s.name else [])
    return out


def _mentioned(tex: str) -> set:
    tex = re.sub(r"\\(frac|tfrac|dfrac|left|right|cdot|le|ge|leq|geq|ne|neq|quad|qquad|sqrt|bar|hat|mathrm|"
                 r"operatorname|text|big|Big|bigl|bigr|Bigl|Bigr|,|;|!)", " ", tex)
    return {a or b for a, b in _NAME.findall(tex)}


def _normal(rel):
    """(kind, expression) with the relation as ``expression (kind) 0``, ``>``/``>=`` turned into ``<``/``<=``."""
    if isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan)):
        return ("<" if isinstance(rel, sp.StrictGreaterThan) else "<=", rel.rhs - rel.lhs)
    if isinstance(rel, (sp.StrictLessThan, sp.LessThan)):
        return ("<" if isinstance(rel, sp.StrictLessThan) else "<=", rel.lhs - rel.rhs)
    if isinstance(rel, sp.Equality):
        return ("=", rel.lhs - rel.rhs)
    if isinstance(rel, sp.Unequality):
        return ("!=", rel.lhs - rel.rhs)
    return (None, rel)


def compare_author_latex(author: str, checked: str) -> LatexComparison:
    """Compare the author's LaTeX with the LaTeX of the checked statement, symbolically.

    Parameters
    ----------
    author : str
        The claim file's ``latex`` text (math, no ``$``).
    checked : str
        The checked statement as printed by symalign (one relation or expression).

    Returns
    -------
    LatexComparison
    """
    for name, value in (("author", author), ("checked", checked)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(name, value, "expected LaTeX text")
    if not latex_parser_available():
        return LatexComparison("not compared", "SymPy's LaTeX parser needs antlr4-python3-runtime==4.11 "
                                               "(pip install 'symalign[latexparse]')")
    try:
        a, c = _parse(author), _parse(checked)
    except Exception as exc:  # noqa: BLE001  (the parser raises several unrelated types)
        return LatexComparison("not compared", f"SymPy's LaTeX parser does not read it ({type(exc).__name__})")
    for side, tex, parsed in (("it", author, a), ("the checked statement", checked, c)):
        lost = _mentioned(tex) - _names(parsed)
        if lost:
            return LatexComparison("not compared", f"SymPy's LaTeX parser dropped part of {side} ("
                                   + ", ".join(sorted(lost)) + " missing from the parse)")
    words = sorted(n for n in _names(a) if len(n) > 1 and n not in _GREEK)
    if words:
        return LatexComparison("not compared", "SymPy's LaTeX parser reads " + ", ".join(words)
                               + " as a variable (prose or a logical connective in the formula)")
    (ka, ea), (kc, ec) = _normal(a), _normal(c)
    if ka == "=" and kc == "=" and isinstance(a, sp.Equality) and isinstance(c, sp.Equality) \
            and isinstance(a.lhs, sp.Symbol) and isinstance(c.lhs, sp.Symbol):
        # both left sides name the result (w_i^* or w^*_{i,d}), possibly in other letters: compare the formulas;
        # any other equation is compared whole (lhs - rhs, up to sign, below)
        ea, ec = a.rhs, c.rhs
    if ka != kc:
        return LatexComparison("differs", f"a different relation ({ka or 'expression'} against {kc or 'expression'})")
    diff = sp.cancel(sp.together(ea - ec))
    if diff == 0 or (ka in ("=", "!=") and sp.cancel(sp.together(ea + ec)) == 0):
        return LatexComparison("same", "the same relation, compared symbolically")
    ratio = sp.cancel(sp.together(ea / ec)) if ec != 0 else None
    if ratio is not None and ratio.is_number and ratio.is_positive:
        return LatexComparison("same", "the same relation up to a positive factor, compared symbolically")
    return LatexComparison("differs", "compared symbolically, the difference does not cancel")

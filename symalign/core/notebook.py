"""Jupyter display: ``_repr_latex_`` on every result object, rendered by the LaTeX renderers.

Result objects live in the lower layers (core, numeric, verify, analysis,
claims) while their LaTeX renderers live in :mod:`symalign.export`, which
those layers may not import.  The renderers are therefore *registered* here
by the export layer (:mod:`symalign.export.latex` registers them when
imported, and ``import symalign`` imports it); result classes inherit
:class:`LatexRepr`, whose ``_repr_latex_`` looks the renderer up by class.
Imports still flow one way.

The renderers write document fragments (text with math environments).
:func:`notebook_latex` turns one into what a notebook's MathJax renders:
comment lines dropped, theorem-like environments and ``\\emph`` turned into
plain text.

Examples
--------
>>> class Point(LatexRepr):
...     def __init__(self, x):
...         self.x = x
>>> Point(1)._repr_latex_() is None          # no renderer registered: plain repr
True
>>> register_latex_renderer(Point, lambda p: "% a point\\n\\\\begin{proposition}[Origin]\\n$x = " + str(p.x) + "$\\n\\\\end{proposition}")
>>> print(Point(0)._repr_latex_())
\\textbf{Origin.} $x = 0$
"""

from __future__ import annotations

import re

__all__ = ["LatexRepr", "register_latex_renderer", "repr_latex", "notebook_latex"]

_RENDERERS: dict = {}

_THEOREM = re.compile(r"\\begin\{(theorem|proposition|lemma|corollary|definition|remark|claim)\*?\}(?:\[([^\]]*)\])?")
_END_THEOREM = re.compile(r"\\end\{(theorem|proposition|lemma|corollary|definition|remark|claim)\*?\}")
_EMPH = re.compile(r"\\emph\{([^{}]*)\}")


def register_latex_renderer(cls, renderer) -> None:
    """Render instances of ``cls`` (and subclasses) with ``renderer(obj) -> str`` in notebooks."""
    _RENDERERS[cls] = renderer


def notebook_latex(tex: str) -> str:
    """A LaTeX fragment made displayable by MathJax (see the module docstring)."""
    lines = [ln for ln in tex.splitlines() if not ln.lstrip().startswith("%")]
    out = "\n".join(lines)
    out = _THEOREM.sub(lambda m: rf"\textbf{{{m.group(2) or m.group(1).capitalize()}.}}", out)
    out = _END_THEOREM.sub("", out)
    out = _EMPH.sub(r"\1", out).replace("\\noindent", "")
    out = re.sub(r"(\\textbf\{[^{}]*\.\})\s*\n", r"\1 ", out)
    return re.sub(r"\n\s*\n+", "\n", out).strip()


def repr_latex(obj) -> str | None:
    """The notebook LaTeX of ``obj`` by the renderer registered for its class (None if there is none)."""
    for klass in type(obj).__mro__:
        renderer = _RENDERERS.get(klass)
        if renderer is not None:
            return notebook_latex(renderer(obj))
    return None


class LatexRepr:
    """Mixin giving a class ``_repr_latex_`` through the renderer registry."""

    __slots__ = ()

    def _repr_latex_(self) -> str | None:
        return repr_latex(self)

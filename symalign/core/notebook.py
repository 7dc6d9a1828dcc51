"""Jupyter display: ``_repr_latex_`` on every result object, rendered by the LaTeX renderers.

Result objects live in the lower layers (core, numeric, verify, analysis,
claims) while their LaTeX renderers live in :mod:`symalign.export`, which
those layers may not import.  The renderers are therefore *registered* here
by the export layer (:mod:`symalign.export.latex` registers them when
imported, and ``import symalign`` imports it); result classes inherit
:class:`LatexRepr`, whose ``_repr_latex_`` looks the renderer up by class.
Imports still flow one way.

The renderers write document fragments for a paper.  For a notebook they
run in *notebook mode* (:func:`in_notebook`): MathJax-safe LaTeX emitted
directly by the renderers themselves (theorem-like environments as a bold
heading in text, no ``\\emph``/``\\noindent``, plain text not escaped for
TeX); :func:`repr_latex` only leaves out TeX comment lines.  Nothing is
rewritten by pattern.

Examples
--------
>>> class Point(LatexRepr):
...     def __init__(self, x):
...         self.x = x
>>> Point(1)._repr_latex_() is None          # no renderer registered: plain repr
True
>>> register_latex_renderer(Point, lambda p: "% a point\\n" + ("Origin: " if in_notebook() else "") + f"$x = {p.x}$")
>>> print(Point(0)._repr_latex_())
Origin: $x = 0$
"""

from __future__ import annotations

import contextlib
import contextvars

__all__ = ["LatexRepr", "register_latex_renderer", "repr_latex", "notebook_latex", "in_notebook", "notebook_mode",
           "emph"]

_RENDERERS: dict = {}
_NOTEBOOK: contextvars.ContextVar = contextvars.ContextVar("symalign_notebook", default=False)


def in_notebook() -> bool:
    """Whether renderers are writing for a notebook's MathJax (inside :func:`notebook_mode`)."""
    return _NOTEBOOK.get()


@contextlib.contextmanager
def notebook_mode():
    """Renderers write MathJax-safe LaTeX inside this block (see the module docstring)."""
    token = _NOTEBOOK.set(True)
    try:
        yield
    finally:
        _NOTEBOOK.reset(token)


def emph(text: str) -> str:
    """``\\emph{text}`` in a document; the text itself in a notebook (MathJax shows text macros raw).

    Examples
    --------
    >>> emph("Status:")
    '\\\\emph{Status:}'
    >>> with notebook_mode():
    ...     emph("Status:")
    'Status:'
    """
    return text if in_notebook() else rf"\emph{{{text}}}"


def register_latex_renderer(cls, renderer) -> None:
    """Render instances of ``cls`` (and subclasses) with ``renderer(obj) -> str`` in notebooks."""
    _RENDERERS[cls] = renderer


def notebook_latex(tex: str) -> str:
    """A fragment written in notebook mode, without its TeX comment lines and blank lines."""
    lines = [ln for ln in tex.splitlines() if ln.strip() and not ln.lstrip().startswith("%")]
    return "\n".join(lines).strip()


def repr_latex(obj) -> str | None:
    """The notebook LaTeX of ``obj`` by the renderer registered for its class (None if there is none)."""
    for klass in type(obj).__mro__:
        renderer = _RENDERERS.get(klass)
        if renderer is not None:
            with notebook_mode():
                return notebook_latex(renderer(obj))
    return None


class LatexRepr:
    """Mixin giving a class ``_repr_latex_`` through the renderer registry."""

    __slots__ = ()

    def _repr_latex_(self) -> str | None:
        return repr_latex(self)

    def _repr_html_(self) -> str | None:
        """The same content for HTML outputs (JupyterLab typesets the math in them with MathJax)."""
        import html

        tex = repr_latex(self)
        return None if tex is None else '<div class="symalign">' + html.escape(tex).replace("\n", "<br>\n") + "</div>"

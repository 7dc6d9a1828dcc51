"""LaTeX of the plain Python functions that compute equilibria, rendered by latexify-py.

latexify-py is optional (``pip install 'symalign[latex]'``): without it
:func:`code_latex` raises :class:`~symalign.errors.OptionalDependencyError`
and :func:`code_display` falls back to the function's Python source in a
``verbatim`` block, so reports build on every supported Python.
"""

from __future__ import annotations

import importlib.util
import inspect
import re

from sympy.printing.latex import translate

from symalign.errors import InputError, OptionalDependencyError

__all__ = ["code_latex", "code_display", "latexify_available"]


def latexify_available() -> bool:
    """True when latexify-py is installed (the ``latex`` extra)."""
    return importlib.util.find_spec("latexify") is not None


def code_display(fn, *, style: str = "auto") -> str:
    """A display block for ``fn``: its latexify rendering, or its source verbatim without latexify-py.

    Examples
    --------
    >>> from symalign.export import scalar
    >>> block = code_display(scalar.simplex_projection)
    >>> "equation*" in block or "verbatim" in block
    True
    """
    if latexify_available():
        return "\\begin{equation*}\n" + code_latex(fn, style=style) + "\n\\end{equation*}"
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        raise InputError("fn", getattr(fn, "__name__", fn), "source not retrievable") from None
    return ("% latexify-py is not installed (pip install 'symalign[latex]'): the Python source instead\n"
            "{\\footnotesize\n\\begin{verbatim}\n" + source.rstrip() + "\n\\end{verbatim}\n}")

# ---------------------------------------------------------------------------
# code (latexify-py)

_RANGE = re.compile(r"\\mathrm\{range\} \\mathopen\{\}\\left\( ([^()]*?) \\mathclose\{\}\\right\)")
_DOCSTRING = re.compile(r'\\hspace\{1em\} \\textrm\{".*?"\} \\\\ ', re.S)
_BAR = re.compile(r"\\mathrm\{([A-Za-z]|alpha|beta|gamma|lambda|mu|theta|kappa)\\_bar\}")


def code_latex(fn, *, style: str = "auto") -> str:
    """LaTeX of a plain Python function's source, rendered by latexify-py.

    ``style`` is ``"function"`` (equations; straight-line code only),
    ``"algorithm"`` (an ``array`` with for/if blocks, compiles with
    amsmath alone) or ``"auto"`` (function when possible).  Docstrings
    are dropped, Greek names become Greek letters, ``x_bar`` becomes
    ``\\bar{x}`` and ``range(D)`` becomes ``\\{0, \\ldots, D - 1\\}``.
    The function's source must be retrievable (defined in a file), see
    :mod:`symalign.export.scalar`.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("latexify")  # optional: skipped without latexify-py
    >>> from symalign.export import scalar
    >>> print(code_latex(scalar.overlap_interior_weight))  # doctest: +NORMALIZE_WHITESPACE
    \\begin{array}{l} \\displaystyle \\bar{W} = \\frac{\\beta \\cdot \\bar{p} + \\frac{\\gamma}{D} + \\alpha \\cdot \\bar{c}}{\\beta + \\gamma} \\\\
    \\displaystyle \\mathrm{overlap\\_interior\\_weight}(\\alpha, \\beta, \\gamma, N, D, c, \\bar{c}, p, \\bar{p}) = \\bar{W} + \\frac{\\alpha \\cdot \\mathopen{}\\left( c - \\bar{c} \\mathclose{}\\right) + \\beta \\cdot \\mathopen{}\\left( p - \\bar{p} \\mathclose{}\\right)}{\\beta - \\frac{\\gamma}{N - 1}} \\end{array}
    """
    if not latexify_available():
        raise OptionalDependencyError("latexify-py", "latex", "rendering Python functions as LaTeX")
    if style not in ("auto", "function", "algorithm"):
        raise InputError("style", style, "must be 'auto', 'function' or 'algorithm'")
    import latexify  # the public API only (get_latex, Style, exceptions), so a new release does not break us

    out = None
    if style in ("auto", "function"):
        try:
            out = latexify.get_latex(fn, style=latexify.Style.FUNCTION, use_math_symbols=True, use_signature=True)
        except (OSError, TypeError) as exc:
            raise InputError("fn", getattr(fn, "__name__", fn), f"source not retrievable for latexify ({exc})") from None
        except latexify.exceptions.LatexifyError:
            if style == "function":
                raise InputError("fn", fn.__name__, "has statements the function style cannot show; use style='algorithm'") from None
    if out is None:
        try:
            out = latexify.get_latex(fn, style=latexify.Style.IPYTHON_ALGORITHMIC, use_math_symbols=True)
        except (OSError, TypeError) as exc:
            raise InputError("fn", getattr(fn, "__name__", fn), f"source not retrievable for latexify ({exc})") from None
        except latexify.exceptions.LatexifyError as exc:
            raise InputError("fn", fn.__name__, f"latexify cannot render it: {exc}") from None
        out = _DOCSTRING.sub("", out, count=1)
    out = _RANGE.sub(lambda m: rf"\{{0, \ldots, {m.group(1)} - 1\}}", out)
    out = _BAR.sub(lambda m: rf"\bar{{{translate(m.group(1))}}}", out)
    out = out.replace(r" \\ ", " \\\\\n\\displaystyle ")
    return out.replace(r"\begin{array}{l} ", "\\begin{array}{l} \\displaystyle ", 1)

"""Compilable LaTeX documents: a fixed preamble, a standalone wrapper and a report builder.

:func:`build_report` turns a list of sections (dicts or :class:`Section`
objects holding paragraphs, LaTeX blocks, theorems and figures) into one
standalone document that compiles with ``pdflatex`` using only amsmath,
amssymb, amsthm, graphicx and geometry.  The output is deterministic: no
dates, sections in the order given.  :func:`write_atomic` writes it (temp
file in the same directory, then ``os.replace``).

Examples
--------
>>> doc = build_report([{"title": "Setting", "paragraphs": ["Two agents, $D = 3$ groups."]}],
...                    title="Example")
>>> doc.startswith("\\\\documentclass") and doc.rstrip().endswith("\\\\end{document}")
True
>>> print(doc[doc.index("\\\\section"):doc.index("\\\\end{document}")])
\\section{Setting}
Two agents, $D = 3$ groups.
<BLANKLINE>
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from symalign.errors import DerivationError, InputError
from symalign.export.latex import latex_label as make_label
from symalign.export.latex import text, theorem

__all__ = ["PREAMBLE", "Figure", "TheoremEntry", "Section", "standalone", "build_report", "write_atomic"]

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{amsthm}
\usepackage{graphicx}
\usepackage[margin=2.2cm]{geometry}
\allowdisplaybreaks
\emergencystretch=2em
\newtheorem{theorem}{Theorem}
\newtheorem{proposition}[theorem]{Proposition}
\newtheorem{lemma}[theorem]{Lemma}
\newtheorem{corollary}[theorem]{Corollary}
\newtheorem{conjecture}[theorem]{Conjecture}
\newtheorem{claim}[theorem]{Claim}
\theoremstyle{definition}
\newtheorem{definition}[theorem]{Definition}
\theoremstyle{remark}
\newtheorem{remark}[theorem]{Remark}
"""
"""The document preamble: the packages and theorem environments every fragment may use."""


@dataclass(frozen=True)
class Figure:
    """A figure: an image path (relative to the .tex file), a caption and an optional label."""

    path: str
    caption: str = ""
    label: str = ""
    width: str = r"0.8\linewidth"


@dataclass(frozen=True)
class TheoremEntry:
    """A theorem: LaTeX statement, and plain-text title, status, reference and claim file."""

    statement: str
    label: str = ""
    title: str = ""
    status: str = ""
    claim_file: str = ""
    reference: str = ""
    env: str = "theorem"
    proof: str = ""


@dataclass(frozen=True)
class Section:
    """One section of a report.

    ``paragraphs`` are plain text (special characters escaped, inline
    ``$...$`` math kept); ``latex`` are raw LaTeX blocks (e.g. from
    :mod:`symalign.export.latex`); ``theorems`` are :class:`TheoremEntry` (or
    dicts); ``figures`` are :class:`Figure`, dicts or paths.  They are
    emitted in that order.  ``subsections`` nest one level.
    """

    title: str
    paragraphs: tuple = ()
    latex: tuple = ()
    theorems: tuple = ()
    figures: tuple = ()
    subsections: tuple = ()
    label: str = ""


_SECTION_KEYS = {"title", "paragraphs", "latex", "blocks", "theorems", "figures", "subsections", "label"}


def _as_section(obj, where: str) -> Section:
    if isinstance(obj, Section):
        return obj
    if isinstance(obj, dict):
        unknown = sorted(set(obj) - _SECTION_KEYS)
        if unknown:
            raise InputError(f"{where}.{unknown[0]}", obj[unknown[0]], f"unknown section key (known: {sorted(_SECTION_KEYS)})")
        if "title" not in obj:
            raise InputError(f"{where}.title", None, "a section needs a title")
        return Section(
            title=obj["title"],
            paragraphs=tuple(_seq(obj.get("paragraphs", ()), f"{where}.paragraphs")),
            latex=tuple(_seq(obj.get("latex", ()), f"{where}.latex")) + tuple(_seq(obj.get("blocks", ()), f"{where}.blocks")),
            theorems=tuple(_seq(obj.get("theorems", ()), f"{where}.theorems")),
            figures=tuple(_seq(obj.get("figures", ()), f"{where}.figures")),
            subsections=tuple(_seq(obj.get("subsections", ()), f"{where}.subsections")),
            label=obj.get("label", ""),
        )
    if hasattr(obj, "title"):
        return Section(
            title=obj.title,
            paragraphs=tuple(getattr(obj, "paragraphs", ())),
            latex=tuple(getattr(obj, "latex", ())) + tuple(getattr(obj, "blocks", ())),
            theorems=tuple(getattr(obj, "theorems", ())),
            figures=tuple(getattr(obj, "figures", ())),
            subsections=tuple(getattr(obj, "subsections", ())),
            label=getattr(obj, "label", ""),
        )
    raise InputError(where, obj, "a section must be a Section, a dict or an object with a 'title'")


def _seq(value, where):
    if isinstance(value, (str, bytes, dict)):
        raise InputError(where, value, "expected a list")
    return list(value)


def _as_theorem(obj, where: str) -> TheoremEntry:
    if isinstance(obj, TheoremEntry):
        return obj
    if isinstance(obj, dict):
        known = set(TheoremEntry.__dataclass_fields__)
        unknown = sorted(set(obj) - known)
        if unknown:
            raise InputError(f"{where}.{unknown[0]}", obj[unknown[0]], f"unknown theorem key (known: {sorted(known)})")
        if "statement" not in obj:
            raise InputError(f"{where}.statement", None, "a theorem needs a statement")
        return TheoremEntry(**{k: ("" if v is None else v) for k, v in obj.items()})
    if hasattr(obj, "statement"):
        return TheoremEntry(**{k: getattr(obj, k) or "" for k in TheoremEntry.__dataclass_fields__ if hasattr(obj, k)})
    raise InputError(where, obj, "a theorem must be a TheoremEntry, a dict or an object with a 'statement'")


def _as_figure(obj, where: str) -> Figure:
    if isinstance(obj, Figure):
        return obj
    if isinstance(obj, (str, os.PathLike)):
        return Figure(Path(obj).as_posix())
    if isinstance(obj, dict):
        if "path" not in obj:
            raise InputError(f"{where}.path", None, "a figure needs a path")
        return Figure(**{k: (Path(v).as_posix() if k == "path" else v) for k, v in obj.items()})
    raise InputError(where, obj, "a figure must be a Figure, a dict with 'path', or a path")


def _figure_latex(fig: Figure) -> str:
    if any(ch in fig.path for ch in "%#{}\\ "):
        raise InputError("figure.path", fig.path, "LaTeX cannot include a path with spaces or %#{}\\")
    lines = ["\\begin{figure}[htbp]", "\\centering", f"\\includegraphics[width={fig.width}]{{{fig.path}}}"]
    if fig.caption:
        lines.append(f"\\caption{{{text(fig.caption)}}}")
    if fig.label:
        lines.append(f"\\label{{{make_label(fig.label)}}}")
    lines.append("\\end{figure}")
    return "\n".join(lines)


def _section_latex(sec: Section, where: str, depth: int = 0) -> str:
    cmd = ("section", "subsection", "subsubsection")[min(depth, 2)]
    out = [f"\\{cmd}{{{text(sec.title)}}}" + (f"\\label{{{make_label(sec.label)}}}" if sec.label else "")]
    out += [text(p) + "\n" for p in sec.paragraphs]
    out += [str(block).strip() + "\n" for block in sec.latex]
    for k, th in enumerate(sec.theorems):
        t = _as_theorem(th, f"{where}.theorems[{k}]")
        out.append(theorem(t.statement, title=t.title or None, label=t.label or None, env=t.env,
                           status=t.status or None, reference=t.reference or None,
                           claim_file=t.claim_file or None, proof=t.proof or None) + "\n")
    out += [_figure_latex(_as_figure(f, f"{where}.figures[{k}]")) + "\n" for k, f in enumerate(sec.figures)]
    for k, sub in enumerate(sec.subsections):
        out.append(_section_latex(_as_section(sub, f"{where}.subsections[{k}]"), f"{where}.subsections[{k}]", depth + 1))
    return "\n".join(out)


def standalone(body: str, *, title: str | None = None, author: str | None = None) -> str:
    """Wrap LaTeX fragments in a compilable document (see :data:`PREAMBLE`).

    Examples
    --------
    >>> doc = standalone("$x$")
    >>> "\\\\begin{document}\\n$x$\\n\\\\end{document}" in doc
    True
    """
    head = [PREAMBLE.rstrip()]
    if title:
        head += [f"\\title{{{text(title)}}}", f"\\author{{{text(author or '')}}}", "\\date{}"]
    lines = head + ["", "\\begin{document}"]
    if title:
        lines.append("\\maketitle")
    lines += [body.strip(), "\\end{document}", ""]
    return "\n".join(lines)


def build_report(sections, *, title: str = "symalign report", author: str | None = None,
                 abstract: str | None = None) -> str:
    """A standalone, deterministic LaTeX report from a list of sections.

    Parameters
    ----------
    sections : sequence of Section or dict
        Each with ``title`` and any of ``paragraphs`` (plain text),
        ``latex`` (raw LaTeX blocks), ``theorems`` (entries with
        ``statement``, ``label``, ``title``, ``status``, ``claim_file``,
        ``reference``, ``env``, ``proof``), ``figures`` (paths or entries
        with ``path``, ``caption``, ``label``, ``width``), ``subsections``.
    title, author : str
        Plain text.
    abstract : str, optional
        Plain text.

    Returns
    -------
    str
        The document; write it with :func:`write_atomic`.
    """
    if isinstance(sections, (str, dict)):
        raise InputError("sections", sections, "expected a list of sections")
    parts = []
    if abstract:
        parts.append("\\begin{abstract}\n" + text(abstract) + "\n\\end{abstract}\n")
    for k, sec in enumerate(sections):
        parts.append(_section_latex(_as_section(sec, f"sections[{k}]"), f"sections[{k}]"))
    return standalone("\n".join(parts), title=title, author=author)


def write_atomic(path, content: str) -> Path:
    """Write ``content`` to ``path`` atomically (temp file in the same directory, then rename).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_atomic(os.path.join(d, "out.tex"), "x")
    ...     open(p).read()
    'x'
    """
    from symalign.io.atomic import atomic_output

    path = Path(path)
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
    return path


def game_writeup(game, *, support=None, kkt: bool = True, uniqueness: bool = True, exclusion: bool = True,
                 code: bool = False, notation=None) -> str:
    """A game's write-up: definition, KKT system, uniqueness, equilibria, exclusion thresholds.

    Numeric games: the exact equilibrium (:func:`symalign.numeric.solve.solve`),
    Rosen's diagonal strict concavity decided exactly, and the exclusion
    threshold of every group all agents exclude.  Symbolic games: the closed
    form on ``support`` (default interior) with its validity conditions and
    the DSC matrix with its leading minors (small games).  ``code`` adds the
    scalar solver functions of :mod:`symalign.export.scalar` rendered by latexify
    (overlap family).  ``notation`` (:class:`symalign.core.notation.Notation`)
    prints names in the paper's symbols.
    """
    from symalign.core.notation import use_notation

    with use_notation(notation):
        return _game_writeup(game, support, kkt, uniqueness, exclusion, code)


def _game_writeup(game, support, kkt, uniqueness, exclusion, code) -> str:
    from symalign.export import latex as lx
    from symalign.core.derive import derive_on_support
    from symalign.core.kkt import kkt_system

    system = kkt_system(game)
    parts = [r"\section*{Game}", lx.game_latex(game)]
    if kkt:
        parts += [r"\section*{KKT conditions}", lx.kkt_latex(system)]
    affine = system.is_affine()
    if uniqueness and affine:
        parts += [r"\section*{Existence and uniqueness}", _uniqueness(game)]
    parts.append(r"\section*{Equilibrium}")
    equilibria = ()
    if game.is_numeric and support is None:
        from symalign.numeric.solve import solve

        sol = solve(game)
        equilibria = sol.equilibria
        parts += [lx.equilibrium_latex(eq) for eq in equilibria]
        if sol.stationary_points:
            parts.append(lx.text("Stationary points that are not equilibria (an agent gains by deviating):"))
            parts += [lx.equilibrium_latex(eq) for eq in sol.stationary_points]
        parts += [lx.text(note) for note in sol.notes]
    elif affine:
        eq = derive_on_support(game, support, kkt=system)
        equilibria = (eq,)
        parts.append(lx.equilibrium_latex(eq))
    else:
        parts.append(r"% no closed form: the gradients are not affine in the weights")
    if exclusion and game.is_numeric and game.family.strictly_concave and affine:
        excluded = sorted({d for eq in equilibria for d in eq.excluded_groups()})
        if excluded:
            from symalign.analysis.exclusion import exclusion_condition

            parts.append(r"\section*{Exclusion}")
            for d in excluded:
                parts.append(lx.exclusion_latex(exclusion_condition(game, d), validity=False))
    if code and game.family.label == "active_alignment/overlap":
        from symalign.export import scalar
        from symalign.export.code import code_display

        parts += [r"\section*{Code}", "The equilibrium is computed by these functions (indices from 0):"]
        for fn in (scalar.simplex_projection, scalar.best_response_overlap, scalar.overlap_interior_weight):
            parts.append(code_display(fn))
    return "\n\n".join(parts)


def _uniqueness(game) -> str:
    from symalign.export import latex as lx
    from symalign.verify.certificates import existence_certificate, uniqueness_certificate

    out = []
    for make in (existence_certificate, uniqueness_certificate):
        try:
            out.append(lx.certificate_latex(make(game)))
        except (DerivationError, InputError) as exc:
            out.append(f"% {make.__name__}: not available ({lx._comment(exc)})")
    return "\n\n".join(out)

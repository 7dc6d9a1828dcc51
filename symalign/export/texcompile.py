"""Compile a LaTeX document with ``pdflatex`` and report what an author would have to fix.

A write-up an author pastes unchanged must compile without a single
overfull box and without a LaTeX warning.  :func:`compile_latex` runs
``pdflatex`` (twice, so that labels settle) in a private temporary
directory with figures copied beside the source, and parses the log of the
last run into a frozen :class:`CompileReport`: overfull/underfull boxes
with their width, and every ``Warning`` line (LaTeX, package, font).
:func:`log_problems` is the parser alone (pure, used by the tests on
hand-written logs).

Examples
--------
>>> log = "Overfull \\\\hbox (12.5pt too wide) in paragraph at lines 3--4\\nLaTeX Warning: Reference `x' undefined"
>>> r = log_problems(log)
>>> r.overfull, r.warnings
(('Overfull \\\\hbox (12.5pt too wide) in paragraph at lines 3--4',), ("LaTeX Warning: Reference `x' undefined",))
>>> r.ok
False
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from symalign.errors import InputError

__all__ = ["CompileReport", "compile_latex", "log_problems", "pdflatex_available"]

_BOX = re.compile(r"^(Overfull|Underfull) \\[hv]box .*$", re.M)
_WARN = re.compile(r"^(?:LaTeX|Package|Class|pdfTeX)(?: [A-Za-z]+)? [Ww]arning:.*$|^LaTeX Font Warning:.*$", re.M)


@dataclass(frozen=True)
class CompileReport:
    """What ``pdflatex`` said about a document.

    Attributes
    ----------
    compiled : bool
        ``pdflatex`` exited 0 and wrote a PDF.
    overfull, underfull, warnings : tuple of str
        The log lines, in order (a box line without its context).
    error : str
        The end of the log when it did not compile, else "".
    """

    compiled: bool
    overfull: tuple = ()
    underfull: tuple = ()
    warnings: tuple = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        """Compiled with no overfull box and no warning (underfull boxes are reported, not fatal)."""
        return self.compiled and not self.overfull and not self.warnings

    def summary(self) -> str:
        """One readable paragraph: what to fix (empty when :attr:`ok`)."""
        if not self.compiled:
            return "did not compile:\n" + self.error
        return "\n".join(self.overfull + self.warnings)


def log_problems(log: str, *, compiled: bool = True) -> CompileReport:
    """Parse a ``pdflatex`` log into a :class:`CompileReport` (no TeX run).

    Warnings continued on the next log lines (``(Font) ...``, ``(hyperref) ...``)
    are joined to their first line.
    """
    if not isinstance(log, str):
        raise InputError("log", type(log).__name__, "expected the text of a .log file")
    over = tuple(m.group(0) for m in _BOX.finditer(log) if m.group(1) == "Overfull")
    under = tuple(m.group(0) for m in _BOX.finditer(log) if m.group(1) == "Underfull")
    warns = []
    lines = log.splitlines()
    for k, line in enumerate(lines):
        if _WARN.match(line):
            full = line
            j = k + 1
            while j < len(lines) and re.match(r"^\([A-Za-z]+\)\s", lines[j]):
                full += " " + lines[j].split(")", 1)[1].strip()
                j += 1
            warns.append(full)
    return CompileReport(compiled=compiled, overfull=over, underfull=under, warnings=tuple(warns),
                         error="" if compiled else log[-3000:])


def pdflatex_available() -> bool:
    """Whether ``pdflatex`` is on the PATH."""
    return shutil.which("pdflatex") is not None


def compile_latex(source: str, *, files=(), root=None, runs: int = 2, timeout: float = 120.0) -> CompileReport:
    """Compile ``source`` (a whole document) with ``pdflatex`` and parse the last log.

    Parameters
    ----------
    source : str
        The document.
    files : iterable of path
        Files the document includes (figures), copied beside it under their
        relative path (relative to ``root``; absolute paths by their name).
    root : path, optional
        Where relative ``files`` are read from (default: the current directory).
    runs : int
        ``pdflatex`` passes (2 settles labels; a warning left after them is real).
    timeout : float
        Seconds per pass; a pass that runs longer is reported as not compiled.

    Raises
    ------
    InputError
        ``pdflatex`` is not installed, or an argument is bad.
    """
    if not isinstance(source, str) or "\\begin{document}" not in source:
        raise InputError("source", str(source)[:60], "expected a whole LaTeX document")
    if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
        raise InputError("runs", runs, "expected a positive integer")
    exe = shutil.which("pdflatex")
    if exe is None:
        raise InputError("pdflatex", None, "not found on PATH (Debian: apt-get install texlive-latex-base)")
    with tempfile.TemporaryDirectory(prefix="symalign-tex-") as tmp:
        work = Path(tmp)
        for f in files:
            f = Path(f)
            dest = work / (f.name if f.is_absolute() else f)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f if f.is_absolute() or root is None else Path(root) / f, dest)
        (work / "doc.tex").write_text(source, encoding="utf-8")
        ok = True
        for _ in range(runs):
            try:
                proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=work,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
            except subprocess.TimeoutExpired:
                ok = False
                break
            if proc.returncode != 0:
                ok = False
                break
        log_path = work / "doc.log"
        log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
        ok = ok and (work / "doc.pdf").exists()
    return log_problems(log, compiled=ok)

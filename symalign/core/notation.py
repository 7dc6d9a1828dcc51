"""The paper's notation: how names print in every LaTeX write-up (a ``[latex]`` table or a Python argument).

A claim file or a game file may carry a ``[latex]`` table mapping names of
the claim/game language to LaTeX, with the index base and the index letters::

    [latex]
    gamma = "\\lambda"       # the diversity weight is lambda in the paper
    w = "\\pi"               # and the mixtures are pi
    index_base = 1           # subscripts count from 1 (the default)
    agent_index = "n"        # agent i is written n
    group_index = "k"        # group d is written k
    formula = '...'          # claim files: the author's LaTeX of the statement (as the string ``latex = '...'``)

:func:`notation_from_table` validates it (errors name the field and value);
:func:`use_notation` makes every printer of symalign (SymPy objects through
:class:`symalign.core.printing.SymalignLatexPrinter`, claim expressions
through :mod:`symalign.export.claim_expr`) use it for the duration of a
``with`` block.

Examples
--------
>>> nt = notation_from_table({"gamma": "\\\\lambda", "agent_index": "n"})
>>> nt.name("gamma"), nt.name("i"), nt.name("beta")
('\\\\lambda', 'n', '\\\\beta')
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import sympy as sp

from symalign.errors import InputError

__all__ = ["Notation", "DEFAULT_NOTATION", "notation_from_table", "use_notation", "current_notation"]

_MODIFIER = re.compile(r"^([A-Za-z]+?)(bar|hat|tilde)$")
_GREEK = frozenset("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
                   "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
_SPECIAL = ("index_base", "agent_index", "group_index", "formula")


def _default_name(name: str) -> str:
    """``gamma`` as ``\\\\gamma``, ``Wbar`` as ``\\\\bar{W}``, a word such as ``ca`` upright (``\\\\mathrm{ca}``)."""
    m = _MODIFIER.match(name)
    base, mod = (m.group(1), m.group(2)) if m else (name, None)
    if base.isalpha() and len(base) > 1 and base not in _GREEK:
        core = rf"\mathrm{{{base}}}"
    elif base.isalpha():
        core = sp.latex(sp.Symbol(base))
    else:
        return sp.latex(sp.Symbol(name))
    return rf"\{mod}{{{core}}}" if mod else core


def _check_macro(where: str, value) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InputError(where, value, "expected non-empty LaTeX (a string)")
    depth = 0
    for ch in value:
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            break
    if depth != 0 or "$" in value or "%" in value or "\n" in value:
        raise InputError(where, value, "unbalanced braces, '$', '%' or a line break in a math macro")


@dataclass(frozen=True)
class Notation:
    """How names are written in a write-up: the paper's symbols and its index base.

    Parameters
    ----------
    symbols : Mapping[str, str]
        Name in the claim or game language -> LaTeX (``{"w": "\\\\pi", "gamma": "\\\\lambda"}``).
        Index letters are names too (``{"i": "n"}``).  Unlisted names print as
        SymPy prints the symbol (``gamma`` as ``\\gamma``, ``Wbar`` as ``\\bar{W}``).
    index_base : int
        0 or 1: what the first agent/group is called in the subscripts of
        claim write-ups (the claim language counts from 0).

    Examples
    --------
    >>> Notation({"w": "\\\\pi"}).name("w"), Notation().name("gamma")
    ('\\\\pi', '\\\\gamma')
    >>> Notation(index_base=2)
    Traceback (most recent call last):
    ...
    symalign.errors.InputError: index_base=2: expected 0 or 1
    """

    symbols: Mapping = field(default_factory=dict)
    index_base: int = 1

    def __post_init__(self):
        if not isinstance(self.symbols, Mapping):
            raise InputError("symbols", self.symbols, "expected a table of name = LaTeX")
        for k, v in self.symbols.items():
            if not (isinstance(k, str) and k.isidentifier()):
                raise InputError("symbols", k, "expected identifiers as names")
            _check_macro(f"latex.{k}", v)
        if isinstance(self.index_base, bool) or self.index_base not in (0, 1):
            raise InputError("index_base", self.index_base, "expected 0 or 1")
        object.__setattr__(self, "symbols", MappingProxyType(dict(self.symbols)))

    def name(self, name: str) -> str:
        """LaTeX of one name."""
        got = self.symbols.get(name)
        return got if got is not None else _default_name(name)

    def convention(self) -> str:
        """The index convention, in a sentence for the write-up."""
        return f"Agents and groups are numbered from {self.index_base} in subscripts."


DEFAULT_NOTATION = Notation()


def notation_from_table(table, where: str = "latex") -> Notation:
    """A :class:`Notation` from a ``[latex]`` table (``formula`` is ignored here: it is the author's statement).

    Raises
    ------
    InputError
        Naming ``where.key`` and the bad value.
    """
    if table is None:
        return DEFAULT_NOTATION
    if not isinstance(table, Mapping):
        raise InputError(where, table, "expected a table of name = LaTeX")
    symbols = {}
    for k, v in table.items():
        if k in _SPECIAL:
            continue
        if not (isinstance(k, str) and k.isidentifier()):
            raise InputError(f"{where}.{k}", v, "expected an identifier as the name")
        _check_macro(f"{where}.{k}", v)
        symbols[k] = v
    for key, letter in (("agent_index", "i"), ("group_index", "d")):
        if key in table:
            _check_macro(f"{where}.{key}", table[key])
            symbols.setdefault(letter, table[key])
    base = table.get("index_base", 1)
    if isinstance(base, bool) or base not in (0, 1):
        raise InputError(f"{where}.index_base", base, "expected 0 or 1")
    if "formula" in table and not isinstance(table["formula"], str):
        raise InputError(f"{where}.formula", table["formula"], "expected the author's LaTeX as a string")
    return Notation(symbols, base)


_CURRENT: contextvars.ContextVar = contextvars.ContextVar("symalign_notation", default=DEFAULT_NOTATION)


def current_notation() -> Notation:
    """The notation every printer uses now (:data:`DEFAULT_NOTATION` outside :func:`use_notation`)."""
    return _CURRENT.get()


@contextlib.contextmanager
def use_notation(notation: Notation | None):
    """Use ``notation`` in every printer inside the ``with`` block (None: leave it as it is).

    Examples
    --------
    >>> from symalign.core.printing import latex
    >>> with use_notation(Notation({"gamma": "\\\\lambda"})):
    ...     latex(sp.Symbol("gamma") + sp.Symbol("gamma_2"))
    '\\\\lambda + \\\\lambda_{2}'
    """
    if notation is None:
        yield current_notation()
        return
    if not isinstance(notation, Notation):
        raise InputError("notation", notation, "expected a Notation (symalign.core.notation)")
    token = _CURRENT.set(notation)
    try:
        yield notation
    finally:
        _CURRENT.reset(token)

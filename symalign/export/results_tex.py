"""LaTeX of results: equilibria, validity conditions, certificates, theorem environments and claims.

:func:`equilibrium_latex` writes a closed form (symbolic) or a profile
(numeric) with its support and validity conditions;
:func:`certificate_latex` writes existence and
uniqueness certificates as theorem environments (:func:`theorem`) with
their proof status (claim files: :mod:`symalign.export.claim_tex`).
Certificates are duck typed: any object with the documented attributes works.

Every public function here is re-exported by :mod:`symalign.export.latex`,
the entry point of the LaTeX export.

Examples
--------
>>> x = sp.Symbol("x")
>>> print(conditions_latex([x > 0]))
\\begin{align*}
& x > 0
\\end{align*}
"""

from __future__ import annotations

import sympy as sp

from symalign.errors import InputError
from symalign.export.game_tex import _matrix
from symalign.core.notebook import emph, in_notebook
from symalign.core.printing import (_LINE, _comment, _relation_latex, _weights_math, escape, expression_latex, latex,
                                     latex_label, text)

__all__ = [
    "conditions_latex",
    "equilibrium_latex",
    "matrix_condition_latex",
    "theorem",
    "certificate_latex",
]

# ---------------------------------------------------------------------------
# equilibria and conditions


def _support_text(game, support) -> str:
    """``$S_1 = \\{$x$\\}$, ...``: one formula per agent (group names as text, so lines can break);
    one formula for all agents when they share the support."""
    def names(s):
        return "\\{$" + ", ".join(escape(game.groups[d]) for d in s) + "$\\}"

    sets = [tuple(s) for s in support]
    if len(sets) > 1 and len(set(sets)) == 1:
        return f"$S_i = {names(sets[0])}$ (every agent $i$)"
    return ", ".join(rf"$S_{{{i + 1}}} = {names(s)}$" for i, s in enumerate(sets))


def conditions_latex(conditions, *, width: int = _LINE) -> str:
    """Relations one per line in an ``align*`` (``True`` ones dropped).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> print(conditions_latex([x > 0, sp.true, x <= 1]))
    \\begin{align*}
    & x > 0 \\\\
    & x \\le 1
    \\end{align*}
    """
    rows = [f"& {_relation_latex(c, width=width)}" for c in conditions if c is not sp.true and c is not True]
    if not rows:
        return "(no conditions)"
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def equilibrium_latex(eq, *, multipliers: bool = False, conditions: bool = True, digits: int = 4) -> str:
    """An equilibrium: closed form (symbolic) or profile (numeric), its support and validity conditions.

    Numeric profiles are shown exactly when every entry is short, otherwise
    rounded to ``digits`` decimals (and said so).

    Examples
    --------
    >>> from symalign import Game, get_family, derive_on_support
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                 alpha=1, beta=1, gamma=0, a=[[1, 0], [0, 0]], p=[0.5, 0.5])
    >>> print(equilibrium_latex(derive_on_support(g, [[0], [0, 1]])))
    % equilibrium: active_alignment/overlap, support [[0], [0, 1]]
    On the support $S_{1} = \\{$x$\\}$, $S_{2} = \\{$x, y$\\}$ the KKT system gives
    \\begin{equation*}
    W^* = \\begin{array}{c|cc} & \\text{x} & \\text{y} \\\\ \\hline 1 & 1 & 0 \\\\ 2 & \\frac{1}{2} & \\frac{1}{2} \\end{array}
    \\end{equation*}
    Every validity condition holds: it is an equilibrium where each utility is concave in own weights.
    """
    game = eq.game
    N, D = game.n_agents, game.n_groups
    supp = [list(s) for s in eq.support]
    lines = [f"% equilibrium: {game.family.label}, support {supp}"]
    numeric = all(sp.sympify(x, strict=True).is_number for x in eq.weights)
    lead = ("the search over pure profiles gives" if eq.method == "pure-profile" else
            "the KKT system gives" if eq.exact else "the numeric solver gives")
    lines.append(f"On the support {_support_text(game, eq.support)} {lead}")
    body, rounded = _weights_math(eq, digits)
    if numeric:
        lines += ["\\begin{equation*}", body, "\\end{equation*}"]
        if rounded:
            lines.append(f"(entries rounded to {digits} decimals" + ("; the exact values are rational)."
                                                                   if eq.exact else ")."))
    else:
        lines += ["\\begin{align*}", body, "\\end{align*}"]
        st = getattr(eq, "structure", None)
        if st is not None and st.notes:
            lines.append("Here " + " ".join(st.notes) + ".")
        off = [(i, d) for i in range(N) for d in range(D) if d not in eq.support[i]]
        if off:
            lines.append("and $" + " = ".join(f"w^*_{{{i + 1},{d + 1}}}" for i, d in off) + " = 0$.")
    if multipliers and eq.multipliers:
        lines.append(r"The multipliers (each agent's equilibrium marginal utility) are")
        lines.append("\\begin{align*}")
        lines.append(" \\\\\n".join(
            rf"\lambda_{{{i + 1}}} &= {expression_latex(m, width=_LINE)}"
            for i, m in enumerate(eq.multipliers if getattr(eq, "structure", None) is None else eq.structure.multipliers)))
        lines.append("\\end{align*}")
    excluded = eq.excluded_groups()
    if excluded:
        names = ", ".join(rf"\text{{{escape(game.groups[d])}}}" for d in excluded)
        lines.append(f"Every agent gives zero weight to ${names}$.")
    gain = getattr(eq, "deviation_gain", None)
    if gain is not None:
        lines.append(f"Independent check: best unilateral deviation gain ${gain:.2e}$"
                     + (f", KKT residual ${eq.residual:.2e}$" if eq.residual is not None else "") + ".")
    if getattr(eq, "isolated", None) is False:
        lines.append("Equilibria are not isolated: this is one point of a continuum.")
    if conditions:
        valid = eq.valid
        if valid is True and getattr(eq, "concavity", None) in ("refuted", "unknown") and gain is not None:
            if gain <= 1e-9:
                lines.append(f"Concavity in own weights is {eq.concavity}; a multi-start search over the "
                             "simplex finds no profitable unilateral deviation (numeric evidence, not a proof).")
            else:
                lines.append(rf"It is {emph('not')} an equilibrium: an agent gains by deviating.")
        elif valid is True and getattr(eq, "concavity", None) in ("refuted", "unknown"):
            lines.append(f"Every KKT condition holds, but concavity in own weights is {eq.concavity}: "
                         "the KKT conditions alone do not make it an equilibrium.")
        elif valid is True and getattr(eq, "concavity", None) == "proved":
            lines.append("It is an equilibrium: every validity condition holds and each utility "
                         "is concave in own weights (checked).")
        elif valid is True:
            lines.append("Every validity condition holds: it is an equilibrium where each utility "
                         "is concave in own weights.")
        elif valid is False:
            lines.append(f"It is {emph('not')} an equilibrium: a validity condition fails.")
        else:
            lines.append(_symbolic_meaning(eq))
            st = getattr(eq, "structure", None)
            lines.append(conditions_latex(eq.conditions if st is None else st.conditions))
            if st is not None:
                lines.append("with the named quantities defined above.")
        hyps = [h for h in eq.hypotheses if h is not sp.true and h is not True]
        if hyps:
            lines.append("under the concavity hypotheses $" + r", \ ".join(_relation_latex(h) for h in hyps) + "$.")
    return "\n".join(lines)


def _symbolic_meaning(eq) -> str:
    """What the validity conditions of a symbolic closed form mean: an equilibrium only where own-concavity
    is not refuted by the checker (:func:`symalign.certify.concavity.check_own_concavity`)."""
    from symalign.certify.concavity import check_own_concavity

    status = getattr(eq, "concavity", None) or {"accepted": "proved", "rejected": "refuted"}.get(
        check_own_concavity(eq.game).status)
    if status in ("refuted", "unknown"):
        return (f"Concavity in own weights is {status} (exact check), so the KKT conditions do not make this "
                r"profile an equilibrium: it is a stationary point, \emph{not} known to be an equilibrium, "
                r"exactly when (weights positive on the support, KKT slack $\lambda_i - g_{i,d}$ nonnegative "
                r"off it)")
    return (r"It is an equilibrium exactly when (weights positive on the support, "
            r"KKT slack $\lambda_i - g_{i,d}$ nonnegative off it)")


def matrix_condition_latex(M, *, name: str = "M", relation: str = "negative definite") -> str:
    """A symmetric matrix condition with its leading principal minors (Sylvester).

    For ``relation="negative definite"`` the minors shown are those of
    ``-M``, each of which must be positive.

    Examples
    --------
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> print(matrix_condition_latex(sp.Matrix([[-b, g / 2], [g / 2, -b]]), name="S"))
    \\begin{equation*}
    S = \\begin{pmatrix} - \\beta & \\frac{\\gamma}{2} \\\\ \\frac{\\gamma}{2} & - \\beta \\end{pmatrix}
    \\end{equation*}
    is negative definite iff the leading principal minors of $-S$ are positive:
    \\begin{align*}
    & \\frac{\\left(2 \\beta - \\gamma\\right) \\left(2 \\beta + \\gamma\\right)}{4} > 0
    \\end{align*}
    """
    from symalign.core.rosen import leading_minors

    M = sp.Matrix(M)
    sign = -1 if relation == "negative definite" else 1
    minors = leading_minors(sign * M)
    mtex = _matrix(M.tolist(), fmt=latex)
    which = f"-{name}" if sign < 0 else name
    head = (f"\\begin{{equation*}}\n{name} = {mtex}\n\\end{{equation*}}\n"
            f"is {relation} iff the leading principal minors of ${which}$ are positive:")
    return head + "\n" + conditions_latex([sp.factor(m) > 0 for m in minors])


# ---------------------------------------------------------------------------
# certificates, theorems and claims (duck typed)


def _status(obj) -> str:
    status = getattr(obj, "status", None)
    status = getattr(status, "status", status)  # a Proof
    return str(status) if status is not None else "unknown"


def _condition_block(cond) -> str:
    if isinstance(cond, str):
        return text(cond)
    if isinstance(cond, (list, tuple)):
        return conditions_latex(cond)
    if isinstance(cond, sp.MatrixBase):
        return matrix_condition_latex(cond)
    if isinstance(cond, sp.And):
        return conditions_latex(sorted(cond.args, key=sp.default_sort_key))
    return conditions_latex([cond])


def theorem(statement: str, *, title: str | None = None, label: str | None = None, env: str = "theorem",
            status: str | None = None, reference: str | None = None, claim_file: str | None = None,
            proof: str | None = None) -> str:
    """A theorem environment with label, status line and the claim file as a comment.

    ``statement`` and ``proof`` are LaTeX; ``title``, ``status`` and
    ``reference`` are plain text (escaped, inline ``$...$`` kept).

    Examples
    --------
    >>> print(theorem(r"A pure equilibrium exists.", title="Existence", label="thm:T0",
    ...               status="proved", reference="Rosen 1965, Thm 1", claim_file="theorems/paper/t0.toml"))
    % claim file: theorems/paper/t0.toml
    \\begin{theorem}[Existence]\\label{thm:T0}
    A pure equilibrium exists.
    \\end{theorem}
    \\noindent\\emph{Status:} proved. \\emph{Reference:} Rosen 1965, Thm 1.
    """
    if env not in ("theorem", "proposition", "lemma", "corollary", "conjecture", "definition", "remark", "claim"):
        raise InputError("env", env, "must be a theorem environment defined by symalign.export.report.PREAMBLE")
    lines = []
    if claim_file:
        lines.append(f"% claim file: {_comment(claim_file)}")
    if in_notebook():  # MathJax has no theorem environments: a heading in text, the statement, the status
        lines += [env.capitalize() + (f" ({text(title)})" if title else "") + ".", statement.strip()]
        tail = [f"Status: {text(status)}." if status else "", f"Reference: {text(reference)}." if reference else ""]
        lines.append(" ".join(t for t in tail if t))
        return "\n".join(ln for ln in lines if ln)
    opt = f"[{text(title)}]" if title else ""
    lab = f"\\label{{{latex_label(label)}}}" if label else ""
    lines += [f"\\begin{{{env}}}{opt}{lab}", statement.strip(), f"\\end{{{env}}}"]
    tail = []
    if status:
        tail.append(f"{emph('Status:')} {text(status)}.")
    if reference:
        tail.append(f"{emph('Reference:')} {text(reference)}.")
    if tail:
        lines.append(("" if in_notebook() else r"\noindent") + " ".join(tail))
    if proof:
        lines += ["\\begin{proof}", proof.strip(), "\\end{proof}"]
    return "\n".join(lines)


def _tuple_text(v) -> str:
    """``[['1', '0'], ['0', '1']]`` as ``((1, 0), (0, 1))`` (one row per agent, in order)."""
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(_tuple_text(x) for x in v) + ")"
    return str(v)


def _counterexample(obj) -> str:
    cex = getattr(obj, "counterexample", None)
    if cex is None:
        status = getattr(obj, "status", None)
        cex = getattr(status, "counterexample", None)
    if not cex:
        return ""
    if any(isinstance(k, str) for k in cex):  # labelled items (e.g. "equilibrium 1": a profile): as text
        return "Counterexample: " + "; ".join(f"{text(str(k))}: {text(_tuple_text(v))}" for k, v in cex.items()) + "."
    items = sorted(cex.items(), key=lambda kv: sp.default_sort_key(kv[0]))
    return "Counterexample: $" + ", ".join(f"{latex(k)} = {latex(v)}" for k, v in items) + "$."


_STATUS_TEXT = {
    "proved": "the condition follows from the hypotheses (proved)",
    "refuted": "the condition does not follow from the hypotheses (refuted)",
    "unknown": "undecided (unknown)",
}


def certificate_latex(cert, *, label: str | None = None, max_hypotheses: int = 6) -> str:
    """An existence/uniqueness certificate: its condition, derivation and proof status.

    Works with :class:`symalign.verify.certificates.Certificate` and with any
    object with ``kind``, ``condition``, ``status`` (a string or a
    :class:`~symalign.verify.smt.Proof`) and ``reference``; ``condition`` may be
    a relation, a tuple of relations, a matrix (negative definiteness) or
    text.  Optional ``derivation`` (terms with ``label``, ``value``,
    ``multiplicity``), ``method``, ``hypotheses`` and ``counterexample``
    are shown when present.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> cert = SimpleNamespace(kind="uniqueness", condition=g < b, status="proved",
    ...                        reference="Rosen 1965, Thm 2")
    >>> print(certificate_latex(cert))
    % certificate: uniqueness
    \\begin{proposition}[Uniqueness]
    The equilibrium is unique when
    \\begin{align*}
    & \\gamma < \\beta
    \\end{align*}
    \\end{proposition}
    \\noindent\\emph{Status:} proved. \\emph{Reference:} Rosen 1965, Thm 2.
    """
    kind = str(getattr(cert, "kind", "certificate"))
    lead = {
        "existence": "A pure Nash equilibrium exists when",
        "uniqueness": "The equilibrium is unique when",
        "concavity": "Each utility is concave in the agent's own weights when",
    }.get(kind, "The certificate holds when")
    hyps = [h for h in (getattr(cert, "hypotheses", None) or ()) if h is not sp.true and h is not True]
    if hyps and len(hyps) <= max_hypotheses:
        lead = "Assume $" + r", \ ".join(_relation_latex(h) for h in hyps) + "$. Then " + lead[0].lower() + lead[1:]
    cond = getattr(cert, "condition", sp.true)
    if cond is sp.true or cond is True:
        body = lead.rsplit(" when", 1)[0] + ": the condition holds identically."
    elif cond is sp.false or cond is False:
        what = {"existence": "existence of a pure equilibrium", "uniqueness": "uniqueness"}.get(kind, kind)
        body = (f"The {escape(kind)} condition fails at these parameters: this certificate does not "
                f"establish {escape(what)}.")
    else:
        body = lead + "\n" + _condition_block(cond)
    terms = getattr(cert, "derivation", None) or ()
    if terms:
        method = getattr(cert, "method", "")
        rows = []
        for t in terms:
            mult = getattr(t, "multiplicity", 1)
            tail = "" if mult == 1 else rf" && (\text{{multiplicity }} {latex(sp.sympify(mult, strict=True))})"
            rows.append(rf"& \text{{{escape(t.label)}:}} && {expression_latex(t.value)}{tail}")
        body += ("\nThe condition is read off these terms" + (f" ({escape(method)})" if method else "") + ":" +
                 "\n\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    status = _status(cert)
    if (terms or hyps) and status in _STATUS_TEXT:
        status = f"{status}: {_STATUS_TEXT[status].rsplit(' (', 1)[0]}"
    cex = _counterexample(cert)
    out = theorem(body, title=kind.replace("_", " ").capitalize(), label=label, env="proposition",
                  status=status, reference=getattr(cert, "reference", None))
    if cex:
        out += "\n" + cex.replace("Counterexample:", "The condition fails at")
    return f"% certificate: {_comment(kind)}\n{out}"

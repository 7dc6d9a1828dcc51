"""LaTeX of what a claim file states, typeset from its parsed expressions (not from the author's text).

The statement of a claim is built from the parsed file: the game it is
about (family, variant, sizes), its hypotheses, and the checked condition
or formula, all in math mode (:mod:`symalign.export.claim_expr` prints the
claim language, breaks long lines and typesets ``[[claim.define]]``
helpers as ``where`` lines).  The author's prose ``statement`` is kept as
a TeX comment above the environment; nothing is printed as code.

Examples
--------
>>> print(expression_tex("gamma <= alpha*(sum(a[i, k], k) - D*a[i, d]) - D*beta*p[i, d]"))
\\gamma \\le \\alpha \\left(\\sum_{k} a_{i,k} - D a_{i,d}\\right) - D \\beta p_{i,d}
>>> print(expression_tex("gamma < beta*min(N - 1, 150) and beta > 0"))
\\gamma < \\beta \\min\\left(N - 1, 150\\right) \\wedge \\beta > 0
"""

from __future__ import annotations

import sympy as sp

from symalign.core.printing import escape, text
from symalign.core.notation import Notation, current_notation, use_notation
from symalign.core.notebook import emph, in_notebook
from symalign.export.claim_expr import definitions_tex, display_tex, expression_tex

__all__ = ["expression_tex", "claim_statement_tex", "claim_latex", "setting_tex"]


_REL = {"iff": "if and only if", "if": "if", "only_if": "only if"}
_PROCESS = {"best_response": "Simultaneous best response", "gradient_play": "Projected gradient play"}
_PROPERTY = {"contraction": "is a contraction", "two_cycle": "has a two-cycle", "convergence": "converges"}


def _rel(body) -> str:
    return _REL.get(body.get("relation"), "if") if isinstance(body.get("relation"), str) else "if"


def _group(body, nt: Notation) -> str:
    g = body.get("group")
    return f"group ${g + nt.index_base}$" if isinstance(g, int) and not isinstance(g, bool) else \
        f"group {escape(g)}" if g is not None else "the group"


def _helpers(body) -> list:
    defines = body.get("define") or ()
    return [d for d in defines if isinstance(d, dict) and isinstance(d.get("name"), str)
            and isinstance(d.get("body"), str)]


def claim_statement_tex(claim, notation: Notation | None = None) -> str:
    """The checked part of a claim, typeset in math mode: what symalign compares, by claim kind.

    Helpers (``[[claim.define]]``) follow as ``where`` lines; long
    expressions are broken into lines within the text width.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(kind="uniqueness", body={"condition": "gamma < beta*(N - 1)", "relation": "iff",
    ...                                             "property": "dsc"})
    >>> print(claim_statement_tex(c))
    Rosen's diagonal strict concavity holds if and only if
    \\begin{equation*}
    \\gamma < \\beta \\left(N - 1\\right)
    \\end{equation*}
    """
    notation = notation if notation is not None else current_notation()
    nt = notation
    kind = getattr(claim, "kind", "")
    body = getattr(claim, "body", None) or {}
    defines = _helpers(body)
    helpers = {d["name"] for d in defines}

    def show(field, lhs=""):
        return display_tex(body[field], lhs=lhs, helpers=helpers, notation=nt)

    def has(field):
        return isinstance(body.get(field), str)

    i, d = nt.name("i"), nt.name("d")
    w = nt.name("w")
    out = []
    if kind == "existence" and has("condition"):
        out = ["A pure Nash equilibrium exists if", show("condition")]
    elif kind == "uniqueness" and has("condition"):
        what = "Rosen's diagonal strict concavity holds" if body.get("property") == "dsc" else \
            "The Nash equilibrium is unique"
        out = [f"{what} {_rel(body)}", show("condition")]
        eig = body.get("eigenvalues")
        if isinstance(eig, list) and all(isinstance(e, str) for e in eig):
            vals = ", ".join(expression_tex(e, helpers=helpers, notation=nt) for e in eig)
            out.append(r"The eigenvalues of the symmetrised negative pseudo-Jacobian are $" + vals + "$.")
    elif kind == "exclusion_threshold" and has("condition"):
        scope = " (where the game reduced to the other groups has an interior equilibrium)" \
            if body.get("scope") == "reduced_interior" else ""
        out = [f"Every agent puts zero weight on {_group(body, nt)}{scope} {_rel(body)}, for every agent ${i}$,",
               show("condition")]
    elif kind == "dynamics":
        head = f"{_PROCESS.get(body.get('process'), 'The dynamics')} " \
               f"{_PROPERTY.get(body.get('property'), escape(str(body.get('property', ''))))}"
        syms = [(body.get(k), t) for k, t in (("step", "step"), ("modulus", "monotonicity modulus"),
                                               ("lipschitz", "Lipschitz constant")) if isinstance(body.get(k), str)]
        if syms:
            head += " (" + ", ".join(f"{t} ${expression_tex(v, notation=nt)}$" for v, t in syms) + ")"
        out = [f"{head} {_rel(body)}", show("condition")] if has("condition") else [head + "."]
    elif kind == "closed_form" and has("weights"):
        where = "Where the equilibrium is interior (every weight positive), it is" \
            if body.get("scope") == "interior" or body.get("support") == "interior" else "The equilibrium is"
        out = [where, show("weights", lhs=f"{w}^*_{{{i},{d}}}")]
    elif kind == "symmetric_equilibrium" and has("weights"):
        only = "only symmetric equilibrium" if body.get("only") is True else "symmetric equilibrium"
        out = [f"The {only} is", show("weights", lhs=f"{w}^*_{{{d}}}")]
    elif kind == "steering" and has("amount"):
        scope = " (where the game reduced to the other groups has an interior equilibrium)" \
            if body.get("scope") == "reduced_interior" else ""
        out = [f"The minimal subsidy that ends the exclusion of {_group(body, nt)}{scope} is",
               show("amount", lhs=f"s^*_{{{d}}}")]
    elif kind == "identity" and has("lhs") and has("rhs"):
        lhs = expression_tex(body["lhs"], helpers=helpers, notation=nt)
        out = ["The identity", display_tex(body["rhs"], lhs=lhs, helpers=helpers, notation=nt), "holds."]
    elif kind == "best_response" and has("argument"):
        f = r"\operatorname{Proj}_{\Delta}" if body.get("map") == "simplex_projection" else r"\operatorname{softmax}"
        out = [f"Agent ${i}$'s best response is $\\mathrm{{BR}}_{{{i}}} = {f}(x)$ with",
               show("argument", lhs=f"x_{{{d}}}")]
    elif kind == "equilibrium_count" and body.get("count") is not None:
        rel = escape(str(body.get("relation", "exactly")).replace("_", " "))
        out = [f"The game has {rel} ${body['count']}$ Nash equilibria."]
    elif kind == "comparative_statics" and has("wrt"):
        wrt = expression_tex(body["wrt"], notation=nt)
        if body.get("of") == "exclusion_threshold":
            par = expression_tex(str(body.get("parameter", "gamma")), notation=nt)
            of = rf"\bar{{{par}}}_{{{i},{d}}}"
            what = f"the exclusion threshold ${of}$ of {_group(body, nt)}"
        else:
            of, what = f"{w}^*_{{{i},{d}}}", f"the equilibrium weight ${w}^*_{{{i},{d}}}$"
        if body.get("scope") == "interior":
            what += " (where the equilibrium is interior)"
        if has("derivative"):
            out = [f"The derivative of {what} with respect to ${wrt}$ is",
                   show("derivative", lhs=rf"\frac{{\partial {of}}}{{\partial {wrt}}}")]
        elif isinstance(body.get("sign"), str):
            out = [f"The derivative of {what} with respect to ${wrt}$ is {escape(body['sign'])}."]
    if not out:
        return ""
    if defines:
        out.append(definitions_tex(defines, notation=nt))
    return "\n".join(out)


def checked_formula_tex(claim, notation: Notation | None = None) -> str:
    """The checked statement's main formula on one line (what the author's ``latex`` is compared with), or "".

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> print(checked_formula_tex(SimpleNamespace(kind="closed_form", body={"weights": "p[i, d]/2"})))
    w^*_{i,d} = \\frac{p_{i,d}}{2}
    """
    notation = notation if notation is not None else current_notation()
    kind = getattr(claim, "kind", "")
    body = getattr(claim, "body", None) or {}
    helpers = {d["name"] for d in _helpers(body)}
    i, d, w = notation.name("i"), notation.name("d"), notation.name("w")

    def one(field):
        return expression_tex(body[field], helpers=helpers, notation=notation) if isinstance(body.get(field), str) \
            else ""

    lhs = {"closed_form": f"{w}^*_{{{i},{d}}}", "symmetric_equilibrium": f"{w}^*_{{{d}}}", "steering": f"s^*_{{{d}}}"}
    field = {"closed_form": "weights", "symmetric_equilibrium": "weights", "steering": "amount"}.get(kind)
    if field:
        rhs = one(field)
        return f"{lhs[kind]} = {rhs}" if rhs else ""
    if kind == "identity":
        return f"{one('lhs')} = {one('rhs')}" if one("lhs") and one("rhs") else ""
    if kind in ("existence", "uniqueness", "exclusion_threshold", "dynamics"):
        return one("condition")
    return ""


def setting_tex(claim, notation: Notation | None = None) -> str:
    """The game a claim is about, in a sentence: family, variant, sizes, fixed parameters, the family's assumptions.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(game_data={"family": "active_alignment", "variant": "distance", "homogeneous": True,
    ...                                "agents": [2, 3, "N"], "groups": 3}, instances=())
    >>> print(setting_tex(c))
    In the active alignment game (distance variant) with homogeneous parameters, $N \\in \\{2, 3\\}$ and symbolic $N$ agents, $D = 3$ groups. Agents and groups are numbered from 1 in subscripts.
    """
    notation = notation if notation is not None else current_notation()
    g = getattr(claim, "game_data", None) or {}
    if not g:
        return ""
    fam = escape(str(g.get("family", "")).replace("_", " "))
    head = f"In the {fam} game"
    if isinstance(g.get("variant"), str):
        head += f" ({escape(g['variant'])} variant)"
    if g.get("homogeneous") is True:
        head += " with homogeneous parameters"
    elif g.get("homogeneous") is False:
        head += " with per-agent parameters"
    if isinstance(g.get("utility"), str):
        head += r" with utility $U_{" + notation.name("i") + "} = " + \
            expression_tex(g["utility"], notation=notation) + "$"
    sizes = []
    agents, groups = g.get("agents"), g.get("groups")
    if agents is None and isinstance(g.get("instances"), list):
        pairs = [(x.get("agents"), x.get("groups")) for x in g["instances"] if isinstance(x, dict)]
        sizes.append("for $(N, D) \\in \\{" + ", ".join(f"({a}, {b})" for a, b in pairs) + "\\}$")
    else:
        agents = agents if isinstance(agents, list) else [agents] if agents is not None else []
        nums = [a for a in agents if isinstance(a, int) and not isinstance(a, bool)]
        part = ""
        if len(nums) == 1:
            part = f"$N = {nums[0]}$"
        elif nums:
            part = "$N \\in \\{" + ", ".join(map(str, nums)) + "\\}$"
        if "N" in agents:
            part += (" and " if part else "") + "symbolic $N$"
        if part:
            sizes.append(part + " agents")
        if isinstance(groups, int):
            sizes.append(f"$D = {groups}$ groups")
    if isinstance(g.get("parameters"), dict) and g["parameters"]:
        items = sorted(g["parameters"].items())
        vals = [f"{notation.name(k)} = {escape(v)}" for k, v in items if not isinstance(v, (list, dict))]
        arrays = [f"${notation.name(k)}$" for k, v in items if isinstance(v, (list, dict))]
        if vals:
            sizes.append("$" + ", ".join(vals) + "$")
        if arrays:
            sizes.append("the numeric " + ", ".join(arrays) + " of the claim file")
    out = head + (", " + ", ".join(sizes) if sizes else "") + "."
    assumed = _family_assumptions(claim)
    if assumed:
        out += " The family assumes $" + assumed + "$."
    return out + " " + notation.convention()


def _family_assumptions(claim) -> str:
    """The family's own hypotheses on the claim's first instance (e.g. beta > gamma in the distance variant)."""
    from symalign.core.printing import _relation_latex

    for inst in getattr(claim, "instances", ()) or ():
        game = getattr(inst, "game", None)
        fam = getattr(game, "family", None)
        if fam is None or not hasattr(fam, "hypotheses"):
            return ""
        try:
            hyps = [h for h in fam.hypotheses(game) if h is not sp.true]
        except Exception:  # noqa: BLE001  (a family without per-game hypotheses shows none)
            return ""
        if len(hyps) == 1:
            return _relation_latex(hyps[0])
        if hyps:
            return _relation_latex(hyps[0]) + r"\text{ and likewise for every agent}"
        return ""
    return ""


_TRUE = ("proved", "derived")


def claim_latex(claim, result=None, *, notation: Notation | None = None, caveats: list | None = None) -> str:
    """A claim file as LaTeX: its statement, the condition symalign checked, and the outcome.

    The environment follows the *checked* status, never the stated one: a
    theorem when symalign proved or derived it, a claim marked "checked on
    samples, not proved" when only samples or simulations support it,
    "Claim (refuted)" with the
    counterexample when refuted, a conjecture when open or not checked
    (``result`` None).  The checked part is typeset from the parsed claim
    expressions (:func:`claim_statement_tex`), after the game it is about
    (:func:`setting_tex`); the author's prose ``statement`` stays in the
    source as a ``%`` comment.  The author's ``latex`` field is compared with
    the checked formula symbolically
    (:func:`symalign.export.author_latex.compare_author_latex`): the same
    mathematics gets no note; otherwise it is shown below, flagged as
    differing or as not compared (with the reason).  With ``caveats`` (a
    list), the general caveat is appended to it once (a report collects
    them) and the note carries a mark; ``notation`` sets the symbols and
    index base (:class:`~symalign.export.claim_expr.Notation`).

    Works with :class:`symalign.claims.schema.Claim` and, by duck typing,
    with any object with some of ``id``, ``title``, ``kind``, ``body``,
    ``statement``, ``latex``, ``hypotheses``, ``expected``, ``reference``,
    ``path``; ``result`` is a :class:`symalign.claims.checks.ClaimResult`
    (or anything with ``status`` and optionally ``counterexample``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> claim = SimpleNamespace(id="T2", title="Uniqueness", kind="uniqueness", statement="DSC iff gamma is below twice beta.",
    ...                         body={"condition": "gamma < 2*beta"}, latex=r"\\gamma < 3\\beta",
    ...                         expected="proved", reference="Rosen 1965", path="theorems/t2.toml")
    >>> print(claim_latex(claim, SimpleNamespace(status="proved")))  # doctest: +ELLIPSIS
    % statement: DSC iff gamma is below twice beta.
    % claim file: theorems/t2.toml
    \\begin{theorem}[Uniqueness]\\label{claim:T2}
    The Nash equilibrium is unique if
    \\begin{equation*}
    \\gamma < 2 \\beta
    \\end{equation*}
    \\end{theorem}
    \\noindent\\emph{Status:} proved (stated), proved (checked by symalign). \\emph{Reference:} Rosen 1965.
    \\par\\noindent\\emph{The claim file's own LaTeX, ...} $\\gamma < 3\\beta$
    >>> print(claim_latex(claim, SimpleNamespace(status="refuted", counterexample={sp.Symbol("gamma"): 3, sp.Symbol("beta"): 1})))
    ... # doctest: +ELLIPSIS
    % statement: DSC iff gamma is below twice beta.
    % claim file: theorems/t2.toml
    \\begin{claim}[refuted: Uniqueness]\\label{claim:T2}
    ...
    Counterexample: $\\beta = 1, \\gamma = 3$.
    \\end{claim}
    ...
    """
    nt = notation if notation is not None else getattr(claim, "notation", None)
    with use_notation(nt) as nt:
        return _claim_latex(claim, result, nt, caveats)


def _claim_latex(claim, result, nt, caveats) -> str:
    from symalign.export.results_tex import _counterexample, _relation_latex, _status, theorem

    statement = getattr(claim, "statement", None) or ""
    prose = " ".join(statement.split()) if isinstance(statement, str) else ""
    checked = claim_statement_tex(claim, nt)
    author = (getattr(claim, "latex", "") or "").strip()
    body = checked or text(prose)
    author_note = _author_note(author, checked_formula_tex(claim, nt), caveats) if author else ""
    ident = getattr(claim, "id", None) or getattr(claim, "name", None)
    title = getattr(claim, "title", None) or ident
    path = next((getattr(claim, k) for k in ("path", "source", "file") if getattr(claim, k, None)), None)
    hyps = getattr(claim, "hypotheses", None) or ()
    hyps = [hyps] if isinstance(hyps, str) else [h for h in hyps if h is not sp.true and h is not True]
    if hyps:
        items = [f"${expression_tex(h, notation=nt)}$" if isinstance(h, str) else f"${_relation_latex(h)}$"
                 for h in hyps]
        body = "Assume " + ", ".join(items) + ". Then:\n" + body
    setting = setting_tex(claim, nt)
    if setting:
        body = setting + "\n" + body
    stated = getattr(claim, "expected", None) or getattr(claim, "status", None)
    stated = getattr(stated, "status", stated)
    status = f"{stated} (stated)" if stated else None
    checked_status = _status(result) if result is not None else None
    if result is not None:
        status = (status + ", " if status else "") + f"{checked_status} (checked by symalign)"
    if checked_status in _TRUE:
        env, heading = "theorem", title
    elif checked_status == "checked-by-property":  # samples or simulations support it: evidence, not a theorem
        env, heading = "claim", f"checked on samples, not proved: {title}" if title else "checked on samples, not proved"
    elif checked_status == "refuted":
        env, heading = "claim", f"refuted: {title}" if title else "refuted"
        cex = _counterexample(result) or _counterexample(claim)
        body += "\n" + (cex or "No counterexample point is recorded.")
        recheck = getattr(result, "recheck", "") if result is not None else ""
        if isinstance(recheck, str) and recheck:
            body += "\nRe-checked independently: " + text(" ".join(recheck.split())) + "."
    else:
        env = "conjecture"
        what = "not checked" if result is None else f"{checked_status}: not established by symalign"
        heading = f"{what}: {title}" if title else what
    out = theorem(body, title=str(heading) if heading else None, label=f"claim:{ident}" if ident else None,
                  env=env, status=status, reference=getattr(claim, "reference", None) or None,
                  claim_file=str(path) if path else None)
    if checked and prose:  # the author's wording stays in the source, for reference; the PDF shows the mathematics
        out = "\n".join("% statement: " + ln for ln in _wrap(prose)) + "\n" + out
    return out + ("\n" + author_note if author_note else "")


AUTHOR_CAVEAT = ("The claim files' own LaTeX (marked $\\dagger$) is shown as written: symalign checks the parsed "
                 "expressions of each file, and compares the author's LaTeX with them symbolically where SymPy's "
                 "LaTeX parser reads it.")


def _author_note(author: str, formula: str, caveats) -> str:
    """The author's LaTeX below the statement: nothing when it is the same mathematics, else flagged with the reason."""
    from symalign.export.author_latex import LatexComparison, compare_author_latex

    cmp = compare_author_latex(author, formula) if formula else \
        LatexComparison("not compared", "this kind of claim has no single checked formula")
    if cmp.status == "same":
        return ""
    if caveats is not None:
        if AUTHOR_CAVEAT not in caveats:
            caveats.append(AUTHOR_CAVEAT)
        mark = r"$^\dagger$"
    else:
        mark = ""
    what = "differs from the checked statement" if cmp.status == "differs" else "not compared"
    lead = "" if in_notebook() else r"\par\noindent"
    return lead + emph(f"The claim file's own LaTeX{mark}, {what} ({text(cmp.reason)}):") + f" ${author}$"


def _wrap(prose: str, width: int = 100) -> list:
    lines, cur = [], ""
    for word in prose.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    return lines + ([cur] if cur else [])

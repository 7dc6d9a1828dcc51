"""``symalign derive``: closed form on a support and its validity conditions."""

from __future__ import annotations

from dataclasses import dataclass

import json

import click

from symalign.cli.options import game_file_argument, json_option
from symalign.cli.plugins import plugin_option

__all__ = ["command"]


@click.command("derive")
@game_file_argument
@click.option("--support", default=None, help="Support per agent, e.g. '0,1;0,1,2' or 'left,centre' for all agents. Default: interior (numeric games: the equilibrium's support).")
@click.option("--latex", "as_latex", is_flag=True, help="Print LaTeX only (align* / gather* environments, comments with %).")
@json_option("Print the closed form as JSON (expressions as strings).")
@plugin_option
def command(game_file, support, as_latex, as_json):
    """Closed-form equilibrium on a support with its validity conditions."""
    import sympy as sp

    from symalign.cli.app import parse_support
    from symalign.core.derive import derive_on_support
    from symalign.errors import InputError
    from symalign.io.gamefile import load_game

    if as_latex and as_json:
        raise InputError("--latex/--json", None, "give at most one of --latex and --json")
    from symalign.core.kkt import kkt_system

    game = load_game(game_file)
    supp = parse_support(support)
    if not kkt_system(game).is_affine():
        return _derive_nonlinear(game, supp, as_latex, as_json)
    if supp is None and game.is_numeric and game.family.strictly_concave:
        from symalign.numeric.solve import find_equilibrium

        supp = find_equilibrium(game).support
    from symalign.core.linear import SingularSystem

    try:
        eq = derive_on_support(game, supp)
    except SingularSystem:
        if not game.is_numeric or support is not None:
            raise
        return _continuum(game, as_json)
    names = [[game.groups[d] for d in s] for s in eq.support]
    st = eq.structure  # large symbolic closed forms keep named intermediates (T_d = ...): shown, not expanded
    shown = eq.weights if st is None else st.weights
    conditions = [c for c in (eq.conditions if st is None else st.conditions) if c is not sp.true]
    hyps = [h for h in eq.hypotheses if h is not sp.true]
    concavity, meaning = _concavity(game, eq)
    if as_json:
        click.echo(json.dumps({
            "family": game.family.label, "groups": list(game.groups), "support": names,
            "weights": [[str(eq.weights[i, d]) for d in range(game.n_groups)] for i in range(game.n_agents)],
            "conditions": [str(c) for c in conditions], "valid": eq.valid,
            "hypotheses": [str(h) for h in hyps],
            "concavity": None if concavity is None else concavity.to_dict(), "meaning": meaning,
            **({} if st is None else {"structured": eq.to_dict()["structured"]})}, indent=2))
        return
    if as_latex:
        click.echo(f"% {game.family.label}, support {names}")
        rows = [f"w^*_{{{i + 1},{d + 1}}} &= {sp.latex(shown[i, d])}"
                for i in range(game.n_agents) for d in range(game.n_groups)]
        if st is not None:
            from symalign.core.printing import definitions_rows

            rows += [r"&\text{where}"] + definitions_rows(st.definitions)
        click.echo("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
        if conditions:
            click.echo("% validity conditions\n\\begin{gather*}\n" + " \\\\\n".join(sp.latex(c) for c in conditions)
                       + "\n\\end{gather*}")
        click.echo(f"% valid (KKT conditions hold): {eq.valid if eq.valid is not None else 'depends on parameters'}")
        click.echo(f"% {meaning}")
        if hyps:
            click.echo("% under the family's hypotheses\n\\begin{gather*}\n" + " \\\\\n".join(sp.latex(h) for h in hyps)
                       + "\n\\end{gather*}")
        return
    click.echo(f"{game.family.label}: closed form on support {names}")
    for i in range(game.n_agents):
        for d in range(game.n_groups):
            click.echo(f"w*[{i + 1},{game.groups[d]}] = {shown[i, d]}")
    if st is not None:
        click.echo("where (named quantities, in order of definition):")
        for sym, expr in st.definitions:
            click.echo(f"  {sym.name} = {expr}")
    click.echo("validity conditions:")
    for c in conditions:
        click.echo(f"  {c}")
    click.echo(f"valid (KKT conditions hold): {eq.valid if eq.valid is not None else 'depends on parameters'}")
    if concavity is not None:
        click.echo(f"own-concavity: {concavity.status} ({concavity.method})")
    click.echo(meaning)
    if hyps:
        click.echo("under the family's hypotheses: " + ", ".join(str(h) for h in hyps))


@dataclass(frozen=True)
class _Checked:
    """Own-concavity of a symbolic game as decided by the checker (:mod:`symalign.certify.concavity`)."""

    status: str
    verdict: object
    method: str = "exact (constant own Hessian, symalign.certify)"

    def to_dict(self) -> dict:
        return {"status": self.status, "method": self.method, "checker": self.verdict.to_dict()}


def _continuum(game, as_json):
    """The KKT system on the solver's support is singular: the equilibria form a continuum, listed as the
    exact parametrised components of ``solve --all`` (:func:`symalign.numeric.enumerate.enumerate_equilibria`)."""
    from symalign.numeric.solve import solve

    sol = solve(game, all_equilibria=True)
    if as_json:
        click.echo(json.dumps({"family": game.family.label, "groups": list(game.groups), "continuum": bool(sol.components),
                               **{k: v for k, v in sol.to_dict().items() if k != "game"}}, indent=2))
        return
    click.echo(f"{game.family.label}: the KKT system on the solver's support is singular; "
               + (f"the equilibria form {len(sol.components)} component(s) of positive dimension (exact, from solve --all)"
                  if sol.components else "solve --all found no component of positive dimension; its answer:"))
    for k, comp in enumerate(sol.components, 1):
        click.echo(f"component {k}: a {comp.kind} on support {[[game.groups[d] for d in s] for s in comp.support]}")
        click.echo(f"  W(t) = {comp.profile().tolist()}  for  {', '.join(str(c) for c in comp.constraints)}")
        for v in comp.vertices:
            click.echo(f"  vertex {v.tolist()}")
    for eq in sol.equilibria:
        click.echo(f"isolated equilibrium: {eq.weights.tolist()}")
    for note in sol.notes:
        click.echo(f"note: {note}")


def _concavity(game, eq):
    """Own-concavity (numeric games) and what the validity conditions mean for this game."""
    if not game.is_numeric:
        from symalign.certify.concavity import check_own_concavity

        verdict = check_own_concavity(game)  # exact where the own Hessians are rational constants
        if verdict.status == "rejected":
            return _Checked("refuted", verdict), (
                "own-concavity refuted exactly (" + verdict.reason + "): this is a KKT (stationary) point, "
                "NOT known to be an equilibrium where the validity conditions hold; `symalign solve` checks "
                "numeric instances exactly")
        if verdict.status == "accepted":
            return _Checked("proved", verdict), "own-concavity proved exactly: where valid, this is an equilibrium"
        return None, ("an equilibrium where the validity conditions hold and utilities are concave in own "
                      "weights (see the existence certificate)")
    from symalign.core.concavity import own_concavity

    conc = own_concavity(game)
    if conc.status == "proved":
        return conc, "own-concavity proved: where valid, this is an equilibrium"
    return conc, (f"own-concavity {conc.status}: this is a KKT (stationary) point, not known to be an "
                  "equilibrium; `symalign solve` checks deviations over the whole simplex")


def _derive_nonlinear(game, supp, as_latex, as_json):
    """``derive`` for gradients that are not affine: the closed-form routes, else the numeric equilibrium."""
    import sympy as sp

    from symalign.core.nonlinear import solve_on_support
    from symalign.numeric.closed_forms import ClosedFormResult, find_closed_form

    if supp is not None:
        eqs = tuple(e for e in solve_on_support(game, supp) if e.valid is not False)
        # stationary points of one support's KKT system, no deviation check: an equilibrium only where
        # own-concavity is proved (the same wording as the affine route)
        _, meaning = _concavity(game, eqs[0]) if eqs else (None, "no closed form found on this support")
        res = ClosedFormResult(game, "kkt-nonlinear" if eqs else "none", eqs, None, None, (meaning,))
    else:
        res = find_closed_form(game)
    shown = res.equilibria or ((res.numeric,) if res.numeric is not None else ())
    if as_json:
        click.echo(json.dumps({
            "family": game.family.label, "groups": list(game.groups), "route": res.route if res.found else None,
            "equilibria": [{"exact": eq.exact, "support": [[game.groups[d] for d in s] for s in eq.support],
                            "weights": [[str(eq.weights[i, d]) if eq.exact else float(eq.weights[i, d])
                                         for d in range(game.n_groups)] for i in range(game.n_agents)],
                            "conditions": [str(c) for c in eq.conditions if c is not sp.true]} for eq in shown],
            "deviation_gain": res.deviation_gain, "notes": list(res.notes)}, indent=2))
        return
    show = sp.latex if as_latex else str
    prefix = "% " if as_latex else ""
    click.echo(f"{prefix}{game.family.label}: {'closed form by route ' + res.route if res.found else 'no closed form found'}")
    for k, eq in enumerate(shown, 1):
        click.echo(f"{prefix}equilibrium {k} ({'exact, ' + eq.method if eq.exact else 'numeric'}), support "
                   f"{[[game.groups[d] for d in s] for s in eq.support]}")
        rows = []
        for i in range(game.n_agents):
            for d in range(game.n_groups):
                value = show(eq.weights[i, d]) if eq.exact else f"{float(eq.weights[i, d]):.6f}"
                rows.append(f"w^*_{{{i + 1},{d + 1}}} &= {value}" if as_latex else f"w*[{i + 1},{game.groups[d]}] = {value}")
        click.echo("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}" if as_latex else "\n".join(rows))
        conds = [c for c in eq.conditions if c is not sp.true]
        if conds:
            click.echo(f"{prefix}validity conditions: " + ", ".join(show(c) for c in conds))
    if res.deviation_gain is not None:
        click.echo(f"{prefix}largest unilateral deviation gain (independent check): {res.deviation_gain:.3g}")
    for note in res.notes:
        click.echo(f"{prefix}note: {note}")

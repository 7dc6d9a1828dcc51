"""``symalign derive``: closed form on a support and its validity conditions."""

from __future__ import annotations

import json

import click

__all__ = ["command"]


@click.command("derive")
@click.argument("game_file", type=click.Path(dir_okay=False))
@click.option("--support", default=None, help="Support per agent, e.g. '0,1;0,1,2' or 'left,centre' for all agents. Default: interior (numeric games: the equilibrium's support).")
@click.option("--latex", "as_latex", is_flag=True, help="Print LaTeX only (align* / gather* environments, comments with %).")
@click.option("--json", "as_json", is_flag=True, help="Print the closed form as JSON (expressions as strings).")
def command(game_file, support, as_latex, as_json):
    """Closed-form equilibrium on a support with its validity conditions."""
    import sympy as sp

    from symalign.cli.app import parse_support
    from symalign.core.derive import derive_on_support
    from symalign.errors import InputError
    from symalign.io.gamefile import load_game

    if as_latex and as_json:
        raise InputError("--latex/--json", None, "give at most one of --latex and --json")
    game = load_game(game_file)
    supp = parse_support(support)
    if supp is None and game.is_numeric and game.family.strictly_concave:
        from symalign.numeric.solve import find_equilibrium

        supp = find_equilibrium(game).support
    eq = derive_on_support(game, supp)
    names = [[game.groups[d] for d in s] for s in eq.support]
    conditions = [c for c in eq.conditions if c is not sp.true]
    hyps = [h for h in eq.hypotheses if h is not sp.true]
    if as_json:
        click.echo(json.dumps({
            "family": game.family.label, "groups": list(game.groups), "support": names,
            "weights": [[str(eq.weights[i, d]) for d in range(game.n_groups)] for i in range(game.n_agents)],
            "conditions": [str(c) for c in conditions], "valid": eq.valid,
            "hypotheses": [str(h) for h in hyps]}, indent=2))
        return
    if as_latex:
        click.echo(f"% {game.family.label}, support {names}")
        rows = [f"w^*_{{{i + 1},{d + 1}}} &= {sp.latex(eq.weights[i, d])}"
                for i in range(game.n_agents) for d in range(game.n_groups)]
        click.echo("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
        if conditions:
            click.echo("% validity conditions\n\\begin{gather*}\n" + " \\\\\n".join(sp.latex(c) for c in conditions)
                       + "\n\\end{gather*}")
        click.echo(f"% valid: {eq.valid if eq.valid is not None else 'depends on parameters'}")
        if hyps:
            click.echo("% under the family's hypotheses\n\\begin{gather*}\n" + " \\\\\n".join(sp.latex(h) for h in hyps)
                       + "\n\\end{gather*}")
        return
    click.echo(f"{game.family.label}: closed form on support {names}")
    for i in range(game.n_agents):
        for d in range(game.n_groups):
            click.echo(f"w*[{i + 1},{game.groups[d]}] = {eq.weights[i, d]}")
    click.echo("validity conditions:")
    for c in conditions:
        click.echo(f"  {c}")
    click.echo(f"valid: {eq.valid if eq.valid is not None else 'depends on parameters'}")
    if hyps:
        click.echo("under the family's hypotheses: " + ", ".join(str(h) for h in hyps))

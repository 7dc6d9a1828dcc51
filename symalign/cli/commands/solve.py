"""``symalign solve``: exact equilibria of a numeric game."""

from __future__ import annotations

import json

import click

__all__ = ["command"]


def _fmt(x, exact=False) -> str:
    return str(x) if exact and x.is_Rational else f"{float(x):.6f}"


@click.command("solve")
@click.argument("game_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--exact", is_flag=True, help="Print exact rationals instead of decimals.")
def command(game_file, as_json, exact):
    """Exact equilibria of a numeric game (support found numerically, solved exactly)."""
    from symalign.io.gamefile import load_game
    from symalign.numeric.solve import solve as solve_game

    game = load_game(game_file)
    sol = solve_game(game)
    if as_json:
        click.echo(json.dumps(sol.to_dict(), indent=2))
        return
    unique = {True: "unique (Rosen / enumeration)", False: "not unique", None: "uniqueness not established"}[sol.unique]
    click.echo(f"{game.family.label}: {game.n_agents} agents, groups {', '.join(game.groups)}")
    click.echo(f"{len(sol.equilibria)} equilibri{'um' if len(sol.equilibria) == 1 else 'a'}; {unique}")
    for k, eq in enumerate(sol.equilibria, 1):
        tag = "exact" if eq.exact else "numeric"
        click.echo(f"\nequilibrium {k} ({tag}, {eq.method}" + (f", KKT residual {eq.residual:.2e})" if eq.residual is not None else ")"))
        width = max(len(g) for g in game.groups)
        click.echo("  agent  " + "  ".join(g.rjust(max(width, 10)) for g in game.groups))
        for i in range(game.n_agents):
            row = "  ".join(_fmt(eq.weights[i, d], exact).rjust(max(width, 10)) for d in range(game.n_groups))
            click.echo(f"  {i + 1:>5}  {row}")
        excl = [game.groups[d] for d in eq.excluded_groups()]
        if excl:
            click.echo(f"  excluded by every agent: {', '.join(excl)}")
    for note in sol.notes:
        click.echo(f"note: {note}")

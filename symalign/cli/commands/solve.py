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
    """Exact equilibria of a numeric game (support found numerically, solved exactly).

    A homogeneous game (identical agents) with more agents than the limit
    'agents' is solved by the mean-field route (no explicit N-agent system).
    """
    from symalign.io.gamefile import game_from_mapping, read_toml, require_numeric
    from symalign.numeric.solve import solve as solve_game

    data = read_toml(game_file)
    many = _many_agents(data)
    if many:
        return _homogeneous(data, game_file, many, as_json, exact)
    game = game_from_mapping(data, source=game_file)
    require_numeric(game, game_file, "solve needs numbers")
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
            click.echo(f"  {i:>5}  {row}")  # agents 0-based, as in every output
        excl = [game.groups[d] for d in eq.excluded_groups()]
        if excl:
            click.echo(f"  excluded by every agent: {', '.join(excl)}")
    for note in game.notes + sol.notes:
        click.echo(f"note: {note}")


def _many_agents(data) -> int:
    from symalign.core import limits

    n = data.get("agents")
    return n if isinstance(n, int) and not isinstance(n, bool) and n > limits.current().agents else 0


def _homogeneous(data, game_file, n_agents, as_json, exact):
    """Identical agents beyond the explicit limit: the mean-field route, or the limit error."""
    from symalign.errors import DerivationError, SymalignError
    from symalign.io.gamefile import game_from_mapping
    from symalign.numeric.homogeneous import is_homogeneous, solve_homogeneous

    try:
        rep = game_from_mapping({**data, "agents": 2}, source=game_file)
        ok = is_homogeneous(rep)
    except SymalignError:
        ok = False
    if not ok:
        game_from_mapping(data, source=game_file)  # raises the limit error, naming the flag
    try:
        sol = solve_homogeneous(rep, n_agents)
    except DerivationError as exc:
        from symalign.errors import GameFileError

        from symalign.core import limits

        raise GameFileError(game_file, "agents", n_agents, f"exceeds the limit agents = {limits.current().agents} "
                            f"(raise it with {limits.flag('agents')}), and the mean-field route for identical "
                            f"agents does not apply: {exc}") from None
    if as_json:
        click.echo(json.dumps({"equilibria": [sol.to_dict()], "unique": None,
                               "notes": ["homogeneous game: every agent plays the same mixture; "
                                         "solved for symbolic N and checked on the two-agent game"]}, indent=2))
    else:
        click.echo(f"{sol.family}: {n_agents} identical agents, groups {', '.join(sol.groups)}")
        click.echo(f"symmetric equilibrium ({sol.method}; every agent plays the same mixture):")
        for g, w in zip(sol.groups, sol.weights):
            click.echo(f"  {g:>14}  {str(w) if exact else f'{float(w):.6f}'}")
        click.echo(f"check on the two-agent game: KKT residual {sol.residual:.2e}, best deviation gain "
                   f"{sol.deviation_gain:.2e} ({'passed' if sol.checked else 'FAILED'})")
        click.echo("note: uniqueness not established by this route")
    if not sol.checked:
        raise SystemExit(1)

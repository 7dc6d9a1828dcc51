"""``symalign solve``: exact equilibria of a numeric game."""

from __future__ import annotations

import json

import click

from symalign.cli.options import game_file_argument, json_option
from symalign.cli.plugins import plugin_option

__all__ = ["command"]


def _fmt(x, exact=False) -> str:
    return str(x) if exact and x.is_Rational else f"{float(x):.6f}"


@click.command("solve")
@game_file_argument
@json_option()
@click.option("--exact", is_flag=True, help="Print exact rationals instead of decimals.")
@click.option("--all", "all_equilibria", is_flag=True,
              help="Enumerate every equilibrium (affine gradients): supports, exact elimination, components.")
@plugin_option
def command(game_file, as_json, exact, all_equilibria):
    """Exact equilibria of a numeric game (support found numerically, solved exactly).

    A homogeneous game (identical agents) with more agents than the limit
    'agents' is solved by the mean-field route (no explicit N-agent system).
    """
    from symalign.io.gamefile import game_from_mapping, read_toml, require_numeric
    from symalign.numeric.solve import solve as solve_game

    if str(game_file).lower().endswith(".nfg"):  # Gambit strategic form: two players a bimatrix game
        from symalign.io.nfg import game_of, read_normal_form

        nf = read_normal_form(game_file)
        if len(nf.players) != 2:
            return _n_player(nf, as_json, exact)
        game = game_of(nf, game_file)
    else:
        data = read_toml(game_file)
        many = _many_agents(data)
        if many:
            return _homogeneous(data, game_file, many, as_json, exact)
        game = game_from_mapping(data, source=game_file)
    require_numeric(game, game_file, "solve needs numbers")
    sol = solve_game(game, all_equilibria=all_equilibria)
    if as_json:
        click.echo(json.dumps(sol.to_dict(), indent=2))
        return
    unique = {True: "unique (Rosen / enumeration)", False: "not unique", None: "uniqueness not established"}[sol.unique]
    click.echo(f"{game.family.label}: {game.n_agents} agents, groups {', '.join(game.groups)}")
    comps = f" and {len(sol.components)} component(s)" if sol.components else ""
    click.echo(f"{len(sol.equilibria)} {'isolated ' if all_equilibria else ''}equilibri"
               f"{'um' if len(sol.equilibria) == 1 else 'a'}{comps}; {unique}")
    if sol.concavity is not None:
        click.echo(f"own-concavity: {sol.concavity.status} ({sol.concavity.method})")
    for k, eq in enumerate(sol.equilibria, 1):
        _print_profile(game, eq, f"equilibrium {k}", exact)
    for k, eq in enumerate(sol.stationary_points, 1):
        _print_profile(game, eq, f"stationary point {k} (NOT an equilibrium)", exact)
    for k, comp in enumerate(sol.components, 1):
        click.echo(f"\ncomponent {k}: a {comp.kind} of equilibria on support "
                   f"{[[game.groups[d] for d in s] for s in comp.support]}")
        click.echo(f"  W(t) = {comp.profile().tolist()}  for  {', '.join(str(c) for c in comp.constraints)}")
        for v in comp.vertices:
            click.echo(f"  vertex {v.tolist()}")
    for note in game.notes + sol.notes:
        click.echo(f"note: {note}")


def _print_profile(game, eq, title, exact):
    """One profile with its own checks: exactness, residual, deviation gain, isolation, notes."""
    tag = "exact" if eq.certified else ("exact weights, not certified" if eq.exact else "numeric")
    checks = [tag, eq.method]
    if eq.residual is not None:
        checks.append(f"KKT residual {eq.residual:.2e}")
    if eq.deviation_gain is not None:
        checks.append(f"best deviation gain {eq.deviation_gain:.2e} ({eq.deviation_method})")
    if eq.isolated is False:
        checks.append("not isolated")
    click.echo(f"\n{title} (" + ", ".join(checks) + ")")
    width = max(len(g) for g in game.groups)
    click.echo("  agent  " + "  ".join(g.rjust(max(width, 10)) for g in game.groups))
    for i in range(game.n_agents):
        row = "  ".join(_fmt(eq.weights[i, d], exact).rjust(max(width, 10)) for d in range(game.n_groups))
        click.echo(f"  {i:>5}  {row}")  # agents 0-based, as in every output
    excl = [game.groups[d] for d in eq.excluded_groups()]
    if excl:
        click.echo(f"  excluded by every agent: {', '.join(excl)}")
    for note in eq.notes:
        click.echo(f"  note: {note}")


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


def _n_player(nf, as_json, exact):
    """Every equilibrium of a game with three or more players (.nfg), exactly."""
    from symalign.numeric.normal_form_nash import normal_form_equilibria

    res = normal_form_equilibria(nf)

    def row(v):
        return str(v) if exact or v.is_Rational else f"{float(v):.6f} ({v})"

    unique = len(res.points) == 1 and not res.components  # the support enumeration is complete
    if as_json:
        click.echo(json.dumps({
            "players": list(nf.players), "strategies": [list(s) for s in nf.strategies], "unique": unique,
            "equilibria": [{"weights": [[str(v) for v in p] for p in point], "exact": True,
                            "support": [[lab for lab, v in zip(labels, p) if v != 0]
                                        for labels, p in zip(nf.strategies, point)],
                            "notes": ["exact regret 0 over pure strategies (independent check)"]}
                           for point in res.points],
            "components": [{"support": [list(s) for s in c.support], "profile": [[str(v) for v in p] for p in c.profile],
                            "parameters": [str(t) for t in c.parameters], "constraints": [str(x) for x in c.constraints],
                            "sample": None if c.sample is None else [[str(v) for v in p] for p in c.sample]}
                           for c in res.components],
            "check": "exact regret over pure strategies (algebraic numbers zero-tested by minimal polynomial)"}, indent=2))
        return
    click.echo(f"{len(nf.players)}-player game {nf.title!r}: {len(res.points)} isolated equilibri"
               f"{'um' if len(res.points) == 1 else 'a'}, {len(res.components)} continuum/continua "
               f"({res.supports_visited} support profiles; every point checked by exact regret)")
    for k, point in enumerate(res.points, 1):
        click.echo(f"\nequilibrium {k}:")
        for name, labels, p in zip(nf.players, nf.strategies, point):
            click.echo(f"  {name}: " + ", ".join(f"{s}={row(v)}" for s, v in zip(labels, p)))
    for k, c in enumerate(res.components, 1):
        click.echo(f"\ncontinuum {k} in {', '.join(map(str, c.parameters))}: {[list(p) for p in c.profile]}")
        click.echo(f"  where {', '.join(str(x) for x in c.constraints)}; checked sample {c.sample}")

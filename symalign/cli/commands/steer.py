"""``symalign steer``: subsidies that end an exclusion or reach a target mixture."""

from __future__ import annotations

import json

import click

from symalign.cli.options import game_file_argument, json_option

from symalign.errors import InputError

__all__ = ["command"]


def _rows(game, W):
    width = max(max(len(g) for g in game.groups), 9)
    lines = ["  agent  " + "  ".join(g.rjust(width) for g in game.groups)]
    for i in range(W.rows):
        lines.append(f"  {i + 1:>5}  " + "  ".join(f"{float(W[i, d]):.6f}".rjust(width) for d in range(W.cols)))
    return lines


@click.command("steer")
@game_file_argument
@click.option("--include", "include", default=None, metavar="GROUP", help="End this group's exclusion.")
@click.option("--target", default=None, metavar="W1,...,WD", help="Target average mixture (on the simplex, e.g. 0.2,0.2,0.2,0.2,0.2 or 1/3,...).")
@json_option()
def command(game_file, include, target, as_json):
    """Derive a subsidy on attractiveness (a_i -> a_i + s) and check it by solving the steered game."""
    from symalign.io.gamefile import load_game
    from symalign.analysis.steering import diversity_lever, minimal_subsidy, prior_lever, target_subsidy

    if (include is None) == (target is None):
        raise InputError("--include/--target", None, "give exactly one of --include GROUP or --target w1,...,wD")
    game = load_game(game_file)
    if include is not None:
        from symalign.analysis.exclusion import group_index

        d = group_index(game, int(include) if include.isdigit() else include)
        sub = minimal_subsidy(game, d)
        levers = []
        if sub.amount > 0:
            names = {s.name for s in game.family.parameters()}
            if "gamma" in names:
                levers.append(diversity_lever(game, d))
            if sub.binding_agent is not None and "p" in names:
                levers.append(prior_lever(game, d, sub.binding_agent))
        if as_json:
            click.echo(json.dumps({"minimal_subsidy": sub.to_dict(), "levers": [lv.to_dict() for lv in levers]}, indent=2))
            return
        name = game.groups[d]
        if sub.amount == 0:
            click.echo(f"{name!r} is not excluded: no subsidy needed")
        else:
            click.echo(f"minimal subsidy on {name!r}: s* = {sub.amount} = {float(sub.amount):.6g} "
                       f"(a_(i,{name}) -> a_(i,{name}) + s for every agent; any s > s* ends the exclusion)")
            click.echo(f"  per agent (slack_i(s) = 0): {', '.join(str(s) for s in sub.per_agent)}; binding agent {sub.binding_agent}")
        if sub.check is not None:
            click.echo(f"  check ({'passed' if sub.check.passed else 'FAILED'}):")
            for line in sub.check.details:
                click.echo(f"    {line}")
        if sub.equilibrium is not None:
            click.echo(f"equilibrium of the steered game (s = s*, {sub.equilibrium.method}):")
            for line in _rows(game, sub.equilibrium.weights):
                click.echo(line)
        for lv in levers:
            if lv.possible:
                click.echo(f"alternative lever {lv.parameter}: {lv.value} = {float(lv.value):.6g} (now {lv.current}); {lv.reason}"
                           + (f"; check {'passed' if lv.check.passed else 'FAILED'}" if lv.check else ""))
            else:
                click.echo(f"alternative lever {lv.parameter}: impossible: {lv.reason}")
        if sub.check is not None and not sub.check.passed:
            raise SystemExit(1)
        return
    res = target_subsidy(game, target)
    if as_json:
        click.echo(json.dumps(res.to_dict(), indent=2))
    else:
        click.echo(f"target average mixture: {', '.join(f'{g}={w}' for g, w in zip(game.groups, res.target))}")
        if res.subsidy:
            click.echo("subsidy s (a_i -> a_i + s, normalised to sum 0; any multiple of (1,...,1) may be added):")
            for g, s in zip(game.groups, res.subsidy):
                click.echo(f"  {g:>14}  {str(s):>16}  = {float(s):+.6g}")
        if res.reachable:
            if res.reason:
                click.echo(f"note: {res.reason}")
            click.echo(f"check ({'passed' if res.check and res.check.passed else 'FAILED'}):")
            for line in (res.check.details if res.check else ()):
                click.echo(f"  {line}")
            if res.equilibrium is not None:
                click.echo("equilibrium of the steered game:")
                for line in _rows(game, res.equilibrium.weights):
                    click.echo(line)
        else:
            click.echo(f"unreachable: {res.reason}")
    if not res.reachable or (res.check is not None and not res.check.passed):
        raise SystemExit(1)

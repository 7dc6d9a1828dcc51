"""``symalign exclusion``: which groups every agent excludes, and what would end it."""

from __future__ import annotations

import json

import click

from symalign.cli.options import game_file_argument, json_option

__all__ = ["command"]


def _f(x) -> str:
    from fractions import Fraction

    return "-" if x is None else f"{float(Fraction(str(x))) if isinstance(x, str) else float(x):.6g}"


@click.command("exclusion")
@game_file_argument
@json_option()
@click.option("--no-subsidy", is_flag=True, help="Skip the minimal subsidies (and their checks).")
def command(game_file, as_json, no_subsidy):
    """Per group: excluded or not, the diversity threshold, the margin, the minimal subsidy.

    The condition is derived from the KKT system on the reduced game (the
    group forbidden): group d is excluded by every agent iff every agent's
    slack lambda_i - g_{i,d} is >= 0.  The threshold is that condition
    solved for the diversity weight gamma (set for all agents; a shift
    Delta_gamma when agents differ); the margin is the smallest slack.
    """
    from symalign.analysis.exclusion import approximate_exclusion, exclusion_conditions
    from symalign.io.gamefile import load_game
    from symalign.analysis.steering import minimal_subsidy

    game = load_game(game_file)
    if getattr(game.family, "variant", "") == "entropic":
        approx = approximate_exclusion(game)
        rows = [{"group": g, "max_weight": approx.max_weight[d], "nearly_excluded": d in approx.nearly_excluded}
                for d, g in enumerate(game.groups)]
        note = ("entropic variant: every weight is positive (softmax best response); exclusion is only "
                f"approximate: groups with largest weight < {approx.tol:g} are reported as nearly excluded")
        if as_json:
            click.echo(json.dumps({"game": game.family.label, "approximate": True, "note": note, "groups": rows}, indent=2))
            return
        click.echo(f"{game.family.label}: {game.n_agents} agents, groups {', '.join(game.groups)}")
        click.echo(f"note: {note}")
        for r in rows:
            click.echo(f"  {r['group']:>14}  largest weight {r['max_weight']:.3e}" + ("  (nearly excluded)" if r["nearly_excluded"] else ""))
        return
    names = {s.name: s for s in game.family.parameters()}
    free = ("gamma",) if "gamma" in names and names["gamma"].kind in ("agent", "scalar") and game.is_numeric else ()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description:<30}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   transient=True, console=Console(stderr=True))
    with bar:
        task = bar.add_task("exclusion conditions", total=game.n_groups)
        conds = exclusion_conditions(game, free=free, progress=lambda done, n: bar.update(task, completed=done))
        sub_task = bar.add_task("minimal subsidies", total=len(conds))
        out = _rows(game, conds, no_subsidy, minimal_subsidy, lambda: bar.advance(sub_task))
    if as_json:
        click.echo(json.dumps({"game": game.family.label, "groups": out}, indent=2))
        return
    _print(game, conds, out)


def _rows(game, conds, no_subsidy, minimal_subsidy, tick):
    out = []
    for c in conds:
        sym = next(iter(c.point), None)
        bound = c.bound(sym) if sym is not None else None
        ths = [t for t in c.thresholds if t.parameter == sym]
        row = {
            "group": c.name,
            "excluded": c.excluded,
            "margin": None if c.margin is None else str(c.margin),
            "binding_agent": c.binding_agent,
            "reduced_support": [[game.groups[k] for k in s] for s in c.support],
            "condition": None if game.is_numeric else [f"{sl} >= 0" for sl in c.slacks],
            "thresholds": None if game.is_numeric else [str(t.relation) for t in c.thresholds],
            "validity": None if game.is_numeric else [str(v) for v in c.validity],
            "threshold": None,
            "minimal_subsidy": None,
        }
        if sym is not None:
            row["threshold"] = {
                "parameter": str(sym),
                "value": str(c.point[sym]),
                "excluded_iff": None if bound is None else f"{sym} {ths[0].direction} {bound}",
                "bound": None if bound is None else str(bound),
                # the combined bound's margin is the smallest per-agent margin
                "margin": None if bound is None else str(min(t.margin for t in ths)),
                "per_agent": [str(t.relation) for t in ths],
                "independent_of_parameter": c.independent_of(sym),
                "agents_independent": [i for i, sl in enumerate(c.slacks) if sym not in sl.free_symbols],
                "agents_nonlinear": [i for i, sl in enumerate(c.slacks)
                                     if sym in sl.free_symbols and i not in {t.agent for t in ths}],
            }
        if not no_subsidy and (c.excluded or not game.is_numeric):
            row["minimal_subsidy"] = minimal_subsidy(game, c.group).to_dict()
        out.append(row)
        tick()
    return out


def _print(game, conds, out):
    click.echo(f"{game.family.label}: {game.n_agents} agents, groups {', '.join(game.groups)}")
    click.echo("excluded by every agent iff every slack lambda_i - g_(i,d) >= 0 on the reduced game (derived)")
    for c, row in zip(conds, out):
        if row["condition"] is not None:  # symbolic game: the derived condition itself
            click.echo(f"\n{row['group']}: excluded by every agent iff (interior reduced game)")
            for rel in row["condition"]:
                click.echo(f"  {rel}")
            for rel in row["thresholds"]:
                click.echo(f"  solved: {rel}")
            if row["validity"]:
                click.echo(f"  while the reduced equilibrium is interior: {', '.join(row['validity'])}")
            if row["minimal_subsidy"] is not None:
                click.echo(f"  minimal subsidy on its attractiveness: {row['minimal_subsidy']['amount']}")
            continue
        state = {True: "EXCLUDED", False: "not excluded", None: "undecided"}[row["excluded"]]
        click.echo(f"\n{row['group']}: {state}; margin (smallest slack) {row['margin']}"
                   + (f" (agent {row['binding_agent']})" if row["binding_agent"] is not None else ""))
        th = row["threshold"]
        if th is not None:
            if th["independent_of_parameter"]:
                click.echo(f"  threshold: no agent's slack depends on {th['parameter']}: diversity cannot change it")
            elif th["excluded_iff"]:
                click.echo(f"  threshold: excluded iff {th['excluded_iff']} (now {th['parameter']} = {th['value']}, "
                           f"margin {th['margin']} = {_f(th['margin'])})")
            else:
                agents = [t.agent for t in c.thresholds if t.parameter in c.point]
                parts = [f"{rel} (agent {i})" for rel, i in zip(th["per_agent"], agents)]
                if th["agents_independent"]:
                    parts.append(f"agents {th['agents_independent']}: independent of {th['parameter']}")
                if th["agents_nonlinear"]:
                    parts.append(f"agents {th['agents_nonlinear']}: not linear in {th['parameter']}")
                click.echo(f"  threshold, per agent on this reduced support: {'; '.join(parts)}")
        sub = row["minimal_subsidy"]
        if sub is not None:
            chk = sub["check"]
            click.echo(f"  minimal subsidy on its attractiveness: {sub['amount']} = {_f(sub['amount_float'])} "
                       f"(binding agent {sub['binding_agent']}; checked by solving: "
                       f"{'passed' if chk and chk['passed'] else 'FAILED'})")

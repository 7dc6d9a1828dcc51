"""``symalign sweep``: phase diagram of exclusion over two parameters."""

from __future__ import annotations

import time

import click

from symalign.cli.options import game_file_argument, json_option

__all__ = ["command"]


@click.command("sweep")
@game_file_argument
@click.option("--x", "x_text", required=True, metavar="NAME=START:STOP:NUM", help="Horizontal axis, e.g. beta=0.1:5:400 (set for all agents).")
@click.option("--y", "y_text", required=True, metavar="NAME=START:STOP:NUM", help="Vertical axis, e.g. gamma=0:5:400 (set for all agents).")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False), help="Figure (.png, .pdf or .svg); written with --data as one set.")
@click.option("--data", default=None, type=click.Path(dir_okay=False), help="Also write the grid: .csv, .npz, .nc (NetCDF, symalign[data]) or .parquet (symalign[parquet]).")
@json_option("Print a JSON summary (files written, counts) on stdout.")
@click.option("--color", default="excluded", show_default=True, help="'excluded' (number of excluded groups) or 'weight:GROUP'.")
@click.option("--no-boundaries", is_flag=True, help="Do not derive and draw the exact boundaries.")
@click.option("--dask", "use_dask", is_flag=True, help="Compute blocks of rows on Dask (a LocalCluster unless --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="With --dask: the scheduler of a running cluster.")
@click.option("--workers", type=int, default=2, show_default=True, help="With --dask: LocalCluster worker processes.")
def command(game_file, x_text, y_text, out, data, color, no_boundaries, as_json, use_dask, scheduler, workers):
    """Equilibria on a grid of two parameters; heatmap with the derived exclusion boundaries."""
    from pathlib import Path

    import numpy as np
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from symalign.core import limits
    from symalign.errors import InputError
    from symalign.io.outputs import check_output, output_set
    from symalign.io.gamefile import load_game, require_numeric
    from symalign.export.plots import figure_path, parse_color, phase_diagram
    from symalign.analysis.boundaries import exclusion_boundaries
    from symalign.analysis.griddata import SUFFIXES
    from symalign.analysis.sweep import LARGE_GRID, check_axes, parse_axis, sweep, write_grid
    from symalign.numeric.batch.kernel import note_first_compile

    game = load_game(game_file)
    require_numeric(game, game_file, "a sweep sets two parameters and needs numbers for the others")
    x, y = parse_axis(x_text, "--x"), parse_axis(y_text, "--y")
    check_axes(game, x, y, game_file)  # fail before the (long) sweep, as the output checks below
    parse_color(color, game)
    for name, p in (("--out", out), ("--data", data)):
        if p is not None:
            check_output(p, name, inputs=[game_file])
    figure_path(out, "--out")
    if data is not None and Path(data).suffix.lower() not in SUFFIXES:
        raise InputError("--data", data, f"the grid file must end in {', '.join(SUFFIXES)}")
    if data is not None and Path(data).absolute() == Path(out).absolute():
        raise InputError("--data", data, "is the same file as --out")
    total = x.num * y.num
    limits.check("grid_points", total, "--x/--y", shown=f"{x.num} x {y.num} = {total} points")
    click.echo(f"computing {total:,} equilibria ({x.num} x {y.num} grid: {x} by {y})", err=True)
    if total >= LARGE_GRID:
        click.echo(f"large grid ({total:,} points): this may take a while", err=True)
    note_first_compile(click.echo)
    t0 = time.perf_counter()
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("equilibria", total=total)
        update = lambda done, n: bar.update(task, completed=done, total=n)  # noqa: E731
        if use_dask or scheduler:
            from symalign.analysis.distributed import dask_client, sweep_distributed

            with dask_client(scheduler, workers) as client:
                result = sweep_distributed(game, x, y, client, progress=update)
        else:
            result = sweep(game, x, y, progress=update)
    click.echo(f"solved {int(result.admissible.sum()):,} points in {time.perf_counter() - t0:.1f} s ({result.method}); "
               f"not converged: {int((result.admissible & ~result.converged).sum())}; "
               f"{'stages: ' + str(result.stages) + '; ' if result.stages else ''}"
               f"hypotheses fail at {int((~result.admissible).sum())}", err=True)
    regions = []
    if not no_boundaries:  # every boundary piece (analysis.boundaries.exclusion_boundaries): complete, deterministic
        bounds = exclusion_boundaries(result)
        for d, sup, reason in bounds.omitted:
            click.echo(f"note: no exact boundary for {game.groups[d]!r} on support {sup}: {reason}", err=True)
        for r in bounds.regions:
            regions.append(r)
            at = "" if r.counterexample is None else \
                f" at {x.name}={r.counterexample[0]}, {y.name}={r.counterexample[1]}"
            kind = "exact polygon" if r.exact else f"lines + grid-evaluated validity ({r.validity_status}{at})"
            click.echo(f"derived boundary of {game.groups[r.group]!r} on support {r.condition.support} ({kind}): "
                       + "; ".join(str(h.relation(r.x, r.y)) for h in r.halfplanes if h.source != "hypothesis"), err=True)
    with output_set([out, data]) as (fig_tmp, data_tmp):  # the figure and its data land together, or neither
        phase_diagram(result, fig_tmp, color=color, regions=regions, title=_title(game_file, game),
                      point=_own_point(game, x, y))
        if data is not None:
            from symalign.io.gamefile import read_bytes
            from symalign.io.provenance import data_provenance

            run = {"x": x_text, "y": y_text, "color": color, "no_boundaries": bool(no_boundaries)}
            write_grid(result, data_tmp, provenance=data_provenance(
                "sweep", run, game_text=read_bytes(game_file).decode("utf-8-sig"), method=result.method))
    counts = np.bincount(result.excluded_count[result.admissible].reshape(-1), minlength=game.n_groups + 1)
    share = ", ".join(f"{k}: {c / max(counts.sum(), 1):.1%}" for k, c in enumerate(counts) if c)
    if as_json:
        import json

        click.echo(json.dumps({"figure": str(out), "data": None if data is None else str(data),
                               "grid": [x.num, y.num], "x": str(x), "y": str(y), "method": result.method,
                               "admissible": int(result.admissible.sum()),
                               "not_converged": int((result.admissible & ~result.converged).sum()),
                               "points_by_excluded_count": {str(k): int(c) for k, c in enumerate(counts)}}, indent=2))
        return
    click.echo(f"wrote {out}")
    if data is not None:
        click.echo(f"wrote {data}")
    click.echo(f"share of grid points by number of excluded groups: {share}")


def _own_point(game, x, y):
    """The game's own (x, y) when both parameters are the same for every agent."""
    vals = []
    for axis in (x, y):
        v = game.param(axis.name)
        v = set(v) if isinstance(v, tuple) else {v}
        if len(v) != 1:
            return None
        vals.append(next(iter(v)))
    return tuple(vals)


def _title(path, game):
    from symalign.io.gamefile import read_toml

    t = read_toml(path).get("title")
    label = f"{game.family.label}: {game.n_agents} agents, {game.n_groups} groups"
    return f"{t}\n[{label}]" if isinstance(t, str) and t else label

"""``symalign campaign``: Monte Carlo verification of random games on Dask (or in this process)."""

from __future__ import annotations

import json

import click

__all__ = ["command"]


@click.command("campaign")
@click.option("--games", type=int, default=100_000, show_default=True, help="Number of random games.")
@click.option("--agents", type=int, default=4, show_default=True, help="Agents N.")
@click.option("--groups", type=int, default=5, show_default=True, help="Groups D.")
@click.option("--variant", default="overlap", show_default=True, help="overlap | distance.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Campaign seed >= 0 (chunk k draws from [seed, k]).")
@click.option("--source", type=click.Choice(["distribution", "hypothesis"]), default="distribution", show_default=True,
              help="Random games from a distribution (fast) or from the Hypothesis strategies (edge cases, exact "
                   "rationals; about 100 games/s).")
@click.option("--chunk", type=int, default=50_000, show_default=True, help="Games per task.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler of a running cluster (default: a LocalCluster).")
@click.option("--workers", type=int, default=2, show_default=True, help="Worker processes of the LocalCluster.")
@click.option("--local", "local", is_flag=True, help="Run in this process, without Dask.")
@click.option("--out", default=None, type=click.Path(),
              help="Per-game table: .parquet (pyarrow) or .zarr (a Zarr store).")
@click.option("--figure", default=None, type=click.Path(dir_okay=False), help="Histograms of residuals and deviation gains (.png/.pdf/.svg).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def command(games, agents, groups, variant, seed, source, chunk, scheduler, workers, local, out, figure, as_json):
    """Solve random heterogeneous games with the compiled solver; check each by its best deviation.

    Exit status 1 when a game did not converge, gains more than 1e-9 by deviating, or its check gave no number.
    """
    from pathlib import Path

    from symalign.analysis.campaign import _check, campaign
    from symalign.numeric.batch.kernel import note_first_compile
    from symalign.errors import InputError

    _check(agents, groups, variant, source)
    from symalign.analysis.distributed import TABLE_SUFFIXES
    from symalign.export.plots import FIGURE_SUFFIXES

    for name, p, suffixes in (("--out", out, TABLE_SUFFIXES), ("--figure", figure, FIGURE_SUFFIXES)):
        if p is None:
            continue
        if Path(p).suffix.lower() not in suffixes:
            raise InputError(name, p, f"must end in one of {suffixes}")
        if not (Path(p).parent if str(Path(p).parent) else Path(".")).is_dir():
            raise InputError(name, p, "the directory does not exist")
        from symalign.io.outputs import check_output, check_output_dir

        (check_output_dir if Path(p).suffix.lower() == ".zarr" else check_output)(p, name)  # before the work

    note_first_compile(click.echo)

    drawn = []

    def progress(done, total):
        click.echo(f"\r{done:,} / {total:,} games", err=True, nl=False)
        drawn[:] = [True]

    try:
        if local:
            result = campaign(games, agents, groups, variant=variant, seed=seed, chunk=chunk, progress=progress,
                              source=source)
        else:
            from symalign.analysis.distributed import dask_client

            with dask_client(scheduler, workers) as client:
                result = campaign(games, agents, groups, variant=variant, seed=seed, chunk=chunk, client=client,
                                  progress=progress, source=source)
    finally:
        if drawn:  # end the \r progress line, so that an error or the summary starts on its own line
            click.echo("", err=True)
    summary = result.summary()
    if out or figure:
        from symalign.analysis.distributed import write_table
        from symalign.export.campaign_plot import campaign_figure
        from symalign.io.outputs import output_set
        from symalign.io.provenance import data_provenance
        from symalign.numeric.batch.result import STAGES

        zarr = [out] if out and Path(out).suffix.lower() == ".zarr" else []
        run = {"games": games, "agents": agents, "groups": groups, "variant": variant, "seed": seed,
               "source": source, "chunk": chunk}
        with output_set([out, figure], directories=zarr) as (table_tmp, figure_tmp):  # both land, or neither
            if out:
                write_table(result.table, out, provenance=data_provenance("campaign", run, stages=list(STAGES)),
                            into=table_tmp)
                summary["table"] = out
            if figure:
                campaign_figure(result, figure_tmp)
                summary["figure"] = figure
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        origin = "the Hypothesis strategies" if source == "hypothesis" else "a distribution"
        click.echo(f"{summary['games']:,} games (N = {agents}, D = {groups}, {variant}, from {origin}) in "
                   f"{summary['seconds']} s ({summary['games_per_second']:,} games/s, {summary['engine']}); stages {summary['stages']}")
        click.echo(f"max deviation gain {summary['max_deviation_gain']:.3g}, max residual {summary['max_residual']:.3g}; "
                   f"failures (not converged, or gain > {result.threshold:g} or not computed): {summary['failures']}")
    if not result.passed:
        raise SystemExit(1)

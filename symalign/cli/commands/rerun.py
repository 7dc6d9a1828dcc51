"""``symalign rerun``: repeat the run recorded in a data file's provenance and compare the data."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import click

from symalign.cli.options import json_option

__all__ = ["command", "same_data"]


@click.command("rerun")
@click.argument("data_file", type=click.Path(exists=True))
@click.option("-o", "--out", "out", required=True, type=click.Path(),
              help="The new data file (same format as DATA_FILE); never DATA_FILE itself.")
@click.option("--figure", default=None, type=click.Path(dir_okay=False),
              help="For a sweep: also keep its figure (.png/.pdf/.svg); by default it is discarded.")
@json_option("Print what was re-run and whether the data are identical as JSON.")
def command(data_file, out, figure, as_json):
    """Re-run the sweep or campaign recorded in DATA_FILE's provenance; exit 1 if the data differ.

    The provenance holds the command, its options and (for a sweep) the game file's exact text with its
    SHA-256: nothing outside DATA_FILE is needed. The comparison ignores the provenance itself (its
    timestamp differs) and compares every column or array exactly.
    """
    import json

    from symalign.errors import InputError
    from symalign.io.provenance import read_provenance

    if Path(out).suffix.lower() != Path(data_file).suffix.lower():
        raise InputError("--out", out, f"must have the suffix of DATA_FILE ({Path(data_file).suffix})")
    if Path(out).resolve() == Path(data_file).resolve():
        raise InputError("--out", out, "is DATA_FILE itself: the re-run must not overwrite what it checks")
    info = read_provenance(data_file)
    run, ctx = info["run"], click.get_current_context()
    args = run.get("arguments", {})
    with tempfile.TemporaryDirectory(prefix="symalign-rerun-") as tmp:
        if run.get("command") == "sweep":
            from symalign.cli.commands import sweep

            game = info.get("game") or {}
            text = game.get("toml")
            if not isinstance(text, str) or hashlib.sha256(text.encode("utf-8")).hexdigest() != game.get("sha256"):
                raise InputError("DATA_FILE", data_file, "its provenance's game text does not match its SHA-256")
            game_file = Path(tmp) / "game.toml"
            game_file.write_text(text, encoding="utf-8")
            ctx.invoke(sweep.command, game_file=str(game_file), x_text=args["x"], y_text=args["y"],
                       out=figure or str(Path(tmp) / "figure.png"), data=out, color=args.get("color", "excluded"),
                       no_boundaries=bool(args.get("no_boundaries", False)), as_json=False, use_dask=False,
                       scheduler=None, workers=2)
        elif run.get("command") == "campaign":
            from symalign.cli.commands import campaign

            try:
                ctx.invoke(campaign.command, **{k: args[k] for k in ("games", "agents", "groups", "variant", "seed",
                                                                     "source", "chunk")},
                           scheduler=None, workers=2, local=True, out=out, figure=None, as_json=False)
            except SystemExit as exc:  # the campaign's own verdict (a failed game) does not stop the comparison
                if exc.code not in (0, 1, None):
                    raise
        else:
            raise InputError("DATA_FILE", data_file, f"records the command {run.get('command')!r}, which rerun cannot repeat")
    same = same_data(data_file, out)
    if as_json:
        click.echo(json.dumps({"file": str(data_file), "rerun": str(out), "command": run["command"],
                               "arguments": args, "identical": same}, indent=2))
    else:
        click.echo(f"re-ran {run['command']} ({', '.join(f'{k}={v}' for k, v in args.items())}): "
                   f"data {'identical' if same else 'DIFFER'} ({data_file} vs {out})")
    if not same:
        raise SystemExit(1)


def same_data(a, b) -> bool:
    """Whether two data files of one format hold the same data exactly (their provenance aside)."""
    import numpy as np

    a, b = Path(a), Path(b)
    suffix = a.suffix.lower()
    if suffix == ".csv":
        lines = [p.read_text(encoding="utf-8").splitlines() for p in (a, b)]
        return [x for x in lines[0] if not x.startswith("#")] == [x for x in lines[1] if not x.startswith("#")]
    if suffix == ".npz":
        from symalign.io.provenance import ATTRIBUTE

        with np.load(a, allow_pickle=False) as x, np.load(b, allow_pickle=False) as y:
            keys = sorted(set(x.files) - {ATTRIBUTE})
            return keys == sorted(set(y.files) - {ATTRIBUTE}) and all(np.array_equal(x[k], y[k]) for k in keys)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(a).replace_schema_metadata(None).equals(pq.read_table(b).replace_schema_metadata(None))
    if suffix == ".nc":
        import xarray as xr

        with xr.open_dataset(a) as x, xr.open_dataset(b) as y:
            return bool(x.equals(y))
    if suffix == ".zarr":
        import zarr

        x, y = zarr.open_group(str(a), mode="r"), zarr.open_group(str(b), mode="r")
        keys = sorted(x.array_keys())
        return keys == sorted(y.array_keys()) and all(np.array_equal(x[k][...], y[k][...]) for k in keys)
    return a.read_bytes() == b.read_bytes()

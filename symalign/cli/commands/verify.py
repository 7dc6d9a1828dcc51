"""``symalign verify PATH...``: check every claim file and compare with its stated status.

Exit status: 0 when every claim comes out as its file states (or stronger,
see :func:`symalign.claims.checks.passes`); 1 when a claim stated as true is
refuted, a claim expected proved comes back open (undecided, e.g. a Z3
timeout) or any other mismatch; 2 for usage errors, a claim file that is
invalid (every file is still checked and reported) or no claim file found.
"""

from __future__ import annotations

import json
import math
import time

import click

from symalign.errors import InputError, SymalignError
from symalign.cli.plugins import plugin_option

__all__ = ["command", "run"]


INDEX_CONVENTION_TEXT = ("indices: agents and groups are counted from 1 in this text and in symbol subscripts "
                         "(a_{1,2}: agent 1, group 2), as in the paper; claim-file expressions count from 0")
INDEX_CONVENTION_JSON = ("symbol names carry 1-based subscripts (a_{1,2}: agent 1, group 2) and texts count agents "
                         "and groups from 1; integer indices (claim.group, list positions) are 0-based")


def run(paths, *, timeout: float = 10.0, claim_seconds: float | None = None, progress=None):
    """Load and check every claim under ``paths``, each within its own wall-clock budget.

    Parameters
    ----------
    paths : sequence of path
    timeout : float
        Seconds allowed for each Z3 call.
    claim_seconds : float or None
        Wall-clock budget of each claim (default
        :data:`~symalign.claims.checks.DEFAULT_CLAIM_SECONDS`); a claim that
        runs out of it is ``open``, and the run goes on with the next file.
    progress : callable, optional
        ``progress(done, total, name)`` is called before each file.

    Returns
    -------
    list
        :class:`~symalign.claims.checks.ClaimResult` objects, and
        ``(path, message, id, expected)`` tuples for files that could not be
        loaded or whose id repeats an earlier file's.
    """
    from symalign.claims.checks import DEFAULT_CLAIM_SECONDS, check_claim_bounded
    from symalign.claims.schema import claim_files, load_claim

    for name, value in (("timeout", timeout), ("claim_seconds", claim_seconds)):
        if value is None and name == "claim_seconds":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise InputError(name, value, "must be a positive number of seconds")
    seconds = DEFAULT_CLAIM_SECONDS if claim_seconds is None else claim_seconds
    out, seen = [], {}
    files = claim_files(paths)
    for k, path in enumerate(files):
        if progress is not None:
            progress(k, len(files), str(path))
        try:
            claim = load_claim(path)
        except SymalignError as exc:
            out.append((str(path), str(exc), *_raw_id(path)))
            continue
        if claim.id in seen:
            out.append((str(path), f"duplicate claim id {claim.id!r} (also in {seen[claim.id]})",
                        claim.id, claim.expected))
            continue
        seen[claim.id] = str(path)
        out.append(check_claim_bounded(claim, timeout=timeout, seconds=seconds))
    return out


def _raw_id(path):
    """``(id, expected)`` read from an invalid claim file where possible (for the JSON entry)."""
    try:
        from symalign.io.gamefile import read_toml

        data = read_toml(path)
    except Exception:  # noqa: BLE001 - the file is already reported as invalid
        return None, None
    ident, status = data.get("id"), data.get("status")
    return (ident if isinstance(ident, str) else None), (status if isinstance(status, str) else None)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Seconds allowed for each Z3 call.")
@click.option("--claim-seconds", default=300.0, show_default=True, type=float,
              help="Wall-clock budget of each claim (SymPy and Z3); a claim out of time is 'open'.")
@click.option("--instances", "show_instances", is_flag=True, help="Also list every instance of every claim.")
@click.option("--witness", "witness_dir", type=click.Path(file_okay=False), default=None,
              help="Write a witness of every refuted claim to DIR/<claim id>.toml (a game file, or the point); never over an input.")
@plugin_option
def command(paths, as_json, timeout, claim_seconds, show_instances, witness_dir):
    """Check the claim files under PATHS (theorems/<source>/<claim>.toml)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    start = time.monotonic()
    columns = (TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("claims", total=None)

        def progress(done, n, name):
            bar.update(task, completed=done, total=n, description=f"claim {name.rsplit('/', 1)[-1][:34]}")

        try:
            results = run(paths, timeout=timeout, claim_seconds=claim_seconds, progress=progress)
        except InputError as exc:
            raise click.BadParameter(str(exc)) from None
    if not results:
        raise InputError("paths", list(paths), "no claim files (*.toml) found")
    total = time.monotonic() - start
    failed = [r for r in results if isinstance(r, tuple) or not r.ok]
    invalid = [r for r in results if isinstance(r, tuple)]
    written = write_witnesses(results, witness_dir) if witness_dir else {}
    if as_json:
        rows = [{"id": r[2], "expected": r[3], "path": r[0], "status": "invalid", "ok": False, "detail": r[1]}
                if isinstance(r, tuple)
                else dict(r.to_dict(), witness_file=written.get(r.claim.id)) for r in results]
        click.echo(json.dumps({"claims": rows, "seconds": round(total, 3), "failed": len(failed),
                               "index_convention": INDEX_CONVENTION_JSON}, indent=2))
    else:
        _table(results, total, show_instances, len(failed))
        for ident, path in written.items():
            click.echo(f"counterexample of {ident} written to {path}")
    if invalid:
        first = " ".join(invalid[0][1].split())
        click.echo(f"symalign: error: {len(invalid)} invalid claim file(s); first: {first}", err=True)
        raise SystemExit(2)
    if failed:
        raise SystemExit(1)


def write_witnesses(results, directory) -> dict:
    """Write a witness for every refuted claim (``claim id -> path``); atomically, one file per claim.

    The witness is the confirmed counterexample game (a game file ``symalign
    solve`` reproduces) or, where the refutation names no game, the
    counterexample point as a ``[counterexample]`` table.  Files name the
    claim file by its base name only (no absolute path); a witness is never
    written over an input: ``DIR/<claim id>.toml`` that is one of the claim
    files checked becomes ``DIR/<claim id>.witness.toml``.
    """
    import re
    from pathlib import Path

    from symalign.io.atomic import atomic_output

    directory = Path(directory)
    inputs = {Path(r[0] if isinstance(r, tuple) else r.claim.path).resolve() for r in results}
    out = {}
    todo = [r for r in results if not isinstance(r, tuple) and r.status == "refuted"]
    if todo:
        directory.mkdir(parents=True, exist_ok=True)
    for r in todo:
        body = r.witness or _point_file(r)
        if not body:
            continue
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", r.claim.id)
        path = directory / f"{stem}.toml"
        k = 1
        while path.resolve() in inputs:
            path = directory / (f"{stem}.witness.toml" if k == 1 else f"{stem}.witness-{k}.toml")
            k += 1
        with atomic_output(path) as tmp:
            Path(tmp).write_text(f"# counterexample to claim {r.claim.id} (claim file {Path(r.claim.path).name})\n"
                                 + body)
        out[r.claim.id] = str(path)
    return out


def _point_file(r) -> str:
    """The counterexample point as TOML (``[counterexample]`` with exact values as strings), or ''."""
    lead = next((x for x in r.instances if x.status == "refuted" and x.counterexample), None)
    cex = lead.counterexample if lead is not None else r.counterexample
    if not cex:
        return ""
    import json

    lines = [f"# {lead.label if lead is not None else ''}: no game file for this refutation; the point it names",
             "[counterexample]"]
    lines += [f"{json.dumps(str(k))} = {json.dumps(str(v))}" for k, v in cex.items()]
    return "\n".join(lines) + "\n"


def _table(results, total, show_instances, n_bad):
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from symalign.claims.common import _fmt

    console = Console(width=max(Console().width, 140), soft_wrap=False, highlight=False)
    table = Table(title="symalign verify", show_lines=False)
    for name, kw in (("claim", {"no_wrap": True}), ("kind", {}), ("status", {}), ("time", {"justify": "right"}),
                     ("detail", {"overflow": "fold"})):
        table.add_column(name, **kw)
    for r in results:
        if isinstance(r, tuple):
            table.add_row(escape(r[0]), "-", "[red]INVALID[/red]", "-", escape(r[1]))
            continue
        status = r.status if r.ok else f"[red]{r.status} (expected {r.claim.expected})[/red]"
        table.add_row(escape(r.claim.id), r.claim.kind, status, f"{r.seconds:.1f}s", escape(_short(r.detail)))
        if show_instances:
            for x in r.instances:
                table.add_row("", "", f"  {x.status}", f"{x.seconds:.1f}s", escape(f"[{x.label}] {_short(x.detail)}"))
    console.print(table)
    for r in results:
        if not isinstance(r, tuple) and r.counterexample is not None:
            console.print(escape(f"counterexample for {r.claim.id}: {_fmt(r.counterexample)}"))
            if r.recheck:
                console.print(escape(f"  {r.recheck}"))
    console.print(f"{len(results)} claim file(s), {len(results) - n_bad} as stated, {n_bad} not; {total:.1f}s")
    console.print(escape(INDEX_CONVENTION_TEXT))


def _short(text, limit=700):
    return text if len(text) <= limit else text[: limit - 3] + "..."

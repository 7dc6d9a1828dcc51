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

__all__ = ["command", "run"]


def run(paths, *, timeout: float = 10.0, progress=None):
    """Load and check every claim under ``paths``.

    Returns
    -------
    list
        :class:`~symalign.claims.checks.ClaimResult` objects, and
        ``(path, message)`` tuples for files that could not be loaded.
        ``progress(done, total, name)`` is called before each file.
    """
    from symalign.claims.checks import check_claim
    from symalign.claims.schema import claim_files, load_claim

    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise InputError("timeout", timeout, "must be a positive number of seconds")
    out = []
    files = claim_files(paths)
    for k, path in enumerate(files):
        if progress is not None:
            progress(k, len(files), str(path))
        try:
            claim = load_claim(path)
        except SymalignError as exc:
            out.append((str(path), str(exc)))
            continue
        out.append(check_claim(claim, timeout=timeout))
    return out


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Seconds allowed for each Z3 call.")
@click.option("--instances", "show_instances", is_flag=True, help="Also list every instance of every claim.")
def command(paths, as_json, timeout, show_instances):
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
            results = run(paths, timeout=timeout, progress=progress)
        except InputError as exc:
            raise click.BadParameter(str(exc)) from None
    if not results:
        raise InputError("paths", list(paths), "no claim files (*.toml) found")
    total = time.monotonic() - start
    failed = [r for r in results if isinstance(r, tuple) or not r.ok]
    invalid = [r for r in results if isinstance(r, tuple)]
    if as_json:
        rows = [{"path": r[0], "status": "invalid", "ok": False, "detail": r[1]} if isinstance(r, tuple)
                else r.to_dict() for r in results]
        click.echo(json.dumps({"claims": rows, "seconds": round(total, 3), "failed": len(failed)}, indent=2))
    else:
        _table(results, total, show_instances, len(failed))
    if invalid:
        first = " ".join(invalid[0][1].split())
        click.echo(f"symalign: error: {len(invalid)} invalid claim file(s); first: {first}", err=True)
        raise SystemExit(2)
    if failed:
        raise SystemExit(1)


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


def _short(text, limit=700):
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""``symalign latex``: export a game (or a claim file) as LaTeX."""

from __future__ import annotations

import click

from symalign.errors import GameFileError

__all__ = ["command"]


@click.command("latex")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "--output", "output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (atomically) instead of standard output (--output: old spelling).")
@click.option("--json", "as_json", is_flag=True, help="Print {\"latex\": ..., \"title\": ...} (or the file written) as JSON.")
@click.option("--standalone", is_flag=True, help="A compilable document (amsmath, amssymb, amsthm).")
@click.option("--support", default=None,
              help="Support for the closed form of a symbolic game, e.g. '0,1;0,1' or 'left,centre' for all agents.")
@click.option("--no-kkt", is_flag=True, help="Leave out the KKT system.")
@click.option("--code", is_flag=True, help="Add the scalar solver functions rendered by latexify (overlap family).")
@click.option("--check", is_flag=True,
              help="Claim files: also check the claim, show the computed status; exit 1 when it fails or when "
                   "the file's own LaTeX differs symbolically from the checked statement.")
def command(path, output, standalone, support, no_kkt, code, check, as_json):
    """Write the LaTeX of a game file (or a claim file): utilities, KKT, equilibria, certificates.

    A file with 'agents' is a game file; one with 'kind' and 'claim' a claim file (theorems/).
    """
    from symalign.cli.app import parse_support  # here, not at import: symalign.cli.app imports this module
    from symalign.io.gamefile import game_from_mapping, read_toml
    from symalign.export.report import game_writeup, standalone as wrap, write_atomic
    from symalign.io.outputs import check_output

    if output is not None:
        check_output(output, "--out", inputs=[path])  # before any work: never over the input, a device, a FIFO
    data = read_toml(path)
    if "agents" in data:
        if check:
            raise GameFileError(path, "", None, "--check applies to claim files only")
        game = game_from_mapping(data, source=path)
        supp = parse_support(support)
        from symalign.core.notation import notation_from_table, use_notation

        with use_notation(notation_from_table(data.get("latex"), "latex")):  # the paper's notation, if given
            body = game_writeup(game, support=supp, kkt=not no_kkt, code=code)
        title = data.get("title") or f"{game.family.label}: {game.n_agents} agents, {game.n_groups} groups"
    else:
        if support is not None or code:
            raise GameFileError(path, "", None, "--support and --code apply to game files only")
        body, title, failed = _claim(path, data, check)
    out = wrap(body, title=str(title)) if standalone else body.rstrip() + "\n"
    if output is not None:
        write_atomic(output, out)
        click.echo(f"wrote {output}", err=True)
    if as_json:
        import json

        click.echo(json.dumps({"title": str(title), "file": output} if output is not None
                              else {"title": str(title), "latex": out}, indent=2))
    elif output is None:
        click.echo(out, nl=False)
    if "agents" not in data and failed:
        click.echo(f"symalign: claim {failed}", err=True)
        raise SystemExit(1)


def _claim(path, data, check):
    if "kind" not in data or "claim" not in data:
        raise GameFileError(path, "agents", None, "neither a game file (no 'agents') nor a claim file (no 'kind' and [claim])")
    from symalign.claims.schema import load_claim
    from symalign.export.latex import claim_latex

    claim = load_claim(path)
    result = None
    if check:
        from symalign.claims.checks import check_claim_bounded

        result = check_claim_bounded(claim)
    failed = "" if result is None or result.ok else \
        f"{claim.id}: {result.status} (the file states {claim.expected})"
    if check and claim.latex.strip():  # checked against your LaTeX: a symbolic mismatch fails the check
        from symalign.export.author_latex import compare_author_latex
        from symalign.export.claim_tex import checked_formula_tex

        formula = checked_formula_tex(claim)
        if formula and compare_author_latex(claim.latex, formula).status == "differs":
            failed = (failed + "; " if failed else "") + \
                f"{claim.id}: the file's own LaTeX differs from the checked statement (compared symbolically)"
    return claim_latex(claim, result), claim.title or claim.id, failed



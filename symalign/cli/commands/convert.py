"""``symalign convert IN -o OUT``: game files between symalign TOML and Gambit ``.nfg``.

The formats are chosen by suffix (``.toml``, ``.nfg``).  ``.nfg`` holds
two-player strategic games: a TOML game converts to ``.nfg`` when it is a
numeric two-agent polymatrix (bimatrix) game.  TOML to TOML rewrites a game
file in canonical form (exact values, shared rows written once).  Values
stay exact both ways.  Without ``-o`` the result goes to standard output;
``--json`` prints a JSON record instead (with the text when there is no ``-o``).
"""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command", "convert"]

_FORMATS = (".toml", ".nfg")


def convert(source, target_format: str) -> str:
    """The text of the game file ``source`` in ``target_format`` (``".toml"`` or ``".nfg"``)."""
    from symalign.errors import InputError
    from symalign.io.gamefile import load_game, read_toml
    from symalign.io.gametoml import game_toml
    from symalign.io.nfg import nfg_text, read_nfg

    source = Path(source)
    suffix = source.suffix.lower()
    if suffix not in _FORMATS:
        raise InputError("INPUT", str(source), f"unknown format: the file must end in {' or '.join(_FORMATS)}")
    if target_format not in _FORMATS:
        raise InputError("--out", target_format, f"unknown format: the output must end in {' or '.join(_FORMATS)}")
    if suffix == ".nfg":
        game, title = read_nfg(source, with_title=True)
    else:
        game = load_game(source)
        title = read_toml(source).get("title", "")
        title = title if isinstance(title, str) else ""
    return nfg_text(game, title=title) if target_format == ".nfg" else game_toml(game, title=title)


@click.command("convert")
@click.argument("source", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Output file (.toml or .nfg), written atomically; default: standard output.")
@click.option("--to", "to", type=click.Choice(["toml", "nfg"]), default=None,
              help="Output format when writing to standard output (default: the other format).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"input", "output", "format", "text"} as JSON ("text" only without -o).')
def command(source, out, to, as_json):
    """Convert a game file between symalign TOML and Gambit .nfg (two-player games)."""
    from symalign.io.atomic import atomic_output

    if out is not None:
        fmt = Path(out).suffix.lower()
    elif to is not None:
        fmt = f".{to}"
    else:
        fmt = ".toml" if Path(source).suffix.lower() == ".nfg" else ".nfg"
    text = convert(source, fmt)
    if out is not None:
        with atomic_output(out) as tmp:
            Path(tmp).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    if as_json:
        import json

        record = {"input": str(source), "output": out, "format": fmt.lstrip(".")}
        click.echo(json.dumps(record if out is not None else {**record, "text": text}, indent=2))
    elif out is None:
        click.echo(text, nl=False)

"""``symalign convert IN -o OUT``: game files between symalign TOML and Gambit ``.nfg``.

The formats are chosen by suffix (``.toml``, ``.nfg``).  ``.nfg`` to
``.nfg`` rewrites any strategic game (any number of players) in Gambit's
layout; a two-player ``.nfg`` converts to a TOML bimatrix (``polymatrix``)
game keeping its title, description (Gambit's comment), player names and
strategy labels (``players``, ``strategies``), and back.  A TOML game
converts to ``.nfg`` when it is a numeric two-agent polymatrix game.  TOML
to TOML rewrites a game file in canonical form.  Values stay exact both
ways; every TOML file is written with tomli-w and reads back.  Without
``-o`` the result goes to standard output;
``--json`` prints a JSON record instead (with the text when there is no ``-o``).
"""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command", "convert"]

_FORMATS = (".toml", ".nfg")


def _labels(data, source):
    """``(title, description, players, strategies)`` of a TOML game file's mapping, checked."""
    from symalign.errors import GameFileError

    out = []
    for key in ("title", "description"):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise GameFileError(source, key, value, "must be a string")
        out.append(value)
    players, strategies = data.get("players"), data.get("strategies")
    if players is not None and (not isinstance(players, list) or not all(isinstance(p, str) for p in players)):
        raise GameFileError(source, "players", players, "must be a list of names (strings)")
    if strategies is not None and (not isinstance(strategies, list) or not all(
            isinstance(s, list) and all(isinstance(x, str) for x in s) for s in strategies)):
        raise GameFileError(source, "strategies", strategies, "must be a list of label lists (strings), one per player")
    return (*out, players, strategies)


def convert(source, target_format: str) -> str:
    """The text of the game file ``source`` in ``target_format`` (``".toml"`` or ``".nfg"``)."""
    from symalign.errors import InputError
    from symalign.io.gamefile import game_from_mapping, read_toml
    from symalign.io.gametoml import game_toml
    from symalign.io.nfg import game_of, nfg_text, read_normal_form

    source = Path(source)
    suffix = source.suffix.lower()
    if suffix not in _FORMATS:
        raise InputError("INPUT", str(source), f"unknown format: the file must end in {' or '.join(_FORMATS)}")
    if target_format not in _FORMATS:
        raise InputError("--out", target_format, f"unknown format: the output must end in {' or '.join(_FORMATS)}")
    if suffix == ".nfg":
        nf = read_normal_form(source)
        if target_format == ".nfg":
            return nfg_text(nf)
        return game_toml(game_of(nf, source), title=nf.title, description=nf.comment, players=nf.players,
                         strategies=nf.strategies)
    data = read_toml(source)
    game = game_from_mapping(data, source=source)
    title, description, players, strategies = _labels(data, source)
    if target_format == ".nfg":
        return nfg_text(game, title=title, players=players, strategies=strategies, comment=description)
    return game_toml(game, title=title, description=description, players=players, strategies=strategies)


@click.command("convert")
@click.argument("source", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Output file (.toml or .nfg), written atomically; default: standard output.")
@click.option("--to", "to", type=click.Choice(["toml", "nfg"]), default=None,
              help="Output format when writing to standard output (default: the other format).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"input", "output", "format", "text"} as JSON ("text" only without -o).')
def command(source, out, to, as_json):
    """Convert a game file between symalign TOML and Gambit .nfg (labels and exact values kept)."""
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

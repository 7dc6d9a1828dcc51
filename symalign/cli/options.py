"""Click decorators shared by the commands that read one game file.

Examples
--------
>>> import click
>>> @click.command()
... @game_file_argument
... @json_option()
... def show(game_file, as_json):
...     click.echo(f"{game_file} {as_json}")
>>> from click.testing import CliRunner
>>> CliRunner().invoke(show, ["g.toml", "--json"]).output.strip()
'g.toml True'
"""

from __future__ import annotations

import click

__all__ = ["game_file_argument", "json_option"]

game_file_argument = click.argument("game_file", type=click.Path(dir_okay=False))
"""The ``GAME_FILE`` argument (a file path; read by :func:`symalign.io.gamefile.load_game`)."""


def json_option(help: str = "Print the result as JSON."):  # noqa: A002 - click's own keyword
    """The ``--json`` flag (parameter ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=help)

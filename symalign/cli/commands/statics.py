"""``symalign statics GAME.toml --wrt gamma [--at gamma=3/2,...]``: comparative statics of the equilibrium.

The parameter named by ``--wrt`` becomes a symbol (its value in the file is
the default point); the equilibrium's support at the point is found, the
closed form is derived on it, and ``dw*/dtheta`` follows by the implicit
function theorem (:func:`symalign.analysis.statics.comparative_statics`),
with the interval of ``theta`` on which the support stays and the sign of
each derivative there.
"""

from __future__ import annotations

import json

import click

from symalign.cli.options import game_file_argument, json_option
from symalign.cli.plugins import plugin_option
from symalign.errors import InputError

__all__ = ["command", "parse_point"]


def parse_point(text, symbols) -> dict:
    """``"gamma=3/2, beta=1"`` -> {Symbol: Rational} for the game's symbols (exact numbers only).

    Examples
    --------
    >>> import sympy as sp
    >>> g = sp.Symbol("gamma")
    >>> parse_point("gamma=3/2", [g])
    {gamma: 3/2}
    """
    from symalign.core.params import exact

    by_name = {s.name: s for s in symbols}
    out = {}
    for part in (p.strip() for p in (text or "").split(",") if p.strip()):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in by_name:
            raise InputError("at", part, f"expected name=value with name among {sorted(by_name)}")
        out[by_name[name]] = exact(value.strip(), f"at.{name}")
    return out


@click.command()
@game_file_argument
@click.option("--wrt", required=True, help="The parameter (or symbol of the game file) to differentiate by.")
@click.option("--at", "at_text", default=None, help="Point, e.g. 'gamma=3/2,beta=1' (default: the file's values).")
@json_option()
@plugin_option
def command(game_file, wrt, at_text, as_json):
    """How the equilibrium moves with one parameter (implicit function theorem on the active KKT system)."""
    import sympy as sp

    from symalign.analysis.statics import comparative_statics, with_symbol
    from symalign.io.gamefile import load_game

    game0 = load_game(game_file)
    game, theta, value = with_symbol(game0, wrt)
    at = parse_point(at_text, game.free_symbols())
    if theta not in at:
        if value is None:
            raise InputError("at", at_text, f"{wrt} is a symbol in the file: give its value with --at {wrt}=...")
        at[theta] = value
    st = comparative_statics(game, theta, at=at)
    if as_json:
        click.echo(json.dumps(st.to_dict(), indent=2))
        return
    groups = game.groups
    click.echo(f"d w*/d {theta} on support {[[groups[d] for d in s] for s in st.support]}"
               f" at {', '.join(f'{k}={v}' for k, v in at.items())}")
    for i in range(game.n_agents):
        for d in range(game.n_groups):
            val = "" if st.value is None else f"   = {st.value[i, d]} ({float(st.value[i, d]):.6g})"
            click.echo(f"  dw*[{i},{groups[d]}]/d{theta} = {st.derivative[i, d]}{val}")
    if st.interval is not None:
        click.echo(f"support unchanged for {theta} in {st.interval}"
                   + (f"; it changes at {', '.join(map(str, st.breakpoints))}" if st.breakpoints else ""))
        for (i, d), (pos, neg) in st.signs.items():
            if pos is not sp.S.EmptySet or neg is not sp.S.EmptySet:
                click.echo(f"  w*[{i},{groups[d]}] increases on {pos}, decreases on {neg}")
    else:
        click.echo("valid where: " + ", ".join(str(c) for c in st.conditions if c is not sp.true))

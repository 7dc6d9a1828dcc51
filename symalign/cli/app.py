"""Command-line interface: ``symalign solve | derive | ...``.

Every user error is printed as one line ``symalign: error: ...`` with exit
status 2; no tracebacks for bad input.
"""

from __future__ import annotations

import json
import sys

import click
import sympy as sp

from symalign.errors import SymalignError

__all__ = ["main"]


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SymalignError as exc:
            click.echo(f"symalign: error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="symalign")
def main():
    """Derive, verify and export Nash equilibria of games among LLM agents."""


def _load(path):
    from symalign.io.gamefile import load_game

    return load_game(path)


def _fmt(x, exact=False) -> str:
    return str(x) if exact and x.is_Rational else f"{float(x):.6f}"


@main.command()
@click.argument("game_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--exact", is_flag=True, help="Print exact rationals instead of decimals.")
def solve(game_file, as_json, exact):
    """Exact equilibria of a numeric game (support found numerically, solved exactly)."""
    from symalign.numeric.solve import solve as solve_game

    game = _load(game_file)
    sol = solve_game(game)
    if as_json:
        click.echo(json.dumps(sol.to_dict(), indent=2))
        return
    unique = {True: "unique (Rosen / enumeration)", False: "not unique", None: "uniqueness not established"}[sol.unique]
    click.echo(f"{game.family.label}: {game.n_agents} agents, groups {', '.join(game.groups)}")
    click.echo(f"{len(sol.equilibria)} equilibri{'um' if len(sol.equilibria) == 1 else 'a'}; {unique}")
    for k, eq in enumerate(sol.equilibria, 1):
        tag = "exact" if eq.exact else "numeric"
        click.echo(f"\nequilibrium {k} ({tag}, {eq.method}" + (f", KKT residual {eq.residual:.2e})" if eq.residual is not None else ")"))
        width = max(len(g) for g in game.groups)
        click.echo("  agent  " + "  ".join(g.rjust(max(width, 10)) for g in game.groups))
        for i in range(game.n_agents):
            row = "  ".join(_fmt(eq.weights[i, d], exact).rjust(max(width, 10)) for d in range(game.n_groups))
            click.echo(f"  {i:>5}  {row}")  # agents 0-based, as in every output
        excl = [game.groups[d] for d in eq.excluded_groups()]
        if excl:
            click.echo(f"  excluded by every agent: {', '.join(excl)}")
    for note in game.notes + sol.notes:
        click.echo(f"note: {note}")


@main.command()
@click.argument("game_file", type=click.Path(dir_okay=False))
@click.option("--support", default=None, help="Support per agent, e.g. '0,1;0,1,2' or 'left,centre' for all agents. Default: interior (numeric games: the equilibrium's support).")
@click.option("--latex", "as_latex", is_flag=True, help="Print LaTeX instead of plain text.")
def derive(game_file, support, as_latex):
    """Closed-form equilibrium on a support with its validity conditions."""
    from symalign.core.derive import derive_on_support

    game = _load(game_file)
    supp = parse_support(support)
    if supp is None and game.is_numeric and game.family.strictly_concave:
        from symalign.numeric.solve import find_equilibrium

        supp = find_equilibrium(game).support
    eq = derive_on_support(game, supp)
    show = sp.latex if as_latex else str
    click.echo(f"% {game.family.label}, support {[[game.groups[d] for d in s] for s in eq.support]}" if as_latex else
               f"{game.family.label}: closed form on support {[[game.groups[d] for d in s] for s in eq.support]}")
    for i in range(game.n_agents):
        for d in range(game.n_groups):
            lhs = f"w^*_{{{i + 1},{d + 1}}}" if as_latex else f"w*[{i + 1},{game.groups[d]}]"
            click.echo(f"{lhs} = {show(eq.weights[i, d])}")
    click.echo("validity conditions:" if not as_latex else "% validity conditions")
    for c in eq.conditions:
        if c is not sp.true:
            click.echo(f"  {show(c)}")
    click.echo(f"valid: {eq.valid if eq.valid is not None else 'depends on parameters'}")
    hyps = [h for h in eq.hypotheses if h is not sp.true]
    if hyps:
        click.echo("under the family's hypotheses: " + ", ".join(show(h) for h in hyps))


def parse_support(text):
    """Parse a support option: "0,1;0,1,2" (per agent) or "left,centre" (all agents)."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(";")]
    out = []
    for part in parts:
        items = [x.strip() for x in part.split(",") if x.strip()]
        out.append([int(x) if x.lstrip("-").isdigit() else x for x in items])
    return out[0] if len(out) == 1 else out


def _register_subcommands():
    import importlib

    from symalign.cli.commands import COMMANDS

    for name in COMMANDS:
        try:
            module = importlib.import_module(f"symalign.cli.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"symalign.cli.commands.{name}":
                continue
            raise
        main.add_command(module.command, name)


_register_subcommands()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

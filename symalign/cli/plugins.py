"""``--plugin MODULE``: import Python modules that register utility families before a command runs.

Installed packages can instead publish families under the
``symalign.families`` entry point (:func:`symalign.core.families.base.load_entry_points`),
which needs no option.
"""

from __future__ import annotations

import click

__all__ = ["plugin_option"]


def _load(ctx, param, modules):
    import contextlib
    import sys

    from symalign.core.families.base import load_plugin

    for module in modules:
        with contextlib.redirect_stdout(sys.stderr):  # a plugin that prints never corrupts --json on stdout
            load_plugin(module)
    return modules


def plugin_option(fn):
    """Decorator adding a repeatable ``--plugin MODULE`` option (modules imported before the command runs)."""
    return click.option(
        "--plugin", "plugins", multiple=True, metavar="MODULE", callback=_load, expose_value=False, is_eager=True,
        help="Import MODULE first (it registers utility families with symalign.register_family); repeatable.",
    )(fn)

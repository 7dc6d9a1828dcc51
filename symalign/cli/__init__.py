"""The ``symalign`` command line: :mod:`~symalign.cli.app` (entry point) and one module per
subcommand in :mod:`~symalign.cli.commands`."""

from symalign.cli.app import main

__all__ = ["main"]

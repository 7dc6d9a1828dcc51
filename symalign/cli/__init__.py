"""The ``symalign`` command line: :mod:`~symalign.cli.app` (entry point) and one module per
subcommand in :mod:`~symalign.cli.commands`."""

__all__ = ["main"]


def __getattr__(name):  # lazy, so that ``python -m symalign.cli.app`` imports app once
    if name == "main":
        from symalign.cli.app import main

        return main
    raise AttributeError(f"module 'symalign.cli' has no attribute {name!r}")

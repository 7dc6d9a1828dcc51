"""Subcommands of the ``symalign`` CLI, one module each.

Each module defines a click command named ``command``; :mod:`symalign.cli.app`
registers the modules listed in ``COMMANDS`` that exist.
"""

COMMANDS = ("verify", "exclusion", "steer", "sweep", "latex", "reproduce", "convert", "statics", "campaign", "rerun")

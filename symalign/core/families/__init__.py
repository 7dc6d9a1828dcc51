"""Utility families: registry and the built-in families.

Each family is a frozen object that declares its parameters
(:class:`~symalign.core.params.ParamSpec`), writes agent i's utility as a SymPy
expression in the weight symbols, and states the hypotheses (conditions on
the parameters) under which that utility is concave in the agent's own
weights.  ``get_family(name, variant)`` looks one up by name.
"""

from __future__ import annotations

from symalign.core.families.base import UtilityFamily, families, get_family, register_family
from symalign.core.families.active_alignment import ActiveAlignment
from symalign.core.families.polymatrix import Polymatrix
from symalign.core.families.custom import CustomFamily

__all__ = [
    "UtilityFamily",
    "ActiveAlignment",
    "Polymatrix",
    "CustomFamily",
    "families",
    "get_family",
    "register_family",
]

"""symalign: derive, verify and export Nash equilibria of games among LLM agents."""

from .errors import (
    DerivationError,
    ExpressionError,
    GameFileError,
    InputError,
    NotExpressibleError,
    SymalignError,
)
from .families import ActiveAlignment, CustomFamily, Polymatrix, families, get_family, register_family
from .game import Game, weight_symbols
from .kkt import KKTSystem, kkt_system
from .equilibrium import Equilibrium
from .derive import derive_on_support

__all__ = [
    "Game",
    "weight_symbols",
    "get_family",
    "families",
    "register_family",
    "ActiveAlignment",
    "Polymatrix",
    "CustomFamily",
    "KKTSystem",
    "kkt_system",
    "Equilibrium",
    "derive_on_support",
    "SymalignError",
    "InputError",
    "GameFileError",
    "ExpressionError",
    "NotExpressibleError",
    "DerivationError",
]

__version__ = "0.1.0"

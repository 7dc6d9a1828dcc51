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
from .meanfield import MeanFieldClosedForm, derive_mean_field
from .solve import Solution, find_equilibrium, solve
from .exclusion import ExclusionCondition, exclusion_condition, exclusion_conditions
from .batch import BatchResult, CompiledGame, compile_game
from .certificates import Certificate, existence_certificate, uniqueness_certificate
from .claims import Claim, load_claim
from .claim_checks import check_claim
from .steering import Subsidy, TargetSubsidy, minimal_subsidy, target_subsidy

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
    "derive_mean_field",
    "MeanFieldClosedForm",
    "solve",
    "find_equilibrium",
    "Solution",
    "exclusion_condition",
    "exclusion_conditions",
    "ExclusionCondition",
    "minimal_subsidy",
    "target_subsidy",
    "Subsidy",
    "TargetSubsidy",
    "compile_game",
    "CompiledGame",
    "BatchResult",
    "Certificate",
    "existence_certificate",
    "uniqueness_certificate",
    "Claim",
    "load_claim",
    "check_claim",
    "SymalignError",
    "InputError",
    "GameFileError",
    "ExpressionError",
    "NotExpressibleError",
    "DerivationError",
]

__version__ = "0.1.0"

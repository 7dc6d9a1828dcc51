"""symalign: derive, verify and export Nash equilibria of games among LLM agents."""

from symalign.errors import (
    DerivationError,
    ExpressionError,
    GameFileError,
    InputError,
    NotExpressibleError,
    SymalignError,
)
from symalign.core.families import ActiveAlignment, CustomFamily, Polymatrix, families, get_family, register_family
from symalign.core.game import Game, weight_symbols
from symalign.core.kkt import KKTSystem, kkt_system
from symalign.core.equilibrium import Equilibrium
from symalign.core.derive import derive_on_support
from symalign.core.meanfield import MeanFieldClosedForm, derive_mean_field
from symalign.numeric.solve import Solution, find_equilibrium, solve
from symalign.analysis.exclusion import ExclusionCondition, exclusion_condition, exclusion_conditions
from symalign.numeric.batch.compiled import BatchResult, CompiledGame, compile_game
from symalign.verify.certificates import Certificate, existence_certificate, uniqueness_certificate
from symalign.claims.schema import Claim, load_claim
from symalign.claims.checks import check_claim
from symalign.analysis.steering import Subsidy, TargetSubsidy, minimal_subsidy, target_subsidy
import symalign.export.notebook  # noqa: F401  (registers the LaTeX renderers for Jupyter display)

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

def _version() -> str:
    """The installed distribution's version (pyproject.toml is the single source)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("symalign")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__version__ = _version()

"""symalign: derive, verify and export Nash equilibria of games among LLM agents."""

from symalign.errors import (
    ArgumentTypeError,
    BudgetExceeded,
    DerivationError,
    ExpressionError,
    GameFileError,
    InputError,
    LimitExceeded,
    NotExpressibleError,
    OutputError,
    SymalignError,
)
# Everything below is imported on first use (PEP 562), so that ``symalign --help``
# and ``import symalign.errors`` stay fast (SymPy is not imported until needed).
_LAZY = {
    "ActiveAlignment": "symalign.core.families",
    "CustomFamily": "symalign.core.families",
    "Polymatrix": "symalign.core.families",
    "families": "symalign.core.families",
    "get_family": "symalign.core.families",
    "register_family": "symalign.core.families",
    "Game": "symalign.core.game",
    "weight_symbols": "symalign.core.game",
    "KKTSystem": "symalign.core.kkt",
    "kkt_system": "symalign.core.kkt",
    "Equilibrium": "symalign.core.equilibrium",
    "derive_on_support": "symalign.core.derive",
    "MeanFieldClosedForm": "symalign.core.meanfield",
    "derive_mean_field": "symalign.core.meanfield",
    "Solution": "symalign.numeric.solve",
    "find_equilibrium": "symalign.numeric.solve",
    "solve": "symalign.numeric.solve",
    "ExclusionCondition": "symalign.analysis.exclusion",
    "exclusion_condition": "symalign.analysis.exclusion",
    "exclusion_conditions": "symalign.analysis.exclusion",
    "BatchResult": "symalign.numeric.batch.result",
    "CompiledGame": "symalign.numeric.batch.compiled",
    "compile_game": "symalign.numeric.batch.compiled",
    "Certificate": "symalign.verify.certificates",
    "existence_certificate": "symalign.verify.certificates",
    "uniqueness_certificate": "symalign.verify.certificates",
    "Claim": "symalign.claims.schema",
    "load_claim": "symalign.claims.schema",
    "check_claim": "symalign.claims.checks",
    "Subsidy": "symalign.analysis.steering",
    "TargetSubsidy": "symalign.analysis.steering",
    "minimal_subsidy": "symalign.analysis.steering",
    "target_subsidy": "symalign.analysis.steering",
    "load_plugin": "symalign.core.families.base",
    "symmetric_equilibria": "symalign.core.symmetric",
    "ClosedFormResult": "symalign.numeric.closed_forms",
    "find_closed_form": "symalign.numeric.closed_forms",
    "Enumeration": "symalign.numeric.enumerate",
    "enumerate_equilibria": "symalign.numeric.enumerate",
    "Statics": "symalign.analysis.statics",
    "comparative_statics": "symalign.analysis.statics",
}


def __getattr__(name):
    if name == "__version__":  # read on first use: importlib.metadata costs ~20 ms at startup
        globals()["__version__"] = value = _version()
        return value
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        # the first use of the API also registers the LaTeX renderers for Jupyter display
        importlib.import_module("symalign.export.notebook")
        return value
    raise AttributeError(f"module 'symalign' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})


__all__ = [
    "Game",
    "weight_symbols",
    "get_family",
    "families",
    "register_family",
    "load_plugin",
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
    "find_closed_form",
    "ClosedFormResult",
    "symmetric_equilibria",
    "enumerate_equilibria",
    "Enumeration",
    "comparative_statics",
    "Statics",
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
    "ArgumentTypeError",
    "LimitExceeded",
    "OutputError",
    "BudgetExceeded",
]

def _version() -> str:
    """The installed distribution's version (pyproject.toml is the single source)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("symalign")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


"""Base class of utility families and the family registry."""

from __future__ import annotations

from abc import ABC, abstractmethod

import sympy as sp

from symalign.errors import InputError, UnknownFamilyError

__all__ = ["UtilityFamily", "register_family", "get_family", "families", "load_plugin", "load_entry_points",
           "ENTRY_POINT_GROUP"]

_REGISTRY: dict = {}
ENTRY_POINT_GROUP = "symalign.families"
"""Entry-point group under which installed packages publish utility families."""
_LOADED_ENTRY_POINTS: set = set()


class UtilityFamily(ABC):
    """A family of utilities ``U_i(w_i, w_{-i})`` on the simplex.

    Subclasses are frozen dataclasses.  ``concave`` says whether every
    utility of the family is concave in the agent's own weights under the
    family's hypotheses (linear families are concave but not strictly).
    """

    name: str = ""
    variant: str = ""
    strictly_concave: bool = True
    """False where utilities may be linear in own weights (equilibria need not be unique)."""

    @property
    def label(self) -> str:
        return f"{self.name}/{self.variant}" if self.variant else self.name

    @abstractmethod
    def parameters(self) -> tuple:
        """The family's :class:`~symalign.core.params.ParamSpec` tuple."""

    @abstractmethod
    def utility(self, game, i: int, W: sp.MatrixBase) -> sp.Expr:
        """Agent ``i``'s utility written in the weight matrix ``W``."""

    def hypotheses(self, game) -> tuple:
        """Relations on the parameters under which each utility is concave."""
        return ()

    def validate(self, game) -> None:
        """Raise :class:`~symalign.errors.InputError` if ``game`` violates a hypothesis."""
        for rel in self.hypotheses(game):
            if rel is sp.false or rel is False:
                raise InputError(
                    "parameters", str(rel),
                    f"violates the hypothesis of family {self.label!r} ({self.hypothesis_reason})",
                )

    hypothesis_reason = "utility must be concave in the agent's own weights"

    def quadratic_utilities(self, game):
        """A numeric game's utilities as exact quadratic polynomials, or None (the default).

        Families whose utilities are quadratic in the weights return a
        :class:`~symalign.core.quadratic.QuadraticUtilities` built straight
        from the parameter values; the numeric solve then needs no SymPy
        expression (see :mod:`symalign.core.quadratic`).  It must equal
        :meth:`utility`, expanded (tested for every family providing it).
        """
        return None

    def describe(self) -> str:
        """One paragraph describing the family (used by docs and LaTeX export)."""
        return (self.__doc__ or self.label).strip().splitlines()[0]


def register_family(name: str, factory, variants=()) -> None:
    """Register ``factory(variant=None, **options)`` under ``name``.

    ``variants`` lists the accepted variant names (empty: no variants).
    """
    _REGISTRY[name] = (factory, tuple(variants))


def get_family(name: str, variant: str | None = None, **options) -> UtilityFamily:
    """Look up a registered family by name (and variant).

    Examples
    --------
    >>> get_family("active_alignment", "distance").label
    'active_alignment/distance'
    >>> get_family("nope")
    Traceback (most recent call last):
    ...
    symalign.errors.UnknownFamilyError: family='nope': unknown family; known: ['active_alignment', 'custom', 'polymatrix']
    """
    if name not in _REGISTRY:
        load_entry_points(name)
    if name not in _REGISTRY:
        raise UnknownFamilyError("family", name, f"unknown family; known: {sorted(_REGISTRY)}")
    factory, variants = _REGISTRY[name]
    if variants:
        variant = variants[0] if variant is None else variant
        if variant not in variants:
            raise UnknownFamilyError("variant", variant, f"unknown variant of {name!r}; known: {list(variants)}")
        return factory(variant=variant, **options)
    if variant not in (None, ""):
        raise UnknownFamilyError("variant", variant, f"family {name!r} has no variants")
    return factory(**options)


def families() -> dict:
    """Registered family names mapped to their variants."""
    return {k: v[1] for k, v in sorted(_REGISTRY.items())}


def load_entry_points(name: str | None = None) -> tuple:
    """Register the families that installed packages publish under the ``symalign.families`` entry point.

    An entry point ``name = "package.module:obj"`` registers ``obj`` under
    ``name``: a :class:`UtilityFamily` subclass or a factory taking
    ``variant=`` (then ``obj.variants``, if present, lists the variants).
    Each entry point is loaded once; a broken one raises
    :class:`~symalign.errors.UnknownFamilyError` naming it.  Returns the names
    registered by this call.  Called by :func:`get_family` for a name it
    does not know, so installed families need no import: it then loads only
    the entry point of that ``name`` (a file naming an unknown family never
    imports the other installed packages).
    """
    from importlib.metadata import entry_points

    added = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _LOADED_ENTRY_POINTS or (name is not None and ep.name != name):
            continue
        _LOADED_ENTRY_POINTS.add(ep.name)
        try:
            obj = ep.load()
        except Exception as exc:  # a third-party module: report which one, never a traceback
            raise UnknownFamilyError("family", ep.name,
                                     f"entry point {ep.value!r} could not be loaded: {type(exc).__name__}: {exc}") from None
        if ep.name not in _REGISTRY:
            register_family(ep.name, obj, getattr(obj, "variants", ()))
            added.append(ep.name)
    return tuple(added)


def load_plugin(module: str) -> tuple:
    """Import a Python module that registers families (``--plugin`` on the CLI).

    The module registers its families on import with :func:`register_family`.
    This runs the module's code: it is for modules the user names, never for
    names read from game or claim files.  Returns the family names it added.

    Examples
    --------
    >>> load_plugin("symalign.core.families.polymatrix")
    ()
    >>> load_plugin("no_such_module_xyz")
    Traceback (most recent call last):
    ...
    symalign.errors.UnknownFamilyError: plugin='no_such_module_xyz': cannot import: No module named 'no_such_module_xyz'
    """
    import importlib

    if not isinstance(module, str) or not all(part.isidentifier() for part in module.split(".")):
        raise UnknownFamilyError("plugin", module, "must be a dotted module name (no relative import)")
    before = set(_REGISTRY)
    try:
        importlib.import_module(module)
    except (ImportError, ValueError, TypeError) as exc:
        raise UnknownFamilyError("plugin", module, f"cannot import: {exc}") from None
    return tuple(sorted(set(_REGISTRY) - before))

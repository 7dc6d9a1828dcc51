"""Base class of utility families and the family registry."""

from __future__ import annotations

from abc import ABC, abstractmethod

import sympy as sp

from symalign.errors import InputError, UnknownFamilyError

__all__ = ["UtilityFamily", "register_family", "get_family", "families"]

_REGISTRY: dict = {}


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

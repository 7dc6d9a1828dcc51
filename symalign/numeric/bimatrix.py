"""All extreme equilibria of a bimatrix game: Gambit where installed, else symalign's own enumeration.

:func:`enumerate_bimatrix` says which engine answered (``engine``).  With
Gambit (:mod:`symalign.numeric.gambit`) every profile is re-checked exactly
and a profile that fails is reported in ``rejected``; without pygambit the
game goes to symalign's support enumeration
(:func:`symalign.numeric.solve.support_enumeration`).
"""

from __future__ import annotations

from dataclasses import dataclass

from symalign.errors import InputError
from symalign.numeric import gambit

__all__ = ["EnumerationResult", "enumerate_bimatrix"]


@dataclass(frozen=True, eq=False)
class EnumerationResult:
    """Equilibria of a bimatrix game and which engine found them.

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        Each passed the exact KKT check (``method`` says the engine).
    engine : str
        ``"gambit-enummixed"`` or ``"symalign-support-enumeration"``.
    rejected : tuple
        Profiles the engine returned that failed the exact check, with the
        violated conditions (should be empty).
    degenerate : bool
        Our enumeration's degeneracy flag (None from Gambit, which lists the
        extreme points of components without saying so).
    """

    equilibria: tuple
    engine: str
    rejected: tuple = ()
    degenerate: bool | None = None


def enumerate_bimatrix(game, *, engine: str = "auto", max_profiles: int = 20_000) -> EnumerationResult:
    """All extreme equilibria of a bimatrix game: Gambit where installed, else our enumeration.

    Parameters
    ----------
    game : Game
        2-agent polymatrix game with rational payoffs.
    engine : {"auto", "gambit", "symalign"}
        "auto" uses Gambit when pygambit imports; "gambit" requires it.
    max_profiles : int
        Limit of our own support enumeration.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("polymatrix"), 2, ["h", "t"],
    ...                 A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    >>> r = enumerate_bimatrix(g)
    >>> [e.weights.tolist() for e in r.equilibria], r.rejected
    ([[[1/2, 1/2], [1/2, 1/2]]], ())
    """
    if engine not in ("auto", "gambit", "symalign"):
        raise InputError("engine", engine, 'must be "auto", "gambit" or "symalign"')
    A, B = gambit.bimatrix_payoffs(game)
    use_gambit = engine == "gambit" or (engine == "auto" and gambit.available())
    if engine == "gambit" and not gambit.available():
        raise InputError("engine", engine, "pygambit is not installed (pip install 'symalign[gambit]')")
    if not use_gambit:
        from symalign.numeric.solve import support_enumeration

        eqs, degenerate = support_enumeration(game, max_profiles=max_profiles)
        return EnumerationResult(tuple(eqs), "symalign-support-enumeration", (), degenerate)
    accepted, rejected = gambit.checked_equilibria(game, A, B)
    return EnumerationResult(accepted, gambit.ENGINE, rejected, None)

"""All extreme equilibria of a bimatrix game: Gambit where installed, else symalign's own enumeration.

:func:`enumerate_bimatrix` says which engine answered (``engine``).  With
Gambit (:mod:`symalign.numeric.gambit`) every profile is re-checked exactly
and a profile that fails is reported in ``rejected``; without pygambit the
game goes to symalign's exact enumeration
(:func:`symalign.numeric.enumerate.enumerate_equilibria`: its isolated
equilibria and the vertices of its components, which are the extreme
equilibria).
"""

from __future__ import annotations

from dataclasses import dataclass

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
        ``"gambit-enummixed"``, ``"symalign-vertex-enumeration"`` or ``"symalign-support-enumeration"``.
    rejected : tuple
        Profiles the engine returned that failed the exact check, with the
        violated conditions (should be empty).
    degenerate : bool
        From symalign's enumerations: True when some equilibria are not
        isolated (the list then holds the vertices of the components); None
        from Gambit, which lists them without saying so.
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
    engine : {"auto", "gambit", "symalign", "support"}
        "auto" uses Gambit when pygambit imports, else symalign's exact vertex enumeration
        (:mod:`symalign.numeric.vertex_enumeration`, also ``"symalign"``); "gambit" requires Gambit;
        "support" is symalign's support enumeration (slow; an independent route for tests).
    max_profiles : int
        Limit of our own enumeration (support profiles after pruning dominated strategies).

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("polymatrix"), 2, ["h", "t"],
    ...                 A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    >>> r = enumerate_bimatrix(g)
    >>> [e.weights.tolist() for e in r.equilibria], r.rejected
    ([[[1/2, 1/2], [1/2, 1/2]]], ())
    """
    gambit.require_engine(engine)
    A, B = gambit.bimatrix_payoffs(game)
    if engine == "support":
        return _own_extreme_equilibria(game, max_profiles)
    if engine == "symalign" or not gambit.available():
        from symalign.numeric import vertex_enumeration

        accepted, rejected = vertex_enumeration.checked_extreme_equilibria(game)
        degenerate = None if rejected else len(nash_subsets_of(game, accepted)[1]) > 0
        return EnumerationResult(accepted, vertex_enumeration.ENGINE, rejected, degenerate)
    accepted, rejected = gambit.checked_equilibria(game, A, B)
    return EnumerationResult(accepted, gambit.ENGINE, rejected, None)


def nash_subsets_of(game, accepted):
    """``(isolated, components)`` assembled from checked extreme equilibria (:mod:`symalign.numeric.nash_subsets`)."""
    from symalign.numeric.enumerate import Component
    from symalign.numeric.nash_subsets import nash_subsets

    return nash_subsets(game, accepted, Component)


def _own_extreme_equilibria(game, max_profiles):
    """The extreme equilibria by symalign's exact enumeration: isolated ones and the vertices of components.

    Each is re-checked by :func:`~symalign.numeric.polymatrix_check.nash_violations`, as Gambit's profiles are;
    the vertices of components are otherwise only solutions of the support systems.
    """
    import sympy as sp

    from symalign.core.equilibrium import Equilibrium
    from symalign.numeric.enumerate import enumerate_equilibria

    from symalign.numeric.polymatrix_check import nash_violations, payoff_blocks

    res = enumerate_equilibria(game, max_profiles=max_profiles, engine="support")
    candidates = [(e.weights, e) for e in res.isolated]
    for comp in res.components:
        for V in comp.vertices:
            support = tuple(tuple(d for d in range(V.cols) if V[i, d] != 0) for i in range(V.rows))
            candidates.append((V, Equilibrium(game, sp.ImmutableMatrix(V), support, exact=True,
                                              method="support-enumeration", hypotheses=game.hypotheses(),
                                              notes=("vertex of a component of equilibria",))))
    blocks = payoff_blocks(game)
    eqs, rejected, seen = [], [], set()
    for W, eq in candidates:  # the same exact re-check as Gambit's profiles get
        if tuple(W) in seen:
            continue
        seen.add(tuple(W))
        bad = nash_violations(game, W.tolist(), blocks)
        if bad:
            rejected.append((W, bad))
        else:
            eqs.append(eq)
    return EnumerationResult(tuple(eqs), "symalign-support-enumeration", tuple(rejected), bool(res.components))

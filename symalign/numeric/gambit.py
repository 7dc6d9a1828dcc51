"""Gambit (pygambit, optional) as the enumeration engine for bimatrix games, every answer re-checked.

`pygambit <https://gambitproject.readthedocs.io>`_ enumerates the extreme
equilibria of a two-player game in exact rationals (``enummixed``, the
vertex enumeration of Avis and Fukuda's lrs / Mangasarian) much faster than
support enumeration.  Gambit has returned profiles that are not equilibria
(Gambit issues #492, #406, #660), so nothing it returns is trusted: every
profile is converted to exact rationals and passed through the exact KKT
check :func:`symalign.core.kkt.kkt_violations`, which shares no code with
Gambit; a profile that fails is dropped and reported in ``rejected``.

Install the optional extra with ``pip install 'symalign[gambit]'``.
Without pygambit :func:`enumerate_bimatrix` falls back to symalign's own
support enumeration (:func:`symalign.numeric.solve.support_enumeration`);
``engine`` says which one answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from symalign.core.equilibrium import Equilibrium
from symalign.core.kkt import kkt_violations
from symalign.errors import InputError

__all__ = ["available", "bimatrix_payoffs", "gambit_profiles", "EnumerationResult", "enumerate_bimatrix"]


def available() -> bool:
    """Whether pygambit can be imported."""
    try:
        import pygambit  # noqa: F401
    except ImportError:
        return False
    return True


def bimatrix_payoffs(game):
    """``(A, B)``: exact payoff matrices (lists of Fractions) of a numeric 2-agent polymatrix game.

    ``A[r][c]`` is the row agent's payoff and ``B[r][c]`` the column agent's
    when they play groups ``r`` and ``c``.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("polymatrix"), 2, ["h", "t"],
    ...                 A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    >>> A, B = bimatrix_payoffs(g)
    >>> [[str(x) for x in row] for row in B]
    [['-1', '1'], ['1', '-1']]
    """
    if game.family.name != "polymatrix" or game.n_agents != 2:
        raise InputError("game", game, "Gambit enumeration needs a 2-agent polymatrix (bimatrix) game")
    if game.free_symbols():
        raise InputError("game", game, "has symbolic payoffs; Gambit needs numbers")
    blocks = game.param("A")
    A01, A10 = sp.Matrix(blocks[0][1]), sp.Matrix(blocks[1][0])
    D = game.n_groups

    def frac(x):
        if not x.is_Rational:
            raise InputError("A", x, "Gambit needs rational payoffs")
        return Fraction(int(x.p), int(x.q))

    A = [[frac(A01[r, c]) for c in range(D)] for r in range(D)]
    B = [[frac(A10[c, r]) for c in range(D)] for r in range(D)]
    return A, B


def gambit_profiles(A, B) -> list:
    """Extreme equilibria of the bimatrix game ``(A, B)`` by Gambit's ``enummixed``, as lists of Fractions.

    Raises ImportError when pygambit is not installed.
    """
    import pygambit as gbt

    g = gbt.Game.from_arrays(A, B)
    result = gbt.nash.enummixed_solve(g, rational=True)
    out = []
    for eq in result.equilibria:
        out.append([[Fraction(str(eq[p][s])) for s in p.strategies] for p in g.players])
    return out


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
    A, B = bimatrix_payoffs(game)
    use_gambit = engine == "gambit" or (engine == "auto" and available())
    if engine == "gambit" and not available():
        raise InputError("engine", engine, "pygambit is not installed (pip install 'symalign[gambit]')")
    if not use_gambit:
        from symalign.numeric.solve import support_enumeration

        eqs, degenerate = support_enumeration(game, max_profiles=max_profiles)
        return EnumerationResult(tuple(eqs), "symalign-support-enumeration", (), degenerate)
    accepted, rejected = [], []
    for prof in gambit_profiles(A, B):
        W = sp.ImmutableMatrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in prof])
        bad = kkt_violations(game, W)
        if bad:
            rejected.append((W, bad))
            continue
        support = tuple(tuple(d for d in range(game.n_groups) if W[i, d] > 0) for i in range(2))
        accepted.append(Equilibrium(game, W, support, exact=True, method="gambit-enummixed+exact-kkt",
                                    hypotheses=game.hypotheses()))
    return EnumerationResult(tuple(accepted), "gambit-enummixed", tuple(rejected), None)


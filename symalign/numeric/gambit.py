"""Gambit (pygambit, optional) as the enumeration engine for bimatrix games, every answer re-checked.

`pygambit <https://gambitproject.readthedocs.io>`_ enumerates the extreme
equilibria of a two-player game in exact rationals (``enummixed``, the
vertex enumeration of Avis and Fukuda's lrs / Mangasarian) much faster than
support enumeration.  Gambit has returned profiles that are not equilibria
(Gambit issues #492, #406, #660), so nothing it returns is trusted: every
profile is kept as exact Fractions and passed through the exact
equilibrium check :func:`symalign.numeric.polymatrix_check.nash_violations`
(the KKT conditions of linear utilities, i.e. the best-response check over
pure strategies, in integer arithmetic), which shares no code with Gambit;
a profile that fails is dropped and reported as rejected.

Two users: :func:`symalign.numeric.bimatrix.enumerate_bimatrix` (Gambit, or
symalign's exact enumeration without it, saying which engine answered)
and ``solve --all`` (:func:`symalign.numeric.enumerate.enumerate_equilibria`
asks :func:`gambit_equilibria` first).

Install the optional extra with ``pip install 'symalign[gambit]'``.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from symalign.core.equilibrium import Equilibrium
from symalign.errors import InputError, SymalignError
from symalign.numeric.polymatrix_check import payoff_blocks

__all__ = ["available", "bimatrix_payoffs", "gambit_profiles", "checked_equilibria", "check_profiles", "equilibrium_set",
           "gambit_equilibria", "require_engine", "ENGINE", "METHOD", "GAMBIT_NOTE", "GAMBIT_MIN_PROFILES"]

ENGINE = "gambit-enummixed"
"""The engine name reported by every route that used Gambit."""
METHOD = "gambit-enummixed+exact-kkt"
"""``Equilibrium.method`` of a profile found by Gambit and passed by the exact check."""
GAMBIT_NOTE = ("engine: Gambit enummixed (pygambit): every extreme equilibrium re-checked exactly, components "
               "assembled from them (maximal Nash subsets); complete if Gambit's vertex enumeration is")
GAMBIT_MIN_PROFILES = 500
"""``engine="auto"`` asks Gambit only from this many support profiles on: importing pygambit (it imports
SciPy and pandas) costs about 1 s, what symalign's enumeration spends on ~500 support profiles."""


def available() -> bool:
    """Whether pygambit can be imported (looked up once per process)."""
    global _AVAILABLE
    if _AVAILABLE is None:
        try:
            import pygambit  # noqa: F401
        except ImportError:
            _AVAILABLE = False
        else:
            _AVAILABLE = True
    return _AVAILABLE


_AVAILABLE = None


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
    return _bimatrix(payoff_blocks(game))


def _bimatrix(blocks) -> tuple:
    """``(A, B)`` from :func:`~symalign.numeric.polymatrix_check.payoff_blocks` of a 2-agent game."""
    B10 = blocks[(1, 0)]
    return blocks[(0, 1)], [list(col) for col in zip(*B10)]


def gambit_profiles(A, B) -> list:
    """Extreme equilibria of the bimatrix game ``(A, B)`` by Gambit's ``enummixed``, as lists of Fractions.

    Raises ImportError when pygambit is not installed.
    """
    import pygambit as gbt

    g = gbt.Game.from_arrays(A, B)
    result = gbt.nash.enummixed_solve(g, rational=True)
    out = []
    for eq in result.equilibria:  # eq[strategy] is the probability in pygambit 16.1+ and 17.x alike
        out.append([[Fraction(str(eq[s])) for s in p.strategies] for p in g.players])
    return out


def checked_equilibria(game, A=None, B=None) -> tuple:
    """``(accepted, rejected)``: Gambit's extreme equilibria of a bimatrix game, each re-checked exactly.

    ``accepted`` are :class:`~symalign.core.equilibrium.Equilibrium` objects
    (exact rationals, ``method`` = :data:`METHOD`) that passed
    :func:`~symalign.numeric.polymatrix_check.nash_violations`;
    ``rejected`` are ``(weights, violations)`` pairs that did not.  Raises
    ImportError when pygambit is not installed.
    """
    blocks = payoff_blocks(game)
    if A is None or B is None:
        A, B = _bimatrix(blocks)
    return check_profiles(game, _bounded_profiles(A, B), METHOD, blocks)


def check_profiles(game, profiles, method: str, blocks=None) -> tuple:
    """``(accepted, rejected)``: each profile (rows of Fractions) checked by exact regret.

    Accepted profiles become :class:`~symalign.core.equilibrium.Equilibrium`
    objects with ``method``; rejected ones are ``(weights, violations)``.
    The check is :func:`symalign.numeric.polymatrix_check.nash_violations`,
    shared by every engine's answers (Gambit's and symalign's vertex enumeration).
    """
    from symalign.numeric import polymatrix_check

    blocks = payoff_blocks(game) if blocks is None else blocks
    accepted, rejected = [], []
    for prof in profiles:
        W = sp.ImmutableMatrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in prof])
        bad = polymatrix_check.nash_violations(game, prof, blocks)
        if bad:
            rejected.append((W, bad))
            continue
        support = tuple(tuple(d for d, x in enumerate(row) if x > 0) for row in prof)
        accepted.append(Equilibrium(game, W, support, exact=True, method=method, hypotheses=game.hypotheses()))
    return tuple(accepted), tuple(rejected)


def _bounded_profiles(A, B) -> list:
    """:func:`gambit_profiles`, in a child process killed at the deadline when a wall-clock budget runs.

    A CLI command's ``--time-limit`` is enforced with ``SIGALRM``, which
    cannot interrupt Gambit's C++ code; :func:`symalign.core.budget.run_bounded`
    can.
    """
    import signal

    remaining = signal.getitimer(signal.ITIMER_REAL)[0] if hasattr(signal, "ITIMER_REAL") else 0.0
    if not remaining:
        return gambit_profiles(A, B)
    from symalign.core.budget import Budget, run_bounded

    return run_bounded(gambit_profiles, A, B, budget=Budget(remaining, None, "--time-limit"),
                       phase="Gambit enummixed")


def equilibrium_set(game, component, reasons=None):
    """Every equilibrium of a bimatrix game from Gambit: ``(isolated, components)``, or None.

    Gambit's extreme equilibria, each re-checked exactly
    (:func:`checked_equilibria`), are assembled into isolated equilibria and
    maximal Nash subsets (:func:`symalign.numeric.nash_subsets.nash_subsets`;
    ``component`` builds a :class:`symalign.numeric.enumerate.Component`).
    Every vertex of every subset is a checked equilibrium, so every profile
    reported is one; that nothing is missing rests on Gambit's vertex
    enumeration being complete (not re-checked).

    Returns None, leaving the game to symalign's exact enumeration, when the
    game is not a 2-agent polymatrix game with rational payoffs, pygambit is
    not installed, Gambit raised an error, or it returned a profile that
    fails the exact check (then its list is not trusted at all); the reason
    is appended to ``reasons`` (a list) when given, Gambit's error included.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> from symalign.numeric.enumerate import Component
    >>> g = Game.create(get_family("polymatrix"), 2, ["h", "t"],
    ...                 A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    >>> found = equilibrium_set(g, Component)  # None without pygambit
    >>> found is None or ([str(e.weights.tolist()) for e in found[0]], found[1]) == (["[[1/2, 1/2], [1/2, 1/2]]"], ())
    True
    """
    from symalign.numeric.nash_subsets import nash_subsets

    reasons = [] if reasons is None else reasons
    if game.family.name != "polymatrix" or game.n_agents != 2 or not game.is_numeric:
        reasons.append("not a numeric two-agent polymatrix (bimatrix) game")
        return None
    if not available():
        reasons.append("pygambit is not installed (pip install 'symalign[gambit]')")
        return None
    try:
        A, B = bimatrix_payoffs(game)
    except InputError:  # payoffs that are not rational
        reasons.append("payoffs are not rational numbers")
        return None
    try:
        accepted, rejected = checked_equilibria(game, A, B)
    except SymalignError:  # a budget ran out, or bad input: not Gambit's failure
        raise
    except Exception as exc:  # noqa: BLE001 - Gambit failed (pygambit raises its own types): reported, not hidden
        reasons.append(f"Gambit failed: {type(exc).__name__}: {exc}")
        return None
    if rejected:
        reasons.append(f"Gambit returned {len(rejected)} profile(s) failing the exact check, e.g. "
                       f"{rejected[0][0].tolist()}: {rejected[0][1][0]}")
        return None
    if not accepted:
        reasons.append("Gambit returned no equilibrium")
        return None
    return nash_subsets(game, accepted, component)


def require_engine(engine: str) -> str:
    """``engine`` if it is "auto", "symalign", or "gambit" with pygambit installed; else InputError naming it."""
    if engine not in ("auto", "gambit", "symalign", "support"):
        raise InputError("engine", engine, 'must be "auto", "gambit", "symalign" or "support"')
    if engine == "gambit" and not available():
        raise InputError("engine", engine, "pygambit is not installed (pip install 'symalign[gambit]')")
    return engine


def gambit_equilibria(game, n_profiles: int, engine: str = "auto", component=None):
    """The Gambit hook of :func:`symalign.numeric.enumerate.enumerate_equilibria`.

    Returns :func:`equilibrium_set` (``(isolated, components)``) or None to
    let symalign's exact enumeration answer: always None for
    ``engine="symalign"`` and ``"support"``; for ``"auto"`` also None below
    :data:`GAMBIT_MIN_PROFILES` support profiles (``n_profiles``, after
    pruning dominated strategies); ``"gambit"`` raises
    :class:`~symalign.errors.InputError` when Gambit cannot answer.
    """
    if require_engine(engine) in ("symalign", "support"):
        return None
    if engine == "auto" and n_profiles < GAMBIT_MIN_PROFILES:
        return None
    reasons = []
    found = equilibrium_set(game, component, reasons)
    if found is None and engine == "gambit":
        raise InputError("engine", engine, f"Gambit gave no answer here: {'; '.join(reasons)} (engine 'symalign' "
                                           "enumerates bimatrix games exactly without Gambit)")
    return found

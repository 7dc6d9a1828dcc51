"""Exact equilibrium check of polymatrix (and bimatrix) games in integer/Fraction arithmetic.

In a polymatrix game ``U_i = sum_{j != i} w_i^T A_ij w_j`` agent i's
own-gradient is the vector of its pure-strategy payoffs against the
others' mixtures, ``g_i = sum_{j != i} A_ij w_j``.  A profile is an
equilibrium iff every agent's mixture is a best response: ``g_i`` takes one
value on the support of ``w_i`` and no larger value off it (the KKT
conditions of linear utilities, i.e. the classic best-response check over
pure strategies).  :func:`nash_violations` decides this with
:class:`fractions.Fraction`, without building SymPy expressions; its messages
are those of :func:`symalign.core.kkt.kkt_violations`, which it agrees with
(tested) at a small fraction of the cost.

It reads the payoff blocks from the game's parameters and shares no code
with any enumeration engine (Gambit's or symalign's): it is the
independent re-check of every profile an engine returns.
"""

from __future__ import annotations

from fractions import Fraction

from symalign.errors import InputError, ShapeError

__all__ = ["payoff_blocks", "nash_violations"]


def payoff_blocks(game) -> dict:
    """``{(i, j): A_ij}`` for ``i != j``: the payoff blocks of a numeric polymatrix game as lists of Fractions.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("polymatrix"), 2, ["h", "t"],
    ...                 A={"A": [[1, -1], [-1, 1]], "B": [["1/2", 1], [1, -1]]})
    >>> payoff_blocks(g)[(1, 0)]
    [[Fraction(1, 2), Fraction(1, 1)], [Fraction(1, 1), Fraction(-1, 1)]]
    """
    if game.family.name != "polymatrix":
        raise InputError("game", game, "the exact polymatrix check needs a polymatrix game")
    blocks = game.param("A")
    out = {}
    for i in range(game.n_agents):
        for j in range(game.n_agents):
            if i != j:
                M = blocks[i][j]
                out[(i, j)] = [[_fraction(M[r, c], "A") for c in range(M.cols)] for r in range(M.rows)]
    return out


def _fraction(x, name) -> Fraction:
    if getattr(x, "is_Rational", False):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, (int, Fraction)) and not isinstance(x, bool):
        return Fraction(x)
    raise InputError(name, x, "the exact check needs rational numbers")


def nash_violations(game, profile, blocks=None) -> tuple:
    """Violated equilibrium conditions of a polymatrix game at a rational profile (empty: an equilibrium).

    Parameters
    ----------
    game : Game
        A numeric polymatrix game.
    profile : sequence of sequences
        N x D weights: Fractions, ints or SymPy rationals (floats are refused).
    blocks : dict, optional
        :func:`payoff_blocks` of the game, when the caller checks many profiles.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("polymatrix"), 2, ["h", "t"],
    ...                 A={"A": [[1, -1], [-1, 1]], "B": [[-1, 1], [1, -1]]})
    >>> nash_violations(g, [[Fraction(1, 2)] * 2] * 2)
    ()
    >>> nash_violations(g, [[1, 0], [1, 0]])
    ('agent 2: gradient on t (1) exceeds the support value -1',)
    """
    blocks = payoff_blocks(game) if blocks is None else blocks
    N, D = game.n_agents, game.n_groups
    rows = [list(r) for r in profile]
    if len(rows) != N or any(len(r) != D for r in rows):
        raise ShapeError("weights", (len(rows), len(rows[0]) if rows else 0), f"expected shape ({N}, {D})")
    W = [[_fraction(x, "weights") for x in r] for r in rows]
    out = []
    for i in range(N):
        row = W[i]
        if any(x < 0 for x in row) or sum(row) != 1:
            out.append(f"agent {i + 1}: weights [{', '.join(_text(x) for x in row)}] not on the simplex")
            continue
        g = [Fraction(0)] * D
        for j in range(N):
            if j != i:
                A, w = blocks[(i, j)], W[j]
                g = [g[d] + sum(a * x for a, x in zip(A[d], w) if x) for d in range(D)]
        lam = next(g[d] for d in range(D) if row[d] > 0)
        for d in range(D):
            if row[d] > 0 and g[d] != lam:
                out.append(f"agent {i + 1}: gradient on {game.groups[d]} ({_text(g[d])}) differs from "
                           f"{_text(lam)} on the support")
            elif row[d] == 0 and g[d] > lam:
                out.append(f"agent {i + 1}: gradient on {game.groups[d]} ({_text(g[d])}) exceeds the support "
                           f"value {_text(lam)}")
    return tuple(out)


def _text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"

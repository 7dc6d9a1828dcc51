"""Gambit ``.nfg`` files and symalign games: two-player games become bimatrix (``polymatrix``) games.

The file format itself (any number of players, both layouts, labels,
comments, exact numbers) is :mod:`symalign.io.normal_form`; this module
maps a two-player :class:`~symalign.io.normal_form.NormalForm` to a
``polymatrix`` game (a bimatrix game, mixed extension) and back.

An m x n game with m != n keeps every payoff: its groups are the strategies
of the player with more of them and the other player's extra strategies are
strictly dominated placeholders (see :func:`symalign.core.params.normalise`).
Games with three or more players are read (:func:`read_normal_form`) and
written back, but are not ``polymatrix`` games: their payoffs are
multilinear, not pairwise, and :func:`parse_nfg` refuses them.

pygambit is not needed (nor used).

Examples
--------
>>> text = 'NFG 1 R "Matching pennies" { "Row" "Column" } { 2 2 }\\n1 -1 -1 1 -1 1 1 -1\\n'
>>> game = parse_nfg(text)
>>> game
Game(polymatrix, N=2, groups=['s1', 's2'], numeric)
>>> parse_nfg(nfg_text(game, title="Matching pennies")).param("A")[0][1] == game.param("A")[0][1]
True
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from symalign.core.families import get_family
from symalign.core.game import Game
from symalign.errors import GameFileError, InputError
from symalign.io.gamefile import read_bytes
from symalign.io.normal_form import NormalForm, parse_normal_form
from symalign.io.normal_form import nfg_text as normal_form_text

__all__ = ["parse_nfg", "read_nfg", "read_normal_form", "nfg_text", "bimatrix", "bimatrix_payoffs",
           "game_of", "normal_form_of"]

MAX_BYTES = 10_000_000
"""Largest .nfg file read (bytes)."""


def parse_nfg(text: str, source=None, *, with_title: bool = False):
    """A two-player game from the text of a Gambit ``.nfg`` file (see :mod:`symalign.io.normal_form`).

    Returns the :class:`~symalign.core.game.Game`, or ``(game, title)`` with ``with_title``.
    """
    nf = parse_normal_form(text, source)
    game = game_of(nf, source)
    return (game, nf.title) if with_title else game


def game_of(nf: NormalForm, source=None) -> Game:
    """The bimatrix (``polymatrix``) game of a two-player :class:`NormalForm`; GameFileError otherwise."""
    if len(nf.players) != 2:
        raise GameFileError(source, "players", list(nf.players),
                            f"{len(nf.players)} players: only two-player games become symalign games "
                            "(more players are not pairwise; convert .nfg to .nfg keeps them)")
    m, n = nf.shape
    if max(m, n) < 2:
        raise GameFileError(source, "strategies", [m, n], "a player needs at least 2 strategies")
    pay = [[nf.payoff((i, j)) for j in range(n)] for i in range(m)]
    A = [[_rational(pay[i][j][0]) for j in range(n)] for i in range(m)]
    B = [[_rational(pay[i][j][1]) for j in range(n)] for i in range(m)]
    return bimatrix(A, B, strategies=nf.strategies)


def _rational(q):
    return sp.Rational(q.numerator, q.denominator)


def bimatrix(A, B, *, strategies=None) -> Game:
    """The polymatrix game of a bimatrix game ``(A, B)`` (payoffs of the row and column player, m x n).

    Groups are the strategy names of the player with more strategies (or
    ``s1, s2, ...`` when the names are numbers or clash).
    """
    m, n = len(A), len(A[0])
    D = max(m, n)
    groups = [f"s{k + 1}" for k in range(D)]
    if strategies is not None:
        longer = list(strategies[0] if m >= n else strategies[1])
        if len(set(longer)) == D and all(s and not s.isdigit() for s in longer):
            groups = longer
    return Game.create(get_family("polymatrix"), 2, groups, A={"A": A, "B": B})


def read_nfg(path, *, with_title: bool = False):
    """Read a two-player ``.nfg`` file (at most :data:`MAX_BYTES`) as a game; see :func:`parse_nfg`."""
    nf = read_normal_form(path)
    game = game_of(nf, path)
    return (game, nf.title) if with_title else game


def read_normal_form(path) -> NormalForm:
    """Read any ``.nfg`` file (at most :data:`MAX_BYTES`): a :class:`~symalign.io.normal_form.NormalForm`."""
    path = Path(path)
    raw = read_bytes(path, MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return parse_normal_form(text, source=path)


def bimatrix_payoffs(game):
    """``(A, B)`` of a two-agent polymatrix game as m x n lists, placeholders of an m x n game removed.

    A trailing block is removed only when padding the smaller game again
    (:func:`symalign.core.params.normalise`) gives back exactly the game's
    matrices, so the m x n game has the same equilibria.

    Examples
    --------
    >>> game = bimatrix([[3, 0, 2], [0, 2, 1]], [[1, 0, 3], [0, 3, 1]])
    >>> bimatrix_payoffs(game)
    ([[3, 0, 2], [0, 2, 1]], [[1, 0, 3], [0, 3, 1]])
    """
    from symalign.core.params import normalise

    if game.family.name != "polymatrix" or game.n_agents != 2:
        raise InputError("game", game, "is not a two-agent polymatrix (bimatrix) game")
    A, B = game.param("A")[0][1], game.param("A")[1][0].T
    D = game.n_groups
    spec = game.family.parameters()[0]
    def kept(M):  # strategies before the trailing constant rows (the placeholders' shape)
        k = D
        while k > 1 and len(set(M.row(k - 1))) == 1:
            k -= 1
        return max(k, 1)

    m, n = kept(A), kept(B.T)
    if (m, n) != (D, D) and max(m, n) >= 2 and game.is_numeric:
        a = [list(A[i, :n]) for i in range(m)]
        b = [list(B[i, :n]) for i in range(m)]
        again = normalise(spec, {"A": a, "B": b}, 2, D)
        if again[0][1] == A and again[1][0] == B.T:
            return a, b
    return [list(A.row(i)) for i in range(D)], [list(B.row(i)) for i in range(D)]


def normal_form_of(game, *, title: str = "", players=None, strategies=None, comment: str = "") -> NormalForm:
    """The :class:`NormalForm` (payoff form) of a numeric two-agent polymatrix game, exact.

    ``players`` (two names) and ``strategies`` (labels per player) default to
    ``"1", "2"`` and the game's groups; labels of the wrong length are refused.
    """
    if game.family.name != "polymatrix" or game.n_agents != 2:
        raise InputError("game", game, "only two-agent polymatrix (bimatrix) games can be written as .nfg")
    if not game.is_numeric:
        raise InputError("game", game, "has symbolic payoffs; .nfg needs numbers")
    A, B = bimatrix_payoffs(game)
    m, n = len(A), len(A[0])
    labels = (tuple(game.groups[:m]), tuple(game.groups[:n])) if strategies is None else tuple(
        tuple(str(s) for s in labels) for labels in strategies)
    if [len(x) for x in labels] != [m, n]:
        raise InputError("strategies", [list(x) for x in labels], f"expected {m} and {n} labels")
    players = ("1", "2") if players is None else tuple(str(p) for p in players)
    if len(players) != 2:
        raise InputError("players", list(players), "expected two player names")
    return NormalForm.from_payoffs([A, B], title=title, players=players, strategies=labels, comment=comment)


def nfg_text(game, *, title: str = "", players=None, strategies=None, comment: str = "") -> str:
    """The ``.nfg`` text of a :class:`NormalForm`, or of a numeric two-agent polymatrix game (exact)."""
    if isinstance(game, NormalForm):
        return normal_form_text(game)
    return normal_form_text(normal_form_of(game, title=title, players=players, strategies=strategies,
                                           comment=comment))

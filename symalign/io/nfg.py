"""Gambit ``.nfg`` files (strategic games): read and write two-player games, exactly.

The file is tokenised by hand (quoted strings, braces, numbers); nothing in
it is executed and numbers are parsed exactly (``1/3``, ``0.1``, ``2e-3``).
Both payoff layouts of the NFG 1 format are read:

* *payoff* form: after the header, every profile's payoffs, one number per
  player, profiles in the order where the first player's strategy changes
  fastest;
* *outcome* form: a list of outcomes ``{ "name" p1 p2 }`` followed by one
  outcome index per profile (0 = all payoffs zero).

Two-player games become ``polymatrix`` games (a bimatrix game, mixed
extension).  An m x n game with m != n keeps every payoff: its groups are
the strategies of the player with more of them and the other player's extra
strategies are strictly dominated placeholders (see
:func:`symalign.core.params.normalise`).  Games with three or more players
are refused: their payoffs are multilinear, not pairwise.

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

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import sympy as sp

from symalign.core.families import get_family
from symalign.core.game import Game
from symalign.core import limits
from symalign.errors import GameFileError, InputError, LimitExceeded
from symalign.io.gamefile import read_bytes

__all__ = ["parse_nfg", "read_nfg", "nfg_text", "bimatrix", "bimatrix_payoffs"]

MAX_BYTES = 10_000_000
"""Largest .nfg file read (bytes)."""

_TOKEN = re.compile(r'[\s,]*(?:(\{)|(\})|"((?:[^"\\]|\\.)*)"|([^\s{}",]+))', re.S)


def _tokens(text, source):
    pos, out = 0, []
    text = text.rstrip().rstrip(",")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise GameFileError(source, "", text[pos:pos + 20], "unreadable token")
        pos = m.end()
        if m.group(1):
            out.append(("{", None))
        elif m.group(2):
            out.append(("}", None))
        elif m.group(3) is not None:
            out.append(("str", m.group(3).replace('\\"', '"')))
        else:
            out.append(("word", m.group(4)))
    return out


def _number(word, source, where):
    try:
        if "/" in word:
            q = Fraction(word)
        else:
            d = Decimal(word)
            if not d.is_finite():
                raise InvalidOperation
            limits.check_decimal(d, where)  # before Fraction builds 10**exponent
            q = Fraction(d)
    except LimitExceeded as exc:
        raise GameFileError(source, where, word, exc.reason) from None
    except (ValueError, ZeroDivisionError, InvalidOperation):
        raise GameFileError(source, where, word, "not a number") from None
    return sp.Rational(q.numerator, q.denominator)


class _Reader:
    def __init__(self, tokens, source):
        self.t, self.k, self.source = tokens, 0, source

    def fail(self, where, value, reason):
        raise GameFileError(self.source, where, value, reason)

    def next(self, kind=None, where=""):
        if self.k >= len(self.t):
            self.fail(where, None, "unexpected end of file")
        tok = self.t[self.k]
        if kind is not None and tok[0] != kind:
            self.fail(where, tok[1] or tok[0], f"expected {'a string' if kind == 'str' else kind!r}")
        self.k += 1
        return tok

    def peek(self):
        return self.t[self.k] if self.k < len(self.t) else (None, None)

    def braced(self, where):
        """A ``{ ... }`` list of tokens (one level; nested braces returned as sub-lists)."""
        self.next("{", where)
        out = []
        while self.peek()[0] != "}":
            if self.peek()[0] is None:
                self.fail(where, None, "unclosed {")
            out.append(self.braced(where) if self.peek()[0] == "{" else self.next())
        self.next("}", where)
        return out


def parse_nfg(text: str, source=None, *, with_title: bool = False):
    """A two-player game from the text of a Gambit ``.nfg`` file (see the module docstring).

    Returns the :class:`~symalign.core.game.Game`, or ``(game, title)`` with ``with_title``.
    """
    if not isinstance(text, str):
        raise InputError("text", type(text).__name__, "expected the file's text (str)")
    r = _Reader(_tokens(text, source), source)
    head = [r.next(where="header")[1] for _ in range(3)]
    if head[:2] != ["NFG", "1"] or head[2] not in ("R", "D"):
        r.fail("header", " ".join(str(h) for h in head), 'expected NFG 1 R "title" (Gambit strategic-form file)')
    title = r.next("str", "title")[1]
    players = [tok[1] for tok in r.braced("players")]
    if len(players) != 2:
        r.fail("players", players, "only two-player games are supported (more players are not pairwise)")
    strat = r.braced("strategies")
    if all(isinstance(s, list) for s in strat):
        names = [[tok[1] for tok in s] for s in strat]
        counts = [len(s) for s in names]
    else:
        counts = [_count(tok, r) for tok in strat]
        for c in counts:  # before any name is built
            if c > limits.current().groups:
                r.fail("strategies", c, f"exceeds the limit groups = {limits.current().groups} "
                                        f"(raise it with {limits.flag('groups')})")
        names = [[f"{k + 1}" for k in range(c)] for c in counts]
    if len(counts) != 2 or min(counts) < 1:
        r.fail("strategies", counts, "expected the strategy counts of two players")
    m, n = counts
    if max(m, n) < 2:
        r.fail("strategies", counts, "a player needs at least 2 strategies")
    if r.peek()[0] == "str":
        r.next("str", "comment")  # optional comment string
    if r.peek()[0] == "{":  # outcome form
        outcomes = [[sp.Integer(0), sp.Integer(0)]]
        while r.peek()[0] == "{":
            o = r.braced("outcomes")
            vals = [tok for tok in o if tok[0] == "word"]
            if len(vals) != 2:
                r.fail("outcomes", [t[1] for t in o], "an outcome needs a name and two payoffs")
            outcomes.append([_number(v[1], source, "outcomes") for v in vals])
        index = [int(_number(r.next("word", "profiles")[1], source, "profiles")) for _ in range(m * n)]
        if any(not 0 <= i < len(outcomes) for i in index):
            r.fail("profiles", index, f"outcome indices must be in 0..{len(outcomes) - 1}")
        pay = [outcomes[i] for i in index]
    else:
        flat = [_number(r.next("word", "payoffs")[1], source, "payoffs") for _ in range(2 * m * n)]
        pay = [flat[2 * k:2 * k + 2] for k in range(m * n)]
    if r.peek()[0] is not None:
        r.fail("payoffs", r.peek()[1], f"more values than the {m} x {n} profiles need")
    # profile k: row strategy k % m, column strategy k // m (the first player changes fastest)
    A = [[pay[i + m * j][0] for j in range(n)] for i in range(m)]
    B = [[pay[i + m * j][1] for j in range(n)] for i in range(m)]
    game = bimatrix(A, B, strategies=names)
    return (game, title) if with_title else game


def _count(tok, r):
    if tok[0] != "word" or not tok[1].isdigit():
        r.fail("strategies", tok[1], "expected a strategy count")
    return int(tok[1])


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
    """Read a ``.nfg`` file (at most :data:`MAX_BYTES`); see :func:`parse_nfg`."""
    path = Path(path)
    raw = read_bytes(path, MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return parse_nfg(text, source=path, with_title=with_title)


def _quote(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


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


def nfg_text(game, *, title: str = "") -> str:
    """The ``.nfg`` text (payoff form) of a numeric two-agent polymatrix game; exact rationals."""
    if game.family.name != "polymatrix" or game.n_agents != 2:
        raise InputError("game", game, "only two-agent polymatrix (bimatrix) games can be written as .nfg")
    if not game.is_numeric:
        raise InputError("game", game, "has symbolic payoffs; .nfg needs numbers")
    A, B = bimatrix_payoffs(game)
    m, n = len(A), len(A[0])
    rows = " ".join(_quote(g) for g in game.groups[:m])
    cols = " ".join(_quote(g) for g in game.groups[:n])
    lines = [f'NFG 1 R {_quote(title)} {{ "Player 1" "Player 2" }} {{ {{ {rows} }} {{ {cols} }} }}', ""]
    values = []
    for j in range(n):
        for i in range(m):
            values += [str(A[i][j]), str(B[i][j])]
    lines.append(" ".join(values))
    return "\n".join(lines) + "\n"

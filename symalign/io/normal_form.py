"""Gambit ``.nfg`` files (strategic games of any number of players): read and written exactly, losing nothing.

Gambit's documented format (``NFG 1 R "title" { players } { strategies }
"comment"`` followed by the payoffs) is read in both of its layouts:

* *payoff* form: every profile's payoffs, one number per player, profiles
  in the order where the first player's strategy changes fastest;
* *outcome* form: a braced list of outcomes ``{ "name" p1, p2, ... }``
  followed by one outcome index per profile (0: the null outcome, all
  payoffs zero).  An index must be a whole number in range: ``1.9`` or
  ``3/2`` is refused, never truncated.

Strategies are given as labels per player ``{ { "T" "B" } { "L" "R" } }``
or as counts ``{ 2 2 }``.  Strings are read with Gambit's escapes (``\\"``
and ``\\\\``); numbers are parsed exactly (``1/3``, ``0.1``, ``2e-3``).
Nothing in a file is executed; the number of profiles and the digits of a
number are checked before any work (:data:`MAX_PROFILES`,
:data:`MAX_NUMBER_CHARS`).

:func:`nfg_text` writes a :class:`NormalForm` back in the layout it was read
in (outcome names kept), so ``parse(nfg_text(parse(text)))`` is the same
game, with the same labels, title and comment.

Examples
--------
>>> text = '''NFG 1 R "BoS" { "Her" "Him" }
... { { "Opera" "Fight" } { "Opera" "Fight" } }
... "Battle of the sexes"
... { { "" 3, 2 } { "" 0, 0 } { "" 0, 0 } { "" 2, 3 } }
... 1 2 3 4
... '''
>>> nf = parse_normal_form(text)
>>> nf.players, nf.strategies[1], nf.payoff((1, 1))
(('Her', 'Him'), ('Opera', 'Fight'), (Fraction(2, 1), Fraction(3, 1)))
>>> parse_normal_form(nfg_text(nf)) == nf
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from symalign.core import limits
from symalign.errors import GameFileError, InputError, LimitExceeded

__all__ = ["NormalForm", "parse_normal_form", "nfg_text", "number_text", "MAX_PROFILES", "MAX_NUMBER_CHARS"]

MAX_PROFILES = 1_000_000
"""Most pure-strategy profiles (product of the strategy counts) read from a file."""
MAX_NUMBER_CHARS = 400
"""Longest number (characters, exponent included) read from a file; the exponent itself is at most this."""

_TOKEN = re.compile(r'[\s,]*(?:(\{)|(\})|"((?:[^"\\]|\\.)*)"|([^\s{}",]+))', re.S)
_INDEX = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class NormalForm:
    """A finite strategic game as a Gambit ``.nfg`` file holds it (exact payoffs).

    Attributes
    ----------
    title, comment : str
    players : tuple of str
    strategies : tuple of tuple of str
        One label tuple per player.
    outcomes : tuple of (str, tuple of Fraction)
        Named outcomes (outcome form); in payoff form one unnamed outcome per profile.
    index : tuple of int
        Outcome per profile (1-based, 0 = null outcome), profiles in Gambit's order
        (first player's strategy changes fastest).
    outcome_form : bool
        Whether the file used (and :func:`nfg_text` writes) the outcome layout.
    """

    title: str
    players: tuple
    strategies: tuple
    outcomes: tuple
    index: tuple
    comment: str = ""
    outcome_form: bool = True

    @property
    def shape(self) -> tuple:
        return tuple(len(s) for s in self.strategies)

    def payoff(self, profile) -> tuple:
        """Payoffs (one Fraction per player) at a pure profile (strategy indices, 0-based)."""
        k, step = 0, 1
        for s, n in zip(profile, self.shape):
            if not 0 <= s < n:
                raise InputError("profile", profile, f"strategy indices must be in 0..{n - 1}")
            k += s * step
            step *= n
        o = self.index[k]
        return self.outcomes[o - 1][1] if o else (Fraction(0),) * len(self.players)

    def payoff_tables(self) -> tuple:
        """Per player, the payoffs as a dict ``{profile: Fraction}`` over all pure profiles."""
        import itertools

        out = [dict() for _ in self.players]
        for prof in itertools.product(*(range(n) for n in self.shape)):
            for i, x in enumerate(self.payoff(prof)):
                out[i][prof] = x
        return tuple(out)

    @classmethod
    def from_payoffs(cls, payoffs, *, title="", players=None, strategies=None, comment=""):
        """A payoff-form game from ``payoffs[i][profile]`` (dicts or nested lists indexed by pure profiles)."""
        import itertools

        n = len(payoffs)
        shape = _shape(payoffs[0], n)
        players = tuple(players) if players is not None else tuple(str(i + 1) for i in range(n))
        strategies = (tuple(tuple(s) for s in strategies) if strategies is not None
                      else tuple(tuple(str(k + 1) for k in range(m)) for m in shape))
        outcomes = []
        for prof in itertools.product(*(range(m) for m in reversed(shape))):
            prof = prof[::-1]  # Gambit order: the first player changes fastest
            outcomes.append(("", tuple(_exact(_at(payoffs[i], prof)) for i in range(n))))
        return cls(title, players, strategies, tuple(outcomes), tuple(range(1, len(outcomes) + 1)), comment, False)


def _shape(table, n) -> tuple:
    if isinstance(table, dict):
        return tuple(max(p[i] for p in table) + 1 for i in range(n))
    shape, t = [], table
    for _ in range(n):
        shape.append(len(t))
        t = t[0]
    return tuple(shape)


def _at(table, prof):
    if isinstance(table, dict):
        return table[prof]
    for s in prof:
        table = table[s]
    return table


def _exact(x) -> Fraction:
    if isinstance(x, bool) or isinstance(x, float):
        raise InputError("payoffs", x, "payoffs must be exact (int, Fraction or rational), not float")
    if getattr(x, "is_Rational", False):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    raise InputError("payoffs", x, "payoffs must be exact rationals")


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
            out.append(("str", re.sub(r"\\(.)", r"\1", m.group(3), flags=re.S)))
        else:
            out.append(("word", m.group(4)))
    return out


def number(word: str, source=None, where: str = "payoffs") -> Fraction:
    """The exact value of a number as written in an ``.nfg`` file (integer, ``p/q`` or decimal)."""
    if len(word) > MAX_NUMBER_CHARS:
        raise GameFileError(source, where, word, f"number longer than {MAX_NUMBER_CHARS} characters")
    try:
        if "/" in word:
            if not re.fullmatch(r"[+-]?[0-9]+/[0-9]+", word):
                raise ValueError
            q = Fraction(word)
        else:
            d = Decimal(word)
            if not d.is_finite():
                raise InvalidOperation
    except (ValueError, ZeroDivisionError, InvalidOperation):
        raise GameFileError(source, where, word, "not a number") from None
    try:  # the project's number_digits limit, checked before the exact fraction is built
        if "/" in word:
            limits.check("number_digits", max(len(str(abs(q.numerator))), len(str(q.denominator))), where, shown=word)
        else:
            limits.check_decimal(d, where)
    except LimitExceeded as exc:
        raise GameFileError(source, where, word, exc.reason) from None
    if "/" not in word:
        if abs(d.as_tuple().exponent) > MAX_NUMBER_CHARS:
            raise GameFileError(source, where, word, f"exponent beyond +-{MAX_NUMBER_CHARS}")
        q = Fraction(d)
    return q


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

    def braced(self, where, depth=0):
        """A ``{ ... }`` list of tokens (nested braces returned as sub-lists, at most 3 deep)."""
        if depth > 3:
            self.fail(where, None, "braces nested too deeply")
        self.next("{", where)
        out = []
        while self.peek()[0] != "}":
            if self.peek()[0] is None:
                self.fail(where, None, "unclosed {")
            out.append(self.braced(where, depth + 1) if self.peek()[0] == "{" else self.next())
        self.next("}", where)
        return out


def parse_normal_form(text: str, source=None) -> NormalForm:
    """The :class:`NormalForm` in the text of a Gambit ``.nfg`` file (see the module docstring)."""
    if not isinstance(text, str):
        raise InputError("text", type(text).__name__, "expected the file's text (str)")
    r = _Reader(_tokens(text, source), source)
    head = [r.next(where="header")[1] for _ in range(3)]
    if head[:2] != ["NFG", "1"] or head[2] not in ("R", "D"):
        r.fail("header", " ".join(str(h) for h in head), 'expected NFG 1 R "title" (Gambit strategic-form file)')
    title = r.next("str", "title")[1]
    players = r.braced("players")
    if not players or any(isinstance(p, list) or p[0] != "str" for p in players):
        r.fail("players", players, "expected the players' names as strings { \"1\" \"2\" ... }")
    players = tuple(p[1] for p in players)
    strat = r.braced("strategies")
    if len(strat) != len(players):
        r.fail("strategies", len(strat), f"expected one entry per player ({len(players)})")
    if all(isinstance(s, list) for s in strat):
        if any(isinstance(t, list) or t[0] != "str" for s in strat for t in s):
            r.fail("strategies", strat, "strategy labels must be strings")
        counts = [len(s) for s in strat]
    elif not any(isinstance(s, list) for s in strat):
        if any(s[0] != "word" or not _INDEX.fullmatch(s[1]) or len(s[1]) > 12 for s in strat):
            r.fail("strategies", [s[1] for s in strat], "expected a strategy count per player")
        counts = [int(s[1]) for s in strat]
    else:
        r.fail("strategies", strat, "either labels for every player or counts for every player")
    if min(counts) < 1:
        r.fail("strategies", counts, "every player needs at least one strategy")
    if max(counts) > limits.current().groups:  # before any name or profile is built
        r.fail("strategies", counts, f"exceeds the limit groups = {limits.current().groups} strategies per player "
                                     f"(raise it with {limits.flag('groups')})")
    n_prof = math.prod(counts)
    if n_prof > MAX_PROFILES:
        r.fail("strategies", counts, f"{n_prof} pure profiles exceed the limit {MAX_PROFILES}")
    labels = (tuple(tuple(t[1] for t in s) for s in strat) if isinstance(strat[0], list)
              else tuple(tuple(str(k + 1) for k in range(c)) for c in counts))
    comment = r.next("str", "comment")[1] if r.peek()[0] == "str" else ""
    n = len(players)
    if r.peek()[0] == "{":  # outcome form
        outcomes = []
        for o in r.braced("outcomes"):
            if not isinstance(o, list) or not o or isinstance(o[0], list) or o[0][0] != "str":
                r.fail("outcomes", o, 'each outcome is { "name" payoff, payoff, ... }')
            vals = o[1:]
            if len(vals) != n or any(isinstance(v, list) or v[0] != "word" for v in vals):
                r.fail("outcomes", o[0][1], f"outcome needs a name and {n} payoffs")
            outcomes.append((o[0][1], tuple(number(v[1], source, "outcomes") for v in vals)))
        index = []
        for _ in range(n_prof):
            word = r.next("word", "profiles")[1]
            if not _INDEX.fullmatch(word) or int(word) > len(outcomes):
                r.fail("profiles", word, f"an outcome index is a whole number in 0..{len(outcomes)}")
            index.append(int(word))
        nf = NormalForm(title, players, labels, tuple(outcomes), tuple(index), comment, True)
    else:
        flat = [number(r.next("word", "payoffs")[1], source, "payoffs") for _ in range(n * n_prof)]
        outcomes = tuple(("", tuple(flat[n * k:n * k + n])) for k in range(n_prof))
        nf = NormalForm(title, players, labels, outcomes, tuple(range(1, n_prof + 1)), comment, False)
    if r.peek()[0] is not None:
        r.fail("payoffs", r.peek()[1], f"more values than the {' x '.join(map(str, counts))} profiles need")
    return nf


def _quote(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def number_text(x: Fraction) -> str:
    """An exact number as Gambit reads it: an integer, a terminating decimal, or ``p/q``.

    Examples
    --------
    >>> [number_text(Fraction(v)) for v in ("3", "-7/20", "1/3")]
    ['3', '-0.35', '1/3']
    """
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    d, twos, fives = x.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        return f"{x.numerator}/{x.denominator}"
    places = max(twos, fives)
    scaled = abs(x.numerator) * 10 ** places // x.denominator
    digits = str(scaled).rjust(places + 1, "0")
    return ("-" if x < 0 else "") + digits[:-places] + "." + digits[-places:]


def nfg_text(nf: NormalForm) -> str:
    """The ``.nfg`` text of ``nf`` (Gambit's layout, exact numbers; outcome form when ``nf`` has it)."""
    if not isinstance(nf, NormalForm):
        raise InputError("game", type(nf).__name__, "expected a NormalForm (see symalign.io.nfg.normal_form)")
    lines = [f"NFG 1 R {_quote(nf.title)} {{ {' '.join(_quote(p) for p in nf.players)} }}", ""]
    lines.append("{ " + "\n".join("{ " + " ".join(_quote(s) for s in labels) + " }" for labels in nf.strategies))
    lines.append("}")
    lines.append(_quote(nf.comment))
    lines.append("")
    if nf.outcome_form:
        lines.append("{")
        lines += [f"{{ {_quote(name)} {', '.join(number_text(x) for x in pay)} }}" for name, pay in nf.outcomes]
        lines.append("}")
        lines.append(" ".join(str(i) for i in nf.index))
    else:
        lines.append(" ".join(number_text(x) for k in nf.index for x in nf.outcomes[k - 1][1]))
    return "\n".join(lines) + "\n"

"""On-disk cache of structured exclusion derivations, keyed by the game's content.

A boundary piece of a phase diagram (:mod:`symalign.analysis.boundaries`) is
a few rational functions of the two swept parameters: the reduced weights,
multipliers, slacks and thresholds of one support.  They are a function of
the game's content, the two parameter names, the group and the support alone,
so :func:`load` / :func:`store` keep them in JSON files (one per derivation)
under ``$SYMALIGN_CACHE_DIR`` (default ``$XDG_CACHE_HOME/symalign`` or
``~/.cache/symalign``; ``SYMALIGN_CACHE_DIR=off`` turns the cache off).

Safety: a file holds only polynomial coefficients as ``"p/q"`` strings and
exponent pairs, read back with :class:`fractions.Fraction` and
:meth:`sympy.Poly.from_dict` (no ``eval``, no pickle); the file also holds
its full key, compared on loading, so a hash collision or a stale format is
a miss, never a wrong answer.  Only games of the built-in families are
cached (their content is their parameters); writes are atomic.
"""

from __future__ import annotations

import hashlib
import json
import os
from fractions import Fraction
from pathlib import Path

import sympy as sp

__all__ = ["cache_dir", "cache_key", "load", "store"]

FORMAT = 1


def cache_dir() -> Path | None:
    """The cache directory, or None when ``SYMALIGN_CACHE_DIR=off``."""
    env = os.environ.get("SYMALIGN_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "symalign"


def cache_key(game, group: int, support, symbols) -> str | None:
    """The text of the key (game content, plane, group, support), or None when the game is not cacheable."""
    family = game.family
    if not type(family).__module__.startswith("symalign.core.families."):
        return None  # a user's family: its content is code, not parameters
    params = sorted((name, str(value)) for name, value in game.params.items())
    from symalign.io.provenance import version

    # the tool's version is in the key: a derivation fixed in a later release is never served from an old cache
    return json.dumps([FORMAT, version(), repr(family), game.n_agents, list(game.groups), params, [str(s) for s in symbols],
                       int(group), [list(s) for s in support]], sort_keys=True)


def _path(key: str) -> Path | None:
    root = cache_dir()
    if root is None:
        return None
    return root / "exclusion" / (hashlib.sha256(key.encode()).hexdigest() + ".json")


def _encode(expr, symbols) -> list:
    num, den = sp.fraction(sp.sympify(expr, strict=True))
    return [[[list(m), str(c)] for m, c in sp.Poly(p, *symbols, domain="QQ").terms()] for p in (num, den)]


def _decode(data, symbols):
    num, den = (sp.Poly.from_dict({tuple(m): sp.Rational(Fraction(c).numerator, Fraction(c).denominator)
                                   for m, c in terms}, *symbols, domain="QQ").as_expr() for terms in data)
    return num / den


def store(key, symbols, weights, multipliers, slack, thresholds) -> bool:
    """Write one derivation (SymPy matrices / tuples of rational functions of ``symbols``); False if skipped."""
    path = _path(key) if key is not None else None
    if path is None:
        return False
    from symalign.io.atomic import atomic_output

    try:
        data = {"key": key,
                "weights": [[_encode(v, symbols) for v in row] for row in weights.tolist()],
                "multipliers": [_encode(v, symbols) for v in multipliers],
                "slack": [[_encode(v, symbols) for v in row] for row in slack.tolist()],
                "thresholds": [[t.agent, str(t.parameter), _encode(t.bound, symbols), t.direction] for t in thresholds]}
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed, sp.polys.polyerrors.GeneratorsError):
        return False  # not rational functions of the symbols: not cached
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as tmp:
            Path(tmp).write_text(json.dumps(data))
    except OSError:
        return False  # a read-only or full disk costs a derivation, nothing else
    return True


def load(key, symbols):
    """``(weights, multipliers, slack, thresholds)`` as nested lists of expressions, or None (a miss)."""
    path = _path(key) if key is not None else None
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        if data.get("key") != key:
            return None
        by_name = {str(s): s for s in symbols}
        dec = lambda v: _decode(v, symbols)  # noqa: E731
        return ([[dec(v) for v in row] for row in data["weights"]], [dec(v) for v in data["multipliers"]],
                [[dec(v) for v in row] for row in data["slack"]],
                [(int(a), by_name[p], sp.factor(dec(b)), str(d)) for a, p, b, d in data["thresholds"]])
    except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
        return None  # unreadable or foreign: a miss

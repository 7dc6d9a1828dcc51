"""A bounded cache of objects built from a game, keyed by the game's content (not its identity).

A :class:`~symalign.core.game.Game` is immutable and fully described by
its family, number of agents, group names and exact parameter values, so
anything computed from those alone (compiled numeric games, exact quadratic
utilities) can be shared between equal games: a game file loaded again
gives a new ``Game`` object with the same content and hits the cache.

Only what is a *function of the game* is cached, never a checked answer:
every ``solve`` still runs all its checks.  The cache is an LRU bounded by
``maxsize`` entries; games whose content is not hashable are not cached.

Examples
--------
>>> from symalign import Game, get_family
>>> make = lambda: Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
...                            alpha=1, beta=2, gamma=1, a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> cache = GameCache(maxsize=2)
>>> first = cache.get(make(), lambda g: object())
>>> cache.get(make(), lambda g: object()) is first, cache.info()
(True, {'hits': 1, 'misses': 1, 'size': 1, 'maxsize': 2})
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

import sympy as sp

__all__ = ["GameCache", "content_key"]


def _freeze(value):
    if isinstance(value, sp.MatrixBase):
        return ("matrix", value.shape, tuple(value))
    if isinstance(value, (tuple, list)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def content_key(game):
    """A hashable key equal for games with the same family, shape and parameter values; None if unhashable.

    Parameter values are exact SymPy numbers, compared by value and type
    (``1/2`` and ``0.5`` as a Float would differ).
    """
    try:
        params = tuple((name, type(v).__name__, _freeze(v)) for name, v in sorted(game.params.items()))
        key = (type(game.family).__module__, type(game.family).__qualname__, game.family, game.n_agents,
               tuple(game.groups), tuple((n, t, _typed(v)) for n, t, v in params))
        hash(key)
    except TypeError:
        return None
    return key


def _typed(v):
    """Attach the type of each number so that equal-comparing numbers of different types never share a key."""
    if isinstance(v, tuple):
        return tuple(_typed(x) for x in v)
    return (type(v).__name__, v)


class GameCache:
    """LRU of ``build(game)`` results keyed by :func:`content_key`, plus a per-object fast path."""

    def __init__(self, maxsize: int = 32):
        self.maxsize = maxsize
        self._lru: OrderedDict = OrderedDict()
        self._by_id: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, game, build):
        try:
            return self._by_id[game]
        except (KeyError, TypeError):
            pass
        key = content_key(game)
        with self._lock:
            if key is not None and key in self._lru:
                self._lru.move_to_end(key)
                self.hits += 1
                value = self._lru[key]
                self._remember(game, value)
                return value
        value = build(game)
        with self._lock:
            self.misses += 1
            if key is not None:
                self._lru[key] = value
                self._lru.move_to_end(key)
                while len(self._lru) > self.maxsize:
                    self._lru.popitem(last=False)
            self._remember(game, value)
        return value

    def _remember(self, game, value):
        try:
            self._by_id[game] = value
        except TypeError:
            pass

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()
            self._by_id = weakref.WeakKeyDictionary()
            self.hits = self.misses = 0

    def info(self) -> dict:
        return {"hits": self.hits, "misses": self.misses, "size": len(self._lru), "maxsize": self.maxsize}

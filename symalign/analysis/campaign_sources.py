"""Where a campaign's random games come from: a distribution, or the Hypothesis strategies.

* ``"distribution"``: :func:`symalign.analysis.campaign.draw_parameters`
  (uniform / Dirichlet draws; fast, typical games);
* ``"hypothesis"``: :func:`hypothesis_parameters` draws games from
  :func:`symalign.verify.strategies.active_alignment_games` (exact rationals
  with small denominators, priors on faces and vertices of the simplex,
  exclusion-biased attractiveness, zero diversity weights: the edge cases the
  property tests explore), with ``monotone=True`` so that each game has one
  equilibrium (Rosen) for the compiled solver to find.  Hypothesis builds a
  :class:`~symalign.core.game.Game` per draw (about 100 games per second),
  so this source is for campaigns of thousands of games, not millions.

Both return the same parameter arrays, which the campaign solves and checks
in the same way (:func:`symalign.analysis.campaign.run_chunk`).  Chunk ``k``
of a campaign with seed ``s`` is reproducible from ``(s, k)`` with either
source.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np

from symalign.errors import InputError

_LOCK = threading.Lock()  # Hypothesis is not thread-safe: one draw at a time per process (threaded Dask workers)

__all__ = ["SOURCES", "hypothesis_parameters", "game_arrays"]

SOURCES = ("distribution", "hypothesis")


def game_arrays(games) -> dict:
    """Parameter arrays alpha, beta, gamma ``(n, N)`` and a, p ``(n, N, D)`` of heterogeneous active-alignment games.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"], alpha=1, beta=2, gamma="1/2",
    ...                 a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> P = game_arrays([g])
    >>> P["alpha"].tolist(), P["gamma"].tolist(), P["p"].shape
    ([[1.0, 1.0]], [[0.5, 0.5]], (1, 2, 2))
    """
    out = {k: [] for k in ("alpha", "beta", "gamma", "a", "p")}
    for g in games:
        N, D = g.n_agents, g.n_groups
        for k in ("alpha", "beta", "gamma"):
            v = g.param(k)
            out[k].append([float(v[i]) for i in range(N)] if isinstance(v, (tuple, list)) else [float(v)] * N)
        for k in ("a", "p"):
            M = g.param(k)
            out[k].append([[float(M[i, d]) for d in range(D)] for i in range(N)])
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def _budget_exceeded(exc, depth: int = 0):
    """The :class:`~symalign.errors.BudgetExceeded` inside ``exc`` (an exception group, a cause), or None."""
    from symalign.errors import BudgetExceeded

    if isinstance(exc, BudgetExceeded) or exc is None or depth > 20:
        return exc if isinstance(exc, BudgetExceeded) else None
    for inner in (*getattr(exc, "exceptions", ()), exc.__cause__, exc.__context__):
        found = _budget_exceeded(inner, depth + 1)
        if found is not None:
            return found
    return None


def hypothesis_parameters(seed: int, chunk: int, n: int, n_agents: int, n_groups: int,
                          variant: str = "overlap") -> dict:
    """``n`` games drawn by Hypothesis from :func:`~symalign.verify.strategies.active_alignment_games`, as arrays.

    Deterministic in ``(seed, chunk)`` (Hypothesis' ``@seed``, no example
    database).  Raises :class:`~symalign.errors.InputError` when Hypothesis
    is not installed.

    Examples
    --------
    >>> P = hypothesis_parameters(0, 0, 20, 2, 3)
    >>> P["a"].shape, bool(np.allclose(P["p"].sum(-1), 1)), bool((P["gamma"] >= 0).all())
    ((20, 2, 3), True, True)
    """
    try:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as fix_seed
    except ImportError:
        raise InputError("--source", "hypothesis", "needs Hypothesis (pip install hypothesis)") from None
    from symalign.verify.strategies import active_alignment_games

    strategy = active_alignment_games(variant, n_agents=n_agents, n_groups=n_groups, monotone=True)
    games = []

    @fix_seed(int(np.random.SeedSequence([int(seed), int(chunk)]).generate_state(1)[0]))
    @settings(max_examples=int(n), database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(game):
        games.append(game)

    with _LOCK, warnings.catch_warnings():
        # in a Dask worker, the worker's own threads touch the global ``random`` state while Hypothesis draws;
        # the draws do not depend on it (Hypothesis' own seeded generator), so its warning is noise here
        warnings.filterwarnings("ignore", message="Do not use the `random` module", category=Warning)
        while len(games) < n:  # Hypothesis may stop short of max_examples; each pass draws anew
            before = len(games)
            try:
                collect()
            except Exception as exc:  # the budget's alarm inside a draw: Hypothesis reports it as flaky
                budget = _budget_exceeded(exc)
                if budget is None:
                    raise
                raise budget from None
            if len(games) == before:
                break
    if len(games) < n:
        raise InputError("games", n, f"Hypothesis drew only {len(games)} games of this shape")
    return game_arrays(games[:n])

"""Monte Carlo verification campaigns: many random games, each solved by the compiled solver and checked independently.

A campaign draws heterogeneous active-alignment games (overlap or distance
variant) of one shape ``(N, D)`` from a distribution
(:func:`draw_parameters`) or from the Hypothesis strategies
(:mod:`symalign.analysis.campaign_sources`), solves them in batches with the compiled solver
(:func:`symalign.numeric.batch.compiled.compile_game` of the game whose
every parameter is a symbol, compiled once per process and shape by
:func:`compiled_family`), and checks every answer by an independent route
(:func:`deviation_gains`): each agent's best unilateral deviation, computed
from model.md's formulas (T1: the best response is the Euclidean projection
of ``(alpha a + beta p - gamma m) / (beta - c gamma)`` on the simplex, with
``c = 0`` for overlap and ``1`` for distance) with a sort-based projection
written here, sharing no code with the solver.

Chunks are independent and reproducible: chunk ``k`` of a campaign with
seed ``s`` draws its games from ``numpy.random.default_rng([s, k])``, so any
game can be regenerated from ``(seed, chunk, index)``.  :func:`run_chunk` is
the unit of work that :mod:`symalign.analysis.distributed` sends to Dask
workers; :func:`campaign` runs the chunks here or on a Dask client.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np

from symalign.core import validate
from symalign.errors import InputError

__all__ = ["VARIANTS", "draw_parameters", "compiled_family", "deviation_gains", "run_chunk", "CampaignResult",
           "campaign", "COLUMNS"]

VARIANTS = ("overlap", "distance")
COLUMNS = ("chunk", "index", "converged", "stage", "residual", "deviation_gain")
"""Columns of a campaign's table (one row per game)."""


def _check(n_agents, n_groups, variant, source="distribution"):
    from symalign.analysis.campaign_sources import SOURCES

    if source not in SOURCES:
        raise InputError("source", source, f"must be one of {SOURCES}")
    if variant not in VARIANTS:
        raise InputError("variant", variant, f"a campaign supports {VARIANTS} (entropic: no compiled closed form)")
    for name, v, lo, hi in (("agents", n_agents, 2, 12), ("groups", n_groups, 2, 12)):
        if not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
            raise InputError(name, v, f"must be an integer in {lo}..{hi}")


def draw_parameters(rng, n: int, n_agents: int, n_groups: int, variant: str = "overlap") -> dict:
    """``n`` random heterogeneous games: arrays alpha, beta, gamma (n, N) and a, p (n, N, D).

    alpha ~ U(0.1, 1), beta ~ U(0.5, 2), gamma = beta * u with u ~ U(0, 0.9)
    (so the distance variant stays concave), a ~ U(0, 1), p ~ Dirichlet(1).

    Examples
    --------
    >>> P = draw_parameters(np.random.default_rng(0), 3, 2, 4)
    >>> P["a"].shape, bool(np.allclose(P["p"].sum(-1), 1)), bool((P["gamma"] < P["beta"]).all())
    ((3, 2, 4), True, True)
    """
    N, D = n_agents, n_groups
    beta = rng.uniform(0.5, 2.0, (n, N))
    return {
        "alpha": rng.uniform(0.1, 1.0, (n, N)),
        "beta": beta,
        "gamma": beta * rng.uniform(0.0, 0.9, (n, N)),
        "a": rng.uniform(0.0, 1.0, (n, N, D)),
        "p": rng.dirichlet(np.ones(D), (n, N)),
    }


@functools.lru_cache(maxsize=8)
def compiled_family(n_agents: int, n_groups: int, variant: str = "overlap"):
    """The compiled solver of the (N, D) game with every parameter symbolic (once per process and shape)."""
    from symalign.core.families import get_family
    from symalign.core.game import Game
    from symalign.numeric.batch.compiled import compile_game

    game = Game.symbolic(get_family("active_alignment", variant), n_agents, n_groups, homogeneous=False)
    return compile_game(game)  # aggregative: the structured closed form, no derivation, whatever the load


def _arguments(compiled, P) -> list:
    """The parameter arrays in ``compiled.args`` order (names like ``alpha_1``, ``a_{1,2}``)."""
    out = []
    for s in compiled.args:
        name = str(s)
        base, _, idx = name.partition("_")
        idx = idx.strip("{}")
        ks = [int(k) - 1 for k in idx.split(",")]
        out.append(P[base][(slice(None), *ks)])
    return out


def _project(V):
    """Euclidean projection of the last axis on the simplex (sort-based; Held, Wolfe and Crowder 1974)."""
    U = -np.sort(-V, axis=-1)
    css = np.cumsum(U, axis=-1) - 1.0
    k = np.arange(1, V.shape[-1] + 1)
    rho = (U - css / k > 0).sum(axis=-1, keepdims=True)
    tau = np.take_along_axis(css, rho - 1, axis=-1) / rho
    return np.maximum(V - tau, 0.0)


def deviation_gains(P: dict, W, variant: str = "overlap"):
    """Best unilateral deviation gain of each game (max over agents), from model.md's formulas.

    ``U_i = alpha_i <a_i, w_i> - beta_i/2 |w_i - p_i|^2 - gamma_i <w_i, m_i>`` (overlap) or
    ``... + gamma_i/2 |w_i - m_i|^2`` (distance); the best response is a projection (T1).

    Examples
    --------
    >>> P = {k: np.array(v, float) for k, v in dict(alpha=[[1, 1]], beta=[[1, 1]], gamma=[[0, 0]],
    ...      a=[[[0, 0], [0, 0]]], p=[[[0.5, 0.5], [1, 0]]]).items()}
    >>> deviation_gains(P, np.array([[[0.5, 0.5], [0.5, 0.5]]])).round(6).tolist()   # agent 2 gains 1/4
    [0.25]
    """
    W = np.asarray(W, float)
    N = W.shape[1]
    al, be, ga = (P[k][..., None] for k in ("alpha", "beta", "gamma"))
    a, p = P["a"], P["p"]
    m = (W.sum(axis=1, keepdims=True) - W) / (N - 1)
    c = 1.0 if variant == "distance" else 0.0

    def util(X):
        u = (al * a * X).sum(-1) - 0.5 * be[..., 0] * ((X - p) ** 2).sum(-1)
        if c:
            return u + 0.5 * ga[..., 0] * ((X - m) ** 2).sum(-1)
        return u - ga[..., 0] * (X * m).sum(-1)

    best = _project((al * a + be * p - ga * m) / (be - c * ga))
    return np.maximum(util(best) - util(W), 0.0).max(axis=1)


def run_chunk(seed: int, chunk: int, n: int, n_agents: int, n_groups: int, variant: str = "overlap",
              source: str = "distribution") -> dict:
    """Draw, solve and check chunk ``chunk`` of a campaign: a dict of the :data:`COLUMNS` arrays (n rows).

    ``source`` is where the games come from (:mod:`symalign.analysis.campaign_sources`):
    ``"distribution"`` (:func:`draw_parameters`) or ``"hypothesis"`` (the Hypothesis strategies).

    Examples
    --------
    >>> r = run_chunk(0, 0, 200, 2, 3)
    >>> bool(r["converged"].all()), bool(r["deviation_gain"].max() < 1e-9)
    (True, True)
    >>> r = run_chunk(0, 0, 30, 2, 3, source="hypothesis")
    >>> bool(r["converged"].all()), bool(r["deviation_gain"].max() < 1e-9)
    (True, True)
    """
    _check(n_agents, n_groups, variant, source)
    if source == "hypothesis":
        from symalign.analysis.campaign_sources import hypothesis_parameters

        P = hypothesis_parameters(seed, chunk, int(n), n_agents, n_groups, variant)
    else:
        P = draw_parameters(np.random.default_rng([int(seed), int(chunk)]), int(n), n_agents, n_groups, variant)
    compiled = compiled_family(n_agents, n_groups, variant)
    res = compiled(*_arguments(compiled, P))
    gain = np.full(int(n), np.nan)
    ok = np.asarray(res.converged)
    if ok.any():
        gain[ok] = deviation_gains({k: v[ok] for k, v in P.items()}, res.weights[ok], variant)
    return {"chunk": np.full(int(n), int(chunk), np.int64), "index": np.arange(int(n), dtype=np.int64),
            "converged": ok.copy(), "stage": np.asarray(res.stage).copy(), "residual": np.asarray(res.residual).copy(),
            "deviation_gain": gain}


@dataclass(frozen=True, eq=False)
class CampaignResult:
    """A campaign's table (:data:`COLUMNS` arrays) and summary.

    ``passed`` is True when every game converged and no deviation gain
    exceeds ``threshold``.
    """

    table: dict
    n_agents: int
    n_groups: int
    variant: str
    seed: int
    seconds: float
    engine: str
    threshold: float = 1e-9
    source: str = "distribution"

    @property
    def n_games(self) -> int:
        return int(self.table["index"].size)

    @property
    def max_gain(self) -> float:
        g = self.table["deviation_gain"]
        return float(np.nanmax(g)) if np.isfinite(g).any() else float("nan")

    @property
    def failures(self) -> int:
        """Games not converged, or converged with a deviation gain above the threshold or not finite (unchecked)."""
        ok = self.table["converged"]
        checked = ok & (self.table["deviation_gain"] <= self.threshold)  # NaN compares False: a failure
        return int(ok.size - checked.sum())

    @property
    def passed(self) -> bool:
        return self.failures == 0

    def summary(self) -> dict:
        from symalign.numeric.batch.compiled import STAGES

        stages = np.bincount(self.table["stage"], minlength=len(STAGES))
        r = self.table["residual"]
        return {"games": self.n_games, "agents": self.n_agents, "groups": self.n_groups, "variant": self.variant,
                "seed": self.seed, "source": self.source, "engine": self.engine, "seconds": round(self.seconds, 3),
                "games_per_second": round(self.n_games / max(self.seconds, 1e-9), 1),
                "max_deviation_gain": self.max_gain, "max_residual": float(np.nanmax(r)) if np.isfinite(r).any() else None,
                "threshold": self.threshold, "failures": self.failures, "passed": self.passed,
                "stages": {name: int(c) for name, c in zip(STAGES, stages) if c}}


def campaign(n_games: int, n_agents: int, n_groups: int, *, variant: str = "overlap", seed: int = 0,
             chunk: int = 50_000, client=None, progress=None, threshold: float = 1e-9,
             source: str = "distribution") -> CampaignResult:
    """Solve and check ``n_games`` random games, here or on a Dask ``client``.

    ``source``: ``"distribution"`` or ``"hypothesis"`` (:mod:`symalign.analysis.campaign_sources`).

    Examples
    --------
    >>> r = campaign(1000, 3, 3, chunk=400)
    >>> r.n_games, r.passed, r.summary()["engine"]
    (1000, True, 'local')
    """
    _check(n_agents, n_groups, variant, source)
    n_games, chunk = validate.positive_int(n_games, "games"), validate.positive_int(chunk, "chunk")
    sizes = [min(chunk, n_games - s) for s in range(0, n_games, chunk)]
    t0 = time.perf_counter()
    if client is None:
        parts = []
        for k, n in enumerate(sizes):
            parts.append(run_chunk(seed, k, n, n_agents, n_groups, variant, source))
            if progress:
                progress(sum(sizes[:k + 1]), n_games)
        engine = "local"
    else:
        from symalign.analysis.distributed import map_ordered

        parts = map_ordered(client, run_chunk,
                            [(seed, k, n, n_agents, n_groups, variant, source) for k, n in enumerate(sizes)],
                            progress=progress, weights=sizes)
        engine = "dask"
    table = {c: np.concatenate([p[c] for p in parts]) for c in COLUMNS}
    return CampaignResult(table, n_agents, n_groups, variant, int(seed), time.perf_counter() - t0, engine, threshold,
                          source)

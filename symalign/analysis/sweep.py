"""Parameter sweeps: the equilibrium on a grid of two parameters.

Each swept parameter is *set for all agents*.  The grid is computed by the
batch compiled solver :func:`symalign.numeric.batch.compiled.compile_game` (the game is
parametrised with the two swept parameters as free symbols), or, with
``use_batch=False``, by a per-point loop of the independent numeric solver
(:func:`symalign.numeric.solvers.solve` on a gradient compiled once with the two
parameters as arguments), which is only allowed for small grids.

Points where the family's concavity hypotheses fail (e.g. ``gamma >= beta``
in the distance variant) are not computed and marked inadmissible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symalign.numeric import solvers
from symalign.io.atomic import atomic_output
from symalign.errors import GameFileError, InputError
from symalign.analysis.inputs import free_parameters, group_index, parameter_spec
from symalign.core.kkt import kkt_system
from symalign.numeric.compile import compile_expressions
from symalign.core.params import exact
from symalign.analysis.regions import relations_hold
from symalign.analysis.griddata import to_dataframe, to_dataset, write_grid

__all__ = ["Axis", "parse_axis", "check_axis", "check_axes", "SweepResult", "sweep", "write_grid", "atomic_output",
           "compiled_sweep_game", "sub_axis", "FALLBACK_LIMIT", "LARGE_GRID"]

FALLBACK_LIMIT = 2500
"""Largest grid the per-point solver (``use_batch=False``) will compute."""

LARGE_GRID = 50_000
"""Grids at least this big are announced as large by the CLI."""


@dataclass(frozen=True)
class Axis:
    """One swept parameter: ``num`` evenly spaced values from ``start`` to ``stop`` (exact ends).

    Examples
    --------
    >>> ax = parse_axis("beta=0.1:5:50")
    >>> ax.name, ax.start, ax.stop, ax.num, ax.values[:2]
    ('beta', 1/10, 5, 50, array([0.1, 0.2]))
    """

    name: str
    start: sp.Rational
    stop: sp.Rational
    num: int

    @property
    def values(self) -> np.ndarray:
        return np.linspace(float(self.start), float(self.stop), self.num)

    def __str__(self) -> str:
        return f"{self.name}={self.start}:{self.stop}:{self.num}"


_AXIS = re.compile(r"^\s*([A-Za-z_][A-Za-z_0-9]*)\s*=\s*([^:]+):([^:]+):([^:]+)\s*$")


def parse_axis(text: str, argument: str = "axis") -> Axis:
    """Parse ``NAME=START:STOP:NUM`` (``START < STOP``, ``NUM >= 2``).

    Examples
    --------
    >>> parse_axis("gamma=2:1:10", "--y")
    Traceback (most recent call last):
    ...
    symalign.errors.InputError: --y='gamma=2:1:10': the range is empty or inverted: start 2 must be < stop 1
    """
    m = _AXIS.match(text or "")
    if not m:
        raise InputError(argument, text, "expected NAME=START:STOP:NUM, e.g. beta=0.1:5:400")
    name, a, b, n = m.groups()
    start = _number(a, argument, text)
    stop = _number(b, argument, text)
    try:
        num = int(n.strip())
    except ValueError:
        raise InputError(argument, text, f"the number of points {n.strip()!r} is not an integer") from None
    if num < 2:
        raise InputError(argument, text, f"need at least 2 points, got {num}")
    if not start < stop:
        raise InputError(argument, text, f"the range is empty or inverted: start {start} must be < stop {stop}")
    _check_magnitude(start, stop, argument, text)
    return Axis(name, start, stop, num)


def _check_magnitude(start, stop, argument, text):
    """Refuse axis ends beyond 10**sweep_exponent in size (or nonzero below its inverse) before any work."""
    from symalign.core import limits
    from symalign.errors import LimitExceeded

    e = limits.current().sweep_exponent
    for v in (start, stop):
        if v != 0 and not sp.Rational(1, 10**e) <= abs(v) <= 10**e:
            raise LimitExceeded(argument, text, "sweep_exponent", f"{e} (each end 0 or of size 1e-{e} to 1e{e})",
                                limits.flag("sweep_exponent"))


def _number(s, argument, text):
    s = s.strip()
    try:
        return exact(float(s) if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s) else s, argument)
    except InputError:
        raise InputError(argument, text, f"{s!r} is not a number") from None


def check_axis(game, axis: Axis) -> None:
    """Raise when ``axis`` names no agent/scalar parameter of the family or leaves its sign range."""
    spec = parameter_spec(game, axis.name)
    if spec.kind not in ("agent", "scalar"):
        raise InputError("parameter", axis.name, f"is a {spec.kind} parameter; a sweep sets an agent or scalar parameter for all agents")
    if spec.sign == "positive" and not axis.start > 0:
        raise InputError(str(axis), axis.start, f"{axis.name} must be > 0 ({spec.doc or 'positive parameter'})")
    if spec.sign == "nonnegative" and axis.start < 0:
        raise InputError(str(axis), axis.start, f"{axis.name} must be >= 0")


def check_axes(game, x: Axis, y: Axis, source=None) -> None:
    """:func:`check_axis` for both axes, which must name different parameters; the game's other numbers sized.

    ``source`` (the game file) is named when a fixed parameter is too large or too small for a float grid.
    """
    if x.name == y.name:
        raise InputError("--y", str(y), "the two swept parameters must differ")
    check_axis(game, x)
    check_axis(game, y)
    _check_parameter_sizes(game, (x.name, y.name), source)


def _check_parameter_sizes(game, swept, source) -> None:
    """The game's fixed numeric parameters obey the same size limit as the axes (the grid solver is in floats)."""
    from symalign.core import limits
    from symalign.core.params import flat_values
    from symalign.errors import LimitExceeded

    e = limits.current().sweep_exponent
    for name, value in game.params.items():
        if name in swept:
            continue
        for v in flat_values(value):
            if getattr(v, "is_Number", False) and v != 0 and not sp.Rational(1, 10**e) <= abs(v) <= 10**e:
                exc = LimitExceeded(f"parameters.{name}", f"{float(v):.3g}", "sweep_exponent",
                                    f"{e} (a swept game's numbers are 0 or of size 1e-{e} to 1e{e})",
                                    limits.flag("sweep_exponent"))
                if source is None:
                    raise exc
                raise GameFileError(source, f"parameters.{name}", f"{float(v):.3g}", exc.reason)


@dataclass(frozen=True, eq=False)
class SweepResult:
    """The equilibrium on a grid; arrays indexed ``[iy, ix, ...]``.

    Attributes
    ----------
    game : Game
        The game swept (numeric); ``pgame`` has the two parameters symbolic.
    x, y : Axis
    weights : ndarray (ny, nx, N, D)
    support : ndarray of bool (ny, nx, N, D)
    converged, admissible : ndarray of bool (ny, nx)
    residual : ndarray (ny, nx)
    method : str
    stages : dict or None
        Batch solver only: how many points each stage answered.
    """

    game: object
    pgame: object
    x: Axis
    y: Axis
    weights: np.ndarray
    support: np.ndarray
    converged: np.ndarray
    residual: np.ndarray
    admissible: np.ndarray
    method: str
    stages: dict = None

    @property
    def solved(self) -> np.ndarray:
        """(ny, nx): admissible and converged (the points that carry an equilibrium)."""
        return self.admissible & self.converged

    @property
    def excluded(self) -> np.ndarray:
        """(ny, nx, D): no agent weights the group (False where not :attr:`solved`)."""
        return ~self.support.any(axis=2) & self.solved[..., None]

    @property
    def excluded_count(self) -> np.ndarray:
        """(ny, nx) number of excluded groups, -1 where not :attr:`solved`."""
        return np.where(self.solved, self.excluded.sum(axis=2), -1)

    def mean_weight(self, group) -> np.ndarray:
        """(ny, nx) population-average weight on ``group`` (NaN where not :attr:`solved`)."""
        d = group_index(self.game, group)
        return np.where(self.solved, self.weights[..., d].mean(axis=2), np.nan)

    def excluded_supports(self, group, limit: int = 4, share: float = 0.02) -> tuple:
        """The most frequent equilibrium supports where ``group`` is excluded (at least ``share`` of those points)."""
        d = group_index(self.game, group)
        mask = self.excluded[..., d]
        counts = {}
        for sup in self.support[mask]:
            key = tuple(tuple(int(k) for k in np.flatnonzero(row)) for row in sup)
            counts[key] = counts.get(key, 0) + 1
        total = max(sum(counts.values()), 1)
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        return tuple(k for k, n in ranked[:limit] if n >= share * total)

    def to_dataframe(self):
        """The grid as a pandas DataFrame, one row per point (:func:`symalign.analysis.griddata.to_dataframe`)."""
        return to_dataframe(self)

    def to_dataset(self):
        """The grid as an xarray Dataset (:func:`symalign.analysis.griddata.to_dataset`)."""
        return to_dataset(self)


def sweep(game, x: Axis, y: Axis, *, progress=None, chunk: int = 4096, support_tol: float = 1e-8,
          use_batch: bool = True) -> SweepResult:
    """Compute the equilibrium at every point of the grid ``x`` by ``y``.

    Parameters
    ----------
    game : Game
        Numeric game; ``x.name`` and ``y.name`` are set for all agents.
    x, y : Axis
    progress : callable, optional
        ``progress(done, total)`` after each chunk (or point).
    chunk : int
        Points per call of the batch solver.
    support_tol : float
        A weight above this counts as in the support (fallback path).
    use_batch : bool
        Use the batch solver :mod:`symalign.numeric.batch.compiled` (else the per-point
        solver, at most :data:`FALLBACK_LIMIT` points).

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
    ...                 a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    >>> r = sweep(g, parse_axis("beta=1:2:3"), parse_axis("gamma=0:1.2:4"), use_batch=False)
    >>> r.excluded_count.tolist()
    [[1, 1, 1], [1, 1, 0], [1, 0, 0], [1, 0, 0]]
    """
    from symalign.core import limits, validate

    validate.game(game, numeric=True)
    validate.callable_or_none(progress, "progress")
    chunk, support_tol = validate.positive_int(chunk, "chunk"), validate.positive_float(support_tol, "support_tol")
    validate.flag(use_batch, "use_batch")
    if not isinstance(x, Axis) or not isinstance(y, Axis):
        raise InputError("x/y", (x, y), "expected two Axis objects (see parse_axis)")
    limits.check("grid_points", x.num * y.num, "grid", shown=f"{x.num} x {y.num} = {x.num * y.num} points")
    check_axes(game, x, y)
    pgame, _ = free_parameters(game, [x.name, y.name], shift=False)
    X = next(s for s in pgame.free_symbols() if s.name == x.name)
    Y = next(s for s in pgame.free_symbols() if s.name == y.name)
    N, D = game.n_agents, game.n_groups
    gx, gy = np.meshgrid(x.values, y.values)
    admissible = relations_hold(pgame.hypotheses(), X, Y, gx, gy)
    compiled = compiled_sweep_game(pgame, X, Y) if use_batch else None
    shape = gx.shape
    weights = np.full(shape + (N, D), np.nan)
    support = np.zeros(shape + (N, D), dtype=bool)
    converged = np.zeros(shape, dtype=bool)
    residual = np.full(shape, np.nan)
    idx = np.flatnonzero(admissible.reshape(-1))
    total = idx.size
    if compiled is not None and compiled.path in ("closed-form", "structured", "linear"):
        from symalign.analysis.gridfill import fill_grid

        method = f"batch ({compiled.path}, support continuation)"
        weights, support, converged, residual, stages = fill_grid(compiled, gx, gy, admissible, chunk=chunk,
                                                                 progress=progress)
    elif compiled is not None:
        method = f"batch ({compiled.path})"
        stages = {}
        flat_w, flat_s = weights.reshape(-1, N, D), support.reshape(-1, N, D)
        flat_c, flat_r = converged.reshape(-1), residual.reshape(-1)
        xs, ys = gx.reshape(-1), gy.reshape(-1)
        for start in range(0, total, chunk):
            sel = idx[start:start + chunk]
            res = compiled(xs[sel], ys[sel])
            flat_w[sel] = np.asarray(res.weights)
            flat_s[sel] = np.asarray(res.support, dtype=bool)
            flat_c[sel] = np.asarray(res.converged, dtype=bool)
            flat_r[sel] = np.asarray(res.residual, dtype=float)
            for k, v in res.stage_counts().items():
                stages[k] = stages.get(k, 0) + v
            if progress:
                progress(min(start + chunk, total), total)
    else:
        if total > FALLBACK_LIMIT:
            raise InputError("grid", f"{x.num} x {y.num}",
                             f"{total} points need the batch solver (use_batch=True); "
                             f"the per-point solver computes at most {FALLBACK_LIMIT}")
        method = "per-point numeric solver"
        stages = None
        kkt = kkt_system(pgame)
        fg = compile_expressions(list(kkt.gradients), list(pgame.weights) + [X, Y])
        for k, flat in enumerate(idx):
            iy, ix = np.unravel_index(flat, shape)
            xv, yv = gx[iy, ix], gy[iy, ix]

            def grad(W, xv=xv, yv=yv):
                out = fg(*W.reshape(-1), xv, yv)
                return np.array(np.broadcast_arrays(*out), dtype=float).reshape(N, D)

            res = solvers.solve(grad, N, D, tol=1e-12)
            weights[iy, ix] = res.weights
            support[iy, ix] = res.weights > support_tol
            converged[iy, ix] = res.converged
            residual[iy, ix] = res.residual
            if progress:
                progress(k + 1, total)
    return SweepResult(game, pgame, x, y, weights, support, converged, residual, admissible, method, stages)


_COMPILED: dict = {}


def compiled_sweep_game(pgame, X, Y):
    """``compile_game(pgame, [X, Y])``, kept per process by the game's structure (family and its options or
    utility, shape, parameters).

    A second sweep of the same game (another grid, a block of rows on a Dask
    worker) reuses the derivation and compiled code.
    """
    from symalign.numeric.batch.compiled import compile_game

    family = pgame.family  # the family itself (a frozen dataclass), not its label: custom families share "custom"
    try:
        hash(family)
    except TypeError:
        family = repr(family)
    key = (family, pgame.n_agents, tuple(pgame.groups),
           tuple(sorted((k, str(v)) for k, v in pgame.params.items())), str(X), str(Y))
    if key not in _COMPILED:
        if len(_COMPILED) >= 8:
            _COMPILED.pop(next(iter(_COMPILED)))
        # the path follows from the game's structure alone (aggregative games: "structured", no derivation)
        _COMPILED[key] = compile_game(pgame, [X, Y])
    return _COMPILED[key]


def sub_axis(axis: Axis, r0: int, r1: int) -> Axis:
    """Points ``r0 .. r1 - 1`` of ``axis`` as an axis of their own (exact ends).

    Examples
    --------
    >>> sub_axis(parse_axis("gamma=0:1:11"), 2, 5)
    Axis(name='gamma', start=1/5, stop=2/5, num=3)
    """
    step = (axis.stop - axis.start) / (axis.num - 1)
    return Axis(axis.name, axis.start + r0 * step, axis.start + (r1 - 1) * step, r1 - r0)

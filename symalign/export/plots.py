"""Phase diagrams of sweeps: heatmap plus derived exact boundaries.

Figures are drawn with Matplotlib's object API on an Agg canvas (no global
backend switch, no display needed) and written atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from symalign.errors import InputError
from symalign.analysis.exclusion import group_index
from symalign.io.atomic import atomic_output

__all__ = ["parse_color", "phase_diagram", "phase_figure", "subsidy_curve", "subsidy_figure", "axis_label", "exact_text",
           "figure_path", "save_figure", "identical_columns", "display_figure", "FIGURE_SUFFIXES"]

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
"""Formats of every figure symalign writes."""

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "kappa", "lambda", "mu", "nu", "xi",
          "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega"}


def axis_label(name: str, suffix: str = "") -> str:
    """Matplotlib label of a parameter: Greek names as Greek letters.

    Examples
    --------
    >>> axis_label("beta"), axis_label("c"), axis_label("gamma", "all agents")
    ('$\\\\beta$', '$c$', '$\\\\gamma$ (all agents)')
    """
    tex = f"$\\{name}$" if name in _GREEK else (f"${name}$" if name.isidentifier() and len(name) == 1 else name)
    return f"{tex} ({suffix})" if suffix else tex


def exact_text(value, digits: int = 4) -> str:
    """An exact number for a title: the rational, and its decimal when they differ.

    Examples
    --------
    >>> import sympy as sp
    >>> exact_text(sp.Rational(1, 32)), exact_text(sp.Rational(3, 4)), exact_text(sp.Integer(2))
    ('1/32 = 0.03125', '3/4 = 0.75', '2')
    """
    import sympy as sp

    from symalign.core.params import exact

    v = value if isinstance(value, sp.Basic) else exact(value)
    if v.is_Integer:
        return str(v)
    dec = f"{float(v):.{digits}g}"
    exact_decimal = v.is_Rational and sp.Rational(dec) == v
    return f"{v} {'=' if exact_decimal else '≈'} {dec}" if str(v) != dec else dec


def parse_color(text: str, game) -> tuple:
    """``"excluded"`` -> ``("excluded", None)``; ``"weight:GROUP"`` -> ``("weight", d)``.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment"), 2, ["left", "right"])
    >>> parse_color("weight:right", g)
    ('weight', 1)
    >>> parse_color("heat", g)
    Traceback (most recent call last):
    ...
    symalign.errors.InputError: --color='heat': expected 'excluded' or 'weight:GROUP' (groups: ['left', 'right'])
    """
    if text == "excluded":
        return ("excluded", None)
    if isinstance(text, str) and text.startswith("weight:"):
        name = text.split(":", 1)[1]
        try:
            return ("weight", group_index(game, name))
        except InputError:
            raise InputError("--color", text, f"unknown group {name!r}; groups are {list(game.groups)}") from None
    raise InputError("--color", text, f"expected 'excluded' or 'weight:GROUP' (groups: {list(game.groups)})")


def _extent(axis):
    v = axis.values
    h = (v[1] - v[0]) / 2
    return v[0] - h, v[-1] + h


def phase_diagram(result, path, *, color: str = "excluded", regions=(), title: str | None = None,
                  point=None, also=()) -> Path:
    """Draw the sweep as a heatmap with the derived boundaries on top; write it atomically.

    Parameters
    ----------
    result : SweepResult
    path : str or Path
        ``.png``, ``.pdf`` or ``.svg``.
    color : str
        ``"excluded"`` (number of excluded groups) or ``"weight:GROUP"``
        (population-average weight on a group).
    regions : sequence of ExclusionRegion
        Derived regions whose boundary segments (exact lines, drawn where
        the reduced support is valid) are overlaid.
    title : str, optional
    point : (x, y), optional
        A point to mark (e.g. the game's own parameter values).
    also : sequence of str
        More formats written beside ``path`` (e.g. ``(".pdf",)``: vector PDF alongside a PNG).
    """
    path = figure_path(path, "--out")
    fig = phase_figure(result, color=color, regions=regions, title=title, point=point)
    return save_figure(fig, path, also=also)


def phase_figure(result, *, color: str = "excluded", regions=(), title: str | None = None, point=None):
    """The :func:`phase_diagram` as a Matplotlib ``Figure`` (not written)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure
    import matplotlib

    kind, d = parse_color(color, result.game)
    game = result.game
    fig = display_figure(Figure(figsize=(7.2, 5.4), dpi=150))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    x0, x1 = _extent(result.x)
    y0, y1 = _extent(result.y)
    if kind == "excluded":
        data = np.ma.masked_less(result.excluded_count.astype(float), 0)
        top = max(int(result.excluded_count.max(initial=0)), 1)  # the scale spans the counts present
        base = matplotlib.colormaps["viridis"].resampled(top + 1)
        cmap = ListedColormap(base(np.arange(top + 1))).with_extremes(bad="lightgrey")
        norm = BoundaryNorm(np.arange(-0.5, top + 1.5), top + 1)
        im = ax.imshow(data, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", cmap=cmap, norm=norm,
                       interpolation="nearest")
        cb = fig.colorbar(im, ax=ax, ticks=range(top + 1))
        cb.set_label("groups excluded by every agent")
    else:
        data = np.ma.masked_invalid(result.mean_weight(d))
        cmap = matplotlib.colormaps["magma"].with_extremes(bad="lightgrey")
        lo, hi = (float(data.min()), float(data.max())) if data.count() else (0.0, 1.0)
        im = ax.imshow(data, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", cmap=cmap, interpolation="nearest",
                       vmin=lo, vmax=hi if hi > lo else lo + 1e-12)  # the values present
        cb = fig.colorbar(im, ax=ax)
        cb.set_label(f"mean weight on {game.groups[d]!r}")
    palette = matplotlib.colormaps["tab10"]
    labelled = set()
    for region in regions:
        d_r = region.group
        name = game.groups[d_r]
        if _draw_region(ax, region, palette(d_r % 10), None if d_r in labelled else f"{name} excluded: derived boundary"):
            labelled.add(d_r)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(axis_label(result.x.name, "all agents"))
    ax.set_ylabel(axis_label(result.y.name, "all agents"))
    ax.set_title(title or f"{game.family.label}: {game.n_agents} agents, {game.n_groups} groups", fontsize=10)
    if (~result.solved).any():
        ax.text(0.01, 0.99, "grey: concavity hypotheses fail\nor solver not converged", transform=ax.transAxes,
                ha="left", va="top", fontsize=7, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    if point is not None:
        own = f"{axis_label(result.x.name)} = {exact_text(point[0])}, {axis_label(result.y.name)} = {exact_text(point[1])}"
        ax.plot([float(point[0])], [float(point[1])], marker="*", ms=11, color="white", mec="black", ls="none",
                label=f"the game's own parameters ({own})")
    if regions or point is not None:
        handles, labels = ax.get_legend_handles_labels()
        if handles:  # below the axes, never over the data (the corner where a boundary meets gamma = 0)
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    return fig


def _draw_region(ax, region, colour, label) -> bool:
    """Exact boundary segments of ``region``, drawn where its reduced support is valid.

    Slacks that are not linear in the two parameters are drawn as the
    dashed zero contour of the derived condition evaluated on a fine grid
    (again only where the support is valid).  Returns whether anything was
    drawn with ``label``.
    """
    drawn = False
    for P, Q, _source in region.edges():
        t = np.linspace(0.0, 1.0, 400)
        X = float(P[0]) + t * (float(Q[0]) - float(P[0]))
        Y = float(P[1]) + t * (float(Q[1]) - float(P[1]))
        ok = region.valid(X, Y)
        if not ok.any():
            continue
        ax.plot(np.where(ok, X, np.nan), np.where(ok, Y, np.nan), color=colour, lw=1.8,
                label=None if drawn else label)
        drawn = True
    if region.nonlinear:
        (bx0, bx1), (by0, by1) = region.box
        gx, gy = np.meshgrid(np.linspace(float(bx0), float(bx1), 300), np.linspace(float(by0), float(by1), 300))
        inside = np.where(region.valid(gx, gy), region.contains(gx, gy).astype(float), np.nan)
        if np.nanmin(inside, initial=1) < 0.5 < np.nanmax(inside, initial=0):
            ax.contour(gx, gy, inside, levels=[0.5], colors=[colour], linestyles="dashed", linewidths=1.0)
    return drawn


def subsidy_curve(subsidy, *, points: int = 161, span=4):
    """``(s, W)``: subsidies from 0 to ``span * s*`` and each agent's equilibrium weight on the group (points x N).

    The steered game is compiled once with ``s`` symbolic (batch solver; NaN where a point did not converge).
    """
    import sympy as sp

    from symalign.analysis.steering import shift_attractiveness
    from symalign.numeric.batch.compiled import compile_game

    game, d = subsidy.game, subsidy.group
    if not game.is_numeric or not subsidy.amount.is_number:
        raise InputError("subsidy", subsidy, "needs a numeric game")
    s = sp.Symbol("s", nonnegative=True)
    compiled = compile_game(shift_attractiveness(game, {d: s}), [s])
    star = float(subsidy.amount)
    values = np.linspace(0.0, span * star if star > 0 else 1.0, points)
    res = compiled(values)
    W = np.asarray(res.weights)[:, :, d]
    return values, np.where(np.asarray(res.converged, dtype=bool)[:, None], W, np.nan)


def subsidy_figure(subsidy, path, *, points: int = 161, span=4, also=()) -> Path:
    """The effect of a subsidy: each agent's weight on the group as the subsidy grows past the threshold.

    The steered game (``a_{i,d} + s`` for every agent) is compiled once with
    ``s`` symbolic and solved on ``points`` values of ``s`` from 0 to
    ``span`` times the derived minimal subsidy ``s*`` (a dashed line, its
    exact value in the title).  Below ``s*`` every agent's weight is zero;
    past it the group is included.

    Parameters
    ----------
    subsidy : Subsidy
        From :func:`symalign.analysis.steering.minimal_subsidy` (numeric game).
    path : str or Path
        ``.png``, ``.pdf`` or ``.svg``.
    also : sequence of str
        More formats written beside ``path`` (e.g. ``(".pdf",)``).

    Returns
    -------
    Path
        The figure written (atomically).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = figure_path(path, "path")
    game, d = subsidy.game, subsidy.group
    values, W = subsidy_curve(subsidy, points=points, span=span)
    star, top = float(subsidy.amount), float(values[-1])
    fig = Figure(figsize=(6.4, 4.2), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for agents in identical_columns(W):  # agents with the same curve: one line, one combined label
        who = "agent" + ("s " if len(agents) > 1 else " ") + ", ".join(str(i + 1) for i in agents)
        ax.plot(values, W[:, agents[0]], lw=1.0, alpha=0.8, label=who)
    ax.plot(values, np.nanmean(W, axis=1), color="black", lw=2.4, label="population mean")
    ax.axvline(star, color="crimson", ls="--", lw=1.2, label="derived minimal subsidy $s^*$")
    ax.set_xlim(0, top)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"subsidy $s$ on the attractiveness of {game.groups[d]!r} (every agent)")
    ax.set_ylabel(f"equilibrium weight on {game.groups[d]!r}")
    ax.set_title(f"Steering: $s^* = $ {exact_text(subsidy.amount)} (exact); below it every agent excludes "
                 f"{game.groups[d]!r}", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # outside the data
    return save_figure(fig, path, also=also)


def figure_path(path, argument: str) -> Path:
    """``path`` as a Path if it ends in a figure format (:data:`FIGURE_SUFFIXES`), else InputError naming ``argument``."""
    path = Path(path)
    if path.suffix.lower() not in FIGURE_SUFFIXES:
        raise InputError(argument, str(path), f"the figure must end in one of {FIGURE_SUFFIXES}")
    return path


def display_figure(fig):
    """``fig`` made to show itself in Jupyter without ``%matplotlib inline`` (``_repr_png_``, ``_repr_svg_``).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = display_figure(Figure(figsize=(1, 1)))
    >>> fig._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    import io
    import types

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)

    def render(self, fmt):
        buf = io.BytesIO()
        self.savefig(buf, format=fmt, bbox_inches="tight", metadata={"Software": None} if fmt == "png" else None)
        return buf.getvalue()

    fig._repr_png_ = types.MethodType(lambda self: render(self, "png"), fig)
    fig._repr_svg_ = types.MethodType(lambda self: render(self, "svg").decode("utf-8"), fig)
    return fig


def identical_columns(W, atol: float = 1e-9) -> list:
    """Groups of column indices of ``W`` whose curves coincide (NaN equal to NaN), in order of first appearance.

    Curves within ``atol`` of each other everywhere are one curve on a figure
    (no plot resolves a smaller difference; the solver's rounding is about
    1e-15): they are drawn once, with a combined label, instead of hiding
    each other's colours.

    Examples
    --------
    >>> identical_columns(np.array([[0.0, 1.0, 0.0], [np.nan, 2.0, np.nan]]))
    [[0, 2], [1]]
    """
    W = np.asarray(W, dtype=float)
    groups = []
    for i in range(W.shape[1]):
        for g in groups:
            if np.allclose(W[:, g[0]], W[:, i], rtol=0.0, atol=atol, equal_nan=True):
                g.append(i)
                break
        else:
            groups.append([i])
    return groups


def save_figure(fig, path: Path, *, also=()) -> Path:
    """Write ``fig`` atomically in the format of ``path``'s suffix, without date or software stamps.

    ``also`` names more suffixes written beside ``path`` (same stem).  The
    bytes depend only on the figure: no timestamps, a fixed SVG hash salt.
    """
    import matplotlib

    targets = [path] + [figure_path(path.with_suffix(sfx), "also") for sfx in also]
    with matplotlib.rc_context({"svg.hashsalt": "symalign", "pdf.compression": 6}):
        for target in dict.fromkeys(targets):
            with atomic_output(target) as tmp:
                fig.savefig(tmp, format=target.suffix.lower().lstrip("."), bbox_inches="tight",
                            metadata=_metadata(target))
    return path


def _metadata(path):
    """No software/date stamps in PNG, PDF and SVG files (reproducible bytes)."""
    suffix = path.suffix.lower()
    return {"Software": None} if suffix == ".png" else \
        ({"CreationDate": None, "Producer": None, "Creator": None} if suffix == ".pdf" else {"Date": None, "Creator": None})

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

__all__ = ["parse_color", "phase_diagram"]

_FORMATS = (".png", ".pdf", ".svg")


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
                  point=None) -> Path:
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
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure
    import matplotlib

    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise InputError("--out", str(path), f"the figure must end in one of {_FORMATS}")
    kind, d = parse_color(color, result.game)
    game = result.game
    fig = Figure(figsize=(7.2, 5.4), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    x0, x1 = _extent(result.x)
    y0, y1 = _extent(result.y)
    if kind == "excluded":
        data = np.ma.masked_less(result.excluded_count.astype(float), 0)
        D = game.n_groups
        base = matplotlib.colormaps["viridis"].resampled(D + 1)
        cmap = ListedColormap(base(np.arange(D + 1))).with_extremes(bad="lightgrey")
        norm = BoundaryNorm(np.arange(-0.5, D + 1.5), D + 1)
        im = ax.imshow(data, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", cmap=cmap, norm=norm,
                       interpolation="nearest")
        cb = fig.colorbar(im, ax=ax, ticks=range(D + 1))
        cb.set_label("groups excluded by every agent")
    else:
        data = np.ma.masked_invalid(result.mean_weight(d))
        cmap = matplotlib.colormaps["magma"].with_extremes(bad="lightgrey")
        im = ax.imshow(data, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", cmap=cmap, interpolation="nearest")
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
    ax.set_xlabel(f"{result.x.name} (all agents)")
    ax.set_ylabel(f"{result.y.name} (all agents)")
    ax.set_title(title or f"{game.family.label}: {game.n_agents} agents, {game.n_groups} groups", fontsize=10)
    if (~result.solved).any():
        ax.text(0.01, 0.99, "grey: concavity hypotheses fail\nor solver not converged", transform=ax.transAxes,
                ha="left", va="top", fontsize=7, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    if point is not None:
        ax.plot([float(point[0])], [float(point[1])], marker="*", ms=11, color="white", mec="black", ls="none",
                label="the game's own parameters")
    if regions or point is not None:
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(fontsize=7, loc="upper right", framealpha=0.85)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lower().lstrip("."), bbox_inches="tight")
    return path


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

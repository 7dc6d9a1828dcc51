"""Figure of a verification campaign: distributions of KKT residuals and deviation gains."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from symalign.export.plots import figure_path, save_figure

__all__ = ["campaign_figure"]

def campaign_figure(result, path) -> Path:
    """Histograms of log10 residual and log10 deviation gain (zeros at the floor), written atomically.

    Parameters
    ----------
    result : CampaignResult
    path : str or Path
        ``.png``, ``.pdf`` or ``.svg``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = figure_path(path, "--figure")
    floor = 1e-18
    fig = Figure(figsize=(9, 3.6), dpi=120)
    FigureCanvasAgg(fig)
    s = result.summary()
    for k, (col, label) in enumerate((("residual", "natural KKT residual (solver's check)"),
                                      ("deviation_gain", "best deviation gain (independent check)"))):
        ax = fig.add_subplot(1, 2, k + 1)
        v = np.asarray(result.table[col], float)
        v = v[np.isfinite(v)]
        logs = np.log10(np.maximum(v, floor))
        ax.hist(logs, bins=60, range=(-18, max(-6, float(logs.max()) + 0.5) if logs.size else -6), color="C0")
        ax.axvline(np.log10(result.threshold), color="C3", ls="--", lw=1, label=f"threshold {result.threshold:g}")
        ax.set_yscale("log")
        ax.set_xlabel(f"log10 {label}\n(values below 1e-18 at -18)", fontsize=8)
        ax.set_ylabel("games")
        ax.legend(fontsize=7)
    fig.suptitle(f"{s['games']:,} random {s['variant']} games, N = {s['agents']}, D = {s['groups']}: "
                 f"max gain {s['max_deviation_gain']:.2g}, failures {s['failures']}, {s['seconds']:.0f} s ({s['engine']})",
                 fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path)

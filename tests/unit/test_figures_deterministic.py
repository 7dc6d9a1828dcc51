"""Figures and the report are byte-for-byte deterministic, legends stay off the data, identical curves are merged.

The figure builders run twice on the same inputs and the bytes of every
format (PNG, vector PDF, SVG) must be equal; the report is built twice from
the same results and must be the same text.
"""

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family, minimal_subsidy
from symalign.analysis.regions import exclusion_region
from symalign.analysis.sweep import parse_axis, sweep
from symalign.export.plots import identical_columns, phase_diagram, phase_figure, subsidy_figure
from symalign.io.gamefile import load_game
from symalign.io.resources import example


@pytest.fixture(scope="module")
def small():
    game = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
                       a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    result = sweep(game, parse_axis("beta=1:2:6"), parse_axis("gamma=0:1.2:6"), use_batch=False)
    region = exclusion_region(game, "z", "beta", "gamma", ((1, 2), (0, sp.Rational(6, 5))))
    return game, result, [region]


def test_phase_diagram_bytes_are_identical_across_runs_in_every_format(small, tmp_path):
    _, result, regions = small
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        phase_diagram(result, tmp_path / run / "phase.png", regions=regions, point=(1, 0), also=(".pdf", ".svg"))
    for suffix in (".png", ".pdf", ".svg"):
        a, b = (tmp_path / run / f"phase{suffix}" for run in ("a", "b"))
        assert a.read_bytes() == b.read_bytes(), suffix
    pdf = (tmp_path / "a" / "phase.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf and b"Matplotlib" not in pdf
    svg = (tmp_path / "a" / "phase.svg").read_text()
    assert "<dc:date>" not in svg


def test_phase_legend_is_outside_the_data(small):
    _, result, regions = small
    fig = phase_figure(result, regions=regions, point=(1, 0))
    ax = fig.axes[0]
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    axes = ax.get_window_extent()
    assert legend.y1 <= axes.y0  # entirely below the plotting area


def test_identical_curves_are_merged_with_a_combined_label(tmp_path):
    assert identical_columns(np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.2]])) == [[0, 1], [2]]
    assert identical_columns(np.array([[np.nan, np.nan], [1.0, 1.0]])) == [[0, 1]]
    assert identical_columns(np.array([[0.0, 1e-12]])) == [[0, 1]]  # below any plot's resolution: one curve
    assert identical_columns(np.array([[0.0, 1e-6]])) == [[0], [1]]
    # two agents with the same parameters have the same curve: one line labelled with both (1-based)
    game = Game.create(get_family("active_alignment"), 3, ["x", "y", "z"], alpha=1, beta=1, gamma="1/10",
                       a=[[1, "1/2", 0], [1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2]] * 3)
    sub = minimal_subsidy(game, "z")
    path = subsidy_figure(sub, tmp_path / "s.png", points=21, also=(".pdf",))
    assert path.exists() and path.with_suffix(".pdf").exists()


def test_subsidy_figure_labels(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    seen = {}
    real = Figure.savefig

    def spy(self, *a, **k):
        ax = self.axes[0]
        seen["labels"] = [t.get_text() for t in ax.get_legend().get_texts()]
        self.canvas.draw()
        seen["outside"] = ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1
        return real(self, *a, **k)

    monkeypatch.setattr(Figure, "savefig", spy)
    game = Game.create(get_family("active_alignment"), 3, ["x", "y", "z"], alpha=1, beta=1, gamma="1/10",
                       a=[[1, "1/2", 0], [1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2]] * 3)
    subsidy_figure(minimal_subsidy(game, "z"), tmp_path / "s.png", points=21)
    assert seen["labels"][:2] == ["agents 1, 2", "agent 3"] and seen["outside"]


def test_subsidy_figure_bytes_are_identical_across_runs(tmp_path):
    sub = minimal_subsidy(load_game(example("exclusion_4x3.toml")), "right")
    a = subsidy_figure(sub, tmp_path / "a.png", points=21, also=(".pdf",))
    b = subsidy_figure(sub, tmp_path / "b.png", points=21, also=(".pdf",))
    assert a.read_bytes() == b.read_bytes()
    assert a.with_suffix(".pdf").read_bytes() == b.with_suffix(".pdf").read_bytes()

"""Figures a referee accepts: Greek labels, the colour scale of the values present, exact values,
a subsidy figure that shows the effect, boundaries derived for every support."""

import numpy as np
import pytest
import sympy as sp

from symalign import Game, get_family, minimal_subsidy
from symalign.analysis.regions import exclusion_region
from symalign.analysis.sweep import parse_axis, sweep
from symalign.export.plots import axis_label, exact_text, phase_figure, subsidy_curve, subsidy_figure
from symalign.io.gamefile import load_game
from symalign.io.resources import example


@pytest.fixture(scope="module")
def small():
    game = Game.create(get_family("active_alignment"), 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0,
                       a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    return game, sweep(game, parse_axis("beta=1:2:6"), parse_axis("gamma=0:1.2:6"), use_batch=False)


def test_axis_labels_are_greek_and_values_exact():
    assert axis_label("beta", "all agents") == r"$\beta$ (all agents)"
    assert exact_text(sp.Rational(1, 32)) == "1/32 = 0.03125" and exact_text(sp.Rational(1, 3)) == "1/3 ≈ 0.3333"
    assert exact_text(0.1) == "1/10 = 0.1"


def test_phase_figure_scale_spans_the_counts_present(small):
    game, result = small
    assert result.excluded_count.max() == 1
    fig = phase_figure(result, point=(sp.Rational(3, 2), sp.Rational(2, 5)))
    ax, cbar = fig.axes
    assert ax.get_xlabel() == r"$\beta$ (all agents)" and ax.get_ylabel() == r"$\gamma$ (all agents)"
    assert list(cbar.get_yticks()) == [0, 1]  # not 0..D
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("3/2 = 1.5" in t and "2/5 = 0.4" in t for t in labels)
    fig = phase_figure(result, color="weight:z")
    lo, hi = fig.axes[0].images[0].get_clim()
    present = result.mean_weight("z")
    assert (lo, hi) == (np.nanmin(present), np.nanmax(present))


def test_every_support_region_draws_its_part_of_the_boundary(small):
    game, result = small
    supports = result.excluded_supports("z")
    assert supports
    regions = [exclusion_region(game, "z", "beta", "gamma", ((1, 2), (0, sp.Rational(6, 5))), support=s)
               for s in supports]
    fig = phase_figure(result, regions=regions)
    lines = [ln for ln in fig.axes[0].get_lines() if np.isfinite(np.asarray(ln.get_xdata(), dtype=float)).any()]
    assert lines


def test_subsidy_curve_shows_the_threshold(tmp_path):
    game = load_game(example("exclusion_4x3.toml"))
    sub = minimal_subsidy(game, "right")
    s, W = subsidy_curve(sub, points=81)
    star = float(sub.amount)
    below, above = s < star * 0.99, s > star * 1.05
    assert np.isfinite(W).all()
    assert np.allclose(W[below], 0, atol=1e-9)  # excluded by every agent below s*
    assert (W[above].max(axis=1) > 1e-6).all()  # included past it
    assert np.all(np.diff(W[above].mean(axis=1)) >= -1e-12)  # and gains weight as s grows
    path = subsidy_figure(sub, tmp_path / "subsidy.png")
    assert path.stat().st_size > 10_000

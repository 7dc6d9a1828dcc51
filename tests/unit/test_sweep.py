"""Sweeps, exact regions and phase diagrams; the exclusion / steer / sweep commands."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from symalign import Game, get_family
from symalign.cli.app import main
from symalign.errors import InputError
from symalign.export.plots import parse_color, phase_diagram
from symalign.analysis.regions import exclusion_region
from symalign.verify.smt import prove
from symalign.analysis.sweep import check_axis, parse_axis, sweep, write_grid


def _game(variant):
    return Game.create(get_family("active_alignment", variant), 3, ["l", "c", "r"], alpha=1, beta=1, gamma=0,
                       a=[[0.5, 0.4, 0.1], [0.4, 0.5, 0.1], [0.45, 0.45, 0.05]],
                       p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2], [0.35, 0.45, 0.2]])


def _crossed(region, gx, gy, hx, hy):
    """Cells whose corners fall on both sides of some derived boundary line."""
    out = np.zeros(gx.shape, dtype=bool)
    for h in region.halfplanes:
        signs = [h.contains(gx + sx * hx, gy + sy * hy) for sx in (-1, 1) for sy in (-1, 1)]
        out |= np.any(signs, axis=0) & ~np.all(signs, axis=0)
    return out


@pytest.mark.parametrize("variant, y_axis, batch", [
    ("overlap", "gamma=0:0.8:16", False),
    ("distance", "gamma=0:0.3:12", False),
    ("overlap", "gamma=0:0.8:40", True),  # the batch solver (symalign.numeric.batch.compiled)
])
def test_boundary_agrees_with_grid(variant, y_axis, batch):
    """Every cell the derived boundary does not cross has the derived exclusion state."""
    game = _game(variant)
    x, y = parse_axis("beta=0.6:2:" + ("40" if batch else "16")), parse_axis(y_axis)
    result = sweep(game, x, y, use_batch=batch)
    assert result.method.startswith("batch") is batch
    assert result.admissible.all() and result.converged.all()
    gx, gy = np.meshgrid(x.values, y.values)
    hx, hy = (x.values[1] - x.values[0]) / 2, (y.values[1] - y.values[0]) / 2
    box = ((x.start, x.stop), (y.start, y.stop))
    region = exclusion_region(game, "r", "beta", "gamma", box)
    assert region.exact and not region.nonlinear
    # the reduced game stays interior over the whole box (not only the polygon): the polygon is the whole story
    hyps = [region.x >= box[0][0], region.x <= box[0][1], region.y >= box[1][0], region.y <= box[1][1]]
    assert prove(hyps, sp.And(*region.validity), timeout=20).status == "proved"
    predicted = region.contains(gx, gy)
    keep = ~_crossed(region, gx, gy, hx, hy)
    assert keep.sum() >= 0.6 * keep.size
    assert (predicted[keep] == result.excluded[..., 2][keep]).all()
    assert predicted[keep].any() and not predicted[keep].all()  # both sides of the boundary are present
    assert (result.excluded_count == result.excluded[..., 2]).all()  # l and c are never excluded here
    if variant == "distance":  # no diversity weight cures exclusion: the boundary is vertical
        assert all(h.b == 0 for h in region.halfplanes if h.source != "hypothesis")


def test_region_polygon_is_exact():
    game = _game("overlap")
    region = exclusion_region(game, "r", "beta", "gamma", ((sp.Rational(1, 2), 2), (0, sp.Rational(4, 5))))
    # slack lines: T4's gamma <= alpha (D-1)(abar_{i,-d} - a_{i,d}) - D beta p_{i,d}, alpha = 1, D = 3, d = r
    A, P = game.param("a"), game.param("p")
    for i, h in enumerate(region.halfplanes):
        assert h.source == f"agent {i + 1}"
        assert (h.a, h.b, h.c) == (3 * P[i, 2], 1, 2 * ((A[i, 0] + A[i, 1]) / 2 - A[i, 2]))
    assert region.exact and region.validity_status == "proved"
    verts = region.polygon
    assert all(v[0].is_Rational and v[1].is_Rational for v in verts)
    for v in verts:  # every vertex satisfies every half-plane exactly
        assert all(h.a * v[0] + h.b * v[1] <= h.c for h in region.halfplanes)
    assert region.edges()


def test_parse_axis_errors():
    assert parse_axis("beta=1/10:5:400").start == sp.Rational(1, 10)
    for text, needle in [("beta=5:1:10", "empty or inverted"), ("beta=1:1:10", "empty or inverted"),
                         ("beta=0:1:1", "at least 2"), ("beta=0:x:4", "not a number"), ("beta 0:1:4", "NAME=START"),
                         ("beta=0:1:2.5", "not an integer")]:
        with pytest.raises(InputError, match=needle):
            parse_axis(text, "--x")


def test_check_axis_errors():
    game = _game("overlap")
    with pytest.raises(InputError, match="not a parameter"):
        check_axis(game, parse_axis("delta=0:1:3"))
    with pytest.raises(InputError, match="vector parameter"):
        check_axis(game, parse_axis("a=0:1:3"))
    with pytest.raises(InputError, match="> 0"):
        check_axis(game, parse_axis("beta=0:1:3"))
    with pytest.raises(InputError, match=">= 0"):
        check_axis(game, parse_axis("gamma=-1:1:3"))
    with pytest.raises(InputError, match="unknown group"):
        parse_color("weight:centre", game)


def test_outputs_are_written_atomically(tmp_path):
    game = _game("overlap")
    result = sweep(game, parse_axis("beta=0.5:2:5"), parse_axis("gamma=0:0.8:4"), use_batch=False)
    for name in ("grid.csv", "grid.npz"):
        write_grid(result, tmp_path / name)
    png = phase_diagram(result, tmp_path / "fig.png", color="weight:r")
    assert png.stat().st_size > 1000
    assert sorted(os.listdir(tmp_path)) == ["fig.png", "grid.csv", "grid.npz"]  # no temporary files left
    data = np.load(tmp_path / "grid.npz")
    assert data["weights"].shape == (4, 5, 3, 3) and (data["excluded_count"] == result.excluded_count).all()
    rows = (tmp_path / "grid.csv").read_text().splitlines()
    assert rows[0].startswith("beta,gamma,") and len(rows) == 1 + 20
    with pytest.raises(InputError, match=r"\.csv, \.npz, \.nc, \.parquet"):
        write_grid(result, tmp_path / "grid.txt")
    with pytest.raises(InputError, match="directory does not exist"):
        write_grid(result, tmp_path / "missing" / "grid.csv")


GAME = """title = "three agents"
agents = 3
groups = ["l", "c", "r"]
family = "active_alignment"
variant = "overlap"
[parameters]
alpha = 1
beta = 1
gamma = 0.05
a = [[0.5, 0.4, 0.1], [0.4, 0.5, 0.1], [0.45, 0.45, 0.05]]
p = [[0.4, 0.4, 0.2], [0.4, 0.4, 0.2], [0.35, 0.45, 0.2]]
"""


@pytest.fixture
def game_file(tmp_path):
    f = tmp_path / "g.toml"
    f.write_text(GAME)
    return f


def test_cli_exclusion_and_steer(game_file):
    runner = CliRunner()
    res = runner.invoke(main, ["exclusion", str(game_file), "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["group"]: r for r in json.loads(res.output)["groups"]}
    assert rows["r"]["excluded"] is True and rows["l"]["excluded"] is False
    assert rows["r"]["threshold"]["excluded_iff"].startswith("gamma <=")
    assert rows["r"]["minimal_subsidy"]["check"]["passed"]
    res = runner.invoke(main, ["steer", str(game_file), "--include", "r"])
    assert res.exit_code == 0, res.output
    assert "minimal subsidy" in res.output and "check (passed)" in res.output
    res = runner.invoke(main, ["steer", str(game_file), "--target", "1/3,1/3,1/3", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["check"]["passed"]


@pytest.mark.parametrize("args, needle", [
    (["exclusion", "{f}"], None),
    (["steer", "{f}"], "exactly one"),
    (["steer", "{f}", "--include", "centre"], "unknown group"),
    (["steer", "{f}", "--target", "0.5,0.6,0"], "simplex"),
    (["steer", "{f}", "--target", "0.5,0.5"], "expected 3 values"),
    (["sweep", "{f}", "--x", "beta=2:1:5", "--y", "gamma=0:1:5", "--out", "{d}/o.png"], "empty or inverted"),
    (["sweep", "{f}", "--x", "zeta=1:2:5", "--y", "gamma=0:1:5", "--out", "{d}/o.png"], "not a parameter"),
    (["sweep", "{f}", "--x", "beta=1:2:5", "--y", "beta=0:1:5", "--out", "{d}/o.png"], "must differ"),
    (["sweep", "{f}", "--x", "beta=1:2:5", "--y", "gamma=0:1:5", "--out", "{d}/o.jpg"], ".png"),
    (["sweep", "{f}", "--x", "beta=1:2:5", "--y", "gamma=0:1:5", "--out", "{d}/o.png", "--color", "weight:q"], "unknown group"),
])
def test_cli_bad_input_one_line(game_file, args, needle):
    args = [a.format(f=game_file, d=game_file.parent) for a in args]
    res = CliRunner().invoke(main, args)
    if needle is None:  # the text report of a valid game
        assert res.exit_code == 0, res.output
        assert "\nr: EXCLUDED" in res.output and "threshold: excluded iff gamma <=" in res.output, res.output
        return
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("symalign: error:") and needle in lines[0], res.output


def test_cli_unreachable_target_exits_1(tmp_path):
    f = tmp_path / "h.toml"
    f.write_text('agents = 2\ngroups = ["x", "y"]\nfamily = "active_alignment"\n[parameters]\nalpha = 1\nbeta = 1\n'
                 'gamma = 0.5\na = [[1, 0], [0, 0]]\np = [0.5, 0.5]\n')
    res = CliRunner().invoke(main, ["steer", str(f), "--target", "0.4,0.6"])
    assert res.exit_code == 1 and "unreachable" in res.output


def test_cli_sweep_writes_figure_and_grid(game_file, tmp_path):
    out, data = tmp_path / "phase.png", tmp_path / "grid.csv"
    res = CliRunner().invoke(main, ["sweep", str(game_file), "--x", "beta=0.5:2:8", "--y", "gamma=0:0.8:6",
                                    "--out", str(out), "--data", str(data)])
    assert res.exit_code == 0, res.output
    assert "computing 48 equilibria" in res.output
    lines = data.read_text().splitlines()  # the provenance comment, the header, 48 rows
    assert out.stat().st_size > 1000 and len(lines) == 50 and lines[0].startswith("# symalign-provenance: ")


def test_refuted_boundary_carries_an_exact_counterexample_inside_the_polygon():
    """The exact screen before Z3: a refutation comes with a rational point of the polygon
    where a validity condition of the reduced support fails, re-checked here independently."""
    import sympy as sp
    from symalign.analysis.regions import exclusion_region, failing_point
    from symalign.io.gamefile import load_game
    from symalign.io.resources import example

    g = load_game(example("social_media.toml"))
    r = exclusion_region(g, "right", "beta", "gamma", (("1/10", 5), (0, 5)))
    assert r.validity_status == "refuted" and r.counterexample is not None
    at = {r.x: r.counterexample[0], r.y: r.counterexample[1]}
    assert any(sp.sympify(c, strict=True).xreplace(at) == sp.false for c in r.validity)
    assert all(h.relation(r.x, r.y).xreplace(at) == sp.true for h in r.halfplanes)  # inside the polygon
    # the screen proves nothing when every sampled point satisfies the relations
    assert failing_point([r.x + r.y <= 100], r.x, r.y, r.polygon) is None


def test_compiled_sweep_games_of_two_custom_utilities_are_not_shared():
    """The per-process cache must tell apart custom families that share the label "custom"."""
    from symalign.analysis.inputs import free_parameters
    from symalign.analysis.sweep import compiled_sweep_game
    from symalign.core.families.custom import CustomFamily
    from symalign.core.params import ParamSpec

    specs = (ParamSpec("a", "vector"), ParamSpec("b", "scalar"), ParamSpec("c", "scalar"))
    out = []
    for curvature in ("1", "2"):  # utility a.w + b w_1 - c w_2 - |w|^2 * curvature / 2
        fam = CustomFamily(f"sum(w[d]*a[d], d) + b*w[0] - c*w[1] - {curvature}*sum(w[d]**2, d)/2", specs)
        g = Game.create(fam, 1, 2, a=[0, 0], b=0, c=0)
        pg, _ = free_parameters(g, ["b", "c"], shift=False)
        X, Y = (next(s for s in pg.free_symbols() if s.name == n) for n in ("b", "c"))
        out.append(compiled_sweep_game(pg, X, Y)(np.array([0.5]), np.array([0.0])).weights[0, 0])
    # one agent, two groups: w = proj((b, -c) / curvature) on the simplex, derived here by hand
    for curvature, w in zip((1, 2), out):
        g1 = 0.5 / curvature
        expected = np.array([min(1.0, (1 + g1) / 2), 1 - min(1.0, (1 + g1) / 2)])
        assert np.allclose(w, expected, atol=1e-9), (curvature, w)

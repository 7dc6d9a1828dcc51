"""Campaigns and Dask: random games solved by the compiled solver, checked by the independent deviation route."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from symalign.analysis import campaign as cp
from symalign.analysis.sweep import parse_axis, sub_axis, sweep
from symalign.cli.app import main
from symalign.errors import InputError
from symalign.io.gamefile import load_game
from symalign.numeric.solve import solve
from symalign import Game, get_family


def test_deviation_gain_detects_a_non_equilibrium_and_passes_the_solved_one():
    rng = np.random.default_rng(5)
    P = cp.draw_parameters(rng, 50, 3, 4)
    compiled = cp.compiled_family(3, 4)
    res = compiled(*cp._arguments(compiled, P))
    assert res.converged.all()
    assert cp.deviation_gains(P, res.weights).max() < 1e-9
    W = res.weights.copy()
    W[:, 0] = np.eye(4)[np.argmin(W[:, 0], axis=1)]  # agent 1 moves all weight to its worst group
    assert (cp.deviation_gains(P, W) > 1e-3).all()


def test_campaign_games_agree_with_the_exact_solver():
    """A drawn game rebuilt exactly: symalign.solve's exact equilibrium equals the compiled batch answer."""
    rng = np.random.default_rng([0, 0])
    P = cp.draw_parameters(rng, 3, 2, 3)
    compiled = cp.compiled_family(2, 3)
    res = compiled(*cp._arguments(compiled, P))
    from fractions import Fraction

    for k in range(3):
        q = lambda x: str(Fraction(float(x)))  # noqa: E731  exact value of the float drawn
        prior = [[Fraction(float(v)) for v in r[:-1]] for r in P["p"][k]]
        prior = [[str(v) for v in r] + [str(1 - sum(r))] for r in prior]  # exactly on the simplex
        g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y", "z"],
                        alpha=[q(v) for v in P["alpha"][k]], beta=[q(v) for v in P["beta"][k]],
                        gamma=[q(v) for v in P["gamma"][k]], a=[[q(v) for v in r] for r in P["a"][k]],
                        p=prior)
        eq = solve(g).equilibria[0]
        assert eq.exact and np.allclose(eq.as_array(), res.weights[k], atol=1e-9)


def test_campaign_local_and_errors():
    r = cp.campaign(600, 2, 3, chunk=250, seed=3)
    assert r.n_games == 600 and r.passed and r.summary()["failures"] == 0
    again = cp.campaign(600, 2, 3, chunk=250, seed=3)
    assert np.array_equal(r.table["deviation_gain"], again.table["deviation_gain"])  # reproducible by seed
    with pytest.raises(InputError, match="variant"):
        cp.campaign(10, 2, 3, variant="entropic")
    with pytest.raises(InputError, match="games"):
        cp.campaign(0, 2, 3)


def test_campaign_on_a_local_cluster_with_two_workers(tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq
    from symalign.analysis.distributed import dask_client, sweep_distributed, write_table

    with dask_client(workers=2, processes=False) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        r = cp.campaign(2000, 2, 3, chunk=500, seed=1, client=client)
        g = load_game("examples/exclusion_4x3.toml")
        x, y = parse_axis("beta=0.5:2:12"), parse_axis("gamma=0:1:10")
        dist = sweep_distributed(g, x, y, client, blocks=3)
    local = cp.campaign(2000, 2, 3, chunk=500, seed=1)
    assert r.summary()["engine"] == "dask" and r.passed
    assert np.array_equal(r.table["deviation_gain"], local.table["deviation_gain"])
    ref = sweep(g, x, y)
    assert dist.weights.shape == ref.weights.shape and dist.converged.all()
    assert np.allclose(dist.weights, ref.weights, atol=1e-9)
    write_table(r.table, tmp_path / "c.parquet")
    t = pq.read_table(tmp_path / "c.parquet")
    assert t.num_rows == 2000 and set(cp.COLUMNS) <= set(t.column_names)


def test_sub_axis_values_are_the_parent_rows():
    y = parse_axis("gamma=0:1.5:31")
    assert np.allclose(np.concatenate([sub_axis(y, 0, 10).values, sub_axis(y, 10, 31).values]), y.values)


def test_campaign_command(tmp_path):
    out = CliRunner().invoke(main, ["campaign", "--games", "300", "--agents", "2", "--groups", "3", "--local",
                                    "--json", "--figure", str(tmp_path / "c.png")])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout[out.stdout.index("{"):])
    assert summary["passed"] and summary["games"] == 300 and (tmp_path / "c.png").stat().st_size > 0
    assert b"Software" not in (tmp_path / "c.png").read_bytes()  # written by save_figure: no software stamp
    bad = CliRunner().invoke(main, ["campaign", "--games", "10", "--local", "--out", str(tmp_path / "c.csv")])
    assert bad.exit_code == 2 and "parquet" in bad.output


# ------------------------------------------------------------------ games from the Hypothesis strategies


def test_hypothesis_source_is_reproducible_and_explores_edge_cases():
    from symalign.analysis.campaign_sources import hypothesis_parameters

    a, b = hypothesis_parameters(4, 0, 60, 3, 3), hypothesis_parameters(4, 0, 60, 3, 3)
    other = hypothesis_parameters(4, 1, 60, 3, 3)
    assert all(np.array_equal(a[k], b[k]) for k in a)  # the chunk is reproducible from (seed, chunk)
    assert not all(np.array_equal(a[k], other[k]) for k in a)
    assert (a["p"] == 0).any() and (a["gamma"] == 0).any()  # priors on faces, no diversity term: edge cases
    assert np.allclose(a["p"].sum(-1), 1) and (a["beta"] > 0).all()
    # monotone by construction (gamma_i < min_j beta_j), so each game has one equilibrium
    assert (a["gamma"] < a["beta"].min(axis=1, keepdims=True)).all()


def test_hypothesis_games_solved_by_the_batch_agree_with_the_exact_solver():
    from fractions import Fraction

    from symalign.analysis.campaign_sources import hypothesis_parameters

    P = hypothesis_parameters(2, 0, 40, 2, 3)
    compiled = cp.compiled_family(2, 3)
    res = compiled(*cp._arguments(compiled, P))
    assert res.converged.all()
    q = lambda x: str(Fraction(float(x)).limit_denominator(1000))  # noqa: E731  the strategies' small denominators
    for k in range(0, 40, 8):
        g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y", "z"],
                        **{n: [q(v) for v in P[n][k]] for n in ("alpha", "beta", "gamma")},
                        a=[[q(v) for v in r] for r in P["a"][k]], p=[[q(v) for v in r] for r in P["p"][k]])
        eq = solve(g).equilibria[0]
        assert eq.certified and np.allclose(eq.as_array(), res.weights[k], atol=1e-9)


def test_campaign_from_hypothesis_locally_on_dask_and_from_the_cli():
    r = cp.campaign(120, 2, 3, chunk=60, seed=5, source="hypothesis")
    assert r.passed and r.summary()["source"] == "hypothesis" and r.n_games == 120
    pytest.importorskip("distributed")
    from symalign.analysis.distributed import dask_client

    with dask_client(workers=2, processes=False) as client:
        d = cp.campaign(120, 2, 3, chunk=60, seed=5, source="hypothesis", client=client)
    assert d.summary()["engine"] == "dask" and np.array_equal(d.table["deviation_gain"], r.table["deviation_gain"])
    out = CliRunner().invoke(main, ["campaign", "--games", "50", "--agents", "2", "--groups", "3", "--local",
                                    "--source", "hypothesis", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout[out.stdout.index("{"):])["source"] == "hypothesis"
    with pytest.raises(InputError, match="source"):
        cp.campaign(10, 2, 3, source="nope")


def test_campaign_table_as_a_zarr_store(tmp_path):
    zarr = pytest.importorskip("zarr")
    from symalign.analysis.distributed import write_table

    r = cp.campaign(300, 2, 3, chunk=100, seed=2)
    store = tmp_path / "c.zarr"
    for _ in range(2):  # a store written by symalign is replaced whole by the next run
        write_table(r.table, store)
    g = zarr.open_group(str(store), mode="r")
    assert set(cp.COLUMNS) <= set(g.array_keys())
    for c in cp.COLUMNS:
        assert np.array_equal(g[c][:], r.table[c], equal_nan=c in ("residual", "deviation_gain"))
    foreign = tmp_path / "mine.zarr"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    out = CliRunner().invoke(main, ["campaign", "--games", "10", "--agents", "2", "--groups", "3", "--local",
                                    "--out", str(foreign)])
    assert out.exit_code == 2 and "refusing" in out.output and (foreign / "keep.txt").exists()
    with pytest.raises(InputError, match="must end in"):
        write_table(r.table, tmp_path / "c.csv")


def test_a_converged_game_whose_check_gave_nan_is_a_failure():
    from symalign.analysis.campaign import CampaignResult

    table = {"chunk": np.zeros(3, np.int64), "index": np.arange(3), "converged": np.array([True, True, False]),
             "stage": np.zeros(3, np.int64), "residual": np.zeros(3),
             "deviation_gain": np.array([0.0, np.nan, np.nan])}
    r = CampaignResult(table, 2, 3, "overlap", 0, 1.0, "here")
    assert r.failures == 2 and not r.passed

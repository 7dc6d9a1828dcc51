"""Sweep grids as data: CSV by the csv module (pandas reads it back), DataFrame, xarray Dataset, NetCDF."""

import csv
import importlib.util

import numpy as np
import pytest

from symalign import Game, get_family
from symalign.analysis.griddata import columns, write_grid
from symalign.analysis.sweep import parse_axis, sweep
from symalign.errors import OptionalDependencyError

HAS_PANDAS = importlib.util.find_spec("pandas") is not None
HAS_XARRAY = importlib.util.find_spec("xarray") is not None


@pytest.fixture(scope="module")
def result():
    game = Game.create(get_family("active_alignment"), 2, ["left", "centre", "right"], alpha=1, beta=1, gamma=0,
                       a=[[1, "1/2", 0], ["1/2", 1, 0]], p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    return sweep(game, parse_axis("beta=1:2:3"), parse_axis("gamma=0:1.2:4"), use_batch=False)


def test_csv_headers_are_quoted_and_every_row_has_every_field(result, tmp_path):
    path = write_grid(result, tmp_path / "g.csv")
    text = path.read_text()
    assert '"w[0,left]"' in text.splitlines()[0]  # a comma inside a name is quoted
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == columns(result) and len(rows) == 1 + 12
    assert {len(r) for r in rows} == {len(rows[0])}
    # values round-trip: weights exactly as floats, flags as booleans
    k = rows[0].index("w[1,right]")
    assert [float(r[k]) for r in rows[1:]] == result.weights[..., 1, 2].reshape(-1).tolist()
    assert {r[rows[0].index("converged")] for r in rows[1:]} <= {"True", "False"}


@pytest.mark.skipif(not HAS_PANDAS, reason="pandas not installed (symalign[data])")
def test_pandas_reads_the_csv_and_matches_the_dataframe(result, tmp_path):
    import pandas as pd

    df = result.to_dataframe()
    back = pd.read_csv(write_grid(result, tmp_path / "g.csv"))
    assert list(back.columns) == list(df.columns) == columns(result)
    assert back.shape == df.shape == (12, len(columns(result)))
    assert back["converged"].dtype == bool and back["excluded[right]"].dtype == bool
    np.testing.assert_array_equal(back["w[0,left]"].to_numpy(), df["w[0,left]"].to_numpy())
    np.testing.assert_array_equal(df["excluded_count"].to_numpy(), result.excluded_count.reshape(-1))
    assert df.attrs["agents"] == "0-based indices"


@pytest.mark.skipif(not HAS_XARRAY, reason="xarray not installed (symalign[data])")
def test_dataset_and_netcdf_round_trip(result, tmp_path):
    import xarray as xr

    ds = result.to_dataset()
    assert ds["weights"].dims == ("gamma", "beta", "agent", "group")
    assert list(ds["group"].values) == ["left", "centre", "right"] and list(ds["agent"].values) == [0, 1]
    sel = ds["weights"].sel(beta=1.5, gamma=0.4, method="nearest").sel(agent=1, group="centre").item()
    assert sel == result.weights[1, 1, 1, 1]
    if importlib.util.find_spec("scipy") is None and importlib.util.find_spec("netCDF4") is None:
        pytest.skip("no NetCDF engine")
    path = write_grid(result, tmp_path / "g.nc")
    with xr.open_dataset(path) as back:
        np.testing.assert_array_equal(back["weights"].values, result.weights)
        np.testing.assert_array_equal(back["excluded"].values.astype(bool), result.excluded)
        assert list(back["group"].values) == ["left", "centre", "right"]


def test_missing_optional_dependency_names_the_extra(result, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xarray" else real(name, *a))
    with pytest.raises(OptionalDependencyError, match=r"symalign\[data\]"):
        write_grid(result, tmp_path / "g.nc")
    assert not (tmp_path / "g.nc").exists()

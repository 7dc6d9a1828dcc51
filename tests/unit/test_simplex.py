"""Tests of :mod:`symalign.numeric.simplex` (projection and simplex helpers)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import minimize

from symalign.errors import InputError, ShapeError
from symalign.numeric.simplex import is_on_simplex, project, softmax, support, validate_simplex_point

FLOATS = st.floats(-50.0, 50.0, allow_nan=False, allow_infinity=False)
VECTORS = hnp.arrays(np.float64, st.integers(1, 12), elements=FLOATS)
BATCHES = hnp.arrays(
    np.float64, hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=6), elements=FLOATS
)


def _atol(v: np.ndarray) -> float:
    return 1e-12 * (1.0 + float(np.max(np.abs(v), initial=0.0))) * max(v.shape[-1], 1)


# ---------------------------------------------------------------- projection


@given(VECTORS)
def test_projection_lands_on_simplex(v):
    x = project(v)
    assert x.shape == v.shape
    assert np.all(x >= 0.0)
    assert abs(x.sum() - 1.0) <= _atol(v)
    assert is_on_simplex(x)


@given(VECTORS)
def test_projection_is_idempotent(v):
    x = project(v)
    np.testing.assert_allclose(project(x), x, rtol=0, atol=1e-12)


@given(VECTORS)
def test_projection_satisfies_kkt(v):
    # x = argmin |x - v|^2 on the simplex  <=>  v - x = tau*1 - mu, mu >= 0, mu*x = 0:
    # v_j - x_j equals a common tau where x_j > 0 and is <= tau where x_j = 0.
    x = project(v)
    r = v - x
    pos = x > 0
    assert pos.any()
    tau = r[pos].mean()
    atol = _atol(v)
    np.testing.assert_allclose(r[pos], tau, rtol=0, atol=atol)
    assert np.all(r[~pos] <= tau + atol)


@given(VECTORS, st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12))
def test_projection_is_closer_than_any_simplex_point(v, raw):
    y = np.resize(np.asarray(raw) + 1e-3, v.shape)
    y = y / y.sum()
    x = project(v)
    assert np.linalg.norm(v - x) <= np.linalg.norm(v - y) + _atol(v)


@settings(max_examples=20)
@given(hnp.arrays(np.float64, st.integers(2, 5), elements=st.floats(-3.0, 3.0)))
def test_projection_matches_scipy_minimize(v):
    d = v.size
    res = minimize(
        lambda x: 0.5 * np.sum((x - v) ** 2),
        np.full(d, 1.0 / d),
        jac=lambda x: x - v,
        method="SLSQP",
        bounds=[(0.0, None)] * d,
        constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1.0, "jac": lambda x: np.ones(d)}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert res.success
    np.testing.assert_allclose(project(v), res.x, atol=1e-6)


@given(BATCHES)
def test_batched_projection_equals_row_by_row(v):
    out = project(v)
    flat = v.reshape(-1, v.shape[-1])
    rows = np.array([project(row) for row in flat]).reshape(v.shape)
    np.testing.assert_array_equal(out, rows)


@given(BATCHES)
def test_projection_along_other_axis(v):
    np.testing.assert_array_equal(project(v, axis=0), np.moveaxis(project(np.moveaxis(v, 0, -1)), -1, 0))


def test_projection_known_values():
    np.testing.assert_allclose(project([0.2, 0.3, 0.5]), [0.2, 0.3, 0.5], atol=1e-15)
    np.testing.assert_allclose(project([1.0, 1.0, 1.0]), [1 / 3, 1 / 3, 1 / 3], atol=1e-15)
    np.testing.assert_allclose(project([5.0, 0.0, -5.0]), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(project([0.5, 0.5, -10.0]), [0.5, 0.5, 0.0])
    np.testing.assert_allclose(project([7.0]), [1.0])


@given(VECTORS, st.floats(0.1, 10.0))
def test_projection_with_radius(v, radius):
    x = project(v, radius)
    assert np.all(x >= 0.0)
    assert abs(x.sum() - radius) <= radius * _atol(v)
    # scaling: Proj_r(v) = r * Proj_1(v / r)
    np.testing.assert_allclose(x, radius * project(v / radius), atol=radius * _atol(v))


@pytest.mark.parametrize("bad", [[np.nan, 1.0], [np.inf, 0.0], [[0.5, 0.5], [-np.inf, 1.0]]])
def test_project_rejects_non_finite(bad):
    with pytest.raises(InputError) as info:
        project(bad)
    assert info.value.argument == "v"


def test_project_rejects_bad_shapes_and_radius():
    with pytest.raises(ShapeError):
        project(1.0)
    with pytest.raises(ShapeError):
        project(np.zeros((3, 0)))
    with pytest.raises(InputError, match="radius"):
        project([1.0, 2.0], 0.0)
    with pytest.raises(InputError, match="radius"):
        project([1.0, 2.0], -1.0)
    with pytest.raises(InputError, match="axis"):
        project([1.0, 2.0], axis=3)


# ---------------------------------------------------------------- helpers


def test_is_on_simplex():
    assert is_on_simplex([0.1, 0.9]) is True
    assert is_on_simplex([0.1, 0.9 + 1e-11]) is True
    assert is_on_simplex([0.1, 0.9 + 1e-6]) is False
    assert is_on_simplex([1.1, -0.1]) is False
    assert is_on_simplex([np.nan, 1.0]) is False
    assert is_on_simplex([0.1, 0.9 + 1e-6], atol=1e-5) is True
    np.testing.assert_array_equal(is_on_simplex([[0.5, 0.5], [0.5, 0.6], [1.0, 0.0]]), [True, False, True])


def test_support():
    np.testing.assert_array_equal(support([0.5, 0.0, 0.5]), [0, 2])
    np.testing.assert_array_equal(support([1e-13, 1.0 - 1e-13]), [1])
    np.testing.assert_array_equal(support([1e-13, 1.0 - 1e-13], tol=1e-14), [0, 1])
    with pytest.raises(ShapeError):
        support([[1.0, 0.0]])


def test_validate_simplex_point_accepts_and_copies():
    p = np.array([0.25, 0.75])
    out = validate_simplex_point(p)
    np.testing.assert_array_equal(out, p)
    out[0] = 9.0
    assert p[0] == 0.25
    validate_simplex_point([[0.5, 0.5], [0.0, 1.0]], "W0", shape=(2, 2))
    validate_simplex_point([0.5, 0.5 + 1e-10])


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ([0.5, np.nan], "finite"),
        ([1.2, -0.2], ">= 0"),
        ([0.3, 0.3], "sum to 1"),
        ([0.5, 0.5 + 1e-6], "sum to 1"),
        ([[0.5, 0.5], [0.9, 0.2]], "sum to 1"),
    ],
)
def test_validate_simplex_point_names_the_argument(value, fragment):
    with pytest.raises(InputError) as info:
        validate_simplex_point(value, argument="prior")
    assert info.value.argument == "prior"
    assert str(info.value).startswith("prior=")
    assert fragment in str(info.value)


def test_validate_simplex_point_shapes():
    with pytest.raises(ShapeError, match="^q="):
        validate_simplex_point(1.0, "q")
    with pytest.raises(ShapeError, match="shape"):
        validate_simplex_point([0.5, 0.5], "W0", shape=(1, 2))
    with pytest.raises(InputError, match="> 0"):
        validate_simplex_point([1.0, 0.0], "W0", strictly_positive=True)


# ---------------------------------------------------------------- softmax


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.floats(-700, 700)))
def test_softmax_is_on_simplex_and_order_preserving(z):
    s = softmax(z)
    assert np.all(is_on_simplex(s, atol=1e-12))
    order = np.argsort(z, axis=-1, kind="stable")
    assert np.all(np.diff(np.take_along_axis(s, order, axis=-1), axis=-1) >= 0)


def test_softmax_values_and_errors():
    np.testing.assert_allclose(softmax([0.0, np.log(3.0)]), [0.25, 0.75])
    np.testing.assert_allclose(softmax([1e4, 1e4 - np.log(3.0)]), [0.75, 0.25])
    np.testing.assert_allclose(softmax([[0.0, 0.0], [0.0, -np.inf]], axis=-1), [[0.5, 0.5], [1.0, 0.0]])
    np.testing.assert_allclose(softmax([[0.0, 0.0], [0.0, np.log(3.0)]], axis=0), [[0.5, 0.25], [0.5, 0.75]])
    with pytest.raises(InputError):
        softmax([np.nan, 0.0])
    with pytest.raises(InputError):
        softmax([np.inf, 0.0])
    with pytest.raises(InputError):
        softmax([-np.inf, -np.inf])

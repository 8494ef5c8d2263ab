"""expand_grid: R's row order, column order and dtypes (R parity itself is in test_r_parity)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h2osweep.errors import UserInputError
from h2osweep.space import expand_grid


def test_lecture_grid_has_rs_18_rows_first_factor_fastest():
    grid = expand_grid(layers=[1, 2, 4], epochs=[50, 100], l1=[0.001, 0.01, 0.05])
    assert list(grid.columns) == ["layers", "epochs", "l1"]
    assert len(grid) == 18
    assert grid.iloc[:4].to_numpy().tolist() == [
        [1, 50, 0.001],
        [2, 50, 0.001],
        [4, 50, 0.001],
        [1, 100, 0.001],
    ]
    assert grid.iloc[-1].tolist() == [4, 100, 0.05]


def test_dtypes_are_kept():
    grid = expand_grid(n=[1, 2], x=[0.5], s=["a", "b"], flag=[True, False])
    assert grid["n"].dtype == np.int64
    assert grid["x"].dtype == np.float64
    assert pd.api.types.is_string_dtype(grid["s"])
    assert grid["flag"].dtype == np.bool_


def test_series_arrays_ranges_and_scalars_are_factors():
    grid = expand_grid(a=pd.Series([3, 4], index=[10, 20]), b=np.array([0.1]), c=range(2), d="x")
    assert grid.to_numpy().tolist() == [
        [3, 0.1, 0, "x"],
        [4, 0.1, 0, "x"],
        [3, 0.1, 1, "x"],
        [4, 0.1, 1, "x"],
    ]
    assert grid.index.tolist() == [0, 1, 2, 3]


def test_empty_factor_is_refused():
    with pytest.raises(UserInputError, match="factor 'epochs' needs at least one value"):
        expand_grid(layers=[1, 2], epochs=[])


def test_no_factors_is_an_empty_frame():
    assert expand_grid().shape == (0, 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_row_i_takes_value_i_div_stride_mod_size(sizes):
    factors = {f"f{j}": list(range(100 * j, 100 * j + size)) for j, size in enumerate(sizes)}
    grid = expand_grid(**factors)
    assert len(grid) == math.prod(sizes)
    stride = 1
    for j, size in enumerate(sizes):
        expected = [100 * j + (i // stride) % size for i in range(len(grid))]
        assert grid[f"f{j}"].tolist() == expected
        stride *= size

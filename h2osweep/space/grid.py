"""`expand_grid`: every combination of some factors, as R's `expand.grid` lays them out."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from h2osweep.errors import UserInputError


def check_grid_size(factors: dict, max_rows: int) -> None:
    """Refuse a grid of more than `max_rows` combinations before any is built (a sweep's plan)."""
    sizes = [len(_values(name, values)) for name, values in factors.items()]
    if (total := math.prod(sizes)) > max_rows:
        shape = " x ".join(str(size) for size in sizes)
        raise UserInputError(
            f"the grid has {shape} = {total:,} combinations, more than the "
            f"{max_rows:,} a sweep plans: give fewer values, or draw configurations at random "
            "from a space"
        )


def _values(name: str, values: object) -> pd.Series:
    """One factor's values as a Series (a scalar or a string counts as one value)."""
    if isinstance(values, pd.Series):
        series = values.reset_index(drop=True)
    elif isinstance(values, np.ndarray):
        series = pd.Series(values.ravel())
    elif isinstance(values, str | bytes) or not isinstance(values, Iterable):
        series = pd.Series([values])
    else:
        series = pd.Series(list(values))
    if series.empty:
        raise UserInputError(f"expand_grid: factor {name!r} needs at least one value, but got none")
    return series


def expand_grid(**factors: object) -> pd.DataFrame:
    """Every combination of the factors, one per row: R's `expand.grid(stringsAsFactors = FALSE)`.

    The first factor varies fastest and columns keep the order given; each column keeps the
    dtype pandas gives its values (ints int64, floats float64, strings str, bools bool).

    >>> expand_grid(layers=[1, 2, 4], epochs=[50, 100]).shape
    (6, 2)
    """
    columns = {name: _values(name, values) for name, values in factors.items()}
    sizes = [len(s) for s in columns.values()]
    total = math.prod(sizes) if sizes else 0
    frame = {}
    repeat = 1
    for (name, series), size in zip(columns.items(), sizes, strict=True):
        index = np.tile(np.repeat(np.arange(size), repeat), total // (size * repeat))
        frame[name] = series.take(index).reset_index(drop=True)
        repeat *= size
    return pd.DataFrame(frame, index=pd.RangeIndex(total))

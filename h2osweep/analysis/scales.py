"""Whether a hyperparameter was searched on a log scale, told from its values alone (tables from
other tools rarely record it): the parallel coordinates, slice plots and the Optuna bridge draw
and model such a parameter in log units."""

from __future__ import annotations

import numpy as np

DECADES = 2.0  # a log-scaled parameter spans at least this many powers of ten
MIN_VALUES = 5


def is_log_scaled(values: np.ndarray) -> bool:
    """True when every value is above zero, they span at least two decades and they look more
    evenly spread in log units than in their own (Kolmogorov-Smirnov distance to a uniform)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size < MIN_VALUES or values.min() <= 0 or np.unique(values).size < MIN_VALUES:
        return False
    if np.log10(values.max() / values.min()) < DECADES:
        return False
    return uniform_distance(np.log(values)) < uniform_distance(values)


def uniform_distance(values: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between the values and a uniform over their range."""
    from scipy.stats import kstest

    low, span = values.min(), values.max() - values.min()
    return float(kstest((values - low) / span, "uniform").statistic)

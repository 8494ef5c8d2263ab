"""Pearson correlation of each feature (each indicator too) with the target, as `corrwith`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from h2osweep.analysis.preprocess import Prepared


def correlations(prepared: Prepared) -> pd.DataFrame:
    """One row per feature: `term`, `correlation` (Pearson, equal to R's `cor`), strongest first."""
    y = prepared.y
    rows = [
        (term, pearson(prepared.table[term].to_numpy(dtype=float), y)) for term in prepared.features
    ]
    frame = pd.DataFrame(rows, columns=["term", "correlation"])
    order = frame["correlation"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r computed on centred values (two-pass, as R does); NaN for a constant column."""
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt(np.dot(dx, dx) * np.dot(dy, dy))
    return float(np.dot(dx, dy) / denominator) if denominator > 0 else float("nan")

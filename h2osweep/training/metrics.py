"""A trained model's metrics on its training data and on a test frame, as plain Python values.

The numbers are H2O's own (what R's h2o.mse, h2o.r2, h2o.logloss report); confusion matrices
become pandas frames of counts with actual classes as rows and predicted classes as columns.
"""

from __future__ import annotations

import math

import pandas as pd

METRICS = ("mse", "rmse", "r2", "logloss", "mean_per_class_error")
CONFUSION_EXTRAS = ("Error", "Rate")


def performance_metrics(performance) -> dict[str, float]:
    """MSE, RMSE, R², logloss and mean per-class error of one H2O performance object."""
    return {name: _number(performance, name) for name in METRICS}


def confusion_matrix(performance) -> pd.DataFrame | None:
    """Counts, row = actual class, column = predicted class; None for a regression model."""
    try:
        table = performance.confusion_matrix()
    except Exception:
        return None
    if table is None:
        return None
    frame = (
        table.as_data_frame() if hasattr(table, "as_data_frame") else table.table.as_data_frame()
    )
    classes = [column for column in frame.columns if column not in CONFUSION_EXTRAS]
    counts = frame.loc[: len(classes) - 1, classes].astype(int)
    counts.index = pd.Index(classes, name="actual")
    counts.columns = pd.Index(classes, name="predicted")
    return counts


def model_metrics(model, test_frame) -> dict:
    """`train_*` and `test_*` metrics plus both confusion matrices, as in the lecture's run()."""
    result: dict = {}
    for part, performance in (
        ("train", model.model_performance(train=True)),
        ("test", model.model_performance(test_frame)),
    ):
        for name, value in performance_metrics(performance).items():
            result[f"{part}_{name}"] = value
        result[f"{part}_confusion"] = confusion_matrix(performance)
    return result


def _number(performance, name: str) -> float:
    """One metric as a float; NaN where the model type has none (logloss of a regression)."""
    try:
        value = getattr(performance, name)()
    except Exception:
        return math.nan
    return math.nan if value is None or value == "NaN" else float(value)

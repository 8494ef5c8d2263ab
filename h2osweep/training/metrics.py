"""A trained model's metrics on its training data and on a test frame, as plain Python values.

The numbers are H2O's own (what R's h2o.mse, h2o.r2, h2o.logloss report), read from the REST
API's JSON: the training metrics in the model's output, and one scoring of the test frame.
Confusion matrices are H2O's too (for two classes at the threshold of maximum F1, as R's
h2o.confusionMatrix), as pandas frames of counts: actual classes as rows, predicted as columns.
"""

from __future__ import annotations

import math

import pandas as pd

from h2osweep.record.columns import METRIC_NAMES
from h2osweep.training import rest

H2O_KEYS = {"mse": "MSE", "rmse": "RMSE"}  # H2O's JSON key of each metric, where not its name
CONFUSION_EXTRAS = ("Error", "Rate")


def model_output(model_id: str) -> dict:
    """The `output` part of a model's JSON: training metrics, run time, scoring history."""
    return rest.get(f"/3/Models/{model_id}")["models"][0]["output"]


def frame_scores(model_id: str, frame_id: str) -> dict:
    """The model's metrics on a frame, scored now (no multinomial AUC: R's default skips it).

    A GBM continued from a checkpoint inherits its parent's cached metrics, and H2O answers
    with those: the stale entry is deleted and the frame scored again.
    """
    scores = _scored(model_id, frame_id)
    answered_for = scores.get("model", {}).get("name", model_id)
    if answered_for != model_id:
        rest.delete(f"/3/ModelMetrics/models/{answered_for}/frames/{frame_id}")
        scores = _scored(model_id, frame_id)
    return scores


def _scored(model_id: str, frame_id: str) -> dict:
    path = f"/3/ModelMetrics/models/{model_id}/frames/{frame_id}"
    return rest.post(path, {"auc_type": "none"})["model_metrics"][0]


def model_metrics(output: dict, test: dict, valid: dict | None = None) -> dict:
    """`train_*` and `test_*` metrics plus their confusion matrices, as in the lecture's run();
    `valid_*` for a scored validation frame, `xval_*` when the model was cross-validated."""
    parts = {
        "train": output["training_metrics"],
        "valid": valid,
        "xval": output.get("cross_validation_metrics"),
        "test": test,
    }
    result: dict = {}
    for part, scores in parts.items():
        if scores is None:
            continue
        for name in METRIC_NAMES:
            result[f"{part}_{name}"] = _number(scores.get(H2O_KEYS.get(name, name)))
        result[f"{part}_confusion"] = confusion_matrix(scores)
    return result


def confusion_matrix(scores: dict) -> pd.DataFrame | None:
    """Counts, row = actual class, column = predicted class; None for a regression model.

    H2O sends the table column by column, each with a final row of totals.
    """
    table = (scores.get("cm") or {}).get("table")
    if not table:
        return None
    names = [column["name"] for column in table["columns"]]
    classes = [name for name in names if name not in CONFUSION_EXTRAS]
    columns = dict(zip(names, table["data"], strict=True))
    counts = pd.DataFrame({name: columns[name][: len(classes)] for name in classes}).astype(int)
    counts.index = pd.Index(classes, name="actual")
    counts.columns = pd.Index(classes, name="predicted")
    return counts


def _number(value) -> float:
    """One metric as a float; NaN where the model type has none (logloss of a regression)."""
    return math.nan if value is None or value == "NaN" else float(value)

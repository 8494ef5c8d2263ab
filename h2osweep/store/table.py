"""The results table's layout: one row per run, parameters flat, lists as JSON, metrics last."""

from __future__ import annotations

import json
import math

import pandas as pd

from h2osweep.errors import UserInputError
from h2osweep.training.metrics import METRICS

LEADING = ["name", "seed", "status", "error"]
ARCHITECTURE = ["depth", "SumNeurons", "MeanHiddenDropout"]
METRIC_COLUMNS = [f"{part}_{name}" for name in METRICS for part in ("train", "test")]
TRAILING = ["build_seconds", "model_id"]
LAYER_KEYS = ("neurons", "hidden")
DROPOUT_KEYS = ("hidden_dropout", "hidden_dropout_ratios")


def check_metric(metric: str) -> None:
    """A sweep ranks and stops on one of the metric columns it stores, and on nothing else."""
    if metric not in METRIC_COLUMNS:
        raise UserInputError(
            f"--metric must be one of {', '.join(METRIC_COLUMNS)}, but got {metric!r}"
        )


def architecture(config: dict) -> dict:
    """Depth, total neurons and mean hidden dropout of a configuration (the lecture's columns)."""
    layers = next((config[key] for key in LAYER_KEYS if key in config), None)
    if layers is None and "layers" in config:
        layers = [config.get("units", 100)] * int(config["layers"])
    dropout = next((config[key] for key in DROPOUT_KEYS if key in config), None)
    derived = {}
    if layers is not None:
        derived["depth"] = len(layers)
        derived["SumNeurons"] = int(sum(layers))
    if dropout:
        derived["MeanHiddenDropout"] = float(sum(dropout)) / len(dropout)
    derived.update({key: config[key] for key in ARCHITECTURE if key in config})
    return derived


def results_frame(rows) -> pd.DataFrame:
    """Rows of (name, seed, status, error, config, metrics, seconds, model id) as a table."""
    records = []
    for name, seed, status, error, config, metrics, seconds, model_id in rows:
        config, metrics = json.loads(config), json.loads(metrics)
        record = {"name": name, "seed": seed, "status": status, "error": error}
        record.update(
            {
                key: _cell(value)
                for key, value in config.items()
                if key not in ("name", "seed", *ARCHITECTURE)
            }
        )
        record.update(architecture(config))
        record.update({column: metrics.get(column, math.nan) for column in METRIC_COLUMNS})
        record.update({"build_seconds": seconds, "model_id": model_id})
        records.append(record)
    return pd.DataFrame.from_records(records, columns=_columns(records))


def confusion_to_json(confusion: dict) -> str:
    """Confusion matrices {'train': frame, 'test': frame} as JSON (classes and counts)."""
    return json.dumps(
        {
            part: {"classes": [str(c) for c in frame.index], "counts": frame.to_numpy().tolist()}
            for part, frame in confusion.items()
            if frame is not None
        }
    )


def confusion_from_json(text: str | None) -> dict[str, pd.DataFrame]:
    """The inverse of `confusion_to_json`."""
    stored = json.loads(text) if text else {}
    return {
        part: pd.DataFrame(
            item["counts"],
            index=pd.Index(item["classes"], name="actual"),
            columns=pd.Index(item["classes"], name="predicted"),
        )
        for part, item in stored.items()
    }


def _cell(value):
    return json.dumps(value) if isinstance(value, list | dict) else value


def _columns(records: list[dict]) -> list[str]:
    """Fixed leading and trailing columns; parameters in order of first appearance between."""
    fixed = set(LEADING + ARCHITECTURE + METRIC_COLUMNS + TRAILING)
    parameters: list[str] = []
    for record in records:
        parameters += [key for key in record if key not in fixed and key not in parameters]
    architecture_present = [c for c in ARCHITECTURE if any(c in r for r in records)]
    return LEADING + parameters + architecture_present + METRIC_COLUMNS + TRAILING

"""The results table built from stored rows: one row per run, parameters flat, lists as JSON,
metrics last (the columns are `record.columns`'); confusion matrices to and from JSON."""

from __future__ import annotations

import json
import math

import pandas as pd

from h2osweep.record.columns import (
    ALL_METRIC_COLUMNS,
    ALWAYS,
    ARCHITECTURE,
    LEADING,
    TRAILING,
    architecture,
    metric_columns,
    part_of,
)


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
        columns = metric_columns(measured_parts(metrics))
        record.update({column: metrics.get(column, math.nan) for column in columns})
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
    fixed = set(LEADING + ARCHITECTURE + ALL_METRIC_COLUMNS + TRAILING)
    parameters: list[str] = []
    for record in records:
        parameters += [key for key in record if key not in fixed and key not in parameters]
    architecture_present = [c for c in ARCHITECTURE if any(c in r for r in records)]
    parts = set(ALWAYS).union(*(measured_parts(record) for record in records))
    return LEADING + parameters + architecture_present + metric_columns(parts) + TRAILING


def measured_parts(metrics: dict) -> set[str]:
    """The parts a run's metrics cover: train and test always, valid and xval where measured."""
    present = {part_of(key) for key in metrics if key in ALL_METRIC_COLUMNS}
    return set(ALWAYS) | present

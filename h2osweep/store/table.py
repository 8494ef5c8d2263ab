"""The results table built from stored rows: one row per run, parameters flat, lists as JSON,
metrics last (the columns are `record.columns`'); confusion matrices to and from JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping

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

FIXED = frozenset(LEADING + ARCHITECTURE + ALL_METRIC_COLUMNS + TRAILING)


def run_record(
    name, seed, status, error, config, metrics, build_seconds, model_id, rung=0, budget=None
) -> dict:
    """One stored run (config and metrics as JSON text) as a row of the results table; a run
    of a multi-fidelity rung also gives its rung and budget."""
    config, metrics = json.loads(config), json.loads(metrics)
    record = {"name": name, "seed": seed, "status": status, "error": error}
    record.update(
        {
            key: _cell(value)
            for key, value in config.items()
            if key not in ("name", "seed", *ARCHITECTURE)
        }
    )
    if budget is not None:  # a whole number of epochs or trees (the store holds it as REAL)
        record |= {"rung": rung, "budget": int(budget) if float(budget).is_integer() else budget}
    record.update(architecture(config))
    columns = metric_columns(measured_parts(metrics))
    record.update({column: metrics.get(column, math.nan) for column in columns})
    record.update({"build_seconds": build_seconds, "model_id": model_id})
    return record


def results_frame(rows) -> pd.DataFrame:
    """Rows of (name, seed, status, error, config, metrics, seconds, model id) as a table."""
    records = [run_record(*row) for row in rows]
    return pd.DataFrame.from_records(records, columns=results_columns(records))


class StoredMetrics(Mapping):
    """A stored run's metrics, decoded from their JSON text on first use: a resume hands every
    stored run to its strategy, and a fixed plan reads none of their metrics."""

    __slots__ = ("_text", "_values")

    def __init__(self, text: str) -> None:
        self._text = text
        self._values: dict | None = None

    def _decoded(self) -> dict:
        if self._values is None:
            self._values = json.loads(self._text)
        return self._values

    def __getitem__(self, key: str):
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return repr(self._decoded())


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


def record_config(record: dict) -> dict:
    """A results-table record's configuration, undoing `run_record` (lists and dicts back from
    JSON, a parameter the run did not set, blank in the table, left out): what results.csv
    still tells of a run when the store cannot be read. The architecture summaries, which the
    table always has, are kept beside layer lists (as a space's draws set them) and dropped
    beside the `layers`/`units` shorthand, which derives them."""
    skip = {*LEADING, *ALL_METRIC_COLUMNS, *TRAILING, "rung", "budget"}
    config = {
        key: _uncell(value)
        for key, value in record.items()
        if key not in skip and not (isinstance(value, float) and math.isnan(value))
    }
    if not any(isinstance(value, list) for value in config.values()):
        config = {key: value for key, value in config.items() if key not in ARCHITECTURE}
    return config


def _uncell(value):
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value.item() if hasattr(value, "item") else value


def _cell(value):
    return json.dumps(value) if isinstance(value, list | dict) else value


def results_columns(records) -> list[str]:
    """Fixed leading and trailing columns; parameters in order of first appearance between."""
    parameters: dict[str, None] = {}
    architecture_present: set[str] = set()
    parts = set(ALWAYS)
    for record in records:
        parts |= measured_parts(record)
        for key in record:
            if key in ARCHITECTURE:
                architecture_present.add(key)
            elif key not in FIXED and key not in parameters:
                parameters[key] = None
    present = [column for column in ARCHITECTURE if column in architecture_present]
    return LEADING + list(parameters) + present + metric_columns(parts) + TRAILING


def measured_parts(metrics) -> set[str]:
    """The parts a run's metrics cover: train and test always, valid and xval where measured."""
    present = {part_of(key) for key in metrics if key in ALL_METRIC_COLUMNS}
    return set(ALWAYS) | present

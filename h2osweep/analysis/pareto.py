"""Several objectives: the runs on the Pareto front as a table, and its knee as the suggestion
(which runs dominate which is decided in `h2osweep.record.pareto`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from h2osweep.analysis.optimum import Optimum, table_config
from h2osweep.analysis.preprocess import run_labels
from h2osweep.record.goal import Goal
from h2osweep.record.pareto import knee_position, losses, pareto_mask


@dataclass
class ParetoFront:
    """The front: `values` (every run's objectives, named as the targets), `rows` (the front's
    runs, best first on the first objective), `table` (what the report shows) and the knee."""

    values: pd.DataFrame
    rows: np.ndarray
    table: pd.DataFrame
    knee: Optimum | None
    knee_row: int | None


def free_name(base: str, taken) -> str:
    """`base`, or `base` with underscores added until no column of the user's has the name."""
    while base in taken:
        base += "_"
    return base


def pareto_front(frame: pd.DataFrame, targets: list[str], goals: list[Goal], params: list[str]):
    """The runs no other run beats on every objective, and the front's knee as an `Optimum`."""
    values = frame[targets].apply(pd.to_numeric, errors="coerce").reset_index(drop=True)
    matrix = values.to_numpy(dtype=float)
    rows = np.flatnonzero(pareto_mask(matrix, goals))
    rows = rows[np.argsort(losses(matrix[rows], goals)[:, 0], kind="stable")]
    knee = knee_position(matrix[rows], goals)
    knee_row = None if knee is None else int(rows[knee])
    labels = run_labels(frame)
    table = values.iloc[rows].reset_index(drop=True)
    table.insert(0, free_name("run", targets), labels.iloc[rows].to_numpy())
    table[free_name("knee", targets)] = rows == knee_row
    return ParetoFront(values, rows, table, knee_optimum(frame, values, rows, knee_row, params),
                       knee_row)  # fmt: skip


def knee_optimum(frame, values: pd.DataFrame, rows, knee_row, params) -> Optimum | None:
    """The knee's configuration, with every objective's value in its note."""
    if knee_row is None:
        return None
    shown = ", ".join(f"{t} = {v:.4g}" for t, v in values.iloc[knee_row].items())
    measured = int(np.isfinite(values.to_numpy(dtype=float)).all(axis=1).sum())
    if len(rows) == 1:
        note = f"One run of {measured} is best on every objective ({shown})."
    elif len(rows) == 2 and knee_row == rows[0]:
        note = (
            f"The Pareto front has 2 of {measured} runs and no knee between them: the one best "
            f"on {values.columns[0]} is suggested ({shown})."
        )
    else:
        note = (
            f"The knee of the Pareto front ({len(rows)} of {measured} runs): the front's run "
            f"farthest from the line joining its extremes, objectives scaled to their range "
            f"there ({shown})."
        )
    label = str(run_labels(frame).iloc[knee_row])
    config = table_config(frame, knee_row, params)
    return Optimum("Pareto knee", label, float(values.iloc[knee_row, 0]), config, note)

"""The lecture's step 8: retrain a chosen configuration on the sweep's own data and compare it
with the sweep's best model. Choices: the best observed run, the GAM's predicted optimum, or
the lecture's hand-picked `hidden = c(500, 500, 500)` model."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import LocalData, reload_data, upload
from h2osweep.errors import StoreError, UserInputError
from h2osweep.record.columns import ALL_METRIC_COLUMNS, with_layers
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunResult, RunSpec
from h2osweep.store.files import write_atomic
from h2osweep.store.results_store import (
    OPTIMIZED,
    RESULTS,
    read_configs,
    read_definition,
    read_objective,
    read_results,
)
from h2osweep.training.algorithms import DEEPLEARNING
from h2osweep.training.flight import train_one
from h2osweep.training.jobs import cancel_leftovers
from h2osweep.training.parameters import allowed_keys
from h2osweep.training.scheduler import TrainSettings, check_epochs, model_id_for
from h2osweep.validation import check_choice

CHOICES = ("best", "gam", "lecture")
REFITS = ("train", "train+valid")
LECTURE_OPTIMUM = {
    "neurons": [500, 500, 500],
    "input_dropout": 0.08,
    "hidden_dropout": [0.5, 0.5, 0.5],
    "l1": 0.002,
    "l2": 0.0,
    "rho": 0.95,
    "epsilon": 1e-10,
}

SEED_SPREAD = (
    "Retrained with its own model seed (from its name), so the gap to the sweep's run of the"
    " same configuration is the spread between seeds."
)


@dataclass
class Retrained:
    """A retrained configuration next to the sweep's best run."""

    choice: str
    config: dict
    result: RunResult
    comparison: pd.DataFrame

    @property
    def note(self) -> str:
        """Why a retrained best run differs from the sweep's own run: only its model seed."""
        return SEED_SPREAD if self.choice == "best" else ""


def choose_config(
    folder: Path, choice: str, best: pd.Series, objective: Objective, algorithm: str = DEEPLEARNING
) -> dict:
    """The configuration to retrain: `best` observed run, `gam` optimum, or the `lecture`'s."""
    if choice == "lecture":
        if algorithm != DEEPLEARNING:
            raise UserInputError(
                f"{{choice}} 'lecture' is the lecture's deep-learning model; {folder} is a "
                f"{algorithm} sweep: use {{choice}} 'best' or 'gam'",
                "choice",
            )
        return dict(LECTURE_OPTIMUM)
    if choice == "best":
        return read_configs(folder)[best["name"]]
    from h2osweep.analysis import analyze

    analysis = analyze(folder, target=objective.metric, goal=objective.goal)
    return gam_config(analysis, folder, algorithm)


def gam_config(analysis, folder: Path, algorithm: str = DEEPLEARNING) -> dict:
    """The GAM's optimum of an analysis as a trainable configuration (layers rebuilt)."""
    if analysis.gam_config is None:
        raise UserInputError(f"no GAM could be fitted on {folder}; use {{choice}} 'best'", "choice")
    config = with_layers(analysis.gam_config)
    allowed = allowed_keys(algorithm)
    return {key: value for key, value in config.items() if key in allowed}


def best_row(folder: Path, objective: Objective) -> pd.Series:
    """The sweep's best finished run (`which.min` / `which.max` of the metric)."""
    table = read_results(folder)
    if objective.metric not in table.columns and objective.metric not in ALL_METRIC_COLUMNS:
        raise UserInputError(f"{Path(folder) / RESULTS} has no column {objective.metric!r}")
    row = objective.best_row(table)
    if row is None:
        raise UserInputError(f"{folder} has no finished run to compare with")
    return row


def retrain(
    folder: Path,
    choice: str = "best",
    *,
    epochs: float | None = None,
    objective: Objective | None = None,
    cluster: ClusterOptions | None = None,
    config: dict | None = None,
    refit_on: str = "train",
) -> Retrained:
    """Train the chosen configuration (or `config`, already chosen) on the sweep's data and
    write `optimized_<choice>.csv`.

    The best run is the best by `objective` (default: the sweep's own selection metric).
    `refit_on="train+valid"` trains on the training and validation parts together, so the
    test part, which chose nothing, is the only estimate reported.
    """
    check_choice("choice", choice, CHOICES)
    check_choice("refit_on", refit_on, REFITS)
    check_epochs(epochs)
    folder = Path(folder)
    objective = objective or read_objective(folder)
    definition = read_definition(folder)
    check_writable(folder, OPTIMIZED.format(choice=choice))
    best = best_row(folder, objective)  # checks the metric before the store is opened
    if config is None:
        algorithm = definition["training"]["algorithm"]
        config = choose_config(folder, choice, best, objective, algorithm)
    data = refit_data(reload_data(definition["data"]), refit_on)
    training = TrainSettings(
        **definition["training"], keep_models=True, model_prefix="h2osweep_optimized"
    )
    if epochs is not None:
        training = replace(training, epochs=epochs)
    spec = RunSpec(f"optimized_{choice}", config)
    with H2OCluster(cluster):
        cancel_leftovers(model_id_for(spec, training))  # an interrupted retrain's build
        result = train_one(spec, upload(data), training)
    if not result.ok:
        raise UserInputError(f"the {choice} configuration failed to train: {result.error}")
    comparison = compare(best, result)
    write_atomic(folder / OPTIMIZED.format(choice=choice), comparison.to_csv(index=False))
    return Retrained(choice, config, result, comparison)


def check_writable(folder: Path, name: str) -> None:
    """Refuse before training when the result could not be written into the sweep folder."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"cannot write {name} to {folder}: the folder is not writable (copy the sweep "
            "folder somewhere writable, or make it writable)"
        )


def refit_data(data: LocalData, refit_on: str) -> LocalData:
    """The data to retrain on: as the sweep split it, or with validation rows joined to train."""
    if refit_on == "train":
        return data
    if data.valid is None:
        raise UserInputError(
            "{refit_on} train+valid needs a sweep with a validation part", "refit_on"
        )
    data.train = pd.concat([data.train, data.valid], ignore_index=True)
    data.valid = None
    return data


def compare(best: pd.Series, result: RunResult) -> pd.DataFrame:
    """Two rows, the sweep's best run and the retrained model, with every metric either has."""
    columns = [m for m in ALL_METRIC_COLUMNS if m in best.index or m in result.metrics]
    rows = [
        {
            "model": f"best sweep run ({best['name']})",
            **{m: best.get(m, math.nan) for m in columns},
            "build_seconds": best["build_seconds"],
        },
        {
            "model": result.name,
            **{m: result.metric(m) for m in columns},
            "build_seconds": result.build_seconds,
        },
    ]
    return pd.DataFrame(rows)

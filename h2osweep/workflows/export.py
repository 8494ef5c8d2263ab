"""A sweep folder in the tools people already use: a finished Optuna study (distributions,
params, the selection metric as value, every metric as a user attribute), which
optuna-dashboard opens, and the W&B-style flat table (one row per run)."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pandas as pd

from h2osweep.analysis.rungs import BUDGET, RUNG, is_multi_fidelity
from h2osweep.analysis.studies import sqlite_file, storage_url
from h2osweep.analysis.tables import rung_budget_name
from h2osweep.analysis.trials import distribution_of, frozen_trial
from h2osweep.errors import UserInputError
from h2osweep.record.columns import ARCHITECTURE, LEADING, TRAILING
from h2osweep.record.runs import OK, config_name
from h2osweep.store.files import write_atomic
from h2osweep.store.results_store import (
    LOCK,
    STORE_FILES,
    STUDY_FILE,
    SWEEP_OUTPUTS,
    full_budget,
    read_configs,
    read_definition,
    read_finish_times,
    read_objective,
    read_results,
)

WANDB_STATES = {OK: "finished"}  # any other status: "failed"
LAYER = "*"  # stands for every layer of a per-layer entry


def flat_params(config: dict) -> dict:
    """A run's configuration as Optuna parameters: a list becomes one parameter per layer
    (`neurons_1`, `neurons_2`, ... as h2osweep's Optuna search names them); the lecture's
    summaries (SumNeurons, MeanHiddenDropout) are left to the user attributes."""
    params = {}
    for key, value in config.items():
        if isinstance(value, list):
            params |= {f"{key}_{i}": v for i, v in enumerate(value, start=1)}
        elif key not in ARCHITECTURE or key == "depth":
            params[key] = value
    return params


def space_distributions(definition: dict) -> dict:
    """Optuna distributions of the sweep's space, per parameter name (a grid: its values)."""
    from optuna.distributions import CategoricalDistribution

    from h2osweep.search.optuna.translate import layer_name
    from h2osweep.space import Space
    from h2osweep.space.distributions import Distribution, PerLayer

    space = definition.get("space") or {}
    if "grid" in space:
        return {
            name: CategoricalDistribution([level(v) for v in values])
            for name, values in space["grid"].items()
        }
    if "h2osweep_space" not in space:
        return {}
    found = {}
    for name, entry in Space.from_dict(space).items():
        if isinstance(entry, PerLayer) and (translated := value_distribution(entry.dist)):
            found[layer_name(name, LAYER)] = translated
        elif isinstance(entry, Distribution) and (translated := value_distribution(entry)):
            found[name] = translated
    return found


def value_distribution(dist):
    """The Optuna distribution of an entry's values as the runs hold them: a Beta's support
    (rbeta(...) / 2 lies in [0, 0.5]), not the quantile the search suggests; the others as the
    search translates them."""
    from optuna.distributions import FloatDistribution

    from h2osweep.search.optuna.translate import to_optuna
    from h2osweep.space.distributions import Beta

    if isinstance(dist, Beta):
        low, high = sorted((0.0, 1.0 / dist.divisor))
        return FloatDistribution(low, high)
    return to_optuna(dist)


def distribution_for(column: str, known: dict, values: pd.Series):
    """The space's distribution of a parameter (a layer's: its entry's), else one read off
    the values."""
    from h2osweep.search.optuna.translate import layer_name

    base, _, number = column.rpartition("_")
    layer = layer_name(base, LAYER) if number.isdigit() else None
    return known.get(column) or known.get(layer) or distribution_of(values, log=False)


def level(value: object) -> object:
    """A grid value as an Optuna category: lists as their JSON text."""
    return json.dumps(value) if isinstance(value, list) else value


def study_trials(folder: Path):
    """The folder's runs as finished Optuna trials, and the study's direction. A multi-
    fidelity sweep gives one trial per configuration, its rungs as intermediate values (step:
    the budget, or the rung where budgets are fractions), COMPLETE at the full budget and
    PRUNED where it was stopped."""
    objective, definition = read_objective(folder), read_definition(folder)
    results, configs = read_results(folder), read_configs(folder)
    multi = is_multi_fidelity(results)
    budget = rung_budget_name(folder) if multi else None
    params = {
        name: {k: level(v) for k, v in flat_params(config).items() if k != budget}
        for name, config in configs.items()
    }
    known = space_distributions(definition)
    table = pd.DataFrame.from_records(list(params.values()))
    distributions = {c: distribution_for(c, known, table[c]) for c in table.columns}
    full = (full_budget(folder) or results[BUDGET].max()) if multi else None
    step = (BUDGET if (results[BUDGET] % 1 == 0).all() else RUNG) if multi else None
    times = read_finish_times(folder)
    trials = []
    for number, rows in enumerate(_trial_rows(results, multi)):
        row = rows[-1]  # a configuration's furthest rung
        stopped = multi and row["status"] == OK and row[BUDGET] < full  # not promoted
        value = row.get(objective.metric) if row["status"] == OK else None
        attrs = {k: plain(v) for k, v in row.items() if not pd.isna(v)}
        run_params = {k: v for k, v in params.get(row["name"], {}).items() if k in distributions}
        values = None if value is None or pd.isna(value) else [value]
        steps = {int(r[step]): r.get(objective.metric) for r in rows} if multi else None
        trial = frozen_trial(number, run_params, distributions, values, attrs, steps, stopped)
        trials.append(timed(trial, rows, times))
    return trials, objective


def timed(trial, rows: list[dict], times: dict[str, str]):
    """The trial with the times its runs trained (the first rung's start to the last rung's
    end, local time as Optuna keeps it), so a dashboard's durations and timeline are the
    sweep's, not the export's."""
    import datetime as dt

    ends = [dt.datetime.fromisoformat(times[r["name"]]) for r in rows if r["name"] in times]
    if not ends:
        return trial
    seconds = [float(r.get("build_seconds") or 0) for r in rows if r["name"] in times]
    starts = [end - dt.timedelta(seconds=s) for end, s in zip(ends, seconds, strict=True)]
    trial.datetime_start = min(starts).astimezone().replace(tzinfo=None)
    trial.datetime_complete = max(ends).astimezone().replace(tzinfo=None)
    return trial


def _trial_rows(results: pd.DataFrame, multi: bool) -> list[list[dict]]:
    """Each trial's rows in plan order: a run, or a configuration's rungs, lowest first."""
    trials: dict[str, list[dict]] = {}
    for record in results.to_dict("records"):
        key = config_name(record["name"], int(record[RUNG])) if multi else record["name"]
        trials.setdefault(key, []).append(record)
    return [sorted(rows, key=lambda row: row.get(BUDGET, 0)) for rows in trials.values()]


def plain(value: object) -> object:
    """A results cell as a JSON-ready user attribute."""
    return value.item() if hasattr(value, "item") else value


def export_optuna(folder, storage: str, study_name: str | None = None, force=False) -> str:
    """Write the sweep as a finished Optuna study in `storage` (e.g. sqlite:///study.db, or an
    SQLite file's path); return its name. A study already there under that name is replaced
    only with `force`."""
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    folder = Path(folder)
    storage = storage_url(storage)  # an SQLite file's path as its URL, as analyze reads it
    if (database := sqlite_file(storage)) is not None:
        refuse_own_file(folder, database, "storage")
    name = study_name or folder.resolve().name
    trials, objective = study_trials(folder)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        existing = optuna.study.get_all_study_names(storage)
        if name in existing and not force:
            raise UserInputError(
                f"{{storage}} {storage} already holds a study named {name!r}: give another "
                "{study_name}, or {force} to replace it",
                "storage", "study_name", "force",
            )  # fmt: skip
        if name in existing:
            optuna.delete_study(study_name=name, storage=storage)
        study = optuna.create_study(storage=storage, study_name=name,
                                    direction=objective.goal.direction)  # fmt: skip
    except (ValueError, ImportError, optuna.exceptions.OptunaError, SQLAlchemyError) as error:
        if isinstance(error, UserInputError):
            raise
        reason = str(error).splitlines()[0]
        raise UserInputError(f"cannot use the Optuna {{storage}} {storage}: {reason} (e.g. "
                             "sqlite:///study.db)", "storage") from None  # fmt: skip
    study.set_user_attr("h2osweep_folder", str(folder))
    study.set_user_attr("metric", objective.metric)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.set_metric_names([objective.metric])  # what the dashboard calls the value
    study.add_trials(trials)
    return name


def export_csv(folder, path) -> Path:
    """The W&B-style flat table: Name, State, Runtime, then every hyperparameter (lists as
    JSON) and every metric, one row per run; written atomically."""
    path = Path(path)
    refuse_own_file(folder, path, "csv")
    results = read_results(folder)
    flat = pd.DataFrame(
        {
            "Name": results["name"],
            "State": [WANDB_STATES.get(s, "failed") for s in results["status"]],
            "Runtime": results.get("build_seconds"),
        }
    )
    skip = set(LEADING) | set(TRAILING)
    rest = results[[c for c in results.columns if c not in skip]]
    out = pd.concat([flat, rest], axis=1)
    try:
        write_atomic(path, out.to_csv(index=False, lineterminator="\n"))
    except OSError as error:
        raise UserInputError(f"cannot write {{csv}} {path}: {error.strerror}", "csv") from None
    return path


def refuse_own_file(folder, path: Path, parameter: str) -> None:
    """Refuse to write an export over one of the sweep folder's own files (its store and the
    store's log, its Optuna study, its description, its results table, its lock) or over what
    its commands wrote there (a report, its tables and figures, optimize's comparisons)."""
    from h2osweep.report.outputs import REPORT_FILES

    folder = Path(folder)
    own = [folder / name for name in (*STORE_FILES, LOCK, STUDY_FILE)]
    own += [file for pattern in (*SWEEP_OUTPUTS, *REPORT_FILES) for file in folder.glob(pattern)]
    if any(_same_file(path, file) or file.resolve() in path.resolve().parents for file in own):
        raise UserInputError(
            f"{{{parameter}}} {path} is one of the sweep's own files: write the export elsewhere",
            parameter,
        )


def _same_file(path: Path, file: Path) -> bool:
    if path.exists() and file.exists():
        return os.path.samefile(path, file)  # hard links, case-insensitive file systems
    return path.resolve() == file.resolve()

"""Best-so-far curves: the best metric after each run, one curve per strategy (for the report)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from h2osweep.errors import StoreError, UserInputError
from h2osweep.record.goal import BestSoFar, Goal, Objective
from h2osweep.record.runs import OK
from h2osweep.store.results_store import read_definition, read_results


def best_so_far(results: pd.DataFrame, metric: str = "test_mse", goal: str = "min") -> pd.DataFrame:
    """Columns strategy, run (1-based, in table order) and best (NaN until a run succeeds).

    Rows are grouped by a `strategy` column when the table has one (see `results_by_strategy`),
    else the whole table is one curve named 'sweep'. Failed runs, and a multi-fidelity sweep's
    lower rungs (a model trained less never competes), keep the previous best.

    >>> table = pd.DataFrame({"test_mse": [0.3, None, 0.1, 0.2]})
    >>> best_so_far(table)["best"].tolist()
    [0.3, 0.3, 0.1, 0.1]
    """
    if metric not in results.columns:
        raise UserInputError(f"the results have no column {metric!r}")
    goal = Goal.parse(goal)
    strategies = results["strategy"] if "strategy" in results.columns else "sweep"
    values = results[metric].astype(float).where(competing(results, strategies))
    table = pd.DataFrame({"strategy": strategies, "value": values})
    groups = table.groupby("strategy", sort=False)["value"]
    best = goal.running_best(groups)
    best = best.groupby(table["strategy"], sort=False).ffill()
    curve = pd.DataFrame(
        {"strategy": table["strategy"], "run": groups.cumcount() + 1, "best": best}
    )
    return curve.reset_index(drop=True)


def competing(results: pd.DataFrame, strategies: pd.Series | str = "sweep") -> pd.Series:
    """The runs that may be the best: finished, and of a multi-fidelity sweep (per strategy)
    only its top rung (a model trained less never competes)."""
    ok = results["status"] == OK if "status" in results.columns else pd.Series(True, results.index)
    if "budget" not in results.columns:
        return ok
    budget = pd.to_numeric(results["budget"], errors="coerce")
    groups = (
        strategies if isinstance(strategies, pd.Series) else pd.Series(strategies, results.index)
    )
    top = budget.groupby(groups, sort=False).transform("max")
    return ok & (budget.isna() | (budget == top))


def selected_so_far(results: pd.DataFrame, selection: Objective, target: str) -> pd.DataFrame:
    """The target of the run that is best so far on the selection metric, after each run: what
    a sweep that selects on, say, valid_mse would report for test_mse (strategy, run, best)."""
    chooser = BestSoFar(selection.goal)
    ok = competing(results)
    chosen, shown = [], math.nan
    for position, (value, wanted, usable) in enumerate(
        zip(results[selection.metric], results[target], ok, strict=True)
    ):
        if usable and chooser.update(float(value), str(position)):
            shown = float(wanted)
        chosen.append(shown)
    label = f"{target} of the best-{selection.metric} run"
    return pd.DataFrame({"strategy": label, "run": range(1, len(chosen) + 1), "best": chosen})


def results_by_strategy(folders: Iterable[Path]) -> pd.DataFrame:
    """The results of several sweep folders stacked, with each sweep's strategy as a column.

    A strategy met in more than one folder is labelled `<strategy> (<folder name>)`.
    """
    folders = [Path(folder) for folder in folders]
    labels = [_strategy(folder) for folder in folders]
    tables = []
    for folder, label in zip(folders, labels, strict=True):
        name = label if labels.count(label) == 1 else f"{label} ({folder.name})"
        tables.append(read_results(folder).assign(strategy=name))
    if not tables:
        raise UserInputError("give at least one sweep folder")
    return pd.concat(tables, ignore_index=True)


def _strategy(folder: Path) -> str:
    """The sweep's strategy from its definition; a bare folder of results is named 'sweep'."""
    try:
        return read_definition(folder)["strategy"]
    except (StoreError, KeyError, TypeError):
        return "sweep"

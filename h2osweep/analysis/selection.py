"""What chose the winner of a sweep and how honest its figure is: the selection metric, the
winner's held-out test figure, and the optimism of the figure that chose it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from h2osweep.analysis.preprocess import Prepared
from h2osweep.record.columns import SELECTION_PARTS, on_test, part_of
from h2osweep.record.goal import Goal


@dataclass(frozen=True)
class Selection:
    """The winner of `runs` runs by `metric`, with the same metric on the test part."""

    metric: str
    goal: Goal
    runs: int
    winner: str
    value: float
    test_metric: str
    test_value: float

    @property
    def on_test(self) -> bool:
        """Whether the test part itself chose (the lecture's practice)."""
        return part_of(self.metric) == "test"

    @property
    def optimism(self) -> float:
        """How much better the choosing figure looks than the held-out one (> 0: optimistic)."""
        return self.goal.loss(self.test_value) - self.goal.loss(self.value)


def selection(prepared: Prepared) -> Selection | None:
    """The sweep's selection, when its target is a metric measured on a part that chooses."""
    target = prepared.target
    if "_" not in target or part_of(target) not in SELECTION_PARTS:
        return None
    test_metric = on_test(target)
    i = prepared.best_position()
    row = prepared.rows.iloc[i]
    test_value = float(row[test_metric]) if test_metric in row.index else math.nan
    label = str(prepared.labels.iloc[i])
    value = float(prepared.y[i])
    runs = prepared.contending
    return Selection(target, prepared.goal, runs, label, value, test_metric, test_value)


TOP_RUNS = 10


def top_runs(prepared: Prepared, count: int = TOP_RUNS) -> pd.DataFrame:
    """The best `count` runs that may win, best first: run, the target, its test figure where
    the table has one, and how far each is behind the winner (in the target's units)."""
    order = np.argsort([prepared.goal.loss(v) for v in prepared.y], kind="stable")
    if prepared.contenders is not None:
        order = [i for i in order if prepared.contenders[i]]
    order = [i for i in order if np.isfinite(prepared.y[i])][:count]
    target = prepared.target
    table = pd.DataFrame({"run": prepared.labels.iloc[order].astype(str).to_numpy()})
    table[target] = prepared.y[order]
    table["behind the best"] = np.abs(prepared.y[order] - prepared.y[order[0]]) if order else []
    test = on_test(target)
    if test and test != target and test in prepared.rows.columns:
        table[test] = pd.to_numeric(prepared.rows[test], errors="coerce").to_numpy()[order]
    return table


def selection_sentences(chosen: Selection, retrained_test: float | None = None) -> list[str]:
    """The report's account of the choice: what chose, the held-out estimate, the optimism."""
    first = f"Chosen on {chosen.metric} over {chosen.runs} runs: {chosen.winner}"
    again = (
        f" Retrained with another seed, the same configuration scores {chosen.test_metric} "
        f"{retrained_test:.4g}."
        if retrained_test is not None and math.isfinite(retrained_test)
        else ""
    )
    if chosen.on_test:
        return [
            f"{first} with {chosen.metric} {chosen.value:.4g}, as the lecture chooses. That "
            f"figure is the best of {chosen.runs} on the very set that chose it, so it is "
            f"optimistic.{again}"
        ]
    if not math.isfinite(chosen.test_value):
        return [f"{first} with {chosen.metric} {chosen.value:.4g}.{again}"]
    return [
        f"{first} with {chosen.metric} {chosen.value:.4g}; its {chosen.test_metric}, "
        f"{chosen.test_value:.4g}, is the held-out estimate (the test part chose nothing).",
        f"Selection optimism (how much better {chosen.metric} looks than {chosen.test_metric}): "
        f"{chosen.optimism:+.4g}.{again}",
    ]

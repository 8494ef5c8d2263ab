"""Which value is better: a `Goal` (min or max), an `Objective` (a metric and its goal), and the
best so far kept as runs arrive. Every "best" in h2osweep is decided here."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd

from h2osweep.record.runs import OK
from h2osweep.validation import invalid

# words in a metric's name that say higher is better, or lower (as H2O, scikit-learn's scorers
# and cv_results_, W&B and the usual papers name them); a lower word wins, and scikit-learn's
# `neg_` scores (`mean_test_neg_log_loss`) are higher-is-better
HIGHER_WORDS = {
    *("r2", "rsquared", "accuracy", "acc", "auc", "aucpr", "auroc", "f1", "precision", "recall"),
    *("score", "reward", "iou", "map", "bleu", "rouge", "ndcg", "mcc", "dice", "top1", "top5"),
}
LOWER_WORDS = {
    *("mse", "rmse", "mae", "loss", "logloss", "error", "deviance", "mape", "perplexity"),
    *("rank", "time", "seconds", "latency", "runtime"),
}


class Goal(str, Enum):
    """Minimise or maximise; compares equal to the strings 'min' and 'max'."""

    MIN = "min"
    MAX = "max"

    @classmethod
    def parse(cls, value: object, name: str = "goal") -> Goal:
        """The goal named by `value` ('min' or 'max'); anything else names the parameter."""
        try:
            return cls(value)
        except ValueError:
            raise invalid(name, "'min' or 'max'", value) from None

    @classmethod
    def natural(cls, metric: str) -> Goal:
        """The goal a metric is read by when none is given: max for R², accuracy, AUC, scores
        and the like (`valid_r2`, W&B's `val/accuracy` or `valAcc`, `f1_macro`, scikit-learn's
        `mean_test_score` and `neg_log_loss`), min for errors, losses, ranks and times."""
        return cls.stated(metric) or cls.MIN

    @classmethod
    def stated(cls, metric: str) -> Goal | None:
        """The goal a metric's name says (see `natural`); None when its name says none."""
        name = re.split(r"[/.]", metric)[-1]
        parts = re.split(r"[_\-\s]+", name)  # each whole (`mAP`) and by its capitals (`valAcc`)
        camel = [w for part in parts for w in re.split(r"(?<=[a-z0-9])(?=[A-Z])", part)]
        words = {w.lower() for w in parts + camel}
        if "neg" in words:
            return cls.MAX
        if words & LOWER_WORDS:
            return cls.MIN
        return cls.MAX if words & HIGHER_WORDS else None

    def __str__(self) -> str:
        return self.value

    @property
    def ascending(self) -> bool:
        """Whether sorting best-first is ascending."""
        return self is Goal.MIN

    @property
    def wording(self) -> str:
        """The goal in words: 'lower is better' or 'higher is better'."""
        return f"{'lower' if self is Goal.MIN else 'higher'} is better"

    @property
    def direction(self) -> str:
        """Optuna's name for the goal."""
        return "minimize" if self is Goal.MIN else "maximize"

    def better(self, value: float, than: float) -> bool:
        """Whether `value` beats `than` strictly (NaN never does)."""
        return value < than if self is Goal.MIN else value > than

    def loss(self, value: float) -> float:
        """The value turned so that lower is always better."""
        return value if self is Goal.MIN else -value

    def best_position(self, values) -> int | None:
        """Position of the best value, first of ties (`which.min` / `which.max`); NaN skipped."""
        array = np.asarray(values, dtype=float)
        if array.size == 0 or np.isnan(array).all():
            return None
        return int(np.nanargmin(array) if self is Goal.MIN else np.nanargmax(array))

    def running_best(self, values):
        """The best value so far at each position of a Series (or of each group of a grouped
        Series); NaN until the first number."""
        return values.cummin() if self is Goal.MIN else values.cummax()


@dataclass(frozen=True)
class Objective:
    """The metric that ranks a sweep's runs, and whether lower or higher is better."""

    metric: str = "test_mse"
    goal: Goal = Goal.MIN

    def __post_init__(self) -> None:
        object.__setattr__(self, "goal", Goal.parse(self.goal))

    def value(self, result) -> float:
        """The metric of a finished run or stored run; NaN for a failed one."""
        return result.metric(self.metric) if result.ok else math.nan

    def best_row(self, table: pd.DataFrame) -> pd.Series | None:
        """The best finished run of a results table (None when none has the metric)."""
        if self.metric not in table.columns:
            return None
        finished = table[(table["status"] == OK) & table[self.metric].notna()]
        position = self.goal.best_position(finished[self.metric])
        return None if position is None else finished.iloc[position]

    def best_of(self, table: pd.DataFrame) -> tuple[float, str] | None:
        """(value, run name) of the best finished run of a results table."""
        row = self.best_row(table)
        return None if row is None else (float(row[self.metric]), str(row["name"]))

    def ranked(self, table: pd.DataFrame) -> pd.DataFrame:
        """The table sorted best first, runs without the metric last."""
        return table.sort_values(self.metric, ascending=self.goal.ascending, na_position="last")


@dataclass
class BestSoFar:
    """The best (value, name) seen so far, updated one run at a time (no table rescans)."""

    goal: Goal = Goal.MIN
    best: tuple[float, str] | None = None

    def update(self, value: float, name: str) -> bool:
        """Consider one run's value; True when it is the new best."""
        if math.isnan(value):
            return False
        if self.best is None or self.goal.better(value, self.best[0]):
            self.best = (value, name)
            return True
        return False

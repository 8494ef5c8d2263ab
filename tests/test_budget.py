"""When a sweep stops early (pure, no H2O): a model count, a wall-clock limit, and patience with
a tolerance, where a gain smaller than the tolerance does not count and a failed run is no run."""

from __future__ import annotations

import math
import time

import pytest

from h2osweep.errors import UserInputError
from h2osweep.sweep import Budget


def _reasons(budget: Budget, losses: list[float]) -> list[str | None]:
    """The reason to stop after each recorded loss."""
    reasons = []
    for loss in losses:
        budget.record(loss)
        reasons.append(budget.reason_to_stop())
    return reasons


def test_patience_stops_when_the_last_runs_gain_less_than_the_tolerance():
    stalled = "no improvement over 0.1 in the last 2 runs"
    # 0.85 beats 1.0 by 0.15; 0.80 and 0.78 beat 0.85 by less than 0.1: stalled then
    assert _reasons(Budget(patience=2, tolerance=0.1), [1.0, 0.85, 0.80, 0.78]) == [
        None,
        None,
        None,
        stalled,
    ]


def test_without_a_tolerance_any_gain_counts():
    assert _reasons(Budget(patience=2), [1.0, 0.85, 0.80, 0.78, 0.79, 0.79]) == [
        *[None] * 5,
        "no improvement over 0 in the last 2 runs",
    ]


def test_a_failed_run_is_not_a_run_without_gain():
    """Counted, the failed run would end the sweep at once; ignored, the next run decides."""
    losses = [1.0, 0.9, 0.95, math.nan, 0.96]
    stalled = "no improvement over 0 in the last 2 runs"
    assert _reasons(Budget(patience=2), losses) == [None, None, None, None, stalled]


def test_max_models_counts_the_models_started():
    budget = Budget(max_models=2)
    budget.record_start()
    assert budget.reason_to_stop() is None
    budget.record_start()
    assert budget.reason_to_stop(lambda name: f"--{name.replace('_', '-')}") == (
        "--max-models 2 reached"
    )


def test_max_runtime_counts_from_the_restart(monkeypatch):
    now = [time.monotonic()]  # a clock the test moves, so a slow machine cannot matter
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    budget = Budget(max_runtime=0.2)
    now[0] += 0.25
    budget.restart()  # training begins: the time spent before does not count
    assert budget.reason_to_stop() is None
    now[0] += 0.25
    assert budget.reason_to_stop() == "max_runtime 0.2 s reached"


def test_a_budget_is_limited_by_any_of_its_limits():
    assert not Budget().limited and not Budget(tolerance=0.5).limited
    assert all(Budget(**{name: 1}).limited for name in ("max_models", "max_runtime", "patience"))


@pytest.mark.parametrize(
    "limits, message",
    [
        ({"patience": 0}, "^patience must be at least 1, but got 0"),
        ({"max_runtime": 0}, "^max_runtime must be a positive number of seconds"),
        ({"tolerance": -1}, "^tolerance must be a finite number, 0 or more, but got -1"),
    ],
)
def test_bad_limits_name_their_parameter(limits, message):
    with pytest.raises(UserInputError, match=message):
        Budget(**limits)

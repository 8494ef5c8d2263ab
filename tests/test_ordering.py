"""Costliest-first starts: the window's order, the cost estimate, and when a sweep reorders."""

from __future__ import annotations

import pytest

from h2osweep.record.runs import RunSpec
from h2osweep.search.fixed import random_plan
from h2osweep.search.optuna.strategy import OptunaSearch
from h2osweep.sweep import Budget
from h2osweep.sweep.engine import reorder_window
from h2osweep.training.ordering import longest_first, network_cost
from h2osweep.training.scheduler import TrainSettings, build_costs


def test_each_start_takes_the_costliest_of_the_next_window():
    costs = {"m0": 1, "m1": 5, "m2": 3, "m3": 4, "m4": 2, "m5": 6}
    specs = [RunSpec(name, {}) for name in costs]
    order = [spec.name for spec in longest_first(specs, 3, lambda spec: costs[spec.name])]
    assert order == ["m1", "m3", "m2", "m5", "m4", "m0"]


def test_network_cost_counts_weights_times_epochs():
    assert network_cost(2, [64, 10, 10]) == 2 * (64 * 10 + 10 * 10)


@pytest.mark.h2o
def test_build_costs_grow_with_the_network_and_is_zero_for_a_refused_config(digits_h2o):
    settings = TrainSettings(epochs=2)
    configs = {"small": {"hidden": [10]}, "large": {"hidden": [100, 100]}, "bad": {"hiddn": [10]}}
    cost = build_costs(digits_h2o, settings)
    small, large, refused = (cost(RunSpec(name, config)) for name, config in configs.items())
    assert 0 < small < large
    assert refused == 0


def test_only_a_sweep_that_trains_its_whole_fixed_plan_is_reordered():
    plan = random_plan([1, 2, 3])
    assert reorder_window(plan, Budget(), parallel=2) == 4
    assert reorder_window(plan, Budget(), parallel=1) == 0
    assert reorder_window(plan, Budget(max_models=2), parallel=2) == 0
    assert reorder_window(plan, Budget(max_runtime=60), parallel=2) == 0
    assert not OptunaSearch.known_in_advance

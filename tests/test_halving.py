"""Successive halving, Hyperband and ASHA as strategies: rungs, promotions, brackets, resuming.

These drive the strategies alone (ask, tell) with results that a known function of each
configuration gives, finishing in a shuffled order as parallel builds do; the training side is
tested on real H2O in test_multifidelity.py.
"""

from __future__ import annotations

import math
import random

import pytest

from h2osweep.errors import UserInputError
from h2osweep.record.goal import Objective
from h2osweep.record.runs import OK, RunResult, StoredRun
from h2osweep.search.base import SearchContext
from h2osweep.search.halving import Asha, Hyperband, SuccessiveHalving, hyperband_sizes
from h2osweep.search.proposers import RandomProposer
from h2osweep.search.rungs import Ladder
from h2osweep.space import LECTURE_SPACE

LADDER = Ladder(1, 9, 3)  # budgets 1, 3, 9


def value(spec) -> float:
    """A made-up validation MSE: better with l1 near 0.005 and more epochs."""
    return abs(spec.config["l1"] - 0.005) + 1.0 / spec.budget


def drive(strategy, parallel=3, seed=0, stop_after=None, stored=()):
    """Ask and tell until done (or `stop_after` results): the results told, in order."""
    strategy.start(SearchContext(None, Objective("valid_mse"), "x", list(stored)))
    rng, flight, told = random.Random(seed), [], []
    while not strategy.is_done():
        while len(flight) < parallel and (spec := strategy.ask()) is not None:
            flight.append(spec)
        assert flight, "the strategy waits with nothing in flight"
        spec = flight.pop(rng.randrange(len(flight)))
        result = RunResult(spec, OK, {"valid_mse": value(spec)})
        strategy.tell(result)
        told.append(result)
        if stop_after is not None and len(told) == stop_after:
            break
    return told


def stored_of(results) -> list[StoredRun]:
    return [
        StoredRun(r.name, r.status, r.metrics, r.spec.rung, r.spec.config, r.spec.seed)
        for r in results
    ]


def test_the_ladder_ends_at_the_full_budget():
    assert Ladder(1, 9, 3).budgets == (1.0, 3.0, 9.0)
    assert Ladder(1, 27, 3).budgets == (1.0, 3.0, 9.0, 27.0)
    assert Ladder(2, 10, 2).budgets == (2.0, 4.0, 8.0, 10.0)
    with pytest.raises(UserInputError, match=r"^min_budget equals max_budget \(5\): a single"):
        Ladder(5, 5, 3)  # one rung: nothing to halve, a random search in disguise


def test_a_fractional_rung_budget_is_refused():
    with pytest.raises(UserInputError, match=r"^min_budget must be a whole number .* 0.5$"):
        Ladder(0.5, 9, 3)


def test_only_a_configuration_trained_on_the_rung_below_continues_a_model():
    told = drive(Hyperband(LADDER, 30, RandomProposer(LECTURE_SPACE, 1)))
    first_rung = {}
    for result in told:
        spec = result.spec
        first_rung.setdefault(spec.name, spec.rung)
        assert spec.climbs == (spec.rung > first_rung[spec.name])
    assert any(r.spec.climbs for r in told) and any(r.spec.rung and not r.spec.climbs for r in told)


def test_asha_counts_at_least_what_it_trains():
    def asha():
        return Asha(LADDER, 27, RandomProposer(LECTURE_SPACE, 1))

    strategy = asha()
    told = drive(strategy, parallel=3)
    assert strategy.total == len(told) > 27 + 9 + 3  # more than synchronous halving's count
    resumed = asha()
    resumed.start(SearchContext(None, Objective("valid_mse"), "x", stored_of(told[:20])))
    assert resumed.total > 20  # what is stored, and one to come


def test_successive_halving_keeps_the_best_third_of_each_complete_rung():
    told = drive(SuccessiveHalving(LADDER, 9, RandomProposer(LECTURE_SPACE, 1)))
    by_rung = {rung: [r for r in told if r.spec.rung == rung] for rung in range(3)}
    assert [len(by_rung[rung]) for rung in range(3)] == [9, 3, 1]
    first = sorted(by_rung[0], key=lambda r: r.metrics["valid_mse"])
    assert {r.name for r in by_rung[1]} == {r.name for r in first[:3]}
    assert [r.spec.budget for r in told] == sorted(r.spec.budget for r in told)  # synchronous
    assert by_rung[2][0].spec.final and not any(r.spec.final for r in by_rung[0])
    assert {r.name for r in by_rung[0]} == {f"m_{seed}" for seed in range(1, 10)}


def test_hyperband_runs_the_textbook_brackets_one_after_another():
    assert hyperband_sizes(LADDER, 17) == [(9, 0), (5, 1), (3, 2)]
    strategy = Hyperband(LADDER, 17, RandomProposer(LECTURE_SPACE, 1))
    told = drive(strategy)
    assert len(told) == strategy.total == 13 + 5 + 1 + 3
    assert len({r.name for r in told}) == 17
    assert sum(r.spec.final for r in told) == 1 + 1 + 3


@pytest.mark.parametrize(("build", "n_runs"), [(SuccessiveHalving, 8), (Hyperband, 10)])
def test_a_bracket_that_brings_no_configuration_to_the_top_is_refused(build, n_runs):
    with pytest.raises(UserInputError, match="fewer than one at the top"):
        build(LADDER, n_runs, RandomProposer(LECTURE_SPACE, 1))


@pytest.mark.parametrize(
    ("ladder", "fewest"), [(Ladder(1, 3), 5), (LADDER, 17), (Ladder(1, 9, 2), 43)]
)
def test_hyperband_asks_for_the_fewest_configurations_it_needs_in_all(ladder, fewest):
    Hyperband(ladder, fewest, RandomProposer(LECTURE_SPACE, 1))  # every bracket reaches the top
    with pytest.raises(UserInputError, match=f"give n_runs of at least {fewest}$"):
        Hyperband(ladder, fewest - 1, RandomProposer(LECTURE_SPACE, 1))


def test_asha_promotes_without_waiting_for_a_rung_to_complete():
    strategy = Asha(LADDER, 27, RandomProposer(LECTURE_SPACE, 1))
    told = drive(strategy, parallel=3, seed=4)
    rungs = [r.spec.rung for r in told]
    assert rungs.count(0) == 27 and 0 < rungs.count(2) <= rungs.count(1) // 3 + 1
    first_promotion = rungs.index(1)
    assert first_promotion < 27  # before the first rung is complete
    assert len(told) == len({(r.name, r.spec.rung) for r in told})  # no rung trained twice


@pytest.mark.parametrize(
    "build",
    [
        lambda p: SuccessiveHalving(LADDER, 9, p),
        lambda p: Hyperband(LADDER, 17, p),
        lambda p: Asha(LADDER, 12, p),
    ],
)
@pytest.mark.parametrize("cut", [1, 5, 11])
def test_a_resumed_search_trains_only_what_the_store_lacks(build, cut):
    whole = drive(build(RandomProposer(LECTURE_SPACE, 1)), parallel=1)
    first = drive(build(RandomProposer(LECTURE_SPACE, 1)), parallel=1, stop_after=cut)
    rest = drive(build(RandomProposer(LECTURE_SPACE, 1)), parallel=1, stored=stored_of(first))
    runs = [(r.name, r.spec.rung) for r in first + rest]
    assert len(runs) == len(set(runs))  # nothing stored is trained again
    assert sorted(runs) == sorted((r.name, r.spec.rung) for r in whole)


def test_failed_rungs_never_climb():
    strategy = SuccessiveHalving(LADDER, 9, RandomProposer(LECTURE_SPACE, 1))
    strategy.start(SearchContext(None, Objective("valid_mse"), "x", []))
    specs = [strategy.ask() for _ in range(9)]
    for i, spec in enumerate(specs):
        metric = math.nan if i < 7 else value(spec)
        strategy.tell(RunResult(spec, OK if i >= 7 else "failed", {"valid_mse": metric}))
    promoted = [strategy.ask(), strategy.ask()]
    assert {s.name for s in promoted if s} <= {specs[7].name, specs[8].name}


def test_tpe_starts_from_the_priors_then_models_the_rungs():
    from h2osweep.search.optuna.samplers import STARTUP_TRIALS
    from h2osweep.search.proposers import TPEProposer

    told = drive(Asha(LADDER, 30, TPEProposer(LECTURE_SPACE, 7)), parallel=2, seed=1)
    configs = {r.spec.position: r.spec.config for r in told if r.spec.rung == 0}
    prior = RandomProposer(LECTURE_SPACE, 7)
    assert all(
        configs[i] == prior.propose(i, [], None)[0] for i in range(STARTUP_TRIALS)
    )  # R-exact start
    later = [configs[i] for i in range(STARTUP_TRIALS, 30)]
    assert any(
        config != prior.propose(i + STARTUP_TRIALS, [], None)[0] for i, config in enumerate(later)
    )
    assert all(len(c["neurons"]) == c["depth"] == len(c["hidden_dropout"]) for c in later)
    assert all(c["SumNeurons"] == sum(c["neurons"]) for c in later)

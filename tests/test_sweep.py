"""The sweep engine on the session's H2O: results table, resume, parallel = sequential, budget."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict

import pandas as pd
import pytest

from h2osweep.cluster import ClusterOptions, free_port_pair
from h2osweep.errors import StoreError, UserInputError
from h2osweep.record.columns import METRIC_COLUMNS
from h2osweep.record.goal import Objective
from h2osweep.record.runs import OK, RunResult, RunSpec
from h2osweep.search.fixed import grid_plan, random_plan
from h2osweep.space import expand_grid, sample_params
from h2osweep.store.results_store import open_store, read_confusion
from h2osweep.sweep import Budget, SweepOptions, run_sweep, sweep_definition
from h2osweep.sweep.progress import Progress
from h2osweep.training import flight, jobs
from h2osweep.training.jobs import (
    MAX_POLL_SECONDS,
    MIN_POLL_SECONDS,
    poll_delay,
    time_left_before_a_step,
    time_left_of,
)
from h2osweep.training.scheduler import TrainSettings

SEEDS = [403, 10, -7, 2147483647]


def _sweep(h2o_cluster, digits_local, plan, out, parallel=2, epochs=1, **options):
    return run_sweep(
        plan,
        digits_local,
        TrainSettings(epochs=epochs),
        SweepOptions(out, parallel=parallel, quiet=True, **options),
        ClusterOptions(url=h2o_cluster.url),
    )


@pytest.fixture(scope="module")
def parallel_sweep(h2o_cluster, digits_local, tmp_path_factory):
    out = tmp_path_factory.mktemp("parallel")
    summary = _sweep(h2o_cluster, digits_local, random_plan(SEEDS), out, parallel=2)
    return out, summary


def test_results_csv_has_one_ok_row_per_seed_with_lecture_columns(parallel_sweep):
    out, summary = parallel_sweep
    assert (summary.trained, summary.failed, summary.skipped) == (4, 0, 0)
    table = pd.read_csv(out / "results.csv")
    assert list(table["name"]) == [f"m_{seed}" for seed in SEEDS]
    assert set(table["status"]) == {"ok"}
    for column in [
        "seed",
        "l1",
        "l2",
        "input_dropout",
        "rho",
        "epsilon",
        "neurons",
        "hidden_dropout",
        "depth",
        "SumNeurons",
        "MeanHiddenDropout",
        *METRIC_COLUMNS,
        "build_seconds",
        "model_id",
    ]:
        assert column in table.columns, column
    drawn = sample_params(403)
    row = table.iloc[0]
    assert json.loads(row["neurons"]) == drawn["neurons"]
    assert row["l1"] == drawn["l1"] and row["SumNeurons"] == sum(drawn["neurons"])
    assert table["test_mse"].between(0, 1).all()


def test_store_keeps_confusion_matrices_and_the_definition(parallel_sweep, digits_local):
    out, _ = parallel_sweep
    description = json.loads((out / "sweep.json").read_text())
    assert description["definition"]["data"]["fingerprint"] == digits_local.fingerprint()
    assert description["definition"]["strategy"] == "random"
    assert description["versions"]["h2o"]
    plan = random_plan(SEEDS)
    definition = sweep_definition(plan, TrainSettings(epochs=1), digits_local, Objective())
    confusion = read_confusion(out, "m_403")["test"]
    assert confusion.to_numpy().sum() == len(digits_local.test)
    with open_store(out, definition) as store:
        assert set(store.attempts().values()) == {1}


@pytest.mark.parametrize(
    ("labels", "classes"),
    [
        (lambda digit: "high" if digit >= 5 else "low", ["high", "low"]),
        (lambda digit: digit + 0.5, None),
    ],
)
def test_two_classes_and_a_regression_sweep_like_ten_classes(
    h2o_cluster, digits_local, tmp_path, labels, classes
):
    """A CSV with a yes/no target or a numeric one: every run ok, confusion matrices to match."""
    from h2osweep.data import load_data

    table = pd.concat([digits_local.train, digits_local.test]).iloc[:600]
    table = table.assign(label=table["label"].astype(int).map(labels))
    table.to_csv(tmp_path / "data.csv", index=False)
    local = load_data(str(tmp_path / "data.csv"), target="label")
    _sweep(h2o_cluster, local, random_plan([2, 3]), tmp_path / "out")
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(results["status"]) == ["ok", "ok"], results.get("error")
    confusion = read_confusion(tmp_path / "out", "m_2").get("test")
    if classes is None:
        assert confusion is None and results["test_logloss"].isna().all()
    else:
        assert list(confusion.index) == classes and confusion.to_numpy().sum() == len(local.test)


def test_parallel_and_sequential_give_identical_metrics(
    parallel_sweep, h2o_cluster, digits_local, tmp_path
):
    out, _ = parallel_sweep
    _sweep(h2o_cluster, digits_local, random_plan(SEEDS), tmp_path, parallel=1)
    parallel = pd.read_csv(out / "results.csv").set_index("name")
    sequential = pd.read_csv(tmp_path / "results.csv").set_index("name")
    pd.testing.assert_series_equal(parallel["test_mse"], sequential["test_mse"])
    pd.testing.assert_series_equal(parallel["train_logloss"], sequential["train_logloss"])


def test_rerun_skips_finished_runs_and_adds_new_seeds(
    parallel_sweep, h2o_cluster, digits_local, tmp_path
):
    out = tmp_path / "copy"
    shutil.copytree(parallel_sweep[0], out)  # the module's sweep stays as the others read it
    summary = _sweep(h2o_cluster, digits_local, random_plan([*SEEDS, 5]), out)
    assert (summary.trained, summary.skipped) == (1, 4)
    table = pd.read_csv(out / "results.csv")
    assert list(table["name"])[-1] == "m_5"
    best = table.loc[table["test_mse"].idxmin()]
    assert summary.best == (best["test_mse"], best["name"])  # the sweep's best, not the session's
    nowhere = ClusterOptions(url=f"http://127.0.0.1:{free_port_pair()}")  # no H2O answers there
    options = SweepOptions(out, quiet=True)
    plan = random_plan([*SEEDS, 5])
    again = run_sweep(plan, digits_local, TrainSettings(epochs=1), options, nowhere)
    assert (again.trained, again.skipped, again.best) == (0, 5, summary.best)


def test_results_without_their_store_are_refused_then_moved_aside(tmp_path):
    (tmp_path / "results.csv").write_text("name,test_mse\nm_1,0.5\n")
    definition = {"strategy": "random"}
    with pytest.raises(StoreError, match="has results.csv but no store.sqlite"):
        open_store(tmp_path, definition)
    with open_store(tmp_path, definition, force_new=True) as store:
        assert store.results().empty
    (kept,) = tmp_path.glob("previous-*/results.csv")
    assert kept.read_text() == "name,test_mse\nm_1,0.5\n"


def test_another_definition_is_refused_then_moved_aside(parallel_sweep, h2o_cluster, digits_local):
    out, _ = parallel_sweep
    before = (out / "results.csv").read_bytes()
    with pytest.raises(StoreError, match=r"holds a sweep with other settings \(epochs "):
        _sweep(h2o_cluster, digits_local, random_plan([1]), out, epochs=2)
    assert (out / "results.csv").read_bytes() == before


def test_grid_runs_every_combination_and_records_failures(h2o_cluster, digits_local, tmp_path):
    grid = expand_grid(layers=[1, 2], units=[8], hidden_dropout_ratios=[[0.1]])
    summary = _sweep(h2o_cluster, digits_local, grid_plan(grid), tmp_path)
    table = pd.read_csv(tmp_path / "results.csv")
    assert list(table["name"]) == ["g_1", "g_2"]
    assert list(table["status"]) == ["ok", "failed"]
    assert "hidden_dropout_ratios" in table.loc[1, "error"]
    assert summary.failed == 1 and list(table["depth"]) == [1, 2]


def test_max_models_stops_early(h2o_cluster, digits_local, tmp_path):
    summary = _sweep(
        h2o_cluster,
        digits_local,
        random_plan([1, 2, 3, 4]),
        tmp_path,
        parallel=1,
        budget=Budget(max_models=2),
    )
    assert summary.trained == 2 and "max_models 2" in summary.stop_reason


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: random_plan([1, 1]), "more than once"),
        (lambda: random_plan([2**31]), "seed"),
        (lambda: grid_plan(expand_grid(layerz=[1])), "unknown parameter 'layerz'"),
        (lambda: grid_plan(expand_grid(l1=["abc"])), "'l1' cannot be 'abc'"),
        (lambda: grid_plan(expand_grid(epochs=[-1])), "'epochs' must be a positive number"),
        (lambda: SweepOptions("x", parallel=0), "^parallel must be at least 1"),
        (lambda: Budget(max_models=0), "^max_models must be at least 1"),
    ],
)
def test_plan_mistakes_are_user_errors(build, message):
    with pytest.raises(UserInputError, match=message):
        build()


@pytest.mark.parametrize(
    ("progress", "elapsed", "reached_at", "expected"),
    [
        (0.1, 3.0, 3.0, MAX_POLL_SECONDS),  # 27 s left: seldom
        (0.5, 2.0, 1.2, 0.2),  # half done at 1.2 s: ends near 2.4 s
        (0.5, 2.5, 1.2, MIN_POLL_SECONDS),  # just overdue: often
        (0.5, 3.0, 1.2, 0.3),  # overdue by 0.6 s: the pace misled, it may take as long again
        (1.0, 9.0, 8.95, MIN_POLL_SECONDS),  # last step just came: H2O is finishing, often
        (1.0, 9.8, 9.0, 0.4),  # finishing for 0.8 s: the wait grows with it
    ],
)
def test_polls_follow_the_predicted_end_of_the_soonest_build(
    progress, elapsed, reached_at, expected
):
    assert poll_delay(time_left_of(progress, elapsed, reached_at)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("elapsed", "expected_length", "wait"),
    [
        (0.04, None, MIN_POLL_SECONDS),  # just started, nothing known: look again soon
        (1.2, None, 0.6),  # no step yet: as long again, halved
        (0.04, 1.04, 0.5),  # earlier builds' pace says 1 s left: look at half of it
        (1.6, 2.0, 0.8),  # past half its expected length: as long again, halved
    ],
)
def test_a_build_without_a_step_is_polled_by_its_expected_length(elapsed, expected_length, wait):
    assert poll_delay(time_left_before_a_step(elapsed, expected_length)) == pytest.approx(wait)


def _polled(monkeypatch) -> dict[str, list[dict]]:
    """Every status H2O gave the scheduler, per job, in order (the polls are counted, not
    changed)."""
    seen: dict[str, list[dict]] = defaultdict(list)
    real_status = jobs.job_status

    def noting(key):
        status = real_status(key)
        seen[key].append(status)
        return status

    monkeypatch.setattr(jobs, "job_status", noting)
    return seen


def _new_builds(known: set[str]) -> dict[str, dict]:
    """The DeepLearning jobs on the cluster that are not in `known`, by key."""
    import h2o

    return {
        job["key"]["name"]: job
        for job in h2o.api("GET /3/Jobs")["jobs"]
        if job["key"]["name"] not in known and job["description"] == "DeepLearning"
    }


def _job_keys() -> set[str]:
    import h2o

    return {job["key"]["name"] for job in h2o.api("GET /3/Jobs")["jobs"]}


def test_builds_whose_length_earlier_builds_predict_wait_for_their_first_step(
    digits_h2o, monkeypatch
):
    """Before its first step a build is polled from 50 ms on, ever less often; once one has
    ended, its pace predicts the next builds' length, and they are looked at when a step is due.
    Bounds follow each build's own first-step time, so a busy machine does not break them.
    (The second build starts before the first has ended, so only the later ones know the pace.)"""
    known = _job_keys()
    polled = _polled(monkeypatch)
    config = random_plan([403]).runs[0].config
    runs = [RunSpec(f"pace_{index}", config) for index in range(5)]
    results = flight.train_many(runs, digits_h2o, TrainSettings(epochs=2), parallel=1)
    assert all(result.ok for result in results)
    builds = sorted(_new_builds(known).values(), key=lambda job: job["start_time"])
    assert len(builds) == len(runs)
    stepless, first_step = [], []
    for build in builds:
        statuses = polled[build["key"]["name"]]
        stepless.append(sum(not float(s.get("progress") or 0) for s in statuses))
        first_step.append(next(s["msec"] for s in statuses if float(s.get("progress") or 0)))
    if first_step[0] > 500:  # 50 ms, then half the time elapsed: 6 polls before 0.5 s
        assert stepless[0] >= 3, (stepless, first_step)
    for count, step_msec in zip(stepless[2:], first_step[2:], strict=True):
        # known pace: a look when the step is due, then at most one a second (a pace-less
        # build would be polled ~13 times before a step at 5 s)
        assert count <= 2 + step_msec / 1000, (stepless, first_step)


def test_a_sweep_polls_h2o_sparingly(h2o_cluster, digits_local, tmp_path, monkeypatch):
    """Status requests follow the builds' predicted end: a few per build and about one a second
    of a long one, where a 50 ms loop sends 20 a second (bounded by each build's real length)."""
    known = _job_keys()
    polled = _polled(monkeypatch)
    _sweep(h2o_cluster, digits_local, random_plan(SEEDS), tmp_path, parallel=2)
    builds = _new_builds(known)
    assert set(polled) == set(builds)
    for key, job in builds.items():
        assert 0 < len(polled[key]) <= 15 + 1.5 * job["msec"] / 1000, (len(polled[key]), job)


def test_the_last_result_ends_the_sweep_without_a_wait(digits_h2o, monkeypatch):
    """Once nothing is in flight or being scored there is nothing to poll: no sleep follows."""
    runs = random_plan(SEEDS[:2]).runs
    results = flight.train_many(runs, digits_h2o, TrainSettings(epochs=1), parallel=2)
    assert next(results).ok
    assert next(results).ok
    monkeypatch.setattr(flight.time, "sleep", lambda seconds: pytest.fail(f"slept {seconds} s"))
    with pytest.raises(StopIteration):
        next(results)


def test_an_early_start_never_puts_more_than_one_extra_build_in_flight(digits_h2o):
    """A build predicted to end frees its slot early, but one prediction at a time: with one
    slot, H2O's own job times show at most two builds overlapping."""
    import h2o

    known = {job["key"]["name"] for job in h2o.api("GET /3/Jobs")["jobs"]}
    runs = random_plan([1, 2, 3, 4, 5]).runs
    results = list(flight.train_many(runs, digits_h2o, TrainSettings(epochs=2), parallel=1))
    assert [result.ok for result in results] == [True] * len(runs)
    builds = [
        (job["start_time"], job["start_time"] + job["msec"])
        for job in h2o.api("GET /3/Jobs")["jobs"]
        if job["key"]["name"] not in known and job["description"] == "DeepLearning"
    ]
    assert len(builds) == len(runs)
    assert max(sum(start <= t < end for start, end in builds) for t, _ in builds) <= 2


class _Predicting:
    """A JobWatch stand-in whose predictions say how many builds end soon."""

    def __init__(self, ending: int) -> None:
        self.ending = ending

    def ending_within(self, jobs, seconds) -> int:
        return min(self.ending, len(jobs))


@pytest.mark.parametrize(("ending", "busy"), [(0, 3), (1, 2), (3, 2)])
def test_builds_predicted_to_end_free_one_slot_at_most(ending, busy):
    in_flight = {"job1": None, "job2": None, "job3": None}
    assert flight._busy_slots(in_flight, _Predicting(ending), start_seconds=0.1) == busy


def test_a_run_without_the_metric_never_becomes_the_best(tmp_path):
    """A regression has no logloss: its NaN must not hold the best place against real values."""
    progress = Progress(3, Objective("test_logloss"), quiet=True)
    for name, value in [("m_1", None), ("m_2", 0.4), ("m_3", 0.6)]:
        metrics = {} if value is None else {"test_logloss": value}
        progress.update(RunResult(RunSpec(name, {}), OK, metrics))
    assert progress.best == (0.4, "m_2")


def test_a_lower_rung_never_becomes_the_best_and_the_best_is_named_as_its_row():
    """Only full-budget rungs compete (as in the store), named as results.csv names them."""
    progress = Progress(3, Objective("valid_mse"), quiet=True)
    rungs = [(0, 1.0, False, 0.1), (1, 3.0, True, 0.3), (0, 1.0, False, 0.05)]
    for rung, budget, final, value in rungs:
        spec = RunSpec("m_5", {}, rung=rung, budget=budget, final=final)
        progress.update(RunResult(spec, OK, {"valid_mse": value}))
    assert progress.best == (0.3, "m_5@3")


def test_seeds_added_to_a_sweep_come_after_its_runs(h2o_cluster, digits_local, tmp_path):
    """The README's `--seeds 403 10` then `--n-runs ...`: results.csv keeps the runs in the
    order the sweep gained them, not each session's positions interleaved."""
    tiny = {"epochs": 0.05, "parallel": 1}
    _sweep(h2o_cluster, digits_local, random_plan([403, 10]), tmp_path, **tiny)
    _sweep(h2o_cluster, digits_local, random_plan([1, 403, 2]), tmp_path, **tiny)
    names = list(pd.read_csv(tmp_path / "results.csv")["name"])
    assert names == ["m_403", "m_10", "m_1", "m_2"]


def test_a_resumed_plan_keeps_its_own_positions():
    from h2osweep.search.fixed import placed_after

    runs = random_plan([5, 6, 7]).runs
    assert placed_after(runs, {"m_7": 2}) == runs  # m_7 ended first, then the sweep stopped
    moved = placed_after(runs, {"m_6": 0, "m_9": 1})  # m_9 is not in this plan
    assert [(run.name, run.position) for run in moved] == [("m_5", 2), ("m_6", 0), ("m_7", 3)]

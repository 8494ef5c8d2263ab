"""Run a plan: check the folder, start or reach H2O, upload once, train with several builds in
flight, and commit every finished run to the store before the next one is reported."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import LocalData, upload
from h2osweep.errors import H2OSweepError, UserInputError
from h2osweep.store.results_store import (
    best_run,
    check_folder,
    finished_runs,
    load_results,
    open_store,
)
from h2osweep.store.table import check_metric
from h2osweep.sweep.budget import Budget
from h2osweep.sweep.plans import Plan, definition_id
from h2osweep.sweep.progress import Progress
from h2osweep.training.scheduler import TrainSettings, train_many

GOALS = ("min", "max")


class SweepInterrupted(H2OSweepError):
    """Ctrl-C or SIGTERM: builds in flight were cancelled, finished runs are kept."""

    exit_status = 130


@dataclass
class SweepOptions:
    """Where results go and how the sweep runs (parallel=None: one build per core, plus one)."""

    out: Path
    parallel: int | None = None
    metric: str = "test_mse"
    goal: str = "min"
    quiet: bool = False
    force_new: bool = False
    budget: Budget = field(default_factory=Budget)

    def __post_init__(self) -> None:
        if self.parallel is not None and self.parallel < 1:
            raise UserInputError(f"--parallel must be at least 1, but got {self.parallel}")
        if self.goal not in GOALS:
            raise UserInputError(f"--goal must be 'min' or 'max', but got {self.goal!r}")
        check_metric(self.metric)
        self.budget.goal = self.goal


@dataclass
class SweepSummary:
    """What a sweep command did, for the caller and the final summary line."""

    out: Path
    trained: int
    failed: int
    skipped: int
    best: tuple[float, str] | None
    stop_reason: str | None
    line: str


def run_sweep(
    plan: Plan,
    data: LocalData,
    training: TrainSettings,
    options: SweepOptions,
    cluster: ClusterOptions | None = None,
) -> SweepSummary:
    """Train every run of `plan` not yet finished in `options.out`, storing each as it ends."""
    definition = plan.definition(training.describe(), data.describe())
    check_folder(options.out, definition, force_new=options.force_new)
    if all_done(plan, options):
        return _report_all_done(plan, options)
    training.model_prefix = f"h2osweep_{definition_id(definition)}"
    with (
        H2OCluster(cluster) as h2o_cluster,
        open_store(options.out, definition, force_new=options.force_new) as store,
    ):
        description = h2o_cluster.describe()
        store.record_session(description)
        skipped = plan.done(store.finished())
        todo = max(plan.size - skipped, 0)
        best = store.best(options.metric, options.goal)  # a resume keeps the sweep's best
        progress = Progress(todo, options.metric, options.goal, options.quiet, best=best)
        parallel = options.parallel or default_parallel(description, training.reproducible)
        progress.say(
            f"h2osweep: {todo} of {plan.size} run(s) to train on {description['url']} "
            f"({description['cloud_size']} node(s), {description['cores']} cores, "
            f"{parallel} in flight); results in {options.out}"
        )
        if todo:
            _train(plan, store, upload(data), training, parallel, options, progress)
        stop_reason = options.budget.reason_to_stop() if progress.done < todo else None
        line = progress.summary(skipped, stop_reason)
        progress.say(line)
        return SweepSummary(
            options.out, progress.done, progress.failed, skipped, progress.best, stop_reason, line
        )


def all_done(plan: Plan, options: SweepOptions) -> bool:
    """Whether the folder already holds every run of a plan known in advance (no H2O needed)."""
    if not plan.fixed_in_advance or options.force_new:
        return False
    finished = finished_runs(options.out)
    return bool(finished) and plan.done(finished) >= plan.size


def _report_all_done(plan: Plan, options: SweepOptions) -> SweepSummary:
    """The summary of a resume with nothing left to train, without starting or reaching H2O."""
    best = best_run(load_results(options.out), options.metric, options.goal)
    progress = Progress(0, options.metric, options.goal, options.quiet, best=best)
    progress.say(f"h2osweep: all {plan.size} run(s) are already done in {options.out}")
    line = progress.summary(plan.size, None)
    progress.say(line)
    return SweepSummary(options.out, 0, 0, plan.size, progress.best, None, line)


def default_parallel(cluster: dict, reproducible: bool) -> int:
    """One build per core plus one when builds are single-threaded (reproducible), else one.

    The extra build keeps every core busy while the client polls, starts and scores; measured
    on 2 cores it beat both one build per core and H2OGridSearch (benchmarks/README.md).
    """
    return max(1, int(cluster.get("cores") or 1)) + 1 if reproducible else 1


def reorder_window(plan: Plan, budget: Budget, parallel: int) -> int:
    """How many upcoming runs to choose the costliest from (0: keep the plan's order).

    Only when every run of the plan will be trained: a budget that stops early would otherwise
    keep the costly runs and drop the cheap ones, biasing what a random search samples.
    """
    if not plan.fixed_in_advance or budget.limited or parallel < 2:
        return 0
    return 2 * parallel


def _train(plan, store, h2o_data, training, parallel, options, progress) -> None:
    budget = options.budget
    budget.restart()

    def should_stop() -> bool:
        if budget.reason_to_stop():
            return True
        budget.record_start()
        return False

    try:
        pending = plan.pending(store.finished())
        lookahead = reorder_window(plan, budget, parallel)
        for result in train_many(pending, h2o_data, training, parallel, should_stop, lookahead):
            store.commit(result)
            plan.observe(result)
            budget.record(result.metric(options.metric) if result.ok else math.nan)
            progress.update(result)
    except KeyboardInterrupt as interrupt:
        raise SweepInterrupted(
            f"interrupted: {progress.done} run(s) of this session are stored in {options.out}; "
            "run the same command again to resume"
        ) from interrupt

"""Run a search: check the folder, start or reach H2O, upload once, train with several builds in
flight, and commit every finished run to the store before the strategy learns of it."""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from h2osweep.cluster import ClusterOptions
from h2osweep.data import LocalData
from h2osweep.data.on_cluster import ClusterData
from h2osweep.errors import H2OSweepError, UserInputError
from h2osweep.interrupts import interrupts_held
from h2osweep.pool import ClusterPool
from h2osweep.record.columns import check_measured, check_metric, part_of
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunResult, RunSpec
from h2osweep.search.base import SearchContext, Strategy
from h2osweep.store.results_store import (
    CHECKPOINTS,
    check_folder,
    finished_runs,
    open_store,
    records_sweep,
    resumed_objective,
)
from h2osweep.sweep.budget import Budget
from h2osweep.sweep.progress import Progress
from h2osweep.training.flight import lane_costs, train_on
from h2osweep.training.jobs import cancel_leftovers
from h2osweep.training.ordering import longest_first
from h2osweep.training.parameters import check_on_cluster
from h2osweep.training.preflight import check_builds
from h2osweep.training.scheduler import TrainSettings, check_epochs_once, remove_rung_models
from h2osweep.validation import check_int


class SweepInterrupted(H2OSweepError):
    """Ctrl-C or SIGTERM: builds in flight were cancelled, finished runs are kept."""

    exit_status = 130
    kind = ""  # the message says "interrupted: ..." itself


@dataclass
class SweepOptions:
    """Where results go and how the sweep runs (parallel=None: one build per core, plus one).

    `objective` ranks the runs (the best shown, patience, a model-based search's target; None:
    what a resumed folder records, else MSE on the validation part when the data has one, else
    cross-validated when the training cross-validates, else on test as the lecture does);
    `spell` names a parameter in what the sweep prints (the CLI passes its flags);
    `after_commit`, if given, is called with each result once it is stored (a live report);
    `outputs` are glob patterns of the caller's files in `out`, moved aside with the store by
    `force_new` (the demo's report).
    """

    out: Path
    parallel: int | None = None
    objective: Objective | None = None
    quiet: bool = False
    force_new: bool = False
    budget: Budget = field(default_factory=Budget)
    spell: Callable[[str], str] = str
    after_commit: Callable[[RunResult], None] | None = None
    outputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if self.parallel is not None:
            check_int("parallel", self.parallel, low=1)
        if self.objective is not None:
            check_metric(self.objective.metric)


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


def sweep_definition(
    strategy: Strategy, training: TrainSettings, data: LocalData, objective: Objective
) -> dict:
    """Everything that makes two sweeps comparable: strategy, space, training, data."""
    return {
        "strategy": strategy.kind,
        **strategy.describe(objective),
        "training": training.describe(),
        "data": data.describe(),
    }


def run_sweep(
    strategy: Strategy,
    data: LocalData | ClusterData,
    training: TrainSettings,
    options: SweepOptions,
    cluster: ClusterOptions | None = None,
) -> SweepSummary:
    """Train every run of `strategy` not yet finished in `options.out`, storing each as it ends.

    Data the cluster reads itself is imported first: its fingerprint, which a resume checks,
    comes from the cluster."""
    if isinstance(data, ClusterData):
        with checked_pool(cluster, strategy, training) as pool:
            pool.upload(data)
            return _sweep(strategy, data, training, options, contextlib.nullcontext(pool))
    return _sweep(strategy, data, training, options, checked_pool(cluster, strategy, training))


def _sweep(strategy, data, training, options, connected) -> SweepSummary:
    """The sweep once its data is described: the folder checked, then the pool `connected`."""
    options, definition = checked_folder(strategy, data, training, options)
    if all_done(strategy, options):
        return _report_all_done(strategy, options, definition)
    fresh = options.force_new or not records_sweep(options.out)
    with connected as pool:
        if fresh:  # a resume's values were checked when it started (or trained as they were)
            check_values(pool, strategy, data, training)
        with open_store(
            options.out, definition, force_new=options.force_new, outputs=options.outputs
        ) as store:
            return _sweep_stored(strategy, store, pool, data, training, options)


def checked_folder(strategy, data, training, options) -> tuple[SweepOptions, dict]:
    """The options with their objective checked against the data, and the sweep's definition
    once the folder would take it (nothing is started or written)."""
    check_epochs_once(strategy.example_runs(), training)
    objective = options.objective or _recorded_selection(options, data, training)
    options = replace(options, objective=selection(objective, data, training))
    definition = sweep_definition(strategy, training, data, options.objective)
    check_folder(options.out, definition, force_new=options.force_new)
    return options, definition


def _sweep_stored(strategy, store, pool: ClusterPool, data, training, options) -> SweepSummary:
    """Start the strategy from the store, train what is left, and sum up."""
    context = SearchContext(options.out, options.objective, store.sweep_id, store.stored_runs())
    strategy.start(context)  # may refuse the folder: nothing is recorded before it agrees
    store.record_session(pool.describe())
    replaced = store.record_selection(options.objective)
    todo = max(strategy.total - strategy.ended, 0)
    best = store.best(options.objective)  # a resume keeps the sweep's best
    progress = Progress(todo, options.objective, options.quiet, best=best)
    _say_reranked(progress, replaced, options.objective)
    slots_of = functools.partial(builds_in_flight, options.parallel, training)
    for line in _opening_lines(todo, strategy, pool, slots_of, options.out):
        progress.say(line)
    if todo:
        training = replace(
            training,
            model_prefix=f"h2osweep_{store.sweep_id}",
            checkpoints=options.out / CHECKPOINTS,
        )
        pool.each(lambda: cancel_leftovers(f"{training.model_prefix}_"))  # a killed session's
        pool.upload(data)
        progress.lanes = pool.lanes(slots_of)
        _train(strategy, store, progress.lanes, training, options, progress)
        if strategy.is_done():  # else a resume continues from the lower rungs' models
            pool.each(lambda: remove_rung_models(training))
    stopped = options.budget.reason_to_stop(options.spell) if progress.done < todo else None
    line = progress.summary(strategy.ended, stopped)
    progress.say(line)
    return SweepSummary(
        options.out,
        progress.done,
        progress.failed,
        strategy.ended,
        progress.best,
        stopped,
        line,
    )


@contextlib.contextmanager
def checked_pool(
    cluster: ClusterOptions | None, strategy: Strategy, training: TrainSettings
) -> Iterator[ClusterPool]:
    """The connected cluster(s), once the model builder of the sweep's algorithm has taken
    every parameter and value of the sweep (refused before the store writes anything)."""
    with ClusterPool(cluster) as pool:
        with pool.first.active():
            check_on_cluster(strategy.parameter_values(), training.algorithm)
        yield pool


def check_values(pool: ClusterPool, strategy: Strategy, data, training: TrainSettings) -> None:
    """Refuse, before a new sweep writes anything, a value the model builder refuses in the
    sweep's runs (asked of one cluster, with the data there; a pool that loses it meanwhile
    goes on unchecked without it, as after a lost upload)."""
    member = pool.first

    def check() -> None:
        member.upload(data)
        with member.active():
            check_builds(strategy.example_runs(), member.data, training)

    pool.run_or_lose(member, "the parameter check", check)


def _opening_lines(todo: int, strategy, pool: ClusterPool, slots_of, out: Path) -> list[str]:
    """What the sweep will do and where: one line, and one per cluster of a pool."""
    reachable = [member.facts for member in pool.reachable]
    floor = "at least " if strategy.grows else ""  # ASHA promotes as results arrive
    lines = [
        f"h2osweep: {floor}{todo} of {strategy.total} run(s) to train on "
        f"{_where(pool.describe(), sum(map(slots_of, reachable)))}; results in {out}"
    ]
    if pool.pooled:
        for member in pool.members:
            if member.facts is None:
                why = pool.unreachable.get(member.name, "")
                lines.append(f"  {member.name}: does not answer ({why}); it joins when it does")
            else:
                lines.append(f"  {_where(member.facts, slots_of(member.facts))}")
    return lines


def _where(facts: dict, in_flight: int) -> str:
    return (
        f"{facts['url']} ({facts['cloud_size']} node(s), {facts['cores']} cores, "
        f"{in_flight} in flight)"
    )


def _recorded_selection(options: SweepOptions, data, training) -> Objective | None:
    """What a resumed folder ranks its runs by, when this session asks for nothing else and
    the sweep measures it (a logloss sweep resumed without its metric stays a logloss sweep)."""
    recorded = resumed_objective(options.out, options.force_new)
    if recorded is None:
        return None
    try:
        return selection(recorded, data, training)
    except UserInputError:
        return None  # another sweep's selection: the folder check says what differs


def selection(objective: Objective | None, data: LocalData, training: TrainSettings) -> Objective:
    """The objective that ranks the runs, checked against what the sweep measures."""
    if objective is None:
        part = "valid" if data.valid is not None else "xval" if training.nfolds else "test"
        return Objective(f"{part}_mse")
    check_measured(objective.metric, data.classification)
    part = part_of(objective.metric)
    if part == "valid" and data.valid is None:
        raise UserInputError(
            "{select_on} valid needs a validation part: give {valid_fraction} or {valid}",
            "select_on",
            "valid_fraction",
            "valid",
        )
    if part == "xval" and not training.nfolds:
        raise UserInputError("{select_on} xval needs {nfolds}", "select_on", "nfolds")
    return objective


def all_done(strategy: Strategy, options: SweepOptions) -> bool:
    """Whether the folder already holds every run of a plan known in advance (no H2O needed)."""
    if options.force_new:
        return False
    finished = finished_runs(options.out)
    return bool(finished) and strategy.already_done(finished)


def _say_reranked(progress: Progress, replaced: Objective | None, now: Objective) -> None:
    """Say that the folder's runs are ranked otherwise from now on (show, analyze, optimize)."""
    if replaced is not None:
        progress.say(
            f"h2osweep: the runs are ranked by {now.metric} ({now.goal}) from now on, where "
            f"this folder ranked them by {replaced.metric} ({replaced.goal})"
        )


def _report_all_done(strategy: Strategy, options: SweepOptions, definition: dict) -> SweepSummary:
    """The summary of a resume with nothing left to train, without starting or reaching H2O
    (opening the store still repairs a results.csv that a crash left behind, and the objective
    asked for is recorded: it ranks the runs from now on)."""
    with open_store(options.out, definition) as store:
        replaced = store.record_selection(options.objective)
        best = store.best(options.objective)
    progress = Progress(0, options.objective, options.quiet, best=best)
    _say_reranked(progress, replaced, options.objective)
    progress.say(f"h2osweep: all {strategy.total} run(s) are already done in {options.out}")
    line = progress.summary(strategy.total, None)
    progress.say(line)
    return SweepSummary(options.out, 0, 0, strategy.total, progress.best, None, line)


def builds_in_flight(parallel: int | None, training: TrainSettings, cluster: dict) -> int:
    """A cluster's slots: the `parallel` asked for (per cluster), else its default."""
    return parallel or default_parallel(cluster, training)


def default_parallel(cluster: dict, training: TrainSettings) -> int:
    """One build per core plus one when builds are single-threaded (reproducible), else one.

    The extra build keeps every core busy while the client polls, starts and scores; measured
    on 2 cores it beat both one build per core and H2OGridSearch (benchmarks/README.md).
    """
    return max(1, int(cluster.get("cores") or 1)) + 1 if training.reproducible else 1


def reorder_window(strategy: Strategy, budget: Budget, parallel: int) -> int:
    """How many upcoming runs to choose the costliest from (0: keep the strategy's order).

    Only when every run of a plan known in advance will be trained: a budget that stops early
    would otherwise keep the costly runs and drop the cheap ones, biasing what a random search
    samples.
    """
    if not strategy.known_in_advance or budget.limited or parallel < 2:
        return 0
    return 2 * parallel


def proposals(strategy: Strategy, budget: Budget) -> Iterator[RunSpec | None]:
    """The strategy's runs as the scheduler pulls them (None: wait for a result); each run
    handed out counts as a model started."""
    while not strategy.is_done():
        with interrupts_held():  # a proposal is recorded whole (an Optuna trial and its run)
            spec = strategy.ask()
        if spec is not None:
            budget.record_start()
        yield spec


def _train(strategy, store, lanes, training, options, progress) -> None:
    budget, objective = options.budget, options.objective
    budget.restart()
    runs = proposals(strategy, budget)
    window = reorder_window(strategy, budget, sum(lane.slots for lane in lanes))
    if window:
        runs = longest_first(runs, window, lane_costs(lanes, training))
    committed = 0
    try:
        stop = budget.reason_to_stop
        for result in train_on(lanes, runs, training, stop, say=progress.say):
            with interrupts_held():  # stored and told together, or neither
                store.commit(result)
                committed += 1
                strategy.tell(result)
            value = objective.value(result) if result.spec.final else math.nan
            budget.record(objective.goal.loss(value) if not math.isnan(value) else math.nan)
            left = strategy.total - strategy.ended  # ASHA's grows, and is exact once done
            progress.total = left if strategy.is_done() else max(progress.total, left)
            progress.update(result)
            if options.after_commit:
                options.after_commit(result)
    except KeyboardInterrupt as interrupt:
        raise SweepInterrupted(
            f"interrupted: {committed} run(s) of this session are stored in {options.out}; "
            "run the same command again to resume"
        ) from interrupt

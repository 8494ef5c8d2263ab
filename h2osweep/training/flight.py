"""Train many models with several builds in flight on one cluster or a pool, refilling a slot as
one ends.

H2O's non-blocking `start()` is used instead of a grid, so that every finished model is stored
at once, every run keeps a seed of its own, and a failed model is recorded without stopping the
others. A finished model is fetched and scored on a worker thread while the main loop keeps the
slots full: the client's work per model then overlaps the builds instead of idling a slot. In
a pool, `placement.Placement` says which cluster builds what; a cluster that stops answering
gives its builds back to the others, and rejoins when it answers again.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures

from h2osweep.data import H2OData
from h2osweep.errors import ClusterLostError
from h2osweep.interrupts import raise_if_interrupted
from h2osweep.record.runs import RunResult, RunSpec
from h2osweep.training import jobs
from h2osweep.training.placement import Lane, Placement
from h2osweep.training.scheduler import (
    Build,
    TrainSettings,
    build_costs,
    finish_build,
    model_id_for,
    start_build,
)

REJOIN_SECONDS = 3.0  # the first wait before a lost cluster is asked whether it answers again
MAX_REJOIN_SECONDS = 60.0  # the wait doubles after each try, up to this


class CurrentCluster:
    """The h2o client's current connection as the only lane's cluster (one-cluster callers)."""

    name = "cluster"

    def __init__(self, data: H2OData) -> None:
        self.data = data

    def active(self):
        return contextlib.nullcontext()

    bound = active

    def answers(self) -> bool:
        return False


def train_one(spec: RunSpec, data: H2OData, settings: TrainSettings) -> RunResult:
    """Train a single model and wait for it (the lecture's run() body)."""
    (result,) = train_many([spec], data, settings, parallel=1)
    return result


def train_many(
    specs: Iterable[RunSpec | None],
    data: H2OData,
    settings: TrainSettings,
    parallel: int,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[RunResult]:
    """Yield each run's result soon after its model ends, with `parallel` builds running on the
    h2o client's current cluster."""
    lane = Lane(CurrentCluster.name, parallel, cluster=CurrentCluster(data))
    yield from train_on([lane], specs, settings, should_stop)


def train_on(
    lanes: list[Lane],
    specs: Iterable[RunSpec | None],
    settings: TrainSettings,
    should_stop: Callable[[], bool] = lambda: False,
    say: Callable[[str], None] = lambda text: None,
) -> Iterator[RunResult]:
    """Yield each run's result soon after its model ends, each lane's slots kept busy.

    `specs` is pulled one run at a time, when a slot frees up; a `None` from it means "nothing
    to start until a result arrives" (a strategy waiting for its rungs), and it is pulled again
    after the next result. A build predicted to end before a new one could start no longer
    holds its slot: its successor is submitted early, so the core does not idle while the
    client catches up. A lane whose cluster stops answering gives its builds to the others
    (`say` tells the user); with no lane left, ClusterLostError rises. Whatever ends the loop
    early cancels the builds in flight before it rises.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="h2osweep-scoring") as scorer:
        flight = _Flight(Placement(iter(specs), lanes), settings, should_stop, scorer, say)
        try:
            yield from flight.fill()
            while flight.in_flight or flight.scoring:
                ended, delay = flight.poll()
                flight.score(ended)
                yield from flight.fill()  # the next builds start before the ended ones are scored
                while flight.scoring and flight.scoring[0][0].done():
                    yield from flight.scored()
                    yield from flight.fill()  # what the caller learnt may bring new runs
                if not ended:
                    _wait_for_news(flight.scoring, delay if flight.in_flight else None)
                raise_if_interrupted()  # one a finalizer swallowed
                flight.rejoin_any()
        except BaseException:  # an interrupt, no cluster left, or the caller closing us
            flight.cancel_all()
            raise


def lane_costs(lanes: list[Lane], settings: TrainSettings) -> Callable[[RunSpec], float]:
    """`build_costs` on the first lane that answers (a tree algorithm's defaults come from its
    cluster)."""
    first = next(lane for lane in lanes if not lane.lost and lane.cluster.data is not None)
    with first.cluster.active():
        return build_costs(first.cluster.data, settings)


class _Flight:
    """The builds of one `train_on` call: those in flight on each lane, those being scored, the
    watches that poll them, and how to start the next."""

    def __init__(self, placement: Placement, settings, should_stop, scorer, say) -> None:
        self.placement, self.settings = placement, settings
        self.should_stop, self.scorer, self.say = should_stop, scorer, say
        self.pooled = len(placement.lanes) > 1
        self.cost = lane_costs(placement.lanes, settings)
        self.in_flight: dict[object, Build] = {}  # H2O job -> its build
        self.lane_of: dict[object, Lane] = {}  # H2O job -> the lane it runs on
        self.scoring: deque[tuple[Future, Lane, RunSpec, int]] = deque()  # with the lane's era
        self.watches = {lane: jobs.JobWatch() for lane in placement.lanes}
        self.start_seconds = {lane: jobs.MIN_POLL_SECONDS for lane in placement.lanes}
        self.submitting: tuple[str, Lane] | None = None  # a build's model key while submitted
        self.rejoin_due = dict.fromkeys(placement.lanes, _first_rejoin())  # lane -> (when, wait)
        self.why_not_rejoined: dict[Lane, str] = {}

    def fill(self) -> Iterator[RunResult]:
        """Start builds while a lane has a free slot, not counting those predicted to end
        before a new one could start; yield the runs H2O refused at once."""
        while not self.should_stop():
            choice = self.placement.next(self._free)
            if choice is None:
                return
            spec, lane = choice
            submitted = time.monotonic()
            self.submitting = model_id_for(spec, self.settings), lane
            try:
                with lane.cluster.active():
                    build, failure = start_build(spec, lane.cluster.data, self.settings)
            except ClusterLostError as error:
                self.submitting = None
                self.lose(lane, error, [spec])
                continue
            self.submitting = None  # kept through an interrupt: cancel_all cancels that build
            if failure is not None:
                yield failure
                continue
            self.start_seconds[lane] = time.monotonic() - submitted
            self.placement.started(lane)
            job = build.estimator._job
            self.in_flight[job], self.lane_of[job] = build, lane
            self.watches[lane].expect(job, self.cost(spec))

    def poll(self) -> tuple[list, float]:
        """Poll each lane's jobs that are due: those that ended, and the wait till the next."""
        ended, delays = [], []
        for lane in self.placement.alive():
            lane_jobs = self._jobs_on(lane)
            if not lane_jobs:
                continue
            try:
                with lane.cluster.bound():
                    done, delay = self.watches[lane].poll(lane_jobs)
            except ClusterLostError as error:
                self.lose(lane, error)
                continue
            ended += done
            delays.append(delay)
        return ended, min(delays, default=jobs.MAX_POLL_SECONDS)

    def score(self, ended: list) -> None:
        """Hand the builds that ended to the scoring thread."""
        for job in ended:
            build, lane = self.in_flight.pop(job), self.lane_of.pop(job)
            build.ended = time.monotonic()
            self.placement.ended(build.spec, lane)
            future = self.scorer.submit(self._finish, build, lane, lane.cluster.data)
            self.scoring.append((future, lane, build.spec, lane.era))

    def scored(self) -> Iterator[RunResult]:
        """The oldest scored build's result. A lane lost (or lost and rejoined) since its build
        ended gives the run back unless it was scored in full: its model may be gone."""
        future, lane, spec, era = self.scoring.popleft()
        try:
            result = future.result()
        except ClusterLostError as error:
            if lane.lost or lane.era != era:
                self.placement.given_back.appendleft(spec)
            else:
                self.lose(lane, error, [spec])
            return
        if not result.ok and lane.era != era:
            self.placement.given_back.appendleft(spec)
            return
        yield result

    def _finish(self, build: Build, lane: Lane, data) -> RunResult:
        kept = self.settings.keep_models  # the h2o client fetches a kept model
        with lane.cluster.active() if kept else lane.cluster.bound():
            result = finish_build(build, data, self.settings)
        result.cluster = lane.name if self.pooled else None
        return result

    def lose(self, lane: Lane, error: ClusterLostError, extra: list[RunSpec] = ()) -> None:
        """A lane's cluster stopped answering: its builds go back to the plan; with no lane
        left (or a single cluster) the error rises. The builds are cancelled, best effort, in
        case the cluster was only out of reach for a moment."""
        if not self.pooled:
            raise error  # cancel_all still knows the builds in flight
        lane_jobs = self._jobs_on(lane)
        specs = [*extra, *(self.in_flight.pop(job).spec for job in lane_jobs)]
        for job in lane_jobs:
            self.lane_of.pop(job)
        with lane.cluster.bound():
            jobs.cancel(lane_jobs)
        self.watches[lane] = jobs.JobWatch()
        self.placement.lose(lane, specs)
        self.rejoin_due[lane] = _first_rejoin()
        if not self.placement.alive():
            names = ", ".join(lane.name for lane in self.placement.lanes)
            raise ClusterLostError(
                f"no cluster of the pool answers ({names}); the finished runs are stored: run "
                "the same command again to resume"
            ) from error
        self.say(
            f"h2osweep: lost the cluster at {lane.name} ({error}); {len(specs)} build(s) given "
            f"back to the {len(self.placement.alive())} other(s); it rejoins when it answers"
        )

    def rejoin_any(self) -> None:
        """Ask each lost cluster that is due whether it answers again; one that does (same URL)
        gets the data again and rejoins the pool. The wait doubles after each failed try, and
        why a cluster that answers cannot rejoin is said once."""
        for lane in self.placement.lost():
            due, wait = self.rejoin_due[lane]
            if time.monotonic() < due:
                continue
            if lane.cluster.answers():
                why = lane.cluster.rejoin(f"{self.settings.model_prefix}_")
                if why is None:
                    lane.slots = lane.cluster.slots
                    self.placement.rejoin(lane)
                    self.say(f"h2osweep: the cluster at {lane.name} answers again: it rejoins")
                    continue
                if self.why_not_rejoined.get(lane) != why:
                    self.why_not_rejoined[lane] = why
                    self.say(f"h2osweep: {lane.name} answers but cannot rejoin: {why}")
            wait = min(2 * wait, MAX_REJOIN_SECONDS)
            self.rejoin_due[lane] = (time.monotonic() + wait, wait)

    def cancel_all(self) -> None:
        """Cancel every build in flight (best effort: a cluster may be gone)."""
        for lane in self.placement.alive():
            with lane.cluster.bound():
                jobs.cancel(self._jobs_on(lane))
        if self.submitting is not None:  # H2O may have started it before we heard back
            model_id, lane = self.submitting
            with contextlib.suppress(Exception), lane.cluster.bound():
                jobs.cancel_leftovers(model_id, timeout=10)

    def _jobs_on(self, lane: Lane) -> list:
        return [job for job, where in self.lane_of.items() if where is lane]

    def _free(self, lane: Lane) -> int:
        if lane.lost:
            return 0
        busy = _busy_slots(self._jobs_on(lane), self.watches[lane], self.start_seconds[lane])
        return lane.slots - busy


def _first_rejoin() -> tuple[float, float]:
    """When a lost cluster is first asked whether it answers again, and the wait till then."""
    return time.monotonic() + REJOIN_SECONDS, REJOIN_SECONDS


def _busy_slots(in_flight: list, watch: jobs.JobWatch, start_seconds: float) -> int:
    """Builds in flight, less one if any is predicted to end before a build submitted now starts
    (at most one early start at a time: a prediction can be wrong)."""
    lead = start_seconds + jobs.MIN_POLL_SECONDS
    return len(in_flight) - min(1, watch.ending_within(in_flight, lead))


def _wait_for_news(scoring: deque, seconds: float | None) -> None:
    """Wait until the next poll is due (None: no build left to poll) or the oldest score is ready.

    With nothing in flight and nothing being scored the sweep is over: return at once.
    """
    if scoring:
        wait_for_futures([scoring[0][0]], timeout=seconds)
    elif seconds is not None:
        time.sleep(seconds)

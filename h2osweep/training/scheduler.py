"""Train many models with several builds in flight on the cluster, refilling a slot as one ends.

H2O's non-blocking `start()` is used instead of a grid, so that every finished model is stored
at once, every run keeps a seed of its own, and a failed model is recorded without stopping the
others. A finished model is fetched and scored on a worker thread while the main loop keeps the
cluster's slots full: the client's work per model then overlaps the builds instead of idling a slot.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass

from h2osweep.data import H2OData
from h2osweep.errors import UserInputError
from h2osweep.training import jobs, rest
from h2osweep.training.metrics import frame_scores, model_metrics, model_output
from h2osweep.training.ordering import longest_first, network_cost
from h2osweep.training.parameters import h2o_parameters, model_seed
from h2osweep.training.runs import FAILED, OK, RunResult, RunSpec

H2O_DEFAULT_HIDDEN = (200, 200)


@dataclass
class TrainSettings:
    """How every model of a sweep is trained, beyond its own configuration."""

    epochs: float | None = None
    reproducible: bool = True
    keep_models: bool = False
    model_prefix: str = "h2osweep"
    extra: dict | None = None

    def __post_init__(self) -> None:
        check_epochs(self.epochs)

    def describe(self) -> dict:
        """The settings that change results (recorded with a sweep; a resume must match)."""
        return {"epochs": self.epochs, "reproducible": self.reproducible, "extra": self.extra or {}}


def check_epochs(epochs: float | None) -> None:
    """Refuse epochs H2O cannot train (0, negative, nan, inf) before anything starts."""
    if epochs is not None and not (math.isfinite(epochs) and epochs > 0):
        raise UserInputError(f"--epochs must be positive and finite, but got {epochs:g}")


@dataclass
class _Build:
    spec: RunSpec
    estimator: object
    started: float
    ended: float | None = None  # when the client saw the job end (scoring may come later)


def train_one(spec: RunSpec, data: H2OData, settings: TrainSettings) -> RunResult:
    """Train a single model and wait for it (the lecture's run() body)."""
    (result,) = train_many([spec], data, settings, parallel=1)
    return result


def train_many(
    specs: Iterable[RunSpec],
    data: H2OData,
    settings: TrainSettings,
    parallel: int,
    should_stop: Callable[[], bool] = lambda: False,
    lookahead: int = 0,
) -> Iterator[RunResult]:
    """Yield each run's result soon after its model ends, with `parallel` builds running.

    A build predicted to end before a new one could start no longer holds its slot: its
    successor is submitted early, so the core does not idle while the client catches up.
    With `lookahead` > 1 the costliest of that many upcoming runs starts first (see ordering).
    Whatever ends the loop early (an interrupt, a lost cluster, any error) cancels the builds in
    flight before it rises.
    """
    cost = build_costs(data, settings)
    if lookahead > 1:
        specs = longest_first(specs, lookahead, cost)
    pending = iter(specs)
    in_flight: dict[object, _Build] = {}  # H2O job -> its build
    scoring: deque[Future] = deque()
    watch = jobs.JobWatch()
    start_seconds = jobs.MIN_POLL_SECONDS  # how long the last submission took

    def fill() -> Iterator[RunResult]:
        """Start builds until `parallel` are in flight, not counting those predicted to end
        before a new one could start; yield the runs H2O refused at once."""
        nonlocal start_seconds
        while _busy_slots(in_flight, watch, start_seconds) < parallel and not should_stop():
            spec = next(pending, None)
            if spec is None:
                return
            submitted = time.monotonic()
            build, failure = _start(spec, data, settings)
            if failure is not None:
                yield failure
            else:
                start_seconds = time.monotonic() - submitted
                in_flight[build.estimator._job] = build
                watch.expect(build.estimator._job, cost(spec))

    with ThreadPoolExecutor(1, thread_name_prefix="h2osweep-scoring") as scorer:
        try:
            yield from fill()
            while in_flight or scoring:
                ended, delay = watch.poll(list(in_flight))
                for job in ended:
                    build = in_flight.pop(job)
                    build.ended = time.monotonic()
                    scoring.append(scorer.submit(_finish, build, data, settings))
                yield from fill()  # the next builds start before the ended ones are scored
                while scoring and scoring[0].done():
                    yield scoring.popleft().result()
                if not ended:
                    _wait_for_news(scoring, delay if in_flight else None)
        except BaseException:  # an interrupt, a lost cluster, or the caller closing us
            jobs.cancel(list(in_flight))
            raise


def _busy_slots(in_flight: dict, watch: jobs.JobWatch, start_seconds: float) -> int:
    """Builds in flight, less one if any is predicted to end before a build submitted now starts
    (at most one early start at a time: a prediction can be wrong)."""
    lead = start_seconds + jobs.MIN_POLL_SECONDS
    return len(in_flight) - min(1, watch.ending_within(list(in_flight), lead))


def _wait_for_news(scoring: deque[Future], seconds: float | None) -> None:
    """Wait until the next poll is due (None: no build left to poll) or the oldest score is ready.

    With nothing in flight and nothing being scored the sweep is over: return at once.
    """
    if scoring:
        wait_for_futures([scoring[0]], timeout=seconds)
    elif seconds is not None:
        time.sleep(seconds)


def model_id_for(spec: RunSpec, settings: TrainSettings) -> str:
    """The run's model key on the cluster: the run name, behind the sweep's prefix if any."""
    return f"{settings.model_prefix}_{spec.name}" if settings.model_prefix else spec.name


def run_parameters(spec: RunSpec, data: H2OData, settings: TrainSettings) -> dict:
    """The estimator arguments of one run (raises UserInputError for a config H2O cannot take)."""
    overrides = dict(settings.extra or {})
    if settings.epochs is not None:
        overrides["epochs"] = settings.epochs
    return h2o_parameters(
        spec.config,
        classification=data.local.classification,
        reproducible=settings.reproducible,
        seed=model_seed(spec.name),
        model_id=model_id_for(spec, settings),
        **overrides,
    )


def build_costs(data: H2OData, settings: TrainSettings) -> Callable[[RunSpec], float]:
    """A run's expected build time in arbitrary units (0 for a config that will be refused).

    The data's input and output widths are read once here, not once per run.
    """
    local = data.local
    inputs = len(data.features)
    outputs = local.train[local.target].nunique() if local.classification else 1

    def cost(spec: RunSpec) -> float:
        try:
            parameters = run_parameters(spec, data, settings)
            hidden = [int(units) for units in parameters.get("hidden", H2O_DEFAULT_HIDDEN)]
            epochs = float(parameters["epochs"])
        except Exception:
            return 0.0
        return network_cost(epochs, [inputs, *hidden, outputs])

    return cost


def _start(spec: RunSpec, data: H2OData, settings: TrainSettings):
    """Submit one build; H2O's refusal of the parameters becomes a failed result."""
    from h2o.estimators import H2ODeepLearningEstimator

    model_id = model_id_for(spec, settings)
    try:
        parameters = run_parameters(spec, data, settings)
        _remove_model(model_id)
        estimator = H2ODeepLearningEstimator(**parameters)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.start(x=data.features, y=data.target, training_frame=data.train)
    except Exception as error:
        jobs.raise_if_cluster_lost(error)
        return None, RunResult(spec, FAILED, error=jobs.error_message(error), model_id=None)
    return _Build(spec, estimator, time.monotonic()), None


def _finish(build: _Build, data: H2OData, settings: TrainSettings) -> RunResult:
    """Fetch the finished model's metrics; a failed or diverged model becomes a failed run."""
    spec = build.spec
    model_id = model_id_for(spec, settings)
    wall = (build.ended or time.monotonic()) - build.started
    job = build.estimator._job
    if job.status != "DONE":
        return RunResult(spec, FAILED, error=jobs.job_error(job), model_id=None, build_seconds=wall)
    try:
        output = model_output(model_id)
        metrics = model_metrics(output, frame_scores(model_id, data.test.frame_id))
        model = _h2o_model(model_id) if settings.keep_models else None
    except Exception as error:
        jobs.raise_if_cluster_lost(error)
        error_text = jobs.error_message(error)
        return RunResult(spec, FAILED, error=error_text, model_id=model_id, build_seconds=wall)
    confusion = {part: metrics.pop(f"{part}_confusion") for part in ("train", "test")}
    seconds = _run_seconds(output, wall)
    if any(math.isnan(metrics[name]) for name in ("train_mse", "test_mse")):
        return RunResult(
            spec,
            FAILED,
            metrics,
            confusion,
            "the model diverged: its MSE is NaN",
            model_id,
            seconds,
        )
    if not settings.keep_models:
        _remove_model(model_id)
    return RunResult(spec, OK, metrics, confusion, None, model_id, seconds, model)


def _h2o_model(model_id: str):
    """The h2o client's object for a model kept on the cluster (predict, save, inspect)."""
    import h2o

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return h2o.get_model(model_id)


def _run_seconds(output: dict, fallback: float) -> float:
    """The build time H2O measured (free of our polling delay), else the wall time we saw."""
    try:
        return float(output["run_time"]) / 1000.0
    except (KeyError, TypeError, ValueError):
        return fallback


def _remove_model(model_id: str) -> None:
    with contextlib.suppress(Exception):
        rest.delete(f"/3/Models/{model_id}")

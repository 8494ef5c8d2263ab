"""One run's build on H2O: its parameters and model key, its expected cost, starting it (with
the checkpoint a climbing rung continues), and reading the finished model's metrics.

`flight.py` keeps many of these in flight; this module knows one build at a time and talks to
whichever cluster the calling thread is bound to.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from h2osweep.data import H2OData
from h2osweep.errors import UserInputError
from h2osweep.record.columns import PARTS
from h2osweep.record.runs import FAILED, OK, RunResult, RunSpec
from h2osweep.training import jobs, rest
from h2osweep.training.algorithms import (
    DEEPLEARNING,
    budget_parameter,
    builder_parameters,
    check_algorithm,
    make_estimator,
)
from h2osweep.training.metrics import frame_scores, model_metrics, model_output
from h2osweep.training.ordering import network_cost, trees_cost
from h2osweep.training.parameters import h2o_parameters, model_seed
from h2osweep.validation import check_int, check_positive

H2O_DEFAULT_HIDDEN = (200, 200)
TREE_ALGORITHMS = ("gbm", "drf", "xgboost")
UNLIMITED_DEPTH = 20  # what max_depth = 0 (no limit) is counted as in a build's cost


@dataclass
class TrainSettings:
    """How every model of a sweep is trained, beyond its own configuration."""

    epochs: float | None = None
    reproducible: bool = True
    keep_models: bool = False
    model_prefix: str = "h2osweep"
    nfolds: int | None = None
    algorithm: str = DEEPLEARNING
    checkpoints: Path | None = None  # where lower rungs' models are saved for a resume

    def __post_init__(self) -> None:
        check_epochs(self.epochs)
        check_algorithm(self.algorithm)
        if self.algorithm != DEEPLEARNING:
            check_deep_learning_only(self.algorithm, self.epochs, self.reproducible)
        if self.nfolds is not None:
            check_int("nfolds", self.nfolds, low=2)

    def describe(self) -> dict:
        """The settings that change results (recorded with a sweep; a resume must match)."""
        folds = {"nfolds": self.nfolds} if self.nfolds is not None else {}
        return {
            "epochs": self.epochs,
            "reproducible": self.reproducible,
            "algorithm": self.algorithm,
            **folds,
        }


def check_deep_learning_only(algorithm: str, epochs: float | None, reproducible: bool) -> None:
    """Epochs and single-threaded reproducibility are deep learning's; other algorithms take
    their length as a parameter (ntrees, max_iterations) and are reproducible with a seed."""
    if epochs is not None:
        raise UserInputError(
            f"{{epochs}} is for deeplearning; a {algorithm} model's length is one of its "
            "parameters (ntrees for trees, max_iterations for glm)",
            "epochs",
        )
    if not reproducible:
        raise UserInputError(
            f"{{reproducible}} is for deeplearning; {algorithm} models with a seed are "
            "reproducible already, and use every thread",
            "reproducible",
        )


def check_epochs(epochs: float | None) -> None:
    """Refuse epochs H2O cannot train (0, negative, nan, inf) before anything starts."""
    if epochs is not None:
        check_positive("epochs", epochs)


@dataclass
class Build:
    """One build on the cluster: its run, the estimator that started it, and when."""

    spec: RunSpec
    estimator: object
    started: float
    ended: float | None = None  # when the client saw the job end (scoring may come later)
    note: str | None = None  # what the progress line should say about this build
    parent: str | None = None  # the model it continues (H2O's checkpoint), if any


def model_id_for(spec: RunSpec, settings: TrainSettings) -> str:
    """The run's model key on the cluster: the run name (and rung above the first), behind the
    sweep's prefix if any."""
    name = f"{spec.name}_r{spec.rung}" if spec.rung else spec.name
    return f"{settings.model_prefix}_{name}" if settings.model_prefix else name


def continuation(spec: RunSpec, settings: TrainSettings) -> tuple[dict, str | None]:
    """H2O's `checkpoint` for a run that climbs a rung: the model of the rung below, when the
    cluster still has it; else nothing (the run trains from scratch to its budget, which gives
    the same model in reproducible mode) and a note saying so. A run that starts its
    configuration above the first rung (a later Hyperband bracket) continues nothing."""
    if not spec.climbs:
        return {}, None
    parent = model_id_for(replace(spec, rung=spec.rung - 1), settings)
    if _model_exists(parent):
        return {"checkpoint": parent}, None
    if _restored(parent, settings):
        return {"checkpoint": parent}, f"checkpoint restored from {settings.checkpoints}"
    return {}, f"checkpoint gone: trained from scratch to {spec.budget:g}"


def _restored(model_id: str, settings: TrainSettings) -> bool:
    """Upload a rung's model saved in the sweep folder to this cluster (a new cluster after a
    crash, another of a pool); False when none was saved or the cluster refuses it."""
    import h2o

    saved = settings.checkpoints / model_id if settings.checkpoints else None
    if saved is None or not saved.is_file():
        return False
    try:
        h2o.upload_model(str(saved))
    except Exception as error:
        jobs.raise_if_cluster_lost(error)
        return False
    return True


def save_rung_model(model_id: str, settings: TrainSettings) -> None:
    """Download a lower rung's model into the sweep folder (atomically: a partial file never
    takes the model's name), so a resume on any cluster can continue it."""
    import h2o

    if settings.checkpoints is None:
        return
    settings.checkpoints.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.checkpoints) as partial:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            path = h2o.download_model(h2o.get_model(model_id), path=partial)
        os.replace(path, settings.checkpoints / model_id)


def check_epochs_once(runs: Iterable[RunSpec], settings: TrainSettings) -> None:
    """Refuse the sweep's epochs beside runs that set their own (a grid factor or a space
    entry): the sweep's would win, and results.csv would show the runs' own."""
    first = next(iter(runs), None)
    if settings.epochs is not None and first is not None and "epochs" in first.config:
        raise UserInputError(
            "give epochs once: as the grid's or space's epochs entry, or as {epochs}", "epochs"
        )


def run_parameters(spec: RunSpec, data: H2OData, settings: TrainSettings) -> dict:
    """The estimator arguments of one run (raises UserInputError for a config H2O cannot take).

    The run's own budget, when its strategy sets one, wins over the sweep's epochs.
    """
    overrides = cross_validation(settings.nfolds)
    if settings.epochs is not None:
        overrides["epochs"] = settings.epochs
    if spec.budget is not None:
        overrides |= rung_budget(spec.budget, settings.algorithm)
    return h2o_parameters(
        spec.config,
        algorithm=settings.algorithm,
        classification=data.local.classification,
        reproducible=settings.reproducible,
        seed=model_seed(spec.name),
        model_id=model_id_for(spec, settings),
        **overrides,
    )


def rung_budget(budget: float, algorithm: str) -> dict:
    """The parameter a run's own budget sets: epochs for deep learning, trees for ensembles."""
    name = budget_parameter(algorithm)
    return {name: budget if name == "epochs" else round(budget)}


def cross_validation(nfolds: int | None) -> dict:
    """H2O's own k-fold cross-validation, its folds drawn with the model's seed; the fold
    models and predictions are not kept (only their metrics are read)."""
    if nfolds is None:
        return {}
    return {
        "nfolds": nfolds,
        "fold_assignment": "Random",
        "keep_cross_validation_models": False,
        "keep_cross_validation_predictions": False,
        "keep_cross_validation_fold_assignment": False,
    }


def build_costs(data: H2OData, settings: TrainSettings) -> Callable[[RunSpec], float]:
    """A run's expected build time in arbitrary units (0 for a config that will be refused).

    The data's input and output widths are read once here, not once per run.
    """
    if settings.algorithm != DEEPLEARNING:
        return _ensemble_costs(data, settings)
    inputs, outputs = len(data.features), data.local.outputs
    models = 1 + (settings.nfolds or 0)  # cross-validation builds one more model per fold

    def cost(spec: RunSpec) -> float:
        try:
            parameters = run_parameters(spec, data, settings)
            hidden = [int(units) for units in parameters.get("hidden", H2O_DEFAULT_HIDDEN)]
            epochs = float(parameters["epochs"])
        except Exception:
            return 0.0
        return models * network_cost(epochs, [inputs, *hidden, outputs])

    return cost


def _ensemble_costs(data: H2OData, settings: TrainSettings) -> Callable[[RunSpec], float]:
    """Trees times their depth (the cluster's defaults where a run sets neither); 1 for glm."""
    if settings.algorithm not in TREE_ALGORITHMS:
        return lambda spec: 1.0
    defaults = builder_parameters(settings.algorithm)

    def cost(spec: RunSpec) -> float:
        try:
            parameters = run_parameters(spec, data, settings)
            trees = parameters.get("ntrees", defaults["ntrees"].default)
            depth = parameters.get("max_depth", defaults["max_depth"].default) or UNLIMITED_DEPTH
            return trees_cost(float(trees), float(depth))
        except Exception:
            return 0.0

    return cost


def new_estimator(spec: RunSpec, data: H2OData, settings: TrainSettings, extra: dict | None = None):
    """The h2o client's estimator for one run: the sweep's algorithm with the run's parameters
    (and `extra`, such as the checkpoint a climbing rung continues)."""
    parameters = {**run_parameters(spec, data, settings), **(extra or {})}
    return make_estimator(settings.algorithm, parameters)


def start_build(spec: RunSpec, data: H2OData, settings: TrainSettings):
    """Submit one build; H2O's refusal of the parameters becomes a failed result."""
    model_id = model_id_for(spec, settings)
    try:
        checkpoint, note = continuation(spec, settings)
        estimator = new_estimator(spec, data, settings, checkpoint)
        _remove_model(model_id)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.start(x=data.features, y=data.target, training_frame=data.train)
    except Exception as error:
        jobs.raise_if_cluster_lost(error)
        return None, RunResult(spec, FAILED, error=jobs.error_message(error), model_id=None)
    return Build(
        spec, estimator, time.monotonic(), note=note, parent=checkpoint.get("checkpoint")
    ), None


def finish_build(build: Build, data: H2OData, settings: TrainSettings) -> RunResult:
    """Fetch the finished model's metrics; a failed or diverged model becomes a failed run."""
    spec = build.spec
    model_id = model_id_for(spec, settings)
    wall = (build.ended or time.monotonic()) - build.started
    job = build.estimator._job
    if job.status != "DONE":
        return RunResult(spec, FAILED, error=jobs.job_error(job), model_id=None, build_seconds=wall)
    try:
        output = model_output(model_id)
        metrics = model_metrics(output, *_scores(model_id, data))
        model = _h2o_model(model_id) if settings.keep_models else None
    except Exception as error:
        jobs.raise_if_cluster_lost(error)
        error_text = jobs.error_message(error)
        return RunResult(spec, FAILED, error=error_text, model_id=model_id, build_seconds=wall)
    confusion = {
        part: metrics.pop(f"{part}_confusion") for part in PARTS if f"{part}_confusion" in metrics
    }
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
    if not spec.final:
        try:
            save_rung_model(model_id, settings)
        except Exception as error:  # the store keeps the rung; a resume retrains it to climb
            jobs.raise_if_cluster_lost(error)
    _tidy(build, model_id, settings)
    return RunResult(spec, OK, metrics, confusion, None, model_id, seconds, model, build.note)


def _tidy(build: Build, model_id: str, settings: TrainSettings) -> None:
    """Remove what no later run needs: a final model (unless kept), and the model a continued
    run started from (a configuration climbs each rung once)."""
    if build.parent is not None:
        _remove_model(build.parent)
        if settings.checkpoints is not None:
            (settings.checkpoints / build.parent).unlink(missing_ok=True)
    if build.spec.final and not settings.keep_models:
        _remove_model(model_id)


def _scores(model_id: str, data: H2OData) -> tuple[dict, dict | None]:
    """The model scored on the test frame, and on the validation frame when there is one."""
    valid = frame_scores(model_id, data.valid.frame_id) if data.valid is not None else None
    return frame_scores(model_id, data.test.frame_id), valid


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


def _model_exists(model_id: str) -> bool:
    try:
        rest.get(f"/3/Models/{model_id}")
    except rest.H2ORequestError:
        return False
    return True


def remove_rung_models(settings: TrainSettings) -> None:
    """Remove the lower rungs' models a finished multi-fidelity sweep never promoted (its
    final models stay only when kept)."""
    if settings.checkpoints is not None:
        shutil.rmtree(settings.checkpoints, ignore_errors=True)
    if settings.keep_models:
        return
    prefix = f"{settings.model_prefix}_"
    with contextlib.suppress(Exception):
        for model in rest.get("/3/Models?preview=true")["models"]:
            if model["model_id"]["name"].startswith(prefix):
                _remove_model(model["model_id"]["name"])


def _remove_model(model_id: str) -> None:
    with contextlib.suppress(Exception):
        rest.delete(f"/3/Models/{model_id}")

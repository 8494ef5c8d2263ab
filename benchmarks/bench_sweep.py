"""Sweep speed: the same random configs trained three ways on one embedded H2O, in one process.

(a) the naive loop: upload the data again for every model, then train() it;
(b) H2OGridSearch over the pre-drawn configs, Sequential strategy, parallelism 2;
(c) h2osweep's engine (several builds in flight, every run scored and committed to the store).

    python benchmarks/bench_sweep.py [--configs 20] [--epochs 10] [--parallel 2 3 4]

Prints wall seconds, client CPU and the ratios (a)/(c) and (b)/(c); targets: (a)/(c) >= 2.6,
(b)/(c) >= 1. The (ideal) line is the build seconds H2O reports for (a) divided by the cluster's
cores: reproducible builds are single-threaded, so no scheduler on this cluster beats it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.sweep import SweepOptions, random_plan, run_sweep
from h2osweep.training.parameters import h2o_parameters, model_seed
from h2osweep.training.scheduler import TrainSettings


def estimator_parameters(plan, epochs: float) -> list[dict]:
    return [
        h2o_parameters(run.config, seed=model_seed(run.name), epochs=epochs) for run in plan.runs
    ]


def naive_loop(local, parameters) -> tuple[dict[int, float], float]:
    """(a) what a first port of the lecture does: as.h2o() the data for every model (here
    H2OFrame from pandas, which never reuses a frame), a blocking train(), score the test frame.
    Also returns the seconds H2O spent building the models, for the ceiling of any scheduler."""
    import h2o
    from h2o.estimators import H2ODeepLearningEstimator

    column_types = {local.target: "enum"}
    scores, build_seconds = {}, 0.0
    for index, params in enumerate(parameters):
        train = h2o.H2OFrame(local.train, column_types=column_types)
        test = h2o.H2OFrame(local.test, column_types=column_types)
        model = H2ODeepLearningEstimator(**params)
        model.train(x=local.features, y=local.target, training_frame=train)
        scores[index] = model.model_performance(test).mse()
        build_seconds += model._model_json["output"]["run_time"] / 1000.0
    return scores, build_seconds


def grid_search(data, parameters, parallelism: int = 2) -> dict[int, float]:
    """(b) H2O's own grid over the pre-drawn configs, taken in lockstep (Sequential)."""
    from h2o.estimators import H2ODeepLearningEstimator
    from h2o.grid import H2OGridSearch

    varying = [k for k in parameters[0] if any(p[k] != parameters[0][k] for p in parameters)]
    fixed = {k: v for k, v in parameters[0].items() if k not in varying}
    hyper = {k: [p[k] for p in parameters] for k in varying}
    grid = H2OGridSearch(
        H2ODeepLearningEstimator(**fixed),
        hyper_params=hyper,
        search_criteria={"strategy": "Sequential"},
        parallelism=parallelism,
    )
    grid.train(x=data.features, y=data.target, training_frame=data.train)
    scores = {}
    for model in grid.models:
        index = hyper["seed"].index(model.actual_params["seed"])
        scores[index] = model.model_performance(data.test).mse()
    return scores


def h2osweep_engine(local, plan, url: str, epochs: float, parallel: int) -> dict[int, float]:
    """(c) h2osweep: the whole sweep, metrics and atomic store commits included."""
    import pandas as pd

    with tempfile.TemporaryDirectory() as folder:
        run_sweep(
            plan,
            local,
            TrainSettings(epochs=epochs),
            SweepOptions(Path(folder), parallel=parallel, quiet=True),
            ClusterOptions(url=url),
        )
        table = pd.read_csv(Path(folder) / "results.csv")
    return dict(enumerate(table["test_mse"]))


def timed(function, *args):
    """Wall seconds, client CPU seconds and the result of one way of sweeping."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - started, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=20)
    parser.add_argument("--epochs", type=float, default=10.0)
    parser.add_argument("--parallel", type=int, nargs="+", default=[2, 3, 4])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    local = load_data("digits")
    plan = random_plan(range(1, args.configs + 1))
    parameters = estimator_parameters(plan, args.epochs)
    print(f"{args.configs} lecture configs, digits, {args.epochs:g} epochs, reproducible=True")
    print(
        f"{'way':<36}{'seconds':>9}{'client CPU':>12}{'(a)/this':>10}{'(b)/this':>10}"
        f"{'same MSE as (a)':>17}",
        flush=True,
    )
    rows: list = []

    def report(label: str, seconds: float, cpu: float, scores: dict) -> None:
        """Print one way's row as soon as it is measured (the whole benchmark takes minutes)."""
        rows.append((seconds, scores))
        baseline, grid = rows[0], rows[min(1, len(rows) - 1)]
        same = all(abs(scores[i] - baseline[1][i]) < 1e-12 for i in baseline[1])
        print(
            f"{label:<36}{seconds:>9.1f}{cpu:>12.1f}{baseline[0] / seconds:>10.2f}"
            f"{grid[0] / seconds:>10.2f}{str(same):>17}",
            flush=True,
        )

    with H2OCluster() as cluster:
        data = upload(local)
        seconds, cpu, (scores, build_seconds) = timed(naive_loop, local, parameters)
        report("(a) naive loop, upload per model", seconds, cpu, scores)
        cores = int(cluster.describe()["cores"])
        ceiling = build_seconds / cores  # reproducible builds are single-threaded
        print(f"{'(ideal) builds of (a) / ' + str(cores) + ' cores':<36}{ceiling:>9.1f}", end="")
        print(f"{'':>12}{seconds / ceiling:>10.2f}", flush=True)
        report("(b) H2OGridSearch, parallelism 2", *timed(grid_search, data, parameters))
        for parallel in args.parallel:
            label = f"(c) h2osweep, {parallel} in flight"
            report(label, *timed(h2osweep_engine, local, plan, cluster.url, args.epochs, parallel))


if __name__ == "__main__":
    main()

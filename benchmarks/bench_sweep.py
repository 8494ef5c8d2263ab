"""Sweep speed: the same random configs trained three ways on one embedded H2O, in one process.

(a) the naive loop: upload the data again for every model, then train() it;
(b) H2OGridSearch over the pre-drawn configs, Sequential strategy, parallelism 2;
(c) h2osweep's engine (several builds in flight, every run scored and committed to the store).

    python benchmarks/bench_sweep.py [--configs 20] [--epochs 10] [--parallel 2 3 4] [--rounds 2]

Each way is measured in every round, odd rounds in reverse order, so that drift in the machine's
speed cancels. Prints mean wall seconds, client CPU and the ratios (a)/(c) and (b)/(c); targets:
(a)/(c) >= 2.6, (b)/(c) >= 1. The (ideal) line is the build seconds H2O reports for (a) divided
by the cluster's cores: reproducible builds are single-threaded, so no scheduler here beats it.
"""

from __future__ import annotations

import argparse
import functools
import math
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from statsmodels.stats.weightstats import DescrStatsW

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.search.fixed import random_plan
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.ordering import network_cost
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


def concurrent_slowdown(data, parameters: dict, rounds: int) -> float:
    """How much longer a build takes while another runs beside it (1.0: two independent cores).

    The same model is built alone and as a pair (ABBA over the rounds); H2O's build seconds
    are compared, so client and polling time do not enter."""
    alone, paired = [], []
    for round_index in range(rounds):
        for count in (1, 2) if round_index % 2 == 0 else (2, 1):
            (alone if count == 1 else paired).extend(build_side_by_side(data, parameters, count))
    return statistics.mean(paired) / statistics.mean(alone)


def build_side_by_side(data, parameters: dict, count: int) -> list[float]:
    """H2O's build seconds of `count` copies of one model started together."""
    from h2o.estimators import H2ODeepLearningEstimator

    models = [H2ODeepLearningEstimator(**parameters) for _ in range(count)]
    for model in models:
        model.start(x=data.features, y=data.target, training_frame=data.train)
    for model in models:
        model.join()
    return [model._model_json["output"]["run_time"] / 1000.0 for model in models]


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


NAIVE = "(a) naive loop, upload per model"
GRID = "(b) H2OGridSearch, parallelism 2"


def timed(function):
    """Wall seconds, client CPU seconds and the result of one way of sweeping."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - started, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=20)
    parser.add_argument("--epochs", type=float, default=10.0)
    parser.add_argument("--parallel", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="measure every way this many times, in forward then reverse order (default 2)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    local = load_data("digits")
    plan = random_plan(range(1, args.configs + 1))
    parameters = estimator_parameters(plan, args.epochs)
    print(f"{args.configs} lecture configs, digits, {args.epochs:g} epochs, reproducible=True")
    with H2OCluster() as cluster:
        data = upload(local)
        grid_search(data, parameters[:2])  # warm-up: no way pays for compiling H2O's DL code
        ways = {
            NAIVE: lambda: naive_loop(local, parameters),
            GRID: lambda: grid_search(data, parameters),
        }
        for parallel in args.parallel:
            ways[f"(c) h2osweep, {parallel} in flight"] = functools.partial(
                h2osweep_engine, local, plan, cluster.url, args.epochs, parallel
            )
        if args.rounds % 2:
            print("  note: an odd number of rounds leaves drift in the machine's speed unbalanced")
        measured = measure_in_rounds(ways, args.rounds)
        inputs, classes = len(local.features), local.train[local.target].nunique()
        costliest = max(
            parameters, key=lambda p: network_cost(p["epochs"], [inputs, *p["hidden"], classes])
        )
        slowdown = concurrent_slowdown(data, costliest, args.rounds)
        print_table(measured, int(cluster.describe()["cores"]), slowdown)


def measure_in_rounds(ways: dict, rounds: int) -> dict[str, list[tuple[float, float, object]]]:
    """Every way `rounds` times, odd rounds in reverse order (ABBA), so that a machine whose
    speed drifts during the benchmark (measured here: by up to 40 % within minutes) favours no
    way. Each measurement is printed as it ends."""
    measured: dict[str, list] = {label: [] for label in ways}
    for round_index in range(rounds):
        order = list(ways) if round_index % 2 == 0 else list(reversed(ways))
        for label in order:
            seconds, cpu, result = timed(ways[label])
            measured[label].append((seconds, cpu, result))
            print(f"  round {round_index + 1}: {label:<36}{seconds:>7.1f} s", flush=True)
    return measured


def print_table(measured: dict, cores: int, slowdown: float) -> None:
    """Mean wall and client CPU per way over the rounds, ratios, and the two (ideal) lines.

    The last columns pair each way with the naive loop and the grid of the same round and give
    the 95 % t-interval of those ratios: whether a target lies inside says more than one mean."""
    mean_seconds = {label: statistics.mean(m[0] for m in runs) for label, runs in measured.items()}
    naive, grid = mean_seconds[NAIVE], mean_seconds[GRID]
    baseline_scores = measured[NAIVE][0][2][0]
    print(
        f"{'way (mean of ' + str(len(measured[NAIVE])) + ' rounds)':<36}{'seconds':>9}"
        f"{'spread':>9}{'client CPU':>12}{'(a)/this':>10}{'(b)/this':>10}{'same MSE as (a)':>17}"
        f"{'(a)/this per round, 95% CI':>30}{'(b)/this per round, 95% CI':>30}"
    )
    for label, runs in measured.items():
        seconds = mean_seconds[label]
        spread = max(m[0] for m in runs) - min(m[0] for m in runs)
        cpu = statistics.mean(m[1] for m in runs)
        scores = [m[2][0] if label == NAIVE else m[2] for m in runs]
        same = all(
            same_score(s.get(i), baseline_scores[i]) for s in scores for i in baseline_scores
        )
        print(
            f"{label:<36}{seconds:>9.1f}{spread:>9.1f}{cpu:>12.1f}{naive / seconds:>10.2f}"
            f"{'' if label == NAIVE else f'{grid / seconds:.2f}':>10}{str(same):>17}"
            f"{'' if label == NAIVE else paired_interval(measured[NAIVE], runs):>30}"
            f"{'' if label in (NAIVE, GRID) else paired_interval(measured[GRID], runs):>30}"
        )
        if label == NAIVE:
            ideal = statistics.mean(m[2][1] for m in runs) / cores  # single-threaded builds
            print_ideal(f"(ideal) builds of (a) / {cores} cores", ideal, naive)
            print_ideal(f"(estimate) x {slowdown:.2f}, side by side", ideal * slowdown, naive)


def paired_interval(baseline_runs: list, runs: list) -> str:
    """Mean of the per-round ratios baseline / this way, with its 95 % t-interval (3+ rounds)."""
    ratios = [base[0] / this[0] for base, this in zip(baseline_runs, runs, strict=True)]
    if len(ratios) < 3:
        return f"{statistics.mean(ratios):.2f} (CI needs 3+ rounds)"
    low, high = DescrStatsW(ratios).tconfint_mean(alpha=0.05)
    return f"{statistics.mean(ratios):.2f} [{low:.2f}, {high:.2f}]"


def same_score(score: float | None, baseline: float) -> bool:
    """Equal test MSE (both NaN counts as equal: the same model diverged both ways)."""
    if score is None:
        return False  # the way lost this config (a failed grid model)
    return (math.isnan(score) and math.isnan(baseline)) or abs(score - baseline) < 1e-12


def print_ideal(label: str, seconds: float, naive: float) -> None:
    """One limit line under (a): its seconds and its ratio to the naive loop."""
    print(f"{label:<36}{seconds:>9.1f}{'':>21}{naive / seconds:>10.2f}")


if __name__ == "__main__":
    main()

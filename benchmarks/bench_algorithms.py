"""Builds in flight for the algorithms whose builds use every thread (gbm, drf, glm, xgboost):
the same random sweep at `--parallel` 1, 2 and 3 (the default, one per core plus one), in
alternating order per round, on sklearn's digits.

    python benchmarks/bench_algorithms.py [--rounds 3] [--runs 12] [--algorithms gbm drf glm]

Prints, per algorithm and parallelism, the median wall time of the sweep and the median of
its summed build seconds (H2O's run_time), plus whether every run's test MSE equals the
sequential sweep's (the reproducibility claim for these algorithms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data
from h2osweep.search.fixed import random_plan
from h2osweep.space import space_from_tables
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.scheduler import TrainSettings

SPACES = {
    "gbm": {
        "ntrees": {"sample": [20, 60], "step": 10},
        "max_depth": {"sample": [3, 6]},
        "learn_rate": {"loguniform": [0.05, 0.3]},
        "sample_rate": {"runif": [0.6, 1]},
    },
    "drf": {
        "ntrees": {"sample": [20, 60], "step": 10},
        "max_depth": {"sample": [5, 15]},
        "sample_rate": {"runif": [0.5, 0.9]},
        "mtries": {"sample": [4, 16]},
    },
    "xgboost": {
        "ntrees": {"sample": [20, 60], "step": 10},
        "max_depth": {"sample": [3, 6]},
        "learn_rate": {"loguniform": [0.05, 0.3]},
    },
    "glm": {
        "alpha": {"runif": [0, 1]},
        "lambda": {"loguniform": [1e-4, 0.1]},
    },
}


def sweep(algorithm: str, parallel: int, runs: int, local, url: str) -> tuple[float, pd.DataFrame]:
    """One sweep into a fresh folder: its wall seconds and its results."""
    plan = random_plan(range(1, runs + 1), space_from_tables(SPACES[algorithm]), algorithm)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run_sweep(
            plan,
            local,
            TrainSettings(algorithm=algorithm),
            SweepOptions(Path(folder), parallel=parallel, quiet=True),
            ClusterOptions(url=url),
        )
        wall = time.perf_counter() - started
        return wall, pd.read_csv(Path(folder) / "results.csv").set_index("name")


def measure(algorithm: str, rounds: int, runs: int, local, url: str) -> None:
    """Print the median wall and build seconds per parallelism, and whether the runs agree."""
    walls: dict[int, list[float]] = {1: [], 2: [], 3: []}
    builds: dict[int, list[float]] = {1: [], 2: [], 3: []}
    same = True
    for round_ in range(rounds):
        tables = {}
        for parallel in [1, 2, 3] if round_ % 2 == 0 else [3, 2, 1]:
            wall, tables[parallel] = sweep(algorithm, parallel, runs, local, url)
            walls[parallel].append(wall)
            builds[parallel].append(float(tables[parallel]["build_seconds"].sum()))
        same &= all(tables[p]["test_mse"].equals(tables[1]["test_mse"]) for p in (2, 3))
    for parallel in (1, 2, 3):
        wall, build = statistics.median(walls[parallel]), statistics.median(builds[parallel])
        print(
            f"{algorithm:8s} parallel {parallel}: wall {wall:6.1f} s, builds {build:6.1f} s "
            f"(median of {rounds})"
        )
    print(f"{algorithm:8s} every run's test_mse equal at parallel 1, 2, 3: {same}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--algorithms", nargs="+", default=["gbm", "drf", "glm"])
    args = parser.parse_args()
    local = load_data("digits")
    with H2OCluster(ClusterOptions(max_mem="2G")) as cluster:
        for algorithm in args.algorithms:
            measure(algorithm, args.rounds, args.runs, local, cluster.url)


if __name__ == "__main__":
    main()

"""Sample efficiency: how many runs TPE needs to match what R-exact random search finds in 40.

For each repeat r (5 by default), on sklearn's digits with a small epoch budget:
  - random search: `random_plan` over 40 R seeds drawn for that repeat; its best `--metric`
    (validation MSE by default, the sweep commands' choice; test_mse for the lecture's) is the
    target (and the run at which random search reached it is its own count);
  - each Optuna strategy (tpe; gp needs PyTorch) with sampler seed r: runs in steps of
    `--step` (the search resumes from its study) until its best metric <= the target, or
    `--max-runs` runs were spent.

    python benchmarks/bench_search.py [--repeats 5] [--first-repeat 1] [--epochs 2]
        [--startup prior|sampler]

Prints one row per repeat and the medians; target: TPE median <= 20 runs.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from h2osweep.analysis.curves import best_so_far
from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data
from h2osweep.record.goal import Objective
from h2osweep.search.fixed import random_plan
from h2osweep.search.optuna.strategy import optuna_plan
from h2osweep.space import LECTURE_SPACE, IntRange, PerLayer, Space
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.scheduler import TrainSettings

RANDOM_RUNS = 40


def bench_space(max_neurons: int) -> Space:
    """The lecture space, with at most `max_neurons` units per layer (600 = the lecture's)."""
    if max_neurons == 600:
        return LECTURE_SPACE
    entries = dict(LECTURE_SPACE.items())
    entries["neurons"] = PerLayer(IntRange(20, max_neurons), length="depth")
    return Space(entries)


def runs_to_reach(results: pd.DataFrame, target: float, metric: str) -> float:
    """1-based run count at which the best-so-far metric first reaches `target` (inf: never)."""
    curve = best_so_far(results, metric, "min")
    reached = curve.index[curve["best"] <= target]
    return float(curve.loc[reached[0], "run"]) if len(reached) else math.inf


def sweep(plan, folder: Path, local, args, url: str) -> pd.DataFrame:
    run_sweep(
        plan,
        local,
        TrainSettings(epochs=args.epochs),
        SweepOptions(folder, parallel=args.parallel, objective=Objective(args.metric), quiet=True),
        ClusterOptions(url=url),
    )
    return pd.read_csv(folder / "results.csv")


def random_search(repeat: int, space: Space, folder: Path, local, args, url) -> pd.DataFrame:
    """40 R-exact random runs with seeds drawn for this repeat."""
    seeds = np.random.default_rng(repeat).choice(1_000_000, RANDOM_RUNS, replace=False)
    plan = random_plan([int(seed) for seed in seeds], space)
    return sweep(plan, folder, local, args, url)


def model_search(strategy, repeat, target, space, folder, local, args, url) -> tuple:
    """Grow an Optuna search by `--step` runs until it reaches `target` or `--max-runs`."""
    n_runs = 0
    while n_runs < args.max_runs:
        n_runs = min(n_runs + args.step, args.max_runs)
        plan = optuna_plan(strategy, n_runs, seed=repeat, space=space, startup=args.startup)
        table = sweep(plan, folder, local, args, url)
        if runs_to_reach(table, target, args.metric) <= n_runs:
            break
    return runs_to_reach(table, target, args.metric), table[args.metric].min(), len(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--first-repeat", type=int, default=1, help="repeats from this one on")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--max-neurons", type=int, default=600)
    parser.add_argument("--strategies", nargs="+", default=["tpe"])
    parser.add_argument("--startup", choices=["prior", "sampler"], default="prior")
    parser.add_argument("--max-runs", type=int, default=40)
    parser.add_argument("--step", type=int, default=4)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--metric", choices=["valid_mse", "test_mse"], default="valid_mse")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    valid = 0.2 if args.metric == "valid_mse" else None  # the sweep commands' default split
    local, space = load_data("digits", valid_fraction=valid), bench_space(args.max_neurons)
    rows, started = [], time.perf_counter()
    with H2OCluster() as cluster, tempfile.TemporaryDirectory() as root:
        for repeat in range(args.first_repeat, args.first_repeat + args.repeats):
            folder = Path(root) / f"r{repeat}"
            table = random_search(repeat, space, folder / "random", local, args, cluster.url)
            target = table[args.metric].min()
            row = {
                "repeat": repeat,
                "target": target,
                "random": runs_to_reach(table, target, args.metric),
            }
            for strategy in args.strategies:
                reached, best, spent = model_search(
                    strategy, repeat, target, space, folder / strategy, local, args, cluster.url
                )
                row |= {strategy: reached, f"{strategy} best": best, f"{strategy} runs": spent}
            rows.append(row)
            print(_format_row(row, args.strategies), flush=True)
    _print_summary(rows, args, time.perf_counter() - started)


def _format_row(row: dict, strategies: list[str]) -> str:
    cells = [f"repeat {row['repeat']}: target {row['target']:.5f}", f"random {row['random']:g}"]
    for strategy in strategies:
        cells.append(
            f"{strategy} {row[strategy]:g} (best {row[f'{strategy} best']:.5f} "
            f"in {row[f'{strategy} runs']} runs)"
        )
    return " | ".join(cells)


def _print_summary(rows: list[dict], args, seconds: float) -> None:
    print(
        f"\ndigits, {args.epochs:g} epochs, neurons 20..{args.max_neurons}, "
        f"{args.parallel} in flight, {args.startup} startup, {len(rows)} repeats, "
        f"{seconds / 60:.1f} min"
    )
    print(
        f"runs needed to reach the best {args.metric} of 40 R-exact random runs (inf: not within "
        f"{args.max_runs}):"
    )
    print(f"{'strategy':<10}{'per repeat':<30}{'median':>8}")
    for strategy in ["random", *args.strategies]:
        counts = [row[strategy] for row in rows]
        listed = " ".join(f"{count:g}" for count in counts)
        print(f"{strategy:<10}{listed:<30}{statistics.median(counts):>8g}")


if __name__ == "__main__":
    main()

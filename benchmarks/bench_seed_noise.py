"""How much of a run's validation MSE is its configuration and how much its model seed.

Each of `--configs` R-exact draws of the lecture space is trained twice, as two runs with
different names (so different H2O seeds, `model_seed`), on digits with `--epochs` epochs.
Prints the correlation of the two builds, the within- and between-configuration standard
deviations (all runs, and the configurations whose mean is below `--good`), and the rank
correlation of each parameter with the configuration's mean: what a model-based search can
learn from 40 runs, and how much of a best-of-40 is the seed's luck.

    python benchmarks/bench_seed_noise.py [--configs 50] [--epochs 2]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunSpec
from h2osweep.search.fixed import FixedPlan
from h2osweep.space import LECTURE_SPACE
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.scheduler import TrainSettings

BUILDS = ("a", "b")  # two runs per configuration, named a_<k> and b_<k>
COVARIATES = ["depth", "l1", "l2", "input_dropout", "rho", "epsilon", "SumNeurons"]


def twin_plan(n_configs: int, first_seed: int) -> FixedPlan:
    """The configurations drawn for seeds first_seed + 1 .. first_seed + n_configs, each as two
    runs with their own names."""
    runs = []
    for k in range(1, n_configs + 1):
        config = LECTURE_SPACE.sample(first_seed + k)
        for build in BUILDS:
            runs.append(RunSpec(f"{build}_{k}", config, seed=first_seed + k, position=len(runs)))
    return FixedPlan("random", runs, LECTURE_SPACE.to_dict())


def paired(results: pd.DataFrame) -> pd.DataFrame:
    """One row per configuration: its parameters and the two builds' valid_mse as a and b."""
    results = results.assign(
        config=results["name"].str.split("_").str[1].astype(int),
        build=results["name"].str[0],
    )
    pairs = results.pivot_table(index="config", columns="build", values="valid_mse")
    first = results[results["build"] == BUILDS[0]].set_index("config")[COVARIATES]
    return first.join(pairs).assign(mean=lambda t: (t["a"] + t["b"]) / 2)


def spreads(pairs: pd.DataFrame) -> tuple[float, float]:
    """(within-configuration sd, between-configuration sd of the means)."""
    return (pairs["a"] - pairs["b"]).std() / math.sqrt(2), pairs["mean"].std()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=50)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--good", type=float, default=0.12)
    parser.add_argument("--parallel", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    local, started = load_data("digits", valid_fraction=0.2), time.perf_counter()
    with H2OCluster() as cluster, tempfile.TemporaryDirectory() as folder:
        run_sweep(
            twin_plan(args.configs, args.first_seed),
            local,
            TrainSettings(epochs=args.epochs),
            SweepOptions(Path(folder), parallel=args.parallel, objective=Objective(), quiet=True),
            ClusterOptions(url=cluster.url),
        )
        pairs = paired(pd.read_csv(Path(folder) / "results.csv"))
    _report(pairs, args, time.perf_counter() - started)


def _report(pairs: pd.DataFrame, args, seconds: float) -> None:
    good = pairs[pairs["mean"] < args.good]
    within, between = spreads(pairs)
    good_within, good_between = spreads(good)
    print(f"{len(pairs)} configurations x 2 builds, {args.epochs:g} epochs, {seconds / 60:.1f} min")
    print(f"pearson {pairs['a'].corr(pairs['b']):.3f}, ", end="")
    print(f"spearman {pairs['a'].corr(pairs['b'], method='spearman'):.3f} between the builds")
    print(f"all: within sd {within:.4f}, between sd {between:.4f}")
    print(f"mean < {args.good:g} ({len(good)}): within sd {good_within:.4f}, ", end="")
    print(f"between sd {good_between:.4f}")
    ranked = pairs[COVARIATES].corrwith(pairs["mean"], method="spearman")
    print("spearman with the mean:", ", ".join(f"{k} {v:+.2f}" for k, v in ranked.items()))
    best = pairs.sort_values("mean").head(5)
    print("best 5 (a, b):", "; ".join(f"{r.a:.4f}, {r.b:.4f}" for r in best.itertuples()))


if __name__ == "__main__":
    main()

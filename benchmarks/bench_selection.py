"""Selection optimism: how much a sweep's winner's figure flatters it, chosen on test or on
validation, against the same configuration retrained with fresh seeds and scored on test.

    python benchmarks/bench_selection.py [--repeats 3] [--runs 40] [--retrains 5] [--epochs 2]

Per repeat: one random search of `--runs` R-exact draws of the lecture's space on digits, with a
validation part (20 % of the training rows) carved with the split seed; every model is scored
on validation and on test. The test-chosen winner (the lecture's `which.min(test MSE)`) and the
validation-chosen winner (h2osweep's default) are each retrained `--retrains` times with fresh
model seeds on the same training part and scored on the same test part. Printed per winner:
the figure a report would quote (the winner's test MSE when test chose it; its validation MSE
and its test MSE when validation chose it), the mean retrained test MSE with a 95 % interval,
and the gaps (retrained - quoted). Both arms come from the same sweep, in the same process.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunSpec
from h2osweep.search.fixed import random_plan
from h2osweep.store.results_store import read_configs
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.flight import train_many
from h2osweep.training.scheduler import TrainSettings


def interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95 % t-interval."""
    from statsmodels.stats.weightstats import DescrStatsW

    low, high = DescrStatsW(np.array(values)).tconfint_mean()
    return statistics.fmean(values), low, high


def sweep(repeat: int, local, args, folder: Path, url: str) -> pd.DataFrame:
    """The repeat's random search, ranked on validation; every run scored on test too."""
    seeds = np.random.default_rng(1000 + repeat).choice(1_000_000, args.runs, replace=False)
    options = SweepOptions(folder, objective=Objective("valid_mse"), quiet=True)
    training = TrainSettings(epochs=args.epochs)
    run_sweep(random_plan([int(s) for s in seeds]), local, training, options, ClusterOptions(url))
    table = pd.read_csv(folder / "results.csv", float_precision="round_trip")
    return table[table["status"] == "ok"].set_index("name")


def retrained(config: dict, name: str, data, args) -> list[float]:
    """Test MSE of the configuration trained again with `--retrains` fresh model seeds."""
    specs = [RunSpec(f"retrain_{name}_{k}", config) for k in range(args.retrains)]
    results = train_many(specs, data, TrainSettings(epochs=args.epochs), parallel=3)
    return [result.metric("test_mse") for result in results if result.ok]


def one_repeat(repeat: int, local, data, args, url: str) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-selection-") as folder:
        table = sweep(repeat, local, args, Path(folder), url)
        configs = read_configs(Path(folder))
    rows = []
    for chooser in ("test", "valid"):
        name = table[f"{chooser}_mse"].idxmin()
        again = retrained(configs[name], name, data, args)
        mean, low, high = interval(again)
        quoted = table.loc[name, f"{chooser}_mse"]
        rows.append(
            {
                "repeat": repeat,
                "chosen on": chooser,
                "winner": name,
                "quoted": quoted,
                "its test MSE": table.loc[name, "test_mse"],
                "retrained test MSE": mean,
                "95% CI": f"[{low:.4f}, {high:.4f}]",
                "gap to quoted": mean - quoted,
                "gap to its test": mean - table.loc[name, "test_mse"],
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--retrains", type=int, default=5)
    parser.add_argument("--epochs", type=float, default=2.0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    local = load_data("digits", valid_fraction=0.2)
    rows = []
    with H2OCluster() as cluster:
        data = upload(local)
        for repeat in range(1, args.repeats + 1):
            rows += one_repeat(repeat, local, data, args, cluster.url)
            print(pd.DataFrame(rows[-2:]).to_string(index=False), flush=True)
    frame = pd.DataFrame(rows)
    print(f"\n{args.runs} runs, {args.retrains} retrains, {args.epochs:g} epochs, digits")
    with pd.option_context("display.width", 200, "display.float_format", "{:.4f}".format):
        print(frame.to_string(index=False))
        means = frame.groupby("chosen on")[["quoted", "retrained test MSE", "gap to quoted"]]
        print("\nmean over repeats:")
        print(means.mean().to_string())


if __name__ == "__main__":
    main()

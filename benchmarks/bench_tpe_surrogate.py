"""A screen for TPE's settings on a surrogate of the lecture space (a simulation, not H2O).

How often does TPE reach random search's best of 40 within 20 runs? bench_search.py answers
that on H2O at about a minute a repeat, too slow to compare settings over many repeats. Here
400 real runs (R seeds 1000..1399, 2 epochs, digits, validation split, shipped as
benchmarks/data/lecture_random_400.csv) train an ExtraTrees model of log valid_mse on each
configuration; a run's value is that prediction times exp(noise), noise ~ N(0, `--noise`) for
the model seed's luck (bench_seed_noise.py). Each repeat follows bench_search.py's protocol:
random search of 40 R-exact draws sets the target, then the real `OptunaSearch` (the code of
`h2osweep search --strategy tpe`) runs 40 trials, 2 in flight on a clock of predicted build
seconds. A setting is `startup:candidates` (the constants of search/optuna/samplers.py; the
joint TPE, as shipped) or `startup:candidates:independent` (one estimator per parameter).

    python benchmarks/bench_tpe_surrogate.py                      # shipped vs Optuna's defaults
    python benchmarks/bench_tpe_surrogate.py --settings 3:256 3:256:independent --first-repeat 201
    python benchmarks/bench_tpe_surrogate.py --record             # re-record the 400 runs (~4 min)

The surrogate screens; bench_search.py on H2O decides.
"""

from __future__ import annotations

import argparse
import heapq
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.model_selection import cross_val_score

from h2osweep.record.goal import Objective
from h2osweep.record.runs import OK, RunResult
from h2osweep.search.base import SearchContext
from h2osweep.search.optuna import samplers
from h2osweep.search.optuna.strategy import optuna_plan
from h2osweep.space import LECTURE_SPACE, sample_params

RUNS = Path(__file__).parent / "data" / "lecture_random_400.csv"
FIRST_SEED, RECORDED = 1000, 400
RANDOM_RUNS, WITHIN, PARALLEL = 40, 20, 2
LAYERS = 5  # the lecture space's deepest network
SCALARS = ["depth", "l1", "l2", "input_dropout", "rho", "epsilon", "SumNeurons"]


def features(config: dict) -> list[float]:
    """A configuration as numbers: its scalars, then each layer's units and dropout (0 past
    its depth)."""
    layers = [0.0] * (2 * LAYERS)
    for k, (units, dropout) in enumerate(
        zip(config["neurons"], config["hidden_dropout"], strict=True)
    ):
        layers[2 * k : 2 * k + 2] = [units, dropout]
    return [float(config[name]) for name in SCALARS] + layers


class Surrogate:
    """Predicted log valid_mse and build seconds of a configuration, fitted to the real runs."""

    def __init__(self, runs: pd.DataFrame) -> None:
        x = np.array([features(sample_params(int(seed))) for seed in runs["seed"]])
        self.quality = ExtraTreesRegressor(300, min_samples_leaf=2, random_state=0)
        self.speed = ExtraTreesRegressor(300, min_samples_leaf=2, random_state=0)
        y = np.log(runs["valid_mse"].to_numpy())
        self.r2 = cross_val_score(self.quality, x, y, cv=5, scoring="r2").mean()
        self.quality.fit(x, y)
        self.speed.fit(x, np.log(runs["build_seconds"].to_numpy()))

    def predict(self, configs: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """Log valid_mse and build seconds of each configuration."""
        x = np.array([features(config) for config in configs])
        return self.quality.predict(x), np.exp(self.speed.predict(x))


def random_values(repeat: int, surrogate: Surrogate, noise: float) -> np.ndarray:
    """bench_search.py's random search of 40 R-exact draws for `repeat`: each run's value."""
    seeds = np.random.default_rng(repeat).choice(1_000_000, RANDOM_RUNS, replace=False)
    log_mse, _ = surrogate.predict([sample_params(int(seed)) for seed in seeds])
    return np.exp(log_mse + np.random.default_rng([repeat, 0]).normal(0, noise, RANDOM_RUNS))


def tpe_search(repeat: int, surrogate: Surrogate, noise: float, folder: Path) -> list[float]:
    """The real OptunaSearch over 40 trials, 2 in flight, the earliest predicted finish told
    first: each told value in the order told."""
    search = optuna_plan("tpe", RANDOM_RUNS, seed=repeat, space=LECTURE_SPACE)
    folder.mkdir(parents=True)
    search.start(SearchContext(folder, Objective("valid_mse"), "surrogate"))
    luck, clock, flight, told = np.random.default_rng([repeat, 1]), 0.0, [], []
    while not search.is_done() or flight:
        while len(flight) < PARALLEL and (spec := search.ask()) is not None:
            (log_mse,), (seconds,) = surrogate.predict([spec.config])
            value = float(np.exp(log_mse + luck.normal(0, noise)))
            heapq.heappush(flight, (clock + seconds, spec.position, spec, value))
        clock, _, spec, value = heapq.heappop(flight)
        search.tell(RunResult(spec, OK, {"valid_mse": value}))
        told.append(value)
    return told


def runs_to(values: list[float], target: float) -> float:
    """1-based count at which `values` first reach `target` (inf: never)."""
    reached = [n for n, value in enumerate(values, 1) if value <= target]
    return float(reached[0]) if reached else float("inf")


def sampler_constants(setting: str) -> dict:
    """The constants of search/optuna/samplers.py a setting such as `3:256` or
    `3:256:independent` stands for: start-up trials and EI candidates (each at least 1), and
    whether the TPE is joint (the default) or independent."""
    startup, _, rest = setting.partition(":")
    candidates, _, estimator = rest.partition(":")
    numbers = startup.isdigit() and candidates.isdigit()
    if (
        not numbers
        or min(int(startup), int(candidates)) < 1
        or estimator not in ("", "independent")
    ):
        raise argparse.ArgumentTypeError(
            f"{setting!r} is not STARTUP:CANDIDATES[:independent], e.g. 3:256"
        )
    return {
        "STARTUP_TRIALS": int(startup),
        "TPE_CANDIDATES": int(candidates),
        "TPE_MULTIVARIATE": estimator != "independent",
    }


def setting_value(text: str) -> str:
    """A `--settings` entry, kept as written once `sampler_constants` accepts it."""
    sampler_constants(text)
    return text


def screen(setting: str, repeats: range, surrogate: Surrogate, noise: float) -> dict:
    """One setting's share of repeats where TPE reached random's best within 20 runs."""
    patched = mock.patch.multiple(samplers, **sampler_constants(setting))
    counts, started = [], time.perf_counter()
    with patched, tempfile.TemporaryDirectory() as root:
        for repeat in repeats:
            target = random_values(repeat, surrogate, noise).min()
            told = tpe_search(repeat, surrogate, noise, Path(root) / str(repeat))
            counts.append(runs_to(told, target))
    seconds = time.perf_counter() - started
    return {"setting (startup:candidates)": setting, **shares(counts), "seconds": seconds}


def shares(counts: list[float]) -> dict:
    """The share of repeats reaching the target within 20 and 40 runs, and the median count."""
    return {
        f"within {WITHIN}": float(np.mean([count <= WITHIN for count in counts])),
        f"within {RANDOM_RUNS}": float(np.mean([count <= RANDOM_RUNS for count in counts])),
        "median runs": float(np.median(counts)),
    }


def second_random_search(repeats: range, surrogate: Surrogate, noise: float) -> dict:
    """Calibration: a second random search (other seeds) against the first's best; in theory
    it is within n runs with probability n / (40 + n)."""
    counts = []
    for repeat in repeats:
        target = random_values(repeat, surrogate, noise).min()
        again = random_values(repeat + 1_000_000, surrogate, noise)
        counts.append(runs_to(list(again), target))
    return {"setting (startup:candidates)": "second random search", **shares(counts)}


def record() -> None:
    """Train the 400 real runs the surrogate learns from, and keep seed, metrics and seconds."""
    folder = Path(tempfile.mkdtemp(prefix="h2osweep-surrogate-")) / "sweep"
    command = [sys.executable, "-m", "h2osweep.cli.main", "random", "--n-runs", str(RECORDED)]
    command += ["--first-seed", str(FIRST_SEED), "--epochs", "2", "--out", str(folder)]
    subprocess.run(command, check=True)
    columns = ["seed", "valid_mse", "test_mse", "build_seconds"]
    RUNS.parent.mkdir(exist_ok=True)
    pd.read_csv(folder / "results.csv")[columns].to_csv(RUNS, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", type=setting_value, default=["3:256", "10:24"])
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--first-repeat", type=int, default=101)
    parser.add_argument("--noise", type=float, default=0.3, help="sd of log valid_mse per run")
    parser.add_argument("--runs", type=Path, default=RUNS, help="the real runs to learn from")
    parser.add_argument("--record", action="store_true", help="re-record the 400 real runs")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.record:
        record()
    runs = pd.read_csv(args.runs)
    surrogate = Surrogate(runs)
    repeats = range(args.first_repeat, args.first_repeat + args.repeats)
    print(
        f"SIMULATION: ExtraTrees on {len(runs)} real runs (5-fold R2 {surrogate.r2:.2f}, best "
        f"{runs['valid_mse'].min():.5f}), noise sd {args.noise:g} (log), repeats "
        f"{repeats.start}-{repeats.stop - 1}",
        flush=True,
    )
    rows = []
    for setting in args.settings:
        rows.append(screen(setting, repeats, surrogate, args.noise))
        print(f"{setting}: {rows[-1]}", flush=True)
    rows.append(second_random_search(repeats, surrogate, args.noise))
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:.2f}"))


if __name__ == "__main__":
    main()

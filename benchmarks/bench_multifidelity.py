"""Multi-fidelity search (issue 22): the compute and wall time Hyperband and ASHA need to reach
the best validation MSE of 40 R-exact random runs at the full budget.

    python benchmarks/bench_multifidelity.py [--repeats 5] [--max-epochs 3] [--min-epochs 1]
        [--eta 3] [--hyperband-runs 27] [--asha-runs 36] [--parallel 2] [--first-repeat 1]
        [--random-order plan|costliest] [--arms asha-tpe hyperband-random ...]

On sklearn's digits (80/20 split, then 20 % of the training rows for validation, both with the
split seed), the lecture's space, deep learning, reproducible=True, ranked on valid_mse. Per
repeat r:
  - baseline: `random_plan` of 40 R seeds drawn for the repeat, each at `--max-epochs`; its best
    valid_mse is the repeat's target;
  - arms: `multi_fidelity_plan(strategy, n_runs, Ladder(min, max, eta), sampler=..., seed=...)`
    for hyperband and asha, each with the random and the TPE sampler, seed r * `--seed-stride`
    (the random proposer's configuration i is R seed `seed + i`: a stride of 1 would give the
    repeats nearly the same configurations).

Every committed run is timed by the sweep's `after_commit` callback, so the runs are read in
the order they were stored (results.csv is in plan order). A run's epochs are what it added:
its budget less the budget of the rung below when it continued that rung's model (checkpoint),
its whole budget when it was trained from scratch (a first rung, a Hyperband bracket starting
higher, or a checkpoint gone). Seconds count from the call of `run_sweep`. An arm reaches the
target at its first final-rung run with valid_mse <= target; random search reaches its own best
at the run that holds it. Ratio = random's figure / the arm's (0: the arm never reached it).
Each search's choice is its final-rung run with the best valid_mse; its test MSE (held out,
never used to choose) is printed, and its difference from random search's choice, per repeat
and as a median with its interval: a search that trains less must not choose worse models.
A failed run counts the epochs it was to add. Compute is counted three ways: epochs, epochs x
the network's weights (what a build's time grows with, `ordering.network_cost`), and the build
seconds H2O reports; wall time is seconds since the call. Arms run in the opposite order in
even repeats, after an untimed warm-up.

Random search trains in plan order by default. The engine's costliest-first reordering of a
whole fixed plan (`--random-order costliest`) keeps the cheapest runs waiting to the end, and
on digits at 3 epochs the best runs are small networks: random's best came 37th-40th of 40.

Budgets must be whole epochs: reproducible deep learning trains whole epochs (epochs=1/3 trains
one), so a rung at 1 cannot continue a first rung at 1/3 (H2O refuses the checkpoint). The
default arms cost about half of random search's 120 epochs when run to the end (Hyperband 27
configurations: 56 epochs; ASHA 36: 60, or a little more, as a run that was in the best third
of its rung so far stays promoted); an arm that meets the 3x target reaches it within 40
epochs, so the cap decides no compute target, but a ratio between 0 and ~2 may read 0; the
`cap hides wall` column flags an arm that ended, unreached, sooner than the wall target allows.
Targets: >= 3x less compute and >= 2.5x less wall time than random search, for one arm or more.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunResult, run_key
from h2osweep.search.fixed import random_plan
from h2osweep.search.halving import multi_fidelity_plan
from h2osweep.search.rungs import Ladder
from h2osweep.sweep import Budget, SweepOptions, run_sweep
from h2osweep.training.ordering import network_cost
from h2osweep.training.scheduler import TrainSettings

RANDOM_RUNS = 40
METRIC = "valid_mse"
TEST = "test_mse"  # the held-out figure of the configuration each search chooses
ARMS = [f"{s}-{p}" for s in ("hyperband", "asha") for p in ("random", "tpe")]
BOOTSTRAP = 10_000
COMPUTE_GOAL, WALL_GOAL = 3.0, 2.5


@dataclass
class Arm:
    """One search of a repeat: its commits, read in the order they were stored."""

    name: str
    commits: pd.DataFrame
    seconds: float


def epochs_value(text: str) -> float:
    """A budget given as a number or a fraction (1/3)."""
    return float(Fraction(text))


def commit_row(result: RunResult, started: float, max_epochs: float, widths) -> dict:
    """What the benchmark keeps of one stored run, with its time since the sweep started."""
    spec = result.spec
    layers = [widths[0], *spec.config["neurons"], widths[1]]
    return {
        "key": run_key(spec),
        "config": spec.name,
        "rung": spec.rung,
        "budget": spec.budget if spec.budget is not None else max_epochs,
        "final": spec.final,
        METRIC: result.metric(METRIC) if result.ok else math.nan,
        TEST: result.metric(TEST) if result.ok else math.nan,
        "ok": result.ok,
        "scratch": spec.rung == 0 or bool(result.note and "from scratch" in result.note),
        "seconds": time.perf_counter() - started,
        "weights": network_cost(1, layers),
        "build s": result.build_seconds or 0.0,
    }


def added_epochs(commits: pd.DataFrame) -> pd.Series:
    """Epochs each run trained: its budget less the rung below's when it continued a model."""
    reached: dict[str, float] = {}
    added = []
    for row in commits.itertuples():
        below = reached.get(row.config)
        continued = not row.scratch and below is not None
        added.append(row.budget - below if continued else row.budget)
        if row.ok:
            reached[row.config] = row.budget
    return pd.Series(added, index=commits.index)


def timed_sweep(name: str, plan, folder: Path, local, args, url: str, limit=None) -> Arm:
    """Run one search, noting every commit as it happens; checked against results.csv."""
    rows: list[dict] = []
    widths = (len(local.features), local.outputs)
    started = time.perf_counter()
    options = SweepOptions(
        folder,
        parallel=args.parallel,
        objective=Objective(METRIC),
        quiet=True,
        budget=limit or Budget(),
        after_commit=lambda result: rows.append(
            commit_row(result, started, args.max_epochs, widths)
        ),
    )
    training = TrainSettings(epochs=args.max_epochs, reproducible=True)
    run_sweep(plan, local, training, options, ClusterOptions(url=url))
    seconds = time.perf_counter() - started
    commits = pd.DataFrame(rows)
    added = added_epochs(commits)
    commits["epochs"] = added.cumsum()
    commits["weight-epochs"] = (added * commits["weights"]).cumsum()
    commits["build s"] = commits["build s"].cumsum()
    check_against_store(commits, folder)
    return Arm(name, commits, seconds)


def check_against_store(commits: pd.DataFrame, folder: Path) -> None:
    """The commits seen are the rows of results.csv, with the same rung, budget and metric."""
    table = pd.read_csv(folder / "results.csv", float_precision="round_trip").set_index("name")
    seen = commits.set_index("key")
    assert sorted(seen.index) == sorted(table.index), "commits differ from results.csv"
    if "budget" in table:
        assert np.allclose(seen["budget"], table.loc[seen.index, "budget"])
    same = np.isclose(seen[METRIC], table.loc[seen.index, METRIC], equal_nan=True)
    assert same.all(), "valid_mse differs from results.csv"


COSTS = ("epochs", "weight-epochs", "build s", "seconds")  # compute three ways, then wall


def reach(arm: Arm, target: float) -> dict[str, float]:
    """Each cost spent up to the arm's first final run with valid_mse <= target (inf: never)."""
    commits = arm.commits
    hits = commits[commits["final"] & (commits[METRIC] <= target)]
    if hits.empty:
        return dict.fromkeys(COSTS, math.inf)
    return {cost: float(hits.iloc[0][cost]) for cost in COSTS}


def best(arm: Arm) -> float:
    """The best valid_mse of the arm's final-rung runs."""
    return float(arm.commits.loc[arm.commits["final"], METRIC].min())


def chosen_test(arm: Arm) -> float:
    """The test MSE of the final-rung run the arm chooses (its best valid_mse)."""
    finals = arm.commits[arm.commits["final"]]
    return float(finals.loc[finals[METRIC].idxmin(), TEST])


def random_search(repeat: int, folder: Path, local, args, url: str) -> Arm:
    """40 R-exact random runs at the full budget, seeds drawn for this repeat (in plan order:
    a limit of 40 models turns off the engine's costliest-first reordering)."""
    seeds = np.random.default_rng(repeat).choice(1_000_000, RANDOM_RUNS, replace=False)
    plan = random_plan([int(seed) for seed in seeds])
    limit = Budget(max_models=RANDOM_RUNS) if args.random_order == "plan" else None
    return timed_sweep("random", plan, folder / "random", local, args, url, limit)


def mf_search(strategy: str, sampler: str, repeat: int, folder: Path, local, args, url) -> Arm:
    """One multi-fidelity arm with seed repeat * stride."""
    ladder = Ladder(args.min_epochs, args.max_epochs, args.eta)
    n_runs = args.hyperband_runs if strategy == "hyperband" else args.asha_runs
    seed = repeat * args.seed_stride
    plan = multi_fidelity_plan(strategy, n_runs, ladder, sampler=sampler, seed=seed)
    name = f"{strategy}-{sampler}"
    return timed_sweep(name, plan, folder / name, local, args, url)


def one_repeat(repeat: int, local, args, url: str) -> list[dict]:
    """The baseline and the four arms of one repeat, one row per arm."""
    order = ["random", *args.arms]
    if repeat % 2 == 0:
        order.reverse()
    arms: dict[str, Arm] = {}
    with tempfile.TemporaryDirectory(prefix="bench-mf-") as root:
        for name in order:
            if name == "random":
                arms[name] = random_search(repeat, Path(root), local, args, url)
            else:
                strategy, sampler = name.split("-")
                arms[name] = mf_search(strategy, sampler, repeat, Path(root), local, args, url)
    return arm_rows(repeat, arms)


RATIOS = {"epochs": "compute x", "weight-epochs": "weight-epochs x", "build s": "build s x"}


def arm_rows(repeat: int, arms: dict[str, Arm]) -> list[dict]:
    """Per arm: what it took to reach random search's best (epochs, epochs x weights, H2O's
    build seconds, wall seconds) as ratios to random's, and the whole arm's totals."""
    baseline = arms["random"]
    target = best(baseline)
    base, base_test = reach(baseline, target), chosen_test(baseline)
    base_total = float(baseline.commits["epochs"].iloc[-1])
    rows = []
    for name, arm in arms.items():
        spent, test = reach(arm, target), chosen_test(arm)
        total = float(arm.commits["epochs"].iloc[-1])
        row = {
            "repeat": repeat,
            "arm": name,
            "target": target,
            "best": best(arm),
            "chosen test": test,
            "test - random's": test - base_test,
            "runs": len(arm.commits),
            "failed": int((~arm.commits["ok"]).sum()),
            "epochs to target": spent["epochs"],
            "s to target": spent["seconds"],
        }
        row |= {ratio: base[cost] / spent[cost] for cost, ratio in RATIOS.items()}
        row["wall x"] = base["seconds"] / spent["seconds"]
        row |= {
            "total epochs": total,
            "total s": arm.seconds,
            "total epochs / random": total / base_total,
            "total s / random": arm.seconds / baseline.seconds,
            "cap hides wall": math.isinf(spent["seconds"])
            and arm.seconds < base["seconds"] / WALL_GOAL,
        }
        rows.append(row)
    return rows


def median_interval(values: list[float], seed: int = 0) -> tuple[float, float, float]:
    """Median and a 95 % percentile bootstrap interval of the median."""
    data = np.asarray(values, dtype=float)
    draws = np.random.default_rng(seed).choice(data, (BOOTSTRAP, len(data)), replace=True)
    low, high = np.percentile(np.median(draws, axis=1), [2.5, 97.5])
    return statistics.median(data), float(low), float(high)


def warm_up(local, args, url: str) -> None:
    """An untimed short sweep, so the first timed arm does not pay the JIT compiler alone."""
    with tempfile.TemporaryDirectory(prefix="bench-mf-warm-") as root:
        plan = random_plan(list(range(1, 5)))
        timed_sweep("warm-up", plan, Path(root), local, args, url)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Medians and bootstrap intervals per arm, and whether the targets are met."""
    rows = []
    for name, group in frame[frame["arm"] != "random"].groupby("arm", sort=False):
        row: dict = {"arm": name, "reached": f"{np.isfinite(group['epochs to target']).sum()}"}
        goals = [(ratio, COMPUTE_GOAL) for ratio in RATIOS.values()] + [("wall x", WALL_GOAL)]
        for column, goal in goals:
            median, low, high = median_interval(list(group[column]))
            row[column] = f"{median:.2f} [{low:.2f}, {high:.2f}]"
            row[f"{column} >= {goal:g}"] = "met" if median >= goal else "not met"
        median, low, high = median_interval(list(group["test - random's"]))
        row["test - random's"] = f"{median:+.5f} [{low:+.5f}, {high:+.5f}]"
        for column in ("best", "chosen test", "total epochs / random", "total s / random"):
            row[f"median {column}"] = round(float(group[column].median()), 5)
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--first-repeat", type=int, default=1, help="re-run from this repeat")
    parser.add_argument("--max-epochs", type=epochs_value, default=3.0)
    parser.add_argument("--min-epochs", type=epochs_value, default=1.0)
    parser.add_argument("--eta", type=int, default=3)
    parser.add_argument("--hyperband-runs", type=int, default=27)
    parser.add_argument("--asha-runs", type=int, default=36)
    parser.add_argument("--seed-stride", type=int, default=100_000)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--random-order", choices=["plan", "costliest"], default="plan")
    parser.add_argument("--arms", nargs="+", choices=ARMS, default=ARMS)
    parser.add_argument("--out", type=Path, help="write the per-repeat table here as CSV")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    local = load_data("digits", valid_fraction=0.2)
    rows, started = [], time.perf_counter()
    with H2OCluster() as cluster:
        warm_up(local, args, cluster.url)
        for repeat in range(args.first_repeat, args.first_repeat + args.repeats):
            rows += one_repeat(repeat, local, args, cluster.url)
            _print_table(pd.DataFrame(rows[-1 - len(args.arms) :]))
            print(
                f"after repeat {repeat}: {(time.perf_counter() - started) / 60:.1f} min", flush=True
            )
    frame = pd.DataFrame(rows)
    if args.out:
        frame.to_csv(args.out, index=False)
    _print_summary(frame, args, time.perf_counter() - started)


def _print_table(frame: pd.DataFrame) -> None:
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(frame.to_string(index=False, float_format="{:.4g}".format), flush=True)


def _print_summary(frame: pd.DataFrame, args, seconds: float) -> None:
    ladder = Ladder(args.min_epochs, args.max_epochs, args.eta)
    print(
        f"\ndigits, valid_fraction 0.2, ranked on {METRIC}; random: {RANDOM_RUNS} runs at "
        f"{args.max_epochs:g} epochs; ladder {[round(b, 4) for b in ladder.budgets]} "
        f"(eta {args.eta}); arms {', '.join(args.arms)}; hyperband {args.hyperband_runs}, "
        f"asha {args.asha_runs} configurations; {args.parallel} in flight; "
        f"random in {args.random_order} order; "
        f"{args.repeats} repeats; "
        f"{seconds / 60:.1f} min"
    )
    _print_table(frame)
    print("\nmedian [95 % bootstrap interval of the median] over repeats; ratio 0 = not reached:")
    _print_table(summary(frame))


if __name__ == "__main__":
    main()

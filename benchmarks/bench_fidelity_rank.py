"""How well a low rung ranks configurations for the top one (issue 22): every configuration is
trained up the whole ladder by checkpoint continuation, and each rung's valid_mse is compared
with the top rung's.

    python benchmarks/bench_fidelity_rank.py [--configs 40] [--max-epochs 27] [--min-epochs 1]
        [--eta 3] [--seed 1]

On sklearn's digits (the sweep commands' validation split), the lecture's space, deep learning,
reproducible=True, 2 builds in flight: configuration i is R's `run(seed + i)`, as a random
search or the random proposer of `--strategy asha` draws it. The configurations climb through
the engine's own multi-fidelity path (a strategy that promotes every one, so each rung above
the first continues the rung below's model). Per rung it prints Spearman's and Kendall's rank
correlation with the top rung, how many of the rung's best 1/eta are among the top rung's best
1/eta, and the top-rung valid_mse of the configuration that rung ranks first against the best.
Low correlations mean successive halving promotes the wrong configurations.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
from scipy import stats

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunSpec, config_name
from h2osweep.search.halving import MultiFidelity
from h2osweep.search.proposers import RandomProposer
from h2osweep.search.rungs import Ladder
from h2osweep.space import LECTURE_SPACE
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.scheduler import TrainSettings

METRIC = "valid_mse"


class PromoteAll(MultiFidelity):
    """Every configuration climbs every rung: the highest open promotion first, else a new
    configuration at the first rung."""

    def __init__(self, ladder: Ladder, n_runs: int, seed: int) -> None:
        super().__init__("promote-all", ladder, n_runs, RandomProposer(LECTURE_SPACE, seed))

    @property
    def total(self) -> int:
        return self.n_runs * (self.ladder.top + 1)

    def ask(self) -> RunSpec | None:
        for rung in range(self.ladder.top - 1, -1, -1):
            for name in self.rungs.at(rung):
                if not self.rungs.present(name, rung + 1):
                    return self.rungs.run(name, rung + 1)
        for index in range(self.n_runs):
            name = self.rungs.proposer.name(index)
            if not self.rungs.present(name, 0):
                return self.rungs.run(self.rungs.config(index), 0)
        return None

    def is_done(self) -> bool:
        top = self.rungs.at(self.ladder.top)
        return len(top) == self.n_runs and not self.rungs.asked


def rung_table(folder: Path, ladder: Ladder) -> pd.DataFrame:
    """valid_mse per configuration (rows) and rung budget (columns), from results.csv."""
    table = pd.read_csv(folder / "results.csv", float_precision="round_trip")
    keys = zip(table["name"], table["rung"], strict=True)
    table["config"] = [config_name(key, rung) for key, rung in keys]
    wide = table.pivot_table(index="config", columns="budget", values=METRIC)
    assert list(wide.columns) == list(ladder.budgets), wide.columns
    return wide


def agreement(wide: pd.DataFrame, eta: int) -> pd.DataFrame:
    """Each rung against the top: rank correlations, overlap of the best 1/eta, regret."""
    top = wide.columns[-1]
    keep = max(len(wide) // eta, 1)
    best_at_top = set(wide[top].nsmallest(keep).index)
    rows = []
    for budget in wide.columns:
        column = wide[budget]
        shared = best_at_top & set(column.nsmallest(keep).index)
        rows.append(
            {
                "epochs": budget,
                "spearman": stats.spearmanr(column, wide[top]).statistic,
                "kendall": stats.kendalltau(column, wide[top]).statistic,
                f"best {keep} also best at top": len(shared),
                "its first's top valid_mse": wide.loc[column.idxmin(), top],
                "best top valid_mse": wide[top].min(),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=40)
    parser.add_argument("--max-epochs", type=float, default=27.0)
    parser.add_argument("--min-epochs", type=float, default=1.0)
    parser.add_argument("--eta", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--out", type=Path, help="write the configurations x rungs table here")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    ladder = Ladder(args.min_epochs, args.max_epochs, args.eta)
    local, started = load_data("digits", valid_fraction=0.2), time.perf_counter()
    with H2OCluster() as cluster, tempfile.TemporaryDirectory(prefix="bench-rank-") as root:
        options = SweepOptions(Path(root), parallel=args.parallel, objective=Objective(METRIC))
        training = TrainSettings(epochs=args.max_epochs, reproducible=True)
        plan = PromoteAll(ladder, args.configs, args.seed)
        run_sweep(plan, local, training, options, ClusterOptions(url=cluster.url))
        wide = rung_table(Path(root), ladder)
    if args.out:
        wide.to_csv(args.out)
    print(
        f"\n{args.configs} configurations (R seeds {args.seed}..{args.seed + args.configs - 1}), "
        f"ladder {list(ladder.budgets)}, ranked on {METRIC}, "
        f"{(time.perf_counter() - started) / 60:.1f} min"
    )
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(agreement(wide, args.eta).to_string(index=False, float_format="{:.4g}".format))


if __name__ == "__main__":
    main()

"""The lecture's random search, steps 1-8 (DeepNeuralNetwork.ParameterOptimization.R, 92-267).

Step 1-4 `run(seed)`: set.seed, draw depth, l1, l2, input dropout, rho, epsilon, neurons and
hidden dropouts exactly as R does, train an H2O deep-learning model (RectifierWithDropout,
CrossEntropy) and collect train/test MSE, R², logloss and confusion matrices. Step 5: loop over
seeds. Step 6: one row per model (`model.res.dat`) and the facet plot of MSE against every
parameter. Step 7: the GAM `MSE ~ s(l1, k=4) + ... + te(depth, SumNeurons, k=4)` and its term
plots. Step 8: the lecture's optimized model `hidden = c(500, 500, 500)` and `which.min(MSE)`.

Differences from R: the lecture trains on the UCI HAR data (`--data` takes that folder); the
default here is sklearn's digits. Epochs default to 2 instead of 100 to finish in minutes.
The GAM is pygam's penalised B-splines, not mgcv's thin-plate splines (see reference_r/).

    python scripts/random_search.py                                    # 20 seeds, 2 epochs
    python scripts/random_search.py --seeds 403 10 --epochs 100 --data "UCI HAR Dataset"
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from h2osweep import run
from h2osweep.cli.main import run_guarded
from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.record.runs import RunSpec
from h2osweep.training.flight import train_one
from h2osweep.training.scheduler import TrainSettings
from h2osweep.workflows.retrain import LECTURE_OPTIMUM, Retrained, compare

DAT_COLUMNS = [
    "l1",
    "l2",
    "depth",
    "input_dropout",
    "SumNeurons",
    "MeanHiddenDropout",
    "rho",
    "epsilon",
]
DEFAULT_SEEDS = [403, 10, *range(1, 19)]


def model_res_dat(records: list[dict]) -> pd.DataFrame:
    """R's `model.res.dat`: the sampled parameters of each model and its test MSE, its rows
    numbered from 1 as R numbers them."""
    rows = [{**{c: r[c] for c in DAT_COLUMNS}, "MSE": r["test_mse"]} for r in records]
    return pd.DataFrame(rows, index=range(1, len(rows) + 1))


def analysed_table(table: pd.DataFrame, records: list[dict]) -> pd.DataFrame:
    """`model.res.dat` as the analysis reads it: each row named by its run (m_403), and MSE
    called what it is, the test MSE that chose the best (the lecture's choice)."""
    names = [record["name"] for record in records]
    return table.rename(columns={"MSE": "test_mse"}).assign(name=names)


def lecture_optimum(records: list[dict], optimized) -> Retrained:
    """Step 8's model next to the best run of the sweep, for the report."""
    best = pd.Series(min(records, key=lambda record: record["test_mse"]))
    return Retrained("lecture", dict(LECTURE_OPTIMUM), optimized, compare(best, optimized))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=DEFAULT_SEEDS,
        help="use.seeds (default: 403 10 1 ... 18)",
    )
    parser.add_argument("--epochs", type=float, default=2.0, help="epochs (the lecture: 100)")
    parser.add_argument("--data", default="digits", help="digits, a Kaggle CSV or a HAR folder")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("random-search"),
        help="folder for the plots and tables (random-search)",
    )
    parser.add_argument("--url", help="an existing H2O cluster instead of the embedded one")
    args = parser.parse_args(argv)
    return run_guarded("random_search.py", _main, args)


def _main(args) -> int:
    from h2osweep.analysis import analyze
    from h2osweep.analysis.selection import selection
    from h2osweep.report.outputs import write_report

    local = load_data(args.data)
    with H2OCluster(ClusterOptions(url=args.url)):
        data = upload(local)
        records = []
        for seed in args.seeds:  # step 5: model.res <- lapply(use.seeds, run)
            record = run(seed, data, epochs=args.epochs)
            print(
                f"{record['name']}: depth {record['depth']}, neurons {record['neurons']}, "
                f"test MSE {record['test_mse']:.4f}",
                file=sys.stderr,
            )
            records.append(record)
        optimized = train_one(
            RunSpec("optimized_model", dict(LECTURE_OPTIMUM)),
            data,
            TrainSettings(epochs=args.epochs),
        )
    table = model_res_dat(records)
    print("model.res.dat:  # MSE is the test MSE, which chooses the best (the lecture's choice)")
    print(table.to_string())
    analysis = analyze(analysed_table(table, records), target="test_mse", goal="min")
    analysis.selection = selection(analysis.prepared)  # a sweep's table: say what chose
    write_report(analysis, args.out, retrained=[lecture_optimum(records, optimized)])
    print("\nwhat the analysis did (also in the report):")
    print("\n".join(f"  - {note}" for note in analysis.notes))
    print("\nsummary(m.gam):")
    print(analysis.gam.to_string(index=False))
    print(f"\nplots (p.perf, plot(m.gam, select = i)): {args.out}/")
    print("\nh2o.performance(model.optimized, test):  # hidden = c(500, 500, 500)")
    for name in ("mse", "rmse", "r2", "logloss", "mean_per_class_error"):
        print(f"  {name}: {optimized.metric(f'test_{name}'):.4f}")
    print("\nmodel.res.dat[which.min(model.res.dat$MSE), ]")
    print(table.loc[[table["MSE"].idxmin()]].to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The blog's sweep analysis ("Exploring Deep Learning Hyperparameters with Random Forests").

Loads a sweep's results (a folder of ours, or a CSV/Parquet from W&B, Optuna or H2O's grid),
drops runs without the target, fills missing hyperparameters with the column mean, turns
categorical ones into indicator columns, then prints the correlation of each column with the
target, the OLS fit with coefficients and P>|t|, and ExtraTrees (250 trees) importances.

    python scripts/sweep_insights.py h2osweep-demo --target test_mse
    python scripts/sweep_insights.py wandb_export.csv --target val_acc --goal max
"""

from __future__ import annotations

import argparse
import sys

from h2osweep.cli.main import run_guarded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="a sweep folder, or a CSV/Parquet results table")
    parser.add_argument(
        "--target",
        help="the metric column (default: the metric our sweep folders chose on, or the one "
        "a W&B, Optuna or H2O table records)",
    )
    parser.add_argument(
        "--goal",
        choices=["min", "max"],
        help="min or max (default: the table's own, else the metric's: max for r2 or accuracy)",
    )
    parser.add_argument(
        "--no-intercept", action="store_true", help="the blog's OLS: every indicator, no intercept"
    )
    args = parser.parse_args(argv)
    return run_guarded("sweep_insights.py", print_insights, args)


def print_insights(args) -> None:
    """Analyse the table and print the blog's three views of it."""
    from h2osweep.analysis import analyze

    analysis = analyze(
        args.results, target=args.target, goal=args.goal, intercept=not args.no_intercept
    )
    print("Preprocessing:")
    print("\n".join(f"  - {note}" for note in analysis.notes))
    print("\nCorrelation of each hyperparameter with the target (corrwith):")
    print(analysis.correlations.to_string(index=False))
    print("\nOLS (statsmodels): coefficients and P>|t|")
    print(analysis.ols.to_string(index=False))
    print("\nExtraTreesRegressor(n_estimators=250) feature importances:")
    print(analysis.importance.to_string(index=False))


if __name__ == "__main__":
    sys.exit(main())

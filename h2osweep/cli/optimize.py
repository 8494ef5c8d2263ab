"""`h2osweep optimize`: retrain the chosen configuration and compare it with the sweep's best."""

from __future__ import annotations

import argparse
from pathlib import Path

from h2osweep.cli.options import add_cluster_options, cluster_options

POSITION = 60


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "optimize",
        help="retrain the best, GAM-suggested or lecture configuration and compare",
        description="The lecture's step 8: train one more model with the chosen configuration "
        "on the sweep's own data and show its metrics next to the sweep's best run. Writes "
        "optimized_<config>.csv into the sweep folder.\n\n"
        "example: h2osweep optimize sweep-random --config gam --epochs 10",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path, metavar="DIR", help="a sweep folder")
    parser.add_argument(
        "--config",
        choices=["best", "gam", "lecture"],
        default="best",
        help="best observed run (default), the GAM's optimum, or the lecture's "
        "hidden = c(500, 500, 500) model",
    )
    parser.add_argument(
        "--epochs",
        type=float,
        metavar="E",
        help="epochs for the retrained model (default: the sweep's)",
    )
    parser.add_argument("--metric", default="test_mse", help="metric to optimise (test_mse)")
    parser.add_argument("--goal", choices=["min", "max"], default="min", help="min or max")
    add_cluster_options(parser)
    parser.set_defaults(handler=run_optimize)


def run_optimize(args) -> int:
    import pandas as pd

    from h2osweep.record.goal import Objective
    from h2osweep.workflows.retrain import retrain

    retrained = retrain(
        args.folder,
        args.config,
        epochs=args.epochs,
        objective=Objective(args.metric, args.goal),
        cluster=cluster_options(args),
    )
    print(f"{args.config} configuration: {retrained.config}")
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(retrained.comparison.to_string(index=False))
    if retrained.note:
        print(retrained.note)
    print(f"written: {args.folder / f'optimized_{args.config}.csv'}")
    return 0

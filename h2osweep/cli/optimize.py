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
    parser.add_argument(
        "--metric", help="metric that picks the best run (default: the sweep's selection metric)"
    )
    parser.add_argument("--goal", choices=["min", "max"], help="min or max (default: the sweep's)")
    parser.add_argument(
        "--refit-on",
        choices=["train", "train+valid"],
        default="train",
        help="train on the sweep's training part (default) or on training and validation "
        "together; test is reported once either way",
    )
    add_cluster_options(parser)
    parser.set_defaults(handler=run_optimize)


def run_optimize(args) -> int:
    import pandas as pd

    from h2osweep.cli.options import say_store_damage
    from h2osweep.cli.selection import folder_objective
    from h2osweep.store.results_store import OPTIMIZED
    from h2osweep.workflows.retrain import retrain

    say_store_damage(args.folder)  # the runs and their configurations then come from results.csv
    objective = folder_objective(args.folder, args.metric, args.goal)
    retrained = retrain(
        args.folder,
        args.config,
        epochs=args.epochs,
        objective=objective,
        cluster=cluster_options(args),
        refit_on=args.refit_on,
    )
    print(f"{args.config} configuration: {retrained.config}")
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(retrained.comparison.to_string(index=False))
    for line in verdict(retrained.comparison, objective):
        print(line)
    if retrained.note:
        print(retrained.note)
    print(f"written: {args.folder / OPTIMIZED.format(choice=args.config)}")
    return 0


def verdict(comparison, objective) -> list[str]:
    """The two figures that matter, retrained against the sweep's best run: the metric that
    chose (lower or higher is better) and the held-out test one."""
    import math

    from h2osweep.record.columns import on_test

    best, new = comparison.iloc[0], comparison.iloc[1]
    lines = []
    for metric in dict.fromkeys([objective.metric, on_test(objective.metric)]):
        if metric not in comparison.columns:
            continue
        mine, theirs = float(new[metric]), float(best[metric])
        if math.isnan(mine):
            lines.append(f"{metric}: not measured for the retrained model (trained on that part)")
            continue
        if math.isnan(theirs):
            lines.append(f"{metric}: retrained {mine:.5g} (the {best['model']} has none)")
            continue
        better = objective.goal.better(mine, theirs)
        word = "better than" if better else "equal to" if mine == theirs else "worse than"
        lines.append(
            f"{metric}: retrained {mine:.5g}, {word} the {best['model']} {theirs:.5g} "
            f"({objective.goal.wording})"
        )
    return lines

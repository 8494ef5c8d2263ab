"""`h2osweep demo`: the whole course workflow on sklearn's digits and an embedded H2O."""

from __future__ import annotations

import argparse
from pathlib import Path

from h2osweep.cli.options import add_cluster_options, cluster_options

POSITION = 10


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="the lecture end to end: random search, analysis, retrained optimum, report",
        description="Run the lecture's random search on sklearn's digits (R-exact seeds), "
        "analyse it (facet plots, GAM, correlations, OLS, ExtraTrees), retrain the best and "
        "the GAM-suggested configurations, and write report.html. Run it again to resume.\n\n"
        "example: h2osweep demo --out demo --runs 30 --epochs 2",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_demo_options(parser)
    add_cluster_options(parser)
    parser.set_defaults(handler=run)


def add_demo_options(parser: argparse.ArgumentParser) -> None:
    from h2osweep.workflows.demo import DEFAULT_EPOCHS, DEFAULT_RUNS

    parser.add_argument(
        "--out",
        type=Path,
        default=Path("h2osweep-demo"),
        metavar="DIR",
        help="folder for results.csv, the PNGs and report.html (h2osweep-demo)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=DEFAULT_RUNS,
        metavar="N",
        help=f"models in the random search ({DEFAULT_RUNS})",
    )
    parser.add_argument(
        "--epochs",
        type=float,
        default=DEFAULT_EPOCHS,
        metavar="E",
        help=f"epochs per model ({DEFAULT_EPOCHS:g}; the lecture uses 100)",
    )
    parser.add_argument(
        "--force-new",
        action="store_true",
        help="start over in a folder of another sweep (old files are moved aside)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the report's path")


def run(args) -> int:
    from h2osweep.workflows.demo import run_demo

    report = run_demo(
        args.out, args.runs, args.epochs, cluster_options(args), args.quiet, args.force_new
    )
    print(f"report: {report}")
    return 0

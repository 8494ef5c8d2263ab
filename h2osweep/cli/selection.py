"""The options that say which data chooses the winner: a validation part (`--valid-fraction`,
`--valid`), H2O's cross-validation (`--nfolds`), and `--select-on` with `--metric`/`--goal`.

By default a sweep holds out 20 % of its training rows for validation and ranks its runs on
validation MSE; the test part only reports. `--select-on test` is the lecture's own choice.
"""

from __future__ import annotations

import argparse
import sys

from h2osweep.record.columns import SELECTION_PARTS

DEFAULT_VALID_FRACTION = 0.2


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "model selection",
        "the winner is chosen on validation (default) or cross-validation; test only reports",
    )
    group.add_argument(
        "--select-on",
        choices=SELECTION_PARTS,
        help="what ranks the runs, drives --patience and a model-based search: valid (default), "
        "xval (default with --nfolds) or test (the lecture's choice)",
    )
    group.add_argument(
        "--metric",
        metavar="NAME",
        help="mse (default; a resume keeps the folder's), rmse, r2, logloss or "
        "mean_per_class_error, measured on the --select-on part (a full column such as "
        "test_mse also works)",
    )
    group.add_argument(
        "--goal", choices=["min", "max"], help="min or max (default: max for r2, else min)"
    )
    group.add_argument(
        "--valid-fraction",
        type=float,
        metavar="F",
        help=f"share of the training rows held out for validation ({DEFAULT_VALID_FRACTION:g})",
    )
    group.add_argument("--valid", metavar="FILE", help="your own validation file (CSV/Parquet)")
    group.add_argument(
        "--nfolds", type=int, metavar="K", help="H2O's K-fold cross-validation of every model"
    )


def selection_part(args: argparse.Namespace) -> str | None:
    """The part named by --select-on, or by a full --metric column; None: not said."""
    from h2osweep.record.columns import named_part

    if args.select_on is not None:
        return args.select_on
    return named_part(args.metric) if args.metric else None


def valid_fraction(args: argparse.Namespace) -> float | None:
    """The validation share to carve: as given; else, on a resume, the folder's own (another
    selection re-ranks the same runs), unless validation is to choose and the folder has none;
    else the default when validation will choose."""
    from h2osweep.store.results_store import resumed_definition

    if args.valid_fraction is not None or args.valid is not None:
        return args.valid_fraction
    part = selection_part(args)
    resumed = resumed_definition(args.out, args.force_new)
    if resumed:
        kept = resumed.get("data", {}).get("reload", {}).get("valid_fraction")
        if kept is not None or part != "valid":
            return kept
    if part == "valid" or (part is None and not args.nfolds):
        return DEFAULT_VALID_FRACTION
    return None


def objective(args: argparse.Namespace, data):
    """The Objective of a sweep command: --metric (else a resumed folder's metric, else mse) on
    the chosen part, with --goal (else the folder's or the metric's natural goal); None when
    no selection is named (the engine's: the folder's own, else the default)."""
    from h2osweep.record.columns import metric_of, selection_metric
    from h2osweep.record.goal import Goal, Objective
    from h2osweep.store.results_store import resumed_objective

    if not _names_selection(args):
        return None
    recorded = resumed_objective(args.out, args.force_new)
    part = selection_part(args)
    if part is None:
        part = "valid" if data.valid is not None else "xval" if args.nfolds else "test"
    name = args.metric or (metric_of(recorded.metric) if recorded else "mse")
    metric = selection_metric(name, part)
    kept = recorded.goal if recorded and recorded.metric == metric else Goal.natural(metric)
    warn_contrary_goal(metric, args.goal)
    return Objective(metric, args.goal or kept)


def _names_selection(args: argparse.Namespace) -> bool:
    return not (args.metric is None and args.goal is None and args.select_on is None)


def folder_objective(folder, metric: str | None, goal: str | None):
    """The objective a command reads a sweep folder by: the given metric (a name alone, such as
    r2, on the part the sweep chose on) and goal, else the sweep's own selection (test MSE for
    folders from before selection was recorded)."""
    from h2osweep.record.columns import METRIC_NAMES, part_of
    from h2osweep.record.goal import Goal, Objective
    from h2osweep.store.results_store import read_objective

    stored = read_objective(folder)
    if metric in METRIC_NAMES:  # a name alone, as the sweep commands take it: the sweep's part
        metric = f"{part_of(stored.metric)}_{metric}"
    warn_contrary_goal(metric or stored.metric, goal)
    if metric is None or metric == stored.metric:
        return Objective(stored.metric, goal or stored.goal)
    return Objective(metric, goal or Goal.natural(metric))


def warn_contrary_goal(metric: str, goal: str | None) -> None:
    """One line on stderr when --goal ranks a metric against what its name says (max for an
    MSE, min for an R²): it may be meant, but most often it is a slip."""
    from h2osweep.record.goal import Goal

    stated = Goal.stated(metric)
    if goal is None or stated is None or stated == goal:
        return
    ranked = "largest" if goal == Goal.MAX else "smallest"
    better = "lower" if stated is Goal.MIN else "higher"
    print(
        f"h2osweep: --goal {goal} ranks the {ranked} {metric} best, though {better} is "
        f"better for it",
        file=sys.stderr,
    )

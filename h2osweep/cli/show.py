"""`h2osweep show`: a sweep folder's results, best first, or one run's confusion matrices."""

from __future__ import annotations

import argparse
import sys

from h2osweep.errors import UserInputError

POSITION = 40


def register(subparsers) -> None:
    show = subparsers.add_parser(
        "show",
        help="print a sweep folder's results, best first",
        description="Print a sweep folder's runs (the columns of results.csv) sorted by a "
        "metric, read from its store (--top through the store's metric index).\n\n"
        "example: h2osweep show sweep-random --top 5\n"
        "         h2osweep show sweep-random --follow    # while a sweep runs there",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.add_argument("folder", metavar="DIR", help="a sweep folder")
    show.add_argument(
        "--metric", help="sort by this column (default: the sweep's selection metric)"
    )
    show.add_argument("--goal", choices=["min", "max"], help="min or max (default: the sweep's)")
    show.add_argument("--top", type=int, metavar="N", help="only the N best runs")
    show.add_argument(
        "--all-rungs",
        action="store_true",
        help="of a multi-fidelity sweep, every rung (default: the top-rung runs, which compete "
        "for the best)",
    )
    show.add_argument(
        "--columns",
        metavar="A,B",
        help="only these columns, comma-separated (the run's name always comes first), e.g. "
        "--columns valid_mse,test_mse,depth",
    )
    show.add_argument(
        "--confusion", metavar="RUN", help="print the train and test confusion matrices of RUN"
    )
    show.add_argument(
        "--follow",
        action="store_true",
        help="print each run as it lands while a sweep runs in DIR (read-only, never locks)",
    )
    show.set_defaults(handler=run_show)


def run_show(args) -> int:
    import pandas as pd

    from h2osweep.cli.selection import folder_objective
    from h2osweep.store.results_store import full_budget, records_sweep

    if args.confusion:
        return show_confusion(args.folder, args.confusion)
    if args.top is not None and args.top < 1:
        raise UserInputError(f"--top must be at least 1, but got {args.top}")
    objective = folder_objective(args.folder, args.metric, args.goal)
    if args.follow:
        from h2osweep.cli.live import follow

        return follow(args.folder, objective.metric, str(objective.goal))
    full = full_budget(args.folder)
    every_rung = args.all_rungs or full is None  # --top cuts the reading
    table, damage = ranked(args.folder, objective, args.top if every_rung else None)
    table, rungs = top_rungs(table, args, full)
    if table.empty:
        print(f"{args.folder}: no run has finished yet")
        return 0
    shown = chosen_columns(table, args.columns, ranked_first(table, objective.metric))
    unrecorded = args.metric is None and not records_sweep(args.folder)
    why = (
        "; no sweep.json says what the sweep chose on, --metric names another" if unrecorded else ""
    )
    source = f", read from results.csv: {damage}" if damage else ""
    print(
        f"{len(table)} run(s) ranked by {objective.metric} ({objective.goal.wording}{why}){rungs}"
        f"{source}",
        file=sys.stderr,
    )
    with pd.option_context(
        "display.max_columns", None, "display.width", 200, "display.max_colwidth", 40,
        "display.float_format", "{:.6g}".format,  # an l1 of 5.2e-06 is not 0.000005
    ):  # fmt: skip
        print(table[shown].to_string(index=False))
    return 0


def ranked_first(table, metric: str) -> list[str]:
    """The run's name, then the metric it is ranked by and that metric on test, where a
    terminal shows them (the layer lists would push them off screen)."""
    from h2osweep.record.columns import on_test

    return [c for c in dict.fromkeys(["name", metric, on_test(metric)]) if c in table.columns]


def chosen_columns(table, columns: str | None, first: list[str] = ("name",)) -> list[str]:
    """The columns --columns names (after the run's name), or every column with something in
    it, `first` first (no seed column for a grid's runs, an error column only when a run has
    one)."""
    if columns is None:
        ordered = [*first, *(c for c in table.columns if c not in first)]
        return [c for c in ordered if table[c].notna().any() and (table[c] != "").any()]
    wanted = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in table.columns]
    if unknown or not wanted:
        import difflib

        close = difflib.get_close_matches(unknown[0], list(table.columns), n=3) if unknown else []
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UserInputError(
            f"--columns: no column {unknown[0]!r} in the results{hint}; columns are: "
            f"{', '.join(table.columns)}"
            if unknown
            else "--columns needs at least one column name, e.g. --columns valid_mse,depth"
        )
    return ["name", *dict.fromkeys(c for c in wanted if c != "name")]


def ranked(folder, objective, top):
    """The folder's runs best first, and what is wrong with its store when they came from
    results.csv instead (a damaged store; the runs finished before are there)."""
    from h2osweep.errors import DamagedStoreError
    from h2osweep.store.results_store import rank_results_csv, read_ranked

    try:
        return read_ranked(folder, objective, top), None
    except DamagedStoreError as error:
        return rank_results_csv(folder, objective, top), error.damage


def top_rungs(table, args, full: float | None):
    """A multi-fidelity folder's top-rung runs (the ones that compete for the best: at the
    `full` budget it records, else the highest there), unless --all-rungs; and what the
    ranking line says about the rungs left out."""
    from h2osweep.analysis.rungs import BUDGET, is_multi_fidelity

    if not is_multi_fidelity(table):
        return table.head(args.top), ""
    top = full or table[BUDGET].max()
    if args.all_rungs:
        together = f"only the top rung, budget {top:g}, competes for the best"
        return table.head(args.top), f"; every rung ranked together ({together})"
    kept = table[table[BUDGET] == top].head(args.top)
    if kept.empty:
        return table.head(args.top), f"; every rung: none has reached the full budget ({top:g}) yet"
    lower = int((table[BUDGET] != top).sum())
    return kept, f"; top rung only (budget {top:g}): --all-rungs adds {lower} lower-rung run(s)"


def show_confusion(folder, name: str) -> int:
    """Print the stored confusion matrices of one run (a regression has none)."""
    from h2osweep.store.results_store import read_confusion

    matrices = read_confusion(folder, name)
    if not matrices:
        print(f"{name}: no confusion matrix (a regression, or a run that failed)")
    for part, frame in matrices.items():
        print(f"{name}, {part} (rows: actual, columns: predicted):")
        print(frame.to_string())
    return 0

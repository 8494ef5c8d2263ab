"""`h2osweep analyze`: the lecture's plots and GAM and the blog's statistics for a results table.

Example: h2osweep analyze runs/digits --target test_mse --goal min --out runs/digits/analysis
"""

from __future__ import annotations

import argparse

POSITION = 50

EXAMPLE = "h2osweep analyze runs/digits --target test_mse --goal min --out runs/digits/analysis"

DESCRIPTION = """\
Analyse a sweep's results: a sweep folder of ours (results.csv), an Optuna study's storage
(sqlite:///study.db or the file; its directions give the goals), or a CSV/Parquet table from
elsewhere (a W&B runs export, Optuna's trials_dataframe(), an H2O grid summary table,
scikit-learn's cv_results_, or any table with one row per run). Writes correlations.csv,
ols.csv, importance.csv, gam.csv, PNG plots and a self-contained report.html into --out.
"""

EPILOG = f"""\
examples:
  h2osweep analyze wandb_runs.csv --target val_acc --goal max --out analysis \\
      --gam "s(learning_rate, k=4) + s(batch_size, k=4) + optimizer_sgd"
  {EXAMPLE}
"""


def register(subparsers) -> None:
    """Add the `analyze` subcommand."""
    parser = subparsers.add_parser(
        "analyze",
        help="correlations, OLS, ExtraTrees, GAM and plots for a results table",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "results",
        metavar="RESULTS",
        help="a sweep folder, an Optuna storage (sqlite:///study.db) or a CSV/Parquet file",
    )
    parser.add_argument(
        "--study-name", metavar="NAME", help="which study of an Optuna storage (default: its only)"
    )
    add_objective_options(parser)
    add_model_options(parser)
    parser.add_argument("--params", help="comma-separated hyperparameter columns (default: all)")
    parser.add_argument(
        "--all-rungs",
        action="store_true",
        help="a multi-fidelity sweep: analyse every rung, its epochs (or ntrees) a "
        "hyperparameter (default: the top-rung runs only)",
    )
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="folder for tables, plots, report"
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        default=[],
        metavar="DIR",
        help="other sweep folders (e.g. a TPE search) whose best-so-far curves the report adds",
    )
    parser.set_defaults(handler=handle)


def add_objective_options(parser) -> None:
    """--target and --goal, repeatable for several objectives."""
    parser.add_argument(
        "--target",
        action="append",
        metavar="COLUMN",
        help="column to explain; repeat for several objectives (Pareto front, knee). Default: "
        "the sweep's selection metric for a sweep folder, every objective for Optuna",
    )
    parser.add_argument(
        "--goal",
        action="append",
        choices=["min", "max"],
        help="min or max, one per --target (default: the goal the sweep or Optuna study "
        "recorded, else what the name says: max for r2, accuracy, auc, f1, score, neg_..., "
        "min otherwise)",
    )


def add_model_options(parser) -> None:
    """The GAM, OLS and seed options."""
    parser.add_argument(
        "--gam", metavar="FORMULA", help="mgcv-style formula, e.g. 's(l1, k=4) + x'"
    )
    parser.add_argument(
        "--gam-family",
        default="gaussian",
        metavar="FAMILY",
        help="gaussian (default, the lecture's), gamma (log link) or log (a Gaussian GAM of "
        "log(target)): the last two never predict a value below zero",
    )
    parser.add_argument(
        "--no-intercept",
        action="store_true",
        help="OLS as in the blog: no intercept, one indicator per category level",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for ExtraTrees and the GAM search"
    )


def handle(args: argparse.Namespace) -> int:
    """Run the analysis, write the outputs, print the notes and the optimum."""
    from h2osweep.analysis import analyze
    from h2osweep.cli.selection import warn_contrary_goal
    from h2osweep.report import write_report

    for target, goal in zip(args.target or [], args.goal or [], strict=False):
        warn_contrary_goal(target, goal)
    analysis = analyze(
        args.results,
        target=args.target,
        goal=args.goal,
        params=param_list(args.params),
        gam_formula=args.gam,
        intercept=not args.no_intercept,
        seed=args.seed,
        compare=args.compare,
        gam_family=args.gam_family,
        all_rungs=args.all_rungs,
        study_name=args.study_name,
    )
    written = write_report(analysis, args.out)
    for line in summary_lines(analysis, args.out, len(written)):
        print(line)
    return 0


def param_list(text: str | None) -> list[str] | None:
    """The --params columns; None (all columns) only when --params was not given at all."""
    if text is None:
        return None
    return [p.strip() for p in text.split(",") if p.strip()]


def summary_lines(analysis, out: str, files: int) -> list[str]:
    """What the command prints: the notes, the best run and the GAM's suggestion per objective,
    and the Pareto front's knee for several."""
    lines = [f"- {note}" for note in analysis.notes]
    for number, each in enumerate(analysis.analyses, start=1):
        if number > 1:
            lines.append(f"objective {number}: {each.prepared.target}")
            lines += [f"- {note}" for note in each.notes]
        lines += optimum_lines(each)
    if analysis.knee:
        lines.append(f"Pareto front: {len(analysis.pareto)} run(s); knee {analysis.knee.run}")
        lines.append(f"  {analysis.knee.note}")
        lines.append(f"knee configuration: {analysis.knee.config}")
    lines.append(f"wrote {files} files to {out} (open report.html)")
    return lines


def optimum_lines(analysis) -> list[str]:
    """The best run and the GAM's suggestion of one objective."""
    best = analysis.best
    prepared = analysis.prepared
    lines = [f"best run {best.run}: {prepared.target} = {best.value:.6g} ({prepared.goal.wording})"]
    lines.append(f"best run's configuration: {best.config}")
    if analysis.selection is not None:
        from h2osweep.analysis.selection import selection_sentences

        lines += selection_sentences(analysis.selection)
    if analysis.suggested:
        lines.append(f"GAM-suggested configuration: {analysis.suggested.config}")
        lines.append(f"  {suggestion_note(analysis.suggested)}")
    return lines


def suggestion_note(suggested) -> str:
    """The GAM suggestion's note, its retrain advice spelled as this command line's command."""
    import shlex

    from h2osweep.analysis.optimum import RETRAIN_HINT

    if suggested.retrain is None:
        return suggested.note
    command = f"(h2osweep optimize {shlex.quote(suggested.retrain)} --config gam)"
    return suggested.note.replace(RETRAIN_HINT, command)

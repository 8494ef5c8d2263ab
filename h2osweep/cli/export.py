"""`h2osweep export`: a sweep folder as an Optuna study (for optuna-dashboard) or a W&B-style
flat CSV."""

from __future__ import annotations

import argparse

from h2osweep.errors import UserInputError

POSITION = 55

EXAMPLE = "h2osweep export sweep-random --optuna sqlite:///study.db"


def register(subparsers) -> None:
    """Add the `export` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="write a sweep as a finished Optuna study or a W&B-style CSV",
        description="Write a sweep folder's runs as a finished Optuna study (distributions, "
        "params, the selection metric as value, every metric as a user attribute), which "
        "optuna-dashboard opens, and/or as the flat table a W&B runs export gives.\n\n"
        f"example: {EXAMPLE}\n"
        "         optuna-dashboard sqlite:///study.db\n"
        "         h2osweep export sweep-random --csv runs.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", metavar="DIR", help="a sweep folder")
    parser.add_argument(
        "--optuna",
        dest="storage",
        metavar="URL",
        help="Optuna storage, e.g. sqlite:///study.db (or the SQLite file's path)",
    )
    parser.add_argument("--study-name", metavar="NAME", help="study name (default: DIR's name)")
    parser.add_argument(
        "--force", action="store_true", help="replace a study of that name in the storage"
    )
    parser.add_argument("--csv", metavar="FILE", help="write the W&B-style flat table here")
    parser.set_defaults(handler=run_export)


def run_export(args) -> int:
    from h2osweep.cli.options import say_store_damage
    from h2osweep.workflows.export import export_csv, export_optuna

    if not args.storage and not args.csv:
        raise UserInputError("give --optuna URL, --csv FILE or both")
    say_store_damage(args.folder)  # either export then reads results.csv
    if args.csv:  # first: writing it again is harmless, a study written again needs --force
        print(f"wrote {export_csv(args.folder, args.csv)}")
    if args.storage:
        from h2osweep.analysis.studies import storage_url

        name = export_optuna(args.folder, args.storage, args.study_name, args.force)
        url = storage_url(args.storage)
        print(f"wrote study {name!r} to {url} (open it: optuna-dashboard {url})")
    return 0

"""`h2osweep random` and `h2osweep grid`: run a sweep into a folder (resumable)."""

from __future__ import annotations

import argparse

from h2osweep.cli.options import (
    add_space_option,
    add_sweep_command_options,
    chosen_space,
    cluster_options,
    load_local_data,
    parse_param,
)
from h2osweep.errors import UserInputError

POSITION = 20


def register(subparsers) -> None:
    """Add the `random` and `grid` subcommands."""
    register_random(subparsers)
    register_grid(subparsers)


def register_random(subparsers) -> None:
    random = subparsers.add_parser(
        "random",
        help="random search with the lecture's R-exact run(seed) draws, or a space file's",
        description="Random search: each seed draws the hyperparameters of the lecture's space "
        "(or of --space FILE) exactly as R's set.seed + sample/runif/rbeta would, trains one "
        "H2O model and stores it.\n\n"
        "example: h2osweep random --seeds 403 10 --epochs 10 --out sweep-random\n"
        "example: h2osweep random --algorithm gbm --space docs/spaces/gbm.toml --n-runs 20",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    seeds = random.add_argument_group("seeds (give --seeds, or --n-runs and --first-seed)")
    seeds.add_argument("--seeds", type=int, nargs="+", metavar="SEED", help="R seeds, e.g. 403 10")
    seeds.add_argument("--n-runs", type=int, metavar="N", help="number of consecutive seeds")
    seeds.add_argument("--first-seed", type=int, metavar="S", help="first of them (1)")
    add_space_option(random)
    _add_common(random, "h2osweep-random")
    random.set_defaults(handler=run_random)


def register_grid(subparsers) -> None:
    grid = subparsers.add_parser(
        "grid",
        help="grid search over expand_grid(...) of H2O model parameters",
        description="Grid search: every combination of the --param values (the first varying "
        "fastest, as R's expand.grid) is one H2O model. For deeplearning, 'layers' and 'units' "
        "are shorthands for hidden = [units] * layers (units 100 by default).\n\n"
        "example: h2osweep grid --param layers=1,2,4 --param epochs=5,10 --param l1=.001,.01\n"
        "example: h2osweep grid --algorithm glm --param alpha=0,0.5,1 --param lambda=0.001,0.1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grid.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="NAME=V1,V2",
        help="a parameter and its values; repeat for each parameter",
    )
    _add_common(grid, "h2osweep-grid")
    grid.set_defaults(handler=run_grid)


def _add_common(parser, default_out: str) -> None:
    add_sweep_command_options(parser, default_out)


def run_random(args) -> int:
    from h2osweep.search.fixed import random_plan, seeds_from_count

    if args.seeds and args.n_runs is not None:
        raise UserInputError("give either --seeds or --n-runs, not both")
    if args.seeds and args.first_seed is not None:
        raise UserInputError("--first-seed goes with --n-runs; --seeds names every seed itself")
    if not args.seeds and args.n_runs is None:
        raise UserInputError(
            "give the seeds to run: --seeds 403 10, or --n-runs N [--first-seed S]"
        )
    from h2osweep.search.base import space_for

    first = 1 if args.first_seed is None else args.first_seed
    seeds = args.seeds or seeds_from_count(args.n_runs, first)
    space = space_for(args.algorithm, chosen_space(args))
    return run_plan(random_plan(seeds, space, args.algorithm), args)


def run_grid(args) -> int:
    from h2osweep.search.fixed import MAX_GRID_ROWS, grid_plan
    from h2osweep.space import expand_grid
    from h2osweep.space.grid import check_grid_size

    factors = dict(parse_param(text) for text in args.param)
    if len(factors) != len(args.param):
        raise UserInputError("each --param name may be given once")
    check_grid_size(factors, MAX_GRID_ROWS)
    return run_plan(grid_plan(expand_grid(**factors), args.algorithm), args)


def run_plan(plan, args) -> int:
    """Run a plan with the options every sweep command shares (search reuses it)."""
    from h2osweep.cli.selection import objective
    from h2osweep.sweep import Budget, SweepOptions, run_sweep
    from h2osweep.training.scheduler import TrainSettings

    budget = Budget(args.max_models, args.max_runtime, args.patience, args.tolerance)
    training = TrainSettings(
        args.epochs, args.reproducible, nfolds=args.nfolds, algorithm=args.algorithm
    )
    data = load_local_data(args)
    refresher = report_refresher(args)
    options = SweepOptions(
        args.out, args.parallel, objective(args, data), args.quiet, args.force_new, budget,
        args.spell, after_commit=refresher,
    )  # fmt: skip
    try:
        summary = run_sweep(plan, data, training, options, cluster_options(args))
    except BaseException:
        if refresher:
            refresher.stop()  # a refresh left running would outlive the command
        raise
    if args.quiet:
        print(summary.line)
    if refresher and (line := refresher.finish()):
        print(line)
    return 0 if summary.failed == 0 else 1


def report_refresher(args):
    """The live report of `--report-every N` (None without it)."""
    from h2osweep.cli.live import ReportRefresher
    from h2osweep.validation import check_int

    if args.report_every is None:
        return None
    check_int("report_every", args.report_every, low=1)
    return ReportRefresher(args.out, args.report_every)

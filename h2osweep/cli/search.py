"""`h2osweep search`: a model-based search (Optuna's TPE, GP or random sampler) on the engine."""

from __future__ import annotations

import argparse

from h2osweep.cli.options import (
    add_cluster_options,
    add_data_options,
    add_space_option,
    add_sweep_options,
    add_training_options,
    chosen_space,
)
from h2osweep.search.optuna.samplers import STRATEGIES

POSITION = 30


def register(subparsers) -> None:
    search = subparsers.add_parser(
        "search",
        help="model-based search: Optuna's TPE or GP sampler proposes each run",
        description="Model-based search over the lecture's space (or --space FILE): Optuna's\n"
        "sampler (ask/tell)\n"
        "proposes each run from the results so far; runs are named t_<trial> and stored like a\n"
        "random search's. The study is kept in DIR/optuna.sqlite: running the same command\n"
        "again resumes it with its history. '--strategy random' is Optuna's random sampler;\n"
        "the lecture's R-exact random search is 'h2osweep random'.\n\n"
        "example: h2osweep search --strategy tpe --n-runs 20 --epochs 3 --out sweep-tpe",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group = search.add_argument_group("search")
    group.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="tpe",
        help="tpe (default), gp (needs PyTorch) or random",
    )
    group.add_argument(
        "--n-runs", type=int, required=True, metavar="N", help="runs in the whole search"
    )
    group.add_argument("--seed", type=int, default=1, metavar="S", help="sampler seed (1)")
    group.add_argument(
        "--startup",
        choices=("prior", "sampler"),
        default="prior",
        help="first 10 trials of tpe/gp: draws from the space's priors (prior, default) or the "
        "sampler's own uniform start (sampler)",
    )
    add_space_option(group)
    add_data_options(search)
    add_training_options(search, epochs=None)
    add_sweep_options(search, "h2osweep-search")
    add_cluster_options(search)
    search.set_defaults(handler=run_search)


def run_search(args) -> int:
    from h2osweep.cli.sweep import run_plan
    from h2osweep.search.base import space_for
    from h2osweep.search.optuna.strategy import optuna_plan

    space = space_for(args.algorithm, chosen_space(args))
    plan = optuna_plan(
        args.strategy,
        args.n_runs,
        seed=args.seed,
        space=space,
        startup=args.startup,
        algorithm=args.algorithm,
    )
    return run_plan(plan, args)

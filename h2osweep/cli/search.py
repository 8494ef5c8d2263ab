"""`h2osweep search`: model-based search (Optuna's TPE, GP or random sampler) and multi-fidelity
search (successive halving, Hyperband, ASHA) on the engine."""

from __future__ import annotations

import argparse

from h2osweep.cli.options import add_space_option, add_sweep_command_options, chosen_space
from h2osweep.search.halving import STRATEGIES as MULTI_FIDELITY
from h2osweep.search.optuna.samplers import STRATEGIES as MODEL_BASED
from h2osweep.search.proposers import SAMPLERS

POSITION = 30
FIDELITY_DEFAULTS = {"min_epochs": 1.0, "max_epochs": 9.0, "eta": 3, "sampler": "random"}
DESCRIPTION = """\
Model-based search over the lecture's space: Optuna's sampler (ask/tell) proposes each run from
the results so far; runs are named t_<trial> and stored like a random search's. The study is
kept in DIR/optuna.sqlite: running the same command again resumes it with its history.
'--strategy random' is Optuna's random sampler; the lecture's R-exact random search is
'h2osweep random'.

Multi-fidelity search (--strategy sha, hyperband or asha) trains less: every configuration
starts with --min-epochs, and only the best 1/--eta of each rung (by the selection metric, on
validation by default) climbs to the next budget, continuing its model from the rung below
(H2O's checkpoint), up to --max-epochs. Configurations are R-exact random draws (--sampler
random, named m_<seed> from --seed) or proposed by TPE from the rungs so far (--sampler tpe).

examples:
  h2osweep search --strategy tpe --n-runs 20 --epochs 3 --out sweep-tpe
  h2osweep search --strategy hyperband --n-runs 34 --max-epochs 9 --out sweep-hb
"""


def register(subparsers) -> None:
    search = subparsers.add_parser(
        "search",
        help="model-based (TPE, GP) or multi-fidelity (SHA, Hyperband, ASHA) search",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group = search.add_argument_group("search")
    group.add_argument(
        "--strategy",
        choices=MODEL_BASED + MULTI_FIDELITY,
        default="tpe",
        help="tpe (default), gp (needs PyTorch), random; sha, hyperband, asha",
    )
    group.add_argument(
        "--n-runs",
        type=int,
        required=True,
        metavar="N",
        help="configurations in the search (hyperband shares them among its brackets in the "
        "textbook's proportions, each rounded down, so it may train a few fewer)",
    )
    group.add_argument("--seed", type=int, default=1, metavar="S", help="sampler seed (1)")
    group.add_argument(
        "--startup",
        choices=("prior", "sampler"),
        help="first 3 trials of tpe/gp: draws from the space's priors (prior, default) or the "
        "sampler's own uniform start (sampler)",
    )
    add_space_option(group)
    add_fidelity_options(search)
    add_sweep_command_options(search, "h2osweep-search")
    search.set_defaults(handler=run_search)


def add_fidelity_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("multi-fidelity (sha, hyperband, asha)")
    group.add_argument(
        "--min-epochs",
        type=float,
        metavar="E",
        help="first rung (1): epochs, or trees for gbm, drf and xgboost",
    )
    group.add_argument(
        "--max-epochs",
        type=float,
        metavar="E",
        help="top rung (9): epochs, or trees for gbm, drf and xgboost",
    )
    group.add_argument("--eta", type=int, metavar="K", help="keep 1/K per rung (3)")
    group.add_argument("--sampler", choices=SAMPLERS, help="random (R-exact, default) or tpe")


def run_search(args) -> int:
    from h2osweep.cli.sweep import run_plan

    return run_plan(search_plan(args), args)


def search_plan(args):
    """The strategy the options ask for."""
    from h2osweep.search.base import space_for
    from h2osweep.training.algorithms import budget_parameter

    fidelity = fidelity_options(args)
    if args.strategy not in MODEL_BASED:
        budget_parameter(args.algorithm)  # can it grow at all? before asking for its space
    space = space_for(args.algorithm, chosen_space(args))
    if args.strategy in MODEL_BASED:
        from h2osweep.search.optuna.strategy import optuna_plan

        return optuna_plan(
            args.strategy,
            args.n_runs,
            seed=args.seed,
            space=space,
            startup=args.startup or resumed_startup(args),
            algorithm=args.algorithm,
        )
    from h2osweep.search.halving import multi_fidelity_plan
    from h2osweep.search.rungs import Ladder

    ladder = Ladder(fidelity["min_epochs"], fidelity["max_epochs"], fidelity["eta"])
    return multi_fidelity_plan(
        args.strategy,
        args.n_runs,
        ladder,
        sampler=fidelity["sampler"],
        seed=args.seed,
        space=space,
        algorithm=args.algorithm,
    )


def resumed_startup(args) -> str:
    """The start-up a resumed search's folder records (its first trials are trained already),
    else the default."""
    from h2osweep.search.optuna.strategy import DEFAULT_STARTUP
    from h2osweep.store.results_store import resumed_definition

    recorded = resumed_definition(args.out, args.force_new).get("sampler", {}).get("startup")
    return recorded or DEFAULT_STARTUP


def fidelity_options(args) -> dict:
    """The multi-fidelity options with their defaults; refused with a model-based strategy,
    as --epochs is with a multi-fidelity one (each rung has its own)."""
    from h2osweep.errors import UserInputError

    given = {name: getattr(args, name) for name in FIDELITY_DEFAULTS}
    if args.strategy in MODEL_BASED:
        named = [name for name, value in given.items() if value is not None]
        if named:
            flag = "--" + named[0].replace("_", "-")
            raise UserInputError(
                f"{flag} is for --strategy sha, hyperband or asha, not {args.strategy}"
            )
    elif args.epochs is not None:
        raise UserInputError(
            f"--strategy {args.strategy} trains each rung to its own budget: give "
            "--min-epochs and --max-epochs, not --epochs"
        )
    elif args.startup is not None:
        raise UserInputError(
            f"--startup is for --strategy tpe or gp; {args.strategy} draws its configurations "
            "with --sampler random (R-exact) or tpe"
        )
    return {name: FIDELITY_DEFAULTS[name] if value is None else value
            for name, value in given.items()}  # fmt: skip

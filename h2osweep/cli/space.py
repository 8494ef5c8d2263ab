"""`h2osweep space`: write the lecture's space as a file, check a space file and show its draws,
or print the R function that draws the same values."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from h2osweep.errors import UserInputError
from h2osweep.training.algorithms import ALGORITHMS
from h2osweep.validation import check_r_seed

POSITION = 35
LECTURE_HEADER = (
    "The lecture's random search space: run(seed) draws these entries in this order after\n"
    "set.seed(seed) (DeepNeuralNetwork.ParameterOptimization.R). Each entry is one R call,\n"
    "shown beside it; use it with: h2osweep random --space lecture.toml --seeds 403 10"
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "space",
        help="write the lecture's space as a file, check a space file, or print it as R",
        description="A space file has one table per entry, drawn top to bottom after "
        "set.seed(seed), each one R call:\n"
        "  sample = [lo, hi]       sample(lo:hi, 1); with step = s, or log = true\n"
        "  runif = [a, b]          runif(1, a, b); with step = q on a grid\n"
        "  loguniform = [a, b]     exp(runif(1, log(a), log(b)))\n"
        "  rbeta = [s1, s2]        rbeta(1, s1, s2); divide = d gives rbeta(...) / d\n"
        '  choice = ["a", "b"]     sample(c("a", "b"), 1)\n'
        "  value = x               x (no draw)\n"
        '  sum = "name"            sum(name); mean = "name" is mean(name)\n'
        'per_layer = "depth" draws one value per layer of an earlier whole-number entry.\n\n'
        "example: h2osweep space --lecture > lecture.toml\n"
        "example: h2osweep space lecture.toml            # check it, show three draws\n"
        "example: h2osweep space lecture.toml --to-r     # the R function of the same draws",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a TOML or JSON space")
    parser.add_argument("--lecture", action="store_true", help="the lecture's space")
    parser.add_argument("--to-r", action="store_true", help="print the space as an R function")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[1, 2, 3],
        metavar="SEED",
        help="seeds of the draws shown (1 2 3)",
    )
    parser.add_argument(
        "--algorithm",
        choices=ALGORITHMS,
        help="also check names and value types against this algorithm's estimator (no cluster)",
    )
    parser.set_defaults(handler=run_space)


def run_space(args) -> int:
    from h2osweep.space import LECTURE_SPACE
    from h2osweep.space.rcode import space_to_r
    from h2osweep.space.space_file import read_space_file, space_to_toml

    if args.lecture == (args.file is not None):
        raise UserInputError("give a space FILE or --lecture (one of them)")
    seeds = [check_r_seed("seeds", seed) for seed in args.seeds]
    space = LECTURE_SPACE if args.lecture else read_space_file(args.file)
    if args.algorithm is not None:
        from h2osweep.training.parameters import check_keys, validate_values

        check_keys(space, args.algorithm)
        validate_values(space.examples(), args.algorithm)
    source = "the lecture's space" if args.lecture else str(args.file)
    if args.to_r:
        print(space_to_r(space, source=source), end="")
    elif args.lecture:
        print(space_to_toml(space, LECTURE_HEADER), end="")
    else:
        shown = ", ".join(map(str, seeds))
        print(f"{source}: a valid space of {len(space)} entries; its draws for seeds {shown}:")
        for seed in seeds:
            print(json.dumps({"seed": seed, **space.sample(seed)}))
    return 0

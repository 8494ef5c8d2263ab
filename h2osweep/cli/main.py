"""Entry point of the `h2osweep` command: one subcommand per module, each a thin library call."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from h2osweep.errors import H2OSweepError
from h2osweep.interrupts import interrupts_remembered

NOT_COMMANDS = {"main"}

INTERRUPTED = 130
# Library parameters whose flag is not simply their name: retrain(choice) is --config, ...
RENAMED = {
    "choice": "config",
    "spec": "data",
    "gam_formula": "gam",
    "min_budget": "min_epochs",
    "max_budget": "max_epochs",
}


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse API
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every registered subcommand."""
    parser = OneLineParser(
        prog="h2osweep",
        description="Run and analyse hyperparameter sweeps of H2O models (deep learning, GBM, "
        "XGBoost, DRF, GLM).",
    )
    from h2osweep import __version__

    parser.add_argument("--version", action="version", version=f"h2osweep {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules():
        module.register(subparsers)
    parser.commands = subparsers.choices
    return parser


def command_modules() -> list:
    """Every module of `h2osweep.cli` that defines `register(subparsers)`, in `POSITION` order.

    A module adds its subcommands and sets `handler` on each; modules import heavy libraries
    (h2o, plotnine) inside their handlers so that `--help` stays fast.
    """
    import h2osweep.cli as package

    modules = [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_") and info.name not in NOT_COMMANDS
    ]
    modules = [module for module in modules if hasattr(module, "register")]
    return sorted(modules, key=lambda module: (getattr(module, "POSITION", 100), module.__name__))


def main(argv: list[str] | None = None) -> int:
    """Run one command; library errors become one line on stderr and their exit status."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    command = parser.commands[args.command]
    if unknown:  # named by the subcommand's parser, so the hint points to its --help
        command.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.spell = flag_speller(command)
    return run_guarded("h2osweep", args.handler, args, spell=args.spell)


def flag_speller(parser: argparse.ArgumentParser):
    """How the command line names a library parameter: the parser's own flag for it
    (`split_seed` -> `--split-seed`, `reproducible` -> `--not-reproducible`), else `--name`."""
    flags = {
        action.dest: max(action.option_strings, key=len)
        for action in parser._actions
        if action.option_strings
    }

    def spell(name: str) -> str:
        name = RENAMED.get(name, name)
        return flags.get(name, f"--{name.replace('_', '-')}")

    return spell


def run_guarded(prog: str, function, *args, spell=None) -> int:
    """Call `function`; an H2OSweepError becomes one line on stderr and its exit status, and
    SIGTERM is handled like Ctrl-C. Used by the command and by the lecture's scripts; `spell`
    names the library's parameters as the program's flags."""
    try:
        with interrupts_remembered():
            status = function(*args) or 0
        sys.stdout.flush()  # a reader gone early shows here, inside the guard, not at exit
        return status
    except H2OSweepError as error:
        message = error.render(spell or (lambda name: f"--{name.replace('_', '-')}"))
        sys.stderr.write(f"{prog}: {error.kind}{' '.join(message.split())}\n")  # one line
        return error.exit_status
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

"""Every option of every subcommand, and every value of an option with choices, appears in a
command line that some test ran (in-process or in a subprocess; a refused value counts, since
its refusal is what the test checked). The options are read from the argparse parser itself,
so a new option without a test fails here. Runs last, over what the whole suite ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from h2osweep.cli.main import build_parser
from tests.conftest import DESELECTED, INVOCATIONS

pytestmark = pytest.mark.after_all
TOP = "h2osweep"  # the options before a subcommand


def expected_options() -> set[tuple[str, str, str | None]]:
    """(subcommand, option, value) for each option, and each value of an option with choices
    other than its default; the top level's options under TOP."""
    parser = build_parser()
    wanted = {(TOP, option, None) for option in ("--version", "--help")}
    for command, subparser in parser.commands.items():
        for action in subparser._actions:
            if not action.option_strings:
                continue
            option = max(action.option_strings, key=len)
            wanted.add((command, option, None))
            for choice in action.choices or ():
                if choice != action.default:
                    wanted.add((command, option, str(choice)))
    return wanted


def options_run(invocations) -> set[tuple[str, str, str | None]]:
    """(subcommand, option, value) for each option given in the command lines, with the value
    that followed it."""
    commands = set(build_parser().commands)
    seen = set()
    for arguments in invocations:
        command = next((a for a in arguments if a in commands), TOP)
        for position, token in enumerate(arguments):
            if not token.startswith("--"):
                continue
            option, _, inline = token.partition("=")
            following = arguments[position + 1] if position + 1 < len(arguments) else None
            seen.add((command, option, None))
            seen.add((command, option, inline or following))
    return seen


def test_every_option_of_every_subcommand_was_run(request):
    session = request.session
    modules = {Path(item.fspath).name for item in session.items}
    every = {path.name for path in Path(__file__).parent.glob("test_*.py")}
    if modules != every or session.config.stash.get(DESELECTED, []):
        pytest.skip("only a run of the whole suite can tell which options its tests ran")
    missing = sorted(expected_options() - options_run(INVOCATIONS), key=str)
    assert not missing, f"never run by a test: {missing}"


def test_the_check_reads_options_values_and_subcommands():
    """The check itself on command lines of known content."""
    invocations = [("random", "--seeds", "1", "--goal=max"), ("--version",), ("show", "--top", "2")]
    seen = options_run(invocations)
    assert {("random", "--seeds", None), ("random", "--goal", "max"), ("show", "--top", "2")} <= (
        seen
    )
    assert (TOP, "--version", None) in seen and ("random", "--top", None) not in seen
    wanted = expected_options()
    assert ("search", "--strategy", "gp") in wanted
    assert ("search", "--strategy", "tpe") not in wanted  # the default
    assert ("optimize", "--config", "gam") in wanted and ("grid", "--param", None) in wanted

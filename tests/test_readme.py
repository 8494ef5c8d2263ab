"""The README's commands are the ones CI runs, and the CLI lists its subcommands."""

from __future__ import annotations

import re

from tests.conftest import REPO, run_cli


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    test_command = _bash_blocks(readme)[1].strip()
    ci_lines = (REPO / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines
    assert test_command.endswith("pytest")


def test_help_lists_the_subcommands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("random", "grid", "show"):
        assert re.search(rf"^\s+{command}\s", result.stdout, flags=re.M), command


def test_usage_errors_are_one_line_with_status_2():
    result = run_cli("random", "--seeds", "abc")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "invalid int value: 'abc'" in result.stderr

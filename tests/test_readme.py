"""The README's commands are the ones CI runs, and the CLI lists its subcommands."""

from __future__ import annotations

import re

from tests.conftest import REPO, cli, run_cli


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    test_command = _bash_blocks(readme)[1].strip()
    ci_lines = (REPO / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines
    assert test_command.endswith("pytest --cov")


def test_help_lists_every_subcommand_and_the_readme_documents_each():
    from h2osweep.cli.main import build_parser

    commands = list(build_parser().commands)
    assert commands == [
        "demo",
        "random",
        "grid",
        "search",
        "space",
        "show",
        "analyze",
        "export",
        "optimize",
    ]
    result = cli("--help")
    assert result.status == 0
    assert re.findall(r"^    (\w+)\s", result.stdout, flags=re.M) == commands
    readme = (REPO / "README.md").read_text()
    assert re.findall(r"^### `h2osweep (\w+)`", readme, flags=re.M) == commands
    for command in commands:
        assert re.search(rf"^h2osweep {command} ", readme, flags=re.M), command  # an example
        helped = cli(command, "--help")
        assert helped.status == 0
        assert re.search(rf"^(example: |  )h2osweep {command} ", helped.stdout, flags=re.M), command


def test_usage_errors_are_one_line_with_status_2():
    result = run_cli("random", "--seeds", "abc")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "invalid int value: 'abc'" in result.stderr


DOC_PATH = re.compile(r"`((?:[\w.-]+/)*[\w-]+\.(?:py|R|toml))(?![\w(])(?::\s*(\w+))?")
DOCS = ["README.md", "reference_r/README.md", "benchmarks/README.md", "docs/ARCHITECTURE.md",
        "docs/clusters.md"]  # fmt: skip
ROOTS = ["", "h2osweep", "reference_r", "benchmarks", "docs", "tests", "scripts"]


def test_every_file_and_name_the_docs_point_to_exists():
    """A module the docs name (`space/rng.py: scramble_seed`) is where they say, so a reader
    following a path lands on it; a bare file name is somewhere in the repository."""
    stale = []
    for doc in DOCS:
        for match in DOC_PATH.finditer((REPO / doc).read_text()):
            path, name = match.groups()
            found = [REPO / root / path for root in ROOTS if (REPO / root / path).is_file()]
            if "/" not in path:
                found += [p for p in REPO.rglob(path) if ".git" not in p.parts]
            if not found:
                stale.append(f"{doc}: {path}")
            elif name and not re.search(
                rf"^(def|class) {name}\b|^{name}\b.*=", found[0].read_text(), re.M
            ):
                stale.append(f"{doc}: {path}: {name}")
    assert not stale, stale

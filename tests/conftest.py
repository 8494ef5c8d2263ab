"""Shared fixtures: one real embedded H2O cluster per test session, digits uploaded once; the
command runners (in-process `cli`, subprocess `run_cli`/`start_cli`), which note every command
line so that a test can check each option was run; and the session's rules: under CI=true a skip
is a failure, and a test that uses the session's H2O is marked `h2o` whatever its file says."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
H2O_FIXTURES = {"h2o_cluster", "digits_h2o"}
# Every h2osweep command line the tests ran (in-process or in a subprocess), in order.
INVOCATIONS: list[tuple[str, ...]] = []
DESELECTED = pytest.StashKey[list]()

# A space of small networks (space-file TOML) for tests whose sweeps should be short.
SMALL_NET = """
[depth]
sample = [1, 2]
[l1]
runif = [0, 0.001]
[neurons]
sample = [8, 24]
per_layer = "depth"
"""


def under_ci() -> bool:
    """Whether this is a CI run, where every test must run (CI=true, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test fails: a missing R, openssl or mount must break CI."""
    report = yield
    if report.skipped and under_ci() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {_reason(report)}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """The same for a whole module skipped while it is collected."""
    report = yield
    if report.skipped and under_ci():
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {_reason(report)}"
    return report


def _reason(report) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return text.removeprefix("Skipped: ")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test that uses the session's H2O `h2o` (so `-m "not h2o"` starts no JVM),
    and run the tests marked `after_all` last: they check what the others did."""
    for item in items:
        if H2O_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.h2o)
    items.sort(key=lambda item: item.get_closest_marker("after_all") is not None)


def pytest_deselected(items):
    """Keep the deselected tests: a check over the whole suite needs the whole suite to run."""
    if items:
        items[0].config.stash.setdefault(DESELECTED, []).extend(items)


@pytest.fixture(scope="session")
def h2o_cluster():
    """A real H2O started by h2osweep on a free loopback port, shut down after the session."""
    from h2osweep.cluster import ClusterOptions, H2OCluster

    with H2OCluster(ClusterOptions(nthreads=-1, max_mem="2G")) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def loopback_pool():
    """Two single-node H2O clusters and one 2-node cluster on loopback (tests/multinode.py),
    started together the first time a test needs them and kept for the session."""
    from tests.multinode import LoopbackCloud

    clouds = [LoopbackCloud(1), LoopbackCloud(1), LoopbackCloud(2)]
    try:
        for cloud in clouds:
            cloud.start(wait=False)
        for cloud in clouds:
            cloud.wait()
        yield clouds
    finally:
        for cloud in clouds:
            cloud.close()


@pytest.fixture(scope="session")
def digits_local():
    from h2osweep.data import load_data

    return load_data("digits")


@pytest.fixture(scope="session")
def digits_h2o(h2o_cluster, digits_local):
    from h2osweep.data import upload

    return upload(digits_local)


def jvms_owned_by(pid: int) -> list[int]:
    """The embedded H2O JVMs that process `pid` started (other JVMs on the machine ignored)."""
    from h2osweep.cluster import embedded_jvms

    return [jvm for jvm, owner in embedded_jvms().items() if owner == pid]


# A test run started in the background (nohup, `&` without job control) hands its children an
# ignored SIGINT, which Python then keeps ignoring; the command under test gets Ctrl-C back.
CLI_WITH_CTRL_C = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from h2osweep.cli.main import main; sys.exit(main())"
)


def record_invocation(args) -> tuple[str, ...]:
    """Note one h2osweep command line (its arguments after `h2osweep`) as run by a test."""
    arguments = tuple(str(argument) for argument in args)
    INVOCATIONS.append(arguments)
    return arguments


def recorded_main(args) -> int:
    """`h2osweep.cli.main.main`, the command line noted as run by a test."""
    from h2osweep.cli.main import main

    return main(list(record_invocation(args)))


@dataclass
class Outcome:
    """What one in-process command did: its exit status and what it printed."""

    status: int
    stdout: str
    stderr: str


def cli(*args) -> Outcome:
    """Run the h2osweep command in this process through `main()` (no interpreter start, and its
    code counts toward coverage directly); argparse's exits become the status."""
    from h2osweep.cli.main import main

    arguments = record_invocation(args)
    out, err = io.StringIO(), io.StringIO()
    sigterm = signal.getsignal(signal.SIGTERM)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(arguments))
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    finally:
        signal.signal(signal.SIGTERM, sigterm)  # main() routes SIGTERM to Ctrl-C's path
    return Outcome(status, out.getvalue(), err.getvalue())


def cli_command(*args) -> list[str]:
    """The command line that runs h2osweep in a subprocess (noted as run)."""
    return [sys.executable, "-m", "h2osweep.cli.main", *record_invocation(args)]


def start_cli(*args: str, prelude: str = "") -> subprocess.Popen:
    """Start the h2osweep command in the background (for tests that signal or kill it), after
    `prelude`: Python code that sets the stage, such as a shorter wait."""
    return subprocess.Popen(
        [sys.executable, "-c", f"{prelude}\n{CLI_WITH_CTRL_C}", *record_invocation(args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_cli(*args: str, env: dict | None = None, timeout: float = 600, cwd=None):
    """Run the h2osweep command in a subprocess; returns the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=cwd,
    )


def wait_for_rows(out: Path, rows: int, process, timeout: float = 180) -> None:
    """Wait until the sweep in `out` has `rows` finished runs; fail if `process` ends first."""
    import time

    import pandas as pd

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        path = out / "results.csv"
        if path.exists() and (pd.read_csv(path)["status"] == "ok").sum() >= rows:
            return
        time.sleep(0.1)
    raise AssertionError(f"no {rows} finished runs within {timeout} s")

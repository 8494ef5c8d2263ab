"""Shared fixtures: one real embedded H2O cluster per test session, digits uploaded once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def h2o_cluster():
    """A real H2O started by h2osweep on a free loopback port, shut down after the session."""
    from h2osweep.cluster import ClusterOptions, H2OCluster

    with H2OCluster(ClusterOptions(nthreads=-1, max_mem="2G")) as cluster:
        yield cluster


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


def start_cli(*args: str) -> subprocess.Popen:
    """Start the h2osweep command in the background (for tests that signal or kill it)."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI_WITH_CTRL_C, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_cli(*args: str, env: dict | None = None, timeout: float = 600, cwd=None):
    """Run the h2osweep command in a subprocess; returns the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "h2osweep.cli.main", *args],
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

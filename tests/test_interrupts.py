"""Ctrl-C and SIGTERM stop a sweep cleanly: status 130, finished runs kept, no JVM left behind."""

from __future__ import annotations

import signal
import time

import pandas as pd
import pytest

from h2osweep.cluster import embedded_jvms
from tests.conftest import jvms_owned_by, start_cli, wait_for_rows

pytestmark = [pytest.mark.h2o, pytest.mark.slow]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_the_sweep_and_says_how_to_resume(tmp_path, signum):
    out = tmp_path / "sweep"
    process = start_cli(
        "random", "--seeds", *map(str, range(1, 9)), "--epochs", "3", "--out", str(out)
    )
    deadline = time.monotonic() + 180
    while not (out / "results.csv").exists() or len(pd.read_csv(out / "results.csv")) < 1:
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.1)
    jvm = jvms_owned_by(process.pid)[0]
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    last = stderr.strip().splitlines()[-1]
    assert "interrupted" in last and "run the same command again to resume" in last
    assert "Traceback" not in stderr
    assert jvm not in embedded_jvms(), "the embedded JVM survived the interrupt"
    table = pd.read_csv(out / "results.csv")
    assert len(table) >= 1 and (table["status"] == "ok").all()


def test_ctrl_c_during_demo_stops_its_sweep_and_its_h2o(tmp_path):
    """The demo starts its own H2O: Ctrl-C mid-sweep keeps the finished runs and stops the JVM."""
    out = tmp_path / "demo"
    process = start_cli("demo", "--runs", "6", "--epochs", "2", "--out", str(out))
    wait_for_rows(out, 1, process)
    (jvm,) = jvms_owned_by(process.pid)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    table = pd.read_csv(out / "results.csv")
    assert stderr.strip().splitlines()[-1] == (
        f"h2osweep: interrupted: {len(table)} run(s) of this session are stored in {out}; "
        "run the same command again to resume"
    )
    assert jvm not in embedded_jvms(), "the demo's JVM survived the interrupt"
    assert (table["status"] == "ok").all() and 1 <= len(table) < 6
    assert not (out / "report.html").exists()

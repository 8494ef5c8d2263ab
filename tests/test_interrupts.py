"""Ctrl-C and SIGTERM stop a sweep cleanly: status 130, finished runs kept, no JVM left behind."""

from __future__ import annotations

import signal
import time

import pandas as pd
import pytest

from h2osweep.cluster import embedded_jvms
from tests.conftest import jvms_owned_by, start_cli

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

"""A sweep on a real 2-node H2O cluster on loopback, reached by --url: nothing starts locally."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from tests.conftest import jvms_owned_by, start_cli
from tests.multinode import cloud_size

pytestmark = [pytest.mark.h2o, pytest.mark.slow]


def test_random_sweep_on_a_two_node_cluster(tmp_path, loopback_pool):
    url = loopback_pool[2].url  # the session's 2-node cluster (tests/multinode.py)
    assert cloud_size(url) == 2
    process = start_cli(
        "random", "--seeds", "403", "10", "--epochs", "1", "--url", url, "--out", str(tmp_path)
    )
    started_locally = _own_jvms_while_running(process)
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    assert not started_locally, "a --url sweep must not start a local H2O"
    assert "(2 node(s)" in stderr
    table = pd.read_csv(tmp_path / "results.csv")
    assert list(table["status"]) == ["ok", "ok"]
    session = json.loads((tmp_path / "sweep.json").read_text())["sessions"][-1]
    assert session["cluster"]["cloud_size"] == 2 and session["cluster"]["embedded"] is False


def _own_jvms_while_running(process, timeout: float = 600) -> set[int]:
    """Embedded JVMs owned by `process`, watched until it ends; other JVMs are ignored."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        seen.update(jvms_owned_by(process.pid))
        time.sleep(0.2)
    return seen

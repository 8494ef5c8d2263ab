"""A sweep on a real 2-node H2O cluster on loopback, reached by --url: nothing starts locally."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from h2osweep.cluster import embedded_jvms
from tests.conftest import run_cli
from tests.multinode import cloud_size, loopback_cluster

pytestmark = [pytest.mark.h2o, pytest.mark.slow]


def test_random_sweep_on_a_two_node_cluster(tmp_path):
    with loopback_cluster(nodes=2) as url:
        assert cloud_size(url) == 2
        before = set(embedded_jvms())
        result = run_cli(
            "random", "--seeds", "403", "10", "--epochs", "1", "--url", url, "--out", str(tmp_path)
        )
        assert result.returncode == 0, result.stderr
        assert set(embedded_jvms()) == before, "a --url sweep must not start a local H2O"
        assert "(2 node(s)" in result.stderr
    table = pd.read_csv(tmp_path / "results.csv")
    assert list(table["status"]) == ["ok", "ok"]
    session = json.loads((tmp_path / "sweep.json").read_text())["sessions"][-1]
    assert session["cluster"]["cloud_size"] == 2 and session["cluster"]["embedded"] is False

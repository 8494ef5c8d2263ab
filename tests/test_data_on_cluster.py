"""Data the cluster reads itself: a CSV on the cluster's file system is imported there and
trained on without this process ever opening it, and a changed file is refused on resume."""

from __future__ import annotations

import json
import os
import sys

import pandas as pd
import pytest

from h2osweep.data.sources import digits_frame
from tests.conftest import cli

pytestmark = pytest.mark.h2o
OPENED: list[str] = []  # paths this process opened while a test watched
WATCHED: set[str] = set()


def _watch_opens(event: str, arguments: tuple) -> None:
    if event == "open" and WATCHED and isinstance(arguments[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(arguments[0]))
        if path in WATCHED:
            OPENED.append(path)


sys.addaudithook(_watch_opens)  # an audit hook stays for the process: it only looks at WATCHED


@pytest.fixture
def on_cluster_csv(tmp_path):
    """Digits as a CSV the (local) cluster reads, watched for any open by this process."""
    path = tmp_path / "digits.csv"
    digits_frame().head(600).to_csv(path, index=False)
    WATCHED.add(os.path.realpath(path))
    OPENED.clear()
    yield path
    WATCHED.clear()


def _sweep(path, out, url, *extra):
    return [
        "random", "--seeds", "1", "2", "--epochs", "1", "--data", str(path), "--data-on-cluster",
        "--target", "label", "--url", url, "--out", str(out), *extra,
    ]  # fmt: skip


def test_a_csv_on_the_cluster_is_trained_without_the_client_reading_it(
    on_cluster_csv, h2o_cluster, tmp_path
):
    out = tmp_path / "sweep"
    outcome = cli(*_sweep(on_cluster_csv, out, h2o_cluster.url))
    assert outcome.status == 0, outcome.stderr
    assert OPENED == []  # the cluster read the file; this process never opened it
    table = pd.read_csv(out / "results.csv")
    assert list(table["status"]) == ["ok", "ok"]
    data = json.loads((out / "sweep.json").read_text())["definition"]["data"]
    assert data["source"] == f"{on_cluster_csv} (read by the cluster)"
    assert data["task"] == "classification" and data["classes"] == [str(d) for d in range(10)]
    rows = data["train_rows"] + data["valid_rows"] + data["test_rows"]
    assert rows == 600 and 90 <= data["test_rows"] <= 150  # a fifth held out for testing
    assert data["valid_rows"] > 0 and table["valid_mse"].notna().all()


def test_a_changed_file_on_the_cluster_is_refused_on_resume(on_cluster_csv, h2o_cluster, tmp_path):
    out = tmp_path / "sweep"
    assert cli(*_sweep(on_cluster_csv, out, h2o_cluster.url)).status == 0
    before = (out / "results.csv").read_bytes()
    WATCHED.clear()  # the test itself changes the file
    frame = pd.read_csv(on_cluster_csv)
    frame.loc[0, "pixel10"] += 1
    frame.to_csv(on_cluster_csv, index=False)
    resumed = cli(*_sweep(on_cluster_csv, out, h2o_cluster.url, "--seeds", "3"))
    assert resumed.status == 2
    assert "fingerprint" in resumed.stderr and "Traceback" not in resumed.stderr
    assert (out / "results.csv").read_bytes() == before  # nothing written is lost


def test_a_uri_the_cluster_cannot_read_is_one_line_with_h2os_reason(h2o_cluster, tmp_path):
    uri = "hdfs://no-such-namenode.invalid:8020/data/digits.csv"
    outcome = cli(*_sweep(uri, tmp_path / "s", h2o_cluster.url))
    assert outcome.status == 2
    line = outcome.stderr.strip()
    assert "\n" not in line, line
    assert line.startswith(f"h2osweep: error: --data {uri}: the cluster cannot read it: "), line
    assert "UnknownHostException" in line  # H2O's own reason, kept
    assert not (tmp_path / "s" / "results.csv").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target", "nope"], "--target 'nope' is not a column of"),
        (["--valid", "v.csv"], "--valid reads a file on this machine"),
    ],
)
def test_bad_input_with_data_on_the_cluster_is_one_line(
    on_cluster_csv, h2o_cluster, tmp_path, extra, message
):
    outcome = cli(*_sweep(on_cluster_csv, tmp_path / "s", h2o_cluster.url, *extra))
    assert outcome.status == 2
    assert message in outcome.stderr and len(outcome.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "command",
    [
        ["random", "--seeds", "1"],
        ["grid", "--param", "units=4", "--param", "layers=1"],
        ["search", "--n-runs", "1"],
    ],
)
def test_data_the_cluster_reads_needs_a_target(command, tmp_path):
    for data in (["--data", "s3a://bucket/d.csv"], ["--data", "/srv/d.csv", "--data-on-cluster"]):
        outcome = cli(*command, *data, "--out", tmp_path)
        assert outcome.status == 2
        assert outcome.stderr.strip() == (
            f"h2osweep: error: --data {data[1]} is read by the cluster: name its target "
            "column with --target"
        )


def test_the_watch_sees_this_process_open_the_file(on_cluster_csv):
    """The check above could not pass by accident: a read by pandas is seen."""
    pd.read_csv(on_cluster_csv)
    assert OPENED == [os.path.realpath(on_cluster_csv)]

"""A pool of real H2O clusters on loopback shares one sweep: the same models as one cluster,
a cluster killed mid-flight gives its builds to the others, and one restarted on its port
rejoins."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time

import pandas as pd
import pytest

from h2osweep.cluster import free_port_pair
from tests.conftest import SMALL_NET, cli, start_cli
from tests.multinode import LoopbackCloud

pytestmark = [pytest.mark.h2o, pytest.mark.slow]
SEEDS = [str(seed) for seed in range(1, 13)]
# A lost cluster asked again every second (not after 3, 9, 21, 45 s...): a rejoin comes soon
# after the restart, well before the sweep ends
QUICK_REJOIN = """
from h2osweep.training import flight
flight.REJOIN_SECONDS = flight.MAX_REJOIN_SECONDS = 1.0
"""
METRICS = ["train_mse", "test_mse", "train_logloss", "test_logloss"]


@pytest.fixture
def pool(loopback_pool):
    return loopback_pool


@pytest.fixture
def small(tmp_path) -> list[str]:
    """Small networks keep the pool's sweeps short (the rejoin test keeps the lecture's space,
    whose sweep outlasts a JVM restart)."""
    path = tmp_path / "small.toml"
    path.write_text(SMALL_NET)
    return ["--space", str(path)]


def _sweep(out, urls, seeds=SEEDS, *extra):
    pooled = [argument for url in urls for argument in ("--url", url)]
    return ["random", "--seeds", *seeds, "--epochs", "1", *pooled, "--out", str(out), *extra]


def _attempts(out) -> dict[str, int]:
    with sqlite3.connect(out / "store.sqlite") as db:
        return dict(db.execute("SELECT name, attempts FROM runs"))


def _each_seed_once(out, seeds) -> pd.DataFrame:
    table = pd.read_csv(out / "results.csv")
    assert sorted(table["name"]) == sorted(f"m_{seed}" for seed in seeds)
    assert set(table["status"]) == {"ok"}
    assert _attempts(out) == {f"m_{seed}": 1 for seed in seeds}
    return table.set_index("name").sort_index()


def test_a_pool_of_three_clusters_trains_the_models_one_cluster_trains(
    pool, h2o_cluster, tmp_path, small
):
    pooled = cli(*_sweep(tmp_path / "pool", [cloud.url for cloud in pool], SEEDS, *small))
    assert pooled.status == 0, pooled.stderr
    assert "a pool of 3 clusters (4 node(s)" in pooled.stderr
    for cloud in pool:  # every cluster built some of the runs, and the summary counts them
        assert re.search(rf"\] m_\d+ .* on {re.escape(cloud.url)} ", pooled.stderr), cloud.url
        assert re.search(rf"per cluster: .*\d+ {re.escape(cloud.url)}", pooled.stderr)
    alone = cli(*_sweep(tmp_path / "alone", [h2o_cluster.url], SEEDS, *small))
    assert alone.status == 0, alone.stderr
    assert not re.search(r"\] m_\d+ .* on http", alone.stderr)  # one cluster: lines as before
    pooled_runs = _each_seed_once(tmp_path / "pool", SEEDS)
    alone_runs = _each_seed_once(tmp_path / "alone", SEEDS)
    pd.testing.assert_frame_equal(pooled_runs[METRICS], alone_runs[METRICS])
    sessions = (tmp_path / "pool" / "sweep.json").read_text()
    assert all(cloud.url in sessions for cloud in pool)
    listing = tmp_path / "clusters.txt"  # retraining uses one cluster, and says so
    listing.write_text("".join(f"{cloud.url}\n" for cloud in pool))
    retrain = cli("optimize", tmp_path / "pool", "--clusters", listing)
    assert retrain.status == 2
    assert retrain.stderr.strip().endswith("--url names several clusters: only a sweep uses a pool")


def _running_builds(url: str) -> int:
    import requests

    with contextlib.suppress(requests.RequestException):
        jobs = requests.get(f"{url}/3/Jobs", timeout=5).json()["jobs"]
        building = [job for job in jobs if job["description"] == "DeepLearning"]
        return sum(job["status"] == "RUNNING" for job in building)
    return 0


def _kill_while_building(victim: LoopbackCloud, process, timeout: float = 120) -> None:
    """SIGKILL the victim's JVM once it has a model build in flight."""
    deadline = time.monotonic() + timeout
    while not _running_builds(victim.url):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the victim never got a build"
        time.sleep(0.05)
    victim.kill()


def test_a_cluster_killed_mid_flight_gives_its_builds_to_the_others(pool, tmp_path, small):
    victim = LoopbackCloud(1).start()
    out = tmp_path / "sweep"
    try:
        urls = [victim.url, pool[0].url]
        process = start_cli(*_sweep(out, urls, SEEDS[:6], "--parallel", "2", *small))
        _kill_while_building(victim, process)
        _, stderr = process.communicate(timeout=600)
    finally:
        victim.close()
    assert process.returncode == 0, stderr
    assert f"lost the cluster at {victim.url}" in stderr
    assert "given back" in stderr and "Traceback" not in stderr
    _each_seed_once(out, SEEDS[:6])


def test_a_killed_cluster_restarted_on_its_port_rejoins_the_pool(pool, tmp_path):
    victim = LoopbackCloud(1).start()
    out = tmp_path / "sweep"
    seeds = [str(seed) for seed in range(1, 17)]
    try:
        process = start_cli(
            *_sweep(out, [victim.url, pool[1].url], seeds, "--parallel", "1"), prelude=QUICK_REJOIN
        )
        _kill_while_building(victim, process)
        victim.start()  # the same ports
        assert process.poll() is None, "the sweep ended before the cluster was back"
        _, stderr = process.communicate(timeout=600)
    finally:
        victim.close()
    assert process.returncode == 0, stderr
    after = stderr.split(f"the cluster at {victim.url} answers again: it rejoins", 1)
    assert len(after) == 2, stderr
    assert re.search(rf"\] m_\d+ .* on {re.escape(victim.url)} ", after[1]), stderr
    _each_seed_once(out, seeds)


def test_the_same_cluster_twice_is_refused(pool, tmp_path):
    url = pool[0].url
    twice = cli(*_sweep(tmp_path / "twice", [url, url + "/"], ["1"]))
    assert twice.status == 2
    assert twice.stderr.strip() == (
        f"h2osweep: error: the pool names {url}/ twice: give each cluster once"
    )
    host = url.replace("127.0.0.1", "localhost")
    aliased = cli(*_sweep(tmp_path / "aliased", [url, host], ["1"]))
    assert aliased.status == 2
    assert "are the same H2O cluster (node 127.0.0.1:" in aliased.stderr
    assert not (tmp_path / "twice" / "results.csv").exists()


def test_a_cluster_of_another_h2o_version_is_named(pool, tmp_path, monkeypatch):
    import h2o

    monkeypatch.setattr(h2o, "__version__", "3.0.0.1")
    other = cli(*_sweep(tmp_path / "other", [pool[0].url, pool[1].url], ["1"]))
    assert other.status == 2
    line = other.stderr.strip()
    assert line.startswith(f"h2osweep: error: the cluster at {pool[0].url} runs H2O "), line
    assert "but this client is h2o 3.0.0.1" in line and "\n" not in line


def test_a_pool_where_no_cluster_answers_is_refused_in_one_line(tmp_path):
    dead = [f"http://127.0.0.1:{free_port_pair()}" for _ in range(2)]
    outcome = cli(*_sweep(tmp_path / "dead", dead, ["1"]))
    assert outcome.status == 2
    line = outcome.stderr.strip()
    assert line.startswith("h2osweep: error: no cluster of the pool answers: "), line
    assert all(url in line for url in dead) and "\n" not in line
    assert not (tmp_path / "dead" / "results.csv").exists()


def test_a_pool_file_names_the_clusters(pool, tmp_path):
    listing = tmp_path / "clusters.txt"
    listing.write_text(f"# the pool\n{pool[0].url}\n\n{pool[0].url}  # again\n")
    outcome = cli("random", "--seeds", "1", "--clusters", listing, "--out", tmp_path / "s")
    assert outcome.status == 2
    assert outcome.stderr.strip() == (
        f"h2osweep: error: the pool names {pool[0].url} twice: give each cluster once"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["random", "--seeds", "1"],
        ["grid", "--param", "units=4", "--param", "layers=1"],
        ["search", "--n-runs", "1"],
        ["demo"],
    ],
)
def test_every_command_reads_a_pool_file(command, tmp_path):
    """An empty file is refused in one line; the demo, which uses one cluster, refuses two."""
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n")
    outcome = cli(*command, "--clusters", empty, "--out", tmp_path / "out")
    assert outcome.status == 2
    assert outcome.stderr.strip() == (
        f"h2osweep: error: --clusters {empty} names no cluster: give one URL per line"
    )
    if command == ["demo"]:
        two = tmp_path / "two.txt"
        two.write_text("http://127.0.0.1:1\nhttp://127.0.0.1:2\n")
        outcome = cli(*command, "--clusters", two, "--out", tmp_path / "out")
        assert outcome.status == 2 and "only a sweep uses a pool" in outcome.stderr


def test_data_each_cluster_reads_itself_is_split_alike_on_clusters_of_any_size(
    pool, h2o_cluster, tmp_path, small
):
    """A one-node and a two-node cluster chunk the file differently; the split follows row
    positions, so every cluster holds the same parts and the models equal one cluster's."""
    from h2osweep.data.sources import digits_frame

    path = tmp_path / "digits.csv"
    digits_frame().head(500).to_csv(path, index=False)
    seeds = ["1", "2", "3", "4"]
    read = ["--data", str(path), "--data-on-cluster", "--target", "label", *small]
    pooled = cli(*_sweep(tmp_path / "pool", [pool[0].url, pool[2].url], seeds, *read))
    assert pooled.status == 0, pooled.stderr
    alone = cli(*_sweep(tmp_path / "alone", [h2o_cluster.url], seeds, *read))
    assert alone.status == 0, alone.stderr
    pooled_runs = _each_seed_once(tmp_path / "pool", seeds)
    alone_runs = _each_seed_once(tmp_path / "alone", seeds)
    pd.testing.assert_frame_equal(pooled_runs[METRICS], alone_runs[METRICS])

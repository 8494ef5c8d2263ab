"""Which cluster of a pool builds the next run (pure: no H2O), the pool's bad input that needs
no cluster, and which errors mean a lost cluster."""

from __future__ import annotations

import pytest
import requests
from h2o.exceptions import H2OConnectionError, H2OResponseError

from h2osweep.cluster import ClusterOptions
from h2osweep.errors import UserInputError
from h2osweep.pool import ClusterPool
from h2osweep.record.goal import Objective
from h2osweep.record.runs import OK, RunResult, RunSpec
from h2osweep.sweep.progress import Progress
from h2osweep.training.jobs import connection_failed
from h2osweep.training.placement import Lane, Placement


def _specs(count: int) -> list[RunSpec]:
    return [RunSpec(f"m_{index}", {}) for index in range(count)]


def _placed(placement: Placement) -> list[tuple[str, str]]:
    placed = []
    while (choice := placement.next()) is not None:
        spec, lane = choice
        placement.started(lane)
        placed.append((spec.name, lane.name))
    return placed


def test_runs_go_to_the_lane_with_most_free_slots_in_pool_order_on_ties():
    lanes = [Lane("a", 1), Lane("b", 3), Lane("c", 2)]
    placement = Placement(iter(_specs(10)), lanes)
    placed = _placed(placement)
    assert [lane for _, lane in placed] == ["b", "b", "c", "a", "b", "c"]
    assert [spec for spec, _ in placed] == [f"m_{index}" for index in range(6)]  # order kept
    assert [lane.busy for lane in lanes] == [1, 3, 2]


def test_a_lost_lanes_builds_are_given_back_first_and_go_to_the_others():
    lanes = [Lane("a", 2), Lane("b", 2)]
    specs = _specs(6)
    placement = Placement(iter(specs), lanes)
    placed = dict(_placed(placement))
    on_a = [spec for spec in specs if placed.get(spec.name) == "a"]
    placement.lose(lanes[0], on_a)
    assert placement.alive() == [lanes[1]] and placement.lost() == [lanes[0]]
    assert placement.next() is None  # b is full, a takes nothing
    placement.ended(specs[1], lanes[1])
    spec, lane = placement.next()
    assert (spec.name, lane.name) == (on_a[0].name, "b")  # given back before any new run
    placement.started(lane)
    placement.rejoin(lanes[0])
    assert [lane for _, lane in _placed(placement)] == ["a", "a"]


def test_a_climbing_rung_goes_back_to_the_lane_that_holds_its_model():
    lanes = [Lane("a", 2), Lane("b", 2)]
    first = RunSpec("m_1", {}, budget=1, rung=0, final=False)
    climb = RunSpec("m_1", {}, budget=3, rung=1, climbs=True)
    placement = Placement(iter([first, RunSpec("m_2", {}), climb]), lanes)
    spec, lane = placement.next()
    assert lane.name == "a"
    placement.started(lane)
    placement.ended(spec, lane)  # a holds m_1's rung-0 model
    lanes[1].busy = 0
    placement.started(placement.next()[1])  # m_2 goes to a too (a tie: pool order)
    spec, lane = placement.next()
    assert spec is climb and lane.name == "a"  # b has more room, but a has the model


def test_none_from_the_plan_means_wait_for_a_result():
    placement = Placement(iter([None, *_specs(1)]), [Lane("a", 2)])
    assert placement.next() is None
    assert placement.next()[0].name == "m_0"


def test_the_same_url_twice_is_refused_before_any_connection():
    urls = ("http://127.0.0.1:1", "http://127.0.0.1:2", "HTTP://127.0.0.1:1/")
    with pytest.raises(UserInputError, match=r"names HTTP://127.0.0.1:1/ twice"):
        ClusterPool(ClusterOptions(url=urls))


def test_cluster_options_take_one_url_or_several():
    assert ClusterOptions(url=["http://h:1"]).url == "http://h:1"
    assert ClusterOptions(url=["http://h:1", "http://h:2"]).urls == ("http://h:1", "http://h:2")
    assert ClusterOptions().urls == () and ClusterOptions(url=[]).url is None


def test_progress_names_each_runs_cluster_and_counts_them(capsys):
    lanes = [Lane("http://a:1", 3, busy=2), Lane("http://b:1", 3)]
    progress = Progress(3, Objective("test_mse"), lanes=lanes)
    for name, cluster in [("m_1", "http://a:1"), ("m_2", "http://b:1"), ("m_3", "http://a:1")]:
        result = RunResult(RunSpec(name, {}), OK, {"test_mse": 0.5}, cluster=cluster)
        progress.update(result)
    lines = capsys.readouterr().err.splitlines()
    assert " on http://a:1 (2 in flight there) |" in lines[0]
    assert " on http://b:1 (0 in flight there) |" in lines[1]
    assert progress.summary(0, None).endswith("per cluster: 2 http://a:1, 1 http://b:1")


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (requests.exceptions.ChunkedEncodingError("IncompleteRead(0 bytes read)"), True),
        (requests.exceptions.ConnectionError("refused"), True),
        (ConnectionError("GET /3/Jobs: refused"), True),
        (H2OConnectionError("Unexpected HTTP error"), True),
        (H2OResponseError("Illegal argument for field: hidden"), False),
        (ValueError("a model error"), False),
    ],
)
def test_an_answer_cut_off_mid_read_means_a_lost_cluster(error, lost):
    """A JVM killed while it answers breaks the read: that is a lost cluster, not a failed run."""
    assert connection_failed(error) is lost

"""Two processes on one sweep folder: the second is refused by the folder's lock, so no run is
trained twice and the store stays whole."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time

import pandas as pd
import pytest

from tests.conftest import cli_command, run_cli

pytestmark = [pytest.mark.h2o, pytest.mark.slow]
L1 = "0,0.0001,0.0002,0.0003,0.0004,0.0005"
GRID = ["grid", "--param", "units=4", "--param", "layers=1", "--param", f"l1={L1}"]
NAMES = [f"g_{i}" for i in range(1, 7)]


def _sweep(url: str, out) -> list[str]:
    return [*GRID, "--epochs", "1", "--parallel", "1", "--url", url, "--out", str(out)]


def _popen(arguments: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        cli_command(*arguments),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _store(out) -> tuple[str, dict[str, int]]:
    with sqlite3.connect(out / "store.sqlite") as db:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        return check, dict(db.execute("SELECT name, attempts FROM runs"))


def _assert_each_run_once(out) -> None:
    check, attempts = _store(out)
    assert check == "ok"
    assert attempts == dict.fromkeys(NAMES, 1), attempts
    table = pd.read_csv(out / "results.csv")
    assert sorted(table["name"]) == NAMES
    assert (table["status"] == "ok").all()


def test_second_process_on_a_running_sweep_is_refused_and_names_the_first(tmp_path, h2o_cluster):
    out = tmp_path / "sweep"
    first = _popen(_sweep(h2o_cluster.url, out))
    deadline = time.monotonic() + 120
    while not (out / "results.csv").exists() or pd.read_csv(out / "results.csv").empty:
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)

    # Frozen mid-sweep while holding the lock, however slowly the second one starts up.
    first.send_signal(signal.SIGSTOP)
    assert first.poll() is None, "the first sweep ended before the second was tried"
    try:
        second = run_cli(*_sweep(h2o_cluster.url, out), timeout=120)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 2, second.stderr
    assert second.stderr.count("\n") == 1, second.stderr
    assert f"another h2osweep process (pid {first.pid}) is running a sweep in {out}" in (
        second.stderr
    )
    assert str(out / ".lock") in second.stderr

    _, stderr = first.communicate(timeout=180)
    assert first.returncode == 0, stderr
    _assert_each_run_once(out)


def test_two_processes_started_together_train_each_run_once(tmp_path, h2o_cluster):
    out = tmp_path / "sweep"
    processes = [_popen(_sweep(h2o_cluster.url, out)) for _ in range(2)]
    outcomes = [(p.wait(timeout=180), p.communicate()[1]) for p in processes]
    for status, stderr in outcomes:
        assert "Traceback" not in stderr
        if status == 2:
            assert stderr.count("\n") == 1 and "holds" in stderr and ".lock" in stderr, stderr
        else:
            assert status == 0, stderr
    trained = [stderr for status, stderr in outcomes if status == 0 and "6 of 6 run(s)" in stderr]
    assert len(trained) == 1, outcomes  # the other was refused, or found everything done
    _assert_each_run_once(out)

"""A sweep survives SIGKILL of itself and of its H2O JVM, and a kill between a run's commit and
the rewrite of results.csv: rerunning (on the session's H2O) completes it, nothing twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import cli, jvms_owned_by, start_cli, wait_for_rows

pytestmark = [pytest.mark.h2o, pytest.mark.slow]
SEEDS = ["1", "2", "3", "4", "5"]
SWEEP = ["random", "--seeds", *SEEDS, "--epochs", "1", "--parallel", "1"]
# Set before the command: it kills itself (SIGKILL) right after its second run is committed to
# SQLite, before its line reaches results.csv: the window a kill can hit by chance.
KILLED_AFTER_THE_SECOND_COMMIT = """
import os, signal
from h2osweep.store.results_csv import ResultsCsv
append, calls = ResultsCsv.committed, []
def append_or_die(csv, state, line):
    calls.append(line)  # once after each run's SQLite transaction
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    append(csv, state, line)
ResultsCsv.committed = append_or_die
"""


def _start(out, *extra):
    return start_cli(*SWEEP, "--nthreads", "1", "--max-mem", "1G", "--out", str(out), *extra)


def _attempts(out) -> dict[str, int]:
    with sqlite3.connect(out / "store.sqlite") as db:
        return dict(db.execute("SELECT name, attempts FROM runs"))


def _jvm_of(pid: int) -> int:
    found = jvms_owned_by(pid)
    assert len(found) == 1, found
    return found[0]


def _gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def _assert_complete_each_run_once(out) -> None:
    table = pd.read_csv(out / "results.csv")
    assert sorted(table["name"]) == sorted(f"m_{seed}" for seed in SEEDS)
    assert set(table["status"]) == {"ok"}
    assert _attempts(out) == {f"m_{seed}": 1 for seed in SEEDS}


def test_sigkill_after_two_runs_then_rerun_completes_each_seed_once(tmp_path, h2o_cluster):
    out = tmp_path / "sweep"
    process = _start(out)
    wait_for_rows(out, 2, process)
    jvm = _jvm_of(process.pid)
    arguments = Path(f"/proc/{jvm}/cmdline").read_bytes().decode().split("\0")
    assert "-Xmx1G" in arguments, arguments  # --max-mem 1G
    assert arguments[arguments.index("-nthreads") + 1] == "1"  # --nthreads 1
    process.kill()
    process.wait()
    assert _gone(jvm), "the embedded JVM outlived its killed owner"
    stored = set(_attempts(out))  # in SQLite, whether results.csv shows them yet or not
    assert set(pd.read_csv(out / "results.csv")["name"]) <= stored

    rerun = cli(*SWEEP, "--url", h2o_cluster.url, "--out", out)
    assert rerun.status == 0, rerun.stderr
    assert f"{len(stored)} already done" in rerun.stderr
    _assert_complete_each_run_once(out)


def test_a_kill_between_commit_and_csv_export_loses_and_repeats_nothing(tmp_path, h2o_cluster):
    out = tmp_path / "sweep"
    arguments = [*SWEEP, "--url", h2o_cluster.url, "--out", str(out)]
    killed = start_cli(*arguments, prelude=KILLED_AFTER_THE_SECOND_COMMIT)
    _, err = killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL, err
    in_csv = set(pd.read_csv(out / "results.csv")["name"])
    in_store = set(_attempts(out))
    assert len(in_csv) == 1 and len(in_store) == 2 and in_csv < in_store

    rerun = cli(*arguments)
    assert rerun.status == 0, rerun.stderr
    assert "3 of 5 run(s) to train" in rerun.stderr and "2 already done" in rerun.stderr
    _assert_complete_each_run_once(out)


def test_killed_jvm_ends_the_sweep_with_one_line_and_a_rerun_completes_it(tmp_path, h2o_cluster):
    out = tmp_path / "sweep"
    process = _start(out)
    wait_for_rows(out, 1, process)
    os.kill(_jvm_of(process.pid), signal.SIGKILL)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode not in (0, 2)
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("h2osweep: error: lost the H2O cluster"), stderr
    assert "Traceback" not in stderr
    stored = pd.read_csv(out / "results.csv")
    assert (stored["status"] == "ok").all()

    rerun = cli(*SWEEP, "--url", h2o_cluster.url, "--out", out)
    assert rerun.status == 0, rerun.stderr
    _assert_complete_each_run_once(out)

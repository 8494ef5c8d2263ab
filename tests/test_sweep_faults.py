"""A sweep survives SIGKILL of itself and of its H2O JVM: rerunning completes it, nothing twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pandas as pd
import pytest

from tests.conftest import jvms_owned_by, run_cli, start_cli, wait_for_rows

pytestmark = [pytest.mark.h2o, pytest.mark.slow]
SEEDS = ["1", "2", "3", "4", "5"]


def _start(out, *extra):
    return start_cli(
        "random", "--seeds", *SEEDS, "--epochs", "1", "--parallel", "1", "--out", str(out), *extra
    )


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


def test_sigkill_after_two_runs_then_rerun_completes_each_seed_once(tmp_path):
    out = tmp_path / "sweep"
    process = _start(out)
    wait_for_rows(out, 2, process)
    jvm = _jvm_of(process.pid)
    process.kill()
    process.wait()
    assert _gone(jvm), "the embedded JVM outlived its killed owner"
    finished_before = set(pd.read_csv(out / "results.csv")["name"])

    rerun = run_cli(
        "random", "--seeds", *SEEDS, "--epochs", "1", "--parallel", "1", "--out", str(out)
    )
    assert rerun.returncode == 0, rerun.stderr
    table = pd.read_csv(out / "results.csv")
    assert sorted(table["name"]) == sorted(f"m_{seed}" for seed in SEEDS)
    assert set(table["status"]) == {"ok"}
    attempts = _attempts(out)
    assert all(attempts[name] == 1 for name in finished_before)
    assert f"{len(finished_before)} already done" in rerun.stderr


def test_killed_jvm_ends_the_sweep_with_one_line_and_a_rerun_completes_it(tmp_path):
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

    rerun = run_cli("random", "--seeds", *SEEDS, "--epochs", "1", "--out", str(out))
    assert rerun.returncode == 0, rerun.stderr
    table = pd.read_csv(out / "results.csv")
    assert sorted(table["name"]) == sorted(f"m_{seed}" for seed in SEEDS)
    assert set(table["status"]) == {"ok"}

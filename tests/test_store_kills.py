"""kill -9 of a process writing a sweep folder at the moments that matter for results.csv: after
a run's SQLite commit and before its line is appended, and while the file is rewritten (rebuilt
from the store, or put back in plan order at the end of a session). After the next start,
results.csv has exactly the store's runs, each once, as a rebuild from the store writes them.

The process (tests/store_crash.py) commits synthetic runs through the real store and stops
itself at the moment; the test looks at the folder in that state, then kills it with SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from h2osweep.store.results_store import open_store
from tests.conftest import REPO
from tests.store_crash import DEFINITION, results

TEMPORARY = ".results.csv.*"  # what a rewrite of results.csv writes before renaming it


def _start(folder, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store_crash", str(folder), *arguments],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_stopped(process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status = os.waitpid(process.pid, os.WUNTRACED | os.WNOHANG)
        if pid and os.WIFSTOPPED(status):
            return
        assert pid == 0, f"the process ended before its stop point: {process.communicate()}"
        time.sleep(0.01)
    process.kill()
    raise AssertionError("the process did not reach its stop point")


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def _stored(folder) -> dict[str, str]:
    """Each stored run's status, read straight from SQLite."""
    with contextlib.closing(sqlite3.connect(folder / "store.sqlite")) as db:
        return dict(db.execute("SELECT name, status FROM runs"))


def _in_csv(folder) -> pd.DataFrame:
    return pd.read_csv(folder / "results.csv")


def _next_start(folder) -> str:
    """Open the store as the next command would; the table a rebuild would write."""
    with open_store(folder, DEFINITION) as store:
        return store.results().to_csv(index=False)


def _assert_exactly_the_store(folder, expected: str) -> None:
    table = _in_csv(folder)
    assert sorted(table["name"]) == sorted(_stored(folder)), "a run is missing or twice"
    assert table["name"].is_unique
    assert (folder / "results.csv").read_text() == expected
    assert not list(folder.glob(TEMPORARY)), "a temporary file was left behind"


def test_kill_after_the_sqlite_commit_before_the_csv_line(tmp_path):
    folder = tmp_path / "sweep"
    child = _start(folder, "--runs", "24", "--stop-at", "commit:12")
    _wait_until_stopped(child)
    stored, table = _stored(folder), _in_csv(folder)
    assert len(stored) == len(table) + 1 and set(table["name"]) < set(stored)
    _kill(child)

    _assert_exactly_the_store(folder, _next_start(folder))
    made = results(24)
    with open_store(folder, DEFINITION) as store:  # the resumed session adds the others
        for name in sorted(set(made) - set(_stored(folder))):
            store.commit(made[name])
        expected = store.results().to_csv(index=False)
    _assert_exactly_the_store(folder, expected)
    assert len(_in_csv(folder)) == 24


@pytest.mark.parametrize(
    "stop, extra",
    [
        ("rebuild:20", ["--fail", "m_3", "--retry", "m_3"]),  # m_3 stored again: a rebuild
        ("resequence", []),  # runs stored out of plan order: reordered at the session's end
    ],
)
def test_kill_while_results_csv_is_rewritten(tmp_path, stop, extra):
    folder = tmp_path / "sweep"
    child = _start(folder, "--runs", "40", *extra, "--stop-at", stop)
    _wait_until_stopped(child)
    (temporary,) = folder.glob(TEMPORARY)
    before = _in_csv(folder)
    if stop.startswith("rebuild"):
        assert 0 < temporary.stat().st_size < 40 * 300, "the rebuild is not under way"
        assert before.set_index("name").loc["m_3", "status"] == "failed"  # the old line
        assert _stored(folder)["m_3"] == "ok"
    else:
        assert len(before) == 40 and list(before["name"]) != [f"m_{i}" for i in range(1, 41)]
    _kill(child)
    assert list(folder.glob(TEMPORARY)) == [temporary]

    _assert_exactly_the_store(folder, _next_start(folder))
    table = _in_csv(folder)
    assert list(table["name"]) == [f"m_{i}" for i in range(1, 41)]  # plan order
    assert set(table["status"]) == {"ok"}

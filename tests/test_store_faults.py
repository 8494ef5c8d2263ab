"""Faults around the store: the disk fills up while a result is written, the folder turns
read-only, a model diverges. Each ends in a clear message and an intact store.

The disk is a real 2 MB tmpfs mounted for the test (needs root, as in CI); it is skipped with the
reason when mounting is not allowed here.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import subprocess
import time

import pandas as pd
import pytest

from tests.conftest import cli_command, run_cli

pytestmark = [pytest.mark.h2o]
L1 = ",".join(f"{i / 10000:g}" for i in range(10))
GRID = ["grid", "--param", "units=4", "--param", "layers=1", "--param", f"l1={L1}"]
NAMES = sorted(f"g_{i}" for i in range(1, 11))


@contextlib.contextmanager
def tmpfs(folder, size: str = "2M"):
    """A small tmpfs mounted on `folder` for the duration of the block."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def _store(out) -> tuple[str, dict[str, int]]:
    with contextlib.closing(sqlite3.connect(out / "store.sqlite")) as db:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        return check, dict(db.execute("SELECT name, attempts FROM runs WHERE status = 'ok'"))


def _fill(folder) -> None:
    """Write zeros into `folder` until the file system says it is full."""
    with open(folder / "filler", "wb", buffering=0) as filler:
        chunk = b"\0" * 4096
        while True:
            try:
                filler.write(chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                return


@pytest.mark.slow
def test_disk_full_mid_sweep_ends_in_one_line_and_keeps_every_stored_run(tmp_path, h2o_cluster):
    with tmpfs(tmp_path / "disk") as disk:
        out = disk / "sweep"
        sweep = [*GRID, "--epochs", "1", "--parallel", "1", "--url", h2o_cluster.url]
        process = subprocess.Popen(
            cli_command(*sweep, "--out", out),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not (out / "results.csv").exists() or len(pd.read_csv(out / "results.csv")) < 2:
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        _fill(disk)
        stored_before = set(pd.read_csv(out / "results.csv")["name"])
        _, stderr = process.communicate(timeout=120)

        assert process.returncode not in (0, 130), stderr
        assert "Traceback" not in stderr
        last = stderr.strip().splitlines()[-1]
        assert last.startswith("h2osweep: error:"), stderr
        assert "disk is full" in last or "No space left on device" in last, last
        assert "are safe" in last, last
        assert sum(line.startswith("h2osweep: error") for line in stderr.splitlines()) == 1

        (disk / "filler").unlink()
        check, attempts = _store(out)
        assert check == "ok"
        assert stored_before <= set(attempts), "a run stored before the disk filled was lost"
        assert len(attempts) < len(NAMES), "the sweep finished although the disk was full"

        rerun = run_cli(*sweep, "--out", str(out), timeout=180)
        assert rerun.returncode == 0, rerun.stderr
        check, attempts = _store(out)
        assert check == "ok" and attempts == dict.fromkeys(NAMES, 1), attempts
        assert sorted(pd.read_csv(out / "results.csv")["name"]) == NAMES


def test_resume_into_a_read_only_folder_is_refused_and_changes_nothing(tmp_path, h2o_cluster):
    with tmpfs(tmp_path / "disk") as disk:
        out = disk / "sweep"
        first = [*GRID[:-2], "--param", "l1=0", "--epochs", "1", "--url", h2o_cluster.url]
        assert run_cli(*first, "--out", str(out)).returncode == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)

        result = run_cli(*first, "--out", str(out))
        assert result.returncode == 2, result.stderr
        message = f"cannot write to {out}: the folder is not writable"
        assert result.stderr == f"h2osweep: error: {message}\n"
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        optimized = run_cli("optimize", str(out), "--url", h2o_cluster.url)
        assert optimized.returncode == 2 and "optimized_best.csv" in optimized.stderr
        assert optimized.stderr.endswith(": the folder is not writable (copy the sweep folder "
                                         "somewhere writable, or make it writable)\n")  # fmt: skip
        assert "training" not in optimized.stderr  # refused before it trains
        fresh = run_cli(*first, "--out", str(disk / "new"))
        assert fresh.returncode == 2
        message = f"cannot create {disk / 'new'}: {disk} is not writable"
        assert fresh.stderr == f"h2osweep: error: {message}\n"


def test_diverging_model_is_recorded_as_failed_and_the_sweep_goes_on(tmp_path, h2o_cluster):
    out = tmp_path / "sweep"
    result = run_cli(
        *["grid", "--param", "units=8", "--param", "layers=1", "--param", "adaptive_rate=false"],
        *["--param", "rate=1e6,0.001", "--epochs", "1", "--parallel", "1"],
        *["--url", h2o_cluster.url, "--out", str(out)],
    )
    assert result.returncode == 1, result.stderr  # some runs failed
    assert "Traceback" not in result.stderr
    assert "g_1          failed: the model diverged" in result.stderr
    assert "2 run(s) trained (1 ok, 1 failed)" in result.stderr
    table = pd.read_csv(out / "results.csv").set_index("name")
    assert table.loc["g_1", "status"] == "failed"
    assert table.loc["g_1", "error"].startswith("the model diverged: H2O aborted it")
    assert table.loc["g_2", "status"] == "ok" and table.loc["g_2", "test_mse"] < 1

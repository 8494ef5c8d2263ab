"""`h2osweep optimize` refusing what it cannot compare (no finished run, data changed since the
sweep) and stopping cleanly on Ctrl-C; on the session's H2O by --url."""

from __future__ import annotations

import signal
import time

import pandas as pd
import pytest

from h2osweep.data import load_data
from tests.conftest import cli, start_cli

pytestmark = pytest.mark.h2o
TINY = ["--param", "units=4", "--param", "layers=1"]


def _files(folder) -> dict[str, bytes]:
    """The folder's files and their bytes (SQLite's -shm/-wal and the lock aside)."""
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and not p.name.endswith(("-shm", "-wal", ".lock"))
    }


def test_a_sweep_without_a_finished_run_has_nothing_to_compare_with(h2o_cluster, tmp_path):
    out = tmp_path / "sweep"
    diverges = ["--param", "adaptive_rate=false", "--param", "rate=1e6"]
    swept = cli("grid", *TINY, *diverges, "--epochs", "1", "--url", h2o_cluster.url,
                "--out", out)  # fmt: skip
    assert swept.status == 1, swept.stderr  # every run failed (it diverged)
    assert list(pd.read_csv(out / "results.csv")["status"]) == ["failed"]
    before = _files(out)
    result = cli("optimize", out, "--url", h2o_cluster.url)
    assert result.status == 2
    assert result.stderr == f"h2osweep: error: {out} has no finished run to compare with\n"
    assert _files(out) == before


def test_data_changed_since_the_sweep_is_refused(h2o_cluster, tmp_path):
    digits = load_data("digits")
    path = tmp_path / "digits.csv"
    pd.concat([digits.train, digits.test]).iloc[:300].to_csv(path, index=False)
    out = tmp_path / "sweep"
    swept = cli("grid", *TINY, "--epochs", "1", "--data", path, "--target", "label",
                "--url", h2o_cluster.url, "--out", out)  # fmt: skip
    assert swept.status == 0, swept.stderr
    pd.read_csv(path).iloc[:299].to_csv(path, index=False)  # one row fewer
    before = _files(out)
    result = cli("optimize", out, "--url", h2o_cluster.url)
    assert result.status == 2
    assert result.stderr == (
        f"h2osweep: error: the data at {path} changed since the sweep ran (its fingerprint "
        "differs); results would not be comparable\n"
    )
    assert _files(out) == before


@pytest.mark.slow
def test_ctrl_c_during_optimize_cancels_the_build_and_writes_nothing(h2o_cluster, tmp_path):
    import h2o

    out = tmp_path / "sweep"
    assert cli("grid", *TINY, "--epochs", "1", "--url", h2o_cluster.url, "--out", out).status == 0
    before = _files(out)
    optimize = ["optimize", str(out), "--config", "best", "--url", h2o_cluster.url]
    process = start_cli(*optimize, "--epochs", "100000")
    job = _running_build("h2osweep_optimized_optimized_best", process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr == "h2osweep: interrupted\n"
    assert _files(out) == before  # no optimized_best.csv
    deadline = time.monotonic() + 60
    while h2o.api(f"GET /3/Jobs/{job}")["jobs"][0]["status"] in ("RUNNING", "CANCEL_PENDING"):
        assert time.monotonic() < deadline, "the interrupted build still runs on the cluster"
        time.sleep(0.2)
    assert h2o.api(f"GET /3/Jobs/{job}")["jobs"][0]["status"] == "CANCELLED"
    again = cli(*optimize, "--epochs", "1")  # the same model key is free again
    assert again.status == 0, again.stderr
    assert (out / "optimized_best.csv").is_file()


def _running_build(model_id: str, process, timeout: float = 120) -> str:
    """The key of the running H2O job that builds `model_id`, once it has started."""
    import h2o

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        for job in h2o.api("GET /3/Jobs")["jobs"]:
            if job["dest"]["name"] == model_id and job["status"] == "RUNNING":
                return job["key"]["name"]
        time.sleep(0.1)
    raise AssertionError(f"no build of {model_id} started within {timeout} s")


def test_the_gam_configuration_of_a_layers_grid_keeps_the_shorthand(h2o_cluster, tmp_path):
    """A grid of `layers` and `units` (README's): the GAM's depth and SumNeurons become layers
    and units again, not a `neurons` list beside them (which the build refuses)."""
    out, url = tmp_path / "sweep", ["--url", h2o_cluster.url]
    grid = ["--param", "layers=1,2", "--param", "units=4,8", "--epochs", "1"]
    assert cli("grid", *grid, *url, "--out", out).status == 0
    optimized = cli("optimize", out, "--config", "gam", *url)
    assert optimized.status == 0, optimized.stderr
    line = next(x for x in optimized.stdout.splitlines() if x.startswith("gam configuration"))
    assert "'layers': " in line and "'units': " in line and "neurons" not in line
    assert pd.read_csv(out / "optimized_gam.csv")["model"].tolist()[-1] == "optimized_gam"

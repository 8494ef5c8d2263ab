"""A sweep seen while it runs (`show --follow`, `--report-every`) and opened elsewhere
(`export --optuna` as a finished Optuna study, `--csv` as a W&B-style table), on a real sweep
run by another process against the session's H2O."""

from __future__ import annotations

import datetime
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from h2osweep.store.results_store import is_running
from tests.conftest import cli_command, start_cli
from tests.conftest import recorded_main as main

pytestmark = pytest.mark.h2o
SEEDS = ["403", "10", "1", "2"]


def wait_until(condition, process, timeout: float = 120) -> None:
    """Wait for `condition()`; fail if `process` ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def followed(h2o_cluster, tmp_path_factory):
    """A 4-run sweep with --report-every 2, followed by `show --follow` from another process."""
    out = tmp_path_factory.mktemp("live") / "sweep"
    sweep = start_cli(
        "random", "--seeds", *SEEDS, "--epochs", "1", "--parallel", "1", "--quiet",
        "--report-every", "2", "--url", h2o_cluster.url, "--out", str(out),
    )  # fmt: skip
    wait_until(lambda: (out / "store.sqlite").exists() and is_running(out), sweep)
    command = cli_command("show", str(out), "--follow")
    follow = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sweep_out, sweep_err = sweep.communicate(timeout=300)
    follow_out, follow_err = follow.communicate(timeout=60)
    assert sweep.returncode == 0, sweep_err
    return out, sweep_out, follow.returncode, follow_out, follow_err


def test_follow_prints_every_run_as_it_lands_and_stops_with_the_sweep(followed):
    out, _, status, lines, err = followed
    assert status == 0 and err == ""
    lines = lines.splitlines()
    stored = int(lines[0].split(": ")[1].split(" run")[0])
    assert lines[0].endswith("following")
    landed = [line.split()[0] for line in lines[1:-1]]
    names = pd.read_csv(out / "results.csv")["name"].tolist()
    assert stored + len(landed) == len(SEEDS) and set(landed) <= set(names)
    assert all("  ok  valid_mse " in line for line in lines[1:-1])  # the sweep's selection
    assert "no process is running the sweep; 4 run(s); best valid_mse" in lines[-1]


def test_report_every_refreshes_the_report_and_ends_with_every_run(followed):
    out, sweep_out, *_ = followed
    report = out / "report" / "report.html"
    assert f"report: {report}" in sweep_out
    assert "across 4 runs" in report.read_text()


def test_follow_on_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert main(["show", str(tmp_path), "--follow"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a sweep folder" in err


def test_export_optuna_loads_and_its_best_trial_is_shows_best_run(followed, tmp_path, capsys):
    import optuna

    out = followed[0]
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    exported = datetime.datetime.now().replace(microsecond=0)  # the runs ended before
    assert main(["export", str(out), "--optuna", storage, "--study-name", "s"]) == 0
    assert main(["show", str(out), "--top", "1"]) == 0
    best_line = capsys.readouterr().out.splitlines()[-1].split()
    study = optuna.load_study(study_name="s", storage=storage)
    assert len(study.trials) == len(SEEDS)
    best = study.best_trial
    assert best.user_attrs["name"] == best_line[0]
    assert best.value == pd.read_csv(out / "results.csv")["valid_mse"].min()
    assert {"l1", "depth", "neurons_1"} <= set(best.params)
    assert {"train_mse", "test_logloss", "build_seconds"} <= set(best.user_attrs)
    assert best.distributions["depth"] == optuna.distributions.IntDistribution(1, 5)
    assert best.distributions["hidden_dropout_1"] == optuna.distributions.FloatDistribution(0, 0.5)
    assert study.metric_names == ["valid_mse"]
    for trial in study.trials:  # the runs' own times, not the export's
        seconds = trial.duration.total_seconds()
        assert seconds == pytest.approx(trial.user_attrs["build_seconds"], abs=1e-3)
    assert max(trial.datetime_complete for trial in study.trials) <= exported
    assert main(["export", str(out), "--optuna", str(tmp_path / "bare.db")]) == 0  # a file path
    said = capsys.readouterr().out
    assert f"to sqlite:///{(tmp_path / 'bare.db').resolve()} (open it: optuna-dashboard" in said
    bare = optuna.load_study(study_name=out.name, storage=storage.replace("study", "bare"))
    assert len(bare.trials) == len(SEEDS)


def test_export_refuses_an_existing_study_unless_forced(followed, tmp_path, capsys):
    out = followed[0]
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert main(["export", str(out), "--optuna", storage]) == 0
    before = (tmp_path / "study.db").read_bytes()
    capsys.readouterr()
    assert main(["export", str(out), "--optuna", storage]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already holds a study named 'sweep'" in err
    assert "--study-name" in err and "--force" in err
    assert (tmp_path / "study.db").read_bytes() == before
    assert main(["export", str(out), "--optuna", storage, "--force"]) == 0


def test_a_mistyped_csv_path_leaves_no_half_export(followed, tmp_path):
    """Both exports asked: a CSV that cannot be written stops before the study is, so the
    corrected command needs no --force."""
    out, storage = followed[0], f"sqlite:///{tmp_path / 'study.db'}"
    assert main(["export", str(out), "--optuna", storage, "--csv", str(tmp_path / "no/x.csv")]) == 2
    assert not (tmp_path / "study.db").exists()
    assert main(["export", str(out), "--optuna", storage, "--csv", str(tmp_path / "x.csv")]) == 0


def test_export_csv_is_a_flat_table_analyze_reads(followed, tmp_path):
    from h2osweep.analysis import analyze

    out = followed[0]
    assert main(["export", str(out), "--csv", str(tmp_path / "runs.csv")]) == 0
    flat = pd.read_csv(tmp_path / "runs.csv")
    assert list(flat.columns[:3]) == ["Name", "State", "Runtime"]
    assert set(flat["State"]) == {"finished"} and "test_mse" in flat.columns
    analysis = analyze(tmp_path / "runs.csv", target="test_mse")
    assert "l1" in analysis.prepared.params and "Name" not in analysis.prepared.params


@pytest.mark.parametrize(
    ("storage", "database"),
    [
        ("sqlite:///sw/store.sqlite", "sw/store.sqlite"),
        ("sqlite:///sw/store.sqlite?timeout=10", "sw/store.sqlite"),
        ("sqlite+pysqlite:///sw/store.sqlite", "sw/store.sqlite"),
        ("sqlite:///file:sw/store.sqlite?mode=rw&uri=true", "sw/store.sqlite"),
        ("sqlite:////abs/study.db", "/abs/study.db"),
        ("sqlite://", None),
        ("mysql://user@host/db", None),
        ("not a url", None),
    ],
)
def test_the_database_file_behind_any_form_of_sqlite_url(storage, database):
    """What the export compares with the sweep's own files, read as SQLAlchemy reads the URL."""
    from h2osweep.analysis.studies import sqlite_file

    assert sqlite_file(storage) == (None if database is None else Path(database))

"""The store at scale: results.csv appended per run yet always what pandas writes for the whole
table once a session ends, the metric index behind `best` and `show --top`, and folders written
by the store before it (tests/data/store-ce18601, written by h2osweep at commit ce18601)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from collections import Counter
from itertools import count
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from h2osweep.analysis.tables import load_results
from h2osweep.errors import StoreError
from h2osweep.record.columns import METRIC_COLUMNS
from h2osweep.record.goal import Objective
from h2osweep.record.runs import FAILED, OK, RunResult, RunSpec
from h2osweep.store import files
from h2osweep.store.results_store import open_store, read_ranked
from tests.conftest import recorded_main as main
from tests.synthetic import synthetic_result

OLD_FOLDER = Path(__file__).parent / "data" / "store-ce18601"
OLD_DEFINITION = {"strategy": "random", "space": {"written by": "h2osweep at ce18601"}}
DEFINITION = {"strategy": "synthetic"}


def synthetic_folder(tmp_path: Path, runs: int, seed: int) -> Path:
    """A sweep folder holding `runs` synthetic finished runs."""
    folder = tmp_path / "sweep"
    rng = np.random.default_rng(seed)
    with open_store(folder, DEFINITION) as store:
        for position in range(runs):
            store.commit(synthetic_result(position, rng))
    return folder


# Cells of every kind pandas types differently: whole numbers, floats, gaps, booleans, text
# that needs quoting (a line break included), lists.
VALUES = st.one_of(
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
    st.booleans(),
    st.text(alphabet='ab,"\n ', max_size=3),
    st.lists(st.integers(1, 3), max_size=2),
)
CONFIGS = st.dictionaries(st.sampled_from(["l1", "rho", "units", "act"]), VALUES, max_size=4)
METRICS = st.dictionaries(
    st.sampled_from(METRIC_COLUMNS), st.floats(allow_infinity=False), max_size=4
)


@st.composite
def results(draw, name: str, position: int) -> RunResult:
    spec = RunSpec(name, draw(CONFIGS), seed=draw(st.none() | st.integers(0, 9)), position=position)
    if draw(st.booleans()):
        return RunResult(spec, OK, draw(METRICS), build_seconds=draw(st.floats(0, 9) | st.none()))
    return RunResult(spec, FAILED, error=draw(st.text(alphabet='ab, "', max_size=5)))


@st.composite
def sessions(draw) -> list[RunResult]:
    """Runs committed out of plan order, some trained again (a retry)."""
    runs = draw(st.integers(1, 10))
    order = draw(st.permutations(range(runs)))
    committed = [draw(results(f"r_{i}", i)) for i in order]
    for i in draw(st.lists(st.sampled_from(order), max_size=3)):
        committed.append(draw(results(f"r_{i}", i)))
    return committed


def _lines(text: str) -> tuple[str, Counter]:
    header, _, body = text.partition("\n")
    return header, Counter(body.splitlines())


EXAMPLES = count()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(committed=sessions())
@example(  # an earlier run, stored later, whose parameters come in another order: a rebuild
    committed=[
        RunResult(RunSpec("r_1", {"l1": 0.5, "rho": 0.9}, position=1), OK),
        RunResult(RunSpec("r_0", {"rho": 0.1}, position=0), OK),
    ]
)
def test_results_csv_is_what_pandas_writes_for_the_whole_table(tmp_path, committed):
    folder = tmp_path / f"sweep{next(EXAMPLES)}"
    ever: set[str] = set()  # every line any whole-table export had during the session
    with open_store(folder, DEFINITION) as store:
        for result in committed:
            store.commit(result)
            text, export = (folder / "results.csv").read_text(), store.results().to_csv(index=False)
            ever |= set(_lines(export)[1])
            assert (
                set(_lines(text)[1]) <= ever
                and pd.read_csv(folder / "results.csv")["name"].is_unique
            )
            if not store._csv.state.stale:  # nothing deferred: the runs and lines of the table
                assert _lines(text) == _lines(export)
        expected = store.results().to_csv(index=False)
    assert (folder / "results.csv").read_text() == expected
    with open_store(folder, DEFINITION):  # the next start finds it current: no rewrite
        pass
    assert (folder / "results.csv").read_text() == expected


def _synthetic_folder(folder: Path, runs: int) -> list[RunResult]:
    rng = np.random.default_rng(3)
    made = [synthetic_result(position, rng) for position in range(runs)]
    made[4] = RunResult(made[4].spec, FAILED, error="the model diverged")
    values = [result.metrics["test_mse"] for result in made if result.ok]
    for first, second, value in ((2, 7, min(values) - 0.01), (3, 8, max(values) + 0.01)):
        made[first].metrics["test_mse"] = made[second].metrics["test_mse"] = value  # best, tied
    with open_store(folder, DEFINITION) as store:
        for result in reversed(made):
            store.commit(result)
    return made


@pytest.mark.parametrize("goal", ["min", "max"])
def test_best_and_top_from_the_index_agree_with_the_whole_table(tmp_path, goal):
    folder = tmp_path / "sweep"
    _synthetic_folder(folder, 30)
    with open_store(folder, DEFINITION) as store:
        table = store.results()
        for metric in ("test_mse", "train_r2"):
            objective = Objective(metric, goal)
            assert store.best(objective) == objective.best_of(table)
    objective = Objective("test_mse", goal)
    top = read_ranked(folder, objective, 5)
    ranked = objective.ranked(pd.read_csv(folder / "results.csv", float_precision="round_trip"))
    expected = ranked.head(5).reset_index(drop=True)  # typed from 5 rows, not 30:
    pd.testing.assert_frame_equal(top, expected, check_dtype=False)
    everything = read_ranked(folder, objective, 40)  # more than stored: the failed run last
    assert len(everything) == 30 and everything["name"].iloc[-1] == "m_5"


def test_show_top_answers_from_the_metric_index(tmp_path, capsys):
    folder = tmp_path / "sweep"
    _synthetic_folder(folder, 30)
    assert main(["show", str(folder), "--top", "3"]) == 0
    shown = capsys.readouterr().out.splitlines()
    table = pd.read_csv(folder / "results.csv")
    best = table.sort_values("test_mse")["name"].head(3).tolist()
    assert [line.split()[0] for line in shown[1:]] == best
    with contextlib.closing(sqlite3.connect(folder / "store.sqlite")) as db:
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT m.name FROM metrics m WHERE m.metric = 'test_mse' "
            "ORDER BY m.value LIMIT 3"
        ).fetchall()
    assert "USING COVERING INDEX metrics_rank" in str(plan)


def test_a_folder_written_before_this_store_shows_opens_and_resumes(tmp_path, capsys):
    folder = tmp_path / "old"
    shutil.copytree(OLD_FOLDER, folder)
    written = (folder / "results.csv").read_bytes()
    assert main(["show", str(folder), "--top", "2"]) == 0  # read as it is, nothing written
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == ["m_6", "m_2"]
    assert (folder / "results.csv").read_bytes() == written
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in OLD_FOLDER.iterdir())

    with open_store(folder, OLD_DEFINITION) as store:  # indexed in place; same results.csv
        assert (folder / "results.csv").read_bytes() == written
        assert store.best(Objective()) == (0.027909561433049006, "m_6")
        assert store.attempts()["m_3"] == 2 and "m_3" not in store.finished()
        retried = RunSpec("m_3", {"depth": 1, "l1": 0.001, "neurons": [50]}, seed=3, position=2)
        store.commit(RunResult(retried, OK, {"test_mse": 0.01}))
        store.commit(synthetic_result(6, np.random.default_rng(1)))
        expected = store.results().to_csv(index=False)
        assert store.best(Objective()) == (0.01, "m_3")
    assert (folder / "results.csv").read_text() == expected
    assert pd.read_csv(folder / "results.csv")["name"].tolist() == [f"m_{i}" for i in range(1, 8)]


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs (mounting needs root, as in CI)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def test_an_append_that_fills_the_disk_is_cut_back(small_disk):
    path = small_disk / "results.csv"
    path.write_bytes(b"name\n")
    with open(small_disk / "filler", "wb", buffering=0) as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 1024)
    with pytest.raises(OSError) as raised:
        files.append_at(path, b"x" * 8192 + b"\n", 5)
    assert raised.value.errno == 28  # ENOSPC
    assert path.read_bytes() == b"name\n"
    assert files.append_at(path, b"m_1\n", 4) is False  # not the size recorded: nothing written
    assert path.read_bytes() == b"name\n"


def test_a_copy_on_read_only_media_still_shows(tmp_path, small_disk, capsys):
    folder = small_disk / "old"
    shutil.copytree(OLD_FOLDER, folder)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    assert main(["show", str(folder), "--top", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[0] == "m_6"
    assert read_ranked(folder, Objective(), 1)["test_mse"].iloc[0] == 0.027909561433049006


def test_a_damaged_store_is_read_from_results_csv_and_said_so(tmp_path, capsys):
    """show, analyze and both exports read results.csv (the runs finished before the damage)
    and say why; a resume is refused, nothing written."""
    folder = synthetic_folder(tmp_path, 4, seed=3)
    intact = f"sqlite:///{tmp_path / 'intact.db'}"
    assert main(["export", str(folder), "--optuna", intact, "--study-name", "s"]) == 0
    capsys.readouterr()
    with open(folder / "store.sqlite", "r+b") as database:
        database.write(b"not SQLite" * 20)
    written = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    damage = f"{folder}/store.sqlite is damaged (file is not a database)"

    assert main(["show", str(folder), "--metric", "test_mse"]) == 0
    out, err = capsys.readouterr()
    ranked = pd.read_csv(folder / "results.csv").sort_values("test_mse")["name"].tolist()
    assert [line.split()[0] for line in out.splitlines()[1:]] == ranked
    assert err.endswith(f"(lower is better), read from results.csv: {damage}\n")
    assert main(["export", str(folder), "--csv", str(tmp_path / "flat.csv")]) == 0
    assert capsys.readouterr().err == f"reading results.csv: {damage}\n"
    assert pd.read_csv(tmp_path / "flat.csv")["Name"].tolist() == [f"m_{i}" for i in range(1, 5)]
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    assert main(["export", str(folder), "--optuna", storage, "--study-name", "s"]) == 0
    assert capsys.readouterr().err == f"reading results.csv: {damage}\n"
    studies = [optuna.load_study(study_name="s", storage=url) for url in (intact, storage)]
    before, after = ([(t.params, t.value) for t in study.trials] for study in studies)
    assert after == before and len(after) == 4  # the same trials, from results.csv
    assert load_results(folder).notes[0] == f"Read from results.csv: {damage}."
    with pytest.raises(StoreError, match="keeps the runs finished before"):
        open_store(folder, DEFINITION).close()
    assert {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()} == written
    (folder / "sweep.json").write_text("[1]")  # damaged too: force_new reads neither
    with open_store(folder, DEFINITION, force_new=True) as store:
        assert store.folder == folder
    (previous,) = folder.glob("previous-*")
    assert (previous / "store.sqlite").read_bytes() == written["store.sqlite"]
    assert (previous / "sweep.json").read_text() == "[1]"


def test_analyze_and_export_read_the_store_not_a_lagging_results_csv(tmp_path, capsys):
    """results.csv can lag the store while a sweep runs (or be gone from a folder): analyze
    and export --csv read every stored run, as show does."""
    folder = synthetic_folder(tmp_path, 5, seed=6)
    names = [f"m_{i}" for i in range(1, 6)]
    lines = (folder / "results.csv").read_text().splitlines(keepends=True)
    (folder / "results.csv").write_text("".join(lines[:3]))  # two runs of five
    assert load_results(folder).frame["name"].tolist() == names
    (folder / "results.csv").unlink()
    assert load_results(folder).frame["name"].tolist() == names
    assert main(["export", str(folder), "--csv", str(tmp_path / "flat.csv")]) == 0
    assert pd.read_csv(tmp_path / "flat.csv")["Name"].tolist() == names
    assert not (folder / "results.csv").exists()  # read, never written


def test_force_new_moves_what_the_sweep_wrote_aside_and_leaves_the_rest(tmp_path):
    """The study, the report and optimize's tables go with the store (they describe the old
    sweep); a file the user put there stays."""
    folder = tmp_path / "sweep"
    with open_store(folder, DEFINITION) as store:
        store.commit(synthetic_result(0, np.random.default_rng(4)))
    (folder / "report").mkdir()
    files = ("optuna.sqlite", "optuna.sqlite-journal", "report/report.html", "optimized_gam.csv")
    for name in (*files, "notes.txt"):
        (folder / name).write_text(name)
    with open_store(folder, {"strategy": "another"}, force_new=True):
        pass
    (previous,) = folder.glob("previous-*")
    moved = {"optuna.sqlite", "optuna.sqlite-journal", "report", "optimized_gam.csv"}
    moved |= {"results.csv", "store.sqlite"}
    assert moved | {"sweep.json"} == {path.name for path in previous.iterdir()}
    assert (previous / "report" / "report.html").read_text() == "report/report.html"
    assert (folder / "notes.txt").read_text() == "notes.txt"
    assert not (folder / "optuna.sqlite").exists() and not (folder / "report").exists()
    for _ in range(2):  # within the same second: a second previous- folder, not an error
        with open_store(folder, DEFINITION, force_new=True):
            pass
    assert len(list(folder.glob("previous-*"))) == 3


def test_a_store_damaged_inside_its_runs_table_is_shown_from_results_csv(tmp_path, capsys):
    """A leaf page of the runs table written over (its header intact): show still falls back."""
    folder = synthetic_folder(tmp_path, 300, seed=5)
    with sqlite3.connect(folder / "store.sqlite") as db:
        size = db.execute("PRAGMA page_size").fetchone()[0]
        leaves = db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'runs' AND pagetype = 'leaf'"
        ).fetchall()
    with open(folder / "store.sqlite", "r+b") as database:
        database.seek((leaves[len(leaves) // 2][0] - 1) * size)
        database.write(b"\xff" * size)
    assert main(["show", str(folder), "--metric", "test_mse"]) == 0  # reads every run
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1 + 300
    assert "read from results.csv: " in err and "store.sqlite is damaged (" in err


def test_show_ranks_every_rung_while_none_has_reached_the_full_budget(tmp_path, capsys):
    """An interrupted halving sweep: its 1-epoch rungs are not called the top rung."""
    folder = tmp_path / "sha"
    definition = {"strategy": "sha", "fidelity": {"max_budget": 9.0}}
    with open_store(folder, definition) as store:
        for position, value in enumerate([0.4, 0.3]):
            spec = RunSpec(f"m_{position}", {}, position=position, rung=0, budget=1.0, final=False)
            store.commit(RunResult(spec, OK, {"test_mse": value}))
    assert main(["show", str(folder), "--metric", "test_mse"]) == 0
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["m_1", "m_0"]
    assert err.endswith("; every rung: none has reached the full budget (9) yet\n")
    with open_store(folder, definition) as store:  # one reaches it, the worst of the three
        spec = RunSpec("m_0", {}, position=0, rung=2, budget=9.0, final=True)
        store.commit(RunResult(spec, OK, {"test_mse": 0.5}))
    assert main(["show", str(folder), "--metric", "test_mse", "--top", "1"]) == 0
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["m_0@9"]
    assert err.endswith("top rung only (budget 9): --all-rungs adds 2 lower-rung run(s)\n")
    assert main(["show", str(folder), "--metric", "test_mse", "--top", "1", "--all-rungs"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == ["m_1"]


def test_every_rung_is_analysed_but_only_the_top_rung_competes_for_the_best(tmp_path, capsys):
    """A 1-epoch rung with the lowest figure of all is analysed, never named the best run."""
    folder = tmp_path / "sha"
    definition = {"strategy": "sha", "fidelity": {"max_budget": 3.0}}
    rng = np.random.default_rng(3)
    with open_store(folder, definition) as store:
        for position in range(12):
            config = {"l1": float(rng.uniform(0, 0.01)), "rho": float(rng.uniform(0.9, 1))}
            low = 0.01 if position == 5 else 0.5 + rng.uniform(0, 0.1)
            spec = RunSpec(f"m_{position}", config, position=position, budget=1.0, final=False)
            store.commit(RunResult(spec, OK, {"valid_mse": low, "test_mse": low + 0.01}))
            if position % 2 == 0:
                top = 0.2 + rng.uniform(0, 0.1)
                climbed = RunSpec(f"m_{position}", config, position=position, rung=1, budget=3.0)
                store.commit(RunResult(climbed, OK, {"valid_mse": top, "test_mse": top + 0.01}))
    csv = (folder / "results.csv").read_text().splitlines()
    assert {line.split(",")[csv[0].split(",").index("budget")] for line in csv[1:]} == {"1", "3"}
    best = read_ranked(folder, Objective("test_mse"), None).query("rung == 1")["name"].iloc[0]
    assert main(["analyze", str(folder), "--all-rungs", "--out", str(tmp_path / "all")]) == 0
    out = capsys.readouterr().out
    assert f"best run {best}: test_mse = " in out and "m_5" not in out
    assert "chosen among the 6 runs of the top rung (epochs 3); the lower rungs" in out
    assert f"Chosen on test_mse over 6 runs: {best}" in out
    assert main(["show", str(folder), "--all-rungs"]) == 0
    err = capsys.readouterr().err
    assert "every rung ranked together (only the top rung, budget 3, competes for the best)" in err


def test_show_prints_the_columns_asked_for_and_refuses_one_it_does_not_have(tmp_path, capsys):
    folder = synthetic_folder(tmp_path, 4, seed=2)
    assert main(["show", str(folder), "--columns", "test_mse, depth,name", "--top", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["name", "test_mse", "depth"] and len(out) == 3
    assert main(["show", str(folder), "--metric", "r2", "--top", "1"]) == 0  # a name alone
    assert "1 run(s) ranked by test_r2 (higher is better)" in capsys.readouterr().err
    assert main(["show", str(folder), "--columns", "test_ms"]) == 2
    err = capsys.readouterr().err
    assert "--columns: no column 'test_ms' in the results (did you mean test_mse" in err
    assert len(err.splitlines()) == 1


def test_show_leaves_out_a_column_no_run_has_a_value_in(tmp_path, capsys):
    """A grid's runs have no seed: show prints no column of NaN for it."""
    folder = tmp_path / "grid"
    with open_store(folder, DEFINITION) as store:
        for position, value in enumerate([0.3, 0.2]):
            spec = RunSpec(f"g_{position + 1}", {"l1": value}, position=position)
            store.commit(RunResult(spec, OK, {"test_mse": value}))
    assert main(["show", str(folder), "--metric", "test_mse"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header[:3] == ["name", "test_mse", "status"] and "seed" not in header
    assert "error" not in header

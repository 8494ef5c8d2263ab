"""Multi-fidelity search on real H2O: a promoted run's top rung is the model a full-budget build
gives, bit for bit (deep learning and GBM); every rung is stored once and a killed search
resumes, also after its JVM died (each lost checkpoint is retrained to its rung)."""

from __future__ import annotations

import shutil
import sqlite3
import time

import optuna
import pandas as pd
import pytest

from tests.conftest import SMALL_NET, cli, start_cli

SMALL_GBM = """
[max_depth]
sample = [2, 4]
[learn_rate]
runif = [0.05, 0.3]
"""


def space(tmp_path, text: str, name: str = "space.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def table(out) -> pd.DataFrame:
    return pd.read_csv(out / "results.csv", float_precision="round_trip").set_index("name")


@pytest.mark.parametrize(
    ("algorithm", "text", "ladder"),
    [
        ("deeplearning", SMALL_NET, ["--min-epochs", "1", "--max-epochs", "3"]),
        ("gbm", SMALL_GBM, ["--min-epochs", "5", "--max-epochs", "15"]),
    ],
)
def test_a_promoted_run_is_bit_identical_to_a_direct_full_budget_build(
    h2o_cluster, tmp_path, algorithm, text, ladder
):
    common = ["--algorithm", algorithm, "--space", space(tmp_path, text), "--url", h2o_cluster.url]
    searched = cli("search", "--strategy", "sha", "--n-runs", "3", *ladder, *common,
                   "--out", tmp_path / "sha")  # fmt: skip
    assert searched.status == 0, searched.stderr
    rungs = table(tmp_path / "sha")
    top = rungs[rungs["rung"] == 1]
    assert len(rungs) == 4 and len(top) == 1  # 3 configurations at 5 (or 1), the best at 15 (3)
    key = top.index[0]
    name, budget = key.split("@")
    seed = str(int(rungs.loc[name, "seed"]))
    length = ["--epochs", budget] if algorithm == "deeplearning" else []
    direct_space = text + ("" if length else f"[ntrees]\nvalue = {budget}\n")
    direct = cli("random", "--seeds", seed, *length, "--algorithm", algorithm,
                 "--space", space(tmp_path, direct_space, "direct.toml"), "--url", h2o_cluster.url,
                 "--out", tmp_path / "direct")  # fmt: skip
    assert direct.status == 0, direct.stderr
    full = table(tmp_path / "direct").loc[name]
    for metric in ("valid_mse", "valid_logloss", "test_mse", "test_logloss", "train_mse"):
        assert top.loc[key, metric] == full[metric], metric


def test_successive_halving_promotes_on_validation_not_test(h2o_cluster, tmp_path):
    out = tmp_path / "sha"
    args = [
        "search",
        "--strategy",
        "sha",
        "--n-runs",
        "9",
        "--min-epochs",
        "1",
        "--max-epochs",
        "3",
        "--space",
        space(tmp_path, SMALL_NET),
        "--url",
        h2o_cluster.url,
        "--out",
        out,
    ]
    swept = cli(*args)
    assert swept.status == 0  # fmt: skip
    rungs = table(out)
    first = rungs[rungs["rung"] == 0]
    promoted = {key.split("@")[0] for key in rungs[rungs["rung"] == 1].index}
    assert promoted == set(first.nsmallest(3, "valid_mse").index)
    best = rungs[rungs["rung"] == 1]["valid_mse"].idxmin()  # a 1-epoch run never competes
    assert swept.stderr.endswith(f"best valid_mse {rungs['valid_mse'][best]:.5g} ({best})\n")
    assert cli(*args).stderr.endswith(f"({best})\n")  # the resume says the same
    shown = cli("show", out)
    assert [line.split()[0] for line in shown.stdout.splitlines()[1:]][0] == best
    assert len(shown.stdout.splitlines()) == 1 + 3
    assert "top rung only (budget 3): --all-rungs adds 9 lower-rung run(s)" in shown.stderr
    assert len(cli("show", out, "--all-rungs").stdout.splitlines()) == 1 + 12
    _analysed_on_top_rungs_or_all(out, tmp_path)


def _analysed_on_top_rungs_or_all(out, tmp_path) -> None:
    """9 configurations at 1 epoch, 3 continued to 3: 15 epochs trained where 27 would be."""
    compute = "Compute: 15 epochs trained in all, where all 9 configurations at the top budget"
    top = cli("analyze", out, "--out", tmp_path / "top")
    assert top.status == 0, top.stderr
    assert "the 3 top-rung runs (epochs 3) are analysed; 9 lower-rung runs" in top.stdout
    assert compute in top.stdout and "would take 27 (1.8x less)" in top.stdout
    every = cli("analyze", out, "--all-rungs", "--out", tmp_path / "all")
    assert every.status == 0, every.stderr
    assert "Hyperparameters (all sweep folder hyperparameter columns)" in every.stdout
    assert "epochs" in every.stdout.split("Hyperparameters")[1].splitlines()[0]
    assert "Chosen on valid_mse over 3 runs" in every.stdout  # only the top rung competes
    assert "chosen among the 3 runs of the top rung (epochs 3)" in every.stdout
    assert (tmp_path / "all" / "rungs.png").stat().st_size > 0
    assert 'alt="Rungs"' in (tmp_path / "top" / "report.html").read_text()
    exported = cli("export", out, "--optuna", f"sqlite:///{tmp_path / 'study.db'}")
    assert exported.status == 0, exported.stderr  # a trial per configuration, rungs as steps
    trials = optuna.load_study(
        study_name=out.name, storage=f"sqlite:///{tmp_path / 'study.db'}"
    ).trials
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    assert (
        len(trials) == 9
        and len(complete) == 3
        and all(t.state.name in ("COMPLETE", "PRUNED") for t in trials)
    )
    assert all(sorted(t.intermediate_values) == [1, 3] for t in complete)
    assert (
        all(t.value == t.intermediate_values[3] for t in complete)
        and "epochs" not in trials[0].params
    )
    copy = tmp_path / "copy"  # its results.csv alone: read as it stands, its choice unknown
    copy.mkdir()
    shutil.copy(out / "results.csv", copy)
    alone = cli("analyze", copy, "--out", tmp_path / "copied")
    assert alone.status == 0, alone.stderr
    assert "the 3 top-rung runs (budget 3) are analysed" in alone.stdout
    assert "No sweep.json says what the sweep chose on: test_mse is the default" in alone.stdout
    _analysed_before_any_run_reached_the_top(out, tmp_path)


def _analysed_before_any_run_reached_the_top(out, tmp_path) -> None:
    """A sweep interrupted before its top rung: the highest rung trained stands in, said so,
    and the compute saved counts against the top budget the sweep records (9 x 3 epochs)."""
    early = tmp_path / "early"
    shutil.copytree(out, early, ignore=shutil.ignore_patterns("results.csv"))
    with sqlite3.connect(early / "store.sqlite") as db:
        for table in ("runs", "metrics"):
            db.execute(f"DELETE FROM {table} WHERE name LIKE '%@3'")
    analysed = cli("analyze", early, "--out", tmp_path / "early-report")
    assert analysed.status == 0, analysed.stderr
    assert "the 9 top-rung runs (epochs 1) are analysed" in analysed.stdout
    assert (
        "No run has reached the sweep's top rung (epochs 3) yet: the highest rung trained (1) "
        "is analysed in its place." in analysed.stdout
    )
    assert (
        "Compute: 9 epochs trained in all, where all 9 configurations at the top budget would "
        "take 27 (3x less)." in analysed.stdout
    )


def _hyperband(url_or_none, space_file, out) -> list[str]:
    cluster = ["--url", url_or_none] if url_or_none else []
    return ["search", "--strategy", "hyperband", "--n-runs", "5", "--min-epochs", "1",
            "--max-epochs", "3", "--parallel", "1", "--space", str(space_file), *cluster,
            "--out", str(out)]  # fmt: skip


def _stored(out) -> dict[str, int]:
    """Each stored rung's attempts (none while the new store has no table yet)."""
    with sqlite3.connect(out / "store.sqlite") as db:
        try:
            return dict(db.execute("SELECT name, attempts FROM runs"))
        except sqlite3.OperationalError:
            return {}


def _wait_for_stored(out, count: int, process, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if (out / "store.sqlite").exists() and len(_stored(out)) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} rungs stored within {timeout} s")


def test_sigkill_during_hyperband_then_a_rerun_trains_each_rung_once(h2o_cluster, tmp_path):
    """Brackets of 3 configurations from 1 epoch (the best climbs to 3) and 2 at 3 epochs."""
    out, space_file = tmp_path / "hb", space(tmp_path, SMALL_NET)
    process = start_cli(*_hyperband(h2o_cluster.url, space_file, out))
    _wait_for_stored(out, 2, process)
    process.kill()
    process.wait()
    before = set(_stored(out))
    rerun = cli(*_hyperband(h2o_cluster.url, space_file, out))
    assert rerun.status == 0, rerun.stderr
    stored = _stored(out)
    assert before <= set(stored) and set(stored.values()) == {1}  # nothing trained twice
    rungs = table(out)
    assert len(rungs) == 6 and set(rungs["status"]) == {"ok"}
    assert (rungs["rung"] == 1).sum() == 3  # one promotion, two full-budget configurations


# Set before the command: its embedded H2O is killed (SIGKILL) right after the first promotion
# (rung 1) is submitted, the moment the test means, not one a kill from outside may miss.
JVM_KILLED_AT_THE_PROMOTION = """
import os, signal
from h2osweep.cluster import embedded_jvms
from h2osweep.training import flight
start = flight.start_build
def start_then_kill_the_jvm(spec, data, settings):
    started = start(spec, data, settings)
    if spec.rung == 1:
        for jvm, owner in embedded_jvms().items():
            if owner == os.getpid():
                os.kill(jvm, signal.SIGKILL)
    return started
flight.start_build = start_then_kill_the_jvm
"""


def test_a_dead_jvm_loses_the_checkpoints_and_the_rerun_restores_or_retrains_them(tmp_path):
    """The sweep's own embedded H2O dies with the promotion in flight; the rerun starts another,
    where the first rung's models are gone: it uploads the one the sweep folder saved and
    continues it, or, with the folder's copy gone too, trains from scratch to 3 epochs. The
    two give the same model."""
    out, space_file = tmp_path / "hb", space(tmp_path, SMALL_NET)
    args = ["search", "--strategy", "sha", "--sampler", "random", "--n-runs", "3", "--min-epochs",
            "1", "--max-epochs", "3", "--parallel", "1", "--space", str(space_file)]  # fmt: skip
    killed = start_cli(*args, "--out", out, prelude=JVM_KILLED_AT_THE_PROMOTION)
    _, err = killed.communicate(timeout=300)
    assert killed.returncode == 1, err
    assert "lost the H2O cluster" in err.splitlines()[-1]
    assert len(_stored(out)) == 3  # the first rung, stored before the JVM died
    assert len(list((out / "checkpoints").iterdir())) == 3  # and each rung's model beside it
    bare = tmp_path / "bare"
    shutil.copytree(out, bare, ignore=shutil.ignore_patterns("checkpoints"))
    rerun, retrained = cli(*args, "--out", out), cli(*args, "--out", bare)
    assert rerun.status == 0 and retrained.status == 0, rerun.stderr + retrained.stderr
    assert f"checkpoint restored from {out / 'checkpoints'}" in rerun.stderr
    assert "checkpoint gone: trained from scratch to 3" in retrained.stderr
    for folder in (out, bare):
        assert set(_stored(folder).values()) == {1} and len(_stored(folder)) == 4
    measured = [c for c in table(out).columns if c not in ("build_seconds", "model_id")]
    assert table(out)[measured].equals(table(bare)[measured])  # bit for bit, either way
    assert not (out / "checkpoints").exists()  # the sweep is done: nothing left to continue


def test_asha_with_tpe_keeps_two_slots_busy_and_promotes_only_what_it_measured(
    h2o_cluster, tmp_path
):
    """ASHA with TPE proposals and eta 2 over 1, 2, 4 epochs: every rung is stored once, fewer
    climb each rung, every promotion continues a stored rung below, and a rerun trains nothing."""
    out = tmp_path / "asha"
    args = ["search", "--strategy", "asha", "--sampler", "tpe", "--eta", "2", "--n-runs", "6",
            "--min-epochs", "1", "--max-epochs", "4", "--parallel", "2", "--space",
            space(tmp_path, SMALL_NET), "--url", h2o_cluster.url, "--out", out]  # fmt: skip
    searched = cli(*args)
    assert searched.status == 0, searched.stderr
    rungs = table(out)
    assert set(rungs["status"]) == {"ok"} and set(_stored(out).values()) == {1}
    assert set(rungs["budget"]) <= {1.0, 2.0, 4.0} and (rungs["budget"] == 4.0).any()
    counts = rungs.groupby("rung").size()
    assert counts[0] == 6 and counts.is_monotonic_decreasing
    configs = rungs["config"] if "config" in rungs else rungs.index.str.split("@").str[0]
    assert all(name.startswith("t_") for name in configs)
    for key in rungs.index[rungs["rung"] > 0]:
        name, rung = key.split("@")[0], rungs.loc[key, "rung"]
        below = rungs[(rungs.index.str.split("@").str[0] == name) & (rungs["rung"] == rung - 1)]
        assert len(below) == 1, key  # climbed from a rung it had finished
    rerun = cli(*args)
    assert rerun.status == 0 and "already done" in rerun.stderr, rerun.stderr
    assert set(_stored(out).values()) == {1}

"""Model-based search: distributions translated for Optuna, runs stored like a random sweep's,
a TPE search resumed after SIGKILL with its study intact, and one-line CLI errors."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys

import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import FixedTrial, TrialState

from h2osweep.analysis.curves import best_so_far
from h2osweep.cluster import ClusterOptions
from h2osweep.record.goal import Objective
from h2osweep.record.runs import OK, RunResult, StoredRun
from h2osweep.search.base import SearchContext
from h2osweep.search.fixed import random_plan
from h2osweep.search.optuna.samplers import STARTUP_TRIALS, make_sampler
from h2osweep.search.optuna.strategy import RUN_ATTR, STUDY_FILE, optuna_plan
from h2osweep.search.optuna.translate import (
    config_params,
    from_optuna,
    suggest_config,
    to_optuna,
)
from h2osweep.space import LECTURE_SPACE, Beta, Choice, Fixed, IntRange, Uniform, sample_params
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.scheduler import TrainSettings
from tests.conftest import cli, start_cli, wait_for_rows


@pytest.mark.parametrize(
    "dist, expected",
    [
        (IntRange(20, 600), IntDistribution(20, 600)),
        (Uniform(0.9, 0.999), FloatDistribution(0.9, 0.999)),
        (Beta(1.5, 1.0, divisor=2.0), FloatDistribution(0.0, 1.0)),
        (Beta(1.0, 12.0), FloatDistribution(0.0, 1.0)),
        (Beta(2.0, 2.0, divisor=-4.0), FloatDistribution(0.0, 1.0)),
        (Choice(["Tanh", "Rectifier"]), CategoricalDistribution(["Tanh", "Rectifier"])),
        (Fixed(3), None),
    ],
)
def test_each_distribution_has_its_optuna_counterpart_over_its_quantile_space(dist, expected):
    assert to_optuna(dist) == expected


def test_a_beta_quantile_maps_through_the_inverse_cdf():
    assert from_optuna(Beta(1.0, 12.0), 0.5) == pytest.approx(1 - 0.5 ** (1 / 12))
    assert from_optuna(Beta(1.5, 1.0, divisor=2.0), 1.0) == pytest.approx(0.5)
    assert from_optuna(Beta(2.0, 2.0, divisor=-4.0), 0.5) == pytest.approx(-0.125)
    assert from_optuna(Beta(1.0, 12.0), 0.0) == 0.0


@pytest.mark.parametrize("seed", [403, 10, 1, 2, 3])
def test_a_draw_as_parameters_gives_back_r_s_draw(seed):
    draw = LECTURE_SPACE.sample(seed)
    config = suggest_config(FixedTrial(config_params(LECTURE_SPACE, draw)), LECTURE_SPACE)
    assert config["depth"] == draw["depth"] and config["neurons"] == draw["neurons"]
    for name in ("l1", "l2", "rho", "epsilon", "SumNeurons"):
        assert config[name] == draw[name]
    assert config["input_dropout"] == pytest.approx(draw["input_dropout"], rel=1e-9)
    assert config["hidden_dropout"] == pytest.approx(draw["hidden_dropout"], rel=1e-9)


def test_the_sampler_s_own_start_up_draws_follow_the_priors():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=5))
    drawn = [suggest_config(study.ask(), LECTURE_SPACE)["input_dropout"] for _ in range(2000)]
    # Beta(1, 12): median 1 - 0.5^(1/12) = 0.0561, 95% below 0.2209
    assert 0.050 < pd.Series(drawn).median() < 0.062
    assert 0.93 < (pd.Series(drawn) < 0.2209).mean() < 0.97


def test_per_layer_parameters_follow_depth_and_derived_columns_are_computed():
    params = {"depth": 2, "l1": 0.001, "l2": 0.002, "input_dropout_quantile": 0.5, "rho": 0.95}
    params |= {"epsilon": 1e-6, "neurons_1": 30, "neurons_2": 500}
    params |= {"hidden_dropout_1_quantile": 0.0, "hidden_dropout_2_quantile": 1.0}
    config = suggest_config(FixedTrial(params), LECTURE_SPACE)
    assert list(config) == [key for key in sample_params(1) if key not in ("name", "seed")]
    assert config["input_dropout"] == pytest.approx(1 - 0.5 ** (1 / 12))
    assert config["neurons"] == [30, 500] and config["hidden_dropout"] == pytest.approx([0, 0.5])
    assert config["SumNeurons"] == 530 and config["MeanHiddenDropout"] == pytest.approx(0.25)


def test_an_asked_trial_suggests_one_parameter_per_layer():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    for _ in range(5):
        trial = study.ask()
        config = suggest_config(trial, LECTURE_SPACE)
        layers = {name for name in trial.params if name.startswith("neurons_")}
        assert layers == {f"neurons_{i}" for i in range(1, config["depth"] + 1)}
        assert all(20 <= n <= 600 for n in config["neurons"])
        assert all(0 <= d <= 0.5 for d in config["hidden_dropout"])


def test_tpe_models_the_parameters_every_trial_has_jointly_whatever_optuna_s_default():
    """The joint TPE is what bench_search measured; Optuna before 5.0 defaulted to independent."""
    sampler = make_sampler("tpe", seed=1)
    study = optuna.create_study(sampler=sampler)
    for _ in range(STARTUP_TRIALS + 1):
        trial = study.ask()
        config = suggest_config(trial, LECTURE_SPACE)
        study.tell(trial, config["SumNeurons"] * config["l1"])
    joint = sampler.infer_relative_search_space(study, study.ask())
    assert {"depth", "l1", "l2", "input_dropout_quantile", "neurons_1"} <= set(joint)
    assert "neurons_5" not in joint  # conditional layers stay independent


def test_best_so_far_keeps_the_best_per_strategy_and_skips_failures():
    table = pd.DataFrame(
        {
            "strategy": ["tpe", "random", "tpe", "tpe", "random"],
            "status": ["ok", "ok", "failed", "ok", "ok"],
            "test_mse": [0.3, 0.2, 0.01, 0.25, 0.4],
        }
    )
    curve = best_so_far(table, "test_mse", "min")
    assert list(curve.columns) == ["strategy", "run", "best"]
    assert curve[curve["strategy"] == "tpe"]["best"].tolist() == [0.3, 0.3, 0.25]
    assert curve[curve["strategy"] == "random"]["run"].tolist() == [1, 2]
    assert best_so_far(table, "test_mse", "max")["best"].tolist()[-1] == 0.4


@pytest.mark.h2o
def test_tpe_runs_are_stored_like_random_runs_and_told_to_the_study(
    h2o_cluster, digits_local, tmp_path
):
    def sweep(plan, out):
        options = SweepOptions(out, parallel=2, quiet=True)
        run_sweep(
            plan,
            digits_local,
            TrainSettings(epochs=1),
            options,
            ClusterOptions(url=h2o_cluster.url),
        )
        return pd.read_csv(out / "results.csv")

    random = sweep(random_plan([403]), tmp_path / "random")
    plan = optuna_plan("tpe", 3, seed=7)
    tpe = sweep(plan, tmp_path / "tpe")
    assert list(tpe.columns) == list(random.columns)
    assert list(tpe["name"]) == ["t_0", "t_1", "t_2"] and set(tpe["status"]) == {"ok"}
    assert (tpe["depth"] == tpe["neurons"].map(lambda text: len(json.loads(text)))).all()
    trials = [t for t in _trials(tmp_path / "tpe") if t.state == TrialState.COMPLETE]
    assert [trial.value for trial in trials] == tpe["test_mse"].tolist()
    prior = sample_params(7 + 7919)  # startup="prior": trial k draws R's run(seed + 7919 k)
    assert json.loads(tpe.loc[1, "neurons"]) == prior["neurons"]
    assert tpe.loc[1, "input_dropout"] == prior["input_dropout"]


def _search_args(out) -> list[str]:
    return ["search", "--strategy", "tpe", "--n-runs", "5", "--seed", "11", "--epochs", "1"] + [
        "--parallel",
        "1",
        "--out",
        str(out),
    ]


def _trials(out) -> list:
    storage = f"sqlite:///{out / STUDY_FILE}"
    (summary,) = optuna.get_all_study_summaries(storage)
    return optuna.load_study(study_name=summary.study_name, storage=storage).trials


def test_start_up_runs_are_r_s_draws_bit_for_bit_when_a_killed_search_resumes(tmp_path):
    """A start-up trial in flight at the kill, and one queued but never asked, train R's draws
    themselves on resume, as an uninterrupted search does (not their quantiles mapped back)."""

    def started(folder, stored=()):
        folder.mkdir(exist_ok=True)
        search = optuna_plan("tpe", 3, seed=7)
        search.start(SearchContext(folder, Objective(), "s", list(stored)))
        return search

    uninterrupted = started(tmp_path / "whole")
    expected = [uninterrupted.ask().config for _ in range(3)]
    assert expected[1] == LECTURE_SPACE.sample(7 + 7919)  # trial k: R seed 7 + 7919 k

    killed = started(tmp_path / "killed")
    first = killed.ask()
    killed.tell(RunResult(first, OK, {"valid_mse": 0.1}))
    killed.ask()  # t_1 in flight
    killed._enqueue_prior_draw()  # t_2 queued, then the kill
    stored = [StoredRun(first.name, OK, {"valid_mse": 0.1})]
    resumed = started(tmp_path / "killed", stored)
    assert [resumed.ask().config for _ in range(2)] == expected[1:]


@pytest.mark.h2o
@pytest.mark.slow
def test_tpe_search_resumes_after_sigkill_with_its_history_and_trains_nothing_twice(
    tmp_path, h2o_cluster
):
    out = tmp_path / "search"
    process = start_cli(*_search_args(out), "--url", h2o_cluster.url)
    wait_for_rows(out, 2, process)
    process.kill()
    process.wait()
    before = {trial.number: trial for trial in _trials(out)}
    with sqlite3.connect(out / "store.sqlite") as db:  # the store, not results.csv: the truth
        finished_before = {name for (name,) in db.execute("SELECT name FROM runs")}

    rerun = cli(*_search_args(out), "--url", h2o_cluster.url)
    assert rerun.status == 0, rerun.stderr
    assert f"{len(finished_before)} already done" in rerun.stderr
    table = pd.read_csv(out / "results.csv")
    assert set(table["status"]) == {"ok"}
    with sqlite3.connect(out / "store.sqlite") as db:
        assert set(dict(db.execute("SELECT name, attempts FROM runs")).values()) == {1}
    after = _trials(out)
    runs = [trial for trial in after if RUN_ATTR in trial.user_attrs]
    assert sorted(table["name"]) == sorted(f"t_{trial.number}" for trial in runs)
    assert [trial.state for trial in runs] == [TrialState.COMPLETE] * 5
    half_proposed = [trial for trial in after if RUN_ATTR not in trial.user_attrs]
    assert [trial.state for trial in half_proposed] in ([], [TrialState.FAIL])  # the kill's
    for number, trial in before.items():
        assert after[number].params == trial.params
    values = dict(zip(table["name"], table["valid_mse"], strict=True))  # the default objective
    assert [trial.value for trial in runs] == [values[f"t_{t.number}"] for t in runs]


@pytest.mark.h2o
def test_a_trial_killed_while_being_proposed_is_failed_and_the_next_one_trains(
    h2o_cluster, tmp_path
):
    out = tmp_path / "search"
    search = ["search", "--seed", "5", "--epochs", "1", "--parallel", "1"]
    search += ["--url", h2o_cluster.url, "--out", str(out)]
    assert cli(*search, "--n-runs", "2").status == 0
    storage = f"sqlite:///{out / STUDY_FILE}"
    (summary,) = optuna.get_all_study_summaries(storage)
    study = optuna.load_study(study_name=summary.study_name, storage=storage)
    name, distribution = next(iter(study.trials[0].distributions.items()))
    study.ask({name: distribution})  # what a kill between ask and naming the run leaves

    rerun = cli(*search, "--n-runs", "3")
    assert rerun.status == 0, rerun.stderr
    assert "1 run(s) trained (1 ok, 0 failed), 2 already done" in rerun.stderr
    assert [t.state for t in _trials(out)] == [TrialState.COMPLETE] * 2 + [
        TrialState.FAIL,
        TrialState.COMPLETE,
    ]
    with sqlite3.connect(out / "store.sqlite") as db:
        assert dict(db.execute("SELECT name, attempts FROM runs")) == {"t_0": 1, "t_1": 1, "t_3": 1}


@pytest.mark.h2o
def test_a_resume_without_startup_keeps_the_folders_start_up(h2o_cluster, tmp_path):
    """The first trials of a folder are trained already: a resume that names no --startup goes
    on with the folder's (it was refused as another sweep when it was not the default)."""
    search = ["search", "--epochs", "0.1", "--url", h2o_cluster.url, "--out", tmp_path / "s"]
    assert cli(*search, "--n-runs", "1", "--startup", "sampler").status == 0
    resumed = cli(*search, "--n-runs", "2")
    assert resumed.status == 0, resumed.stderr
    assert "1 run(s) trained (1 ok, 0 failed), 1 already done" in resumed.stderr
    recorded = json.loads((tmp_path / "s" / "sweep.json").read_text())["definition"]["sampler"]
    assert recorded["startup"] == "sampler"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--strategy", "bayes"], "invalid choice: 'bayes'"),
        (["--n-runs", "0"], "--n-runs must be at least 1, but got 0"),
        (["--seed", "-1"], "--seed must be an integer in [0, 2147483647], but got -1"),
        (["--metric", "accuracy"], "--metric must be one of"),
    ],
)
def test_bad_search_input_is_one_line_with_status_2(args, message, tmp_path):
    defaults = {"--strategy": "tpe", "--n-runs": "3"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    full = [item for key, value in {**defaults, **given}.items() for item in (key, value)]
    result = cli("search", *full, "--out", tmp_path / "never")
    assert result.status == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "never").exists()


def test_gp_without_pytorch_says_what_to_install(tmp_path, monkeypatch):
    """Runs whether or not PyTorch is installed here: a None in sys.modules is how Python
    itself marks a module that cannot be imported."""
    monkeypatch.setitem(sys.modules, "torch", None)
    result = cli("search", "--strategy", "gp", "--n-runs", "3", "--out", tmp_path / "gp")
    assert result.status == 2
    assert result.stderr == (
        "h2osweep: error: --strategy 'gp' needs PyTorch, which is not installed: pip install "
        "torch (or use --strategy 'tpe')\n"
    )
    assert not (tmp_path / "gp").exists()


@pytest.mark.h2o
def test_a_lost_study_file_is_refused_and_force_new_starts_over(h2o_cluster, tmp_path):
    out = tmp_path / "search"
    search = ["search", "--n-runs", "2", "--seed", "5", "--epochs", "1", "--parallel", "1"]
    search += ["--url", h2o_cluster.url, "--out", str(out)]
    assert cli(*search).status == 0
    (out / STUDY_FILE).unlink()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != ".lock"}
    refused = cli(*search)
    assert refused.status == 2
    assert refused.stderr == (
        "h2osweep: error: the store holds runs ['t_0', 't_1'] that the study in optuna.sqlite "
        "does not know; the study file was replaced or lost: use --force-new to start over\n"
    )
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != ".lock"} == before
    again = cli(*search, "--force-new")
    assert again.status == 0, again.stderr
    assert "2 run(s) trained (2 ok, 0 failed), 0 already done" in again.stderr
    assert [t.state for t in _trials(out)] == [TrialState.COMPLETE] * 2


@pytest.mark.h2o
@pytest.mark.slow
def test_ctrl_c_during_a_search_keeps_its_runs_and_a_rerun_completes_it(h2o_cluster, tmp_path):
    out = tmp_path / "search"
    args = [*_search_args(out), "--url", h2o_cluster.url]
    process = start_cli(*args)
    wait_for_rows(out, 1, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    stored = pd.read_csv(out / "results.csv")
    assert last == (
        f"h2osweep: interrupted: {len(stored)} run(s) of this session are stored in {out}; "
        "run the same command again to resume"
    )
    values = dict(zip(stored["name"], stored["valid_mse"], strict=True))
    complete = {t.user_attrs["run"]: t.value for t in _trials(out) if t.state.is_finished()}
    assert complete == values  # the study knows exactly the stored runs

    rerun = cli(*args)
    assert rerun.status == 0, rerun.stderr
    assert f"{len(stored)} already done" in rerun.stderr
    with sqlite3.connect(out / "store.sqlite") as db:
        assert dict(db.execute("SELECT name, attempts FROM runs")) == {
            f"t_{n}": 1 for n in range(5)
        }

"""Honest model selection: validation (or cross-validation) chooses, the test part only reports.

The lecture seeds 11, 4, 10, 1, 5 at one epoch are a real case where the choice matters: on
validation m_11 is best, on test m_1 is (reproducible builds, so the same every time).
"""

from __future__ import annotations

import json
import math
import shutil

import pandas as pd
import pytest

from h2osweep.data import load_data
from h2osweep.errors import UserInputError
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunSpec
from h2osweep.search.fixed import random_plan
from h2osweep.store.results_store import read_objective
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.flight import train_one
from h2osweep.training.scheduler import TrainSettings
from tests.conftest import cli as run_in_process

SEEDS = ["11", "4", "10", "1", "5"]
BEST_ON_VALID, BEST_ON_TEST = "m_11", "m_1"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the h2osweep command in this process: (status, stdout, stderr)."""
    outcome = run_in_process(*args)
    return outcome.status, outcome.stdout, outcome.stderr


def sweep_args(url: str, out, *extra: str) -> list[str]:
    return ["random", "--seeds", *SEEDS, "--epochs", "1", "--url", url, "--out", str(out), *extra]


@pytest.fixture(scope="module")
def on_test(h2o_cluster, tmp_path_factory):
    """The five runs chosen on test (a validation part kept, so the data and models are those
    of the validation sweep), one build at a time with patience 2: test never stalls here."""
    out = tmp_path_factory.mktemp("selection") / "on-test"
    args = sweep_args(h2o_cluster.url, out, "--select-on", "test", "--valid-fraction", "0.2")
    outcome = run_in_process(*args, "--patience", "2", "--parallel", "1", "--quiet")
    assert outcome.status == 0, outcome.stderr
    return out


@pytest.fixture(scope="module")
def on_valid(on_test, h2o_cluster):
    """The same five runs, chosen on validation: a copy resumed with --select-on valid, nothing
    trained (a resume that names no selection keeps the folder's)."""
    out = on_test.parent / "on-valid"
    shutil.copytree(on_test, out)
    resumed = run_in_process(*sweep_args(h2o_cluster.url, out), "--select-on", "valid", "--quiet")
    assert resumed.status == 0
    return out


@pytest.mark.h2o
def test_the_case_is_real_validation_and_test_choose_different_runs(on_test):
    table = pd.read_csv(on_test / "results.csv")
    assert len(table) == 5 and set(table["status"]) == {"ok"}
    assert table.loc[table["valid_mse"].idxmin(), "name"] == BEST_ON_VALID
    assert table.loc[table["test_mse"].idxmin(), "name"] == BEST_ON_TEST


@pytest.mark.h2o
@pytest.mark.parametrize(
    ("folder", "metric", "best"),
    [("on_valid", "valid_mse", BEST_ON_VALID), ("on_test", "test_mse", BEST_ON_TEST)],
)
def test_show_summary_and_analyze_follow_the_selection(
    request, capsys, h2o_cluster, folder, metric, best
):
    out = request.getfixturevalue(folder)
    assert read_objective(out) == Objective(metric)
    status, shown, said = cli(capsys, "show", str(out))
    assert status == 0 and f"ranked by {metric}" in said
    assert shown.splitlines()[1].split()[0] == best  # the first row after the header
    select = ["--select-on", "test", "--valid-fraction", "0.2"] if metric == "test_mse" else []
    status, _, err = cli(capsys, *sweep_args(h2o_cluster.url, out, *select))
    assert status == 0 and f"best {metric} " in err and f"({best})" in err.splitlines()[-1]
    status, text, _ = cli(capsys, "analyze", str(out), "--out", str(out / "analysis"))
    assert status == 0 and f"- Target: {metric}." in text
    assert f"best run {best}: {metric}" in text
    assert f"Chosen on {metric} over 5 runs: {best}" in text


@pytest.mark.h2o
def test_the_report_gives_the_winners_test_figure_and_the_optimism(on_valid, capsys):
    cli(capsys, "analyze", str(on_valid), "--out", str(on_valid / "report"))
    page = (on_valid / "report" / "report.html").read_text()
    table = pd.read_csv(on_valid / "results.csv").set_index("name")
    winner = table.loc[BEST_ON_VALID]
    assert f"its test_mse, {winner['test_mse']:.4g}, is the held-out estimate" in page
    optimism = winner["test_mse"] - winner["valid_mse"]
    assert (
        f"Selection optimism (how much better valid_mse looks than test_mse): {optimism:+.4g}"
        in page
    )


@pytest.mark.h2o
@pytest.mark.parametrize(
    ("folder", "best"), [("on_valid", BEST_ON_VALID), ("on_test", BEST_ON_TEST)]
)
def test_optimize_best_retrains_the_run_its_selection_chose(
    request, capsys, h2o_cluster, folder, best
):
    out = request.getfixturevalue(folder)
    status, text, err = cli(capsys, "optimize", str(out), "--url", h2o_cluster.url)
    assert status == 0, err
    comparison = pd.read_csv(out / "optimized_best.csv")
    assert comparison.loc[0, "model"] == f"best sweep run ({best})"
    assert {"valid_mse", "test_mse"} <= set(comparison.columns)
    said = [line for line in text.splitlines() if line.split(":")[0].endswith("_mse")]
    chose = "valid_mse" if folder == "on_valid" else "test_mse"
    assert [line.split(":")[0] for line in said] == list(dict.fromkeys([chose, "test_mse"]))
    assert said[0].endswith(f" the best sweep run ({best}) {comparison.loc[0, chose]:.5g} "
                            "(lower is better)")  # fmt: skip


@pytest.mark.h2o
def test_a_refit_on_train_and_validation_reports_test_once(on_valid, capsys, h2o_cluster):
    args = ["optimize", str(on_valid), "--refit-on", "train+valid", "--url", h2o_cluster.url]
    status, _, err = cli(capsys, *args)
    assert status == 0, err
    retrained = pd.read_csv(on_valid / "optimized_best.csv").iloc[1]
    assert pd.isna(retrained["valid_mse"]) and 0 < retrained["test_mse"] < 1


@pytest.mark.h2o
def test_patience_follows_validation(h2o_cluster, tmp_path, capsys):
    """On validation the lecture seeds 11, 4, 10 stall (0.0974, 0.176, 0.0994: no gain on the
    first in the last two); on test the same order never does (see the `on_test` fixture).
    Builds already started when the stall shows still finish, so up to two more may land."""
    out = tmp_path / "out"
    seeds = [*SEEDS, "2", "3", "6"]  # three slow five-layer nets that a stall never reaches
    args = ["random", "--seeds", *seeds, "--epochs", "1", "--url", h2o_cluster.url]
    status, _, err = cli(capsys, *args, "--out", str(out), "--patience", "2", "--parallel", "1")
    assert status == 0
    assert "stopped early: no improvement over 0 in the last 2 runs" in err
    names = list(pd.read_csv(out / "results.csv")["name"])
    assert names[:3] == ["m_11", "m_4", "m_10"] and len(names) <= 5


@pytest.mark.h2o
def test_a_model_based_search_is_told_the_validation_metric(h2o_cluster, tmp_path, capsys):
    import optuna

    out = tmp_path / "tpe"
    args = ["search", "--n-runs", "3", "--epochs", "1", "--url", h2o_cluster.url, "--out", str(out)]
    assert cli(capsys, *args)[0] == 0
    storage = f"sqlite:///{out / 'optuna.sqlite'}"
    (summary,) = optuna.get_all_study_summaries(storage)
    study = optuna.load_study(study_name=summary.study_name, storage=storage)
    table = pd.read_csv(out / "results.csv").set_index("name")
    assert [t.value for t in study.trials] == [
        table.loc[f"t_{t.number}", "valid_mse"] for t in study.trials
    ]


@pytest.mark.h2o
def test_cross_validation_metrics_are_h2os_own(h2o_cluster, digits_local):
    """Three folds: the xval metrics stored equal what the h2o client reports for the model."""
    from h2osweep.data import upload

    settings = TrainSettings(epochs=1, keep_models=True, nfolds=3)
    spec = RunSpec("xval_check", {"hidden": [20], "l1": 1e-4})
    result = train_one(spec, upload(digits_local), settings)
    assert result.ok, result.error
    model = result.model
    assert result.metrics["xval_mse"] == model.mse(xval=True)
    assert result.metrics["xval_rmse"] == model.rmse(xval=True)
    assert result.metrics["xval_logloss"] == model.logloss(xval=True)
    assert result.metrics["xval_mean_per_class_error"] == model.mean_per_class_error(xval=True)
    assert result.confusion["xval"].to_numpy().sum() == len(digits_local.train)


@pytest.mark.h2o
def test_validation_metrics_are_bit_identical_in_parallel_and_in_sequence(h2o_cluster, tmp_path):
    local = load_data("digits", valid_fraction=0.2)
    tables = []
    for parallel in (1, 2):
        out = tmp_path / f"p{parallel}"
        options = SweepOptions(out, parallel=parallel, quiet=True)
        run_sweep(
            random_plan([1, 5]),
            local,
            TrainSettings(epochs=1),
            options,
            h2o_cluster_options(h2o_cluster),
        )
        tables.append(
            pd.read_csv(out / "results.csv", float_precision="round_trip").set_index("name")
        )
    columns = ["valid_mse", "valid_logloss", "test_mse", "test_logloss"]
    assert tables[0].loc[["m_1", "m_5"], columns].equals(tables[1].loc[["m_1", "m_5"], columns])


def h2o_cluster_options(h2o_cluster):
    from h2osweep.cluster import ClusterOptions

    return ClusterOptions(url=h2o_cluster.url)


def test_a_validation_part_comes_from_the_training_rows_with_the_split_seed():
    plain, carved = load_data("digits"), load_data("digits", valid_fraction=0.25)
    assert carved.test.equals(plain.test)
    assert len(carved.train) + len(carved.valid) == len(plain.train)
    assert len(carved.valid) == math.ceil(0.25 * len(plain.train))  # as scikit-learn rounds
    assert set(carved.valid["label"]) == set(plain.train["label"])  # stratified
    assert carved.fingerprint() != plain.fingerprint()
    assert load_data("digits", valid_fraction=0.25).valid.equals(carved.valid)
    assert "valid_rows" in carved.describe() and "valid_rows" not in plain.describe()


def test_a_validation_file_must_have_the_datas_columns(tmp_path):
    data = load_data("digits")
    data.test.to_csv(tmp_path / "valid.csv", index=False)
    given = load_data("digits", valid=str(tmp_path / "valid.csv"))
    assert given.valid.equals(data.test) and given.train.equals(data.train)
    data.test.drop(columns=["pixel3"]).to_csv(tmp_path / "narrow.csv", index=False)
    with pytest.raises(UserInputError, match="other columns than the data .missing .'pixel3'."):
        load_data("digits", valid=str(tmp_path / "narrow.csv"))


def test_library_errors_name_the_python_parameters():
    with pytest.raises(UserInputError, match="^valid_fraction must be between 0 and 1"):
        load_data(valid_fraction=1.0)
    with pytest.raises(UserInputError, match=r"\(valid\) or a fraction \(valid_fraction\)"):
        load_data(valid_fraction=0.2, valid="x.csv")
    with pytest.raises(UserInputError, match="^nfolds must be at least 2"):
        TrainSettings(nfolds=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--valid-fraction", "0"], "--valid-fraction must be between 0 and 1, but got 0"),
        (["--valid-fraction", "1"], "--valid-fraction must be between 0 and 1, but got 1"),
        (["--valid-fraction", "-0.1"], "--valid-fraction must be between 0 and 1"),
        (
            ["--valid", "{csv}", "--valid-fraction", "0.2"],
            "(--valid) or a fraction (--valid-fraction)",
        ),
        (["--nfolds", "1"], "--nfolds must be at least 2, but got 1"),
        (["--select-on", "xval"], "--select-on xval needs --nfolds"),
        (["--metric", "test_mse", "--select-on", "valid"], "but --select-on is valid"),
        (["--valid", "{narrow}"], "has other columns than the data"),
        (["--valid", "{missing}"], "--valid {missing} is not a file"),
    ],
)
def test_bad_selection_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    paths = {
        "csv": tmp_path / "v.csv",
        "narrow": tmp_path / "n.csv",
        "missing": tmp_path / "no.csv",
    }
    load_data("digits").test.to_csv(paths["csv"], index=False)
    pd.DataFrame({"a": [1, 2]}).to_csv(paths["narrow"], index=False)
    args = [a.format(**paths) for a in args]
    status, _, err = cli(capsys, "random", "--seeds", "1", "--out", str(tmp_path / "out"), *args)
    assert status == 2
    assert err.count("\n") == 1 and message.format(**paths) in err, err
    assert not (tmp_path / "out").exists()


def test_every_data_format_takes_a_validation_part_and_a_validation_file(tmp_path):
    from tests.test_data import _write_har

    har = _write_har(tmp_path / "UCI HAR Dataset")
    kaggle = tmp_path / "train.csv"
    digits = load_data("digits").train.iloc[:60]
    digits.to_csv(kaggle, index=False)
    parquet = tmp_path / "rows.parquet"
    digits.rename(columns={"label": "y"}).to_parquet(parquet)
    for spec, target in ((str(har), None), (str(kaggle), None), (str(parquet), "y")):
        carved = load_data(spec, target=target, valid_fraction=0.25)
        assert len(carved.valid) > 0 and carved.valid.columns.equals(carved.train.columns)
        carved.valid.to_csv(tmp_path / "valid.csv", index=False)
        given = load_data(spec, target=target, valid=str(tmp_path / "valid.csv"))
        assert given.valid.equals(carved.valid) and given.fingerprint() != carved.fingerprint()


TINY_GRID = ["grid", "--param", "units=4", "--param", "layers=1"]


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        (cmd, args, message)
        for cmd in (["random", "--seeds", "1"], TINY_GRID, ["search", "--n-runs", "3"])
        for args, message in [
            (["--select-on", "xval"], "--select-on xval needs --nfolds"),
            (["--select-on", "test", "--valid-fraction", "1.5"], "--valid-fraction must be"),
            (["--select-on", "valid", "--valid", "{missing}"], "is not a file"),
            (["--nfolds", "1"], "--nfolds must be at least 2, but got 1"),
        ]
    ],
)
def test_each_sweep_command_checks_its_selection_options(tmp_path, command, args, message):
    args = [a.format(missing=tmp_path / "no.csv") for a in args]
    outcome = run_in_process(*command, *args, "--out", tmp_path / "out")
    assert outcome.status == 2 and message in outcome.stderr, outcome.stderr
    assert outcome.stderr.count("\n") == 1 and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["optimize", "{out}", "--goal", "max"], "no sweep folder at "),
        (["optimize", "{out}", "--goal", "min", "--refit-on", "train"], "no sweep folder at "),
        (["optimize", "{out}", "--insecure"], "--insecure is only for a remote --url"),
        (["show", "{out}", "--goal", "min"], "no sweep folder at "),
    ],
)
def test_optimize_and_show_check_their_options(tmp_path, args, message):
    outcome = run_in_process(*[a.format(out=tmp_path / "none") for a in args])
    assert outcome.status == 2 and message in outcome.stderr, outcome.stderr


def test_r2_is_maximised_unless_a_goal_is_given(tmp_path):
    from argparse import Namespace
    from types import SimpleNamespace

    from h2osweep.cli.selection import objective
    from h2osweep.record.goal import Objective

    with_valid = SimpleNamespace(valid="a validation part")

    def chosen(metric, goal=None):
        args = Namespace(select_on=None, metric=metric, goal=goal, nfolds=None)
        args.out, args.force_new = tmp_path / "new", False
        return objective(args, with_valid)

    assert chosen("r2") == Objective("valid_r2", "max")
    assert chosen("test_r2") == Objective("test_r2", "max")
    assert chosen("r2", "min") == Objective("valid_r2", "min")
    assert chosen("mse") == Objective("valid_mse", "min")
    assert chosen("logloss") == Objective("valid_logloss", "min")


@pytest.mark.parametrize(
    ("metric", "goal"),
    [
        *[(m, "max") for m in ("R2", "val/r2", "r2_score", "summary.val_accuracy", "valid_auc")],
        *[(m, "max") for m in ("eval/f1", "val_acc", "test_aucpr", "precision")],
        *[(m, "max") for m in ("accuracy_score", "f1_macro", "roc_auc_ovr", "neg_log_loss")],
        *[(m, "min") for m in ("valid_mse", "val/loss", "mean_per_class_error", "rmse")],
        *[(m, "min") for m in ("valid_logloss", "epochs", "r2_error")],
        *[(m, "max") for m in ("mean_test_score", "mean_test_neg_mean_squared_error", "valAcc")],
        *[(m, "max") for m in ("split0_test_r2", "val/mAP", "episode_reward", "val_iou")],
        *[(m, "min") for m in ("rank_test_score", "mean_score_time", "valLoss", "p95_latency")],
    ],
)
def test_a_metric_is_read_higher_is_better_by_its_name(metric, goal):
    from h2osweep.record.goal import Goal

    assert Goal.natural(metric) == goal


@pytest.mark.h2o
def test_a_search_resumed_with_only_another_goal_is_told_the_goal_it_has(h2o_cluster, tmp_path):
    """A search started with r2 and --goal min (the default once) resumes with its goal when
    the command names none, and is told the goal that resumes it when it names another."""
    out = tmp_path / "sweep"
    search = ["search", "--n-runs", "1", "--epochs", "0.1", "--metric", "r2"]
    search += ["--url", h2o_cluster.url, "--out", out]
    assert run_in_process(*search, "--goal", "min").status == 0
    refused = run_in_process(*search, "--goal", "max")
    assert refused.status == 2 and refused.stderr.count("\n") == 1, refused.stderr
    assert "(--goal min there, max here); give --goal min to resume it" in refused.stderr
    assert run_in_process(*search).status == 0  # all done: nothing trained


@pytest.mark.h2o
def test_a_resume_that_names_no_metric_keeps_the_folders_and_another_one_is_said(
    h2o_cluster, tmp_path
):
    """A logloss sweep resumed without --metric stays one (random, and a search, which was
    refused); naming another metric re-ranks the runs from then on, and says so."""
    out, url = tmp_path / "sweep", ["--url", h2o_cluster.url]
    sweep = ["random", "--epochs", "0.1", *url, "--out", out]
    assert run_in_process(*sweep, "--seeds", "1", "--metric", "logloss").status == 0
    kept = run_in_process(*sweep, "--seeds", "1", "2")
    assert kept.status == 0 and "best valid_logloss" in kept.stderr.splitlines()[-1]
    assert "ranked by" not in kept.stderr
    reranked = run_in_process(*sweep, "--seeds", "1", "2", "--metric", "mse")
    assert (
        "h2osweep: the runs are ranked by valid_mse (min) from now on, where this folder "
        "ranked them by valid_logloss (min)\n" in reranked.stderr
    )
    assert json.loads((out / "sweep.json").read_text())["selection"]["metric"] == "valid_mse"
    on_test = run_in_process(*sweep, "--seeds", "1", "2", "--select-on", "test")  # split kept
    assert on_test.status == 0, on_test.stderr
    assert "ranked by test_mse (min) from now on, where this folder ranked them by valid_mse" in (
        on_test.stderr
    )
    search = ["search", "--n-runs", "1", "--epochs", "0.1", *url, "--out", tmp_path / "tpe"]
    assert run_in_process(*search, "--metric", "logloss").status == 0
    resumed = run_in_process(*search[:2], "2", *search[3:])
    assert resumed.status == 0 and "best valid_logloss" in resumed.stderr, resumed.stderr


def test_show_says_a_bare_results_table_is_ranked_on_test_by_default(tmp_path):
    """A copied results.csv records nothing of what its sweep chose on: show says so."""
    from tests.synthetic import lecture_table

    lecture_table(4).to_csv(tmp_path / "results.csv", index=False)
    outcome = run_in_process("show", tmp_path)
    assert outcome.status == 0
    assert outcome.stderr.startswith(
        "4 run(s) ranked by test_mse (lower is better; no sweep.json says what the sweep chose "
        "on, --metric names another)\n"
    )
    named = run_in_process("show", tmp_path, "--metric", "train_mse")
    assert named.stderr.startswith("4 run(s) ranked by train_mse (lower is better)\n")

"""`h2osweep analyze`: outputs on our folder and a foreign CSV; one-line errors for bad input."""

import ast
import json
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

from h2osweep.cli import analyze as analyze_command
from tests.conftest import cli, cli_command
from tests.conftest import recorded_main as main
from tests.synthetic import lecture_table, wandb_table

OUTPUTS = ["correlations.csv", "ols.csv", "importance.csv", "gam.csv", "report.html", "facets.png"]


@pytest.fixture
def sweep(tmp_path):
    """A sweep folder of ours."""
    folder = tmp_path / "sweep"
    folder.mkdir()
    lecture_table(60).to_csv(folder / "results.csv", index=False)
    return folder


def run(argv):
    """Exit status, stdout and stderr of one CLI call (in-process)."""
    result = cli(*argv)
    return result.status, result.stdout, result.stderr


def test_analyze_a_sweep_folder(sweep, tmp_path):
    status, out, err = run(["analyze", str(sweep), "--out", str(tmp_path / "a")])
    assert status == 0, err
    for name in OUTPUTS:
        assert (tmp_path / "a" / name).exists()
    assert "- Target: test_mse." in out
    best = pd.read_csv(sweep / "results.csv").sort_values("test_mse").iloc[0]
    shown = out.split("best run's configuration: ")[1].splitlines()[0]
    assert f"best run {best['name']}: test_mse = {best['test_mse']:.6g} (lower is better)" in out
    assert ast.literal_eval(shown)["neurons"] == json.loads(best["neurons"])
    assert "GAM-suggested configuration:" in out


def test_a_prediction_below_zero_names_the_retrain_command_for_this_folder(tmp_path):
    folder = tmp_path / "my sweep"
    folder.mkdir()
    table = lecture_table(40, seed=0)
    dropout = table["input_dropout"]
    noise = np.random.default_rng(0).uniform(0, 0.05, len(table))
    table["test_mse"] = 0.3 * (1 - dropout / dropout.max()) ** 3 + noise
    table.to_csv(folder / "results.csv", index=False)
    status, out, err = run(["analyze", str(folder), "--out", str(tmp_path / "a")])
    assert status == 0, err
    assert f"(h2osweep optimize '{folder}' --config gam)" in out
    assert out.count("below zero where no run was") == 1


def test_analyze_a_wandb_csv(tmp_path):
    wandb_table(60).to_csv(tmp_path / "runs.csv", index=False)
    argv = ["analyze", str(tmp_path / "runs.csv"), "--target", "val_acc", "--goal", "max"]
    argv += [
        "--gam",
        "s(learning_rate, k=4) + epochs",
        "--no-intercept",
        "--out",
        str(tmp_path / "b"),
    ]
    status, out, err = run(argv)
    assert status == 0, err
    for name in OUTPUTS:
        assert (tmp_path / "b" / name).exists()
    assert "reference level for OLS: 'adam'" in out
    assert "OLS no intercept, all indicators" in out
    assert err == ""  # max is what an accuracy's name says


def test_a_goal_against_what_the_metrics_name_says_is_said_and_kept(tmp_path):
    """--goal min for an accuracy (or max for an MSE) may be meant: one line, then as asked."""
    wandb_table(30).to_csv(tmp_path / "runs.csv", index=False)
    argv = ["analyze", str(tmp_path / "runs.csv"), "--target", "val_acc", "--goal", "min"]
    status, out, err = run([*argv, "--out", str(tmp_path / "b")])
    assert status == 0, err
    assert (
        err
        == "h2osweep: --goal min ranks the smallest val_acc best, though higher is better for it\n"
    )
    summaries = pd.read_csv(tmp_path / "runs.csv")["summary"]
    accuracy = [ast.literal_eval(summary).get("val_acc") for summary in summaries]
    assert f"val_acc = {np.nanmin(np.array(accuracy, dtype=float)):.6g}" in out


def write(tmp_path, frame, name="t.csv"):
    """Write a table and return its path as text."""
    frame.to_csv(tmp_path / name, index=False)
    return str(tmp_path / name)


def test_bad_input_is_one_line_and_exit_2(sweep, tmp_path):
    good = pd.DataFrame({"lr": [0.1, 0.2, 0.3], "loss": [1.0, 2.0, 3.0], "txt": ["a", "b", "c"]})
    table = write(tmp_path, good)
    cases = {
        "results not found": [str(tmp_path / "missing.csv")],
        "is not a sweep folder: it has no results.csv": [str(tmp_path)],
        "has no rows": [write(tmp_path, pd.DataFrame({"a": []}), "e.csv")],
        "unknown target 'nope'; columns: lr, loss, txt": [table, "--target", "nope"],
        "target 'txt' is not numeric": [table, "--target", "txt"],
        "target 'gone' is missing in every run": [
            write(tmp_path, good.assign(gone=np.nan), "g.csv"), "--target", "gone",
        ],
        "need at least 2 runs with a loss to analyse, found 1": [
            write(tmp_path, good.head(1), "one.csv"), "--target", "loss",
        ],
        "unknown --params column(s) zz": [table, "--target", "loss", "--params", "lr,zz"],
        "cannot read GAM term": [str(sweep), "--gam", "s(l1, q=1)"],
        "k must be a whole number >= 4": [str(sweep), "--gam", "s(l1, k=0)"],
        "--params lists no column": [table, "--target", "loss", "--params", " , "],
        "--seed must be a whole number >= 0": [table, "--target", "loss", "--seed", "-1"],
        "target 'lr' has a single value (0.5) in every run: nothing to explain": [
            write(tmp_path, good.assign(lr=0.5), "c.csv"), "--target", "lr",
        ],
    }  # fmt: skip
    for message, argv in cases.items():
        status, out, err = run(["analyze", *argv, "--out", str(tmp_path / "o")])
        assert status == 2, (message, err)
        assert err.startswith("h2osweep: error: ") and message in err, err
        assert err.count("\n") == 1


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    table = pd.DataFrame({"lr": [0.1, 0.2, 0.3, 0.4], "loss": [1.0, 3.0, 2.0, 4.0]})
    argv = ["analyze", write(tmp_path, table), "--target", "loss", "--out", str(tmp_path / "o")]
    command = cli_command(*argv)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a pipe's buffering
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    child.stdout.close()  # as `| head` does, long before the command prints
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 1
    assert err == ""
    assert (tmp_path / "o" / "report.html").exists()


def test_bad_goal_is_an_argparse_error(sweep, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", str(sweep), "--goal", "best", "--out", "x"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'best'" in err and err.count("\n") == 1


def test_help_ends_with_a_runnable_example(capsys):
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    out = capsys.readouterr().out
    assert analyze_command.EXAMPLE in out
    assert analyze_command.POSITION == 50


def _strategy_folder(path, strategy: str, seed: int):
    """A sweep folder of ours, as a `strategy` sweep would leave its table and definition."""
    path.mkdir()
    lecture_table(40, seed=seed).to_csv(path / "results.csv", index=False)
    (path / "sweep.json").write_text(json.dumps({"definition": {"strategy": strategy}}))
    return path


def test_params_seed_and_compare(tmp_path):
    """--params limits every table to those columns, --seed reaches ExtraTrees, --compare adds
    the other folder's best-so-far curve."""
    random = _strategy_folder(tmp_path / "random", "random", 1)
    tpe = _strategy_folder(tmp_path / "tpe", "optuna-tpe", 2)
    importances = []
    for seed in ("3", "4"):
        out = tmp_path / f"seed{seed}"
        argv = ["analyze", str(random), "--params", "l1, l2,depth", "--seed", seed]
        status, _, err = run([*argv, "--compare", str(tpe), "--out", str(out)])
        assert status == 0, err
        for table in ("correlations.csv", "ols.csv", "importance.csv"):
            terms = set(pd.read_csv(out / table)["term"]) - {"(Intercept)"}
            assert terms == {"l1", "l2", "depth"}, (table, terms)
        assert (out / "best_so_far.png").stat().st_size > 5_000
        page = (out / "report.html").read_text()
        assert "Best so far" in page
        importances.append(pd.read_csv(out / "importance.csv").set_index("term")["importance"])
    assert not importances[0].equals(importances[1])  # another forest for another seed


def test_a_parquet_table_is_analysed_like_the_same_csv(tmp_path):
    table = wandb_table(50, seed=4)
    table.to_csv(tmp_path / "runs.csv", index=False)
    table.to_parquet(tmp_path / "runs.parquet")
    correlations = []
    for name in ("runs.csv", "runs.parquet"):
        out = tmp_path / name.replace(".", "_")
        argv = ["analyze", str(tmp_path / name), "--target", "val_acc", "--goal", "max"]
        status, _, err = run([*argv, "--params", "learning_rate,batch_size", "--out", str(out)])
        assert status == 0, err
        correlations.append(pd.read_csv(out / "correlations.csv"))
    pd.testing.assert_frame_equal(correlations[0], correlations[1])


def test_a_wandb_summary_with_nan_or_inf_keeps_its_other_metrics(tmp_path):
    """W&B's export writes a missing metric as a bare `nan` (`inf` for an overflow), which
    Python's literal reader refuses: the run's other metrics are kept, that one is missing."""
    from h2osweep.analysis.tables import load_results

    table = wandb_table(20)
    table.loc[0, "summary"] = repr({"val_acc": 0.9, "val_loss": float("nan"), "f": -float("inf")})
    table.to_csv(tmp_path / "runs.csv", index=False)
    frame = load_results(tmp_path / "runs.csv").frame
    assert frame.loc[0, "val_acc"] == 0.9 and np.isnan(frame.loc[0, "val_loss"])
    assert frame.loc[0, "f"] == -np.inf


def test_a_wandb_configs_nested_settings_are_named_by_their_path(tmp_path):
    """`{"opt": {"name": "adam", "momentum": 0.9}}` is two hyperparameters, as W&B's own
    flat export names them (`opt.name`, `opt.momentum`), not one category of dict texts."""
    table = wandb_table(40)
    rng = np.random.default_rng(2)
    opts = zip(rng.choice(["adam", "sgd"], 40), rng.uniform(0, 1, 40), strict=True)
    table["config"] = [
        repr({**ast.literal_eval(c), "opt": {"name": str(n), "momentum": float(m)}})
        for c, (n, m) in zip(table["config"], opts, strict=True)
    ]
    table.to_csv(tmp_path / "runs.csv", index=False)
    status, out, err = run(["analyze", str(tmp_path / "runs.csv"), "--target", "val_acc",
                            "--goal", "max", "--out", str(tmp_path / "a")])  # fmt: skip
    assert status == 0, err
    hyperparameters = out.split("Hyperparameters")[1].splitlines()[0]
    assert "opt.name" in hyperparameters and "opt.momentum" in hyperparameters
    assert "{'name'" not in out


def test_a_plain_tables_metrics_are_whole_words_of_numeric_columns(tmp_path):
    """`layer2_units` holds r2 and `loss_function` loss, yet both are hyperparameters."""
    from h2osweep.analysis.tables import load_results

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "lr": rng.uniform(0, 1, 12),
            "layer2_units": rng.integers(1, 9, 12),
            "loss_function": rng.choice(["huber", "l2"], 12),
            "valLoss": rng.uniform(0, 1, 12),
            "val_mse": rng.uniform(0, 1, 12),
        }
    )
    frame.to_csv(tmp_path / "t.csv", index=False)
    table = load_results(tmp_path / "t.csv")
    assert table.params == ["lr", "layer2_units", "loss_function"]
    assert table.metrics == ["valLoss", "val_mse"]


def test_a_whole_number_parameter_is_suggested_as_an_integer(tmp_path):
    """H2O's grid table writes ntrees 10 as 10.0; the configurations give 10, as H2O takes it."""
    rng = np.random.default_rng(3)
    depth, trees = rng.choice([2.0, 4.0, 6.0], 12), rng.choice([10.0, 20.0], 12)
    rate = rng.choice([0.05, 0.2], 12)
    logloss = 0.5 - 0.03 * depth + rate + rng.normal(0, 0.01, 12)
    ids = [f"g_model_{i}" for i in range(12)]
    frame = pd.DataFrame({"learn_rate": rate, "max_depth": depth, "ntrees": trees,
                          "model_ids": ids, "logloss": logloss})  # fmt: skip
    frame.to_csv(tmp_path / "grid.csv", index=False)
    status, out, err = run(["analyze", str(tmp_path / "grid.csv"), "--out", str(tmp_path / "g")])
    assert status == 0, err
    suggested = out.split("GAM-suggested configuration: ")[1].splitlines()[0]
    config = ast.literal_eval(suggested)
    assert type(config["max_depth"]) is int and type(config["ntrees"]) is int
    assert type(config["learn_rate"]) is float

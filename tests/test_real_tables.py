"""Tables written by the real tools, made here with the installed libraries: an Optuna study with
pruned and failed trials (single- and multi-objective), an H2OGridSearch on digits, a W&B export
as W&B's own export code writes it. Each gives a full report or a one-line error naming the
option to add; fANOVA and PED-ANOVA equal Optuna's own numbers on the same trials."""

from __future__ import annotations

import ast

import numpy as np
import optuna
import pandas as pd
import pytest

from h2osweep.analysis import analyze
from h2osweep.analysis.importance import FANOVA_DEPTH, optuna_importances
from h2osweep.analysis.trials import study_of
from tests.conftest import recorded_main as main
from tests.synthetic import lecture_table

optuna.logging.set_verbosity(optuna.logging.WARNING)


def single_objective(trial):
    """A study with every kind of trial: complete, pruned, failed."""
    x = trial.suggest_float("x", 1e-4, 1.0, log=True)
    n = trial.suggest_int("n", 1, 5)
    c = trial.suggest_categorical("c", ["a", "b"])
    if trial.number % 7 == 3:
        raise optuna.TrialPruned()
    if trial.number % 11 == 5:
        raise RuntimeError("diverged")
    return (np.log10(x) + 2) ** 2 + 0.1 * n + 0.3 * (c == "b")


def two_objectives(trial):
    x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
    return x, (1 - x) ** 2 + y


@pytest.fixture(scope="module")
def optuna_csvs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("optuna")
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(single_objective, n_trials=40, catch=(RuntimeError,))
    study.trials_dataframe().to_csv(folder / "trials.csv", index=False)
    multi = optuna.create_study(directions=["minimize", "minimize"],
                                sampler=optuna.samplers.RandomSampler(seed=0))  # fmt: skip
    multi.optimize(two_objectives, n_trials=30)
    multi.trials_dataframe().to_csv(folder / "multi.csv", index=False)
    return folder, study


def run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_an_optuna_study_with_pruned_and_failed_trials(optuna_csvs, capsys):
    folder, _ = optuna_csvs
    argv = ["analyze", str(folder / "trials.csv"), "--out", str(folder / "single")]
    status, out, err = run(argv, capsys)
    assert status == 0, err
    assert "Dropped 9 trial(s) that are not COMPLETE (3 FAIL, 6 PRUNED)." in out
    assert "value minimised (the table does not record the study's directions; give" in out
    assert "fANOVA" in out and (folder / "single" / "importance_methods.csv").exists()


def test_an_optuna_storage_is_analysed_with_the_studys_own_directions(tmp_path, capsys):
    """A study read from its storage: a maximising objective is ranked highest first, with no
    goal given and no trials table written by hand; multi-objective studies likewise."""
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    sampler = optuna.samplers.RandomSampler(seed=1)
    study = optuna.create_study(study_name="up", storage=storage, sampler=sampler,
                                direction="maximize")  # fmt: skip
    study.optimize(lambda trial: -single_objective(trial), n_trials=40, catch=(RuntimeError,))
    status, out, err = run(["analyze", storage, "--out", str(tmp_path / "a")], capsys)
    assert status == 0, err
    best = study.best_trial
    assert f"best run {best.number}: value = {best.value:.6g} (higher is better)\n" in out
    assert "Goals as the study records them: value max." in out and "minimised" not in out
    two = optuna.create_study(study_name="two", storage=storage, sampler=sampler,
                              directions=["maximize", "minimize"])  # fmt: skip
    two.optimize(two_objectives, n_trials=20)
    argv = ["analyze", str(tmp_path / "study.db"), "--study-name", "two", "--out", str(tmp_path)]
    status, out, err = run(argv, capsys)
    assert status == 0, err
    assert "Goals as the study records them: values_0 max, values_1 min." in out
    highest = max(trial.values[0] for trial in two.trials)  # noqa: PD011 (Optuna's, not pandas')
    assert f"values_0 = {highest:.6g} (higher is better)" in out


def test_a_multi_objective_optuna_table_analyses_every_objective(optuna_csvs, capsys):
    folder, _ = optuna_csvs
    status, out, err = run(["analyze", str(folder / "multi.csv"), "--out", str(folder / "m")],
                           capsys)  # fmt: skip
    assert status == 0, err
    assert "all 2 objectives analysed (values_0, values_1)" in out
    assert "objective 2: values_1" in out and "knee configuration:" in out
    front = pd.read_csv(folder / "m" / "pareto.csv")
    assert front["knee"].sum() == 1 and (folder / "m" / "pareto.png").exists()
    argv = ["analyze", str(folder / "multi.csv"), "--target", "values_0", "--target", "values_1"]
    status, _, err = run([*argv, "--goal", "min", "--out", "x"], capsys)
    assert status == 2 and err.count("\n") == 1
    assert "give one --goal per --target: 2 target(s) and 1 goal(s)" in err
    status, _, err = run(["analyze", str(folder / "multi.csv"), "--gam-family", "beta",
                          "--out", "x"], capsys)  # fmt: skip
    assert status == 2 and "--gam-family must be one of gaussian, gamma, log" in err


def test_a_scikit_learn_grid_search_is_read_with_its_scores_maximised(tmp_path, capsys):
    """cv_results_ as GridSearchCV writes it: param_* are the hyperparameters, mean_test_score
    is maximised (its winner is sklearn's rank 1), and max_depth=None is a level of its own."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_digits(return_X_y=True)
    grid = {"max_depth": [2, 4, None], "criterion": ["gini", "entropy"], "min_samples_leaf": [1, 8]}
    search = GridSearchCV(DecisionTreeClassifier(random_state=0), grid, cv=3).fit(x, y)
    pd.DataFrame(search.cv_results_).to_csv(tmp_path / "cv.csv", index=False)
    status, out, err = run(["analyze", str(tmp_path / "cv.csv"), "--out", str(tmp_path)], capsys)
    assert status == 0, err
    winner = int(np.argmin(search.cv_results_["rank_test_score"])) + 1
    best = search.best_score_
    assert f"best run row {winner}: mean_test_score = {best:.6g} (higher is better)\n" in out
    assert "Hyperparameters (all scikit-learn search hyperparameter columns): criterion, " in out
    assert "- max_depth is None in 4 run(s): its values are levels.\n" in out
    assert "Categorical max_depth" in out and "params" not in out.split("Target:")[1]


def test_fanova_and_ped_anova_equal_optunas_on_the_same_trials(optuna_csvs):
    folder, original = optuna_csvs
    analysis = analyze(folder / "trials.csv")
    prepared = analysis.prepared
    study = study_of(prepared)
    expected = {
        "fanova": optuna.importance.get_param_importances(
            study, evaluator=optuna.importance.FanovaImportanceEvaluator(
                max_depth=FANOVA_DEPTH, seed=0)),
        "ped_anova": optuna.importance.get_param_importances(
            study, evaluator=optuna.importance.PedAnovaImportanceEvaluator()),
    }  # fmt: skip
    found, _ = optuna_importances(prepared, seed=0)
    methods = analysis.methods.set_index("parameter")
    for method, numbers in expected.items():
        assert found[method] == numbers
        for name, share in numbers.items():
            assert methods.loc[name, method] == pytest.approx(share / sum(numbers.values()))
    # the table's trials carry the study's own distributions' kinds, so the numbers are close
    # to Optuna's on the original study (bounds are the observed range, not the declared one)
    own = optuna.importance.get_param_importances(
        original, evaluator=optuna.importance.FanovaImportanceEvaluator(max_depth=6, seed=0)
    )
    assert max(own, key=own.get) == max(expected["fanova"], key=expected["fanova"].get) == "x"
    assert study.trials[0].distributions["x"].log


def test_our_folder_on_two_objectives(tmp_path, capsys):
    folder = tmp_path / "sweep"
    folder.mkdir()
    lecture_table(40).to_csv(folder / "results.csv", index=False)
    argv = ["analyze", str(folder), "--target", "test_mse", "--target", "build_seconds",
            "--out", str(tmp_path / "a")]  # fmt: skip
    status, out, err = run(argv, capsys)
    assert status == 0, err
    assert "Targets: test_mse, build_seconds." in out and "objective 2: build_seconds" in out
    assert (tmp_path / "a" / "objective2_importance.csv").exists()


def test_a_wandb_export_as_wandbs_export_code_writes_it(tmp_path, capsys):
    """W&B's documented export: summary._json_dict, config without _ keys, name; to_csv."""
    rng = np.random.default_rng(0)
    summary_list, config_list, name_list = [], [], []
    for i in range(30):
        lr, batch = float(10 ** rng.uniform(-4, -1)), int(rng.choice([16, 32, 64]))
        acc = float(0.9 - 0.05 * (np.log10(lr) + 2.5) ** 2 + rng.normal(0, 0.01))
        summary_list.append({"val_acc": acc, "_step": 9, "_runtime": 12.5, "_timestamp": 1.7e9,
                             "_wandb": {"runtime": 12}})  # fmt: skip
        config_list.append({"lr": lr, "batch_size": batch, "optimizer": ["adam", "sgd"][i % 2]})
        config_list[-1]["model"] = {"hidden": [[64, 64], [128], [32, 32, 64]][i % 3]}
        name_list.append(f"run-{i}")
    states = ["crashed" if i % 10 == 7 else "finished" for i in range(29)] + ["running"]
    runs_df = pd.DataFrame({"summary": summary_list, "config": config_list, "name": name_list,
                            "state": states})  # fmt: skip
    runs_df.to_csv(tmp_path / "project.csv")
    status, _, err = run(["analyze", str(tmp_path / "project.csv"), "--out", "x"], capsys)
    assert status == 2 and err.count("\n") == 1 and "give --target: one of val_acc" in err
    argv = ["analyze", str(tmp_path / "project.csv"), "--target", "val_acc", "--goal", "max",
            "--out", str(tmp_path / "w")]  # fmt: skip
    status, out, err = run(argv, capsys)
    assert status == 0, err
    assert "Hyperparameters (all W&B export hyperparameter columns): lr, batch_size, " in out
    assert "- Dropped 4 run(s) not finished (3 crashed, 1 running).\n" in out
    assert (tmp_path / "w" / "report.html").exists()
    runs_df.drop(columns="state").to_csv(tmp_path / "all.csv")  # the GAM moves depth to 2
    suggested = analyze(tmp_path / "all.csv", target="val_acc", goal="max").gam_config
    assert suggested["model.hidden"] == [64, 64] and suggested["depth"] == 2  # they agree


def test_a_wandb_web_ui_export_leaves_its_run_columns_out(tmp_path, capsys):
    """The CSV W&B's runs table exports: run columns, then config and summary values."""
    rng = np.random.default_rng(1)
    rows = []
    for i in range(12):
        lr = float(10 ** rng.uniform(-4, -1))
        rows.append(
            {
                "Name": f"run-{i}",
                "State": "crashed" if i == 3 else "finished",
                "Notes": "-",
                "User": ["ann", "bob"][i % 2],
                "Tags": "",
                "Sweep": "k3j2",
                "Created": f"2026-01-0{1 + i % 9}T10:00:00.000Z",
                "Runtime": 60 + i,
                "lr": lr,
                "val_acc": 0.9 - 0.05 * (np.log10(lr) + 2.5) ** 2,
                "_step": 9,
            }
        )
    pd.DataFrame(rows).to_csv(tmp_path / "ui.csv", index=False)
    argv = ["analyze", str(tmp_path / "ui.csv"), "--target", "val_acc", "--out", str(tmp_path)]
    status, out, err = run(argv, capsys)
    assert status == 0, err
    assert "run columns Name, State, Notes, User, Tags, Sweep, Created, Runtime, _step left" in out
    assert "Dropped 1 run(s) not finished (1 crashed)." in out
    assert "Hyperparameters (all W&B export hyperparameter columns): lr." in out
    assert "(higher is better)" in out
    (tmp_path / "saved").mkdir()  # the same export saved as a folder's results.csv
    (tmp_path / "saved" / "results.csv").write_bytes((tmp_path / "ui.csv").read_bytes())
    argv = ["analyze", str(tmp_path / "saved"), "--target", "val_acc", "--out", str(tmp_path)]
    status, again, err = run(argv, capsys)
    assert status == 0, err
    assert again.startswith(f"- {tmp_path}/saved/results.csv is not h2osweep's (no name and ")
    assert again.split("\n", 1)[1] == out


@pytest.mark.h2o
def test_an_h2o_grid_search_table_on_digits(digits_h2o, tmp_path, capsys):
    from h2o.estimators import H2ODeepLearningEstimator
    from h2o.grid import H2OGridSearch

    grid = H2OGridSearch(
        H2ODeepLearningEstimator(epochs=1, reproducible=True, seed=1),
        hyper_params={"hidden": [[20], [40, 20]], "l1": [0.0, 0.001, 0.01]},
    )
    grid.train(y=digits_h2o.target, training_frame=digits_h2o.train)
    table = grid.get_grid(sort_by="logloss").sorted_metric_table()  # what users save
    table.to_csv(tmp_path / "grid.csv", index=False)
    status, out, err = run(["analyze", str(tmp_path / "grid.csv"), "--out", str(tmp_path / "g")],
                           capsys)  # fmt: skip
    assert status == 0, err
    assert "H2O grid summary: hyperparameters hidden, l1; metric 'logloss'." in out
    shown = ast.literal_eval(out.split("best run's configuration: ")[1].splitlines()[0])
    assert shown["hidden"] in ([20], [40, 20])  # H2O writes [20] as "20": a list again
    assert (tmp_path / "g" / "report.html").exists()
    for key in grid.model_ids:
        import h2o

        h2o.remove(key)

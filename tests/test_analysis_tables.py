"""Loading results tables: our sweep folder and foreign exports, and choosing the columns."""

import pandas as pd
import pytest

from h2osweep.analysis.tables import choose_columns, load_results, parse_mapping, recognise
from h2osweep.errors import UserInputError
from tests.synthetic import lecture_table, wandb_table


@pytest.fixture
def sweep_folder(tmp_path):
    """A sweep folder whose results.csv has one failed run."""
    table = lecture_table(30)
    table.loc[2, "status"] = "failed"
    table.to_csv(tmp_path / "results.csv", index=False)
    return tmp_path


def test_sweep_folder_keeps_ok_runs_and_hyperparameters(sweep_folder):
    raw = load_results(sweep_folder)
    assert len(raw.frame) == 29
    assert raw.default_target == "test_mse"
    assert set(raw.params) == {
        "depth", "l1", "l2", "input_dropout", "rho", "epsilon", "epochs", "activation",
        "SumNeurons", "MeanHiddenDropout",
    }  # fmt: skip
    assert "Dropped 1 run(s) whose status is not 'ok'." in raw.notes


def test_folder_without_results_is_a_user_error(tmp_path):
    with pytest.raises(UserInputError, match="no results.csv"):
        load_results(tmp_path)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(UserInputError, match="not found"):
        load_results(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(UserInputError, match="empty"):
        load_results(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("a,b\n")
    with pytest.raises(UserInputError, match="empty"):
        load_results(tmp_path / "header.csv")


def test_wandb_export_is_expanded():
    raw = recognise(wandb_table(20), "runs.csv")
    assert raw.kind == "W&B export"
    assert set(raw.params) == {"learning_rate", "batch_size", "optimizer", "weight_decay", "epochs"}
    assert {"val_acc", "val_loss"} <= set(raw.metrics)
    assert "_runtime" not in raw.params


def test_parse_mapping_reads_json_python_and_wandb_value_dicts():
    assert parse_mapping('{"a": 1}') == {"a": 1}
    assert parse_mapping("{'a': 'x', 'b': None}") == {"a": "x", "b": None}
    assert parse_mapping("{'lr': {'value': 0.1}}") == {"lr": 0.1}
    assert parse_mapping(float("nan")) == {}
    assert parse_mapping("not a dict") == {}


def test_optuna_trials_table():
    frame = pd.DataFrame(
        {
            "number": [0, 1, 2],
            "value": [0.3, 0.2, 0.5],
            "params_lr": [0.1, 0.01, 0.001],
            "params_opt": ["a", "b", "a"],
            "state": ["COMPLETE"] * 3,
        }
    )
    raw = recognise(frame, "trials.csv")
    assert raw.params == ["lr", "opt"]
    assert raw.default_target == "value"


def test_h2o_grid_summary_table():
    frame = pd.DataFrame(
        {
            "hidden": ["[10, 10]", "[20]"],
            "l1": [0.1, 0.2],
            "model_ids": ["a", "b"],
            "logloss": [1.0, 2.0],
        }
    )
    raw = recognise(frame, "grid.csv")
    assert raw.params == ["hidden", "l1"]
    assert raw.default_target == "logloss"


def test_plain_table_recognises_ids_and_metrics():
    frame = pd.DataFrame(
        {
            "run_id": ["r1", "r2", "r3", "r4", "r5"],
            "lr": [0.1, 0.2, 0.3, 0.4, 0.5],
            "label": ["a", "b", "c", "d", "e"],
            "val_loss": [1, 2, 3, 4, 5],
            "train_acc": [1, 2, 3, 4, 5],
        }
    )
    raw = recognise(frame, "x.csv")
    assert raw.params == ["lr"]
    assert raw.metrics == ["val_loss", "train_acc"]


def test_choose_columns_says_what_was_chosen_and_rejects_unknowns():
    raw = recognise(wandb_table(20), "runs.csv")
    target, params, notes = choose_columns(raw, "val_acc", None)
    assert target == "val_acc" and "optimizer" in params
    assert notes[0].startswith("Target: val_acc. Hyperparameters (all W&B export")
    with pytest.raises(UserInputError, match=r"unknown target 'acc'; columns: name, "):
        choose_columns(raw, "acc", None)
    with pytest.raises(UserInputError, match="unknown params column"):
        choose_columns(raw, "val_acc", ["lr"])
    with pytest.raises(UserInputError, match="give target"):
        choose_columns(raw, None, None)
    with pytest.raises(UserInputError, match="^params lists no column"):
        choose_columns(raw, "val_acc", [])
    _, params, notes = choose_columns(raw, "val_acc", ["epochs"])
    assert params == ["epochs"] and "given by params" in notes[0]


def test_an_h2o_grid_tables_one_layer_hidden_is_suggested_as_a_list():
    """H2O's grid table writes hidden [10] as "10" beside "[5, 5]": a configuration shown or
    retrained from it has the list, as H2O takes it."""
    from h2osweep.analysis import analyze

    hidden = ["10", "[5, 5]", "20", "[10, 10]", "5", "[20, 20]"] * 2
    frame = pd.DataFrame({"hidden": hidden, "l1": [0.0, 0.001, 0.01] * 4,
                          "model_ids": [f"grid_model_{i}" for i in range(12)],
                          "logloss": [0.3, 0.5, 0.2, 0.6, 0.4, 0.7, 0.35, 0.55, 0.25, 0.65, 0.45,
                                      0.75]})  # fmt: skip
    analysis = analyze(frame)
    assert analysis.best_config["hidden"] == [20]
    assert isinstance(analysis.gam_config["hidden"], list)


def test_a_label_like_column_and_a_repeated_name_are_said(tmp_path):
    """A model column whose every architecture ran once is left out as an id, and the note
    says how to keep it; a name the file repeats is said to be read twice."""
    from h2osweep.analysis.tables import load_results

    models = ["resnet18", "resnet34", "vgg16", "mlp", "vit", "lenet"]
    frame = pd.DataFrame({"model": models, "lr": [0.1, 0.01] * 3, "val_acc": [0.8, 0.82] * 3})
    frame.to_csv(tmp_path / "models.csv", index=False)
    notes = load_results(tmp_path / "models.csv").notes
    assert notes[0] == (
        "Plain table 'models.csv': columns model look like ids (model: a different text in "
        "every run, as a run's label has; name it among the params to analyse it)."
    )
    (tmp_path / "twice.csv").write_text("epoch,lr,epoch,loss\n1,0.1,1,0.5\n2,0.2,2,0.4\n")
    assert load_results(tmp_path / "twice.csv").notes[-1] == (
        "Column epoch appears more than once: the later ones are read as epoch.1, …, each a "
        "column of its own."
    )

"""The blog's preprocessing, and that each step is reported in the notes."""

import json

import numpy as np
import pandas as pd
import pytest

from h2osweep.analysis.preprocess import prepare
from h2osweep.errors import UserInputError


@pytest.fixture
def messy():
    """A small foreign table: a categorical with a gap, a number with a gap, a missing target."""
    return pd.DataFrame(
        {
            "lr": [0.1, np.nan, 0.3, 0.4, 0.5, 0.6],
            "optimizer": ["sgd", "adam", None, "adam", "rmsprop", "adam"],
            "layers": ["[10, 20]", "[5]", "[1, 2, 3]", "[4]", "[8, 8]", "[9]"],
            "dropouts": ["[0.1, 0.3]", "[0.5]", "[0, 0, 0.3]", "[0.2]", "[0.4, 0.4]", "[0.1]"],
            "constant": [7, 7, 7, 7, 7, 7],
            "acc": [0.5, 0.6, 0.7, np.nan, 0.9, 0.8],
        }
    )


def test_preprocessing_steps(messy):
    params = ["lr", "optimizer", "layers", "dropouts", "constant"]
    p = prepare(messy, "acc", params, "max")
    assert len(p.y) == 5
    assert p.table["lr"].tolist() == pytest.approx(
        [0.1, np.mean([0.1, 0.3, 0.5, 0.6]), 0.3, 0.5, 0.6]
    )
    assert p.categorical == {"optimizer": ["adam", "rmsprop", "sgd"]}
    assert p.table["optimizer_adam"].tolist() == [0, 1, 1, 0, 1]  # the gap got the mode, adam
    assert p.treatment == ["lr", "depth", "SumNeurons", "MeanHiddenDropout"] + [
        "optimizer_rmsprop",
        "optimizer_sgd",
    ]
    assert p.table["depth"].tolist() == [2, 1, 3, 2, 1]
    assert p.table["SumNeurons"].tolist() == [30, 5, 6, 16, 9]
    assert p.table["MeanHiddenDropout"].tolist() == pytest.approx([0.2, 0.5, 0.1, 0.4, 0.1])
    assert "depth" in p.integers and "lr" not in p.integers
    text = "\n".join(p.notes)
    for expected in (
        "Dropped 1 run(s) whose acc is missing.",
        "Filled 1 missing lr with the column mean",
        "Filled 1 missing optimizer with its most frequent level 'adam'.",
        "reference level for OLS: 'adam'",
        "Dropped constant: constant (7",
        "List-valued layers replaced by depth, SumNeurons.",
    ):
        assert expected in text


def test_target_checks():
    frame = pd.DataFrame(
        {"x": [1, 2, 3], "y": ["a", "b", "c"], "z": [np.nan] * 3, "w": [1, np.nan, np.nan]}
    )
    with pytest.raises(UserInputError, match="target 'y' is not numeric"):
        prepare(frame, "y", ["x"])
    with pytest.raises(UserInputError, match="target 'z' is missing in every run"):
        prepare(frame, "z", ["x"])
    with pytest.raises(UserInputError, match="need at least 2 runs with a w to analyse, found 1"):
        prepare(frame, "w", ["x"])
    with pytest.raises(UserInputError, match=r"target 'x' has a single value \(1\) in every"):
        prepare(frame.assign(x=1), "x", ["w"])


def test_infinite_values_are_a_diverged_run_and_a_gap():
    """A diverged run (loss inf) is dropped, an infinite hyperparameter filled like a gap."""
    frame = pd.DataFrame(
        {"lr": [0.1, np.inf, 0.3, 0.4], "bs": [1, 2, 3, 4], "loss": [0.5, 0.4, np.inf, 0.2]}
    )
    p = prepare(frame, "loss", ["lr", "bs"])
    assert p.notes[:2] == [
        "Dropped 1 run(s) whose loss is infinite (diverged).",
        "Counted 1 infinite lr as missing.",
    ]
    assert p.table["lr"].tolist() == pytest.approx([0.1, 0.25, 0.4])
    assert np.isfinite(p.table.to_numpy()).all()


def test_a_conditional_parameter_is_said_to_be_one():
    """Optuna's `momentum` exists only where `optimizer` is sgd: its mean-filled gaps are runs
    that never used it, and the note says so; a gap with no such pattern is a plain gap."""
    frame = pd.DataFrame(
        {
            "optimizer": ["sgd", "adam", "sgd", "rmsprop", "sgd", "adam"],
            "momentum": [0.9, np.nan, 0.5, np.nan, 0.7, np.nan],
            "lr": [0.1, 0.2, np.nan, 0.4, 0.5, 0.6],
            "loss": [0.5, 0.4, 0.3, 0.2, 0.1, 0.6],
        }
    )
    notes = prepare(frame, "loss", ["optimizer", "momentum", "lr"]).notes
    assert notes[0] == (
        "Filled 3 missing momentum with the column mean 0.7; momentum is set only where "
        "optimizer is sgd (a conditional parameter): the other runs never used it."
    )
    assert notes[1] == "Filled 1 missing lr with the column mean 0.36."


def test_numeric_text_is_numeric_and_lists_parse():
    frame = pd.DataFrame(
        {"a": ["1", "2", "3"], "hidden": [json.dumps([3, 4])] * 2 + ["[5]"], "y": [1, 2, 3]}
    )
    p = prepare(frame, "y", ["a", "hidden"])
    assert p.numeric == ["a", "depth", "SumNeurons"]


def test_own_summary_column_beside_layer_lists():
    """A table's own `depth` beside `hidden` lists: analysed as it is, and said when it is not
    the lists' layer count (then [10, 10] and [20] differ in nothing the analysis sees)."""
    table = pd.DataFrame(
        {
            "hidden": ["[10, 10]", "[20]", "[5, 5, 10]", "[30]"],
            "depth": [1, 1, 2, 2],
            "valid_mse": [0.1, 0.2, 0.15, 0.3],
        }
    )
    p = prepare(table, "valid_mse", ["hidden", "depth"])
    assert p.table["depth"].tolist() == [1, 1, 2, 2]
    assert p.notes[-1] == (
        "The table's own depth is analysed, not the depth of hidden's lists (they differ in 3 "
        "run(s)); rename that column to analyse both."
    )
    table["depth"] = [2, 1, 3, 1]
    notes = prepare(table, "valid_mse", ["hidden", "depth"]).notes
    assert not any("own depth" in note for note in notes)

"""Grid values H2O cannot take are refused in one line; H2O's own refusals are kept in one line."""

from __future__ import annotations

import math

import pytest

from h2osweep.errors import UserInputError
from h2osweep.record.runs import FAILED, RunSpec
from h2osweep.search.fixed import grid_plan
from h2osweep.space import expand_grid
from h2osweep.training.flight import train_one
from h2osweep.training.jobs import MAX_ERROR_CHARS
from h2osweep.training.parameters import h2o_parameters
from h2osweep.training.scheduler import TrainSettings
from tests.conftest import run_cli


@pytest.mark.parametrize(
    "factors, message",
    [
        (
            {"layers": [1.5], "units": [4]},
            "parameter 'layers' must be a whole number >= 1, but got 1.5",
        ),
        (
            {"layers": [1], "units": [4.5]},
            "parameter 'units' must be a whole number >= 1, but got 4.5",
        ),
        ({"layers": [0]}, "parameter 'layers' must be a whole number >= 1, but got 0"),
        ({"hidden": [[]]}, "parameter 'hidden' needs at least one layer, but got []"),
        ({"neurons": [[]]}, "parameter 'neurons' needs at least one layer, but got []"),
        ({"rate": [math.inf]}, "parameter 'rate' must be a finite number, but got inf"),
        ({"l1": [1e400]}, "parameter 'l1' must be a finite number, but got inf"),
        ({"l2": [math.nan]}, "parameter 'l2' must be a finite number, but got nan"),
        ({"epochs": [math.inf]}, "parameter 'epochs' must be a finite number, but got inf"),
        (
            {"hidden": [[50, math.inf]]},
            "parameter 'hidden' must be a finite number, but got [50, inf]",
        ),
        (
            {"units": [4, 8]},
            "parameter 'units' needs 'layers' (hidden = [units] * layers): add a 'layers' value",
        ),
        (
            {"layers": [2], "hidden": [[50]]},
            "give the hidden layers once: as 'hidden' or as layers/units, not both",
        ),
    ],
)
def test_values_h2o_cannot_take_are_refused_when_the_grid_is_planned(factors, message):
    with pytest.raises(UserInputError) as refused:
        grid_plan(expand_grid(**factors))
    assert str(refused.value) == message


def test_a_flat_hidden_list_names_hidden_and_shows_the_list_of_lists_syntax():
    with pytest.raises(UserInputError) as refused:
        grid_plan(expand_grid(hidden=[50, 50]))
    assert str(refused.value) == (
        "parameter 'hidden' takes a list of layer sizes, but got 50: write each value as a list, "
        "e.g. hidden=[[50, 50]] or hidden=[[50, 50], [100]]"
    )


def test_whole_floats_are_layers_and_the_python_api_does_not_truncate():
    (run,) = grid_plan(expand_grid(layers=[2.0], units=[4.0])).runs
    assert h2o_parameters(run.config)["hidden"] == [4, 4]
    with pytest.raises(UserInputError, match="'layers' must be a whole number >= 1, but got 2.5"):
        h2o_parameters({"layers": 2.5, "units": 4})


def test_unknown_parameter_says_any_estimator_argument_is_allowed():
    with pytest.raises(UserInputError) as refused:
        grid_plan(expand_grid(epoch=[1]))
    message = str(refused.value)
    assert message.startswith("unknown parameter 'epoch' (did you mean 'epochs'")
    assert "any H2ODeepLearningEstimator argument" in message
    assert "layers/units" in message


@pytest.mark.parametrize(
    "value, message",
    [
        ("layers=1.5", "parameter 'layers' must be a whole number >= 1, but got 1.5"),
        ("l1=1e400", "parameter 'l1' must be a finite number, but got inf"),
        ("hidden=[50,50]", "write each value as a list, e.g. --param 'hidden=[[50,50]]'"),
    ],
)
def test_cli_refuses_them_in_one_line_with_status_2(tmp_path, value, message):
    result = run_cli("grid", "--param", value, "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def _failure(config: dict, digits_h2o, budget=None, **settings) -> str:
    """The stored error of one run H2O refuses, trained the way a sweep trains it."""
    spec = RunSpec("g_1", config, budget=budget)
    result = train_one(spec, digits_h2o, TrainSettings(**settings))
    assert result.status == FAILED
    assert "\n" not in result.error and "\\n" not in result.error
    return result.error


@pytest.mark.h2o
def test_h2o_refusal_keeps_the_reason_not_the_generic_header(digits_h2o):
    # a run's own budget reaches H2O unchecked: the h2o client's "inf" is H2O's to refuse
    error = _failure({"hidden": [4]}, digits_h2o, budget=math.inf)
    assert error == (
        "Illegal argument for field: epochs of schema: DeepLearningParametersV3: "
        'cannot convert "inf" to type double'
    )


@pytest.mark.h2o
def test_h2o_refused_fields_are_joined_in_one_line(digits_h2o):
    error = _failure({"hidden": [0], "input_dropout_ratio": 2.0}, digits_h2o, epochs=1)
    assert error == (
        "hidden: Hidden layer size must be positive; "
        "input_dropout_ratio: Input dropout must be >= 0 and <1"
    )


@pytest.mark.h2o
def test_a_long_h2o_refusal_is_cut_with_an_ellipsis(digits_h2o):
    config = {"hidden": [0, 4], "hidden_dropout_ratios": [0.5], "input_dropout_ratio": 1.0}
    config |= {"distribution": "poisson", "l1": -1.0, "l2": -1.0, "max_w2": -1.0}
    error = _failure(config, digits_h2o, epochs=1)
    assert len(error) == MAX_ERROR_CHARS and error.endswith("...")
    assert error.startswith("hidden: Hidden layer size must be positive; hidden_dropout_ratios:")

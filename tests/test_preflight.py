"""Values H2O's model builder refuses are one line before any build (its own check of the
parameters against the frames); a row that fails only for its combination of values still
trains the others."""

from __future__ import annotations

import pytest

from h2osweep.data.sources import digits_frame
from h2osweep.errors import UserInputError
from h2osweep.record.runs import RunSpec
from h2osweep.training.preflight import check_builds
from h2osweep.training.scheduler import TrainSettings
from tests.conftest import cli

pytestmark = pytest.mark.h2o
LIB = "h2osweep: error: "
TINY = ["--param", "units=4", "--param", "layers=1", "--epochs", "1"]


@pytest.fixture(scope="module")
def wide_sample_rate(tmp_path_factory):
    """A GBM space whose sample_rate reaches past H2O's range (0, 1]."""
    path = tmp_path_factory.mktemp("space") / "gbm.toml"
    path.write_text("[ntrees]\nsample = [2, 3]\n\n[sample_rate]\nrunif = [0.5, 1.6]\n")
    return path


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ["grid", *TINY, "--param", "input_dropout=0.1,1.5"],
            "parameter 'input_dropout' cannot be 1.5: H2O's deeplearning says \"Input dropout "
            'must be >= 0 and <1." (in g_2; no model was built)',
        ),
        (
            ["grid", "--algorithm", "gbm", "--param", "ntrees=2", "--param", "learn_rate=0.1,0"],
            "parameter 'learn_rate' cannot be 0.0: H2O's gbm says \"learn_rate must be between "
            '0 and 1" (in g_2; no model was built)',
        ),
        (
            ["grid", "--algorithm", "glm", "--param", "family=gaussian"],
            "H2O's glm refuses every run checked, g_1 first: response: Regression requires "
            "numeric response, got categorical. (no model was built)",
        ),
    ],
)
def test_a_value_h2o_refuses_is_one_line_and_nothing_is_written(
    h2o_cluster, tmp_path, command, message
):
    out = tmp_path / "sweep"
    outcome = cli(*command, "--url", h2o_cluster.url, "--out", out)
    assert (outcome.status, outcome.stderr) == (2, f"{LIB}{message}\n")
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "run"),
    [(["random", "--n-runs", "3"], "m_"), (["search", "--n-runs", "3"], "space_draw_")],
)
def test_a_space_reaching_past_h2os_range_is_refused(
    h2o_cluster, tmp_path, wide_sample_rate, command, run
):
    space = ["--algorithm", "gbm", "--space", wide_sample_rate]
    outcome = cli(*command, *space, "--url", h2o_cluster.url, "--out", tmp_path / "s")
    assert outcome.status == 2
    assert outcome.stderr.startswith(f"{LIB}parameter 'sample_rate' cannot be 1.")
    assert "but it is 1." in outcome.stderr and f"(in {run}" in outcome.stderr
    assert outcome.stderr.endswith("; no model was built)\n") and outcome.stderr.count("\n") == 1


def _run(name: str, layers: int, units: int, dropout: list[float]) -> RunSpec:
    return RunSpec(name, {"layers": layers, "units": units, "hidden_dropout_ratios": dropout})


def test_a_value_refused_only_with_other_values_is_left_to_the_build(digits_h2o):
    """r_3, which no covering check reaches, shows [0.1] is fine with one layer."""
    runs = [_run("r_1", 2, 8, [0.1]), _run("r_2", 1, 16, [0.2]), _run("r_3", 1, 8, [0.1])]
    check_builds(runs, digits_h2o, TrainSettings(epochs=1))
    with pytest.raises(UserInputError, match=r"'hidden_dropout_ratios' cannot be \[0.1\]"):
        check_builds(runs[:2], digits_h2o, TrainSettings(epochs=1))


def test_a_regression_on_cluster_data_refuses_a_classification_metric(h2o_cluster, tmp_path):
    """The task of data the cluster reads is known once it is imported: checked then."""
    path = tmp_path / "regression.csv"
    frame = digits_frame().head(300)
    frame.assign(label=frame["label"] + 0.5).to_csv(path, index=False)
    outcome = cli(
        *["random", "--seeds", "1", "--epochs", "1", "--data", path, "--data-on-cluster"],
        *["--target", "label", "--metric", "logloss", "--url", h2o_cluster.url],
        *["--out", tmp_path / "s"],
    )
    assert outcome.status == 2
    assert outcome.stderr == (
        f"{LIB}--metric valid_logloss is measured for classification only, and the target is "
        "numeric (a regression): choose mse, rmse or r2\n"
    )
    assert not (tmp_path / "s").exists()

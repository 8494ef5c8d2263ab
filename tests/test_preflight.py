"""Values H2O's model builder refuses are one line before any build (its own check of the
parameters against the frames); a row that fails only for its combination of values still
trains the others."""

from __future__ import annotations

import pandas as pd
import pytest

from h2osweep.data.sources import digits_frame
from h2osweep.errors import UserInputError
from h2osweep.record.runs import RunSpec
from h2osweep.search.base import space_draws
from h2osweep.search.fixed import grid_plan
from h2osweep.space import expand_grid
from h2osweep.space.space_file import read_space_file
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
            "parameter 'input_dropout' = 1.5 is refused in every run of the sweep it was tried in: "
            'H2O\'s deeplearning says "Input dropout must be >= 0 and <1." (first in g_2; no model '
            "was built)",
        ),
        (
            ["grid", "--algorithm", "gbm", "--param", "ntrees=2", "--param", "learn_rate=0.1,0"],
            "parameter 'learn_rate' = 0.0 is refused in every run of the sweep it was tried in: "
            'H2O\'s gbm says "learn_rate must be between 0 and 1" (first in g_2; no model was '
            "built)",
        ),
        (
            ["grid", "--algorithm", "glm", "--param", "family=gaussian"],
            "H2O's glm refuses each of the 1 run(s) checked, g_1 first: response: Regression "
            "requires numeric response, got categorical. (no model was built)",
        ),
        (  # H2O names the family, which the grid does not set: every key of g_2 is tried
            [
                "grid",
                "--algorithm",
                "glm",
                "--param",
                "link=family_default,logit",
                "--param",
                "alpha=0,0.5",
            ],
            "parameter 'link' = \"logit\" is refused in every run of the sweep it was tried in: "
            "H2O's glm says \"AUTO for underlying response requires the link to be family_default "
            'or multinomial." (first in g_2; no model was built)',
        ),
        (  # raised as an IllegalArgumentException, naming no field
            [
                "grid",
                "--algorithm",
                "glm",
                "--param",
                "family=multinomial",
                "--param",
                "link=family_default,logit",
            ],
            "parameter 'link' = \"logit\" is refused in every run of the sweep it was tried in: "
            "H2O's glm says \"Incompatible link function for selected family. Only multinomial "
            'link allowed for family=multinomial." (first in g_2; no model was built)',
        ),
        (
            ["grid", "--algorithm", "glm", "--param", "family=multinomial", "--param", "link=log"],
            "H2O's glm refuses each of the 1 run(s) checked, g_1 first: Incompatible link "
            "function for selected family. Only multinomial link allowed for family=multinomial. "
            "(no model was built)",
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
    [
        (["random", "--n-runs", "3"], "m_"),
        (["search", "--n-runs", "3"], "the space's draw for seed "),
    ],
)
def test_a_space_reaching_past_h2os_range_is_refused(
    h2o_cluster, tmp_path, wide_sample_rate, command, run
):
    space = ["--algorithm", "gbm", "--space", wide_sample_rate]
    outcome = cli(*command, *space, "--url", h2o_cluster.url, "--out", tmp_path / "s")
    assert outcome.status == 2
    assert outcome.stderr.startswith(f"{LIB}parameter 'sample_rate' = 1.")
    assert "but it is 1." in outcome.stderr and f"(first in {run}" in outcome.stderr
    assert outcome.stderr.endswith("; no model was built)\n") and outcome.stderr.count("\n") == 1


def _run(name: str, layers: int, units: int, dropout: list[float]) -> RunSpec:
    return RunSpec(name, {"layers": layers, "units": units, "hidden_dropout_ratios": dropout})


def test_a_value_refused_only_with_other_values_is_left_to_the_build(digits_h2o):
    """[0.1] is refused with two layers, and [0.2] does not mend that run: the layers do."""
    runs = [_run("r_1", 2, 8, [0.1]), _run("r_2", 1, 16, [0.2]), _run("r_3", 1, 8, [0.1])]
    check_builds(runs, digits_h2o, TrainSettings(epochs=1))
    check_builds(runs[:2], digits_h2o, TrainSettings(epochs=1))


@pytest.mark.parametrize("activation_first", [True, False])
def test_the_order_of_a_grids_factors_cannot_make_a_combination_a_value(
    digits_h2o, activation_first
):
    """Dropout ratios fail with Rectifier and train with RectifierWithDropout, whichever
    factor varies fastest."""
    factors = {"l1": [0, 0.001, 0.002, 0.003], "hidden_dropout_ratios": [[0.1]]}
    activation = {"activation": ["Rectifier", "RectifierWithDropout"]}
    factors = activation | factors if activation_first else factors | activation
    plan = grid_plan(expand_grid(layers=[1], units=[4], **factors))
    check_builds(plan.example_runs(), digits_h2o, TrainSettings(epochs=1))


def test_a_space_whose_draws_fail_only_in_combination_is_not_refused(digits_h2o, tmp_path):
    """Half the draws pair dropout ratios with Rectifier; the dropout values are fine."""
    path = tmp_path / "act.toml"
    path.write_text(
        "[depth]\nsample = [1, 2]\n\n"
        '[neurons]\nsample = [4, 8]\nstep = 4\nper_layer = "depth"\n\n'
        '[hidden_dropout]\nrunif = [0, 0.3]\nper_layer = "depth"\n\n'
        '[activation]\nchoice = ["Rectifier", "RectifierWithDropout"]\n'
    )
    check_builds(space_draws(read_space_file(path)), digits_h2o, TrainSettings(epochs=1))


def test_a_value_refused_in_every_run_is_refused(digits_h2o):
    plan = grid_plan(expand_grid(layers=[1], units=[4], input_dropout=[0.1, 1.5, 0.2]))
    with pytest.raises(UserInputError, match="'input_dropout' = 1.5 is refused in every run"):
        check_builds(plan.example_runs(), digits_h2o, TrainSettings(epochs=1))


def test_a_resume_is_not_checked_again(h2o_cluster, digits_local, tmp_path, monkeypatch):
    """Its values were checked when it started, or trained as they were before the check."""
    from h2osweep.cluster import ClusterOptions
    from h2osweep.search.fixed import random_plan
    from h2osweep.sweep import SweepOptions, engine, run_sweep

    def sweep(seeds):
        options = SweepOptions(tmp_path, parallel=1, quiet=True)
        cluster = ClusterOptions(url=h2o_cluster.url)
        return run_sweep(
            random_plan(seeds), digits_local, TrainSettings(epochs=0.05), options, cluster
        )

    sweep([1])
    monkeypatch.setattr(engine, "check_builds", lambda *args: pytest.fail("checked again"))
    assert sweep([1, 2]).trained == 1


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


def test_a_combination_fails_as_a_run_with_h2os_reason_alone(h2o_cluster, tmp_path):
    """The run's error is H2O's reason, not its response's timestamp and URL (the reason
    holds a quote, so the client prints it in double quotes)."""
    grid = [
        "--param",
        "activation=Tanh,TanhWithDropout",
        "--param",
        "hidden_dropout_ratios=[[0.1]]",
    ]
    out = tmp_path / "sweep"
    outcome = cli("grid", *TINY, *grid, "--url", h2o_cluster.url, "--out", out)
    assert outcome.status == 1
    error = pd.read_csv(out / "results.csv")["error"][0]
    assert error == (
        "hidden_dropout_ratios: Cannot specify hidden_dropout_ratios with a non-dropout "
        "activation function. Use 'RectifierWithDropout', 'TanhWithDropout', etc"
    )
    assert f"g_1          failed: {error} |" in outcome.stderr


def test_a_value_h2o_takes_in_another_run_is_not_blamed(digits_h2o):
    """ologit fails with multinomial (raised, naming no field) but is taken with ordinal, a run
    the covering checks: the run fails on its own, the sweep is not refused."""
    grid = expand_grid(link=["ologit", "family_default"], family=["multinomial", "ordinal"])
    check_builds(grid_plan(grid, "glm").example_runs(), digits_h2o, TrainSettings(algorithm="glm"))

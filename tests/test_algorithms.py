"""Every algorithm on the session's H2O: GBM and DRF random searches and a GLM grid with the full
metric columns (parallel equal to sequential, run by run), parameters checked against the
cluster's own schema before anything is written, the lecture's file giving today's lecture
sweep, a folder keeping its algorithm, and the analysis of sweeps without hidden layers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from h2osweep.analysis.preprocess import prepare
from h2osweep.analysis.tables import choose_columns, load_results
from h2osweep.cluster import free_port_pair
from h2osweep.errors import UserInputError
from h2osweep.record.columns import METRIC_COLUMNS
from h2osweep.space import read_space_file
from h2osweep.store.results_store import read_configs
from h2osweep.training.algorithms import builder_parameters
from h2osweep.training.parameters import check_on_cluster
from tests.conftest import REPO
from tests.conftest import recorded_main as main

pytestmark = pytest.mark.h2o
SPACES = REPO / "docs" / "spaces"
TINY = {
    "gbm": (
        "[ntrees]\nsample = [2, 4]\n[max_depth]\nsample = [1, 2]\n"
        "[learn_rate]\nloguniform = [0.05, 0.3]\n[sample_rate]\nrunif = [0.6, 1]\nstep = 0.1\n"
        '[histogram_type]\nchoice = ["UniformAdaptive", "RoundRobin"]\n'
    ),
    "drf": (
        "[ntrees]\nsample = [2, 4]\n[max_depth]\nsample = [2, 4]\n"
        "[min_rows]\nsample = [1, 16]\nlog = true\n[sample_rate]\nrunif = [0.5, 0.9]\n"
    ),
}
GLM = "[alpha]\nrunif = [0, 1]\n[lambda]\nloguniform = [1e-4, 1e-1]\n"


def _sweep(arguments: list[str], url: str) -> None:
    assert main([*arguments, "--url", url, "--quiet"]) == 0


@pytest.fixture(scope="module")
def random_sweeps(h2o_cluster, tmp_path_factory):
    """For gbm and drf: a 6-run random search with two builds in flight, and one with one."""
    folders = {}
    for algorithm, space in TINY.items():
        root = tmp_path_factory.mktemp(algorithm)
        (root / "space.toml").write_text(space)
        for parallel in ("2", "1"):
            out = root / f"parallel{parallel}"
            arguments = ["random", "--algorithm", algorithm, "--space", str(root / "space.toml")]
            arguments += ["--n-runs", "6", "--parallel", parallel, "--out", str(out)]
            _sweep(arguments, h2o_cluster.url)
            folders[algorithm, parallel] = out
    return folders


@pytest.mark.parametrize("algorithm", ["gbm", "drf"])
def test_random_searches_complete_with_every_metric_and_the_files_draws(random_sweeps, algorithm):
    table = pd.read_csv(random_sweeps[algorithm, "2"] / "results.csv")
    assert list(table["name"]) == [f"m_{seed}" for seed in range(1, 7)]
    assert set(table["status"]) == {"ok"}
    assert table[METRIC_COLUMNS].notna().all().all()
    assert not {"depth", "SumNeurons", "MeanHiddenDropout"} & set(table.columns)
    space = read_space_file(random_sweeps[algorithm, "2"].parent / "space.toml")
    configs = read_configs(random_sweeps[algorithm, "2"])
    assert [configs[f"m_{seed}"] for seed in range(1, 7)] == [space.sample(s) for s in range(1, 7)]
    definition = json.loads((random_sweeps[algorithm, "2"] / "sweep.json").read_text())
    assert definition["definition"]["training"]["algorithm"] == algorithm


@pytest.mark.parametrize("algorithm", ["gbm", "drf"])
def test_parallel_equals_sequential_run_by_run(random_sweeps, algorithm):
    both = [
        pd.read_csv(random_sweeps[algorithm, parallel] / "results.csv").set_index("name")
        for parallel in ("2", "1")
    ]
    pd.testing.assert_frame_equal(both[0][METRIC_COLUMNS], both[1][METRIC_COLUMNS])


def test_a_glm_grid_completes_with_every_metric(h2o_cluster, tmp_path):
    grid = ["grid", "--algorithm", "glm", "--param", "alpha=0,1", "--param", "lambda=0.1"]
    grid += ["--report-every", "50"]  # the report, refreshed at the end, is tested elsewhere
    _sweep([*grid, "--out", str(tmp_path / "glm")], h2o_cluster.url)
    table = pd.read_csv(tmp_path / "glm" / "results.csv")
    assert list(table["name"]) == ["g_1", "g_2"] and list(table["alpha"]) == [0, 1]
    assert set(table["status"]) == {"ok"} and table[METRIC_COLUMNS].notna().all().all()


@pytest.mark.parametrize("algorithm", ["drf", "xgboost"])
def test_a_tree_grid_completes_with_every_metric(h2o_cluster, tmp_path, algorithm):
    grid = ["grid", "--algorithm", algorithm, "--param", "ntrees=2", "--param", "max_depth=2,3"]
    _sweep([*grid, "--out", str(tmp_path / algorithm)], h2o_cluster.url)
    table = pd.read_csv(tmp_path / algorithm / "results.csv")
    assert list(table["max_depth"]) == [2, 3] and set(table["ntrees"]) == {2}
    assert set(table["status"]) == {"ok"} and table[METRIC_COLUMNS].notna().all().all()


def test_a_glm_random_search_draws_its_file(h2o_cluster, tmp_path):
    (tmp_path / "glm.toml").write_text(GLM)
    arguments = ["random", "--algorithm", "glm", "--space", str(tmp_path / "glm.toml")]
    _sweep([*arguments, "--seeds", "3", "4", "--out", str(tmp_path / "out")], h2o_cluster.url)
    table = pd.read_csv(tmp_path / "out" / "results.csv").set_index("name")
    space = read_space_file(tmp_path / "glm.toml")
    assert table.loc["m_3", "alpha"] == space.sample(3)["alpha"]
    assert set(table["status"]) == {"ok"} and table[METRIC_COLUMNS].notna().all().all()


@pytest.mark.parametrize("algorithm", ["drf", "glm", "xgboost"])
def test_a_model_based_search_runs_each_algorithm(h2o_cluster, tmp_path, algorithm):
    spaces = {"drf": TINY["drf"], "glm": GLM, "xgboost": "[ntrees]\nsample = [2, 3]\n"}
    (tmp_path / "space.toml").write_text(spaces[algorithm])
    arguments = ["search", "--algorithm", algorithm, "--space", str(tmp_path / "space.toml")]
    arguments += ["--report-every", "50"] if algorithm == "drf" else []
    _sweep([*arguments, "--n-runs", "2", "--out", str(tmp_path / "tpe")], h2o_cluster.url)
    table = pd.read_csv(tmp_path / "tpe" / "results.csv")
    assert table["status"].tolist() == ["ok", "ok"] and table["valid_mse"].notna().all()


@pytest.mark.parametrize("name, algorithm", [("gbm", "gbm"), ("xgboost", "xgboost")])
def test_the_example_spaces_pass_the_clusters_schema(h2o_cluster, name, algorithm):
    space = read_space_file(SPACES / f"{name}.toml")
    check_on_cluster(space.examples(), algorithm)
    assert set(space) <= set(builder_parameters(algorithm))


def test_an_xgboost_run_trains_where_the_cluster_has_it(h2o_cluster, tmp_path):
    (tmp_path / "space.toml").write_text("[ntrees]\nsample = [2, 3]\n[max_depth]\nvalue = 2\n")
    arguments = ["random", "--algorithm", "xgboost", "--space", str(tmp_path / "space.toml")]
    _sweep([*arguments, "--seeds", "5", "--out", str(tmp_path / "out")], h2o_cluster.url)
    table = pd.read_csv(tmp_path / "out" / "results.csv")
    assert table["status"].tolist() == ["ok"] and table[METRIC_COLUMNS].notna().all().all()


@pytest.mark.parametrize(
    "values, message",
    [
        ({"max_dept": [2]}, "unknown parameter 'max_dept' for gbm (did you mean 'max_depth'"),
        ({"max_depth": [2.5]}, "'max_depth' of gbm takes a whole number (H2O type int)"),
        ({"max_depth": [True]}, "'max_depth' of gbm takes a whole number (H2O type int)"),
        ({"learn_rate": ["fast"]}, "'learn_rate' of gbm takes a number (H2O type double)"),
        ({"histogram_type": ["Uniform"]}, "takes one of AUTO, UniformAdaptive, Random"),
        ({"fold_column": ["y"]}, "'fold_column' of gbm (H2O type VecSpecifier) cannot be swept"),
        ({"checkpoint": ["m"]}, "'checkpoint' of gbm (H2O type Key<Model>) cannot be swept"),
        ({"sample_rate_per_class": [[0.5, "a"]]}, "takes a number, or a list of them"),
    ],
)
def test_the_clusters_schema_refuses_names_and_types(h2o_cluster, values, message):
    with pytest.raises(UserInputError) as refused:
        check_on_cluster(values, "gbm")
    assert message in str(refused.value)


def test_the_clusters_schema_takes_enums_in_any_case_and_arrays_as_one_value(h2o_cluster):
    check_on_cluster({"histogram_type": ["uniformadaptive"], "ntrees": [3]}, "gbm")
    check_on_cluster({"alpha": [0.5, [0.1, 0.9]], "lambda": [1e-3], "depth": [3]}, "glm")
    check_on_cluster({"neurons": [[20], [600]], "layers": [2], "SumNeurons": [7]}, "deeplearning")


def test_a_value_only_the_cluster_refuses_stops_the_sweep_before_anything_is_written(
    h2o_cluster, tmp_path, capsys
):
    # the h2o client takes True as an integer; the cluster's schema says max_depth is an int
    (tmp_path / "space.toml").write_text("[max_depth]\nvalue = true\n")
    out = tmp_path / "out"
    arguments = ["random", "--algorithm", "gbm", "--space", str(tmp_path / "space.toml")]
    status = main([*arguments, "--seeds", "1", "--url", h2o_cluster.url, "--out", str(out)])
    error = capsys.readouterr().err
    assert status == 2 and error.count("\n") == 1, error
    assert "parameter 'max_depth' of gbm takes a whole number (H2O type int), but got True" in error
    assert not out.exists()


def test_the_lecture_file_gives_todays_lecture_sweep(h2o_cluster, tmp_path, capsys):
    assert main(["space", "--lecture"]) == 0
    (tmp_path / "lecture.toml").write_text(capsys.readouterr().out)
    common = ["random", "--seeds", "42", "-51", "--epochs", "1"]
    _sweep([*common, "--out", str(tmp_path / "today")], h2o_cluster.url)
    with_file = [*common, "--space", str(tmp_path / "lecture.toml")]
    _sweep([*with_file, "--out", str(tmp_path / "file")], h2o_cluster.url)
    today, file = (pd.read_csv(tmp_path / f / "results.csv") for f in ("today", "file"))
    pd.testing.assert_frame_equal(
        today.drop(columns="build_seconds"), file.drop(columns="build_seconds")
    )
    definitions = [
        json.loads((tmp_path / f / "sweep.json").read_text())["definition"]
        for f in ("today", "file")
    ]
    assert definitions[0] == definitions[1]
    main([*with_file, "--out", str(tmp_path / "today")])  # the same sweep: nothing left to do
    assert "all 2 run(s) are already done" in capsys.readouterr().err


def test_a_folder_keeps_its_algorithm(random_sweeps, tmp_path, capsys):
    folder = random_sweeps["drf", "1"]
    space = str(folder.parent / "space.toml")
    arguments = [
        "random",
        "--algorithm",
        "gbm",
        "--space",
        space,
        "--n-runs",
        "6",
        "--out",
        str(folder),
    ]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert (
        "holds a sweep with other settings" in error and "--algorithm drf there, gbm here" in error
    )


def test_a_folder_from_before_algorithms_resumes_as_deep_learning(h2o_cluster, tmp_path, capsys):
    out = tmp_path / "old"
    _sweep(
        ["grid", "--param", "layers=1", "--param", "units=4", "--epochs", "1", "--out", str(out)],
        h2o_cluster.url,
    )
    description = json.loads((out / "sweep.json").read_text())
    del description["definition"]["training"]["algorithm"]  # as h2osweep wrote it before
    (out / "sweep.json").write_text(json.dumps(description))
    grid = ["grid", "--param", "layers=1", "--param", "units=4", "--epochs", "1", "--out", str(out)]
    assert main(grid) == 0
    assert "all 1 run(s) are already done" in capsys.readouterr().err


def test_a_gbm_sweep_is_analysed_as_its_parameters_and_retrained(
    random_sweeps, h2o_cluster, capsys
):
    raw = load_results(random_sweeps["gbm", "2"])
    target, params, _ = choose_columns(raw, None, None)
    prepared = prepare(raw.frame, target, params)
    assert params == ["ntrees", "max_depth", "learn_rate", "sample_rate", "histogram_type"]
    assert "depth" not in prepared.table.columns
    folder = str(random_sweeps["gbm", "2"])
    assert main(["optimize", folder, "--config", "best", "--url", h2o_cluster.url]) == 0
    assert "best configuration: {'ntrees':" in capsys.readouterr().out
    assert main(["optimize", folder, "--config", "lecture", "--url", h2o_cluster.url]) == 2
    assert "'lecture' is the lecture's deep-learning model" in capsys.readouterr().err


def test_a_model_based_search_draws_a_gbm_space_file_on_its_grid_and_log_scale(
    random_sweeps, h2o_cluster, tmp_path
):
    space = random_sweeps["gbm", "1"].parent / "space.toml"
    arguments = ["search", "--algorithm", "gbm", "--space", str(space), "--n-runs", "3"]
    _sweep([*arguments, "--out", str(tmp_path / "tpe")], h2o_cluster.url)
    table = pd.read_csv(tmp_path / "tpe" / "results.csv")
    assert table["status"].tolist() == ["ok"] * 3
    assert table["sample_rate"].round(9).isin([0.6, 0.7, 0.8, 0.9, 1.0]).all()
    assert table["learn_rate"].between(0.05, 0.3).all() and table["ntrees"].between(2, 4).all()


def test_h2o_grid_tables_summarise_hidden_layers_and_read_the_rest_as_it_is(digits_h2o, tmp_path):
    from h2o.estimators import H2ODeepLearningEstimator, H2OGradientBoostingEstimator
    from h2o.grid import H2OGridSearch

    grids = {
        "dl": (H2ODeepLearningEstimator(epochs=0.1, seed=1), {"hidden": [[5], [5, 5]]}),
        "gbm": (H2OGradientBoostingEstimator(seed=1), {"ntrees": [2, 3], "max_depth": [1, 2]}),
    }
    prepared = {}
    for name, (estimator, hyper) in grids.items():
        grid = H2OGridSearch(estimator, hyper_params=hyper)
        data = digits_h2o
        grid.train(
            x=data.features, y=data.target, training_frame=data.train, validation_frame=data.test
        )
        path = tmp_path / f"{name}.csv"
        summary = grid.get_grid(sort_by="mse")._grid_json["summary_table"].as_data_frame()
        summary.to_csv(path, index=False)
        raw = load_results(path)
        target, params, _ = choose_columns(raw, None, None)
        prepared[name] = prepare(raw.frame, target, params)
    assert sorted(prepared["dl"].table["depth"]) == [1, 2]  # "5" and "[5, 5]"
    assert sorted(prepared["dl"].table["SumNeurons"]) == [5, 10]
    assert sorted(prepared["gbm"].numeric) == ["max_depth", "ntrees"]


@pytest.mark.slow
def test_a_cluster_without_xgboost_says_so_in_one_line(tmp_path, capsys):
    """A second JVM, started without H2O's XGBoost extension (as builds for other platforms)."""
    from h2o.backend import H2OLocalServer

    port = free_port_pair()
    (tmp_path / "ice").mkdir()
    server = H2OLocalServer.start(
        port=port,
        nthreads=1,
        max_mem_size=512 << 20,
        ice_root=str(tmp_path / "ice"),
        jvm_custom_args=["-Dsys.ai.h2o.ext.core.toggle.XGBoost=false"],
        bind_to_localhost=True,
        verbose=False,
    )
    try:
        (tmp_path / "space.toml").write_text("[ntrees]\nsample = [2, 3]\n")
        out = tmp_path / "out"
        arguments = ["random", "--algorithm", "xgboost", "--space", str(tmp_path / "space.toml")]
        arguments += ["--seeds", "1", "--url", f"http://127.0.0.1:{port}", "--out", str(out)]
        assert main(arguments) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and "--algorithm xgboost: the H2O cluster at" in error
        assert "has no xgboost" in error and error.endswith("choose another --algorithm\n")
        assert not out.exists()
    finally:
        server.shutdown()

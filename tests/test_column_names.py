"""Any column name works: tables whose hyperparameters and targets are named after every name
the analyses and figures use inside (harvested from what they build, plus the usual suspects)
give a full report, as a plain table, an Optuna trials table and a W&B export."""

from __future__ import annotations

from fnmatch import fnmatch

import numpy as np
import pandas as pd
import pytest

from h2osweep.analysis import analyze
from h2osweep.report import write_report
from h2osweep.report.figures import draw_all
from h2osweep.report.outputs import REPORT_FILES
from tests.conftest import recorded_main as main
from tests.synthetic import wandb_table

KNOWN = [
    "value", "variable", "name", "index", "term", "x", "y", "fit", "lower", "upper", "method",
    "strategy", "run", "best", "order", "sign", "level_0", "(Intercept)", "colour", "panel",
    "parameter", "share", "knee", "metric", "status", "config", "summary", "number",
]  # fmt: skip
TARGETS = ["value", "run"]


def frames_of(analysis) -> list[pd.DataFrame]:
    """Every table an analysis holds, for each of its objectives."""
    frames = []
    for each in analysis.analyses:
        frames += [v for v in vars(each).values() if isinstance(v, pd.DataFrame)]
    return frames


def plot_frames(analysis) -> list[pd.DataFrame]:
    """Every frame handed to plotnine by the report's figures (the plot's and each layer's)."""
    frames = []
    for figure in draw_all(analysis):
        frames.append(figure.plot.data)
        frames += [
            data for layer in figure.plot.layers if isinstance(data := layer._data, pd.DataFrame)
        ]
    return frames


@pytest.fixture(scope="module")
def internal_names() -> list[str]:
    """The column names the analyses and figures build, found by running them once."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "lr": 10 ** rng.uniform(-4, -1, 40),
            "depth": rng.integers(1, 5, 40),
            "opt": rng.choice(["adam", "sgd"], 40),
            "loss": rng.uniform(0, 1, 40),
            "seconds": rng.uniform(1, 9, 40),
        }
    )
    analysis = analyze(table, target=["loss", "seconds"], params=["lr", "depth", "opt"])
    names = {str(c) for frame in frames_of(analysis) + plot_frames(analysis) for c in frame}
    return sorted((names | set(KNOWN)) - {"lr", "depth", "opt", "loss", "seconds"})


def hostile_table(names: list[str], n: int = 30) -> pd.DataFrame:
    """Numbers for most names, a few categorical, the targets with structure to find."""
    rng = np.random.default_rng(1)
    columns = {}
    for i, name in enumerate(names):
        if i % 7 == 3:
            columns[name] = rng.choice(["a", "b", "c"], n)
        elif i % 5 == 1:
            columns[name] = 10 ** rng.uniform(-5, 0, n)  # log-scaled
        else:
            columns[name] = rng.uniform(0, 1, n)
    frame = pd.DataFrame(columns)
    first = frame[names[0]] if names[0] not in TARGETS else frame[names[1]]
    frame["value"] = (first - 0.3) ** 2 + rng.normal(0, 0.01, n) + 0.05
    frame["run"] = 1 - first + rng.normal(0, 0.01, n)
    return frame


def test_a_plain_table_named_after_every_internal_name(internal_names, tmp_path):
    # config and summary together mark a W&B export (tested below), so one of them is left out
    params = [n for n in internal_names if n not in TARGETS and n != "summary"]
    analysis = analyze(hostile_table(params), target="value", params=params)
    assert set(analysis.prepared.params) == set(params)
    names = {p.name for p in write_report(analysis, tmp_path)}
    assert {"report.html", "facets.png", "parallel.png", "slices.png", "gam_terms.png"} <= names


def test_several_objectives_named_after_internal_names(tmp_path):
    params = ["x", "y", "variable", "name", "knee"]
    analysis = analyze(hostile_table(params), target=TARGETS, goal=["min", "min"], params=params)
    assert [a.prepared.target for a in analysis.analyses] == TARGETS
    assert list(analysis.pareto.columns) == ["run_", "value", "run", "knee"]
    assert analysis.knee is not None and analysis.knee.config.keys() == set(params)
    names = {p.name for p in write_report(analysis, tmp_path)}
    assert {"pareto.png", "pareto.csv", "objective2_facets.png"} <= names
    assert all(any(fnmatch(n, glob) for glob in REPORT_FILES) for n in names)  # none missed


def test_an_optuna_table_with_value_as_target_and_every_internal_name(
    internal_names, tmp_path, capsys
):
    params = [n for n in internal_names if n not in TARGETS][::3]  # every name: the plain test
    table = hostile_table(params).drop(columns="run")
    optuna_like = table.rename(columns={p: f"params_{p}" for p in params})
    optuna_like.insert(0, "number", range(len(optuna_like)))
    optuna_like["state"] = "COMPLETE"
    optuna_like.to_csv(tmp_path / "trials.csv", index=False)
    argv = ["analyze", str(tmp_path / "trials.csv"), "--out", str(tmp_path / "o")]
    assert main(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "- Target: value." in out and (tmp_path / "o" / "report.html").exists()
    named = analyze(tmp_path / "trials.csv", target="value")  # the same report's numbers
    clash = {"number"}  # Optuna's own column: that hyperparameter keeps its params_ prefix
    expected = {f"params_{p}" if p in clash else p for p in params}
    assert named.prepared.target == "value" and set(named.prepared.params) == expected


def test_a_wandb_export_whose_config_keys_are_internal_names(internal_names, tmp_path):
    table = wandb_table(40, seed=2)
    keys = [n for n in internal_names if n not in ("config", "summary")][1::4]
    table["config"] = [
        repr({**eval(c), **{k: float(i * j % 7) / 7 for j, k in enumerate(keys)}})  # noqa: S307
        for i, c in enumerate(table["config"])
    ]
    analysis = analyze(table, target="val_acc", goal="max")
    assert set(keys) <= set(analysis.prepared.params) | {"name"}
    assert "report.html" in {p.name for p in write_report(analysis, tmp_path)}

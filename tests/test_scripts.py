"""Each lecture script and the demo run on small settings and print what their R listings print
(on the session's H2O by --url: starting and stopping an embedded one is tested elsewhere)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import REPO, cli

pytestmark = [pytest.mark.h2o, pytest.mark.slow]


@pytest.fixture(scope="module")
def url(h2o_cluster) -> list[str]:
    """The option that points a script or command at the session's H2O."""
    return ["--url", h2o_cluster.url]


def _script(name: str, *args: str, cwd=None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / name), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_deep_neural_network_prints_both_models_like_the_slides(url):
    out = _script("deep_neural_network.py", "--epochs", "1", *url).stdout
    for model in ("ex1 (rate 0.001)", "ex2 (rate 0.01)"):
        assert model in out
    for line in (
        "Validation Set Metrics:",
        "MSE: ",
        "RMSE: ",
        "Logloss: ",
        "Mean Per-Class Error: ",
        "Confusion Matrix",
    ):
        starts = [row for row in out.splitlines() if row.startswith(line)]
        assert len(starts) == 2, line


def test_grid_search_prints_r_expand_grid_and_runs_it(tmp_path, url):
    out = _script(
        "grid_search.py", "--epochs", "1", "--maxit", "1", "--out", str(tmp_path / "grid"), *url
    ).stdout
    lines = out.splitlines()
    header = lines.index("expand.grid(layers = c(1, 2, 4), epochs = ..., l1 = c(.001, .01, .05))")
    assert lines[header + 1].split() == ["layers", "epochs", "l1"]
    assert lines[header + 2].split() == ["1", "1", "1", "0.001"]
    assert lines[header + 10].split() == ["9", "4", "1", "0.050"]
    assert "Grid results, best first:" in out and "H2O equivalent (hidden = 5, Tanh" in out
    assert len(pd.read_csv(tmp_path / "grid" / "results.csv")) == 9


def test_random_search_runs_steps_one_to_eight(tmp_path, url):
    out = _script(
        "random_search.py",
        "--seeds",
        "403",
        "10",
        "1",
        "2",
        "3",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "rs"),
        *url,
    ).stdout
    assert "model.res.dat:" in out and "summary(m.gam):" in out
    assert "h2o.performance(model.optimized, test):  # hidden = c(500, 500, 500)" in out
    assert "model.res.dat[which.min(model.res.dat$MSE), ]" in out
    assert out.split("model.res.dat:")[1].splitlines()[2].split()[0] == "1"  # R's row names
    assert "what the analysis did (also in the report):\n  - " in out
    assert (tmp_path / "rs" / "facets.png").stat().st_size > 10_000
    report = (tmp_path / "rs" / "report.html").read_text()
    assert "Chosen on test_mse over 5 runs: m_" in report and "as the lecture chooses" in report
    assert "lecture configuration" in report and "best sweep run (m_" in report


def test_sweep_insights_prints_the_blog_tables(tmp_path):
    from tests.synthetic import wandb_table

    path = tmp_path / "wandb.csv"
    wandb_table(60, seed=3).to_csv(path, index=False)
    out = _script("sweep_insights.py", str(path), "--target", "val_acc", "--goal", "max").stdout
    for heading in (
        "Correlation of each hyperparameter",
        "OLS (statsmodels)",
        "ExtraTreesRegressor(n_estimators=250)",
    ):
        assert heading in out
    assert "optimizer_" in out


def test_demo_then_optimize_on_small_settings(tmp_path, url):
    out = tmp_path / "demo"
    grid = ["grid", "--param", "units=4", "--param", "layers=1", "--epochs", "1", "--out", out]
    assert cli(*grid, *url).status == 0  # a folder of another sweep: --force-new moves it aside
    stale = ("report.html", "gam_surface_7.png", "objective2_ols.csv")  # an older demo's report
    for name in (*stale, "notes.txt", "photo.png"):
        (out / name).write_text("old")
    result = cli(
        "demo", "--runs", "5", "--epochs", "1", "--force-new", "--quiet", "--out", out, *url
    )
    assert result.status == 0, result.stderr
    assert result.stderr == ""  # quiet: not even a retrain run_demo could not do ("not retrained")
    assert result.stdout == f"report: {out / 'report.html'}\n"
    (kept,) = out.glob("previous-*")
    assert list(pd.read_csv(kept / "results.csv")["name"]) == ["g_1"]
    assert all((kept / name).read_text() == "old" for name in stale)  # moved with the store
    assert not (out / "gam_surface_7.png").exists()
    assert (out / "notes.txt").read_text() == (out / "photo.png").read_text() == "old"  # theirs
    assert len(pd.read_csv(out / "results.csv")) == 5
    for name in (
        "report.html",
        "facets.png",
        "parallel.png",
        "correlations.csv",
        "ols.csv",
        "importance.csv",
        "gam.csv",
    ):
        assert (out / name).is_file(), name
    best = pd.read_csv(out / "results.csv").sort_values("test_mse").iloc[0]
    for choice in ("best", "gam"):
        compared = pd.read_csv(out / f"optimized_{choice}.csv")
        assert list(compared["model"]) == [
            f"best sweep run ({best['name']})",
            f"optimized_{choice}",
        ]
        assert compared.loc[0, "test_mse"] == pytest.approx(best["test_mse"])
        assert compared["test_mse"].between(0, 1).all()
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "Retrained configurations" in html
    over = cli("export", out, "--csv", out / "report.html")  # the report is the sweep's own
    assert over.status == 2 and "is one of the sweep's own files" in over.stderr
    assert (out / "report.html").read_text() == html
    assert "optimized_best" in html and "optimized_gam" in html

    optimized = cli("optimize", out, "--config", "gam", "--epochs", "1", *url)
    assert optimized.status == 0, optimized.stderr
    first, *_ = optimized.stdout.splitlines()
    assert first.startswith("gam configuration: {") and "'neurons': [" in first
    assert "optimized_gam" in optimized.stdout and f"written: {out / 'optimized_gam.csv'}" in (
        optimized.stdout
    )
    lecture = cli("optimize", out, "--config", "lecture", "--epochs", "1", *url)
    assert lecture.status == 0, lecture.stderr
    assert "optimized_lecture" in lecture.stdout and "best sweep run (m_" in lecture.stdout
    assert "'neurons': [500, 500, 500]" in lecture.stdout

"""Statistics against R: lm/cor to 1e-7, loess equal to R's, splines and GAM close to mgcv's.

The committed reference files are checked always; a live `Rscript` run when R is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from h2osweep.analysis import correlations, fit_gam, ols, smooth_curve
from h2osweep.analysis.preprocess import prepare
from h2osweep.analysis.tables import choose_columns, load_results

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "reference_r" / "expected"
SCRIPT = ROOT / "reference_r" / "parity" / "statistics.R"
REL = 1e-7


def prepared(name: str, target: str):
    """An input table prepared exactly as `h2osweep analyze` prepares it."""
    raw = load_results(EXPECTED / name)
    target, params, _ = choose_columns(raw, target, None)
    return prepare(raw.frame, target, params)


def r_terms(frame: pd.DataFrame) -> pd.DataFrame:
    """R's coefficient names (`optimizerrmsprop`) in our spelling (`optimizer_rmsprop`)."""
    frame = frame.copy()
    frame["term"] = frame["term"].str.replace(r"^optimizer(?!_)", "optimizer_", regex=True)
    return frame.set_index("term")


def check_ols_and_cor(folder: Path) -> None:
    """OLS coefficients, errors, t, p and every correlation equal R's to 1e-7."""
    p = prepared("stats_input.csv", "val_acc")
    want = r_terms(pd.read_csv(folder / "ols_stats_input.csv"))
    got = ols(p).set_index("term")
    assert sorted(got.index) == sorted(want.index)
    for column in ["coef", "std_err", "t", "p_value"]:
        np.testing.assert_allclose(got.loc[want.index, column], want[column], rtol=REL)
    want = pd.read_csv(folder / "cor_stats_input.csv").set_index("term")
    got = correlations(p).set_index("term")
    assert sorted(got.index) == sorted(want.index)
    np.testing.assert_allclose(got.loc[want.index, "correlation"], want["correlation"], rtol=REL)


def check_loess(folder: Path) -> None:
    """The facet smoother equals R's loess(y ~ x, span = .75) predicted on ggplot's 80 points."""
    lecture = pd.read_csv(EXPECTED / "stats_lecture_input.csv")
    want = pd.read_csv(folder / "loess_stats_lecture_input.csv")
    for variable, expected in want.groupby("variable"):
        curve = smooth_curve(lecture[variable].to_numpy(), lecture["test_mse"].to_numpy())
        assert set(curve["method"]) == {"loess"}
        np.testing.assert_allclose(curve["x"], expected["x"], rtol=1e-12)
        np.testing.assert_allclose(curve["fit"], expected["fit"], rtol=REL)


# Measured against mgcv 1.8-41 (R 4.2.2) on stats_smooth_input.csv, per facet: correlation of the
# fitted curves, mean |difference| / sd(test_mse), and the range of our band's half-width over
# mgcv's 1.96 se. The x grid is ggplot's, equal to R's to the last bit.
SPLINE_MEASURED = {
    "SumNeurons": (0.999133, 0.01374, 0.8135, 1.0311),
    "input_dropout": (0.999028, 0.04262, 0.8543, 1.2696),
    "l1": (0.999978, 0.00210, 0.9568, 1.0100),
}


def check_spline(folder: Path) -> None:
    """At >= 1,000 points the smoother tracks mgcv's gam(y ~ s(x, bs = "cs")), as ggplot draws:
    the same x grid, and fits and bands just within the figures measured above."""
    runs = pd.read_csv(EXPECTED / "stats_smooth_input.csv")
    want = pd.read_csv(folder / "gam_smooth_stats_smooth_input.csv")
    spread = runs["test_mse"].std()
    assert sorted(want["variable"].unique()) == sorted(SPLINE_MEASURED)
    for variable, expected in want.groupby("variable"):
        r, difference, band_low, band_high = SPLINE_MEASURED[variable]
        curve = smooth_curve(runs[variable].to_numpy(), runs["test_mse"].to_numpy())
        assert set(curve["method"]) == {"gam"}
        np.testing.assert_allclose(curve["x"], expected["x"], rtol=1e-12)
        assert np.corrcoef(curve["fit"], expected["fit"])[0, 1] >= r - 2e-4, variable
        mean_difference = np.abs(curve["fit"].to_numpy() - expected["fit"].to_numpy()).mean()
        assert mean_difference <= 1.1 * difference * spread, variable
        band = (curve["upper"] - curve["fit"]).to_numpy() / (1.96 * expected["se"].to_numpy())
        assert band_low - 0.01 <= band.min() and band.max() <= band_high + 0.01, variable


def check_gam(folder: Path) -> None:
    """pygam on the lecture's formula tracks mgcv: fitted r >= .9985 (measured .99892), at most
    .0025 apart (measured .00215, where the fits' sd is .017), the same best run."""
    p = prepared("stats_lecture_input.csv", "test_mse")
    fit = fit_gam(p)
    assert "the lecture's formula" in fit.notes[-1]
    ours = fit.predict(p.table)
    theirs = pd.read_csv(folder / "gam_fitted_stats_lecture_input.csv")["fitted"].to_numpy()
    assert np.corrcoef(ours, theirs)[0, 1] >= 0.9985
    assert np.abs(ours - theirs).max() <= 0.0025
    assert int(np.argmin(ours)) == int(np.argmin(theirs))
    terms = pd.read_csv(folder / "gam_summary_stats_lecture_input.csv")["term"].tolist()
    assert [t.label for t in fit.terms] == terms


@pytest.mark.parametrize("check", [check_ols_and_cor, check_loess, check_spline, check_gam])
def test_committed_reference(check):
    check(EXPECTED)


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")
def test_live_r(tmp_path):
    subprocess.run(
        ["Rscript", str(SCRIPT), str(EXPECTED), str(tmp_path)], check=True, capture_output=True
    )
    for check in (check_ols_and_cor, check_loess, check_spline, check_gam):
        check(tmp_path)

"""Correlations, OLS and ExtraTrees importances over a prepared table."""

import numpy as np
import pandas as pd
import pytest

from h2osweep.analysis import correlations, importances, ols
from h2osweep.analysis.pipeline import load_source
from h2osweep.analysis.preprocess import prepare
from h2osweep.analysis.tables import choose_columns
from tests.synthetic import wandb_table


@pytest.fixture(scope="module")
def prepared():
    """The W&B-style table, prepared for val_acc."""
    raw = load_source(wandb_table(80, seed=3))
    target, params, _ = choose_columns(raw, "val_acc", None)
    return prepare(raw.frame, target, params, "max")


def test_correlations_match_numpy_and_cover_every_indicator(prepared):
    frame = correlations(prepared).set_index("term")
    assert set(frame.index) == set(prepared.features)
    for term in prepared.features:
        expected = np.corrcoef(prepared.table[term], prepared.y)[0, 1]
        assert frame.loc[term, "correlation"] == pytest.approx(expected, rel=1e-12)
    strengths = correlations(prepared)["correlation"].abs().tolist()
    assert strengths == sorted(strengths, reverse=True)


def test_a_saturated_ols_has_no_errors_as_rs_lm_has_none():
    """Three runs, three coefficients: R's summary(lm) gives NaN errors, t and p (checked with
    Rscript: 0.5586, 0.5051, -0.0545 and NaN beside each)."""
    frame = pd.DataFrame({"lr": [0.1, 0.01, 0.001], "layers": [2, 3, 2], "loss": [0.5, 0.4, 0.45]})
    table = ols(prepare(frame, "loss", ["lr", "layers"]))
    assert table["coef"].to_numpy() == pytest.approx([0.55858586, 0.50505051, -0.05454545])
    assert table[["std_err", "t", "p_value"]].isna().all().all()


def test_json_records_and_semicolon_tables_are_read(tmp_path):
    """A W&B runs table saved as JSON records (or JSON lines), and a European CSV."""
    frame = wandb_table(30, seed=2)
    frame.to_json(tmp_path / "runs.json", orient="records")
    frame.to_json(tmp_path / "runs.jsonl", orient="records", lines=True)
    flat = pd.DataFrame({"lr": [0.5, 0.25, 0.125, 0.0625], "val_acc": [0.75, 0.8, 0.85, 0.7]})
    flat.to_csv(tmp_path / "eu.csv", sep=";", decimal=",", index=False)
    for name in ("runs.json", "runs.jsonl"):
        assert load_source(tmp_path / name).frame.equals(load_source(frame).frame)
    assert load_source(tmp_path / "eu.csv").frame.equals(flat)


def test_ols_with_intercept_matches_least_squares(prepared):
    frame = ols(prepared)
    assert frame["term"].tolist() == ["(Intercept)"] + prepared.treatment
    design = np.column_stack([np.ones(len(prepared.y)), prepared.table[prepared.treatment]])
    coef, *_ = np.linalg.lstsq(design, prepared.y, rcond=None)
    assert frame["coef"].to_numpy() == pytest.approx(coef, rel=1e-9)
    residual = prepared.y - design @ coef
    sigma2 = residual @ residual / (len(prepared.y) - design.shape[1])
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(design.T @ design)))
    assert frame["std_err"].to_numpy() == pytest.approx(se, rel=1e-9)
    assert frame["t"].to_numpy() == pytest.approx(coef / se, rel=1e-9)
    assert frame["p_value"].between(0, 1).all()
    assert not any("rank-deficient" in n for n in frame.attrs["notes"])


def test_blog_variant_has_all_indicators_and_no_intercept(prepared):
    frame = ols(prepared, intercept=False)
    assert frame["term"].tolist() == prepared.features
    assert "no intercept" in frame.attrs["notes"][0]


def test_rank_deficiency_is_said(prepared):
    prepared.table["lr_copy"] = prepared.table["learning_rate"]
    prepared.numeric.append("lr_copy")
    try:
        notes = ols(prepared).attrs["notes"]
    finally:
        prepared.numeric.remove("lr_copy")
        del prepared.table["lr_copy"]
    assert any("rank-deficient (rank 7 < 8 columns)" in n for n in notes)


def test_importances_are_seeded_and_spread_across_trees(prepared):
    first = importances(prepared, seed=1)
    again = importances(prepared, seed=1)
    assert first.equals(again)
    assert list(first.columns) == ["term", "importance", "std"]
    assert first["importance"].sum() == pytest.approx(1.0)
    assert (first["std"] > 0).all()
    assert first["term"].iloc[0] in {"learning_rate", "optimizer_rmsprop", "optimizer_adam"}


def test_the_knees_note_counts_measured_runs_and_says_when_there_is_no_knee():
    """A front of one run, or of two, has no knee to speak of; runs without every target are
    not counted among those the front was chosen from."""
    from h2osweep.analysis.pareto import pareto_front
    from h2osweep.record.goal import Goal

    frame = pd.DataFrame({"x": [1, 2, 3, 4], "a": [0.1, 0.2, 0.3, np.nan], "b": [1, 2, 3, 4]})
    one = pareto_front(frame, ["a", "b"], [Goal.MIN, Goal.MIN], ["x"])
    assert one.knee.note == "One run of 3 is best on every objective (a = 0.1, b = 1)."
    two = pareto_front(frame.assign(b=[3, 1, 4, 0]), ["a", "b"], [Goal.MIN, Goal.MIN], ["x"])
    assert two.knee.note.startswith("The Pareto front has 2 of 3 runs and no knee between them")
    frame = pd.DataFrame({"x": range(5), "a": [0, 1, 2, 3, 9], "b": [3, 1.5, 1, 0, 9]})
    three = pareto_front(frame, ["a", "b"], [Goal.MIN, Goal.MIN], ["x"])
    assert three.knee.note.startswith("The knee of the Pareto front (4 of 5 runs)")


def test_a_handful_of_runs_is_analysed_with_a_caution():
    from h2osweep.analysis import analyze

    frame = pd.DataFrame({"lr": [0.1, 0.01, 0.001, 0.05], "loss": [0.5, 0.4, 0.45, 0.3]})
    caution = "Only 4 runs: correlations, importances and p-values rest on very few points"
    assert any(note.startswith(caution) for note in analyze(frame, target="loss").notes)
    many = pd.concat([frame] * 3, ignore_index=True)
    assert not any(note.startswith("Only ") for note in analyze(many, target="loss").notes)

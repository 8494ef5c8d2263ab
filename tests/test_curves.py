"""Best-so-far curves: one per sweep folder, drawn in the report, refused for foreign tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from h2osweep.analysis import analyze
from h2osweep.errors import UserInputError
from h2osweep.report import write_report
from tests.synthetic import lecture_table


def _sweep_folder(path, strategy: str, seed: int):
    path.mkdir()
    table = lecture_table(30, seed=seed).assign(status="ok")
    table.to_csv(path / "results.csv", index=False)
    (path / "sweep.json").write_text(json.dumps({"definition": {"strategy": strategy}}))
    return path


def test_report_compares_strategies_by_best_so_far(tmp_path):
    random = _sweep_folder(tmp_path / "random", "random", 1)
    tpe = _sweep_folder(tmp_path / "tpe", "optuna-tpe", 2)
    analysis = analyze(random, compare=[tpe])
    curves = analysis.curves
    assert list(curves["strategy"].unique()) == ["random", "optuna-tpe"]
    first = curves[curves["strategy"] == "random"]["best"]
    assert first.is_monotonic_decreasing and len(first) == 30
    assert first.iloc[-1] == pytest.approx(analysis.prepared.y.min())
    write_report(analysis, tmp_path / "report")
    assert (tmp_path / "report" / "best_so_far.png").stat().st_size > 5_000
    assert "Best so far" in (tmp_path / "report" / "report.html").read_text()


def test_compare_needs_a_sweep_folder(tmp_path):
    path = tmp_path / "runs.csv"
    lecture_table(20, seed=3).to_csv(path, index=False)
    curves = analyze(path, target="test_mse").curves  # another tool's table: in table order
    expected = pd.read_csv(path)["test_mse"].cummin()
    assert curves["strategy"].unique().tolist() == ["table (table order)"]
    assert curves["best"].tolist() == expected.tolist()
    with pytest.raises(UserInputError, match="^compare needs a sweep folder"):
        analyze(path, target="test_mse", compare=[tmp_path])


def test_a_lower_rung_never_sets_the_best_so_far():
    """A 1-epoch rung's figure is of a model trained less: the curve starts at the first
    top-rung run, and the run chosen on validation is chosen among the top rung too."""
    from h2osweep.analysis.curves import best_so_far, selected_so_far
    from h2osweep.record.goal import Objective

    rungs = pd.DataFrame(
        {
            "valid_mse": [0.11, 0.5, 0.04, 0.3, 0.2],
            "test_mse": [0.1, 0.6, 0.05, 0.4, 0.3],
            "budget": [1, 1, 3, 1, 3],
            "status": "ok",
        }
    )
    best = best_so_far(rungs, "valid_mse")["best"]
    assert best.isna().tolist()[:2] == [True, True] and best.tolist()[2:] == [0.04] * 3
    chosen = selected_so_far(rungs, Objective("valid_mse"), "test_mse")["best"]
    assert chosen.isna().tolist()[:2] == [True, True] and chosen.tolist()[2:] == [0.05] * 3


def test_compared_sweeps_of_other_budgets_are_said_to_compare_runs_not_compute(tmp_path):
    random = _sweep_folder(tmp_path / "random", "random", 1)
    tpe = _sweep_folder(tmp_path / "tpe", "optuna-tpe", 2)
    for folder, training in ((random, {"epochs": 1.0}), (tpe, {"epochs": 2.0})):
        definition = {"strategy": folder.name, "training": training}
        (folder / "sweep.json").write_text(json.dumps({"definition": definition}))
    note = "The compared sweeps trained to different budgets (epochs or trees: random: 1; tpe: 2)"
    assert any(n.startswith(note) for n in analyze(random, compare=[tpe]).notes)
    assert not any("different budgets" in n for n in analyze(random, compare=[random]).notes)

"""Run every analysis on one results table and collect the results in an `Analysis`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from h2osweep.analysis.correlation import correlations
from h2osweep.analysis.curves import best_so_far, results_by_strategy
from h2osweep.analysis.gam import GamFit, fit_gam, gam_table, partial_dependence, surfaces
from h2osweep.analysis.importance import importances
from h2osweep.analysis.ols import ols
from h2osweep.analysis.optimum import Optimum, best_observed, gam_suggestion
from h2osweep.analysis.preprocess import Prepared, prepare
from h2osweep.analysis.selection import Selection, selection
from h2osweep.analysis.smooth import facet_smooths
from h2osweep.analysis.tables import SWEEP_FOLDER, RawTable, choose_columns, load_results
from h2osweep.errors import UserInputError
from h2osweep.record.goal import Goal
from h2osweep.validation import check_numpy_seed


@dataclass
class Analysis:
    """Everything `analyze` computes: the prepared table, notes and one DataFrame per analysis."""

    source: str
    kind: str
    prepared: Prepared
    correlations: pd.DataFrame
    ols: pd.DataFrame
    importance: pd.DataFrame
    gam: pd.DataFrame
    gam_fit: GamFit
    partial: pd.DataFrame
    surfaces: pd.DataFrame
    smooths: pd.DataFrame
    best: Optimum
    suggested: Optimum | None
    notes: list[str] = field(default_factory=list)
    curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    selection: Selection | None = None

    @property
    def best_config(self) -> dict:
        """Hyperparameters of the best observed run."""
        return self.best.config

    @property
    def gam_config(self) -> dict | None:
        """Hyperparameters the GAM predicts best (None when no GAM could be fitted)."""
        return self.suggested.config if self.suggested else None


def analyze(
    source: str | Path | pd.DataFrame,
    target: str | None = None,
    goal: str = "min",
    params: list[str] | None = None,
    gam_formula: str | None = None,
    intercept: bool = True,
    seed: int = 0,
    compare: list[str | Path] | None = None,
) -> Analysis:
    """Load a sweep folder, a CSV/Parquet file or a DataFrame and run every analysis on it.

    For a sweep folder, `curves` holds its best-so-far curve, and one per `compare` folder.
    """
    goal = Goal.parse(goal)
    check_numpy_seed("seed", seed)
    raw = load_source(source)
    target, chosen, notes = choose_columns(raw, target, params)
    prepared = prepare(raw.frame, target, chosen, goal)
    analysis = analyse_prepared(prepared, raw, gam_formula, intercept, seed)
    analysis.source = str(source) if not isinstance(source, pd.DataFrame) else "(DataFrame)"
    analysis.notes = raw.notes + notes + prepared.notes + analysis.notes
    analysis.curves = strategy_curves(source, raw.kind, compare or [], target, goal)
    return analysis


def analyse_prepared(prepared: Prepared, raw: RawTable, gam_formula, intercept, seed) -> Analysis:
    """Every analysis of one prepared table; the notes are those the analyses add."""
    ols_frame = ols(prepared, intercept=intercept)
    gam_fit = fit_gam(prepared, gam_formula)
    folder = str(raw.source) if raw.kind == SWEEP_FOLDER else None
    importance = importances(prepared, seed=seed)
    notes = ols_frame.attrs.get("notes", []) + importance.attrs.get("notes", []) + gam_fit.notes
    return Analysis(
        source="",
        kind=raw.kind,
        prepared=prepared,
        correlations=correlations(prepared),
        ols=ols_frame,
        importance=importance,
        gam=gam_table(gam_fit),
        gam_fit=gam_fit,
        partial=partial_dependence(gam_fit, prepared.table),
        surfaces=surfaces(gam_fit, prepared.table),
        smooths=facet_smooths(prepared.table, prepared.target, prepared.numeric),
        best=best_observed(prepared),
        suggested=gam_suggestion(gam_fit, prepared, seed, folder),
        notes=notes,
        selection=selection(prepared) if folder else None,
    )


def strategy_curves(source, kind: str, compare: list, target: str, goal: str) -> pd.DataFrame:
    """Best-so-far per strategy for our sweep folders (empty for a foreign table)."""
    if kind != SWEEP_FOLDER:
        if compare:
            raise UserInputError(
                "{compare} needs a sweep folder of h2osweep as the results", "compare"
            )
        return pd.DataFrame()
    return best_so_far(results_by_strategy([source, *compare]), target, goal)


def load_source(source: str | Path | pd.DataFrame) -> RawTable:
    """A RawTable from a path or an in-memory DataFrame."""
    if isinstance(source, pd.DataFrame):
        from h2osweep.analysis.tables import recognise

        if source.empty:
            raise UserInputError("the table is empty (no rows)")
        return recognise(source, "DataFrame")
    return load_results(source)

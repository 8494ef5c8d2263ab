"""Run every analysis on one results table and collect the results in an `Analysis`."""

from __future__ import annotations

import numbers
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
from h2osweep.analysis.smooth import facet_smooths
from h2osweep.analysis.tables import SWEEP_FOLDER, RawTable, choose_columns, load_results
from h2osweep.data import MAX_RANDOM_STATE
from h2osweep.errors import UserInputError

GOALS = ("min", "max")


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
    if goal not in GOALS:
        raise UserInputError(f"goal must be 'min' or 'max', got {goal!r}")
    check_seed(seed)
    raw = load_source(source)
    target, chosen, notes = choose_columns(raw, target, params)
    prepared = prepare(raw.frame, target, chosen, goal)
    notes = raw.notes + notes + prepared.notes
    ols_frame = ols(prepared, intercept=intercept)
    gam_fit = fit_gam(prepared, gam_formula)
    folder = str(source) if raw.kind == SWEEP_FOLDER else None
    suggested = gam_suggestion(gam_fit, prepared, seed, folder)
    importance = importances(prepared, seed=seed)
    notes += ols_frame.attrs.get("notes", []) + importance.attrs.get("notes", [])
    notes += gam_fit.notes
    return Analysis(
        source=str(source) if not isinstance(source, pd.DataFrame) else "(DataFrame)",
        kind=raw.kind,
        prepared=prepared,
        correlations=correlations(prepared),
        ols=ols_frame,
        importance=importance,
        gam=gam_table(gam_fit),
        gam_fit=gam_fit,
        partial=partial_dependence(gam_fit, prepared.table),
        surfaces=surfaces(gam_fit, prepared.table),
        smooths=facet_smooths(prepared.table, target, prepared.numeric),
        best=best_observed(prepared),
        suggested=suggested,
        notes=notes,
        curves=strategy_curves(source, raw.kind, compare or [], target, goal),
    )


def check_seed(seed: object) -> None:
    """Refuse a seed numpy and ExtraTrees cannot take, before any work is done."""
    whole = isinstance(seed, numbers.Integral) and not isinstance(seed, bool)
    if not whole or not 0 <= seed <= MAX_RANDOM_STATE:
        raise UserInputError(
            f"--seed must be a whole number >= 0 (at most {MAX_RANDOM_STATE}), got {seed!r}"
        )


def strategy_curves(source, kind: str, compare: list, target: str, goal: str) -> pd.DataFrame:
    """Best-so-far per strategy for our sweep folders (empty for a foreign table)."""
    if kind != SWEEP_FOLDER:
        if compare:
            raise UserInputError("--compare needs a sweep folder of h2osweep as RESULTS")
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

"""Run every analysis on one results table and collect the results in an `Analysis`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from h2osweep.analysis.correlation import correlations
from h2osweep.analysis.curves import best_so_far, results_by_strategy, selected_so_far
from h2osweep.analysis.gam import (
    GamFit,
    check_family,
    fit_gam,
    gam_table,
    partial_dependence,
    surfaces,
)
from h2osweep.analysis.importance import fit_forest, importance_methods, importances
from h2osweep.analysis.ols import ols
from h2osweep.analysis.optimum import Optimum, best_observed, gam_suggestion
from h2osweep.analysis.pareto import ParetoFront, pareto_front
from h2osweep.analysis.preprocess import Prepared, prepare
from h2osweep.analysis.selection import Selection, selection
from h2osweep.analysis.smooth import facet_smooths
from h2osweep.analysis.tables import SWEEP_FOLDER, RawTable, choose_objectives, load_results
from h2osweep.errors import StoreError, UserInputError
from h2osweep.record.goal import Goal
from h2osweep.store.results_store import read_definition, read_objective, read_results
from h2osweep.validation import check_numpy_seed, check_type, invalid

FEW_RUNS = 10  # below this many runs, the notes caution against reading the rankings


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
    methods: pd.DataFrame = field(default_factory=pd.DataFrame)  # importance by every method
    others: list[Analysis] = field(default_factory=list)  # each further objective's analysis
    front: ParetoFront | None = None  # several objectives: the Pareto front and its knee
    rungs: pd.DataFrame = field(default_factory=pd.DataFrame)  # a multi-fidelity sweep's rungs

    @property
    def pareto(self) -> pd.DataFrame:
        """The runs on the Pareto front (empty for one objective)."""
        return self.front.table if self.front else pd.DataFrame()

    @property
    def knee(self) -> Optimum | None:
        """The front's knee, suggested when the objectives pull apart."""
        return self.front.knee if self.front else None

    @property
    def analyses(self) -> list[Analysis]:
        """This objective's analysis, then every further objective's."""
        return [self, *self.others]

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
    target: str | Sequence[str] | None = None,
    goal: str | Sequence[str] | None = None,
    params: list[str] | None = None,
    gam_formula: str | None = None,
    intercept: bool = True,
    seed: int = 0,
    compare: list[str | Path] | None = None,
    gam_family: str = "gaussian",
    all_rungs: bool = False,
    study_name: str | None = None,
) -> Analysis:
    """Load a sweep folder, an Optuna storage (`study_name`: which study), a CSV/Parquet file
    or a DataFrame and run every analysis on it (a multi-fidelity sweep's top-rung runs, or
    every rung with `all_rungs`).

    Several targets (one goal each, or none: each the table's default) add the Pareto front,
    its knee and each further objective's statistics in `others`. For a sweep folder,
    `curves` holds its best-so-far curve, and one per `compare` folder.
    """
    check_numpy_seed("seed", seed)
    check_family(gam_family)
    rule = "a sweep folder, a results file's path or URL, or a DataFrame"
    check_type("source", source, str | os.PathLike | pd.DataFrame, rule)
    raw = load_source(source, all_rungs, study_name)
    if all_rungs and raw.kind != SWEEP_FOLDER:
        raise UserInputError(
            "{all_rungs} needs a multi-fidelity sweep folder of h2osweep as the results",
            "all_rungs",
        )
    targets, chosen, notes = choose_objectives(raw, as_list("target", target), params)
    if raw.guess_note and goal is None:
        notes.append(raw.guess_note)
    goals = objective_goals(targets, as_list("goal", goal), raw)
    options = dict(gam_formula=gam_formula, intercept=intercept, seed=seed, gam_family=gam_family)
    analyses = [single(raw, t, g, chosen, options) for t, g in zip(targets, goals, strict=True)]
    analysis, analysis.others = analyses[0], analyses[1:]
    analysis.source = str(source) if not isinstance(source, pd.DataFrame) else "(DataFrame)"
    analysis.rungs = raw.rungs
    analysis.notes = raw.notes + notes + analysis.notes
    if analysis.others:
        analysis.front = pareto_front(raw.frame, targets, goals, chosen)
    analysis.curves = strategy_curves(source, raw, compare or [], targets[0], goals[0])
    if compare:
        analysis.notes += budget_note([source, *compare])
    return analysis


def budget_note(folders: list) -> list[str]:
    """A caution when compared sweeps trained their models to different budgets: their
    best-so-far curves then compare runs, not the compute behind them."""
    budgets = {}
    for folder in folders:
        try:
            definition = read_definition(folder)
        except StoreError:  # a bare results table: nothing says what it trained
            continue
        fidelity = definition.get("fidelity") or {}
        epochs = (definition.get("training") or {}).get("epochs")
        budgets[Path(folder).name] = (
            f"{fidelity['min_budget']:g} to {fidelity['max_budget']:g} per rung"
            if "max_budget" in fidelity
            else "the algorithm's default"
            if epochs is None
            else f"{epochs:g}"
        )
    if len(set(budgets.values())) < 2:
        return []
    each = "; ".join(f"{name}: {budget}" for name, budget in budgets.items())
    return [f"The compared sweeps trained to different budgets (epochs or trees: {each}): "
            "their best-so-far curves compare runs, not the compute behind them."]  # fmt: skip


def single(raw: RawTable, target: str, goal: Goal, chosen: list[str], options: dict) -> Analysis:
    """Every analysis of one objective; its notes are the preprocessing's and the analyses'."""
    prepared = prepare(raw.frame, target, chosen, goal)
    contest = top_rung_contest(prepared, raw.rungs)
    analysis = analyse_prepared(prepared, raw, **options)
    analysis.notes = prepared.notes + few_runs(prepared) + contest + analysis.notes
    return analysis


def top_rung_contest(prepared: Prepared, rungs: pd.DataFrame) -> list[str]:
    """With every rung analysed, let only the top rung's runs compete for the best (as search
    and show choose: a lower rung's figure is of a model trained less); what that means."""
    budget = rungs.attrs.get("budget_name") if not rungs.empty else None
    if budget not in prepared.rows.columns:
        return []
    budgets = pd.to_numeric(prepared.rows[budget], errors="coerce").to_numpy(dtype=float)
    top = np.nanmax(budgets)
    prepared.contenders = budgets == top
    return [f"The best run is chosen among the {prepared.contending} runs of the top rung "
            f"({budget} {top:g}); the lower rungs are analysed but do not compete."]  # fmt: skip


def few_runs(prepared: Prepared) -> list[str]:
    """A caution when the runs are too few for any ranking to mean much."""
    n = len(prepared.y)
    if n >= FEW_RUNS:
        return []
    return [f"Only {n} runs: correlations, importances and p-values rest on very few points; "
            "read every ranking here as a hint, not a finding."]  # fmt: skip


def as_list(name: str, value: str | Sequence[str] | None) -> list[str]:
    """One name or several as a list (none: empty); `name` is the parameter they came from."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise invalid(name, "a column name or a list of them", value)
    return list(value)


def objective_goals(targets: list[str], goals: list[str], raw: RawTable) -> list[Goal]:
    """One goal per target: as given (one each, or one for a single target), else the goal the
    table's tool recorded for it, else the metric's natural goal (max for R²)."""
    if goals and len(goals) != len(targets):
        raise UserInputError(
            f"give one {{goal}} per {{target}}: {len(targets)} target(s) and {len(goals)} goal(s)",
            "goal",
            "target",
        )
    if goals:
        return [Goal.parse(g) for g in goals]
    return [Goal.parse(raw.goals[t]) if t in raw.goals else Goal.natural(t) for t in targets]


def analyse_prepared(
    prepared: Prepared,
    raw: RawTable,
    gam_formula=None,
    intercept=True,
    seed=0,
    gam_family="gaussian",
) -> Analysis:
    """Every analysis of one prepared table; the notes are those the analyses add."""
    ols_frame = ols(prepared, intercept=intercept)
    gam_fit = fit_gam(prepared, gam_formula, gam_family)
    folder = str(raw.source) if raw.kind == SWEEP_FOLDER else None
    forest = fit_forest(prepared, seed=seed)
    importance = importances(prepared, seed=seed, forest=forest)
    methods = importance_methods(prepared, importance, forest, seed=seed)
    notes = [
        *ols_frame.attrs.get("notes", []),
        *importance.attrs.get("notes", []),
        *methods.attrs.get("notes", []),
        *gam_fit.notes,
    ]
    suggested = gam_suggestion(gam_fit, prepared, seed, folder)
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
        suggested=suggested,
        notes=notes,
        selection=selection(prepared) if folder else None,
        methods=methods,
    )


def strategy_curves(source, raw: RawTable, compare: list, target: str, goal) -> pd.DataFrame:
    """Best-so-far curves: one per strategy for our sweep folders, with the target of the run
    the sweep selects when it selects on another metric; one in table order for other tables."""
    if raw.kind != SWEEP_FOLDER:
        if compare:
            raise UserInputError(
                "{compare} needs a sweep folder of h2osweep as the results", "compare"
            )
        values = pd.to_numeric(raw.frame[target], errors="coerce").to_numpy(dtype=float)
        table = pd.DataFrame({"metric": values, "strategy": f"{raw.kind} (table order)"})
        return best_so_far(table, "metric", goal)
    curves = best_so_far(results_by_strategy([source, *compare]), target, goal)
    selection = read_objective(source)
    results = read_results(source)
    if selection.metric != target and selection.metric in results.columns:
        curves = pd.concat([curves, selected_so_far(results, selection, target)])
    return curves.reset_index(drop=True)


def load_source(
    source: str | Path | pd.DataFrame, all_rungs: bool = False, study_name: str | None = None
) -> RawTable:
    """A RawTable from a path or an in-memory DataFrame."""
    if isinstance(source, pd.DataFrame):
        from h2osweep.analysis.tables import recognise

        if source.empty:
            raise UserInputError("the table is empty (no rows)")
        return recognise(source, "DataFrame")
    return load_results(source, all_rungs, study_name)

"""Every figure of the report, declared once: its key, how it is drawn from an `Analysis`, its
title and its caption (from the constants it depends on). Writing the PNGs and rendering the
HTML both iterate `FIGURES`, and the HTML finds a figure by its key, never by its file name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from h2osweep.analysis.axes import parallel_axes, slice_points
from h2osweep.analysis.gam import LOG_SCALE
from h2osweep.analysis.importance import (
    FANOVA_DEPTH,
    METHODS,
    N_TREES,
    PERMUTATION_REPEATS,
    PERMUTATION_RUNS,
)
from h2osweep.analysis.rungs import BUDGET, CONFIG, compute_note
from h2osweep.report import plots


@dataclass(frozen=True)
class Figure:
    """One drawn figure: the registry key it belongs to, its file, title, caption, the plot and
    its size in inches."""

    key: str
    file: str
    title: str
    caption: str
    plot: object
    width: float
    height: float
    objective: int = 0  # 0: the first objective's analysis; i: `analysis.others[i - 1]`


@dataclass(frozen=True)
class FigureSpec:
    """A registry entry: `draw` gives the figures of an analysis (none when it has no data);
    `per_objective` entries are drawn for every objective of a multi-objective analysis."""

    key: str
    draw: Callable[[object], list[Figure]]
    per_objective: bool = False

    @property
    def files(self) -> str:
        """The glob of the PNGs its figures are written to (a surface per `te` term)."""
        return "gam_surface_*.png" if self.draw is gam_surfaces else f"{self.key}.png"


def facets(analysis) -> list[Figure]:
    """The lecture's plot: the target against every numeric hyperparameter, with a smoother."""
    prepared = analysis.prepared
    if not prepared.numeric:
        return []
    plot = plots.facet_plot(prepared.table, prepared.target, prepared.numeric, analysis.smooths)
    methods = ", ".join(sorted(set(analysis.smooths.get("method", []))))
    caption = f"Points are runs; the line is ggplot's default smoother ({methods or 'none'})."
    if len(prepared.table) > plots.DRAWN_POINTS:
        caption += (
            f" Points drawn: {plots.DRAWN_POINTS} of {len(prepared.table)}; the line uses all."
        )
    height = 2.3 * -(-len(prepared.numeric) // 2) + 0.6
    title = "Target against each hyperparameter"
    return [Figure("facets", "facets.png", title, caption, plot, 9, height)]


def gam_terms(analysis) -> list[Figure]:
    """Each one-variable GAM term's partial effect with its band."""
    if analysis.partial.empty:
        return []
    terms = analysis.partial["term"].nunique()
    plot = plots.gam_terms_plot(analysis.partial, analysis.prepared.target)
    caption = "Each term's contribution, centred on the runs, with a 95 % confidence band."
    if LOG_SCALE[analysis.gam_fit.family]:
        caption += f" Effects are on the log scale ({analysis.gam_fit.family} family)."
    height = 2.8 * -(-terms // 3) + 0.6
    return [Figure("gam_terms", "gam_terms.png", "GAM partial effects", caption, plot, 10, height)]


def gam_surfaces(analysis) -> list[Figure]:
    """One heat map per tensor (`te`) term."""
    prepared = analysis.prepared
    figures = []
    for i, (term, surface) in enumerate(analysis.surfaces.groupby("term", sort=False)):
        plot = plots.surface_plot(surface, prepared.table, prepared.target, prepared.goal)
        caption = (
            f"Joint effect of {term}; dots are the observed runs. Cells far from every run "
            "are left blank (mgcv's too.far = 0.1)."
        )
        title = f"GAM tensor term {term}"
        figures.append(
            Figure("gam_surfaces", f"gam_surface_{i + 1}.png", title, caption, plot, 7, 5)
        )
    return figures


def correlations(analysis) -> list[Figure]:
    """Pearson correlation of each column with the target."""
    frame = analysis.correlations.dropna()
    if frame.empty:
        return []
    target = analysis.prepared.target
    plot = plots.bar_plot(frame, "correlation", f"Correlation with {target}")
    height = 1 + 0.28 * len(analysis.correlations)
    caption = "Pearson correlation of each column with the target."
    return [Figure("correlations", "correlations.png", "Correlations", caption, plot, 7, height)]


def importance(analysis) -> list[Figure]:
    """ExtraTrees importances with their spread across trees."""
    plot = plots.bar_plot(analysis.importance, "importance", "ExtraTrees importance", error="std")
    height = 1 + 0.28 * len(analysis.importance)
    caption = (
        f"Mean impurity decrease over {N_TREES} trees; bars: ± one standard deviation across trees."
    )
    title = "ExtraTrees importance"
    return [Figure("importance", "importance.png", title, caption, plot, 7, height)]


def importance_methods(analysis) -> list[Figure]:
    """Each hyperparameter's share of the importance under every method, side by side."""
    methods = analysis.methods
    columns = [m for m in METHODS if m in methods.columns]
    if methods.empty or not columns:
        return []
    plot = plots.methods_plot(methods, columns, [METHODS[m] for m in columns])
    caption = (
        "Share of the importance under each method (each sums to 1): ExtraTrees' impurity "
        f"decrease; permutation (the forest's squared error when a hyperparameter is shuffled, "
        f"{PERMUTATION_REPEATS} shuffles of at most {PERMUTATION_RUNS} runs); Optuna's fANOVA "
        f"(trees of depth {FANOVA_DEPTH}) and PED-ANOVA, on the same runs as Optuna trials."
    )
    height = 1.2 + 0.45 * len(methods)
    title = "Importance by method"
    return [Figure("importance_methods", "importance_methods.png", title, caption, plot, 8, height)]


def best_so_far(analysis) -> list[Figure]:
    """The best value after each run, one line per sweep folder."""
    curves = analysis.curves
    if curves.empty or not curves["best"].notna().any():
        return []
    plot = plots.best_so_far_plot(curves, analysis.prepared.target)
    caption = (
        "The best value after each run, in plan order (for a model-based search, the order the "
        "sampler proposed them; for another tool's table, its row order); one line per sweep "
        "folder, and for a sweep that selects on another metric the target of the run it "
        "selects."
    )
    return [Figure("best_so_far", "best_so_far.png", "Best so far", caption, plot, 8, 4)]


def parallel(analysis) -> list[Figure]:
    """Parallel coordinates of the hyperparameters, coloured by the target."""
    prepared = analysis.prepared
    runs, ticks = parallel_axes(prepared)
    if ticks["axis"].nunique() < 2:
        return []
    plot = plots.parallel_plot(runs, ticks, prepared.target, prepared.goal)
    caption = (
        "Each line is a run; each axis is labelled in its own units, log-spaced for a "
        "log-scaled parameter (categories: levels in sorted order)."
    )
    title = "Parallel coordinates"
    return [Figure("parallel", "parallel.png", title, caption, plot, 11, 5)]


def slices(analysis) -> list[Figure]:
    """Optuna's slice plot: the target against each hyperparameter, coloured by run order."""
    prepared = analysis.prepared
    points = slice_points(prepared)
    panels = points["panel"].nunique()
    if panels == 0:
        return []
    runs = len(prepared.y)
    if runs > plots.DRAWN_POINTS:
        drawn = np.random.default_rng(0).permutation(runs)[: plots.DRAWN_POINTS] + 1
        points = points[points["run"].isin(drawn)]
    plot = plots.slice_plot(points, prepared.target)
    caption = (
        "One panel per hyperparameter, points coloured by their run's position in the table; "
        "a log-scaled parameter in log10 units, a categorical by its level's number."
    )
    if runs > plots.DRAWN_POINTS:
        caption += f" Runs drawn: {plots.DRAWN_POINTS} of {runs}."
    height = 2.4 * -(-panels // 3) + 0.6
    return [Figure("slices", "slices.png", "Slice plot", caption, plot, 10, height)]


def pareto(analysis) -> list[Figure]:
    """The runs on the first two objectives, the Pareto front and its knee."""
    if analysis.pareto.empty:
        return []
    first, second = analysis.prepared, analysis.others[0].prepared
    front = analysis.front
    plot = plots.pareto_plot(front.values, front.rows, front.knee_row, first.target, second.target)
    caption = (
        f"Every run on {first.target} and {second.target}; the Pareto front (no run is better "
        "on every objective) is joined, its knee ringed."
    )
    if len(analysis.others) > 1:
        caption += " The front is over every objective; only the first two are drawn."
    return [Figure("pareto", "pareto.png", "Pareto front", caption, plot, 7, 5)]


def rungs(analysis) -> list[Figure]:
    """A multi-fidelity sweep: every configuration's target at each rung it climbed."""
    table, target = analysis.rungs, analysis.prepared.target
    if table.empty or target not in table:
        return []
    reached = table.groupby(CONFIG)[BUDGET].transform("max") == table[BUDGET].max()
    points = pd.DataFrame(
        {
            "budget": table[BUDGET],
            "value": table[target],
            "config": table[CONFIG],
            "top": np.where(reached, "reached the top rung", "stopped early"),
        }
    ).dropna()
    budget_name = table.attrs.get("budget_name", BUDGET)
    plot = plots.rung_plot(points, target, budget_name)
    caption = (
        f"Each configuration's {target} at every {budget_name} it was trained to; a line is "
        "one configuration continued from its checkpoint; those that reached the top rung are "
        "highlighted. " + compute_note(table, budget_name)
    )
    return [Figure("rungs", "rungs.png", "Rungs", caption, plot, 8, 4.5)]


PER_OBJECTIVE = (facets, gam_terms, correlations, importance, importance_methods)
FIGURES = [
    FigureSpec(draw.__name__, draw, draw in PER_OBJECTIVE)
    for draw in (
        facets,
        gam_terms,
        gam_surfaces,
        correlations,
        importance,
        importance_methods,
        best_so_far,
        parallel,
        slices,
        pareto,
        rungs,
    )
]


def figure_files() -> list[str]:
    """Globs of every PNG `draw_all` may write (a further objective's prefixed)."""
    files = [spec.files for spec in FIGURES]
    return files + [f"objective*_{spec.files}" for spec in FIGURES if spec.per_objective]


def draw_all(analysis) -> list[Figure]:
    """Every figure of the analysis, in registry order, then the per-objective figures of each
    further objective (files prefixed `objective2_`, ...)."""
    figures = [figure for spec in FIGURES for figure in spec.draw(analysis)]
    for number, other in enumerate(analysis.others, start=1):
        for spec in (spec for spec in FIGURES if spec.per_objective):
            for figure in spec.draw(other):
                prefixed = f"objective{number + 1}_{figure.file}"
                figures.append(replace(figure, file=prefixed, objective=number))
    return figures

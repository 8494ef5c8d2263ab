"""Every figure of the report, declared once: its key, how it is drawn from an `Analysis`, its
title and its caption (from the constants it depends on). Writing the PNGs and rendering the
HTML both iterate `FIGURES`, and the HTML finds a figure by its key, never by its file name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from h2osweep.analysis.importance import N_TREES
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


@dataclass(frozen=True)
class FigureSpec:
    """A registry entry: `draw` gives the figures of an analysis (none when it has no data)."""

    key: str
    draw: Callable[[object], list[Figure]]


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


def best_so_far(analysis) -> list[Figure]:
    """The best value after each run, one line per sweep folder."""
    curves = analysis.curves
    if curves.empty or not curves["best"].notna().any():
        return []
    plot = plots.best_so_far_plot(curves, analysis.prepared.target)
    caption = (
        "The best value after each run, in plan order (for a model-based search, the order the "
        "sampler proposed them); one line per sweep folder."
    )
    return [Figure("best_so_far", "best_so_far.png", "Best so far", caption, plot, 8, 4)]


def parallel(analysis) -> list[Figure]:
    """Parallel coordinates of the hyperparameters, coloured by the target."""
    prepared = analysis.prepared
    table, features = plots.parallel_table(prepared)
    if len(features) < 2:
        return []
    plot = plots.parallel_plot(table, prepared.target, features, prepared.goal)
    caption = (
        "Each line is a run; each axis is scaled to its observed range "
        "(categories: levels in sorted order)."
    )
    title = "Parallel coordinates"
    return [Figure("parallel", "parallel.png", title, caption, plot, 10, 5)]


FIGURES = [
    FigureSpec(draw.__name__, draw)
    for draw in (
        facets,
        gam_terms,
        gam_surfaces,
        correlations,
        importance,
        best_so_far,
        parallel,
    )
]


def draw_all(analysis) -> list[Figure]:
    """Every figure of the analysis, in registry order."""
    return [figure for spec in FIGURES for figure in spec.draw(analysis)]

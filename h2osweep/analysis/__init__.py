"""Analyses of a sweep's results table: the lecture's facet plot and GAM, the blog's statistics.

`analyze(source, target=..., goal=...)` runs them all and returns an `Analysis`; each analysis
is also a function over a `Prepared` table returning a DataFrame.
"""

from h2osweep.analysis.correlation import correlations
from h2osweep.analysis.gam import GamFit, fit_gam, gam_table, partial_dependence, surfaces
from h2osweep.analysis.importance import importances
from h2osweep.analysis.ols import ols
from h2osweep.analysis.optimum import Optimum, best_observed, gam_suggestion
from h2osweep.analysis.pipeline import Analysis, analyze
from h2osweep.analysis.preprocess import Prepared, prepare
from h2osweep.analysis.smooth import facet_smooths, smooth_curve
from h2osweep.analysis.tables import RawTable, choose_columns, load_results

__all__ = [
    "Analysis",
    "GamFit",
    "Optimum",
    "Prepared",
    "RawTable",
    "analyze",
    "best_observed",
    "choose_columns",
    "correlations",
    "facet_smooths",
    "fit_gam",
    "gam_suggestion",
    "gam_table",
    "importances",
    "load_results",
    "ols",
    "partial_dependence",
    "prepare",
    "smooth_curve",
    "surfaces",
]

"""h2osweep: run and analyse hyperparameter sweeps of H2O deep-learning models.

Pipeline: sampling (grids, R-exact random draws) -> training (H2O models, metrics) -> store
(one folder per sweep) -> analysis (correlations, OLS, trees, GAM) -> report (plots, HTML).
"""

__version__ = "0.1.0"

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.sampling import (
    LECTURE_SPACE,
    Beta,
    Choice,
    Fixed,
    IntRange,
    Mean,
    PerLayer,
    RRandom,
    Space,
    Sum,
    Uniform,
    expand_grid,
    sample_params,
)
from h2osweep.training.lecture_run import run

__all__ = [
    "LECTURE_SPACE",
    "Beta",
    "Choice",
    "ClusterOptions",
    "Fixed",
    "H2OCluster",
    "IntRange",
    "Mean",
    "PerLayer",
    "RRandom",
    "Space",
    "Sum",
    "Uniform",
    "expand_grid",
    "load_data",
    "run",
    "sample_params",
    "upload",
]

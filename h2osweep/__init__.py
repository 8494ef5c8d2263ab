"""h2osweep: run and analyse hyperparameter sweeps of H2O models (deep learning, GBM, XGBoost,
DRF, GLM), with R-exact random draws from the lecture's space or from a space file.

Layers: space (R-exact draws, grids) -> search (strategies) -> training (H2O models, metrics)
-> store (one folder per sweep) -> sweep (the engine) -> analysis (correlations, OLS, trees,
GAM) -> report (plots, HTML); workflows and the CLI on top; `record` (the run record) and
`errors`/`validation` below all of them. See docs/ARCHITECTURE.md.
"""

__version__ = "0.1.0"

from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.space import (
    LECTURE_SPACE,
    Beta,
    Choice,
    Fixed,
    IntRange,
    LogIntRange,
    LogUniform,
    Mean,
    PerLayer,
    RRandom,
    Space,
    SteppedIntRange,
    SteppedUniform,
    Sum,
    Uniform,
    expand_grid,
    read_space_file,
    sample_params,
    space_to_r,
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
    "LogIntRange",
    "LogUniform",
    "Mean",
    "PerLayer",
    "RRandom",
    "Space",
    "SteppedIntRange",
    "SteppedUniform",
    "Sum",
    "Uniform",
    "expand_grid",
    "load_data",
    "read_space_file",
    "run",
    "sample_params",
    "space_to_r",
    "upload",
]

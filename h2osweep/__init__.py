"""h2osweep: run and analyse hyperparameter sweeps of H2O models (deep learning, GBM, XGBoost,
DRF, GLM), with R-exact random draws from the lecture's space or from a space file.

Layers: space (R-exact draws, grids) -> search (strategies) -> training (H2O models, metrics)
-> store (one folder per sweep) -> sweep (the engine) -> analysis (correlations, OLS, trees,
GAM) -> report (plots, HTML); workflows and the CLI on top; `record` (the run record) and
`errors`/`validation` below all of them. See docs/ARCHITECTURE.md.
"""

__version__ = "0.1.0"

from h2osweep.analysis import analyze
from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.record.goal import Objective
from h2osweep.report.outputs import write_report
from h2osweep.search.fixed import grid_plan, random_plan
from h2osweep.search.optuna.strategy import optuna_plan
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
from h2osweep.sweep import Budget, SweepOptions, run_sweep
from h2osweep.training.lecture_run import run
from h2osweep.training.scheduler import TrainSettings
from h2osweep.workflows.retrain import retrain

__all__ = [
    "LECTURE_SPACE",
    "Beta",
    "Budget",
    "Choice",
    "ClusterOptions",
    "Fixed",
    "H2OCluster",
    "IntRange",
    "LogIntRange",
    "LogUniform",
    "Mean",
    "Objective",
    "PerLayer",
    "RRandom",
    "Space",
    "SteppedIntRange",
    "SteppedUniform",
    "Sum",
    "SweepOptions",
    "TrainSettings",
    "Uniform",
    "analyze",
    "expand_grid",
    "grid_plan",
    "load_data",
    "optuna_plan",
    "random_plan",
    "read_space_file",
    "retrain",
    "run",
    "run_sweep",
    "sample_params",
    "space_to_r",
    "upload",
    "write_report",
]

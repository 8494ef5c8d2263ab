"""Sweeps: a plan of runs (grid or R-exact random draws) trained on H2O into one results folder."""

from h2osweep.sweep.budget import Budget
from h2osweep.sweep.engine import SweepOptions, SweepSummary, run_sweep
from h2osweep.sweep.plans import Plan, grid_plan, random_plan, seeds_from_count

__all__ = [
    "Budget",
    "Plan",
    "SweepOptions",
    "SweepSummary",
    "grid_plan",
    "random_plan",
    "run_sweep",
    "seeds_from_count",
]

"""Sweeps: a search strategy's runs trained on H2O into one results folder, within a budget."""

from h2osweep.sweep.budget import Budget
from h2osweep.sweep.engine import SweepOptions, SweepSummary, run_sweep, sweep_definition

__all__ = ["Budget", "SweepOptions", "SweepSummary", "run_sweep", "sweep_definition"]

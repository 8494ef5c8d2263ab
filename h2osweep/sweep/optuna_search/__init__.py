"""Model-based search with Optuna's samplers (ask/tell) on the sweep engine."""

from h2osweep.sweep.optuna_search.plan import STUDY_FILE, OptunaPlan, optuna_plan
from h2osweep.sweep.optuna_search.samplers import STRATEGIES
from h2osweep.sweep.optuna_search.translate import suggest_config, to_optuna

__all__ = [
    "STRATEGIES",
    "STUDY_FILE",
    "OptunaPlan",
    "optuna_plan",
    "suggest_config",
    "to_optuna",
]

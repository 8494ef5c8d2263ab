"""Model-based search with Optuna's samplers (ask/tell) on the sweep engine, and its curves."""

from h2osweep.sweep.optuna_search.curves import best_so_far, results_by_strategy
from h2osweep.sweep.optuna_search.plan import STUDY_FILE, OptunaPlan, optuna_plan
from h2osweep.sweep.optuna_search.samplers import STRATEGIES
from h2osweep.sweep.optuna_search.translate import suggest_config, to_optuna

__all__ = [
    "STRATEGIES",
    "STUDY_FILE",
    "OptunaPlan",
    "best_so_far",
    "optuna_plan",
    "results_by_strategy",
    "suggest_config",
    "to_optuna",
]

"""Model-based search with Optuna's samplers (ask/tell), as one strategy of the search package."""

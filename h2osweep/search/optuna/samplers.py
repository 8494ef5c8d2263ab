"""The Optuna sampler behind each model-based strategy: tpe, gp (needs PyTorch) and random."""

from __future__ import annotations

import importlib.util
import warnings

from h2osweep.errors import UserInputError
from h2osweep.validation import R_SEED_LIMIT, check_choice, check_int

STRATEGIES = ("tpe", "gp", "random")
STARTUP_TRIALS = 3  # random (prior) trials before tpe and gp model (Optuna's default: 10)
TPE_CANDIDATES = 256  # TPE's expected-improvement candidates per proposal (Optuna's: 24)
TPE_MULTIVARIATE = True  # one joint Parzen estimator (Optuna 5's default; before 5: False)


def check_strategy(strategy: str) -> str:
    """`strategy` if it is one we offer and its libraries are installed."""
    check_choice("strategy", strategy, STRATEGIES)
    if strategy == "gp" and importlib.util.find_spec("torch") is None:
        raise UserInputError(
            "{strategy} 'gp' needs PyTorch, which is not installed: pip install torch "
            "(or use {strategy} 'tpe')",
            "strategy",
        )
    return strategy


def check_sampler_seed(seed: int) -> int:
    """A sampler seed: an integer in [0, 2^31 - 1] (numpy refuses negative seeds)."""
    return check_int("seed", seed, 0, R_SEED_LIMIT)


def make_sampler(strategy: str, seed: int, history: int = 0):
    """A fresh sampler for `strategy`; its seed moves on with the study's `history` length.

    Samplers keep no state beyond the study's trials and their random generator, so a resumed
    search only needs a generator that does not replay the draws of the first session.
    """
    import optuna

    stream = (check_sampler_seed(seed) + 1_000_003 * history) % (R_SEED_LIMIT + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if check_strategy(strategy) == "tpe":
            # joint (said, so Optuna 4 does the same), fewer start-up trials and more
            # candidates than Optuna's defaults: measured in benchmarks/README.md (bench_search)
            return optuna.samplers.TPESampler(
                seed=stream,
                multivariate=TPE_MULTIVARIATE,
                constant_liar=True,
                n_startup_trials=STARTUP_TRIALS,
                n_ei_candidates=TPE_CANDIDATES,
            )
        if strategy == "gp":
            # layers beyond the ones every trial has are drawn from their priors; known, so quiet
            return optuna.samplers.GPSampler(
                seed=stream, n_startup_trials=STARTUP_TRIALS, warn_independent_sampling=False
            )
        return optuna.samplers.RandomSampler(seed=stream)

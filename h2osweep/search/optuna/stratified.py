"""A stratified start-up for a model-based search: trial j of n is row j of a Latin hypercube in
the priors' quantile space, so the first n runs cover each parameter's range once per 1/n of
its prior mass (one run per depth of 1..5 when n = 5; with n = 3, one in each third).

Each start-up trial is still distributed as a random draw of the space (every quantile is
marginally uniform, mapped as translate.py maps the sampler's own values); only the trials are
spread apart, as SMAC and BoTorch spread their initial designs. A layer's entry is stratified
among the trials that have the layer. Deterministic in (seed, parameter name), so a resumed
search proposes the same start-up.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from h2osweep.search.optuna.translate import suggest_config
from h2osweep.space.space import Space


def stratified_params(space: Space, seed: int, trial: int, trials: int) -> dict[str, Any]:
    """The Optuna parameters of start-up trial `trial` (0-based) of `trials`."""
    design = QuantileTrial(seed, trial, trials)
    suggest_config(design, space)
    return design.params


class QuantileTrial:
    """Answers `suggest_config` as an Optuna trial would, each value from its parameter's
    stratum of the hypercube; `params` records what was suggested."""

    def __init__(self, seed: int, trial: int, trials: int) -> None:
        self.seed, self.trial, self.trials = seed, trial, trials
        self.params: dict[str, Any] = {}

    def quantile(self, name: str) -> float:
        """This trial's point in its stratum of parameter `name` (a permutation per name)."""
        rng = np.random.default_rng([self.seed, zlib.crc32(name.encode())])
        strata, offsets = rng.permutation(self.trials), rng.uniform(size=self.trials)
        return float((strata[self.trial] + offsets[self.trial]) / self.trials)

    def suggest_int(self, name: str, low: int, high: int, step: int = 1, log: bool = False) -> int:
        u = self.quantile(name)
        if log:
            value = round(math.exp(math.log(low) + u * (math.log(high) - math.log(low))))
        else:
            count = (high - low) // step + 1
            value = low + step * min(int(u * count), count - 1)
        return self._record(name, int(min(max(value, low), high)))

    def suggest_float(
        self, name: str, low: float, high: float, step: float | None = None, log: bool = False
    ) -> float:
        u = self.quantile(name)
        if log:
            value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
        elif step:
            count = int(round((high - low) / step)) + 1
            value = low + step * min(int(u * count), count - 1)
        else:
            value = low + u * (high - low)
        return self._record(name, float(min(max(value, low), high)))

    def suggest_categorical(self, name: str, choices: Sequence) -> Any:
        index = min(int(self.quantile(name) * len(choices)), len(choices) - 1)
        return self._record(name, choices[index])

    def _record(self, name: str, value: Any) -> Any:
        self.params[name] = value
        return value

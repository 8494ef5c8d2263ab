"""Our space's distributions as Optuna's, and one run configuration suggested by an Optuna trial.

IntRange -> IntDistribution, Uniform -> FloatDistribution, Choice -> CategoricalDistribution,
Fixed -> a constant (nothing suggested); the log-scale and stepped ranges keep their `log=True`
or `step`. Beta becomes a FloatDistribution over its support
[0, 1/divisor]: the sampler models the space, not the prior (TPE starts from uniform draws, not
from Beta(shape1, shape2)). A PerLayer entry is conditioned on its length: `neurons` with
depth 3 suggests `neurons_1`, `neurons_2`, `neurons_3`; Sum and Mean are computed afterwards.
"""

from __future__ import annotations

from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from h2osweep.space.distributions import (
    Beta,
    Choice,
    Derived,
    Distribution,
    Fixed,
    IntRange,
    LogIntRange,
    LogUniform,
    PerLayer,
    SteppedIntRange,
    SteppedUniform,
    Uniform,
)
from h2osweep.space.space import Space


def to_optuna(dist: Distribution) -> BaseDistribution | None:
    """The Optuna distribution of one of ours (None for Fixed: a constant is not suggested)."""
    if isinstance(dist, IntRange | LogIntRange | SteppedIntRange):
        step = dist.step if isinstance(dist, SteppedIntRange) else 1
        return IntDistribution(dist.low, dist.high, log=isinstance(dist, LogIntRange), step=step)
    if isinstance(dist, Uniform | LogUniform | SteppedUniform):
        step = dist.step if isinstance(dist, SteppedUniform) else None
        return FloatDistribution(dist.low, dist.high, log=isinstance(dist, LogUniform), step=step)
    if isinstance(dist, Beta):
        end = 1.0 / dist.divisor
        return FloatDistribution(min(0.0, end), max(0.0, end))
    if isinstance(dist, Choice):
        return CategoricalDistribution(dist.values)
    if isinstance(dist, Fixed):
        return None
    raise TypeError(f"no Optuna translation for {dist!r}")


def layer_name(name: str, layer: int) -> str:
    """The Optuna parameter of one layer of a per-layer entry (1-based, as R indexes)."""
    return f"{name}_{layer}"


def suggest_config(trial, space: Space) -> dict[str, Any]:
    """One configuration with the keys of a random draw, each value suggested by `trial`.

    `trial` is an optuna Trial (asked from a study) or a FixedTrial (to rebuild the
    configuration of an earlier trial from its parameters).
    """
    config: dict[str, Any] = {}
    for name, entry in space.items():
        if isinstance(entry, PerLayer):
            count = int(config[entry.length])
            config[name] = [
                _suggest(trial, layer_name(name, layer), entry.dist)
                for layer in range(1, count + 1)
            ]
        elif isinstance(entry, Derived):
            config[name] = entry.compute(config[entry.of])
        else:
            config[name] = _suggest(trial, name, entry)
    return config


def _suggest(trial, name: str, dist: Distribution):
    """One value: a constant for Fixed, else the trial's suggestion over the translation."""
    if isinstance(dist, Fixed):
        return list(dist.value) if isinstance(dist.value, tuple) else dist.value
    translated = to_optuna(dist)
    if isinstance(translated, IntDistribution):
        low, high, step = translated.low, translated.high, translated.step
        return trial.suggest_int(name, low, high, step=step, log=translated.log)
    if isinstance(translated, FloatDistribution):
        low, high, step = translated.low, translated.high, translated.step
        return trial.suggest_float(name, low, high, step=step, log=translated.log)
    return trial.suggest_categorical(name, translated.choices)


def prior_params(space: Space, seed: int) -> dict[str, Any]:
    """A draw from the space's own distributions (R-exact, `Space.sample(seed)`) as trial
    parameters, to start a sampler from the prior rather than from uniform draws."""
    params: dict[str, Any] = {}
    for name, value in space.sample(seed).items():
        entry = space[name]
        if isinstance(entry, PerLayer) and not isinstance(entry.dist, Fixed):
            params |= {layer_name(name, i): v for i, v in enumerate(value, start=1)}
        elif isinstance(entry, Distribution) and not isinstance(entry, Fixed):
            params[name] = value
    return params

"""Our space's distributions as Optuna's, and one run configuration suggested by an Optuna trial.

The sampler searches each entry in its prior's quantile space, where the prior is flat, so its
start-up draws are distributed as a random search's and its model never spends runs where the
prior puts almost nothing:

- IntRange -> IntDistribution(low, high) and Choice -> CategoricalDistribution(values): R's
  `sample` is uniform over those, so the support is already the quantile space; the stepped
  ranges keep their `step`;
- Uniform -> FloatDistribution(low, high): uniform too (Optuna's samplers are invariant to the
  affine map from [0, 1], so the parameter keeps its own units); the log-scale ranges keep
  `log=True`, which is their quantile space;
- Beta -> FloatDistribution(0, 1) over the quantile q, suggested as `<name>_quantile`; the value
  is `qbeta(q, shape1, shape2) / divisor` (input dropout Beta(1, 12) puts 95 % of its mass below
  0.22, which a uniform [0, 1] would cover 22 % of the time);
- Fixed -> a constant (nothing suggested).

A PerLayer entry is conditioned on its length: `neurons` with depth 3 suggests `neurons_1`,
`neurons_2`, `neurons_3`; Sum and Mean are computed afterwards. Measured in
benchmarks/README.md (`bench_search.py`): the supports' translation let TPE explore where the
priors draw almost nothing.
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

QUANTILE = FloatDistribution(0.0, 1.0)
QUANTILE_SUFFIX = "_quantile"


def to_optuna(dist: Distribution) -> BaseDistribution | None:
    """The Optuna distribution of one of ours, over its prior's quantile space (None for Fixed:
    a constant is not suggested)."""
    if isinstance(dist, IntRange | LogIntRange | SteppedIntRange):
        step = dist.step if isinstance(dist, SteppedIntRange) else 1
        return IntDistribution(dist.low, dist.high, log=isinstance(dist, LogIntRange), step=step)
    if isinstance(dist, Uniform | LogUniform | SteppedUniform):
        step = dist.step if isinstance(dist, SteppedUniform) else None
        return FloatDistribution(dist.low, dist.high, log=isinstance(dist, LogUniform), step=step)
    if isinstance(dist, Beta):
        return QUANTILE
    if isinstance(dist, Choice):
        return CategoricalDistribution(dist.values)
    if isinstance(dist, Fixed):
        return None
    raise TypeError(f"no Optuna translation for {dist!r}")


def param_name(name: str, dist: Distribution) -> str:
    """The Optuna parameter behind entry `name`: `<name>_quantile` where it holds a quantile."""
    return name + QUANTILE_SUFFIX if isinstance(dist, Beta) else name


def from_optuna(dist: Distribution, value: Any) -> Any:
    """The configuration value of a suggested `value` (a Beta's quantile through qbeta)."""
    if isinstance(dist, Beta):
        from scipy.stats import beta

        return float(beta.ppf(float(value), dist.shape1, dist.shape2)) / dist.divisor
    if isinstance(dist, IntRange | LogIntRange | SteppedIntRange):
        return int(value)
    if isinstance(dist, Uniform | LogUniform | SteppedUniform):
        return float(value)
    return value


def to_quantile(dist: Distribution, value: Any) -> Any:
    """The Optuna parameter value that `from_optuna` maps back to (about) `value`."""
    if isinstance(dist, Beta):
        from scipy.stats import beta

        return float(beta.cdf(value * dist.divisor, dist.shape1, dist.shape2))
    return value


def layer_name(name: str, layer: int) -> str:
    """The entry name of one layer of a per-layer entry (1-based, as R indexes)."""
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
    """One value: a constant for Fixed, else the trial's suggestion mapped from quantile space."""
    if isinstance(dist, Fixed):
        return list(dist.value) if isinstance(dist.value, tuple) else dist.value
    translated = to_optuna(dist)
    name = param_name(name, dist)
    if isinstance(translated, IntDistribution):
        low, high, step = translated.low, translated.high, translated.step
        value = trial.suggest_int(name, low, high, step=step, log=translated.log)
    elif isinstance(translated, FloatDistribution):
        low, high, step = translated.low, translated.high, translated.step
        value = trial.suggest_float(name, low, high, step=step, log=translated.log)
    else:
        value = trial.suggest_categorical(name, translated.choices)
    return from_optuna(dist, value)


def config_params(space: Space, config: dict) -> dict[str, Any]:
    """A configuration's Optuna parameters (the inverse of `suggest_config`)."""
    params: dict[str, Any] = {}
    for name, entry in space.items():
        if isinstance(entry, PerLayer) and not isinstance(entry.dist, Fixed):
            for layer, value in enumerate(config[name], start=1):
                params[param_name(layer_name(name, layer), entry.dist)] = to_quantile(
                    entry.dist, value
                )
        elif isinstance(entry, Distribution) and not isinstance(entry, Fixed):
            params[param_name(name, entry)] = to_quantile(entry, config[name])
    return params


def param_distributions(space: Space, params: dict) -> dict[str, BaseDistribution]:
    """The Optuna distribution of each parameter of `params` (one per layer of a PerLayer)."""
    found = {}
    for name, entry in space.items():
        if isinstance(entry, PerLayer) and not isinstance(entry.dist, Fixed):
            for key in params:
                if key.removesuffix(QUANTILE_SUFFIX).rsplit("_", 1)[0] == name:
                    found[key] = to_optuna(entry.dist)
        elif isinstance(entry, Distribution) and not isinstance(entry, Fixed):
            found[param_name(name, entry)] = to_optuna(entry)
    return found

"""From a sweep configuration (lecture names, grid shorthands) to H2O deep-learning parameters.

A configuration is what a sampler produces: the lecture's names (`neurons`, `hidden_dropout`,
`input_dropout`), grid shorthands (`layers`, `units`), or any H2ODeepLearningEstimator argument.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import inspect
import math

from h2osweep.errors import UserInputError

ALIASES = {
    "neurons": "hidden",
    "hidden_dropout": "hidden_dropout_ratios",
    "input_dropout": "input_dropout_ratio",
}
RUN_KEYS = {"name", "seed", "depth", "SumNeurons", "MeanHiddenDropout"}
SHORTHANDS = {"layers", "units"}
SET_BY_H2OSWEEP = {
    "model_id",
    "training_frame",
    "validation_frame",
    "response_column",
    "ignored_columns",
    "x",
    "y",
    "seed",
    "reproducible",
}
DEFAULT_UNITS = 100
LECTURE_DEFAULTS = {"activation": "RectifierWithDropout", "epochs": 100.0}
CLASSIFICATION_DEFAULTS = {"loss": "CrossEntropy"}
SEED_MODULUS = 2**31 - 1
POSITIVE = {"epochs", "layers", "units"}
NON_NEGATIVE = {"l1", "l2", "input_dropout_ratio", "rate", "rho", "epsilon", "hidden"}


@functools.cache
def h2o_parameter_names() -> frozenset[str]:
    """Every argument H2ODeepLearningEstimator accepts."""
    from h2o.estimators import H2ODeepLearningEstimator

    names = inspect.signature(H2ODeepLearningEstimator.__init__).parameters
    return frozenset(name for name in names if name != "self")


def allowed_keys() -> set[str]:
    """Names a grid or space may use: H2O's own, the lecture's, and the grid shorthands."""
    return (set(h2o_parameter_names()) - SET_BY_H2OSWEEP) | set(ALIASES) | SHORTHANDS | RUN_KEYS


def check_keys(keys) -> None:
    """Refuse unknown or reserved parameter names, suggesting the closest allowed one."""
    allowed = allowed_keys()
    for key in keys:
        if key in SET_BY_H2OSWEEP:
            raise UserInputError(f"parameter {key!r} is set by h2osweep itself and cannot be swept")
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UserInputError(
                f"unknown parameter {key!r}{hint}: use an H2O deep-learning parameter, "
                f"one of {sorted(ALIASES)}, or 'layers'/'units'"
            )


def h2o_parameters(
    config: dict, *, classification: bool = True, reproducible: bool = True, **overrides
) -> dict:
    """The estimator arguments for one run: lecture defaults, then the config, then overrides."""
    check_keys(config)
    parameters = dict(LECTURE_DEFAULTS)
    if classification:
        parameters.update(CLASSIFICATION_DEFAULTS)
    for key, value in config.items():
        if key not in RUN_KEYS | SHORTHANDS:
            parameters[ALIASES.get(key, key)] = _plain(value)
    if "layers" in config:
        parameters["hidden"] = [int(config.get("units", DEFAULT_UNITS))] * int(config["layers"])
    parameters.update(overrides)
    parameters["reproducible"] = reproducible
    return parameters


def model_seed(name: str) -> int:
    """H2O's seed for a run, from its name alone, so scheduling order cannot change a model."""
    digest = hashlib.sha256(f"h2osweep:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % SEED_MODULUS + 1


def _plain(value):
    """Numpy scalars and arrays as plain Python values, which the h2o client accepts."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float) and math.isnan(value):
        raise UserInputError("a parameter value is missing (NaN)")
    return value


def validate_config(config: dict) -> None:
    """Refuse, before any cluster is involved, values the h2o client would reject (l1='abc')."""
    from h2o.estimators import H2ODeepLearningEstimator

    for key in POSITIVE & set(config):
        if not _is_number(config[key]) or config[key] <= 0:
            raise UserInputError(
                f"parameter {key!r} must be a positive number, but got {config[key]!r}"
            )
    for key, value in h2o_parameters(config).items():
        if key in NON_NEGATIVE and any(_is_number(v) and v < 0 for v in _as_list(value)):
            raise UserInputError(f"parameter {key!r} must not be negative, but got {value!r}")
        try:
            H2ODeepLearningEstimator(**{key: value})
        except Exception as error:
            shown = next((k for k, v in ALIASES.items() if v == key), key)
            raise UserInputError(
                f"parameter {shown!r} cannot be {value!r}: {str(error).splitlines()[0]}"
            ) from error


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]

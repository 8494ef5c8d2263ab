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
from h2osweep.record.columns import ARCHITECTURE, DEFAULT_UNITS

ALIASES = {
    "neurons": "hidden",
    "hidden_dropout": "hidden_dropout_ratios",
    "input_dropout": "input_dropout_ratio",
}
RUN_KEYS = {"name", "seed", *ARCHITECTURE}
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
LECTURE_EPOCHS = 100.0
LECTURE_DEFAULTS = {"activation": "RectifierWithDropout", "epochs": LECTURE_EPOCHS}
CLASSIFICATION_DEFAULTS = {"loss": "CrossEntropy"}
SEED_MODULUS = 2**31 - 1
POSITIVE = {"epochs"}
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
    """Refuse unknown or reserved parameter names, suggesting the closest allowed ones."""
    allowed = allowed_keys()
    for key in keys:
        if key in SET_BY_H2OSWEEP:
            raise UserInputError(f"parameter {key!r} is set by h2osweep itself and cannot be swept")
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=3)
            hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
            raise UserInputError(
                f"unknown parameter {key!r}{hint}: use any H2ODeepLearningEstimator argument "
                "(epochs, hidden, l1, rate, ...), the lecture's neurons/hidden_dropout/"
                "input_dropout, or the shorthands layers/units"
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
            parameters[ALIASES.get(key, key)] = _plain(key, value)
        if ALIASES.get(key, key) == "hidden":
            _check_hidden(key, parameters["hidden"])
    _check_shorthands(config)
    if "layers" in config:
        units = _whole(config, "units", DEFAULT_UNITS)
        parameters["hidden"] = [units] * _whole(config, "layers", 1)
    parameters.update(overrides)
    parameters["reproducible"] = reproducible
    return parameters


def model_seed(name: str) -> int:
    """H2O's seed for a run, from its name alone, so scheduling order cannot change a model."""
    digest = hashlib.sha256(f"h2osweep:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % SEED_MODULUS + 1


def _plain(key: str, value):
    """The value as plain Python (which the h2o client takes); NaN or inf refused (H2O cannot)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if any(isinstance(v, float) and not math.isfinite(v) for v in _flat(value)):
        raise UserInputError(f"parameter {key!r} must be a finite number, but got {value!r}")
    return value


def _flat(value) -> list:
    """The value's items, nested lists flattened (`hidden` is a list of lists in a grid)."""
    if isinstance(value, list | tuple):
        return [item for part in value for item in _flat(part)]
    return [value]


def _whole(config: dict, key: str, default: int) -> int:
    """A shorthand's whole number >= 1 (1.0 is fine), refused rather than truncated (1.5)."""
    value = config.get(key, default)
    if hasattr(value, "item"):
        value = value.item()
    whole = _is_number(value) and math.isfinite(value) and value >= 1 and value == int(value)
    if not whole:
        raise UserInputError(f"parameter {key!r} must be a whole number >= 1, but got {value!r}")
    return int(value)


def _check_shorthands(config: dict) -> None:
    """`units` means nothing without `layers`, and `layers` would silently replace `hidden`."""
    if "units" in config and "layers" not in config:
        raise UserInputError(
            "parameter 'units' needs 'layers' (hidden = [units] * layers): add a 'layers' value"
        )
    given = [key for key in config if ALIASES.get(key, key) == "hidden"]
    if "layers" in config and given:
        raise UserInputError(
            f"give the hidden layers once: as {given[0]!r} or as layers/units, not both"
        )


def _check_hidden(key: str, value) -> None:
    """Refuse a `hidden` that is not a list of layer sizes, or one with no layer at all."""
    if not isinstance(value, list | tuple):
        raise UserInputError(
            f"parameter {key!r} takes a list of layer sizes, but got {value!r}: write each value "
            f"as a list, e.g. {key}=[[50, 50]] or {key}=[[50, 50], [100]]"
        )
    if not value:
        raise UserInputError(f"parameter {key!r} needs at least one layer, but got {value!r}")


def validate_config(config: dict) -> None:
    """Refuse, before any cluster is involved, values the h2o client would reject (l1='abc')."""
    from h2o.estimators import H2ODeepLearningEstimator

    for key in POSITIVE & set(config):
        if not _is_number(config[key]) or config[key] <= 0:
            raise UserInputError(
                f"parameter {key!r} must be a positive number, but got {config[key]!r}"
            )
    parameters = h2o_parameters(config)
    for key in [key for key in config if key not in RUN_KEYS | SHORTHANDS]:
        name = ALIASES.get(key, key)
        value = parameters[name]
        if name in NON_NEGATIVE and any(_is_number(v) and v < 0 for v in _flat(value)):
            raise UserInputError(f"parameter {key!r} must not be negative, but got {value!r}")
        try:
            H2ODeepLearningEstimator(**{name: value})
        except Exception as error:
            raise UserInputError(
                f"parameter {key!r} cannot be {value!r}: {str(error).splitlines()[0]}"
            ) from error


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

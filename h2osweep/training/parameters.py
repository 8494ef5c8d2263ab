"""From a sweep configuration to the parameters of one H2O model of the sweep's algorithm.

A configuration is what a sampler produces: any parameter of the algorithm (H2O's names), and
for deep learning also the lecture's names (`neurons`, `hidden_dropout`, `input_dropout`) and the
grid shorthands (`layers`, `units`). `depth`, `SumNeurons` and `MeanHiddenDropout` are columns
of the results, never sent to H2O. Names are checked against the h2o client's estimator before
any cluster is involved, and names and types against the cluster's own schema before any build.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Iterable, Mapping

from h2osweep.errors import UserInputError
from h2osweep.record.columns import ARCHITECTURE, DEFAULT_UNITS
from h2osweep.training.algorithms import (
    ALGORITHMS,
    DEEPLEARNING,
    builder_parameters,
    check_algorithm,
    check_value,
    client_parameter_names,
    make_estimator,
    unknown_parameter,
)

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


def allowed_keys(algorithm: str = DEEPLEARNING) -> set[str]:
    """Names a grid or space may use: the algorithm's own, the results' columns, and for deep
    learning the lecture's names and the grid shorthands."""
    own = set(client_parameter_names(check_algorithm(algorithm))) - SET_BY_H2OSWEEP
    lecture = set(ALIASES) | SHORTHANDS if algorithm == DEEPLEARNING else set()
    return own | lecture | RUN_KEYS


def h2o_key(key: str, algorithm: str = DEEPLEARNING) -> str | None:
    """The H2O parameter a configuration key sets (None: a column or shorthand, not sent)."""
    if key in RUN_KEYS or (algorithm == DEEPLEARNING and key in SHORTHANDS):
        return None
    return ALIASES.get(key, key) if algorithm == DEEPLEARNING else key


def config_key(name: str, config: Mapping, algorithm: str = DEEPLEARNING) -> str | None:
    """The key of `config` that sets H2O's parameter `name` (`units` sets `hidden`), if any."""
    keys = [key for key in config if h2o_key(key, algorithm) == name]
    if not keys and name == "hidden" and algorithm == DEEPLEARNING and "units" in config:
        keys = ["units"]
    return keys[0] if keys else None


def check_keys(keys, algorithm: str = DEEPLEARNING) -> None:
    """Refuse unknown or reserved parameter names, suggesting the closest allowed ones."""
    allowed = allowed_keys(algorithm)
    for key in keys:
        if key in SET_BY_H2OSWEEP:
            raise UserInputError(f"parameter {key!r} is set by h2osweep itself and cannot be swept")
        if key in allowed:
            continue
        others = [a for a in ALGORITHMS if a != algorithm and key in client_parameter_names(a)]
        elsewhere = (
            f"; {key!r} is a parameter of {', '.join(others)}: choose one with {{algorithm}}"
            if others
            else ""
        )
        if algorithm != DEEPLEARNING:
            raise UserInputError(unknown_parameter(key, algorithm, allowed, elsewhere), "algorithm")
        close = difflib.get_close_matches(key, sorted(allowed), n=3)
        hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        raise UserInputError(
            f"unknown parameter {key!r}{hint}: use any H2ODeepLearningEstimator argument "
            "(epochs, hidden, l1, rate, ...), the lecture's neurons/hidden_dropout/"
            f"input_dropout, or the shorthands layers/units{elsewhere}",
            "algorithm",
        )


def check_on_cluster(values: Mapping[str, Iterable], algorithm: str = DEEPLEARNING) -> None:
    """Refuse, before any build starts, a name the cluster's `algorithm` does not have or a
    value of a type it does not take (`values`: each key's values, or bounds, in the sweep)."""
    schema = builder_parameters(algorithm)
    known = set(schema) - SET_BY_H2OSWEEP
    for key, examples in values.items():
        name = h2o_key(key, algorithm)
        if name is None:
            continue
        if name not in known:
            raise UserInputError(unknown_parameter(key, algorithm, known, " on this cluster"))
        for value in examples:
            check_value(key, value, schema[name], algorithm)


def h2o_parameters(
    config: dict,
    *,
    algorithm: str = DEEPLEARNING,
    classification: bool = True,
    reproducible: bool = True,
    **overrides,
) -> dict:
    """The estimator arguments for one run: defaults (the lecture's, for deep learning), then
    the config, then overrides."""
    if algorithm != DEEPLEARNING:
        return _other_parameters(config, algorithm, overrides)
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


def _other_parameters(config: dict, algorithm: str, overrides: dict) -> dict:
    """A model of another algorithm gets H2O's defaults, the config, then the overrides."""
    check_keys(config, algorithm)
    parameters = {}
    for key, value in config.items():
        name = h2o_key(key, algorithm)
        if name is not None:
            parameters[name] = _plain(key, value)
    return parameters | overrides


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


def validate_values(values: Mapping[str, Iterable], algorithm: str = DEEPLEARNING) -> None:
    """`validate_config` for each value (or bound) a space gives each of its keys."""
    for key, examples in values.items():
        for value in examples:
            validate_config({key: value}, algorithm)


def validate_config(config: dict, algorithm: str = DEEPLEARNING) -> None:
    """Refuse, before any cluster is involved, values the h2o client would reject (l1='abc')."""
    if algorithm != DEEPLEARNING:
        parameters = h2o_parameters(config, algorithm=algorithm)
        for key, name in ((key, h2o_key(key, algorithm)) for key in config):
            if name is not None:
                _client_accepts(key, algorithm, name, parameters[name])
        return
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
        _client_accepts(key, DEEPLEARNING, name, value)


def _client_accepts(key: str, algorithm: str, name: str, value) -> None:
    """Refuse a value the h2o client's estimator does not take (its own type checks)."""
    refusal = _client_refusal(algorithm, name, value)
    if refusal is not None:
        raise UserInputError(f"parameter {key!r} cannot be {value!r}: {refusal}")


def _client_refusal(algorithm: str, name: str, value) -> str | None:
    """The client's first line of refusal of one value, asked once per distinct value (a grid
    repeats each value in many rows, and an estimator takes milliseconds to build)."""
    asked = (algorithm, name, _typed(value))
    if asked not in _REFUSALS:
        try:
            make_estimator(algorithm, {name: value})
            _REFUSALS[asked] = None
        except Exception as error:
            _REFUSALS[asked] = _in_words(str(error).splitlines()[0], value)
    return _REFUSALS[asked]


def _in_words(refusal: str, value) -> str:
    """The client's type check in words ("should be an ?integer, got float 2.0": H2O takes
    whole numbers), with how a space draws one; any other refusal as the client says it."""
    choices = CLIENT_ENUM.search(refusal)
    if choices:
        named = ", ".join(sorted(re.findall(r'"([^"]*)"', choices.group(1))))
        return f"H2O takes one of {named} (in any case, underscores aside)"
    expected = CLIENT_TYPE.search(refusal)
    words = CLIENT_TYPES.get(expected.group(1)) if expected else None
    if words is None:
        return refusal
    hint = " (in a space, sample = [lo, hi] draws them)" if isinstance(value, float) else ""
    return f"H2O takes {words} here{hint}"


_REFUSALS: dict[tuple, str | None] = {}
CLIENT_TYPE = re.compile(r"should be an? \??(\w+), got ")  # the h2o client's assert_is_type
CLIENT_ENUM = re.compile(r"should be an? \??Enum\[(.*)\], got ")
CLIENT_TYPES = {"integer": "whole numbers", "numeric": "numbers", "bool": "true or false"}


def _typed(value) -> tuple:
    """A memo key that tells apart values of equal repr and other types (3 and numpy's 3)."""
    if isinstance(value, list | tuple):
        return (type(value).__name__, *map(_typed, value))
    return (type(value).__qualname__, type(value).__module__, repr(value))


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

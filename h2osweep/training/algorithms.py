"""The H2O algorithms a sweep can tune, their estimators, and their parameters as the cluster
itself declares them (`/3/ModelBuilders/{algo}`): names, H2O types, allowed values, defaults.

Names are H2O's REST names (`lambda`, as R writes it); the Python client spells a Python keyword
with a trailing underscore (`lambda_`), which `make_estimator` adds.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import keyword
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from h2osweep.cluster import redact_url
from h2osweep.errors import ClusterError, UserInputError
from h2osweep.validation import check_choice, is_real, is_whole

DEEPLEARNING = "deeplearning"
ALGORITHMS = (DEEPLEARNING, "gbm", "xgboost", "drf", "glm")
# The parameter a multi-fidelity rung sets, for the algorithms H2O continues by `checkpoint=`
BUDGETS = {DEEPLEARNING: "epochs", "gbm": "ntrees", "xgboost": "ntrees", "drf": "ntrees"}
NOT_REGISTERED = "is not registered"
NUMBER_TYPES = {"int": is_whole, "long": is_whole, "double": is_real, "float": is_real}
TYPE_WORDS = {
    "int": "a whole number",
    "long": "a whole number",
    "double": "a number",
    "float": "a number",
    "boolean": "true or false",
    "string": "text",
    "enum": "one of its values",
}


def check_algorithm(algorithm: object) -> str:
    """One of the algorithms h2osweep tunes."""
    return check_choice("algorithm", algorithm, ALGORITHMS)


def budget_parameter(algorithm: str) -> str:
    """The parameter a rung's budget sets for `algorithm` (epochs, ntrees); refused for an
    algorithm H2O cannot continue from a checkpoint."""
    if algorithm not in BUDGETS:
        raise UserInputError(
            f"{{algorithm}} {algorithm} cannot continue a model from a checkpoint, so a "
            f"multi-fidelity search cannot grow it: use {', '.join(BUDGETS)}",
            "algorithm",
        )
    return BUDGETS[algorithm]


def client_name(name: str) -> str:
    """The h2o client's argument for H2O's parameter `name` (`lambda` -> `lambda_`)."""
    return f"{name}_" if keyword.iskeyword(name) else name


def make_estimator(algorithm: str, parameters: Mapping[str, object]):
    """The h2o client's estimator of `algorithm` with H2O's `parameters` (REST names)."""
    from h2o.estimators import create_estimator

    arguments = {client_name(name): value for name, value in parameters.items()}
    return create_estimator(check_algorithm(algorithm), **arguments)


@functools.cache
def client_parameter_names(algorithm: str) -> frozenset[str]:
    """Every parameter the h2o client's estimator of `algorithm` takes, as H2O names it."""
    estimator = make_estimator(algorithm, {})
    names = inspect.signature(type(estimator).__init__).parameters
    return frozenset(name.removesuffix("_") for name in names if name != "self")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a model builder as the cluster declares it."""

    name: str
    type: str  # H2O's: int, long, double, float, boolean, enum, string, int[], Key<Frame>, ...
    values: tuple[str, ...] = ()  # an enum's values
    default: object = None

    @property
    def element(self) -> str:
        """The type of one value (`int` for `int[]`)."""
        return self.type.removesuffix("[]")

    @property
    def sweepable(self) -> bool:
        """Numbers, booleans, text and enums, or arrays of them (not frames, keys, columns)."""
        return self.element in TYPE_WORDS and self.type.count("[]") <= 1


def builder_parameters(algorithm: str) -> dict[str, Parameter]:
    """The connected cluster's parameters of `algorithm`; a cluster without the algorithm
    (XGBoost is an extension some builds lack) is one line saying so."""
    import h2o

    return _builder_parameters(h2o.connection().base_url, check_algorithm(algorithm))


@functools.cache
def _builder_parameters(url: str, algorithm: str) -> dict[str, Parameter]:
    from h2osweep.training import rest

    try:
        answer = rest.get(f"/3/ModelBuilders/{algorithm}")
    except rest.H2ORequestError as error:
        if NOT_REGISTERED not in str(error):
            raise
        raise ClusterError(
            f"{{algorithm}} {algorithm}: the H2O cluster at {redact_url(url)} has no "
            f"{algorithm} (its H2O reports the algorithm as not registered; XGBoost needs "
            "H2O's XGBoost extension, on 64-bit Linux or macOS); choose another {algorithm}",
            "algorithm",
        ) from None
    fields = answer["model_builders"][algorithm]["parameters"]
    return {
        field["name"]: Parameter(
            field["name"], field["type"], tuple(field.get("values") or ()), field["default_value"]
        )
        for field in fields
    }


def unknown_parameter(key: str, algorithm: str, known: Iterable[str], extra: str = "") -> str:
    """The message for a name `algorithm` does not have, with the closest names it has."""
    close = difflib.get_close_matches(key, sorted(known), n=3)
    hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
    return f"unknown parameter {key!r} for {algorithm}{hint}{extra}"


def check_value(key: str, value: object, parameter: Parameter, algorithm: str) -> None:
    """Refuse a value of the wrong type for `parameter` (an array takes a list or one value)."""
    if not parameter.sweepable:
        raise UserInputError(
            f"parameter {key!r} of {algorithm} (H2O type {parameter.type}) cannot be swept"
        )
    values = value if isinstance(value, list) and parameter.type.endswith("[]") else [value]
    for item in values:
        if not _fits(item, parameter):
            raise UserInputError(
                f"parameter {key!r} of {algorithm} takes {_expected(parameter)}, but got {value!r}"
            )


def _fits(value: object, parameter: Parameter) -> bool:
    element = parameter.element
    if element in NUMBER_TYPES:
        return NUMBER_TYPES[element](value)
    if element == "boolean":
        return isinstance(value, bool)
    if element == "enum" and parameter.values:
        return isinstance(value, str) and value.lower() in {v.lower() for v in parameter.values}
    return isinstance(value, str)


def _expected(parameter: Parameter) -> str:
    if parameter.element == "enum" and parameter.values:
        what = f"one of {', '.join(parameter.values)}"
    else:
        what = TYPE_WORDS[parameter.element]
    if parameter.type.endswith("[]"):
        what = f"{what}, or a list of them"
    return f"{what} (H2O type {parameter.type})"

"""The results table's columns: their order, the metrics, the list-valued layer columns, and the
lecture's architecture summaries (depth, SumNeurons, MeanHiddenDropout) derived from a
configuration and turned back into layer lists."""

from __future__ import annotations

import json
import math
import re

from h2osweep.errors import UserInputError
from h2osweep.validation import invalid, is_real

LEADING = ["name", "seed", "status", "error"]
ARCHITECTURE = ["depth", "SumNeurons", "MeanHiddenDropout"]
METRIC_NAMES = ("mse", "rmse", "r2", "logloss", "mean_per_class_error")
CLASSIFICATION_METRICS = ("logloss", "mean_per_class_error")  # H2O measures them for classes only
PARTS = ("train", "valid", "xval", "test")  # what a metric is measured on
SELECTION_PARTS = ("valid", "xval", "test")  # what may choose among runs
ALWAYS = ("train", "test")  # the parts every sweep measures
ALL_METRIC_COLUMNS = [f"{part}_{name}" for name in METRIC_NAMES for part in PARTS]
METRIC_COLUMNS = [f"{part}_{name}" for name in METRIC_NAMES for part in ALWAYS]
TRAILING = ["build_seconds", "model_id"]
RUN_IDS = ("name", "seed", "status", "error", "build_seconds", "model_id")
LAYER_COLUMNS = ("neurons", "hidden")  # the lecture's name first, then H2O's
DROPOUT_COLUMNS = ("hidden_dropout", "hidden_dropout_ratios")
LIST_COLUMNS = LAYER_COLUMNS + DROPOUT_COLUMNS
DEFAULT_UNITS = 100  # units per layer of the `layers` shorthand
LAYER_NAME = re.compile(r"hidden|layer|neuron|unit|dropout", re.IGNORECASE)


def check_metric(metric: str, name: str = "metric") -> str:
    """A sweep ranks and stops on one of the metric columns it stores, and on nothing else."""
    if metric not in ALL_METRIC_COLUMNS:
        raise invalid(name, f"one of {', '.join(ALL_METRIC_COLUMNS)}", metric)
    return metric


def selection_metric(metric: str, select_on: str) -> str:
    """The column that ranks runs: `metric` (mse, logloss, ... or a full column such as
    test_mse) measured on the `select_on` part (valid, xval or test)."""
    chosen = [c for c in ALL_METRIC_COLUMNS if part_of(c) in SELECTION_PARTS]
    rule = f"one of {', '.join(chosen)} or a name alone ({', '.join(METRIC_NAMES)})"
    part, name = named_part(metric), metric.partition("_")[2]
    if part == "train" and f"valid_{name}" in ALL_METRIC_COLUMNS:
        parts = ", ".join(f"{part}_{name}" for part in SELECTION_PARTS)
        raise UserInputError(
            f"{{metric}} {metric} is measured on the training rows, which cannot choose the best "
            f"(every model fits them): give {parts}, or {name} alone",
            "metric",
        )
    if part is not None and part not in SELECTION_PARTS:
        raise invalid("metric", rule, metric)
    if select_on not in SELECTION_PARTS:
        raise invalid("select_on", f"one of {', '.join(SELECTION_PARTS)}", select_on)
    column = metric if part else f"{select_on}_{metric}"
    if column not in ALL_METRIC_COLUMNS:
        raise invalid("metric", rule, metric)
    if part_of(column) != select_on:
        raise UserInputError(
            f"{{metric}} {metric} is measured on {part_of(column)}, but {{select_on}} is "
            f"{select_on}: give the metric's name alone (e.g. mse), or agree on the part",
            "metric",
            "select_on",
        )
    return column


def check_measured(column: str, classification: bool) -> None:
    """Refuse to rank a regression by a metric H2O measures only for classification."""
    if not classification and metric_of(column) in CLASSIFICATION_METRICS:
        raise UserInputError(
            f"{{metric}} {column} is measured for classification only, and the target is "
            "numeric (a regression): choose mse, rmse or r2",
            "metric",
        )


def part_of(column: str) -> str:
    """The part a metric column is measured on (`valid_mse` -> `valid`)."""
    return column.split("_", 1)[0]


def named_part(metric: str) -> str | None:
    """The part a full column names (`valid_mse` -> `valid`); None for a name alone."""
    part, sep, _ = metric.partition("_")
    return part if sep and part in PARTS else None


def metric_of(column: str) -> str:
    """The metric a column measures, without its part (`valid_mse` -> `mse`)."""
    return column.split("_", 1)[1]


def on_test(column: str) -> str | None:
    """The same metric on the test part, the held-out figure (`valid_mse` -> `test_mse`);
    None for a name with no part in it."""
    return "test_" + metric_of(column) if "_" in column else None


def metric_columns(parts) -> list[str]:
    """The metric columns of the given parts, in the table's order."""
    return [column for column in ALL_METRIC_COLUMNS if part_of(column) in parts]


def parse_list(cell: object) -> list | None:
    """A list-valued cell (a JSON list string or a list), or None when it is not one."""
    if isinstance(cell, list | tuple):
        return list(cell)
    if hasattr(cell, "tolist") and getattr(cell, "ndim", 0) == 1:
        return cell.tolist()
    if isinstance(cell, str) and cell.strip().startswith("["):
        try:
            value = json.loads(cell)
        except ValueError:
            return None
        return value if isinstance(value, list) else None
    return None


def layer_summary(sizes: list) -> dict:
    """`depth` and `SumNeurons` of a list of layer sizes."""
    return {"depth": len(sizes), "SumNeurons": sum(sizes)}


def dropout_summary(ratios: list) -> dict:
    """`MeanHiddenDropout` of a list of per-layer dropout ratios."""
    return {"MeanHiddenDropout": float(sum(ratios)) / len(ratios)}


def is_dropout_column(column: str) -> bool:
    """Whether a list column holds dropout ratios (else layer sizes)."""
    return "dropout" in column.lower()


def is_layer_column(column: str) -> bool:
    """Whether a list column describes hidden layers (sizes or dropouts) by its name: ours,
    H2O's (`hidden`, also in an H2O grid table), or a foreign table's (`layers`, `units`)."""
    return column in LIST_COLUMNS or LAYER_NAME.search(column) is not None


def architecture(config: dict) -> dict:
    """Depth, total neurons and mean hidden dropout of a configuration (the lecture's columns).

    Values the configuration already has (a space's own R-exact `Sum` and `Mean`) win.
    """
    layers = next((config[key] for key in LAYER_COLUMNS if key in config), None)
    if layers is None and "layers" in config:
        layers = [config.get("units", DEFAULT_UNITS)] * int(config["layers"])
    dropout = next((config[key] for key in DROPOUT_COLUMNS if key in config), None)
    derived = {}
    if _numbers(layers):
        derived |= {"depth": len(layers), "SumNeurons": int(sum(layers))}
    if _numbers(dropout) and dropout:
        derived |= dropout_summary(dropout)
    derived.update({key: config[key] for key in ARCHITECTURE if key in config})
    return derived


def _numbers(values: object) -> bool:
    """A list of numbers (a configuration H2O refused may hold anything under these names)."""
    return isinstance(values, list) and all(is_real(v) for v in values)


def with_layers(config: dict) -> dict:
    """The inverse of `architecture`: layer lists that agree with depth, SumNeurons and
    MeanHiddenDropout.

    A list that already agrees is kept (an observed run's own layers); otherwise it becomes
    `depth` equal layers whose total (mean for dropouts) is the summary's, or else the old
    list's, so a change of depth alone still gets lists of that depth. A configuration of the
    `layers`/`units` shorthand keeps it: `layers` is the depth, `units` the total / depth.
    """
    config = dict(config)
    layer_key = _present(config, LAYER_COLUMNS)
    dropout_key = _present(config, DROPOUT_COLUMNS)
    neurons, dropout = parse_list(config.get(layer_key)), parse_list(config.get(dropout_key))
    shorthand = "layers" in config and neurons is None
    depth = config.get("depth")
    if depth is None:
        depth = config["layers"] if shorthand else len(neurons or dropout or []) or None
    if depth is None:
        return config
    depth = max(1, round(depth))
    if "depth" in config:
        config["depth"] = depth
    if config.get("SumNeurons") is not None:
        config["SumNeurons"] = round(config["SumNeurons"])
    total = config.get("SumNeurons")
    if shorthand:
        config |= _shorthand(config, depth, total)
    else:
        total = sum(neurons) if total is None and neurons else total
        if total is not None and not _agrees(neurons, depth, total / depth):
            config[layer_key] = [max(1, round(total / depth))] * depth
    mean = config.get("MeanHiddenDropout")
    if mean is None and dropout:
        mean = dropout_summary(dropout)["MeanHiddenDropout"]
    if mean is not None and not _agrees(dropout, depth, mean):
        config[dropout_key] = [float(mean)] * depth
    return config


def _shorthand(config: dict, depth: int, total: float | None) -> dict:
    """`layers` (the depth) and `units` (the total over the depth, when there is a total and
    the configuration sets units or they are not the default)."""
    units = max(1, round(total / depth)) if total is not None else None
    if units is None or ("units" not in config and units == DEFAULT_UNITS):
        return {"layers": depth}
    return {"layers": depth, "units": units}


def _present(config: dict, keys: tuple[str, ...]) -> str:
    """The first of `keys` the configuration uses, else a foreign table's list of that kind
    (`model.hidden`, `layer_dropouts`), else the lecture's name."""
    own = next((key for key in keys if config.get(key) is not None), None)
    dropouts = is_dropout_column(keys[0])
    foreign = (
        key
        for key, value in config.items()
        if is_layer_column(key) and is_dropout_column(key) == dropouts and parse_list(value)
    )
    return own or next(foreign, keys[0])


def _agrees(values: list | None, depth: int, mean: float) -> bool:
    """True when a layer list has `depth` entries whose mean is `mean`."""
    if not values or len(values) != depth:
        return False
    return math.isclose(sum(values) / len(values), mean, rel_tol=1e-9, abs_tol=1e-12)

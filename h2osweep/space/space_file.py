"""A search space written by hand: one TOML table (or JSON object) per entry, drawn top to
bottom after `set.seed(seed)`, each entry one R call named by its key:

    [depth]
    sample = [1, 5]            # sample(1:5, 1); `step = 2` or `log = true` change the grid
    [l1]
    runif = [0, 0.01]          # runif(1, 0, 0.01); `step = 0.001` draws on a grid
    [rate]
    loguniform = [1e-4, 0.1]   # exp(runif(1, log(1e-4), log(0.1)))
    [hidden_dropout]
    rbeta = [1.5, 1]
    divide = 2
    per_layer = "depth"        # rbeta(depth, 1.5, 1) / 2
    [activation]
    choice = ["Tanh", "Rectifier"]
    [epochs]
    value = 10                 # no draw
    [SumNeurons]
    sum = "neurons"            # sum(neurons); `mean = ...` is mean(...)
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from h2osweep.errors import UserInputError
from h2osweep.space.distributions import (
    Beta,
    Choice,
    Derived,
    Distribution,
    Fixed,
    IntRange,
    LogIntRange,
    LogUniform,
    Mean,
    PerLayer,
    SpaceError,
    SteppedIntRange,
    SteppedUniform,
    Sum,
    Uniform,
)
from h2osweep.space.rcode import entry_r
from h2osweep.space.space import Entry, Space, can_be_length, can_be_summed
from h2osweep.validation import is_real

PER_LAYER = "per_layer"
OPTIONS = {  # each distribution's key, and the keys it may have beside it
    "sample": {"step", "log", PER_LAYER},
    "runif": {"step", PER_LAYER},
    "loguniform": {PER_LAYER},
    "rbeta": {"divide", PER_LAYER},
    "choice": {PER_LAYER},
    "value": {PER_LAYER},
    "sum": set(),
    "mean": set(),
}
EXAMPLE = "e.g. [l1] with runif = [0, 0.01]"


def read_space_file(path: str | Path) -> Space:
    """The space a TOML or JSON file declares; any mistake is one line naming file and entry."""
    path = Path(path)
    data = _parse(path, _read_text(path))
    if not isinstance(data, Mapping):
        raise UserInputError(f"{path}: a space file holds one table per entry ({EXAMPLE})")
    if "h2osweep_space" in data:  # a space as h2osweep stores it (Space.to_json)
        return _named(str(path), "", Space.from_dict, data)
    return space_from_tables(data, str(path))


def space_from_tables(tables: Mapping[str, Any], source: str = "space") -> Space:
    """A Space from `{name: {distribution key: ..., option: ...}}`, entries in order."""
    if not tables:
        raise UserInputError(f"{source}: the space has no entry ({EXAMPLE})")
    entries: dict[str, Entry] = {}
    for name, table in tables.items():
        entries[name] = _named(source, name, _entry, name, table, entries)
    return _named(source, "", Space, entries)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserInputError(f"space file {path} does not exist") from None
    except (IsADirectoryError, UnicodeDecodeError, OSError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise UserInputError(f"cannot read the space file {path}: {reason}") from None


def _parse(path: Path, text: str) -> object:
    """TOML or JSON by the file's suffix; a file with another suffix may be either."""
    parsers = {".toml": [_toml], ".json": [_json]}.get(path.suffix.lower(), [_toml, _json])
    errors = []
    for parse in parsers:
        try:
            return parse(text)
        except ValueError as error:
            errors.append(f"{parse.__doc__}: {' '.join(str(error).split())}")
    raise UserInputError(f"{path} is not a TOML or JSON space file ({'; '.join(errors)})")


def _toml(text: str) -> object:
    """TOML"""
    return tomllib.loads(text)


def _json(text: str) -> object:
    """JSON"""
    return json.loads(text)


def _named(source: str, name: str, build: Callable[..., Any], *args: Any) -> Any:
    """`build(*args)`; a refusal becomes one line naming the file and the entry."""
    where = f"{source}: [{name}] " if name else f"{source}: "
    try:
        return build(*args)
    except SpaceError as error:
        raise UserInputError(where + error.rule) from None
    except UserInputError as error:
        raise UserInputError(where + str(error)) from None


def _entry(name: str, table: object, earlier: Mapping[str, Entry]) -> Entry:
    """One entry from its table, its references checked against the entries before it."""
    if not isinstance(table, Mapping):
        raise UserInputError(f"must be a table with one distribution ({EXAMPLE}), got {table!r}")
    kinds = [key for key in table if key in OPTIONS]
    if len(kinds) != 1:
        unknown = [key for key in table if key not in OPTIONS and key not in _ALL_OPTIONS]
        problem = f"unknown distribution {unknown[0]!r}" if unknown else "no distribution"
        if len(kinds) > 1:
            problem = f"one distribution only, but got {' and '.join(kinds)}"
        raise UserInputError(f"{problem} (known: {', '.join(OPTIONS)})")
    kind = kinds[0]
    extra = [key for key in table if key != kind and key not in OPTIONS[kind]]
    if extra:
        takes = ", ".join(sorted(OPTIONS[kind])) or "no other key"
        raise UserInputError(f"{kind} does not take {extra[0]!r} (it takes {takes})")
    options = {key: value for key, value in table.items() if key != kind}
    if kind in ("sum", "mean"):
        return _derived(kind, table[kind], earlier)
    dist = _BUILDERS[kind](table[kind], options)
    if PER_LAYER not in options:
        return dist
    return _per_layer(dist, options[PER_LAYER], earlier)


_ALL_OPTIONS = set().union(*OPTIONS.values())


def _per_layer(dist: Distribution, length: object, earlier: Mapping[str, Entry]) -> PerLayer:
    if not isinstance(length, str) or not can_be_length(earlier.get(length)):
        raise UserInputError(
            f"per_layer must name an earlier entry of whole numbers >= 0 (sample = [lo, hi] "
            f"with lo >= 0, or value = n), but got per_layer = {length!r}"
        )
    return PerLayer(dist, length)


def _derived(kind: str, of: object, earlier: Mapping[str, Entry]) -> Derived:
    if not isinstance(of, str) or not can_be_summed(earlier.get(of)):
        raise UserInputError(f"{kind} must name an earlier numeric entry, but got {kind} = {of!r}")
    return Sum(of) if kind == "sum" else Mean(of)


def _pair(kind: str, value: object) -> tuple[Any, Any]:
    """The two numbers of `kind = [a, b]`."""
    numbers = isinstance(value, list) and len(value) == 2
    if not numbers or not all(is_real(v) for v in value):
        raise UserInputError(f"{kind} must be two numbers [a, b], but got {kind} = {value!r}")
    return value[0], value[1]


def _sample(bounds: object, options: dict) -> Distribution:
    low, high = _pair("sample", bounds)
    step, log = options.get("step", 1), options.get("log", False)
    if not isinstance(log, bool):
        raise UserInputError(f"log must be true or false, but got log = {log!r}")
    if log and "step" in options:
        raise UserInputError("sample takes step or log = true, not both (as Optuna)")
    if log:
        return LogIntRange(low, high)
    return SteppedIntRange(low, high, step) if "step" in options else IntRange(low, high)


def _runif(bounds: object, options: dict) -> Distribution:
    low, high = _pair("runif", bounds)
    if "step" in options:
        return SteppedUniform(low, high, options["step"])
    return Uniform(low, high)


def _beta(shapes: object, options: dict) -> Distribution:
    shape1, shape2 = _pair("rbeta", shapes)
    return Beta(shape1, shape2, divisor=options.get("divide", 1.0))


def _choice(values: object) -> Distribution:
    if not isinstance(values, list) or not values:
        raise UserInputError(
            f'choice must list one value or more (choice = ["a", "b"]), but got {values!r}'
        )
    return Choice(values)


_BUILDERS: dict[str, Callable[[Any, dict], Distribution]] = {
    "sample": _sample,
    "runif": _runif,
    "loguniform": lambda bounds, options: LogUniform(*_pair("loguniform", bounds)),
    "rbeta": _beta,
    "choice": lambda values, options: _choice(values),
    "value": lambda value, options: Fixed(value),
}


def entry_table(entry: Entry) -> dict[str, Any]:
    """The inverse of `_entry`: an entry as the keys of its table."""
    if isinstance(entry, PerLayer):
        return {**entry_table(entry.dist), PER_LAYER: entry.length}
    if isinstance(entry, Derived):
        return {entry.how: entry.of}
    if isinstance(entry, Choice):
        return {"choice": list(entry.values)}
    if isinstance(entry, Fixed):
        return {"value": list(entry.value) if isinstance(entry.value, tuple) else entry.value}
    if isinstance(entry, Beta):
        divide = {} if entry.divisor == 1.0 else {"divide": _short(entry.divisor)}
        return {"rbeta": [_short(entry.shape1), _short(entry.shape2)], **divide}
    bounds = [_short(entry.low), _short(entry.high)]
    if isinstance(entry, LogIntRange):
        return {"sample": bounds, "log": True}
    kind = {IntRange: "sample", SteppedIntRange: "sample", LogUniform: "loguniform"}
    table = {kind.get(type(entry), "runif"): bounds}
    return table | ({"step": _short(entry.step)} if hasattr(entry, "step") else {})


def _short(number: float) -> float | int:
    """A whole float as an int, for fields the distribution reads as floats anyway (`[0, 1]`)."""
    whole = isinstance(number, float) and number.is_integer() and abs(number) < 2**53
    return int(number) if whole else number


def space_to_toml(space: Space, header: str = "") -> str:
    """The space as a TOML file (each table's first line shows its R call); reads back equal."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for name, entry in space.items():
        lines += ["", f"[{_toml_key(name)}]"]
        items = [f"{key} = {_toml_value(value)}" for key, value in entry_table(entry).items()]
        items[0] += "  # no draw" if isinstance(entry, Fixed) else f"  # {entry_r(entry)}"
        lines += items
    text = "\n".join(lines).lstrip("\n") + "\n"
    if space_from_tables(tomllib.loads(text)) != space:  # a value TOML cannot hold exactly
        raise UserInputError("the space cannot be written as TOML exactly; use JSON")
    return text


def _toml_key(name: str) -> str:
    bare = name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    return name if bare else json.dumps(name)


def _toml_value(value: object) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        raise UserInputError(f"TOML cannot hold the value {value!r}; write the space as JSON")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return f"[{', '.join(_toml_value(v) for v in value)}]"

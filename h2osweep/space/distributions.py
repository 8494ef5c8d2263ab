"""The entries of a search space: distributions that are one R call each (`sample(lo:hi, 1)`,
`runif`, `rbeta(...)/d`, `exp(runif(...))`, ...), per-layer vectors of them, and columns derived
with R's `sum` and `mean`. Each validates itself, turns into JSON-ready data and writes the R
expression that draws what it draws (`r_call`).
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from h2osweep.errors import UserInputError
from h2osweep.space.rng import RRandom, c_exp


class SpaceError(UserInputError):
    """A distribution or space breaks a rule; `rule` is the message without its owner."""

    def __init__(self, owner: str, rule: str) -> None:
        super().__init__(f"{owner}: {rule}")
        self.rule = rule


def _int(owner: str, field: str, value: object) -> int:
    """An integer field (bools and floats are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise SpaceError(owner, f"`{field}` must be an integer, but got {field}={value!r}")
    return int(value)


def _real(owner: str, field: str, value: object) -> float:
    """A finite real field."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)):
        raise SpaceError(owner, f"`{field}` must be a finite number, but got {field}={value!r}")
    return float(value)


def _scalar(owner: str, value: object) -> object:
    """A JSON scalar value (str, int, float, bool or None), as a plain Python object."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is not None and not isinstance(value, str | int | float | bool):
        raise SpaceError(owner, f"values must be str, int, float, bool or None, but got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise SpaceError(owner, f"values must be finite, but got {value!r}")
    return value


def _bounds(dist: Distribution, convert, rule: str, holds) -> None:
    """Convert `dist.low` and `dist.high` (with `_int` or `_real`) and check that `rule` holds."""
    owner = type(dist).__name__
    low, high = convert(owner, "low", dist.low), convert(owner, "high", dist.high)
    if not holds(low, high):
        raise SpaceError(owner, f"`{rule}` must hold, but got low={low}, high={high}")
    object.__setattr__(dist, "low", low)
    object.__setattr__(dist, "high", high)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Distribution(ABC):
    """One named draw: `draw(rng, size)` returns `size` values from a single R call."""

    numeric: ClassVar[bool] = True

    @abstractmethod
    def draw(self, rng: RRandom, size: int) -> list:
        """`size` values drawn with one R call, advancing `rng`."""

    @abstractmethod
    def r_call(self, size: str) -> str:
        """The R expression that draws what `draw` does; `size` is R code ("1", "depth")."""

    @abstractmethod
    def examples(self) -> list:
        """Values showing the draws' type and range (the bounds, or every choice), which an
        algorithm's parameter types are checked against."""

    def lowest_int(self) -> int | None:
        """The smallest draw when every draw is an integer, else None (a per-layer length)."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """The distribution as JSON-ready data, tagged with its type."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {"type": type(self).__name__, **_jsonable(data)}


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Tuples become lists so the JSON is plain."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


@dataclass(frozen=True)
class IntRange(Distribution):
    """An integer in `low..high`: R's `sample(low:high, size, TRUE)` (and `sample(low:high, 1)`).

    Drawn as `(low:high)[sample.int(high - low + 1, size, TRUE)]`, which equals R's `sample`
    whenever low < high (R would read a lone number n as `1:n`).
    """

    low: int
    high: int

    def __post_init__(self) -> None:
        _bounds(self, _int, "low <= high", lambda low, high: low <= high)

    def draw(self, rng: RRandom, size: int) -> list[int]:
        picks = rng.sample_int(self.high - self.low + 1, size, replace=True)
        return [int(v) + self.low - 1 for v in picks]

    def r_call(self, size: str) -> str:
        return _r_sample(f"({self.low}:{self.high})", self.high - self.low + 1, size)

    def examples(self) -> list[int]:
        return [self.low, self.high]

    def lowest_int(self) -> int:
        return self.low


@dataclass(frozen=True)
class Uniform(Distribution):
    """A real in [low, high]: R's `runif(size, low, high)`."""

    low: float
    high: float

    def __post_init__(self) -> None:
        _bounds(self, _real, "low <= high", lambda low, high: low <= high)

    def draw(self, rng: RRandom, size: int) -> list[float]:
        return rng.runif(size, self.low, self.high).tolist()

    def r_call(self, size: str) -> str:
        return f"runif({size}, {r_literal(self.low)}, {r_literal(self.high)})"

    def examples(self) -> list[float]:
        return [self.low, self.high]


@dataclass(frozen=True)
class Beta(Distribution):
    """A beta variate divided by `divisor`: R's `rbeta(size, shape1, shape2) / divisor`.

    The divisor (not a multiplier) is kept because `x / 3` and `x * (1/3)` can differ in the
    last bit; the lecture's hidden dropout is `rbeta(depth, 1.5, 1) / 2`.
    """

    shape1: float
    shape2: float
    divisor: float = 1.0

    def __post_init__(self) -> None:
        for field in ("shape1", "shape2", "divisor"):
            object.__setattr__(self, field, _real("Beta", field, getattr(self, field)))
        if self.shape1 <= 0 or self.shape2 <= 0:
            raise SpaceError(
                "Beta",
                f"shapes must be > 0, but got shape1={self.shape1}, shape2={self.shape2}",
            )
        if self.divisor == 0:
            raise SpaceError("Beta", "`divisor != 0` must hold, but got divisor=0.0")

    def draw(self, rng: RRandom, size: int) -> list[float]:
        values = rng.rbeta(size, self.shape1, self.shape2)
        if self.divisor != 1.0:
            values = values / self.divisor
        return values.tolist()

    def r_call(self, size: str) -> str:
        call = f"rbeta({size}, {r_literal(self.shape1)}, {r_literal(self.shape2)})"
        return call if self.divisor == 1.0 else f"{call} / {r_literal(self.divisor)}"

    def examples(self) -> list[float]:
        return [0.0, 1.0 / self.divisor]


@dataclass(frozen=True)
class Choice(Distribution):
    """One of `values`: R's `values[sample.int(length(values), size, TRUE)]`."""

    values: tuple

    def __post_init__(self) -> None:
        if isinstance(self.values, str | bytes) or not hasattr(self.values, "__iter__"):
            raise SpaceError("Choice", f"`values` must be a list, but got {self.values!r}")
        values = tuple(_scalar("Choice", v) for v in self.values)
        if not values:
            raise SpaceError("Choice", "`values` must hold at least one value, but got none")
        object.__setattr__(self, "values", values)

    @property
    def numeric(self) -> bool:  # type: ignore[override]
        return all(_is_number(v) for v in self.values)

    def draw(self, rng: RRandom, size: int) -> list:
        picks = rng.sample_int(len(self.values), size, replace=True)
        return [self.values[int(i) - 1] for i in picks]

    def r_call(self, size: str) -> str:
        count = len(self.values)
        pick = f"sample.int({count}, {size}, replace = TRUE)"
        kinds = {_kind(v) for v in self.values}
        if len(kinds) > 1:  # c() would turn 1 and "a" into text: a list keeps each value's type
            values = f"list({', '.join(map(r_literal, self.values))})"
            return f"{values}[[{pick}]]" if size == "1" else f"unlist({values}[{pick}])"
        return _r_sample(r_literal(list(self.values)), count, size)

    def examples(self) -> list:
        return list(self.values)

    def lowest_int(self) -> int | None:
        whole = all(isinstance(v, int) and not isinstance(v, bool) for v in self.values)
        return min(self.values) if whole else None


@dataclass(frozen=True)
class Fixed(Distribution):
    """A constant (a scalar, or a list such as `hidden=[500, 500, 500]`); draws nothing."""

    value: Any

    def __post_init__(self) -> None:
        value = self.value
        if isinstance(value, list | tuple | np.ndarray):
            value = tuple(_scalar("Fixed", v) for v in value)
        else:
            value = _scalar("Fixed", value)
        object.__setattr__(self, "value", value)

    @property
    def numeric(self) -> bool:  # type: ignore[override]
        return _is_number(self.value)

    def draw(self, rng: RRandom, size: int) -> list:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return [value] * size

    def r_call(self, size: str) -> str:
        value = r_literal(self.value)
        return value if size == "1" else f"rep({value}, {size})"

    def examples(self) -> list:
        return [list(self.value) if isinstance(self.value, tuple) else self.value]

    def lowest_int(self) -> int | None:
        whole = isinstance(self.value, int) and not isinstance(self.value, bool)
        return self.value if whole else None


@dataclass(frozen=True)
class LogUniform(Distribution):
    """A real in [low, high] on a log scale: R's `exp(runif(size, log(low), log(high)))`."""

    low: float
    high: float

    def __post_init__(self) -> None:
        _bounds(self, _real, "0 < low <= high", lambda low, high: 0 < low <= high)

    def draw(self, rng: RRandom, size: int) -> list[float]:
        return c_exp(rng.runif(size, math.log(self.low), math.log(self.high))).tolist()

    def r_call(self, size: str) -> str:
        bounds = f"log({r_literal(self.low)}), log({r_literal(self.high)})"
        return f"exp(runif({size}, {bounds}))"

    def examples(self) -> list[float]:
        return [self.low, self.high]


@dataclass(frozen=True)
class LogIntRange(Distribution):
    """An integer in `low..high` on a log scale (Optuna's `suggest_int(..., log=True)`): R's
    `pmin(floor(exp(runif(size, log(low), log(high + 1)))), high)`, so k is drawn with
    probability log((k + 1) / k) / log((high + 1) / low)."""

    low: int
    high: int

    def __post_init__(self) -> None:
        _bounds(self, _int, "1 <= low <= high", lambda low, high: 1 <= low <= high)

    def draw(self, rng: RRandom, size: int) -> list[int]:
        logs = rng.runif(size, math.log(self.low), math.log(self.high + 1))
        return [min(int(v), self.high) for v in np.floor(c_exp(logs))]

    def r_call(self, size: str) -> str:
        draw = f"runif({size}, log({self.low}), log({self.high + 1}))"
        return f"pmin(floor(exp({draw})), {self.high})"

    def examples(self) -> list[int]:
        return [self.low, self.high]

    def lowest_int(self) -> int:
        return self.low


def _steps(owner: str, low: float, high: float, step: float) -> int:
    """How many grid points `low, low + step, ...` reach `high` (high must be one of them)."""
    if step <= 0:
        raise SpaceError(owner, f"`step > 0` must hold, but got step={step}")
    if low > high:
        raise SpaceError(owner, f"`low <= high` must hold, but got low={low}, high={high}")
    gaps = (high - low) / step
    whole = isinstance(step, int) and isinstance(low, int) and isinstance(high, int)
    off_grid = (high - low) % step != 0 if whole else abs(gaps - round(gaps)) > 1e-9 * max(1, gaps)
    if off_grid:
        raise SpaceError(
            owner,
            f"`high` must be `low` plus a whole number of steps, but got low={low}, "
            f"high={high}, step={step}",
        )
    return (high - low) // step + 1 if whole else round(gaps) + 1


@dataclass(frozen=True)
class SteppedIntRange(Distribution):
    """One of `low, low + step, ..., high` (Optuna's `suggest_int(..., step=s)`): R's
    `low + step * (sample.int(n, size, TRUE) - 1)` with n the number of points."""

    low: int
    high: int
    step: int

    def __post_init__(self) -> None:
        for field in ("low", "high", "step"):
            object.__setattr__(self, field, _int("SteppedIntRange", field, getattr(self, field)))
        _steps("SteppedIntRange", self.low, self.high, self.step)

    @property
    def count(self) -> int:
        return _steps("SteppedIntRange", self.low, self.high, self.step)

    def draw(self, rng: RRandom, size: int) -> list[int]:
        picks = rng.sample_int(self.count, size, replace=True)
        return [self.low + self.step * (int(k) - 1) for k in picks]

    def r_call(self, size: str) -> str:
        pick = f"sample.int({self.count}, {size}, replace = TRUE)"
        return f"{self.low} + {self.step} * ({pick} - 1)"

    def examples(self) -> list[int]:
        return [self.low, self.high]

    def lowest_int(self) -> int:
        return self.low


@dataclass(frozen=True)
class SteppedUniform(Distribution):
    """A real on the grid `low + step * k` up to `high` (Optuna's `suggest_float(..., step=q)`):
    R's `low + step * (sample.int(n, size, TRUE) - 1)` with n the number of points."""

    low: float
    high: float
    step: float

    def __post_init__(self) -> None:
        for field in ("low", "high", "step"):
            object.__setattr__(self, field, _real("SteppedUniform", field, getattr(self, field)))
        _steps("SteppedUniform", self.low, self.high, self.step)

    @property
    def count(self) -> int:
        return _steps("SteppedUniform", self.low, self.high, self.step)

    def draw(self, rng: RRandom, size: int) -> list[float]:
        picks = rng.sample_int(self.count, size, replace=True).astype(np.float64)
        return (self.low + self.step * (picks - 1.0)).tolist()

    def r_call(self, size: str) -> str:
        pick = f"sample.int({self.count}, {size}, replace = TRUE)"
        return f"{r_literal(self.low)} + {r_literal(self.step)} * ({pick} - 1)"

    def examples(self) -> list[float]:
        return [self.low, self.low + self.step * (self.count - 1)]


def r_literal(value: object) -> str:
    """A value as R source that R reads back as the same value (doubles in Python's shortest
    exact form, text quoted with escapes, lists as `c(...)`)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # R reads 12 as the double 12.0
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return f"c({', '.join(r_literal(v) for v in value)})"


def _r_sample(values: str, count: int, size: str) -> str:
    """R's `sample(values, size, TRUE)`, which is `values[sample.int(count, size, TRUE)]`; the
    latter is written out for one value, which `sample` would read as `1:value`."""
    if count == 1:
        return f"{values}[sample.int(1, {size}, replace = TRUE)]"
    values = values.removeprefix("(").removesuffix(")") if values.startswith("(") else values
    return f"sample({values}, 1)" if size == "1" else f"sample({values}, {size}, replace = TRUE)"


def _kind(value: object) -> str:
    """What R's `c()` keeps apart: numbers, logicals, text and NULL."""
    if isinstance(value, bool):
        return "logical"
    return "number" if _is_number(value) else type(value).__name__


@dataclass(frozen=True)
class PerLayer:
    """A vector of `dist` draws whose length is an earlier draw (one R call of that size).

    The lecture's `sample(20:600, depth, TRUE)` is `PerLayer(IntRange(20, 600), "depth")`.
    """

    dist: Distribution
    length: str = "depth"

    def __post_init__(self) -> None:
        if not isinstance(self.dist, Distribution):
            raise SpaceError(
                "PerLayer", f"`dist` must be a distribution, but got dist={self.dist!r}"
            )
        if isinstance(self.dist, Fixed) and isinstance(self.dist.value, tuple):
            raise SpaceError(
                "PerLayer", f"`dist` must draw one value per layer, but got {self.dist.value!r}"
            )
        if not isinstance(self.length, str) or not self.length:
            raise SpaceError(
                "PerLayer", f"`length` must name an earlier draw, but got {self.length!r}"
            )

    @property
    def numeric(self) -> bool:
        return self.dist.numeric

    def to_dict(self) -> dict[str, Any]:
        return {"type": "PerLayer", "length": self.length, "dist": self.dist.to_dict()}


def _r_sum(values: list) -> int | float:
    """R's `sum`: exact for integers, long-double accumulation for doubles."""
    if all(isinstance(v, int) for v in values):
        return sum(values)
    total = np.longdouble(0)
    for v in values:
        total += np.longdouble(v)
    return float(total)


def _r_mean(values: list) -> float:
    """R's `mean`: long-double sum and divide, plus a correction pass for doubles."""
    n = len(values)
    if n == 0:
        return math.nan  # mean(numeric(0)) is NaN
    ld = [np.longdouble(v) for v in values]
    s = sum(ld, np.longdouble(0))
    if all(isinstance(v, int) for v in values):
        return float(s / n)
    if math.isfinite(float(s)):
        s /= n
        if math.isfinite(float(s)):
            s += sum((x - s for x in ld), np.longdouble(0)) / n
    else:  # the sum overflowed: R retries on terms divided by n
        s = sum((x / n for x in ld), np.longdouble(0))
        if math.isfinite(float(s)):
            s += sum(((x - s) / n for x in ld), np.longdouble(0))
    return float(s)


@dataclass(frozen=True)
class Derived:
    """A column computed from an earlier draw, drawing nothing: `Sum` or `Mean` (R's)."""

    of: str
    how: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if not isinstance(self.of, str) or not self.of:
            raise SpaceError(type(self).__name__, f"`of` must name a draw, but got {self.of!r}")

    numeric: ClassVar[bool] = True

    def compute(self, value: object) -> int | float:
        values = list(value) if isinstance(value, list) else [value]
        return _r_sum(values) if self.how == "sum" else _r_mean(values)

    def r_call(self, source: str) -> str:
        """R's `sum(x)` or `mean(x)` of the earlier draw whose R name is `source`."""
        return f"{self.how}({source})"

    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "of": self.of}


@dataclass(frozen=True)
class Sum(Derived):
    """R's `sum(x)` of an earlier draw, e.g. the lecture's `SumNeurons = sum(neurons)`."""

    how: ClassVar[str] = "sum"


@dataclass(frozen=True)
class Mean(Derived):
    """R's `mean(x)` of an earlier draw, e.g. `MeanHiddenDropout = mean(hidden_dropout)`."""

    how: ClassVar[str] = "mean"

"""The entries of a search space: distributions that are one R call each (`sample(lo:hi, 1)`,
`runif`, `rbeta(...)/d`, ...), per-layer vectors of them, and columns derived with R's `sum` and
`mean`. Each validates itself and turns into JSON-ready data.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from h2osweep.errors import UserInputError
from h2osweep.space.rng import RRandom


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


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Distribution(ABC):
    """One named draw: `draw(rng, size)` returns `size` values from a single R call."""

    numeric: ClassVar[bool] = True

    @abstractmethod
    def draw(self, rng: RRandom, size: int) -> list:
        """`size` values drawn with one R call, advancing `rng`."""

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
        low = _int("IntRange", "low", self.low)
        high = _int("IntRange", "high", self.high)
        if low > high:
            raise SpaceError("IntRange", f"`low <= high` must hold, but got low={low}, high={high}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def draw(self, rng: RRandom, size: int) -> list[int]:
        picks = rng.sample_int(self.high - self.low + 1, size, replace=True)
        return [int(v) + self.low - 1 for v in picks]


@dataclass(frozen=True)
class Uniform(Distribution):
    """A real in [low, high]: R's `runif(size, low, high)`."""

    low: float
    high: float

    def __post_init__(self) -> None:
        low = _real("Uniform", "low", self.low)
        high = _real("Uniform", "high", self.high)
        if low > high:
            raise SpaceError("Uniform", f"`low <= high` must hold, but got low={low}, high={high}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def draw(self, rng: RRandom, size: int) -> list[float]:
        return rng.runif(size, self.low, self.high).tolist()


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


@dataclass(frozen=True)
class PerLayer:
    """A vector of `dist` draws whose length is an earlier draw (one R call of that size).

    The lecture's `sample(20:600, depth, TRUE)` is `PerLayer(IntRange(20, 600), "depth")`.
    """

    dist: Distribution
    length: str = "depth"

    def __post_init__(self) -> None:
        if not isinstance(self.dist, IntRange | Uniform | Beta | Choice | Fixed):
            raise SpaceError(
                "PerLayer", f"`dist` must be a distribution, but got dist={self.dist!r}"
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

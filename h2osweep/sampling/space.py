"""The search space as data: named distributions drawn in order from one `RRandom`.

Each distribution is one R call (`sample(lo:hi, 1)`, `runif`, `rbeta(...)/d`, ...), so a space
sampled with seed s draws what the equivalent R code draws after `set.seed(s)`. A `Space`
validates itself, compares by value and round-trips through JSON, so a sweep can store the
space it used and refuse to resume with another (`fingerprint`).
"""

from __future__ import annotations

import hashlib
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from h2osweep.errors import UserInputError
from h2osweep.sampling.rng import RRandom

FORMAT_VERSION = 1
RESERVED_NAMES = frozenset({"name", "seed"})  # sample_params adds these to every draw


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


Entry = Distribution | PerLayer | Derived
_TYPES: dict[str, type] = {
    cls.__name__: cls for cls in (IntRange, Uniform, Beta, Choice, Fixed, PerLayer, Sum, Mean)
}


def _entry_from_dict(data: Mapping[str, Any]) -> Entry:
    """Build one entry from its JSON data."""
    data = dict(data)
    kind = data.pop("type", None)
    if kind not in _TYPES:
        raise UserInputError(f"unknown distribution type {kind!r}; known: {sorted(_TYPES)}")
    if kind == "PerLayer":
        data["dist"] = _entry_from_dict(data.get("dist") or {})
    try:
        return _TYPES[kind](**data)
    except TypeError as exc:
        raise UserInputError(f"{kind}: bad fields {sorted(data)} ({exc})") from None


class Space:
    """Named distributions drawn in declaration order; compares by value, round-trips JSON.

    >>> space = Space(depth=IntRange(1, 5), neurons=PerLayer(IntRange(20, 600), "depth"))
    >>> Space.from_json(space.to_json()) == space
    True
    """

    def __init__(self, params: Mapping[str, Entry] | None = None, /, **kwargs: Entry) -> None:
        entries = {**(params or {}), **kwargs}
        self._entries: dict[str, Entry] = {}
        for name, entry in entries.items():
            self._add(name, entry)

    def _add(self, name: str, entry: Entry) -> None:
        """Check `entry` against the rules and the entries before it, then keep it."""
        if not isinstance(name, str) or not name:
            raise UserInputError(f"parameter names must be non-empty strings, but got {name!r}")
        if name in RESERVED_NAMES:
            raise UserInputError(f"parameter name {name!r} is reserved (run name and seed)")
        if not isinstance(entry, Distribution | PerLayer | Derived):
            raise UserInputError(
                f"parameter {name!r} must be a distribution, PerLayer or Sum/Mean, "
                f"but got {entry!r}"
            )
        if isinstance(entry, PerLayer):
            self._check_length(name, entry)
        if isinstance(entry, Derived):
            self._check_derived(name, entry)
        self._entries[name] = entry

    def _check_length(self, name: str, entry: PerLayer) -> None:
        """A per-layer length must be an earlier, never-negative integer draw."""
        source = self._entries.get(entry.length)
        if isinstance(source, IntRange):
            ok = source.low >= 0
        elif isinstance(source, Fixed):
            ok = isinstance(source.value, int) and not isinstance(source.value, bool)
            ok = ok and source.value >= 0
        else:
            ok = False
        if not ok:
            raise UserInputError(
                f"PerLayer {name!r}: `length` must name an earlier IntRange (low >= 0) or "
                f"Fixed integer >= 0, but got length={entry.length!r} ({source!r})"
            )

    def _check_derived(self, name: str, entry: Derived) -> None:
        """A derived column must come from an earlier numeric draw."""
        source = self._entries.get(entry.of)
        if source is None or isinstance(source, Derived) or not source.numeric:
            raise UserInputError(
                f"{type(entry).__name__} {name!r}: `of` must name an earlier numeric draw, "
                f"but got of={entry.of!r} ({source!r})"
            )

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, name: str) -> Entry:
        return self._entries[name]

    def items(self):
        """(name, entry) pairs in declaration order."""
        return self._entries.items()

    def __eq__(self, other: object) -> bool:
        """Equal when the canonical JSON is (so `1` and `1.0` in a Choice differ, as in JSON)."""
        if not isinstance(other, Space):
            return NotImplemented
        return self._canonical() == other._canonical()

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    def __repr__(self) -> str:
        inner = ", ".join(f"{k!r}: {v!r}" for k, v in self._entries.items())
        return f"Space({{{inner}}})"

    def draw(self, rng: RRandom) -> dict[str, Any]:
        """Draw every entry in order from `rng` (which advances as R's stream would)."""
        out: dict[str, Any] = {}
        for name, entry in self._entries.items():
            if isinstance(entry, PerLayer):
                out[name] = entry.dist.draw(rng, out[entry.length])
            elif isinstance(entry, Derived):
                out[name] = entry.compute(out[entry.of])
            else:
                out[name] = entry.draw(rng, 1)[0]
        return out

    def sample(self, seed: int) -> dict[str, Any]:
        """The draws R makes after `set.seed(seed)`, as a dict in declaration order."""
        return self.draw(RRandom(seed))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: a format version and the entries in order."""
        params = [{"name": name, **entry.to_dict()} for name, entry in self._entries.items()]
        return {"h2osweep_space": FORMAT_VERSION, "params": params}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Space:
        """Rebuild a space from `to_dict` data; errors name the parameter at fault."""
        if not isinstance(data, Mapping) or data.get("h2osweep_space") != FORMAT_VERSION:
            raise UserInputError(
                f"not an h2osweep space (format {FORMAT_VERSION}): "
                f"expected a 'h2osweep_space': {FORMAT_VERSION} object, got {str(data)[:80]!r}"
            )
        entries: dict[str, Entry] = {}
        for item in data.get("params", []):
            item = dict(item)
            name = item.pop("name", None)
            try:
                entries[name] = _entry_from_dict(item)
            except SpaceError as exc:
                raise UserInputError(f"{item.get('type')} {name!r}: {exc.rule}") from None
        return cls(entries)

    def to_json(self, indent: int | None = 2) -> str:
        """The space as JSON text (floats written exactly)."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Space:
        """Rebuild a space from `to_json` text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserInputError(f"space JSON cannot be parsed: {exc}") from None
        return cls.from_dict(data)

    def _canonical(self) -> str:
        """Compact JSON with sorted keys: the form equality and fingerprints are based on."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def fingerprint(self) -> str:
        """A stable SHA-256 of the canonical JSON: equal spaces, equal fingerprints."""
        return hashlib.sha256(self._canonical().encode()).hexdigest()

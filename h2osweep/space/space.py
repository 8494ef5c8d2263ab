"""The search space as data: named entries drawn in order from one `RRandom`, so a space
sampled with seed s draws what the equivalent R code draws after `set.seed(s)`. A `Space`
validates itself, compares by value and round-trips through JSON, so a sweep can store the
space it used and refuse to resume with another (`fingerprint`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
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
from h2osweep.space.rng import RRandom

FORMAT_VERSION = 1
RESERVED_NAMES = frozenset({"name", "seed"})  # sample_params adds these to every draw

Entry = Distribution | PerLayer | Derived
DISTRIBUTIONS = (
    IntRange,
    Uniform,
    Beta,
    Choice,
    Fixed,
    LogUniform,
    LogIntRange,
    SteppedIntRange,
    SteppedUniform,
)
_TYPES: dict[str, type] = {cls.__name__: cls for cls in (*DISTRIBUTIONS, PerLayer, Sum, Mean)}


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


def can_be_length(source: Entry | None) -> bool:
    """Whether an entry can give a per-layer entry its length: a draw of whole numbers >= 0."""
    lowest = source.lowest_int() if isinstance(source, Distribution) else None
    return lowest is not None and lowest >= 0


def can_be_summed(source: Entry | None) -> bool:
    """Whether R's `sum` or `mean` can be taken of an entry: a numeric draw (per layer or not)."""
    return source is not None and not isinstance(source, Derived) and source.numeric


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
        if not can_be_length(source):
            raise UserInputError(
                f"PerLayer {name!r}: `length` must name an earlier IntRange (low >= 0), Fixed "
                f"integer >= 0 or other draw of whole numbers >= 0, but got "
                f"length={entry.length!r} ({source!r})"
            )

    def _check_derived(self, name: str, entry: Derived) -> None:
        """A derived column must come from an earlier numeric draw."""
        source = self._entries.get(entry.of)
        if not can_be_summed(source):
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

    def examples(self) -> dict[str, list]:
        """Each drawn entry's example values (bounds or choices; per-layer entries as one-layer
        lists), to check their types against what a model takes."""
        out: dict[str, list] = {}
        for name, entry in self._entries.items():
            if isinstance(entry, PerLayer):
                out[name] = [[value] for value in entry.dist.examples()]
            elif isinstance(entry, Distribution):
                out[name] = entry.examples()
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

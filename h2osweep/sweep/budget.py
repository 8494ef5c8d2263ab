"""When a sweep stops early: a model count, a wall-clock limit, or no improvement over k runs."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from h2osweep.errors import UserInputError


@dataclass
class Budget:
    """Limits for one command; `patience` runs without a `tolerance` gain stop the search."""

    max_models: int | None = None
    max_runtime: float | None = None
    patience: int | None = None
    tolerance: float = 0.0
    goal: str = "min"
    _started: float = field(default_factory=time.monotonic, repr=False)
    _started_models: int = 0
    _history: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for name in ("max_models", "patience"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise UserInputError(
                    f"--{name.replace('_', '-')} must be at least 1, but got {value}"
                )
        if self.max_runtime is not None and not 0 < self.max_runtime < math.inf:
            raise UserInputError(
                f"--max-runtime must be a positive number of seconds, but got {self.max_runtime}"
            )
        if not 0 <= self.tolerance < math.inf:
            raise UserInputError(
                f"--tolerance must be a finite number, 0 or more, but got {self.tolerance}"
            )

    @property
    def limited(self) -> bool:
        """Whether the sweep may stop before its plan ends."""
        return any(v is not None for v in (self.max_models, self.max_runtime, self.patience))

    def restart(self) -> None:
        """Start the clock (call when training begins)."""
        self._started = time.monotonic()

    def record_start(self) -> None:
        self._started_models += 1

    def record(self, metric: float) -> None:
        """Note one finished run's metric (NaN for a failed run)."""
        self._history.append(metric)

    def reason_to_stop(self) -> str | None:
        """Why no further model should start, or None."""
        if self.max_models is not None and self._started_models >= self.max_models:
            return f"--max-models {self.max_models} reached"
        if self.max_runtime is not None and time.monotonic() - self._started >= self.max_runtime:
            return f"--max-runtime {self.max_runtime:g} s reached"
        if self.patience is not None and self._stalled():
            return f"no improvement over {self.tolerance:g} in the last {self.patience} runs"
        return None

    def _stalled(self) -> bool:
        values = [v if self.goal == "min" else -v for v in self._history if not math.isnan(v)]
        if len(values) <= self.patience:
            return False
        before = min(values[: -self.patience])
        recent = min(values[-self.patience :])
        return recent > before - self.tolerance

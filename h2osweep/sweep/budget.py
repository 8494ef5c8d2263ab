"""When a sweep stops early: a model count, a wall-clock limit, or no improvement over k runs."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from h2osweep.validation import check_int, check_non_negative, check_positive


@dataclass
class Budget:
    """Limits for one command; `patience` runs without a `tolerance` gain stop the search.

    Results are recorded as losses (lower is better; the engine turns a maximised metric
    around), and the stall test keeps only what it needs: the best loss before the last
    `patience` runs and those runs themselves.
    """

    max_models: int | None = None
    max_runtime: float | None = None
    patience: int | None = None
    tolerance: float = 0.0
    _started: float = field(default_factory=time.monotonic, repr=False)
    _started_models: int = 0
    _best_before: float = field(default=math.inf, repr=False)
    _recent: deque = field(default_factory=deque, repr=False)

    def __post_init__(self) -> None:
        for name in ("max_models", "patience"):
            if getattr(self, name) is not None:
                check_int(name, getattr(self, name), low=1)
        if self.max_runtime is not None:
            check_positive("max_runtime", self.max_runtime, "a positive number of seconds")
        self.tolerance = check_non_negative("tolerance", self.tolerance)

    @property
    def limited(self) -> bool:
        """Whether the sweep may stop before its plan ends."""
        return any(v is not None for v in (self.max_models, self.max_runtime, self.patience))

    def restart(self) -> None:
        """Start the clock (call when training begins)."""
        self._started = time.monotonic()

    def record_start(self) -> None:
        """Count one model started."""
        self._started_models += 1

    def record(self, loss: float) -> None:
        """Note one finished run's loss (NaN for a failed run, which does not count)."""
        if math.isnan(loss) or self.patience is None:
            return
        self._recent.append(loss)
        if len(self._recent) > self.patience:
            self._best_before = min(self._best_before, self._recent.popleft())

    def reason_to_stop(self, spell: Callable[[str], str] = str) -> str | None:
        """Why no further model should start, or None; `spell` names the limit's parameter."""
        if self.max_models is not None and self._started_models >= self.max_models:
            return f"{spell('max_models')} {self.max_models} reached"
        if self.max_runtime is not None and time.monotonic() - self._started >= self.max_runtime:
            return f"{spell('max_runtime')} {self.max_runtime:g} s reached"
        if self.patience is not None and self._stalled():
            return f"no improvement over {self.tolerance:g} in the last {self.patience} runs"
        return None

    def _stalled(self) -> bool:
        """The last `patience` runs brought no gain of `tolerance` over the best before them."""
        if len(self._recent) < self.patience or math.isinf(self._best_before):
            return False
        return min(self._recent) > self._best_before - self.tolerance

"""Progress of a sweep on stderr: done/total, the run just finished, the best so far, the ETA."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field

from h2osweep.training.runs import RunResult


@dataclass
class Progress:
    """One line per finished run (log-friendly), then a summary line; silent when `quiet`."""

    total: int
    metric: str = "test_mse"
    goal: str = "min"
    quiet: bool = False
    stream: object = field(default_factory=lambda: sys.stderr)
    done: int = 0
    failed: int = 0
    best: tuple[float, str] | None = None
    _started: float = field(default_factory=time.monotonic)

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def update(self, result: RunResult) -> None:
        """Count one finished run and print its line."""
        self.done += 1
        value = result.metric(self.metric)
        if not result.ok:
            self.failed += 1
        elif not math.isnan(value) and (self.best is None or self._better(value, self.best[0])):
            self.best = (value, result.name)
        outcome = f"{self.metric} {value:.5g}" if result.ok else f"failed: {result.error}"
        width = len(str(self.total))
        self.say(
            f"[{self.done:>{width}}/{self.total}] {result.name:<12} {outcome}"
            f"{self._seconds(result)} | best {self._best_text()} | ETA {self._eta()}"
        )

    def summary(self, skipped: int, stop_reason: str | None) -> str:
        ok = self.done - self.failed
        elapsed = _clock(time.monotonic() - self._started)
        text = (
            f"{self.done} run(s) trained ({ok} ok, {self.failed} failed), {skipped} already done, "
            f"in {elapsed}; best {self.metric} {self._best_text()}"
        )
        return text + (f"; stopped early: {stop_reason}" if stop_reason else "")

    def _better(self, value: float, best: float) -> bool:
        return value < best if self.goal == "min" else value > best

    def _best_text(self) -> str:
        return "-" if self.best is None else f"{self.best[0]:.5g} ({self.best[1]})"

    def _eta(self) -> str:
        if self.done == 0:
            return "?"
        rate = (time.monotonic() - self._started) / self.done
        return _clock(rate * max(self.total - self.done, 0))

    @staticmethod
    def _seconds(result: RunResult) -> str:
        seconds = result.build_seconds
        return "" if seconds is None or math.isnan(seconds) else f" ({seconds:.1f} s)"


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"

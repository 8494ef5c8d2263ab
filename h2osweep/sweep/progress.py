"""Progress of a sweep on stderr: done/total, the run just finished, the best so far, the ETA."""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from h2osweep.record.goal import BestSoFar, Objective
from h2osweep.record.runs import RunResult, run_key


@dataclass
class Progress:
    """One line per finished run (log-friendly), then a summary line; silent when `quiet`.

    `best` starts from the sweep's stored best (a resume) and is updated one run at a time.
    """

    total: int
    objective: Objective = field(default_factory=Objective)
    quiet: bool = False
    best: tuple[float, str] | None = None
    done: int = 0
    failed: int = 0
    per_cluster: Counter = field(default_factory=Counter)  # runs done on each cluster of a pool
    lanes: list = field(default_factory=list)  # a pool's lanes: builds in flight on each
    _started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._best = BestSoFar(self.objective.goal, self.best)

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def update(self, result: RunResult) -> None:
        """Count one finished run and print its line."""
        self.done += 1
        metric = self.objective.metric
        if not result.ok:
            self.failed += 1
        elif result.spec.final and self._best.update(result.metric(metric), run_key(result.spec)):
            self.best = self._best.best  # a lower rung never competes, as in the store
        outcome = (
            f"{metric} {result.metric(metric):.5g}" if result.ok else f"failed: {result.error}"
        )
        width = len(str(self.total))
        note = f" ({result.note})" if result.note else ""
        where = ""
        if result.cluster:
            self.per_cluster[result.cluster] += 1
            where = f" on {result.cluster}{self._in_flight(result.cluster)}"
        self.say(
            f"[{self.done:>{width}}/{self.total}] {_label(result):<12} {outcome}"
            f"{self._seconds(result)}{where}{note} | best {self._best_text()} | ETA {self._eta()}"
        )

    def summary(self, skipped: int, stop_reason: str | None) -> str:
        ok = self.done - self.failed
        elapsed = _clock(time.monotonic() - self._started)
        text = (
            f"{self.done} run(s) trained ({ok} ok, {self.failed} failed), {skipped} already done, "
            f"in {elapsed}; best {self.objective.metric} {self._best_text()}"
        )
        if self.per_cluster:
            text += "; per cluster: " + ", ".join(f"{n} {c}" for c, n in self.per_cluster.items())
        return text + (f"; stopped early: {stop_reason}" if stop_reason else "")

    def _in_flight(self, cluster: str) -> str:
        busy = [lane.busy for lane in self.lanes if lane.name == cluster]
        return f" ({busy[0]} in flight there)" if busy else ""

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


def _label(result: RunResult) -> str:
    """The run's name in results.csv (a rung above the first has its budget: m_5@3)."""
    return run_key(result.spec)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"

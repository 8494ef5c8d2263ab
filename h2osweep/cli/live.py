"""Live views of a running sweep: `--report-every N` rewrites the sweep's report.html while it
runs, and `show --follow` prints each run as it lands (see show.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from h2osweep.interrupts import raise_if_interrupted
from h2osweep.store.results_store import REPORT_FOLDER

LOG = "analyze.log"


class ReportRefresher:
    """Called after every stored run; every `every` runs it starts `h2osweep analyze` on the
    folder in a child process (one at a time), so the sweep never waits for the analysis."""

    def __init__(self, folder: Path, every: int) -> None:
        self.folder = Path(folder)
        self.every = every
        self.out = self.folder / REPORT_FOLDER
        self.stored = 0
        self.child: subprocess.Popen | None = None

    def __call__(self, result) -> None:
        self.stored += 1
        if self.stored % self.every == 0 and (self.child is None or self.child.poll() is not None):
            self.child = self.start()

    def start(self) -> subprocess.Popen:
        """`h2osweep analyze FOLDER --out FOLDER/report`, its output kept in a log file."""
        self.out.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "h2osweep.cli.main", "analyze", str(self.folder)]
        with open(self.out / LOG, "w") as log:
            return subprocess.Popen(
                [*command, "--out", str(self.out)], stdout=log, stderr=subprocess.STDOUT
            )

    def finish(self) -> str:
        """Refresh once more with every run, wait for it, and say where the report is."""
        self.stop(wait=True)
        if self.stored == 0:
            return ""
        status = self.start().wait()
        if status == 0:
            return f"report: {self.out / 'report.html'}"
        last = (self.out / LOG).read_text().strip().splitlines()[-1:] or ["(no output)"]
        return f"report not refreshed: {last[0]}"

    def stop(self, wait: bool = False) -> None:
        """End (or, with `wait`, wait for) a refresh still running."""
        if self.child is None or self.child.poll() is not None:
            return
        if not wait:
            self.child.terminate()
        self.child.wait()


def follow(folder: Path, metric: str, goal: str, interval: float = 1.0) -> int:
    """Print each run of `folder` as it lands, until no process runs the sweep (or Ctrl-C).
    Reads the store read-only and never takes the folder's lock."""
    from h2osweep.record.goal import BestSoFar, Goal
    from h2osweep.store.results_store import is_running, runs_landed

    seen: dict[str, int] = {}
    best = BestSoFar(Goal.parse(goal))
    stored = runs_landed(folder, seen)
    for run in stored:
        best.update(metric_of(run, metric), run["name"])
    print(f"{folder}: {len(stored)} run(s) stored{best_text(best, metric)}; following")
    try:
        running = True
        while running:
            running = is_running(folder)  # read before the runs, so none lands unseen
            for run in runs_landed(folder, seen):
                best.update(metric_of(run, metric), run["name"])
                print(run_line(run, metric) + best_text(best, metric), flush=True)
            if running:
                time.sleep(interval)
                raise_if_interrupted()
    except KeyboardInterrupt:
        return 0
    print(f"{folder}: no process is running the sweep; {len(seen)} run(s){best_text(best, metric)}")
    return 0


def metric_of(run: dict, metric: str) -> float:
    """A landed run's metric as a float (NaN when it has none)."""
    value = run["metrics"].get(metric)
    return float(value) if isinstance(value, int | float) else float("nan")


def run_line(run: dict, metric: str) -> str:
    """One landed run: name, status, metric (or error) and build time."""
    value = run["metrics"].get(metric)
    shown = f"{metric} {value:.6g}" if isinstance(value, float | int) else (run["error"] or "")
    seconds = f", {run['build_seconds']:.1f} s" if run["build_seconds"] is not None else ""
    return f"{run['name']}  {run['status']}  {shown}{seconds}"


def best_text(best, metric: str) -> str:
    """`; best <metric> <value> (<run>)`, or nothing before a run has the metric."""
    if best.best is None:
        return ""
    value, name = best.best
    return f"; best {metric} {value:.6g} ({name})"

"""A pool of clusters at scale, by replay (a simulation: this machine has 2 cores).

    python benchmarks/bench_pool.py [--clusters 8] [--cores 16] [--times FILE]
    python benchmarks/bench_pool.py --record [--out FOLDER]   # re-record the build times

The build times are those of a real 200-run sweep (`h2osweep random --seeds 1..200 --epochs 1`
on digits, embedded H2O, 2 cores, reproducible: benchmarks/data/pool_build_times.csv, with
each run's build seconds as H2O measured them). The replay drives the sweep's own code: the
engine's `proposals` of the same `random_plan`, its `reorder_window` and `longest_first`
ordering with `build_costs`, and `placement.Placement`, the code that places every build of a
real pool, on a simulated clock. What is simulated is only H2O itself: a cluster of C cores
with b single-threaded builds runs each at min(1, C/b) of its recorded speed (processor
sharing), and slots per cluster come from the engine's `default_parallel` (C + 1).

Scenarios: no loss; one cluster lost when half the work is done (its builds in flight are given
back and retrained elsewhere from scratch: their work so far is wasted); and the same loss at
25 % and 75 %. Per scenario: makespan, the lower bound max(total work / total cores, longest
build) that no schedule can beat (LPT's bound; with a loss, the work is spread over the cores
left after it), makespan / bound, utilisation (work done / (cores x makespan)) and
utilisation until the last build starts (how busy the cores are while work still waits, the
part a scheduler controls). Targets (issue 23): makespan within 5 % of the bound and
utilisation >= 0.95 without the loss.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from h2osweep.data import H2OData, load_data
from h2osweep.record.runs import OK, RunResult
from h2osweep.search.fixed import random_plan
from h2osweep.sweep.budget import Budget
from h2osweep.sweep.engine import default_parallel, proposals, reorder_window
from h2osweep.training.ordering import longest_first
from h2osweep.training.placement import Lane, Placement
from h2osweep.training.scheduler import TrainSettings, build_costs

TIMES = Path(__file__).parent / "data" / "pool_build_times.csv"
SETTINGS = TrainSettings(epochs=1)


@dataclass
class Replay:
    """One simulated sweep: builds in flight per lane with the work each has left."""

    cores: int
    clock: float = 0.0
    running: dict[Lane, dict[str, float]] = field(default_factory=dict)
    done_work: float = 0.0
    wasted: float = 0.0
    last_start: float = 0.0
    busy_until_last_start: float = 0.0

    def rate(self, lane: Lane) -> float:
        builds = len(self.running.get(lane, {}))
        return min(1.0, self.cores / builds) if builds else 0.0

    def advance(self, until: float | None) -> list[tuple[str, Lane]]:
        """Run the clock to the next build's end (or `until`); the builds that ended."""
        ends = [
            (left / self.rate(lane), name, lane)
            for lane, builds in self.running.items()
            for name, left in builds.items()
        ]
        step = min(ends)[0] if ends else 0.0
        if until is not None:
            step = min(step, until - self.clock)
        for lane, builds in self.running.items():
            speed = self.rate(lane)
            for name in builds:
                builds[name] -= speed * step
            self.done_work += speed * step * len(builds)
        self.clock += step
        ended = [
            (name, lane)
            for lane, builds in self.running.items()
            for name, left in list(builds.items())
            if left <= 1e-9
        ]
        for name, lane in ended:
            del self.running[lane][name]
        return ended


def replay(times: pd.DataFrame, clusters: int, cores: int, lose_at: float | None) -> dict:
    """Replay the recorded sweep on `clusters` x `cores`; lose cluster 1 once `lose_at` of the
    total work is done (None: no loss)."""
    local = load_data("digits")
    work = dict(zip(times["name"], times["build_seconds"], strict=True))
    seeds = [int(name.removeprefix("m_")) for name in times["name"]]
    strategy = random_plan(seeds)
    budget = Budget()
    slots = default_parallel({"cores": cores}, SETTINGS)
    lanes = [Lane(f"cluster {index + 1}", slots) for index in range(clusters)]
    window = reorder_window(strategy, budget, slots * clusters)
    cost = build_costs(H2OData(local, None, None), SETTINGS)
    placement = Placement(longest_first(proposals(strategy, budget), window, cost), lanes)
    sim = Replay(cores)
    specs = {spec.name: spec for spec in strategy.runs}
    total, lost = sum(work.values()), False
    while True:
        while (choice := placement.next()) is not None:
            spec, lane = choice
            placement.started(lane)
            sim.running.setdefault(lane, {})[spec.name] = work[spec.name]
            sim.last_start = sim.clock
            sim.busy_until_last_start = sim.done_work
        if not any(sim.running.values()):
            break
        due = None if lost or lose_at is None else _when_done(sim, lose_at * total)
        for name, lane in sim.advance(due):
            placement.ended(specs[name], lane)
            strategy.tell(RunResult(specs[name], OK))
        if not lost and lose_at is not None and sim.done_work >= lose_at * total - 1e-9:
            lost = True
            victim = lanes[0]
            given_back = sim.running.pop(victim, {})
            sim.wasted += sum(work[name] - left for name, left in given_back.items())
            placement.lose(victim, [specs[name] for name in given_back])
    alive_cores = cores * (clusters - (1 if lose_at is not None else 0))
    bound = _bound(total, max(work.values()), cores * clusters, alive_cores, lose_at)
    return {
        "scenario": "no loss" if lose_at is None else f"1 lost at {lose_at:.0%} of the work",
        "makespan s": sim.clock,
        "bound s": bound,
        "makespan / bound": sim.clock / bound,
        "utilisation": total / (cores * clusters * sim.clock),
        "utilisation to last start": sim.busy_until_last_start
        / (cores * clusters * sim.last_start),
        "wasted s": sim.wasted,
    }


def _when_done(sim: Replay, target: float) -> float | None:
    """The clock time at which `target` work is done at today's rates (None: not before the
    next build ends anyway)."""
    speed = sum(sim.rate(lane) * len(builds) for lane, builds in sim.running.items())
    return sim.clock + max(target - sim.done_work, 0.0) / speed if speed else None


def _bound(total, longest, cores, alive_cores, lose_at) -> float:
    """No schedule ends before the longest build, nor before its work fits on the cores (with
    a loss: the work before it on all cores, the rest on those left)."""
    if lose_at is None:
        return max(total / cores, longest)
    return max(lose_at * total / cores + (1 - lose_at) * total / alive_cores, longest)


def record(out: Path) -> None:
    """Run the real 200-run sweep and keep each run's build seconds."""
    seeds = [str(seed) for seed in range(1, 201)]
    command = [sys.executable, "-m", "h2osweep.cli.main", "random", "--seeds", *seeds]
    subprocess.run([*command, "--epochs", "1", "--out", str(out)], check=True)
    table = pd.read_csv(out / "results.csv")[["name", "build_seconds"]]
    TIMES.parent.mkdir(exist_ok=True)
    table.to_csv(TIMES, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=8)
    parser.add_argument("--cores", type=int, default=16)
    parser.add_argument("--times", type=Path, default=TIMES)
    parser.add_argument("--record", action="store_true", help="re-record the build times")
    parser.add_argument("--out", type=Path, default=None, help="the recording's sweep folder")
    args = parser.parse_args()
    if args.record:
        record(args.out or Path(tempfile.mkdtemp(prefix="h2osweep-pool-")) / "sweep")
    times = pd.read_csv(args.times)
    print(
        f"SIMULATION: {len(times)} recorded builds ({times['build_seconds'].sum():.0f} s of "
        f"work, longest {times['build_seconds'].max():.1f} s) replayed on {args.clusters} "
        f"clusters x {args.cores} cores"
    )
    rows = [replay(times, args.clusters, args.cores, lose) for lose in (None, 0.25, 0.5, 0.75)]
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()

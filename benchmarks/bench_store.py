"""Commit 100,000 synthetic runs through the real store and time every commit.

Each run is shaped like the lecture's (depth, l1, l2, dropouts, rho, epsilon, layer lists, ten
metrics, two 10 x 10 confusion matrices) and runs finish slightly out of plan order, as with
several builds in flight. Printed: the commit time around 1,000, 10,000 and 100,000 stored runs
(wall and CPU: median, mean with its 95 % t-interval, 95th percentile, over the 500 commits
before each mark), the client CPU of all commits, what the end of the session costs (results.csv
put back in plan order), `show --top 10` (in process, and as a new `h2osweep` process) and the
start of a resume of the full folder (every store step `run_sweep` takes before training), then
the same folder in the layout of the store before this one (no metric index, no recorded state
of results.csv): its first resume, which indexes it, and the next.

Baselines, in the same run: the store as it was (each commit followed by a rewrite of results.csv
from the whole table) for the first `--baseline` runs, and the disk's own cost of a durable
commit (a 400-byte append and fsync in the same folder), which no store can go below.

    python benchmarks/bench_store.py                        # 100,000 runs, baseline 1,000
    python benchmarks/bench_store.py --runs 20000 --baseline 500 --out /tmp/bench-store
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from statsmodels.stats.weightstats import DescrStatsW

from h2osweep.record.goal import Objective
from h2osweep.search.base import SearchContext
from h2osweep.search.fixed import FixedPlan
from h2osweep.store.files import write_atomic
from h2osweep.store.results_store import (
    RESULTS,
    check_folder,
    finished_runs,
    open_store,
    read_ranked,
)
from tests.synthetic import synthetic_result

DEFINITION = {"strategy": "synthetic", "space": {"benchmark": "bench_store"}}
MARKS = (1_000, 10_000, 100_000)
WINDOW = 500
SHUFFLE = 4  # runs finish in shuffled groups of this many (builds in flight)


def finishing_order(runs: int, seed: int) -> list[int]:
    """Plan positions in the order their runs finish: plan order, shuffled in small groups."""
    rng = np.random.default_rng(seed)
    order = []
    for start in range(0, runs, SHUFFLE):
        order += rng.permutation(range(start, min(start + SHUFFLE, runs))).tolist()
    return order


def commit_all(folder: Path, runs: int, seed: int, rewrite: bool = False):
    """Commit `runs` synthetic runs: each commit's wall and CPU seconds, the CPU of all of
    them, and the wall seconds of the session's end. `rewrite`: the baseline, results.csv
    rewritten from the whole table after every commit (the store before this one)."""
    rng = np.random.default_rng(seed)
    results = [synthetic_result(position, rng) for position in range(runs)]
    wall, cpu = [], []
    with open_store(folder, DEFINITION) as store:
        total_cpu = time.process_time()
        for position in finishing_order(runs, seed):
            started, started_cpu = time.perf_counter(), time.process_time()
            store.commit(results[position])
            if rewrite:
                write_atomic(folder / RESULTS, store.results().to_csv(index=False))
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            if len(wall) % 10_000 == 0:
                print(f"  {len(wall):>7,} stored, last commit {wall[-1] * 1e3:.2f} ms", flush=True)
        total_cpu = time.process_time() - total_cpu
        end = time.perf_counter()
        store.finish()
        end = time.perf_counter() - end
    return wall, cpu, total_cpu, end


def window_line(label: str, seconds: list[float], mark: int) -> str:
    window = np.array(seconds[max(0, mark - WINDOW) : mark]) * 1e3
    low, high = DescrStatsW(window).tconfint_mean()
    return (
        f"{mark:>9,} {label:<5}{np.median(window):>8.2f} {window.mean():>8.2f} "
        f"[{low:6.2f}, {high:6.2f}] {np.percentile(window, 95):>8.2f}"
    )


def print_commits(label: str, wall: list[float], cpu: list[float], total_cpu, end) -> None:
    print(f"\n{label}: {len(wall):,} commits, client CPU {total_cpu:.1f} s, end {end:.2f} s")
    print(f"{'stored':>9} {'':<5}{'median':>8} {'mean':>8} {'95% CI of mean':<17} {'p95':>8}  (ms)")
    for mark in sorted({m for m in MARKS if m <= len(wall)} | {len(wall)}):
        print(window_line("wall", wall, mark))
        print(window_line("cpu", cpu, mark))


def fsync_floor(folder: Path, count: int = 500) -> float:
    """Median seconds of a 400-byte append + fsync in `folder` (the disk's durable write)."""
    path = folder / "fsync-probe"
    times = []
    with open(path, "ab") as probe:
        for _ in range(count):
            started = time.perf_counter()
            probe.write(b"x" * 399 + b"\n")
            probe.flush()
            os.fsync(probe.fileno())
            times.append(time.perf_counter() - started)
    path.unlink()
    return statistics.median(times)


def show_command(folder: Path) -> float:
    """Wall seconds of `h2osweep show DIR --top 10` in a new process (imports included)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "h2osweep.cli.main", "show", str(folder), "--top", "10"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def python_start() -> float:
    """Wall seconds of a new Python process importing pandas (part of any command's start)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pandas"], check=True)
    return time.perf_counter() - started


def resume_start(folder: Path, plan: FixedPlan) -> float:
    """Seconds from a resume's first look at the folder to its first run asked for: the store
    steps `run_sweep` takes before training (H2O's start and the upload left out)."""
    started = time.perf_counter()
    check_folder(folder, DEFINITION)
    finished = finished_runs(folder)
    plan.already_done(finished)
    with open_store(folder, DEFINITION) as store:
        store.record_session({"url": "none"})
        context = SearchContext(folder, Objective(), store.sweep_id, store.stored_runs())
        plan.start(context)
        store.best(Objective())
        plan.ask()
        return time.perf_counter() - started


def as_older_store(folder: Path, copy: Path) -> None:
    """A copy of the folder in the layout of the store before this one."""
    shutil.copytree(folder, copy)
    with sqlite3.connect(copy / "store.sqlite") as db:
        db.execute("DROP TABLE metrics")
        db.execute("DROP INDEX runs_plan")
        db.execute("DELETE FROM meta WHERE key = 'csv'")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000, help="runs to commit (100000)")
    parser.add_argument("--baseline", type=int, default=1_000, help="baseline runs (1000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic runs")
    parser.add_argument("--out", type=Path, help="folder for the sweeps (default: temporary)")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="h2osweep-bench-store-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"bench_store: {args.runs:,} synthetic runs in {root / 'sweep'}", flush=True)
    started = time.perf_counter()
    print(f"disk: 400-byte append + fsync, median {fsync_floor(root) * 1e3:.2f} ms")
    measure_commits(root, args)
    measure_reads(root, args)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


def measure_commits(root: Path, args) -> None:
    """Every commit of the store, then of the baseline, and how their times compare."""
    wall, cpu, total_cpu, end = commit_all(root / "sweep", args.runs, args.seed)
    print_commits("store (one line appended per run)", wall, cpu, total_cpu, end)
    if args.baseline:
        base = commit_all(root / "baseline", args.baseline, args.seed, rewrite=True)
        print_commits("baseline (results.csv rewritten from the table per run)", *base)
        ratio = statistics.median(base[0][-WINDOW:]) / statistics.median(
            wall[: args.baseline][-WINDOW:]
        )
        print(f"baseline / store, median commit at {args.baseline:,} runs: {ratio:.1f}x")
    first, last = (statistics.median(wall[m - WINDOW : m]) for m in (MARKS[0], len(wall)))
    print(f"\nmedian commit at {len(wall):,} / at {MARKS[0]:,} runs: {last / first:.2f}")


def measure_reads(root: Path, args) -> None:
    """show --top 10 and resume starts on the full folder, and on it in the older layout."""
    folder = root / "sweep"
    rng = np.random.default_rng(args.seed)
    plan = FixedPlan("synthetic", [synthetic_result(p, rng).spec for p in range(args.runs)], {})
    ranked = time.perf_counter()
    top = read_ranked(folder, Objective(), 10)
    ranked = time.perf_counter() - ranked
    print(f"\nshow --top 10: {ranked:.3f} s in process (best {top['name'].iloc[0]}); ", end="")
    command, bare = show_command(folder), python_start()
    print(f"{command:.2f} s as a command (a bare Python importing pandas: {bare:.2f} s)")
    print(f"resume start: {resume_start(folder, plan):.2f} s")
    as_older_store(folder, root / "older")
    first = resume_start(root / "older", plan)
    print(f"older layout: first resume start {first:.2f} s (indexed then), ", end="")
    print(f"the next {resume_start(root / 'older', plan):.2f} s")


if __name__ == "__main__":
    sys.exit(main())

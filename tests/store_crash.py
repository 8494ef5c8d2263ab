"""A process for the store's kill tests: it commits synthetic runs through the real store and
stops itself (SIGSTOP) at a chosen point, where the test then kills it with SIGKILL.

The point is found with a profile hook that watches the store's own functions; nothing of the
store is replaced. Stop points:

    commit:K      at the K-th line append: the run's SQLite transaction is committed, its line
                  not yet written to results.csv
    rebuild:L     while results.csv is rebuilt from the store, once L lines have been written
    resequence    while results.csv is put back in plan order (its temporary file just created)

    python -m tests.store_crash FOLDER --runs 40 [--fail m_3] [--retry m_3] --stop-at commit:12
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path

import numpy as np

from h2osweep.record.runs import FAILED, RunResult
from h2osweep.store import files, results_csv
from h2osweep.store.results_store import open_store
from tests.synthetic import synthetic_result

DEFINITION = {"strategy": "synthetic", "space": {"test": "store_crash"}}
SEED = 5
GROUP = 4  # runs finish in shuffled groups of this many, as with builds in flight


def results(runs: int, failed: set[str] = frozenset()) -> dict[str, RunResult]:
    """The synthetic runs by name (the same in the child and in the test)."""
    rng = np.random.default_rng(SEED)
    made = {}
    for position in range(runs):
        result = synthetic_result(position, rng)
        if result.name in failed:
            result = RunResult(result.spec, FAILED, error="the model diverged: H2O aborted it")
        made[result.name] = result
    return made


def finishing_order(names: list[str]) -> list[str]:
    """Plan order shuffled in small groups (a fixed shuffle, the same every time)."""
    rng = np.random.default_rng(SEED)
    order = []
    for start in range(0, len(names), GROUP):
        order += list(rng.permutation(names[start : start + GROUP]))
    return order


def stop_hook(point: str):
    """A profile function that stops this process with SIGSTOP at `point`."""
    kind, _, count = point.partition(":")
    target = int(count or 1)
    codes = {
        "commit": files.append_at.__code__,
        "rebuild": results_csv.Layout._rows.__code__,
        "resequence": tempfile.mkstemp.__code__,
    }
    inside = {
        "commit": None,
        "rebuild": results_csv.ResultsCsv.rebuild.__code__,
        "resequence": results_csv.ResultsCsv.resequence.__code__,
    }
    seen = {"calls": 0, "inside": inside[kind] is None}
    event_wanted = "return" if kind == "resequence" else "call"

    def hook(frame, event, arg):
        code = frame.f_code
        if code is inside[kind] and event in ("call", "return"):
            seen.update(inside=event == "call", calls=0)  # counted afresh in each one
        elif code is codes[kind] and event == event_wanted and seen["inside"]:
            seen["calls"] += 1
            if seen["calls"] == target:
                os.kill(os.getpid(), signal.SIGSTOP)

    return hook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--fail", nargs="*", default=[], help="runs that fail the first time")
    parser.add_argument("--retry", nargs="*", default=[], help="runs trained again at the end")
    parser.add_argument("--stop-at", required=True)
    args = parser.parse_args()
    made = results(args.runs, set(args.fail))
    again = results(args.runs)
    sys.setprofile(stop_hook(args.stop_at))
    with open_store(args.folder, DEFINITION) as store:
        for name in finishing_order(list(made)):
            store.commit(made[name])
        for name in args.retry:
            store.commit(again[name])
    sys.setprofile(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

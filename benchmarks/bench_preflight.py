"""What H2O's parameter check before a sweep (training/preflight.py) costs, against one build.

On an embedded H2O with digits (the sweep commands' validation split): the check of a model-based
search (24 draws of the lecture space) and of the demo's random plan (40 runs), each `--repeats`
times, against a build of one lecture run (m_403, `--epochs` epochs) in the same command.

    python benchmarks/bench_preflight.py [--repeats 5] [--epochs 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

from h2osweep.cluster import H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.search.base import space_draws
from h2osweep.search.fixed import random_plan
from h2osweep.space import LECTURE_SPACE
from h2osweep.training.flight import train_one
from h2osweep.training.preflight import check_builds
from h2osweep.training.scheduler import TrainSettings
from h2osweep.workflows.demo import demo_seeds


def seconds(action, repeats: int) -> list[float]:
    """Wall seconds of `action()`, once per repeat."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float], build: float) -> str:
    median = statistics.median(times)
    return (
        f"{label:<34} median {median:.3f} s [{min(times):.3f}, {max(times):.3f}]"
        f"  = {median / build:.3f} of one build"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=float, default=2.0)
    args = parser.parse_args()
    settings = TrainSettings(epochs=args.epochs)
    with H2OCluster():
        data = upload(load_data("digits", valid_fraction=0.2))
        plan = random_plan(demo_seeds(40))
        run = plan.runs[0]
        build = seconds(lambda: train_one(run, data, settings), args.repeats)
        draws = seconds(
            lambda: check_builds(space_draws(LECTURE_SPACE), data, settings), args.repeats
        )
        demo = seconds(lambda: check_builds(plan.example_runs(), data, settings), args.repeats)
    median_build = statistics.median(build)
    print(f"{'one build of ' + run.name:<34} median {median_build:.3f} s "
          f"[{min(build):.3f}, {max(build):.3f}]")  # fmt: skip
    print(line("check of 24 draws (search)", draws, median_build))
    print(line("check of the demo's 40-run plan", demo, median_build))


if __name__ == "__main__":
    main()

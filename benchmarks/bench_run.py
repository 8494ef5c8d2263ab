"""The lecture's run(seed) against the bare h2o calls it wraps, on one embedded H2O, in one process.

    python benchmarks/bench_run.py [--seeds 1 2 3 4 5 6] [--epochs 2]

For each seed, (a) the same model trained with a blocking `train()` and scored on the test
frame (what a hand-written loop does, the frames already uploaded), (b) `h2osweep.run(seed)`,
which also fetches train and test metrics and both confusion matrices. Seeds alternate the
order (ABBA) so that drift in the machine's speed favours neither. Prints the mean seconds per
model and (b)/(a); the target is no more than a few per cent of overhead.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

from h2osweep import run
from h2osweep.cluster import H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.search.fixed import random_plan
from h2osweep.training.parameters import h2o_parameters, model_seed


def bare_train(data, seed: int, epochs: float) -> float:
    """(a) train() and model_performance(test) with the parameters run(seed) uses."""
    from h2o.estimators import H2ODeepLearningEstimator

    (spec,) = random_plan([seed]).runs  # the draw run(seed) makes, as a sweep would plan it
    arguments = h2o_parameters(spec.config, seed=model_seed(spec.name), epochs=epochs)
    model = H2ODeepLearningEstimator(**arguments)
    model.train(x=data.features, y=data.target, training_frame=data.train)
    return model.model_performance(data.test).mse()


def wrapped_run(data, seed: int, epochs: float) -> float:
    """(b) the lecture's run(seed), as a user calls it."""
    return run(seed, data, epochs=epochs)["test_mse"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--epochs", type=float, default=2.0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    ways = {"(a) bare train() + score": bare_train, "(b) run(seed)": wrapped_run}
    seconds: dict[str, list[float]] = {label: [] for label in ways}
    with H2OCluster():
        data = upload(load_data("digits"))
        bare_train(data, args.seeds[0], args.epochs)  # warm-up: compile H2O's DL code first
        for index, seed in enumerate(args.seeds):
            order = list(ways) if index % 2 == 0 else list(reversed(ways))
            scores = {}
            for label in order:
                started = time.perf_counter()
                scores[label] = ways[label](data, seed, args.epochs)
                seconds[label].append(time.perf_counter() - started)
            same = len(set(scores.values())) == 1
            print(f"seed {seed}: " + ", ".join(f"{k} {seconds[k][-1]:.2f} s" for k in ways), end="")
            print(f", same test MSE: {same}", flush=True)
    bare, wrapped = (statistics.mean(seconds[label]) for label in ways)
    print(f"mean per model: (a) {bare:.2f} s, (b) {wrapped:.2f} s, (b)/(a) {wrapped / bare:.3f}")


if __name__ == "__main__":
    main()

"""The lecture's first listing (DeepNeuralNetwork.R, lines 38-64): two digit models, ex1 and ex2.

Both use RectifierWithDropout, one hidden layer of 100 units, 10 epochs, no adaptive rate, no
input dropout and hidden dropout 0.2; ex1 learns at rate 0.001, ex2 at 0.01. Each prints its
training time and its validation MSE, RMSE, logloss, mean per-class error and confusion matrix.

Differences from R: the lecture passes the test frame as `validation_frame`; here the test frame
is scored separately, so that early stopping can never pick the model on the test data. Each
model has a seed and `reproducible=True`, so the figures repeat exactly.

    python scripts/deep_neural_network.py                      # sklearn's 8x8 digits
    python scripts/deep_neural_network.py --data train.csv     # Kaggle digit-recognizer CSV
"""

from __future__ import annotations

import argparse
import sys

from h2osweep.cli.main import run_guarded
from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.record.runs import RunSpec
from h2osweep.training.flight import train_one
from h2osweep.training.scheduler import TrainSettings

EXAMPLES = {"ex1": 0.001, "ex2": 0.01}


def example_config(rate: float, epochs: float) -> dict:
    """h2o.deeplearning's arguments in the lecture's ex1/ex2 (only the rate differs)."""
    return {
        "activation": "RectifierWithDropout",
        "hidden": [100],
        "epochs": epochs,
        "adaptive_rate": False,
        "rate": rate,
        "input_dropout_ratio": 0.0,
        "hidden_dropout_ratios": [0.2],
    }


def print_result(name: str, rate: float, result) -> None:
    """The slide's 'Validation Set Metrics' block for one model."""
    if not result.ok:
        print(f"{name} (rate {rate:g}) failed: {result.error}")
        return
    m = result.metrics
    print(f"\n{name} (rate {rate:g}): trained in {result.build_seconds:.2f} s")
    print("Validation Set Metrics:")
    print(f"MSE: {m['test_mse']:.3f}")
    print(f"RMSE: {m['test_rmse']:.2f}")
    print(f"Logloss: {m['test_logloss']:.2f}")
    print(f"Mean Per-Class Error: {m['test_mean_per_class_error']:.3f}")
    print("Confusion Matrix (rows: actual, columns: predicted):")
    print(result.confusion["test"].to_string())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="digits", help="digits (default) or a Kaggle CSV")
    parser.add_argument("--epochs", type=float, default=10.0, help="epochs per model (10)")
    parser.add_argument("--url", help="an existing H2O cluster instead of the embedded one")
    args = parser.parse_args(argv)
    return run_guarded("deep_neural_network.py", compare_examples, args)


def compare_examples(args) -> None:
    """Train ex1 and ex2 on one cluster and print each one's slide."""
    local = load_data(args.data)
    with H2OCluster(ClusterOptions(url=args.url)):
        data = upload(local)
        for name, rate in EXAMPLES.items():
            spec = RunSpec(name, example_config(rate, args.epochs))
            print_result(name, rate, train_one(spec, data, TrainSettings()))


if __name__ == "__main__":
    sys.exit(main())

"""The lecture's grid search listings, on H2O.

1. DeepNeuralNetwork.ParameterOptimization.R, lines 14-17: `expand.grid(layers = c(1, 2, 4),
   epochs = c(50, 100), l1 = c(.001, .01, .05))`, 18 rows with the first column varying fastest,
   printed as R prints it, then run as a grid: one H2O deep-learning model per row (`layers` =
   hidden layers of 100 units), results stored in a sweep folder and shown best first.
2. DeepNeuralNetwork.R, lines 40-48: caret's `train(digits.X, digits.y, method = "nnet",
   tuneGrid = expand.grid(.size = 5, .decay = 0.1), trControl = trainControl(method = "none"),
   MaxNWts = 10000, maxit = 100)`. R's h2o is not the engine there, nnet is; the closest H2O
   model is one hidden layer of `size` = 5 units with Tanh activation (nnet's hidden units are
   logistic; tanh is the same curve rescaled), softmax output (nnet uses softmax for a factor
   with more than two levels), `l2 = decay` (nnet adds decay * sum(w^2) to its loss; H2O's l2
   penalises the same sum of squared weights, so the scale matches up to H2O's averaging per
   row), and `epochs = maxit` (nnet's BFGS iterations each see the whole data, like an epoch).
   There is no cross-validation (`method = "none"`), so the model is trained once and scored.

    python scripts/grid_search.py                         # the lecture's 18 models (slow)
    python scripts/grid_search.py --epochs 1,2 --maxit 5  # the same grid with tiny budgets
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from h2osweep import expand_grid
from h2osweep.cli.main import run_guarded
from h2osweep.cli.options import parse_param
from h2osweep.cluster import ClusterOptions, H2OCluster
from h2osweep.data import load_data, upload
from h2osweep.record.runs import RunSpec
from h2osweep.search.fixed import grid_plan
from h2osweep.sweep import SweepOptions, run_sweep
from h2osweep.training.flight import train_one
from h2osweep.training.scheduler import TrainSettings

SHOWN = ["name", "layers", "epochs", "l1", "test_mse", "test_logloss", "test_mean_per_class_error"]


def lecture_grid(epochs: list) -> pd.DataFrame:
    """The lecture's expand.grid (epochs replaceable to keep a run short)."""
    return expand_grid(layers=[1, 2, 4], epochs=epochs, l1=[0.001, 0.01, 0.05])


def print_like_r(grid: pd.DataFrame) -> None:
    """Row numbers from 1 and right-aligned columns, as R prints a data.frame."""
    shown = grid.copy()
    shown.index = range(1, len(shown) + 1)
    print(shown.to_string())


def caret_nnet_config(size: int, decay: float, maxit: float) -> dict:
    """caret's method = "nnet" with tuneGrid (.size, .decay) as an H2O deep-learning model."""
    return {"hidden": [size], "activation": "Tanh", "l2": decay, "epochs": maxit}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="digits", help="digits (default) or a Kaggle CSV")
    parser.add_argument("--epochs", default="50,100", help="the grid's epochs values (50,100)")
    parser.add_argument("--maxit", type=float, default=100, help="nnet's maxit, as epochs (100)")
    parser.add_argument("--out", type=Path, default=Path("grid-search"), help="sweep folder")
    parser.add_argument("--url", help="an existing H2O cluster instead of the embedded one")
    args = parser.parse_args(argv)
    return run_guarded("grid_search.py", run_listings, args)


def run_listings(args) -> None:
    """Print and run the lecture's grid, then the caret model's H2O equivalent."""
    _, epochs = parse_param(f"epochs={args.epochs}")
    grid = lecture_grid(epochs)
    print("expand.grid(layers = c(1, 2, 4), epochs = ..., l1 = c(.001, .01, .05))")
    print_like_r(grid)
    local = load_data(args.data)
    with H2OCluster(ClusterOptions(url=args.url)) as cluster:
        run_sweep(
            grid_plan(grid),
            local,
            TrainSettings(),
            SweepOptions(args.out),
            ClusterOptions(url=cluster.url),
        )
        results = pd.read_csv(args.out / "results.csv").sort_values("test_mse")
        print("\nGrid results, best first:")
        print(results[SHOWN].to_string(index=False))
        print("\ncaret: train(method = 'nnet', tuneGrid = expand.grid(.size = 5, .decay = 0.1))")
        spec = RunSpec("caret_nnet", caret_nnet_config(5, 0.1, args.maxit))
        nnet = train_one(spec, upload(local), TrainSettings())
        accuracy = 1 - nnet.metrics["test_mean_per_class_error"]
        print(
            f"H2O equivalent (hidden = 5, Tanh, l2 = 0.1, epochs = {args.maxit:g}): "
            f"test MSE {nnet.metrics['test_mse']:.4f}, mean per-class accuracy {accuracy:.3f}"
        )
        print(nnet.confusion["test"].to_string())


if __name__ == "__main__":
    sys.exit(main())

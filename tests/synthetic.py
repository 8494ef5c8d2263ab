"""Synthetic results tables shaped like ours and like a W&B export, and synthetic finished runs,
for tests, benchmarks and demos.

The target has a known structure (a minimum in l1, a depth × width interaction) so the analyses
have something real to find.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from h2osweep.record.runs import OK, RunResult, RunSpec


def lecture_table(n: int, seed: int = 0) -> pd.DataFrame:
    """A results.csv-like table of `n` runs drawn as the lecture's `run(seed)` draws them."""
    rng = np.random.default_rng(seed)
    depth = rng.integers(1, 6, n)
    neurons = [rng.integers(20, 601, d).tolist() for d in depth]
    dropout = [(rng.beta(1.5, 1, d) / 2).round(6).tolist() for d in depth]
    frame = pd.DataFrame(
        {
            "name": [f"m_{i + 1}" for i in range(n)],
            "seed": np.arange(1, n + 1),
            "status": "ok",
            "error": "",
            "depth": depth,
            "l1": rng.uniform(0, 0.01, n),
            "l2": rng.uniform(0, 0.01, n),
            "input_dropout": rng.beta(1, 12, n),
            "rho": rng.uniform(0.9, 0.999, n),
            "epsilon": rng.uniform(1e-10, 1e-4, n),
            "epochs": 100,
            "activation": "RectifierWithDropout",
            "neurons": [json.dumps(v) for v in neurons],
            "hidden_dropout": [json.dumps(v) for v in dropout],
        }
    )
    frame["SumNeurons"] = [sum(v) for v in neurons]
    frame["MeanHiddenDropout"] = [float(np.mean(v)) for v in dropout]
    mse = true_mse(frame) + rng.normal(0, 0.004, n)
    for part, shift in (("train", -0.01), ("test", 0.0)):
        frame[f"{part}_mse"] = np.clip(mse + shift, 1e-4, None)
        frame[f"{part}_rmse"] = np.sqrt(frame[f"{part}_mse"])
        frame[f"{part}_r2"] = 1 - frame[f"{part}_mse"] / 0.09
        frame[f"{part}_logloss"] = 3 * frame[f"{part}_mse"] + rng.normal(0, 0.01, n)
        frame[f"{part}_mean_per_class_error"] = frame[f"{part}_mse"] / 2
    frame["build_seconds"] = rng.uniform(1, 5, n)
    frame["model_id"] = [f"sweep_m_{i + 1}" for i in range(n)]
    return frame


def true_mse(frame: pd.DataFrame) -> np.ndarray:
    """The noise-free test MSE of the synthetic sweep."""
    width = frame["SumNeurons"] / frame["depth"]
    return (
        0.03
        + 300 * (frame["l1"] - 0.002) ** 2
        + 0.5 * frame["l2"]
        + 0.15 * frame["input_dropout"]
        + 0.02 * (frame["depth"] - 3) ** 2 / 4
        + 0.01 * np.exp(-width / 150)
        + 0.04 * frame["MeanHiddenDropout"] ** 2
    ).to_numpy()


def wandb_table(n: int, seed: int = 0) -> pd.DataFrame:
    """A W&B runs export: `name`, `config` and `summary` as dict-like strings, with gaps."""
    rng = np.random.default_rng(seed)
    optimizers = rng.choice(["adam", "rmsprop", "sgd"], n)
    rows = []
    for i in range(n):
        config = {
            "learning_rate": float(10 ** rng.uniform(-4, -1)),
            "batch_size": int(rng.choice([16, 32, 64, 128])),
            "optimizer": str(optimizers[i]),
            "weight_decay": float(rng.uniform(0, 0.01)),
            "epochs": int(rng.integers(5, 30)),
        }
        if rng.uniform() < 0.1:
            del config["weight_decay"]
        if rng.uniform() < 0.05:
            del config["optimizer"]
        penalty = {"adam": 0.0, "rmsprop": 0.08, "sgd": 0.04}[str(optimizers[i])]
        lr = np.log10(config["learning_rate"])
        acc = (
            0.9 - 0.05 * (lr + 2.5) ** 2 - penalty + 0.002 * config["epochs"] + rng.normal(0, 0.02)
        )
        acc = float(acc)
        summary = {"val_acc": acc, "val_loss": 1 - acc, "_runtime": float(rng.uniform(10, 100))}
        if rng.uniform() < 0.08:
            summary = {"_runtime": 3.0}
        rows.append({"name": f"run-{i}", "config": repr(config), "summary": repr(summary)})
    return pd.DataFrame(rows)


def synthetic_result(position: int, rng: np.random.Generator) -> RunResult:
    """One finished run shaped like the lecture's random search."""
    depth = int(rng.integers(1, 6))
    neurons = rng.integers(20, 601, depth).tolist()
    dropout = (rng.beta(1.5, 1, depth) / 2).tolist()
    config = {
        "depth": depth,
        "l1": float(rng.uniform(0, 0.01)),
        "l2": float(rng.uniform(0, 0.01)),
        "input_dropout": float(rng.beta(1, 12)),
        "rho": float(rng.uniform(0.9, 0.999)),
        "epsilon": float(rng.uniform(1e-10, 1e-4)),
        "neurons": neurons,
        "hidden_dropout": dropout,
        "SumNeurons": sum(neurons),
        "MeanHiddenDropout": float(np.mean(dropout)),
    }
    mse = float(rng.uniform(0.02, 0.2))
    metrics = {}
    for part, shift in (("train", -0.01), ("test", 0.0)):
        metrics |= {
            f"{part}_mse": mse + shift,
            f"{part}_rmse": (mse + shift) ** 0.5,
            f"{part}_r2": 1 - (mse + shift) / 0.09,
            f"{part}_logloss": 3 * mse + shift,
            f"{part}_mean_per_class_error": mse / 2,
        }
    spec = RunSpec(f"m_{position + 1}", config, seed=position + 1, position=position)
    return RunResult(
        spec,
        OK,
        metrics,
        confusion=CONFUSION,
        model_id=f"h2osweep_bench_m_{position + 1}",
        build_seconds=float(rng.uniform(1, 5)),
    )


CLASSES = [str(i) for i in range(10)]
CONFUSION = {
    part: pd.DataFrame(
        np.eye(10, dtype=int) * 35 + 1,
        index=pd.Index(CLASSES, name="actual"),
        columns=pd.Index(CLASSES, name="predicted"),
    )
    for part in ("train", "test")
}

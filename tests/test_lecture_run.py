"""run(seed) is the lecture's R function: the same draws, then one trained model and its metrics."""

from __future__ import annotations

import pytest

from h2osweep import run, sample_params
from h2osweep.errors import UserInputError


def test_run_without_training_returns_the_r_draws():
    params = run(403, train=False)
    assert params == sample_params(403)
    assert params["name"] == "m_403" and params["seed"] == 403


def test_run_needs_data_to_train():
    with pytest.raises(UserInputError, match="train=False"):
        run(403)


@pytest.mark.h2o
def test_run_trains_and_collects_train_and_test_metrics(digits_h2o):
    record = run(10, digits_h2o, epochs=1)
    assert record["status"] == "ok" and record["model_id"] == "m_10"
    assert record["model"].model_id == "m_10"
    assert record["neurons"] == sample_params(10)["neurons"]
    assert record["model"].params["hidden"]["actual"] == record["neurons"]
    for part in ("train", "test"):
        for metric in ("mse", "r2", "logloss", "mean_per_class_error"):
            assert 0 <= record[f"{part}_{metric}"] <= max(1, record[f"{part}_logloss"])
        assert record[f"{part}_confusion"].shape == (10, 10)
    again = run(10, digits_h2o, epochs=1)
    assert again["test_mse"] == record["test_mse"], "reproducible: same seed, same model"

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


def test_run_and_upload_outside_a_cluster_say_so_in_h2osweeps_words(monkeypatch):
    """As after `with H2OCluster():` ends (the client's connection gone): no AttributeError,
    no h2o.init advice; and a model name must be a non-empty text."""
    import h2o

    from h2osweep import load_data, upload
    from h2osweep.data import H2OData
    from h2osweep.errors import ClusterError

    monkeypatch.setattr(h2o.h2o, "h2oconn", None)
    data = load_data("digits")
    with pytest.raises(ClusterError, match=r"^upload\(data\) needs a connected H2O cluster: "):
        upload(data)
    stale = H2OData(data, train=None, test=None)  # frames of a cluster since stopped
    with pytest.raises(ClusterError, match=r"^run\(seed\) needs a connected H2O cluster: call"):
        run(403, stale, epochs=1)
    with pytest.raises(UserInputError, match="^name must be a non-empty text"):
        run(403, object(), name=" ")


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

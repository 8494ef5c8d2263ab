"""Every metric equals a hand computation from the model's own predicted probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from h2osweep.training.metrics import model_metrics

pytestmark = pytest.mark.h2o


@pytest.fixture(scope="module")
def trained(digits_h2o):
    from h2o.estimators import H2ODeepLearningEstimator

    model = H2ODeepLearningEstimator(
        hidden=[32],
        epochs=2,
        seed=5,
        reproducible=True,
        activation="RectifierWithDropout",
        hidden_dropout_ratios=[0.2],
    )
    model.train(x=digits_h2o.features, y=digits_h2o.target, training_frame=digits_h2o.train)
    return model


def _by_hand(model, frame, truth):
    import h2o

    predictions = h2o.as_list(model.predict(frame), use_pandas=True)
    classes = [c[1:] for c in predictions.columns if c != "predict"]
    probabilities = predictions[[f"p{c}" for c in classes]].to_numpy(float)
    actual = np.array([classes.index(str(v)) for v in truth])
    predicted = np.array([classes.index(str(v)) for v in predictions["predict"]])
    p_true = probabilities[np.arange(len(actual)), actual]
    counts = np.zeros((len(classes), len(classes)), dtype=int)
    np.add.at(counts, (actual, predicted), 1)
    mse = np.mean((1 - p_true) ** 2)
    per_class_error = np.mean([1 - counts[k, k] / counts[k].sum() for k in range(len(classes))])
    return {
        "mse": mse,
        "rmse": np.sqrt(mse),
        "r2": 1 - mse / np.var(actual),
        "logloss": np.mean(-np.log(np.maximum(p_true, 1e-15))),
        "mean_per_class_error": per_class_error,
        "confusion": counts,
    }


@pytest.mark.parametrize("part", ["train", "test"])
def test_metrics_match_a_hand_computation(trained, digits_h2o, digits_local, part):
    metrics = model_metrics(trained, digits_h2o.test)
    frame = digits_h2o.train if part == "train" else digits_h2o.test
    truth = (digits_local.train if part == "train" else digits_local.test)["label"]
    expected = _by_hand(trained, frame, truth)
    for name in ("mse", "rmse", "r2", "logloss", "mean_per_class_error"):
        assert metrics[f"{part}_{name}"] == pytest.approx(expected[name], rel=1e-6), name
    confusion = metrics[f"{part}_confusion"]
    assert list(confusion.index) == [str(i) for i in range(10)]
    assert confusion.index.name == "actual" and confusion.columns.name == "predicted"
    np.testing.assert_array_equal(confusion.to_numpy(), expected["confusion"])

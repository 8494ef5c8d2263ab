"""Every metric equals a hand computation from the model's own predictions, for ten classes,
two classes (whose confusion matrix is H2O's at the threshold of maximum F1) and a regression."""

from __future__ import annotations

import numpy as np
import pytest

from h2osweep.training.metrics import frame_scores, model_metrics, model_output

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


def _metrics(model, test_frame) -> dict:
    return model_metrics(
        model_output(model.model_id), frame_scores(model.model_id, test_frame.frame_id)
    )


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
    metrics = _metrics(trained, digits_h2o.test)
    frame = digits_h2o.train if part == "train" else digits_h2o.test
    truth = (digits_local.train if part == "train" else digits_local.test)["label"]
    expected = _by_hand(trained, frame, truth)
    for name in ("mse", "rmse", "r2", "logloss", "mean_per_class_error"):
        assert metrics[f"{part}_{name}"] == pytest.approx(expected[name], rel=1e-6), name
    confusion = metrics[f"{part}_confusion"]
    assert list(confusion.index) == [str(i) for i in range(10)]
    assert confusion.index.name == "actual" and confusion.columns.name == "predicted"
    np.testing.assert_array_equal(confusion.to_numpy(), expected["confusion"])


@pytest.fixture(scope="module")
def two_class_model(digits_h2o):
    """A model of digits 0 to 4 against 5 to 9, with its train and test frames."""
    from h2o.estimators import H2ODeepLearningEstimator

    frames = []
    for frame in (digits_h2o.train, digits_h2o.test):
        high = frame[digits_h2o.target].asnumeric() >= 5
        frames.append(
            frame[digits_h2o.features].cbind(high.ascharacter().asfactor().set_names(["high"]))
        )
    model = H2ODeepLearningEstimator(hidden=[16], epochs=2, seed=5, reproducible=True)
    model.train(x=digits_h2o.features, y="high", training_frame=frames[0])
    return model, *frames


@pytest.mark.parametrize("part", ["train", "test"])
def test_two_class_metrics_and_the_max_f1_confusion_matrix(two_class_model, part):
    """H2O's binomial table has a row of labels in the h2o client: none of it may leak in."""
    import h2o

    model, train, test = two_class_model
    metrics = _metrics(model, test)
    frame = train if part == "train" else test
    truth = h2o.as_list(frame["high"], use_pandas=True)["high"].astype(str).to_numpy()
    predictions = h2o.as_list(model.predict(frame), use_pandas=True)
    p_high = predictions["p1"].to_numpy(float)
    y = (truth == "1").astype(float)
    mse = np.mean((y - p_high) ** 2)
    assert metrics[f"{part}_mse"] == pytest.approx(mse, rel=1e-6)
    assert metrics[f"{part}_r2"] == pytest.approx(1 - mse / np.var(y), rel=1e-6)
    p_true = np.where(y == 1, p_high, predictions["p0"].to_numpy(float))
    logloss = np.mean(-np.log(np.maximum(p_true, 1e-15)))
    assert metrics[f"{part}_logloss"] == pytest.approx(logloss, rel=1e-6)
    confusion = metrics[f"{part}_confusion"]
    clients = model.model_performance(frame).confusion_matrix().to_list()  # the h2o client's own
    assert list(confusion.index) == ["0", "1"] and confusion.to_numpy().tolist() == clients
    assert confusion.to_numpy().sum() == frame.nrow
    errors = [1 - confusion.iloc[k, k] / confusion.iloc[k].sum() for k in range(2)]
    assert metrics[f"{part}_mean_per_class_error"] == pytest.approx(np.mean(errors), rel=1e-6)


def test_a_regression_has_no_confusion_matrix_and_no_class_metrics(digits_h2o):
    import h2o
    from h2o.estimators import H2ODeepLearningEstimator

    train = digits_h2o.train[digits_h2o.features].cbind(
        digits_h2o.train[digits_h2o.target].asnumeric()
    )
    test = digits_h2o.test[digits_h2o.features].cbind(
        digits_h2o.test[digits_h2o.target].asnumeric()
    )
    model = H2ODeepLearningEstimator(hidden=[16], epochs=2, seed=5, reproducible=True)
    model.train(x=digits_h2o.features, y=digits_h2o.target, training_frame=train)
    metrics = _metrics(model, test)
    predicted = h2o.as_list(model.predict(test), use_pandas=True)["predict"].to_numpy(float)
    actual = h2o.as_list(test[digits_h2o.target], use_pandas=True)[digits_h2o.target].to_numpy(
        float
    )
    assert metrics["test_mse"] == pytest.approx(np.mean((actual - predicted) ** 2), rel=1e-6)
    assert metrics["train_confusion"] is None and metrics["test_confusion"] is None
    assert np.isnan(metrics["test_logloss"]) and np.isnan(metrics["train_mean_per_class_error"])

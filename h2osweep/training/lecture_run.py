"""The lecture's `run(seed, name = paste0("m_", seed), run = TRUE)` as one Python function."""

from __future__ import annotations

from typing import Any

from h2osweep.data import H2OData
from h2osweep.errors import UserInputError
from h2osweep.sampling import LECTURE_SPACE, Space, sample_params
from h2osweep.training.runs import RunSpec
from h2osweep.training.scheduler import TrainSettings, train_one

LECTURE_EPOCHS = 100.0


def run(
    seed: int,
    data: H2OData | None = None,
    *,
    name: str | None = None,
    train: bool = True,
    epochs: float = LECTURE_EPOCHS,
    space: Space = LECTURE_SPACE,
    reproducible: bool = True,
) -> dict[str, Any]:
    """Draw the parameters as R's run(seed) does; unless `train=False`, train the model on `data`.

    Returns the parameters, and after training also `model`, `model_id`, `build_seconds`,
    `status`, `error`, the train/test metrics and `train_confusion`/`test_confusion` frames.

    >>> with H2OCluster():                                   # doctest: +SKIP
    ...     record = run(403, upload(load_data("digits")), epochs=10)
    """
    params = sample_params(seed, space)
    if name is not None:
        params["name"] = name
    if not train:
        return params
    if data is None:
        raise UserInputError(
            "run(seed) trains on data uploaded to a connected cluster: pass "
            "data=upload(load_data(...)) inside `with H2OCluster():`, or train=False"
        )
    config = {k: v for k, v in params.items() if k not in ("name", "seed")}
    settings = TrainSettings(
        epochs=epochs, reproducible=reproducible, keep_models=True, model_prefix=""
    )
    result = train_one(RunSpec(params["name"], config, seed=params["seed"]), data, settings)
    return {
        **params,
        "status": result.status,
        "error": result.error,
        "model": result.model,
        "model_id": result.model_id,
        "build_seconds": result.build_seconds,
        **result.metrics,
        "train_confusion": result.confusion.get("train"),
        "test_confusion": result.confusion.get("test"),
    }

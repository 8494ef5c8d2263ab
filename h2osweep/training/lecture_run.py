"""The lecture's `run(seed, name = paste0("m_", seed), run = TRUE)` as one Python function."""

from __future__ import annotations

from typing import Any

from h2osweep.cluster import require_connection
from h2osweep.data import H2OData
from h2osweep.errors import UserInputError
from h2osweep.record.runs import RunSpec
from h2osweep.space import LECTURE_SPACE, Space, sample_params
from h2osweep.training.flight import train_one
from h2osweep.training.parameters import LECTURE_EPOCHS
from h2osweep.training.scheduler import TrainSettings
from h2osweep.validation import check_type, invalid


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
        if not isinstance(name, str) or not name.strip():
            raise invalid("name", "a non-empty text (the model's name on the cluster)", name)
        params["name"] = name
    if not train:
        return params
    if data is None:
        raise UserInputError(
            "run(seed) trains on data uploaded to a connected cluster: pass "
            "data=upload(load_data(...)) inside `with H2OCluster():`, or train=False"
        )
    check_type("data", data, H2OData, "uploaded to a cluster (upload(load_data(...)))")
    require_connection("run(seed)")
    config = {k: v for k, v in params.items() if k not in ("name", "seed")}
    settings = TrainSettings(
        epochs=epochs, reproducible=reproducible, keep_models=True, model_prefix=""
    )
    result = train_one(RunSpec(params["name"], config, seed=params["seed"]), data, settings)
    return {**params, **lecture_record(result)}


def lecture_record(result) -> dict[str, Any]:
    """What R's run() returns about its model: status, model, metrics, confusion matrices."""
    fields = ("status", "error", "model", "model_id", "build_seconds")
    confusion = {f"{part}_confusion": result.confusion.get(part) for part in ("train", "test")}
    return {**{name: getattr(result, name) for name in fields}, **result.metrics, **confusion}

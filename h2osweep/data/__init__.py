"""Datasets a sweep trains on: read into pandas (`sources`), split with a seed into train, an
optional validation part and test (`split`, `loading`), then uploaded to H2O once (`frames`)."""

from h2osweep.data.frames import H2OData, LocalData, upload
from h2osweep.data.loading import (
    DEFAULT_SPLIT_SEED,
    DEFAULT_TEST_FRACTION,
    load_data,
    reload_data,
)
from h2osweep.data.sources import DEFAULT_DATA, read_frame

__all__ = [
    "DEFAULT_DATA",
    "DEFAULT_SPLIT_SEED",
    "DEFAULT_TEST_FRACTION",
    "H2OData",
    "LocalData",
    "load_data",
    "read_frame",
    "reload_data",
    "upload",
]

"""`load_data`: a dataset by name or path, split into train, an optional validation part and test
with a seed; `reload_data`: the same split again for a sweep that recorded it."""

from __future__ import annotations

import os
from pathlib import Path

from h2osweep.data.frames import LocalData
from h2osweep.data.sources import (
    DATA_HELP,
    DEFAULT_DATA,
    HAR_TARGET,
    KAGGLE_TARGET,
    check_har_folder,
    digits_frame,
    load_har,
    own_target,
    read_rows,
)
from h2osweep.data.split import carve_validation, check_same_columns, split_test
from h2osweep.errors import UserInputError
from h2osweep.validation import NUMPY_SEED_LIMIT, check_fraction, check_type, is_whole

DEFAULT_TEST_FRACTION = 0.2
DEFAULT_SPLIT_SEED = 42


def load_data(
    spec: str = DEFAULT_DATA,
    *,
    target: str | None = None,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    split_seed: int = DEFAULT_SPLIT_SEED,
    valid_fraction: float | None = None,
    valid: str | None = None,
) -> LocalData:
    """Read a dataset by name or path; sources without a test set get a seeded stratified split.

    A validation part comes from `valid_fraction` of the training rows (split with the same seed)
    or from the file `valid` (the same columns as the data); without either there is none.
    """
    check_type("spec", spec, str | os.PathLike, "a dataset name (digits) or a file's path")
    check_split(test_fraction, split_seed, valid_fraction, valid)
    data = _load(spec, target, test_fraction, split_seed)
    data.reload = {
        "spec": spec if spec == DEFAULT_DATA else str(Path(spec).absolute()),
        "target": target,
        "test_fraction": test_fraction,
        "split_seed": split_seed,
    }
    if valid_fraction is not None:
        data = carve_validation(data, valid_fraction, split_seed)
        data.reload["valid_fraction"] = valid_fraction
    if valid is not None:
        data.valid = read_validation(valid, data)
        data.reload["valid"] = str(Path(valid).absolute())
    return data


def check_split(test_fraction, split_seed, valid_fraction, valid) -> None:
    """Refuse a split that cannot be made, before anything is read."""
    check_fraction("test_fraction", test_fraction)
    if not (is_whole(split_seed) and 0 <= split_seed <= NUMPY_SEED_LIMIT):
        raise UserInputError(
            "{split_seed}: the split seed must be a whole number from 0 to "
            f"{NUMPY_SEED_LIMIT}, but got {split_seed!r}",
            "split_seed",
        )
    if valid_fraction is not None:
        check_fraction("valid_fraction", valid_fraction)
    if valid is not None and valid_fraction is not None:
        raise UserInputError(
            "give a validation file ({valid}) or a fraction ({valid_fraction}), not both",
            "valid",
            "valid_fraction",
        )


def read_validation(path: str, data: LocalData):
    """A user's validation file: the training data's columns, with labelled rows only."""
    if not Path(path).is_file():
        raise UserInputError(f"{{valid}} {path} is not a file", "valid")
    frame = read_rows(Path(path))
    check_same_columns(frame, data, path)
    return frame[frame[data.target].notna()].reset_index(drop=True)


def reload_data(description: dict) -> LocalData:
    """The same split a sweep used, from its recorded description; refuse changed data."""
    if "on_cluster" in description["reload"]:
        raise UserInputError(
            f"this sweep's data was read by the cluster ({description['reload']['on_cluster']}); "
            "retraining reads the data on this machine and cannot import it on the cluster yet"
        )
    data = load_data(**description["reload"])
    if data.fingerprint() != description["fingerprint"]:
        raise UserInputError(
            f"the data at {description['reload']['spec']} changed since the sweep ran "
            "(its fingerprint differs); results would not be comparable"
        )
    return data


def _load(spec: str, target: str | None, test_fraction: float, split_seed: int) -> LocalData:
    if spec == DEFAULT_DATA:
        own_target(spec, target, KAGGLE_TARGET)
        source = "scikit-learn digits (8x8)"
        return split_test(
            digits_frame(), "digits", source, KAGGLE_TARGET, test_fraction, split_seed
        )
    path = Path(spec)
    if path.is_dir():
        check_har_folder(path)
        own_target(spec, target, HAR_TARGET)
        return load_har(path)
    if not path.is_file():
        message = f"{{spec}} {spec}: no such file or folder; {DATA_HELP}"
        raise UserInputError(message, "spec", "target")
    frame = read_rows(path)
    if target is None and {KAGGLE_TARGET, "pixel0"} <= set(frame.columns):
        source = "Kaggle digit-recognizer CSV"
        return split_test(frame, path.stem, source, KAGGLE_TARGET, test_fraction, split_seed)
    if target is None:
        raise UserInputError(
            f"{spec} has no known target: name its target column with {{target}}", "target"
        )
    return split_test(frame, path.stem, "CSV", target, test_fraction, split_seed)

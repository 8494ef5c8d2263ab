"""Seeded, stratified splits: test rows from a labelled table, validation rows from its training
part; and what kind of target a column is (classes or a number)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from h2osweep.data.frames import LocalData
from h2osweep.errors import UserInputError

MAX_CLASSES = 50


def split_test(frame, name, source, target, test_fraction, seed) -> LocalData:
    """A labelled table as train and test parts (stratified by class where possible)."""
    check_target(frame, target)
    frame = frame[frame[target].notna()].reset_index(drop=True)
    classification = _is_classification(frame[target])
    if len(frame) < 10:
        raise UserInputError(f"{name} has {len(frame)} labelled rows; a sweep needs at least 10")
    train, test = split_rows(frame, target, test_fraction, seed, classification)
    return LocalData(name, source, target, train, test, classification)


def carve_validation(data: LocalData, fraction: float, seed: int) -> LocalData:
    """The same data with `fraction` of its training rows moved to a validation part."""
    train, valid = split_rows(data.train, data.target, fraction, seed, data.classification)
    data.train, data.valid = train, valid
    return data


def split_rows(frame, target, fraction, seed, classification) -> tuple:
    """(rest, held out): `fraction` of the rows held out with `seed`, stratified if it can be."""
    from sklearn.model_selection import train_test_split

    labels = frame[target]
    stratify = labels if classification and _can_stratify(labels, fraction) else None
    kept, held = train_test_split(frame, test_size=fraction, random_state=seed, stratify=stratify)
    return kept.reset_index(drop=True), held.reset_index(drop=True)


def _can_stratify(labels: pd.Series, test_fraction: float) -> bool:
    """A stratified split needs two rows per class and room for every class on both sides."""
    classes, rows = labels.nunique(), len(labels)
    test_rows = int(np.ceil(rows * test_fraction))
    return labels.value_counts().min() >= 2 and min(test_rows, rows - test_rows) >= classes


def check_target(frame: pd.DataFrame, target: str) -> None:
    if target not in frame.columns:
        shown = ", ".join(map(str, frame.columns[:8])) + (", ..." if frame.shape[1] > 8 else "")
        raise UserInputError(f"the data has no target column {target!r} (columns: {shown})")
    if frame.shape[1] < 2:
        raise UserInputError("the data has a target but no feature columns")
    values = frame[target].dropna().unique()
    if len(values) == 1:
        value = values[0].item() if hasattr(values[0], "item") else values[0]
        raise UserInputError(
            f"the target {target!r} is {value!r} in every labelled row: nothing to learn"
        )


def _is_classification(column: pd.Series) -> bool:
    """Text, booleans and integers with few distinct values are classes; other numbers are not."""
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return True
    values = column.to_numpy(dtype=float)
    whole = bool(np.all(np.equal(np.mod(values, 1), 0)))
    return whole and column.nunique() <= MAX_CLASSES


def check_same_columns(frame: pd.DataFrame, data: LocalData, path: str) -> None:
    """A validation file must have the training data's columns, target included."""
    expected, given = list(data.train.columns), list(frame.columns)
    if set(given) != set(expected):
        missing = [c for c in expected if c not in given][:5]
        extra = [c for c in given if c not in expected][:5]
        raise UserInputError(
            f"the validation file {path} has other columns than the data "
            f"(missing {missing or 'none'}, extra {extra or 'none'})"
        )

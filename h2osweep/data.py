"""Datasets a sweep trains on: read into pandas, split with a seed, then uploaded to H2O once.

Sources: scikit-learn's bundled 8x8 digits (`digits`, the default), a Kaggle digit-recognizer
CSV (`label`, `pixel0`...), a UCI HAR Dataset folder (target `Outcome`), or any CSV or Parquet
file with a named target column. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from h2osweep.errors import UserInputError
from h2osweep.validation import NUMPY_SEED_LIMIT, check_fraction, is_whole

DEFAULT_DATA = "digits"
DEFAULT_TEST_FRACTION = 0.2
DEFAULT_SPLIT_SEED = 42
MAX_CLASSES = 50
KAGGLE_TARGET = "label"
HAR_TARGET = "Outcome"
PARQUET_SUFFIXES = {".parquet", ".pq"}
DATA_HELP = (
    "use 'digits', a Kaggle digit-recognizer train.csv, a 'UCI HAR Dataset' folder, "
    "or a CSV or Parquet file with {target} COLUMN"
)


@dataclass
class LocalData:
    """A train/test split held in pandas, ready to upload; `target` is a column of both."""

    name: str
    source: str
    target: str
    train: pd.DataFrame
    test: pd.DataFrame
    classification: bool
    reload: dict = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        """Every column but the target."""
        return [column for column in self.train.columns if column != self.target]

    def fingerprint(self) -> str:
        """A hash of the split's contents: a sweep folder refuses to continue on other data."""
        digest = hashlib.sha256()
        for frame in (self.train, self.test):
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
            digest.update("|".join(map(str, frame.columns)).encode())
        return digest.hexdigest()[:16]

    def describe(self) -> dict:
        """What a sweep records about its data."""
        classes = sorted(map(str, self.train[self.target].unique())) if self.classification else []
        return {
            "name": self.name,
            "source": self.source,
            "target": self.target,
            "task": "classification" if self.classification else "regression",
            "classes": classes,
            "train_rows": len(self.train),
            "test_rows": len(self.test),
            "features": len(self.features),
            "fingerprint": self.fingerprint(),
            "reload": self.reload,
        }


@dataclass
class H2OData:
    """The same split as H2OFrames on the cluster, uploaded once per sweep."""

    local: LocalData
    train: object
    test: object

    @property
    def target(self) -> str:
        return self.local.target

    @property
    def features(self) -> list[str]:
        return self.local.features


def load_data(
    spec: str = DEFAULT_DATA,
    *,
    target: str | None = None,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    split_seed: int = DEFAULT_SPLIT_SEED,
) -> LocalData:
    """Read a dataset by name or path; sources without a test set get a seeded stratified split."""
    check_fraction("test_fraction", test_fraction)
    if not (is_whole(split_seed) and 0 <= split_seed <= NUMPY_SEED_LIMIT):
        raise UserInputError(
            "{split_seed}: the split seed must be a whole number from 0 to "
            f"{NUMPY_SEED_LIMIT}, but got {split_seed!r}",
            "split_seed",
        )
    data = _load(spec, target, test_fraction, split_seed)
    data.reload = {
        "spec": spec if spec == DEFAULT_DATA else str(Path(spec).absolute()),
        "target": target,
        "test_fraction": test_fraction,
        "split_seed": split_seed,
    }
    return data


def reload_data(description: dict) -> LocalData:
    """The same split a sweep used, from its recorded description; refuse changed data."""
    data = load_data(**description["reload"])
    if data.fingerprint() != description["fingerprint"]:
        raise UserInputError(
            f"the data at {description['reload']['spec']} changed since the sweep ran "
            "(its fingerprint differs); results would not be comparable"
        )
    return data


def _load(spec: str, target: str | None, test_fraction: float, split_seed: int) -> LocalData:
    if spec == DEFAULT_DATA:
        _own_target(spec, target, KAGGLE_TARGET)
        return _split(
            _digits_frame(),
            "digits",
            "scikit-learn digits (8x8)",
            KAGGLE_TARGET,
            test_fraction,
            split_seed,
        )
    path = Path(spec)
    if path.is_dir():
        _own_target(spec, target, HAR_TARGET)
        return load_har(path)
    if not path.is_file():
        raise UserInputError(f"unknown data {spec!r}: {DATA_HELP}", "target")
    frame = _read_rows(path)
    if target is None and {KAGGLE_TARGET, "pixel0"} <= set(frame.columns):
        return _split(
            frame,
            path.stem,
            "Kaggle digit-recognizer CSV",
            KAGGLE_TARGET,
            test_fraction,
            split_seed,
        )
    if target is None:
        raise UserInputError(
            f"{spec} has no known target: name its target column with {{target}}", "target"
        )
    return _split(frame, path.stem, "CSV", target, test_fraction, split_seed)


def load_har(folder: Path) -> LocalData:
    """The UCI HAR Dataset layout: train/ and test/ with X_*.txt and y_*.txt, plus label files."""
    required = [
        "features.txt",
        "activity_labels.txt",
        "train/X_train.txt",
        "train/y_train.txt",
        "test/X_test.txt",
        "test/y_test.txt",
    ]
    missing = [name for name in required if not (folder / name).is_file()]
    if missing:
        raise UserInputError(
            f"{folder} is not a UCI HAR Dataset folder (missing {', '.join(missing)}): {DATA_HELP}",
            "target",
        )
    names = _unique(_read_table(folder / "features.txt")[1].astype(str).tolist())
    labels = dict(_read_table(folder / "activity_labels.txt").itertuples(index=False))

    def part(kind: str) -> pd.DataFrame:
        x = _read_table(folder / kind / f"X_{kind}.txt")
        if x.shape[1] != len(names):
            raise UserInputError(
                f"{kind}/X_{kind}.txt has {x.shape[1]} columns but features.txt names {len(names)}"
            )
        x.columns = names
        codes = _read_table(folder / kind / f"y_{kind}.txt")[0]
        unknown = sorted(set(codes) - set(labels))
        if unknown:
            raise UserInputError(
                f"{kind}/y_{kind}.txt has activity codes {unknown} "
                "that activity_labels.txt does not name"
            )
        x[HAR_TARGET] = codes.map(labels).astype(str)
        return x

    return LocalData(folder.name, "UCI HAR Dataset", HAR_TARGET, part("train"), part("test"), True)


def upload(local: LocalData) -> H2OData:
    """Upload train and test through a written CSV (far faster than H2OFrame(pandas) when large).

    The frame keys hold the data's fingerprint, so frames already on the cluster under those
    keys (an earlier sweep, resume or retrain of the same split) are reused, not sent again.
    """
    import h2o

    stem = f"h2osweep_{_key_safe(local.name)}_{local.fingerprint()}"
    parts = (("train", local.train), ("test", local.test))
    existing = [_frame_on_cluster(f"{stem}_{part}", frame.shape) for part, frame in parts]
    if all(frame is not None for frame in existing):
        return H2OData(local, *existing)
    column_types = {local.target: "enum" if local.classification else "numeric"}
    frames = []
    with tempfile.TemporaryDirectory(prefix="h2osweep-upload-") as folder:
        for part, frame in parts:
            path = os.path.join(folder, f"{part}.csv")
            frame.to_csv(path, index=False)
            frames.append(
                h2o.upload_file(
                    path, destination_frame=f"{stem}_{part}", header=1, col_types=column_types
                )
            )
    return H2OData(local, *frames)


def _frame_on_cluster(key: str, shape: tuple[int, int]):
    """The frame stored under `key` if it has the expected shape, else None."""
    import h2o

    try:
        frame = h2o.get_frame(key)
    except Exception:
        return None
    return frame if frame is not None and frame.shape == shape else None


def _digits_frame() -> pd.DataFrame:
    from sklearn.datasets import load_digits

    bunch = load_digits(as_frame=True)
    frame = bunch.data.astype(float)
    frame.columns = [f"pixel{i}" for i in range(frame.shape[1])]
    frame[KAGGLE_TARGET] = bunch.target.astype(int)
    return frame


def _split(frame, name, source, target, test_fraction, seed) -> LocalData:
    from sklearn.model_selection import train_test_split

    _check_target(frame, target)
    frame = frame[frame[target].notna()].reset_index(drop=True)
    classification = _is_classification(frame[target])
    if len(frame) < 10:
        raise UserInputError(f"{name} has {len(frame)} labelled rows; a sweep needs at least 10")
    stratify = (
        frame[target] if classification and _can_stratify(frame[target], test_fraction) else None
    )
    train, test = train_test_split(
        frame, test_size=test_fraction, random_state=seed, stratify=stratify
    )
    return LocalData(
        name,
        source,
        target,
        train.reset_index(drop=True),
        test.reset_index(drop=True),
        classification,
    )


def _can_stratify(labels: pd.Series, test_fraction: float) -> bool:
    """A stratified split needs two rows per class and room for every class on both sides."""
    classes, rows = labels.nunique(), len(labels)
    test_rows = int(np.ceil(rows * test_fraction))
    return labels.value_counts().min() >= 2 and min(test_rows, rows - test_rows) >= classes


def _own_target(spec: str, target: str | None, own: str) -> None:
    """A dataset with a known target takes no other (a target is named for a plain CSV)."""
    if target not in (None, own):
        raise UserInputError(
            f"{spec} has its own target {own!r}; {{target}} {target} is only for a plain CSV",
            "target",
        )


def _check_target(frame: pd.DataFrame, target: str) -> None:
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


def read_frame(path: Path) -> pd.DataFrame:
    """A table file as pandas reads it: Parquet by its suffix (.parquet, .pq), else CSV."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return pd.read_parquet(path)
    return pd.read_csv(path)


def _read_rows(path: Path) -> pd.DataFrame:
    """The rows of a data file; an unreadable one is the user's mistake, named by its format."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        unreadable, kind = (ValueError, OSError), "Parquet file"
    else:
        unreadable = (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError)
        kind = "CSV file (Parquet needs a .parquet name)"
    try:
        frame = read_frame(path)
    except unreadable as error:
        raise UserInputError(f"{path} is not a readable {kind}: {error}") from error
    if frame.empty:
        raise UserInputError(f"{path} has no data rows")
    return frame


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=r"\s+", header=None)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as error:
        raise UserInputError(f"{path} is not a whitespace-separated table: {error}") from error


def _unique(names: list[str]) -> list[str]:
    """Make repeated names unique as R's make.unique does (a, a.1, a.2)."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0)
        result.append(name if count == 0 else f"{name}.{count}")
        seen[name] = count + 1
    return result


def _key_safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)[:40]

"""Where a dataset comes from: scikit-learn's bundled 8x8 digits (the default), a Kaggle
digit-recognizer CSV (`label`, `pixel0`...), a UCI HAR Dataset folder (target `Outcome`), or any
CSV or Parquet file with a named target column. Nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from h2osweep.data.frames import LocalData
from h2osweep.errors import UserInputError

DEFAULT_DATA = "digits"
KAGGLE_TARGET = "label"
HAR_TARGET = "Outcome"
PARQUET_SUFFIXES = {".parquet", ".pq"}
DATA_HELP = (
    "use 'digits', a Kaggle digit-recognizer train.csv, a 'UCI HAR Dataset' folder, "
    "or a CSV or Parquet file with {target} COLUMN"
)


HAR_FILES = (
    "features.txt",
    "activity_labels.txt",
    "train/X_train.txt",
    "train/y_train.txt",
    "test/X_test.txt",
    "test/y_test.txt",
)


def check_har_folder(folder: Path) -> None:
    """Refuse a folder without the UCI HAR Dataset's files (the one folder layout we read)."""
    missing = [name for name in HAR_FILES if not (folder / name).is_file()]
    if missing:
        raise UserInputError(
            f"{folder} is not a UCI HAR Dataset folder (missing {', '.join(missing)}): {DATA_HELP}",
            "target",
        )


def load_har(folder: Path) -> LocalData:
    """The UCI HAR Dataset layout: train/ and test/ with X_*.txt and y_*.txt, plus label files."""
    check_har_folder(folder)
    names = unique_names(read_table(folder / "features.txt")[1].astype(str).tolist())
    labels = dict(read_table(folder / "activity_labels.txt").itertuples(index=False))

    def part(kind: str) -> pd.DataFrame:
        x = read_table(folder / kind / f"X_{kind}.txt")
        if x.shape[1] != len(names):
            raise UserInputError(
                f"{kind}/X_{kind}.txt has {x.shape[1]} columns but features.txt names {len(names)}"
            )
        x.columns = names
        codes = read_table(folder / kind / f"y_{kind}.txt")[0]
        unknown = sorted(set(codes) - set(labels))
        if unknown:
            raise UserInputError(
                f"{kind}/y_{kind}.txt has activity codes {unknown} "
                "that activity_labels.txt does not name"
            )
        x[HAR_TARGET] = codes.map(labels).astype(str)
        return x

    return LocalData(folder.name, "UCI HAR Dataset", HAR_TARGET, part("train"), part("test"), True)


def digits_frame() -> pd.DataFrame:
    from sklearn.datasets import load_digits

    bunch = load_digits(as_frame=True)
    frame = bunch.data.astype(float)
    frame.columns = [f"pixel{i}" for i in range(frame.shape[1])]
    frame[KAGGLE_TARGET] = bunch.target.astype(int)
    return frame


def own_target(spec: str, target: str | None, own: str) -> None:
    """A dataset with a known target takes no other (a target is named for a plain CSV)."""
    if target not in (None, own):
        raise UserInputError(
            f"{spec} has its own target {own!r}; {{target}} {target} is only for a plain CSV",
            "target",
        )


def read_frame(path: Path) -> pd.DataFrame:
    """A table file as pandas reads it: Parquet by its suffix (.parquet, .pq), else CSV."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return pd.read_parquet(path)
    return pd.read_csv(path)


def read_rows(path: Path) -> pd.DataFrame:
    """The rows of a data file; an unreadable one is the user's mistake, named by its format."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        unreadable, kind = (ValueError, OSError), "Parquet file"
    else:
        unreadable = (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError)
        kind = "CSV file (Parquet needs a .parquet name)"
    try:
        frame = read_frame(path)
    except unreadable as error:
        raise UserInputError(f"{path} is not a readable {kind}: {str(error).strip()}") from error
    if frame.empty:
        raise UserInputError(f"{path} has no data rows")
    return frame


def read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=r"\s+", header=None)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as error:
        reason = str(error).strip()
        raise UserInputError(f"{path} is not a whitespace-separated table: {reason}") from error


def unique_names(names: list[str]) -> list[str]:
    """Make repeated names unique as R's make.unique does (a, a.1, a.2)."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0)
        result.append(name if count == 0 else f"{name}.{count}")
        seen[name] = count + 1
    return result

"""Each loader on a small file of its format, the seeded split, and the upload to H2O."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from h2osweep.data import load_data
from h2osweep.errors import UserInputError


def test_digits_is_the_default_with_a_stratified_seeded_split():
    first, again = load_data(), load_data("digits")
    assert (first.name, first.target, first.classification) == ("digits", "label", True)
    assert len(first.train) + len(first.test) == 1797 and len(first.test) == 360
    assert first.train.shape[1] == 65
    pd.testing.assert_frame_equal(first.train, again.train)
    assert first.fingerprint() == again.fingerprint()
    assert load_data(split_seed=7).fingerprint() != first.fingerprint()
    shares = first.test["label"].value_counts(normalize=True)
    assert shares.max() - shares.min() < 0.02


def test_kaggle_digit_recognizer_csv(tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        rng.integers(0, 256, size=(40, 784)), columns=[f"pixel{i}" for i in range(784)]
    )
    frame.insert(0, "label", np.tile(np.arange(10), 4))
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    data = load_data(str(path))
    assert data.source == "Kaggle digit-recognizer CSV"
    assert data.target == "label" and data.classification
    assert len(data.train) == 32 and len(data.test) == 8
    assert len(data.features) == 784


def test_uci_har_folder(tmp_path):
    folder = _write_har(tmp_path / "UCI HAR Dataset")
    data = load_data(str(folder))
    assert data.source == "UCI HAR Dataset" and data.target == "Outcome"
    assert len(data.train) == 12 and len(data.test) == 6
    assert list(data.features) == [
        "tBodyAcc-mean()-X",
        "fBodyAcc-bandsEnergy()-1,8",
        "fBodyAcc-bandsEnergy()-1,8.1",
    ]
    assert set(data.train["Outcome"]) == {"WALKING", "SITTING", "LAYING"}


def test_har_folder_with_missing_file_names_it(tmp_path):
    folder = _write_har(tmp_path / "har")
    (folder / "test" / "y_test.txt").unlink()
    with pytest.raises(UserInputError, match=r"missing test/y_test\.txt"):
        load_data(str(folder))


def test_any_csv_with_a_named_target(tmp_path):
    path = tmp_path / "wine.csv"
    rng = np.random.default_rng(2)
    pd.DataFrame(
        {"a": rng.normal(size=30), "b": rng.normal(size=30), "quality": rng.normal(size=30)}
    ).to_csv(path, index=False)
    data = load_data(str(path), target="quality")
    assert not data.classification and data.features == ["a", "b"]
    path2 = tmp_path / "kind.csv"
    pd.DataFrame({"a": range(30), "kind": ["x", "y", "z"] * 10}).to_csv(path2, index=False)
    assert load_data(str(path2), target="kind").classification


@pytest.mark.parametrize(
    "make, target, message",
    [
        (lambda p: None, None, "no such file or folder"),
        (lambda p: p.write_text(""), "y", "not a readable CSV"),
        (lambda p: p.write_text("a,b\n"), "y", "no data rows"),
        (lambda p: p.write_text("a,b\n1,2\n"), None, "name its target column with target"),
        (lambda p: p.write_text("a,b\n1,2\n"), "y", "no target column 'y'"),
        (lambda p: p.write_text("a,y\n" + "1,7\n" * 12 + "2,\n"), "y", "is 7.0 in every"),
        (lambda p: p.write_bytes(b"PAR1\xff\xfe\x00\n\x81"), "y", "Parquet needs a .parquet name"),
    ],
)
def test_bad_data_is_a_user_error(tmp_path, make, target, message):
    path = tmp_path / "data.csv"
    make(path)
    with pytest.raises(UserInputError, match=message):
        load_data(str(path), target=target)


def test_bad_test_fraction_split_seed_and_target_of_digits():
    with pytest.raises(UserInputError, match="between 0 and 1"):
        load_data(test_fraction=1.5)
    for seed in (-1, 2**32):
        with pytest.raises(UserInputError, match="split seed must be a whole number from 0"):
            load_data(split_seed=seed)
    with pytest.raises(UserInputError, match="digits has its own target 'label'"):
        load_data(target="pixel0")
    assert load_data(target="label").target == "label"


def test_a_parquet_file_reads_like_the_same_csv(tmp_path):
    frame = pd.DataFrame({"a": np.arange(40.0), "kind": ["x", "y"] * 20})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    from_csv = load_data(str(tmp_path / "t.csv"), target="kind")
    from_parquet = load_data(str(tmp_path / "t.parquet"), target="kind")
    pd.testing.assert_frame_equal(from_csv.train, from_parquet.train)
    broken = tmp_path / "broken.parquet"
    broken.write_text("a,kind\n1,x\n")
    with pytest.raises(UserInputError, match="not a readable Parquet file"):
        load_data(str(broken), target="kind")


@pytest.mark.h2o
def test_upload_keeps_rows_columns_and_makes_the_target_a_factor(digits_h2o, digits_local):
    assert digits_h2o.train.shape == digits_local.train.shape
    assert digits_h2o.test.shape == digits_local.test.shape
    assert digits_h2o.train.types["label"] == "enum"
    assert digits_h2o.train["label"].levels()[0] == [str(i) for i in range(10)]


def _write_har(folder):
    (folder / "train").mkdir(parents=True)
    (folder / "test").mkdir()
    (folder / "features.txt").write_text(
        "1 tBodyAcc-mean()-X\n2 fBodyAcc-bandsEnergy()-1,8\n3 fBodyAcc-bandsEnergy()-1,8\n"
    )
    (folder / "activity_labels.txt").write_text("1 WALKING\n2 SITTING\n3 LAYING\n")
    rng = np.random.default_rng(3)
    for part, rows in (("train", 12), ("test", 6)):
        x = rng.normal(size=(rows, 3))
        lines = ["  " + " ".join(f"{v:.7e}" for v in row) for row in x]
        (folder / part / f"X_{part}.txt").write_text("\n".join(lines) + "\n")
        codes = [1, 2, 3] * (rows // 3)
        (folder / part / f"y_{part}.txt").write_text("\n".join(map(str, codes)) + "\n")
    return folder

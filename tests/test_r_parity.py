"""Bit-exact agreement with R: the committed reference files always, a live R run when possible."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from h2osweep.space import RRandom, expand_grid, sample_params

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "reference_r" / "expected"
SCRIPT = ROOT / "reference_r" / "parity" / "sampling.R"
FILES = [
    "lecture_draws.csv",
    "random_seed.csv",
    "generic_sequences.csv",
    "expand_grid_lecture.csv",
    "expand_grid_mixed.csv",
    "expand_grid_mixed_classes.csv",
]


def read(folder: Path, name: str) -> pd.DataFrame:
    """A reference CSV with every cell kept as the exact text R wrote."""
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def check_lecture(folder: Path) -> int:
    """Every seed's sample_params equals R's run(seed, run = FALSE); returns the seed count."""
    table = read(folder, "lecture_draws.csv")
    for row in table.to_dict("records"):
        got = sample_params(int(row["seed"]))
        want = {
            "name": row["name"],
            "seed": int(row["seed"]),
            "depth": int(row["depth"]),
            **{k: float(row[k]) for k in ("l1", "l2", "input_dropout", "rho", "epsilon")},
            "neurons": [int(v) for v in row["neurons"].split(";")],
            "hidden_dropout": [float(v) for v in row["hidden_dropout"].split(";")],
            "SumNeurons": int(row["SumNeurons"]),
            "MeanHiddenDropout": float(row["MeanHiddenDropout"]),
        }
        assert got == want, f"seed {row['seed']}"
    return len(table)


def check_random_seed(folder: Path) -> None:
    """RRandom's state equals R's `.Random.seed` after set.seed (and after 1000 runif)."""
    table = read(folder, "random_seed.csv")
    for column in table.columns:
        seed = int(column.split("_")[1].replace("m", "-"))
        rng = RRandom(seed)
        if column.endswith("after_1000_runif"):
            rng.runif(1000)
        want = table[column].astype(np.int64).to_numpy()
        np.testing.assert_array_equal(rng.random_seed.astype(np.int64), want, err_msg=column)


def replay(rng: RRandom, call: dict[str, str]) -> np.ndarray:
    """Run one call of generic_sequences.csv with RRandom."""
    n, a, b = int(call["n"]), call["a"], call["b"]
    if call["fun"] == "runif":
        return rng.runif(n) if a == "" else rng.runif(n, float(a), float(b))
    if call["fun"] == "rbeta":
        return rng.rbeta(n, float(a), float(b))
    population = {
        "count": lambda: float(a),
        "range": lambda: range(int(float(a)), int(float(b)) + 1),
        "vec": lambda: [float(v) for v in call["values"].split(";")],
        "chr": lambda: call["values"].split(";"),
    }[call["x"]]()
    return rng.sample(population, n, replace=call["replace"] == "TRUE")


def check_generic(folder: Path) -> int:
    """Interleaved runif / rbeta / sample calls equal R's, value by value; returns the count."""
    table = read(folder, "generic_sequences.csv")
    checked = 0
    for _, case in table.groupby("case", sort=False):
        rng = RRandom(int(case["seed"].iloc[0]))
        for _, step in case.groupby("step", sort=False):
            call = step.iloc[0].to_dict()
            got = replay(rng, call)
            want = step["value"].tolist()
            if call["x"] == "chr":
                assert got.tolist() == want, call
            else:
                assert [float(v) for v in got] == [float(v) for v in want], call
            checked += len(want)
    return checked


def check_grids(folder: Path) -> None:
    """expand_grid equals R's expand.grid for the lecture's grid and a mixed-type grid."""
    lecture = expand_grid(layers=[1, 2, 4], epochs=[50, 100], l1=[0.001, 0.01, 0.05])
    want = read(folder, "expand_grid_lecture.csv").astype(float)
    pd.testing.assert_frame_equal(lecture.astype(float), want)
    mixed = expand_grid(
        n=[3, 1, 2],
        rate=[0.1, 2.5],
        activation=["Rectifier", "Tanh", "Maxout"],
        adaptive=[True, False],
    )
    want = read(folder, "expand_grid_mixed.csv")
    assert mixed["n"].tolist() == want["n"].astype(int).tolist()
    assert mixed["rate"].tolist() == want["rate"].astype(float).tolist()
    assert mixed["activation"].tolist() == want["activation"].tolist()
    assert mixed["adaptive"].tolist() == (want["adaptive"] == "TRUE").tolist()
    classes = read(folder, "expand_grid_mixed_classes.csv")["class"].tolist()
    assert classes == ["integer", "numeric", "character", "logical"]


def test_committed_lecture_draws_match_r():
    assert check_lecture(EXPECTED) >= 200


def test_committed_lecture_draws_cover_the_edge_seeds():
    seeds = set(read(EXPECTED, "lecture_draws.csv")["seed"].astype(int))
    assert {0, -1, 403, 10, 2147483647, -2147483647} <= seeds


def test_committed_random_seed_matches_r():
    check_random_seed(EXPECTED)


def test_committed_generic_sequences_match_r():
    assert check_generic(EXPECTED) > 1000


def test_committed_generic_sequences_cover_both_beta_branches():
    table = read(EXPECTED, "generic_sequences.csv")
    beta = table[table["fun"] == "rbeta"]
    smaller = np.minimum(beta["a"].astype(float), beta["b"].astype(float))
    assert (smaller < 1).any()
    assert (smaller > 1).any()


def test_committed_expand_grids_match_r():
    check_grids(EXPECTED)


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not on the PATH")
def test_live_r_agrees_and_committed_files_are_current(tmp_path):
    subprocess.run(["Rscript", str(SCRIPT), str(tmp_path)], check=True, cwd=ROOT, timeout=300)
    assert check_lecture(tmp_path) >= 200
    check_random_seed(tmp_path)
    assert check_generic(tmp_path) > 1000
    check_grids(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (EXPECTED / name).read_bytes(), name


STRESS_SHAPES = [0.05, 0.3, 0.99, 1.0, 1.01, 2.5, 40.0]


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not on the PATH")
def test_live_r_agrees_on_long_streams(tmp_path):
    """49 shape pairs x 4000 rbeta, with runif and sample between them, all in one stream each."""
    out = tmp_path / "stream.bin"
    shapes = ", ".join(repr(s) for s in STRESS_SHAPES)
    code = (
        f"s <- c({shapes}); x <- c(); k <- 0L\n"
        "for (a in s) for (b in s) { k <- k + 1L; set.seed(1000L * k - 7L)\n"
        "  x <- c(x, rbeta(4000, a, b), runif(3, -1, 1), sample(70000, 20, TRUE),\n"
        "         sample(300, 5), rbeta(2, b, a)) }\n"
        f"writeBin(as.double(x), '{out}', endian = 'little')"
    )
    subprocess.run(["Rscript", "-e", code], check=True, timeout=300)
    want = np.fromfile(out, dtype="<f8")
    got = []
    k = 0
    for a in STRESS_SHAPES:
        for b in STRESS_SHAPES:
            k += 1
            rng = RRandom(1000 * k - 7)
            got += [rng.rbeta(4000, a, b), rng.runif(3, -1, 1), rng.sample(70000, 20, True)]
            got += [rng.sample(300, 5), rng.rbeta(2, b, a)]
    got = np.concatenate([g.astype(np.float64) for g in got])
    assert got.size == want.size
    np.testing.assert_array_equal(got, want)

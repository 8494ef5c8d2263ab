"""A space file's draws equal what its R function (`h2osweep space FILE --to-r`) draws in R,
value for value, on seeds either side of zero: the committed R output always, live R when
Rscript is on the PATH. Regenerate the committed file with `python -m tests.test_space_r_parity`.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from h2osweep.space import Space, read_space_file, space_from_tables, space_to_r
from h2osweep.store.results_store import read_configs
from tests.conftest import recorded_main as main

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "reference_r" / "expected" / "space_draws.csv"
SEEDS = [403, 10, 1, 0, -1, -7, -403, 123456789, -987654321, 2147483647, -2147483647]
SEEDS += list(range(-30, 31, 3))
# Every distribution once and per layer, a length that may be 0, bounds below zero, a grid
# whose points are not exact in binary, choices of one value and of mixed types.
SYNTHETIC = """
[n]
sample = [0, 3]
[a]
sample = [-5, 5]
[b]
sample = [7, 7]
[c]
sample = [10, 100]
step = 15
[d]
sample = [1, 1000]
log = true
[e]
runif = [-1, 2.5]
[f]
runif = [0.1, 1]
step = 0.1
[g]
loguniform = [1e-7, 0.3]
[h]
rbeta = [0.4, 0.7]
[i]
rbeta = [2, 3]
divide = 3
[j]
choice = ["x", "y", "z"]
[k]
choice = [1, 2.5, true, "w"]
[l]
choice = [4]
[m]
value = "const"
[pa]
sample = [-3, 3]
per_layer = "n"
[pc]
sample = [0, 20]
step = 5
per_layer = "n"
[pd]
sample = [2, 50]
log = true
per_layer = "n"
[pe]
runif = [0, 1e-3]
per_layer = "n"
[pf]
runif = [-1, 1]
step = 0.25
per_layer = "n"
[pg]
loguniform = [0.5, 20]
per_layer = "n"
[ph]
rbeta = [1.5, 1]
divide = 2
per_layer = "n"
[pj]
choice = ["p", "q"]
per_layer = "n"
[pl]
choice = [9]
per_layer = "n"
[pm]
value = 0.5
per_layer = "n"
[sum_pa]
sum = "pa"
[mean_ph]
mean = "ph"
[sum_e]
sum = "e"
"""


def spaces() -> dict[str, Space]:
    """The spaces checked: the lecture's file, the every-distribution example, the synthetic."""
    docs = ROOT / "docs" / "spaces"
    return {
        "lecture": read_space_file(docs / "lecture.toml"),
        "every-distribution": read_space_file(docs / "every-distribution.toml"),
        "synthetic": space_from_tables(tomllib.loads(SYNTHETIC)),
    }


def cell(values: object) -> str:
    """One draw as R prints it below: doubles %.17g, logicals TRUE/FALSE, vectors ';'-joined."""
    items = values if isinstance(values, list) else [values]
    return ";".join(_item(v) for v in items)


def _item(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    return "NaN" if math.isnan(value) else "%.17g" % value


def our_rows() -> list[str]:
    rows = ["space\tseed\tname\tvalue"]
    for label, space in spaces().items():
        for seed in SEEDS:
            rows += [f"{label}\t{seed}\t{k}\t{cell(v)}" for k, v in space.sample(seed).items()]
    return rows


R_DRIVER = """
cell <- function(x) paste(vapply(as.list(x), function(v) {
  if (is.character(v)) v else if (is.logical(v)) as.character(v) else sprintf("%.17g", v)
}, ""), collapse = ";")
for (s in c(SEEDS)) { d <- draw(s)
  for (k in names(d)) cat(LABEL, "\\t", s, "\\t", k, "\\t", cell(d[[k]]), "\\n", sep = "") }
"""


def r_rows(tmp_path: Path, chosen: dict[str, Space] | None = None, seeds=SEEDS) -> list[str]:
    """What R prints when it runs each space's `--to-r` function on every seed."""
    rows = ["space\tseed\tname\tvalue"]
    seeds = ", ".join(f"{seed}L" for seed in seeds)
    for label, space in (chosen or spaces()).items():
        script = tmp_path / f"{label}.R"
        driver = R_DRIVER.replace("SEEDS", seeds).replace("LABEL", f'"{label}"')
        script.write_text(space_to_r(space) + driver)
        result = subprocess.run(
            ["Rscript", str(script)], capture_output=True, text=True, check=True, timeout=120
        )
        rows += result.stdout.splitlines()
    return rows


def test_committed_r_draws_equal_ours():
    want = EXPECTED.read_text().splitlines()
    assert len(want) > 1000
    assert our_rows() == want


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not on the PATH")
def test_live_r_runs_the_printed_functions_and_draws_what_we_draw(tmp_path):
    rows = r_rows(tmp_path)
    ours = our_rows()
    different = [(r, o) for r, o in zip(rows, ours, strict=True) if r != o]
    assert not different, different[:5]
    assert rows == EXPECTED.read_text().splitlines()


@pytest.mark.h2o
@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not on the PATH")
def test_a_random_search_with_a_space_file_trains_exactly_rs_draws(h2o_cluster, tmp_path):
    seeds = [403, -7, -2147483647, 2147483647]
    path = ROOT / "docs" / "spaces" / "every-distribution.toml"
    out = tmp_path / "sweep"
    arguments = ["random", "--space", str(path), "--seeds", *map(str, seeds), "--out", str(out)]
    assert main([*arguments, "--url", h2o_cluster.url, "--quiet"]) == 0
    want = r_rows(tmp_path, {"every-distribution": read_space_file(path)}, seeds)[1:]
    configs = read_configs(out)
    trained = [
        f"every-distribution\t{seed}\t{name}\t{cell(value)}"
        for seed in seeds
        for name, value in configs[f"m_{seed}"].items()
    ]
    assert trained == want
    assert set(pd.read_csv(out / "results.csv")["status"]) == {"ok"}


if __name__ == "__main__":  # regenerate the committed R output (needs Rscript)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        EXPECTED.write_text("\n".join(r_rows(Path(folder))) + "\n")
    sys.exit(0)

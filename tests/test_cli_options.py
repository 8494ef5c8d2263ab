"""Every sweep, show and search option end to end, in-process on the session's H2O (by --url):
what each one promises is read back from the folder it wrote and from what the command printed."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from h2osweep import __version__
from h2osweep.data import load_data
from h2osweep.space import sample_params
from h2osweep.store.results_store import read_confusion, read_definition
from tests.conftest import cli

pytestmark = pytest.mark.h2o
TINY = ["--param", "units=4", "--param", "layers=1"]
L1 = "l1=0,0.001,0.002,0.003,0.004,0.005"
SUMMARY = re.compile(
    r"^(\d+) run\(s\) trained \((\d+) ok, (\d+) failed\), (\d+) already done, in \d+:\d\d:\d\d; "
    r"best (\w+) (\S+) \((\w+)\)(; stopped early: (.*))?$"
)


@pytest.fixture(scope="module")
def url(h2o_cluster) -> str:
    return h2o_cluster.url


def _ok(result) -> str:
    assert result.status == 0, result.stderr
    return result.stderr


def _summary(text: str) -> re.Match:
    """The final summary line of a sweep command, parsed."""
    line = text.strip().splitlines()[-1]
    match = SUMMARY.match(line)
    assert match, line
    return match


def test_version_names_the_package_version():
    result = cli("--version")
    assert (result.status, result.stdout) == (0, f"h2osweep {__version__}\n")


def test_n_runs_from_a_first_seed_and_quiet_prints_only_the_summary(url, tmp_path):
    out = tmp_path / "sweep"
    args = ["random", "--n-runs", "2", "--first-seed", "5", "--epochs", "1", "--quiet"]
    result = cli(*args, "--metric", "test_r2", "--goal", "max", "--url", url, "--out", out)
    assert _ok(result) == ""  # no progress, no opening line
    assert result.stdout.count("\n") == 1
    summary = _summary(result.stdout)
    assert summary.group(1, 2, 3, 4) == ("2", "2", "0", "0")
    table = pd.read_csv(out / "results.csv")
    assert list(table["name"]) == ["m_5", "m_6"]
    assert list(table["l1"]) == [sample_params(5)["l1"], sample_params(6)["l1"]]
    best = table.loc[table["test_r2"].idxmax()]
    assert summary.group(5, 7) == ("test_r2", best["name"])
    assert float(summary.group(6)) == pytest.approx(best["test_r2"], rel=1e-4)


def test_force_new_moves_the_old_sweep_aside_and_starts_over(url, tmp_path):
    out = tmp_path / "sweep"
    _ok(cli("grid", *TINY, "--epochs", "1", "--url", url, "--out", out))
    old = (out / "results.csv").read_bytes()
    refused = cli("grid", *TINY, "--epochs", "2", "--url", url, "--out", out)
    assert refused.status == 2 and "--force-new" in refused.stderr
    _ok(cli("grid", *TINY, "--epochs", "2", "--force-new", "--url", url, "--out", out))
    (kept,) = out.glob("previous-*")
    assert (kept / "results.csv").read_bytes() == old
    assert {p.name for p in kept.iterdir()} >= {"store.sqlite", "sweep.json", "results.csv"}
    assert read_definition(out)["training"]["epochs"] == 2.0
    assert read_definition(kept)["training"]["epochs"] == 1.0
    assert list(pd.read_csv(out / "results.csv")["status"]) == ["ok"]


def test_not_reproducible_is_recorded_and_builds_one_model_at_a_time(url, tmp_path):
    out = tmp_path / "sweep"
    grid = ["grid", *TINY, "--param", "l1=0,0.001", "--epochs", "1", "--not-reproducible"]
    stderr = _ok(cli(*grid, "--url", url, "--out", out))
    assert read_definition(out)["training"] == {
        "epochs": 1.0,
        "reproducible": False,
        "algorithm": "deeplearning",
    }
    assert ", 1 in flight); results in" in stderr.splitlines()[0]
    reproducible = _ok(cli(*grid[:-1], "--url", url, "--out", tmp_path / "again"))
    assert ", 1 in flight)" not in reproducible.splitlines()[0]  # cores + 1 by default


def test_a_csv_and_a_parquet_file_with_their_target_fraction_and_split_seed(url, tmp_path):
    digits = load_data("digits")
    table = pd.concat([digits.train, digits.test]).iloc[:500]
    table.to_csv(tmp_path / "digits.csv", index=False)
    table.to_parquet(tmp_path / "digits.parquet")
    split = ["--target", "label", "--test-fraction", "0.3", "--split-seed", "7"]
    described = {}
    for name in ("digits.csv", "digits.parquet"):
        out = tmp_path / name.replace(".", "_")
        _ok(cli("grid", *TINY, "--epochs", "1", "--data", tmp_path / name, *split, "--url", url,
                "--out", out))  # fmt: skip
        data = read_definition(out)["data"]
        assert data["reload"] == {
            "spec": str(tmp_path / name),
            "target": "label",
            "test_fraction": 0.3,
            "split_seed": 7,
            "valid_fraction": 0.2,  # the default validation part, split with the same seed
        }
        assert (data["train_rows"], data["valid_rows"], data["test_rows"]) == (280, 70, 150)
        assert read_confusion(out, "g_1")["test"].to_numpy().sum() == 150
        described[name] = data
    expected = load_data(str(tmp_path / "digits.csv"), target="label", test_fraction=0.3,
                         split_seed=7, valid_fraction=0.2).fingerprint()  # fmt: skip
    assert {data["fingerprint"] for data in described.values()} == {expected}
    assert expected != load_data(str(tmp_path / "digits.csv"), target="label").fingerprint()


def test_patience_and_tolerance_stop_a_sweep_that_no_longer_improves(url, tmp_path):
    """No run can beat the first by 1 in MSE: the sweep stops after `patience` more runs."""
    out = tmp_path / "sweep"
    # 10 epochs: each build outlasts the scoring of the one before, so little is in flight
    grid = ["grid", *TINY, "--param", L1, "--epochs", "10", "--parallel", "1"]
    result = cli(*grid, "--patience", "2", "--tolerance", "1", "--url", url, "--out", out)
    summary = _summary(_ok(result))
    assert summary.group(9) == "no improvement over 1 in the last 2 runs"
    ran = len(pd.read_csv(out / "results.csv"))
    # 1 + patience runs, and what was in flight then: the next build starts while one is
    # scored, and one more may start early
    assert 3 <= ran <= 5, ran
    resumed = _summary(_ok(cli(*grid, "--url", url, "--out", out)))
    assert resumed.group(4) == str(ran) and resumed.group(9) is None  # the rest, no budget


def test_max_runtime_starts_no_model_after_the_limit(url, tmp_path):
    out = tmp_path / "sweep"
    seeds = ["--seeds", *map(str, range(1, 9))]
    result = cli("random", *seeds, "--epochs", "1", "--parallel", "1", "--max-runtime", "1",
                 "--url", url, "--out", out)  # fmt: skip
    summary = _summary(_ok(result))
    assert summary.group(9) == "--max-runtime 1 s reached"
    assert 1 <= len(pd.read_csv(out / "results.csv")) < 8


def test_goal_max_picks_the_highest_and_show_ranks_by_it(url, tmp_path):
    out = tmp_path / "sweep"
    grid = ["grid", *TINY, "--param", "l1=0,0.003,0.03", "--epochs", "1", "--metric", "test_r2"]
    summary = _summary(_ok(cli(*grid, "--goal", "max", "--url", url, "--out", out)))
    table = pd.read_csv(out / "results.csv", float_precision="round_trip")
    best = table.loc[table["test_r2"].idxmax()]
    assert summary.group(5, 7) == ("test_r2", best["name"])
    assert best["name"] != table.loc[table["test_r2"].idxmin(), "name"]

    shown = cli("show", out, "--metric", "test_r2", "--goal", "max", "--top", "2")
    assert shown.status == 0, shown.stderr
    header, *rows = shown.stdout.splitlines()
    assert header.split()[:3] == ["name", "test_r2", "status"] and len(rows) == 2
    ranked = table.sort_values("test_r2", ascending=False)
    assert [row.split()[0] for row in rows] == list(ranked["name"][:2])
    lowest = cli("show", out, "--metric", "test_r2", "--goal", "min", "--top", "1")
    assert lowest.stdout.splitlines()[1].split()[0] == ranked["name"].iloc[-1]
    highest = cli("show", out, "--metric", "test_r2", "--top", "1")  # r2's own goal: max
    assert highest.stdout.splitlines()[1].split()[0] == ranked["name"].iloc[0]

    confusion = cli("show", out, "--confusion", best["name"])
    assert confusion.status == 0, confusion.stderr
    lines = confusion.stdout.splitlines()
    assert lines[0] == f"{best['name']}, train (rows: actual, columns: predicted):"
    test_at = lines.index(f"{best['name']}, test (rows: actual, columns: predicted):")
    matrix = [line.split()[1:] for line in lines[test_at + 3 : test_at + 13]]  # digits 0-9
    stored = read_confusion(out, best["name"])["test"].to_numpy()
    np.testing.assert_array_equal(np.array(matrix, dtype=int), stored)

    optimized = cli("optimize", out, "--metric", "test_r2", "--goal", "max", "--url", url)
    assert optimized.status == 0, optimized.stderr
    compared = pd.read_csv(out / "optimized_best.csv")
    assert compared.loc[0, "model"] == f"best sweep run ({best['name']})"  # the highest R2


def test_max_models_on_a_grid_and_quiet(url, tmp_path):
    grid = ["grid", *TINY, "--param", L1, "--epochs", "1", "--parallel", "1", "--max-models", "2"]
    result = cli(*grid, "--quiet", "--url", url, "--out", tmp_path / "sweep")
    assert _ok(result) == ""
    summary = _summary(result.stdout)
    assert summary.group(1) == "2" and summary.group(9) == "--max-models 2 reached"
    assert len(pd.read_csv(tmp_path / "sweep" / "results.csv")) == 2


def test_a_search_on_a_csv_with_every_sweep_option(url, tmp_path):
    """A model-based search takes the sweep options the grid and random search take."""
    digits = load_data("digits")
    path = tmp_path / "digits.csv"
    pd.concat([digits.train, digits.test]).iloc[:400].to_csv(path, index=False)
    out = tmp_path / "search"
    data = ["--data", path, "--target", "label", "--test-fraction", "0.25", "--split-seed", "3"]
    budget = ["--max-models", "1", "--max-runtime", "600", "--patience", "5", "--tolerance", "0.1"]
    result = cli("search", "--strategy", "random", "--n-runs", "3", "--epochs", "1", *data,
                 *budget, "--metric", "test_r2", "--goal", "max", "--not-reproducible",
                 "--startup", "prior", "--quiet", "--url", url, "--out", out)  # fmt: skip
    assert _ok(result) == ""
    summary = _summary(result.stdout)
    assert summary.group(1, 5, 9) == ("1", "test_r2", "--max-models 1 reached")
    definition = read_definition(out)
    assert definition["data"]["reload"]["test_fraction"] == 0.25
    assert (definition["data"]["train_rows"], definition["data"]["test_rows"]) == (300, 100)
    assert definition["training"]["reproducible"] is False
    assert definition["sampler"]["goal"] == "max" and definition["sampler"]["metric"] == "test_r2"
    assert definition["sampler"]["startup"] == "prior"


def test_search_with_optunas_random_sampler(url, tmp_path):
    out = tmp_path / "search"
    args = ["search", "--strategy", "random", "--n-runs", "2", "--seed", "3", "--epochs", "1"]
    stderr = _ok(cli(*args, "--startup", "sampler", "--url", url, "--out", out))
    assert "2 run(s) trained (2 ok, 0 failed)" in stderr
    table = pd.read_csv(out / "results.csv")
    assert list(table["name"]) == ["t_0", "t_1"]
    definition = read_definition(out)
    assert definition["strategy"] == "optuna-random"
    assert definition["sampler"]["seed"] == 3 and definition["sampler"]["startup"] == "sampler"
    assert (table["depth"] == table["neurons"].map(lambda text: len(json.loads(text)))).all()
    again = cli(*args, "--startup", "sampler", "--url", url, "--out", tmp_path / "again")
    _ok(again)
    same = pd.read_csv(tmp_path / "again" / "results.csv")
    np.testing.assert_array_equal(same["l1"], table["l1"])  # the sampler's seed is honoured

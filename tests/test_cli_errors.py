"""User mistakes on every command: exit status 2, one line on stderr, no traceback, nothing written.

Each case is (arguments, a fragment of the expected message); `{out}`, `{csv}`, `{empty}`,
`{file}`, `{port}` and the other input files of `_inputs` are filled in per test. `{sweep}` is a
copy of a real one-run sweep folder, so "a results folder from a different space" is the real
thing; the snapshot covers it too.
"""

from __future__ import annotations

import shutil

import pytest

from h2osweep.cluster import free_port_pair
from tests.conftest import run_cli

TINY = ["--param", "units=4", "--param", "layers=1"]

CORPUS = [
    (["random", "--seeds", "abc"], "invalid int value: 'abc'"),
    (["random"], "give the seeds to run"),
    (["random", "--seeds", "1", "--n-runs", "2"], "either --seeds or --n-runs"),
    (["random", "--seeds", "2147483648"], "2147483648"),
    (["random", "--seeds", "1", "1"], "more than once"),
    (["random", "--n-runs", "0"], "--n-runs must be at least 1"),
    (["random", "--seeds", "1", "--epochs", "-1"], "--epochs must be positive"),
    (["random", "--seeds", "1", "--parallel", "0"], "--parallel must be at least 1"),
    (["random", "--seeds", "1", "--data", "nosuch"], "unknown data 'nosuch'"),
    (["random", "--seeds", "1", "--data", "{csv}"], "name its target column with --target"),
    (["random", "--seeds", "1", "--data", "{csv}", "--target", "nope"], "no target column 'nope'"),
    (["random", "--seeds", "1", "--data", "{empty}", "--target", "y"], "not a readable CSV"),
    (["random", "--seeds", "1", "--url", "ftp://host:1"], "--url must look like"),
    (["random", "--seeds", "1", "--url", "http://127.0.0.1:{port}"], "no H2O cluster answers"),
    (["random", "--seeds", "1", "--out", "{file}"], "is a file"),
    (["random", "--seeds", "1", "--max-mem", "4T"], "memory must be"),
    (["random", "--seeds", "1", "--max-models", "0"], "--max-models must be at least 1"),
    (["random", "--seeds", "1", "--max-runtime", "-5"], "--max-runtime must be a positive"),
    (["random", "--seeds", "1", "--test-fraction", "2"], "between 0 and 1"),
    (["random", "--seeds", "1", "--nthreads", "0"], "--nthreads must be -1"),
    (["random", "--seeds", "1", "--cacert", "/no/such/ca.pem"], "--cacert /no/such/ca.pem"),
    (["random", "--seeds", "1", "--goal", "best"], "invalid choice: 'best'"),
    (["random", "--seeds", "1", "--epochs", "nan"], "--epochs must be positive and finite"),
    (["random", "--seeds", "1", "--epochs", "inf"], "--epochs must be positive and finite"),
    (["random", "--seeds", "1", "--metric", "accuracy"], "--metric must be one of train_mse"),
    (["random", "--seeds", "1", "--max-runtime", "nan"], "--max-runtime must be a positive"),
    (["random", "--seeds", "1", "--tolerance", "nan"], "--tolerance must be a finite number"),
    (["random", "--seeds", "1", "--split-seed", "-1"], "split seed must be a whole number"),
    (["random", "--seeds", "1", "--target", "pixel0"], "digits has its own target 'label'"),
    (["random", "--seeds", "1", "--data", "{const}", "--target", "y"], "nothing to learn"),
    (["random", "--seeds", "1", "--insecure"], "--insecure is only for a remote --url"),
    (["random", "--seeds", "1", "--max-mem", "0G"], "a positive whole number of M or G"),
    (["random", "--seeds", "1", "--out", "{orphan}"], "has results.csv but no store.sqlite"),
    (["random", "--seeds", "1", "--bogus"], "(see 'h2osweep random --help')"),
    (["grid"], "the following arguments are required: --param"),
    (["grid", "--param", "layers="], "--param layers has no values"),
    (["grid", "--param", "layerz=1,2"], "unknown parameter 'layerz'"),
    (["grid", "--param", "l1=abc"], "'l1' cannot be 'abc'"),
    (["grid", "--param", "epochs=-1"], "'epochs' must be a positive number"),
    (["grid", "--param", "noequals"], "--param must look like NAME=V1,V2"),
    (["grid", "--param", "hidden=[1,"], "is not a JSON list"),
    (["grid", "--param", "l1=1", "--param", "l1=2"], "each --param name may be given once"),
    (["grid", "--param", "seed=1,2"], "set by h2osweep itself"),
    (["grid", "--param", "epochs=1,2", "--epochs", "3"], "give epochs once"),
    (["show", "{out}"], "is not a sweep folder"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    # analyze: files and tables
    (["analyze", "{out}/nosuch.csv", "--out", "{out}"], "is neither a file nor a folder"),
    (["analyze", "{empty}", "--out", "{out}"], "is empty (no rows)"),
    (["analyze", "{header}", "--out", "{out}"], "is empty (no rows)"),
    (["analyze", "{parquet}", "--out", "{out}"], "cannot read"),
    (["analyze", "{csv}", "--target", "nope", "--out", "{out}"], "unknown target 'nope'"),
    (["analyze", "{words}", "--target", "y", "--out", "{out}"], "target 'y' is not numeric"),
    (["analyze", "{single}", "--target", "y", "--out", "{out}"], "need at least 2 runs"),
    (["analyze", "{csv}", "--target", "b", "--goal", "best", "--out", "{out}"], "invalid choice"),
    (["analyze", "{csv}", "--target", "b", "--params", "zz", "--out", "{out}"], "unknown --params"),
    (["analyze", "{words}", "--target", "a", "--gam", "s(zz)", "--out", "{out}"], "unknown column"),
    (["analyze", "{csv}", "--target", "b", "--out", "{file}"], "cannot create the output folder"),
    (["analyze", "{csv}", "--target", "b"], "the following arguments are required: --out"),
    (["analyze", "{csv}", "--target", "b", "--compare", "{out}", "--out", "{out}"], "--compare"),
    # optimize and demo
    (["optimize", "{out}"], "is not a sweep folder"),
    (["optimize", "{out}", "--config", "worst"], "invalid choice: 'worst'"),
    (["optimize", "{out}", "--epochs", "-1"], "--epochs must be positive"),
    (["demo", "--runs", "1", "--out", "{out}"], "--runs must be at least 3"),
    (["demo", "--epochs", "0", "--out", "{out}"], "--epochs must be positive"),
    (["demo", "--runs", "many", "--out", "{out}"], "invalid int value: 'many'"),
    (["demo", "--force-old", "--out", "{out}"], "(see 'h2osweep demo --help')"),
    # a real one-run sweep folder ({sweep}, made once with --epochs 1)
    (["grid", *TINY, "--epochs", "2", "--out", "{sweep}"], "holds a sweep with another training"),
    (["random", "--seeds", "1", "--epochs", "1", "--out", "{sweep}"], "another space, strategy"),
    (["analyze", "{sweep}", "--out", "{out}"], "need at least 2 runs with a valid_mse"),
    (["analyze", "{sweep}", "--target", "accuracy", "--out", "{out}"], "unknown target"),
    (["show", "{sweep}", "--metric", "nope"], "has no column 'nope'"),
    (["show", "{sweep}", "--top", "0"], "--top must be at least 1"),
    (["optimize", "{sweep}", "--metric", "nope"], "has no column 'nope'"),
    (["optimize", "{sweep}", "--config", "gam"], "need at least 2 runs"),
]


CASES = [
    pytest.param(
        arguments,
        message,
        id=" ".join(arguments)[:40],
        marks=[pytest.mark.h2o] if any("{sweep}" in a for a in arguments) else [],
    )
    for arguments, message in CORPUS
]


@pytest.mark.parametrize("arguments, message", CASES)
def test_user_mistake_is_one_line_with_status_2(request, tmp_path, arguments, message):
    paths = _inputs(tmp_path)
    if any("{sweep}" in a for a in arguments):
        shutil.copytree(request.getfixturevalue("one_run_sweep"), paths["sweep"])
    arguments = [a.format(**paths) for a in arguments]
    if arguments[0] in ("random", "grid") and "--out" not in arguments:
        arguments += ["--out", paths["out"]]
    before = _snapshot(tmp_path)
    result = run_cli(*arguments)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert message.format(**paths) in result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(tmp_path) == before, "a user mistake wrote or changed files"


@pytest.fixture(scope="module")
def one_run_sweep(tmp_path_factory, h2o_cluster):
    """A real sweep folder with one finished run (1 epoch, 4 units) on the session cluster."""
    folder = tmp_path_factory.mktemp("corpus") / "sweep"
    result = run_cli("grid", *TINY, "--epochs", "1", "--url", h2o_cluster.url, "--out", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def _inputs(tmp_path) -> dict[str, str]:
    files = {
        "csv": ("table.csv", "a,b\n1,2\n3,4\n"),
        "empty": ("empty.csv", ""),
        "header": ("header.csv", "a,b,y\n"),
        "words": ("words.csv", "a,b,y\n1,2,x\n3,4,z\n5,6,w\n"),
        "single": ("single.csv", "a,b,y\n1,2,3\n"),
        "parquet": ("damaged.parquet", "PAR1 but not really"),
        "file": ("a_file", "not a folder"),
        "const": ("const.csv", "a,y\n1,1\n2,1\n3,1\n"),
        "orphan": ("orphan/results.csv", "name,test_mse\nm_1,0.5\n"),
    }
    paths = {}
    for key, (name, text) in files.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        paths[key] = str(path.parent if key == "orphan" else path)
    paths.update(
        out=str(tmp_path / "out"), sweep=str(tmp_path / "sweep"), port=str(free_port_pair())
    )
    return paths


def _snapshot(folder) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

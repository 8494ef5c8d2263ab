"""User mistakes on every command: exit status 2, one line on stderr, no traceback, nothing written.

Each case is (arguments, a fragment of the expected message); `{out}`, `{csv}`, `{empty}`,
`{file}` and `{port}` are filled in per test.
"""

from __future__ import annotations

import pytest

from h2osweep.cluster import free_port_pair
from tests.conftest import run_cli

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
    (["random", "--seeds", "1", "--max-runtime", "-5"], "--max-runtime must be positive"),
    (["random", "--seeds", "1", "--test-fraction", "2"], "between 0 and 1"),
    (["random", "--seeds", "1", "--nthreads", "0"], "--nthreads must be -1"),
    (["random", "--seeds", "1", "--cacert", "/no/such/ca.pem"], "--cacert /no/such/ca.pem"),
    (["random", "--seeds", "1", "--goal", "best"], "invalid choice: 'best'"),
    (["grid"], "the following arguments are required: --param"),
    (["grid", "--param", "layers="], "--param layers has no values"),
    (["grid", "--param", "layerz=1,2"], "unknown parameter 'layerz'"),
    (["grid", "--param", "l1=abc"], "'l1' cannot be 'abc'"),
    (["grid", "--param", "epochs=-1"], "'epochs' must be a positive number"),
    (["grid", "--param", "noequals"], "--param must look like NAME=V1,V2"),
    (["grid", "--param", "hidden=[1,"], "is not a JSON list"),
    (["grid", "--param", "l1=1", "--param", "l1=2"], "each --param name may be given once"),
    (["grid", "--param", "seed=1,2"], "set by h2osweep itself"),
    (["show", "{out}"], "is not a sweep folder"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
]


@pytest.mark.parametrize(
    "arguments, message", CORPUS, ids=lambda v: " ".join(v)[:40] if isinstance(v, list) else None
)
def test_user_mistake_is_one_line_with_status_2(tmp_path, arguments, message):
    paths = _inputs(tmp_path)
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


def _inputs(tmp_path) -> dict[str, str]:
    csv = tmp_path / "table.csv"
    csv.write_text("a,b\n1,2\n3,4\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    file = tmp_path / "a_file"
    file.write_text("not a folder")
    return {
        "out": str(tmp_path / "out"),
        "csv": str(csv),
        "empty": str(empty),
        "file": str(file),
        "port": str(free_port_pair()),
    }


def _snapshot(folder) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

"""The session's rules themselves: under CI=true a skip fails the run; a test that uses the
session's H2O is marked `h2o` (so `-m "not h2o"` needs no JVM). Checked on inner pytest runs."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

INNER_CONFTEST = "from tests.conftest import *  # noqa: F403 - the hooks under test\n"
SKIPPING = """
import shutil
import pytest

def test_needs_a_tool():
    pytest.skip("Rscript is not on the PATH")

@pytest.mark.skipif(shutil.which("no-such-tool") is None, reason="no-such-tool is missing")
def test_marked():
    pass

def test_runs():
    pass
"""


def _inner(folder, env_ci: str | None, *arguments: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    if env_ci is not None:
        env["CI"] = env_ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_skip_fails_under_ci_and_is_a_skip_elsewhere(tmp_path):
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    (tmp_path / "test_inner.py").write_text(SKIPPING)
    local = _inner(tmp_path, None)
    assert local.returncode == 0, local.stdout
    assert "1 passed, 2 skipped" in local.stdout
    ci = _inner(tmp_path, "true", "-rf")
    assert ci.returncode == 1, ci.stdout
    assert "1 failed, 1 passed, 1 error" in ci.stdout  # a skip mark fails in the setup
    assert "skipped under CI=true, where every test must run: Rscript is not on the PATH" in (
        ci.stdout
    )
    assert "skipped under CI=true, where every test must run: no-such-tool is missing" in ci.stdout


def test_tests_using_the_session_h2o_are_marked_h2o(tmp_path):
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    (tmp_path / "test_inner.py").write_text(
        "def test_pure():\n    pass\n\n"
        "def test_uses_h2o(h2o_cluster):\n    pass\n\n"
        "def test_uses_digits_on_h2o(digits_h2o):\n    pass\n"
    )
    listed = _inner(tmp_path, None, "-m", "not h2o", "--collect-only")
    assert "1/3 tests collected (2 deselected)" in listed.stdout, listed.stdout

"""The library from Python: what `h2osweep` exports, and a wrong type passed to it is one line
naming the parameter (not an AttributeError from deep inside)."""

from __future__ import annotations

import pytest

import h2osweep
from h2osweep.errors import UserInputError


def _wrong_types():
    digits = h2osweep.load_data("digits")
    return [
        (
            lambda: h2osweep.run(1, digits, epochs=1),
            "^data must be uploaded to a cluster .*LocalData$",
        ),
        (lambda: h2osweep.upload("digits"), "^local must be data from load_data.*'digits'$"),
        (lambda: h2osweep.H2OCluster("http://x"), "^options must be ClusterOptions, e.g."),
        (lambda: h2osweep.load_data(123), "^spec must be a dataset name .* but got 123$"),
        (lambda: h2osweep.analyze(123), "^source must be a sweep folder, .* but got 123$"),
        (lambda: h2osweep.analyze(digits.train, target=5), "^target must be a column name or a"),
        (lambda: h2osweep.random_plan(5), r"^seeds must be a list of R seeds .* but got 5$"),
        (lambda: h2osweep.sample_params(1, space={"depth": 1}), "^space must be a Space .*dict$"),
        (lambda: h2osweep.ClusterOptions(nthreads="2"), "^nthreads must be -1 .* but got '2'$"),
        (lambda: h2osweep.ClusterOptions(max_mem="lots"), "^max_mem: memory must be a positive"),
    ]


def test_a_wrong_type_is_one_line_naming_the_parameter():
    for call, message in _wrong_types():
        with pytest.raises(UserInputError, match=message) as raised:
            call()
        assert "\n" not in str(raised.value)


def test_the_package_exports_what_the_readme_uses():
    """Every name the README's Python blocks import from h2osweep is exported."""
    import re

    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    imported = re.findall(r"from h2osweep import (?:\(([^)]*)\)|([^\n]+))", "\n".join(blocks))
    names = {n.strip() for groups in imported for n in ",".join(groups).split(",") if n.strip()}
    assert names and names <= set(h2osweep.__all__), names - set(h2osweep.__all__)


@pytest.mark.h2o
def test_the_readmes_python_sweep_runs_as_written(h2o_cluster, tmp_path, monkeypatch, capsys):
    """The README's sweep, analysis and retrain from Python, on the session's cluster (its one
    edit: the URL), choosing on validation as the CLI does; run again, it resumes."""
    import re

    from tests.conftest import REPO

    block = next(
        b
        for b in re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), flags=re.S)
        if "run_sweep(" in b
    )
    assert "ClusterOptions()" in block
    code = block.replace("ClusterOptions()", f"ClusterOptions(url={h2o_cluster.url!r})")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "valid_mse" in printed and "8 run(s) trained" in printed, printed
    assert (tmp_path / "sweep-py" / "report" / "report.html").is_file()
    assert (tmp_path / "sweep-py" / "optimized_best.csv").is_file()
    exec(compile(code, "README.md", "exec"), {})
    assert "0 run(s) trained (0 ok, 0 failed), 8 already done" in capsys.readouterr().out

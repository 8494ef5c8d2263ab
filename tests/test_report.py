"""The written report: every table and plot, escaping, embedded images, atomic writes."""

import base64
import re

import pandas as pd
import pytest

from h2osweep.analysis import analyze
from h2osweep.report import write_report
from h2osweep.report.html import esc, number
from tests.synthetic import lecture_table, wandb_table


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A W&B-style analysis with a hostile category level, written to a folder."""
    table = wandb_table(60, seed=5)
    table["config"] = table["config"].str.replace("'sgd'", "'<script>alert(1)</script>'")
    folder = tmp_path_factory.mktemp("report")
    analysis = analyze(table, target="val_acc", goal="max")
    return folder, write_report(analysis, folder), analysis


def test_every_output_is_written(written):
    folder, paths, _ = written
    names = {p.name for p in paths}
    expected = {"correlations.csv", "ols.csv", "importance.csv", "gam.csv", "report.html"}
    assert expected <= names
    assert {
        "facets.png",
        "gam_terms.png",
        "correlations.png",
        "importance.png",
        "parallel.png",
    } <= names
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)  # no temporary files left
    columns = {
        "correlations.csv": ["term", "correlation"],
        "ols.csv": ["term", "coef", "std_err", "t", "p_value"],
        "importance.csv": ["term", "importance", "std"],
        "gam.csv": ["term", "edof", "p_value"],
    }
    for name, header in columns.items():
        assert list(pd.read_csv(folder / name).columns) == header
    for path in paths:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_escapes_data_and_embeds_images(written):
    folder, _, analysis = written
    page = (folder / "report.html").read_text()
    assert "<script>alert(1)" not in page and "</script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= 5
    assert base64.b64decode(images[0])[:4] == b"\x89PNG"
    assert 'src="http' not in page and "<link" not in page
    for note in analysis.notes:
        assert esc(note) in page
    assert "GAM-suggested" in page and "best observed run" in page
    assert page.count(esc(analysis.suggested.note)) == 1


def test_te_surface_is_drawn_for_the_lecture_table(tmp_path):
    analysis = analyze(lecture_table(80), target="test_mse")
    names = {p.name for p in write_report(analysis, tmp_path)}
    assert "gam_surface_1.png" in names


def test_number_formatting():
    assert number(0.000123456) == "0.0001235"
    assert number(float("nan")) == "NA"
    assert number(3) == "3"
    assert number("<b>") == "&lt;b&gt;"


def test_two_runs_and_retrained_section(tmp_path):
    """The lecture's two-seed table still gives a report; retrained models get their section,
    from the same `Retrained` records `optimize` and `demo` hand to it."""
    from h2osweep.record.runs import OK, RunResult, RunSpec
    from h2osweep.workflows.retrain import SEED_SPREAD, Retrained, compare

    table = lecture_table(2)
    analysis = analyze(table[["l1", "l2", "depth", "SumNeurons", "test_mse"]], target="test_mse")
    assert analysis.suggested is None and analysis.gam.empty
    config = {"neurons": [500, 500], "l1": 0.002}
    metrics = {"test_mse": 0.04, "train_mse": 0.03, "test_logloss": 0.2}
    result = RunResult(RunSpec("optimized_best", config), OK, metrics, build_seconds=2.5)
    retrained = Retrained("best", config, result, compare(table.iloc[0], result))
    write_report(analysis, tmp_path, retrained=[retrained])
    page = (tmp_path / "report.html").read_text()
    assert "Retrained configurations" in page and "optimized_best" in page
    assert f"best sweep run ({table.loc[0, 'name']})" in page
    assert "[500, 500]" in page and esc(SEED_SPREAD) in page
    assert "No GAM could be fitted." in page


def test_a_folder_that_cannot_take_a_file_is_one_error_and_the_rest_is_kept(written, tmp_path):
    from h2osweep.errors import UserInputError

    _, _, analysis = written
    (tmp_path / "report.html").mkdir()  # where the page goes, a folder stands
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UserInputError, match=r"cannot write into the output folder .*: Is a dir"):
        write_report(analysis, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_the_optimum_lists_the_runs_nearest_the_winner_with_their_test_figure(tmp_path):
    """How sure the choice is: the 10 best of 30 runs by the target, the winner first and
    highlighted, each one's distance behind it and its test figure beside the one that chose."""
    from h2osweep.analysis.selection import top_runs

    table = lecture_table(30, seed=3)
    table["valid_mse"] = table["test_mse"] + 0.01 * (table.index % 3)
    analysis = analyze(table, target="valid_mse")
    runs = top_runs(analysis.prepared)
    assert list(runs.columns) == ["run", "valid_mse", "behind the best", "test_mse"]
    assert len(runs) == 10 and runs["run"].iloc[0] == analysis.best.run
    assert runs["valid_mse"].is_monotonic_increasing and runs["behind the best"].iloc[0] == 0
    expected = table.set_index("name").loc[runs["run"], "test_mse"].to_numpy()
    assert runs["test_mse"].tolist() == expected.tolist()
    write_report(analysis, tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "The 10 best of 30 runs, best first:" in page
    assert f'<tr class="strong"><td>{analysis.best.run}</td>' in page

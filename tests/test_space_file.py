"""Space files (TOML and JSON) and the new distributions: what each entry draws, the file's
mistakes as one line naming the entry, the lecture's file, and `h2osweep space`."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optuna.distributions import FloatDistribution, IntDistribution

from h2osweep.errors import UserInputError
from h2osweep.search.optuna.translate import to_optuna
from h2osweep.space import (
    LECTURE_SPACE,
    Beta,
    Choice,
    Fixed,
    IntRange,
    LogIntRange,
    LogUniform,
    Mean,
    PerLayer,
    RRandom,
    Space,
    SteppedIntRange,
    SteppedUniform,
    Sum,
    Uniform,
    read_space_file,
    space_from_tables,
    space_to_r,
    space_to_toml,
)
from tests.conftest import REPO
from tests.conftest import recorded_main as main

SPACES = REPO / "docs" / "spaces"


def test_the_lecture_file_is_the_lecture_space_and_what_space_lecture_prints(capsys):
    assert main(["space", "--lecture"]) == 0
    printed = capsys.readouterr().out
    assert printed == (SPACES / "lecture.toml").read_text()
    assert read_space_file(SPACES / "lecture.toml") == LECTURE_SPACE
    assert read_space_file(SPACES / "lecture.toml").fingerprint() == LECTURE_SPACE.fingerprint()


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.removeprefix("#").removeprefix(" "))
    return "\n".join(lines)


@pytest.mark.parametrize("name", ["lecture", "gbm", "xgboost", "every-distribution"])
def test_example_files_are_canonical_and_each_comment_is_the_entrys_r_call(name):
    text = (SPACES / f"{name}.toml").read_text()
    assert space_to_toml(read_space_file(SPACES / f"{name}.toml"), _header(text)) == text


def test_every_distribution_file_holds_every_kind_of_entry():
    space = read_space_file(SPACES / "every-distribution.toml")
    kinds = {type(entry) for _, entry in space.items()}
    kinds |= {type(entry.dist) for _, entry in space.items() if isinstance(entry, PerLayer)}
    assert {IntRange, SteppedIntRange, LogIntRange, Uniform, SteppedUniform, LogUniform} <= kinds
    assert {Beta, Choice, Fixed, PerLayer, Sum, Mean} <= kinds


def test_the_issues_example_file_reads_as_its_r_calls(tmp_path):
    path = tmp_path / "space.toml"
    path.write_text(
        "[depth]\nsample = [1, 5]\n[l1]\nrunif = [0, 0.01]\n[input_dropout]\nrbeta = [1, 12]\n"
        '[activation]\nchoice = ["RectifierWithDropout", "TanhWithDropout"]\n'
        '[neurons]\nsample = [20, 600]\nper_layer = "depth"\n'
        '[hidden_dropout]\nrbeta = [1.5, 1]\ndivide = 2\nper_layer = "depth"\n'
        "[epochs]\nvalue = 10\n[rate]\nloguniform = [1e-5, 1e-1]\n"
    )
    space = read_space_file(path)
    assert space == Space(
        depth=IntRange(1, 5),
        l1=Uniform(0, 0.01),
        input_dropout=Beta(1, 12),
        activation=Choice(["RectifierWithDropout", "TanhWithDropout"]),
        neurons=PerLayer(IntRange(20, 600), "depth"),
        hidden_dropout=PerLayer(Beta(1.5, 1, divisor=2), "depth"),
        epochs=Fixed(10),
        rate=LogUniform(1e-5, 1e-1),
    )
    lines = space_to_r(space).splitlines()
    assert '  activation <- sample(c("RectifierWithDropout", "TanhWithDropout"), 1)' in lines
    assert "  hidden_dropout <- rbeta(depth, 1.5, 1) / 2" in lines
    assert "  rate <- exp(runif(1, log(1e-05), log(0.1)))" in lines


def test_json_holds_the_same_structure_and_the_stored_form_reads_too(tmp_path):
    tables = tomllib.loads((SPACES / "gbm.toml").read_text())
    (tmp_path / "gbm.json").write_text(json.dumps(tables))
    (tmp_path / "stored.json").write_text(LECTURE_SPACE.to_json())
    assert read_space_file(tmp_path / "gbm.json") == read_space_file(SPACES / "gbm.toml")
    assert read_space_file(tmp_path / "stored.json") == LECTURE_SPACE


def test_new_distributions_draw_their_r_calls():
    rng = RRandom(7)
    logs = rng.runif(3, np.log(1e-4), np.log(0.1))
    assert LogUniform(1e-4, 0.1).draw(RRandom(7), 3) == np.exp(logs).tolist()
    picks = RRandom(7).sample_int(7, 4, replace=True)
    assert SteppedIntRange(10, 100, 15).draw(RRandom(7), 4) == [10 + 15 * (k - 1) for k in picks]
    picks = RRandom(7).sample_int(10, 4, replace=True)
    assert SteppedUniform(0.1, 1.0, 0.1).draw(RRandom(7), 4) == [0.1 + 0.1 * (k - 1) for k in picks]
    logs = RRandom(7).runif(5, 0.0, np.log(1001))
    assert LogIntRange(1, 1000).draw(RRandom(7), 5) == [int(np.floor(np.exp(v))) for v in logs]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(-50, 50),
    st.integers(0, 40),
    st.integers(1, 9),
    st.integers(1, 500),
    st.integers(-2147483647, 2147483647),
)
def test_new_distributions_stay_in_range_and_round_trip(low, width, step, top, seed):
    space = Space(
        a=SteppedIntRange(low, low + width * step, step),
        b=SteppedUniform(low / 10, (low + width * step) / 10, step / 10),
        c=LogIntRange(1, top),
        d=LogUniform(top / 1000, top),
    )
    drawn = space.sample(seed)
    assert Space.from_json(space.to_json()) == space
    assert space_from_tables(tomllib.loads(space_to_toml(space))) == space
    assert (drawn["a"] - low) % step == 0 and low <= drawn["a"] <= low + width * step
    assert space["b"].low <= drawn["b"] <= space["b"].high + 1e-9
    assert 1 <= drawn["c"] <= top and isinstance(drawn["c"], int)
    assert top / 1000 <= drawn["d"] <= top


@pytest.mark.parametrize(
    "dist, expected",
    [
        (LogUniform(1e-5, 0.1), FloatDistribution(1e-5, 0.1, log=True)),
        (SteppedUniform(0.1, 1.0, 0.1), FloatDistribution(0.1, 1.0, step=0.1)),
        (LogIntRange(1, 1000), IntDistribution(1, 1000, log=True)),
        (SteppedIntRange(10, 100, 15), IntDistribution(10, 100, step=15)),
    ],
)
def test_new_distributions_have_their_optuna_counterparts(dist, expected):
    assert to_optuna(dist) == expected


BAD_FILES = [
    ("[l1]\nnormal = [0, 1]\n", "[l1] unknown distribution 'normal' (known: sample, runif"),
    ("[l1]\nrunif = [0, 1]\nsample = [1, 2]\n", "[l1] one distribution only, but got"),
    ("[l1]\nstep = 2\n", "[l1] no distribution (known: sample"),
    ('[n]\nsample = [1, 5]\nper_layer = "depth"\n', "[n] per_layer must name an earlier entry"),
    (
        '[depth]\nrunif = [1, 5]\n[n]\nsample = [1, 5]\nper_layer = "depth"\n',
        "[n] per_layer must name an earlier entry of whole numbers >= 0",
    ),
    (
        '[depth]\nsample = [-1, 5]\n[n]\nsample = [1, 5]\nper_layer = "depth"\n',
        "but got per_layer = 'depth'",
    ),
    ("[l1]\nrunif = [0.5, 0.1]\n", "[l1] `low <= high` must hold, but got low=0.5, high=0.1"),
    ("[d]\nsample = [5, 1]\n", "[d] `low <= high` must hold, but got low=5, high=1"),
    ("[r]\nloguniform = [0, 1]\n", "[r] `0 < low <= high` must hold, but got low=0.0"),
    ("[b]\nrbeta = [0, 1]\n", "[b] shapes must be > 0, but got shape1=0.0, shape2=1.0"),
    ("[b]\nrbeta = [1, -2]\n", "[b] shapes must be > 0, but got shape1=1.0, shape2=-2.0"),
    (
        "[c]\nchoice = []\n",
        '[c] choice must list one value or more (choice = ["a", "b"]), but got []',
    ),
    ("[s]\nsample = [1, 10]\nstep = 4\n", "[s] `high` must be `low` plus a whole number of steps"),
    ("[s]\nrunif = [0, 1]\nstep = 0.3\n", "[s] `high` must be `low` plus a whole number of steps"),
    ("[s]\nsample = [1, 9]\nstep = 2\nlog = true\n", "[s] sample takes step or log = true"),
    (
        "[s]\nrunif = [0, 1]\nlog = true\n",
        "[s] runif does not take 'log' (it takes per_layer, step)",
    ),
    ("[s]\nrunif = [0, 1, 2]\n", "[s] runif must be two numbers [a, b], but got runif = [0, 1, 2]"),
    ('[m]\nmean = "x"\n', "[m] mean must name an earlier numeric entry, but got mean = 'x'"),
    ("l1 = 3\n", "[l1] must be a table with one distribution"),
    ("", "the space has no entry"),
    ("[seed]\nvalue = 1\n", "parameter name 'seed' is reserved"),
    ("this is not toml\n", "is not a TOML or JSON space file (TOML: Expected '='"),
]


@pytest.mark.parametrize("text, message", BAD_FILES)
def test_a_bad_space_file_is_one_line_naming_the_entry(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(UserInputError) as refused:
        read_space_file(path)
    assert str(refused.value).startswith(f"{path}: ") or "is not a TOML" in str(refused.value)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_json_and_unknown_formats_are_refused_in_one_line(tmp_path):
    (tmp_path / "bad.json").write_text('{"a": ')
    (tmp_path / "bad.yaml").write_text("a: {sample: [1, 2]}\n")
    (tmp_path / "list.json").write_text("[1, 2]")
    for name, message in [
        ("bad.json", "is not a TOML or JSON space file (JSON: Expecting value"),
        ("bad.yaml", "(TOML: Expected '='"),
        ("list.json", "a space file holds one table per entry"),
        ("missing.toml", "does not exist"),
    ]:
        with pytest.raises(UserInputError, match=message.replace("(", r"\(")):
            read_space_file(tmp_path / name)


def test_space_shows_three_draws_and_prints_r(capsys):
    assert main(["space", str(SPACES / "gbm.toml")]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.endswith("a valid space of 7 entries; its draws for seeds 1, 2, 3:")
    space = read_space_file(SPACES / "gbm.toml")
    assert [json.loads(line) for line in lines] == [
        {"seed": seed, **space.sample(seed)} for seed in (1, 2, 3)
    ]
    assert main(["space", str(SPACES / "gbm.toml"), "--to-r"]) == 0
    assert capsys.readouterr().out == space_to_r(space, source=str(SPACES / "gbm.toml"))


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["space"], "give a space FILE or --lecture (one of them)"),
        (["space", "{gbm}", "--lecture"], "give a space FILE or --lecture (one of them)"),
        (["space", "{bad}"], "bad.toml: [x] unknown distribution 'rnorm'"),
        (["space", "{gbm}", "--seeds", "2147483648"], "--seeds must be an integer in"),
        (["space", "{gbm}", "--algorithm", "gbm", "--seeds", "1"], None),
        (["space", "{gbm}", "--algorithm", "glm"], "unknown parameter 'ntrees' for glm"),
        (["random", "--space", "{bad}", "--seeds", "1"], "bad.toml: [x] unknown distribution"),
        (["search", "--space", "{bad}", "--n-runs", "2"], "bad.toml: [x] unknown distribution"),
        (["random", "--algorithm", "gbm", "--seeds", "1"], "--algorithm gbm needs its own --space"),
        (
            ["random", "--space", "{gbm}", "--seeds", "1"],
            "'ntrees' is a parameter of gbm, xgboost, drf: choose one with --algorithm",
        ),
        (
            ["random", "--algorithm", "gbm", "--space", "{gbm}", "--seeds", "1", "--epochs", "2"],
            "--epochs is for deeplearning; a gbm model's length is one of its parameters",
        ),
        (
            ["random", "--algorithm", "drf", "--space", "{gbm}", "--seeds", "1"],
            "unknown parameter 'learn_rate' for drf",
        ),
        (
            ["grid", "--algorithm", "gbm", "--param", "max_dpeth=2"],
            "unknown parameter 'max_dpeth' for gbm (did you mean 'max_depth'?)",
        ),
        (
            ["grid", "--algorithm", "gbm", "--param", "ntrees=2", "--not-reproducible"],
            "--not-reproducible is for deeplearning; gbm models with a seed are reproducible",
        ),
        (
            ["grid", "--algorithm", "gbm", "--param", "max_depth=1.5"],
            "parameter 'max_depth' cannot be 1.5: H2O takes whole numbers here (in a space, "
            "sample = [lo, hi] draws them)",
        ),
        (
            ["random", "--space", "{hidden}", "--seeds", "1"],
            "parameter 'hidden' takes a list of layer sizes, but got 1",
        ),
        (["random", "--algorithm", "lightgbm", "--seeds", "1"], "invalid choice: 'lightgbm'"),
    ],
)
def test_space_and_algorithm_mistakes_are_one_line_with_status_2(
    tmp_path, capsys, arguments, message
):
    (tmp_path / "bad.toml").write_text("[x]\nrnorm = [0, 1]\n")
    (tmp_path / "hidden.toml").write_text("[hidden]\nsample = [1, 5]\n")
    files = {
        "gbm": str(SPACES / "gbm.toml"),
        **{n: str(tmp_path / f"{n}.toml") for n in ("bad", "hidden")},
    }
    arguments = [a.format(**files) for a in arguments]
    if arguments[0] in ("random", "grid", "search"):
        arguments += ["--out", str(tmp_path / "out")]
    before = sorted(tmp_path.rglob("*"))
    status = _run(arguments)
    captured = capsys.readouterr()
    if message is None:
        assert status == 0, captured.err
        return
    assert status == 2, captured.err
    assert captured.err.count("\n") == 1 and message in captured.err, captured.err
    assert sorted(tmp_path.rglob("*")) == before


def _run(arguments: list[str]) -> int:
    """The command in this process; argparse's own refusals exit instead of returning."""
    try:
        return main(arguments)
    except SystemExit as exit_:
        return int(exit_.code)


@pytest.mark.parametrize(
    "algorithm, file",
    [
        ("deeplearning", "lecture.toml"),
        ("gbm", "gbm.toml"),
        ("xgboost", "xgboost.toml"),
        ("drf", None),
        ("glm", None),
    ],
)
def test_space_checks_a_file_against_each_algorithms_estimator(tmp_path, capsys, algorithm, file):
    """Each algorithm's own names pass; a name the estimator lacks is refused in one line."""
    own = {"drf": "[ntrees]\nsample = [2, 4]\n", "glm": "[alpha]\nrunif = [0, 1]\n"}
    path = SPACES / file if file else tmp_path / f"{algorithm}.toml"
    if file is None:
        path.write_text(own[algorithm])
    assert main(["space", str(path), "--algorithm", algorithm]) == 0
    assert capsys.readouterr().out.count("\n") == 4  # the header and three draws
    (tmp_path / "alien.toml").write_text("[no_such_parameter]\nvalue = 1\n")
    assert _run(["space", str(tmp_path / "alien.toml"), "--algorithm", algorithm]) == 2
    refused = capsys.readouterr().err
    assert refused.count("\n") == 1 and "unknown parameter 'no_such_parameter'" in refused
    assert algorithm in refused or "H2ODeepLearningEstimator" in refused

"""Space: draws equal the R calls they stand for, validation messages, JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h2osweep.errors import UserInputError
from h2osweep.space import (
    LECTURE_SPACE,
    Beta,
    Choice,
    Fixed,
    IntRange,
    Mean,
    PerLayer,
    RRandom,
    Space,
    Sum,
    Uniform,
    sample_params,
)

LECTURE_FINGERPRINT = "aea30dd83fdc139896ff60f20974cba604d271ffe137db80c4e2b7b17257ec4b"


def test_sample_params_seed_403_is_rs():
    p = sample_params(403)
    assert list(p) == [
        "name",
        "seed",
        "depth",
        "l1",
        "l2",
        "input_dropout",
        "rho",
        "epsilon",
        "neurons",
        "hidden_dropout",
        "SumNeurons",
        "MeanHiddenDropout",
    ]
    assert (p["name"], p["seed"], p["depth"]) == ("m_403", 403, 4)
    assert p["neurons"] == [389, 594, 348, 32]
    assert p["l1"] == 0.0022512068599462509
    assert p["SumNeurons"] == 1363


def test_lecture_space_draws_are_the_r_calls_in_order():
    rng = RRandom(77)
    depth = int(rng.sample(range(1, 6), 1)[0])
    want = {
        "depth": depth,
        "l1": rng.runif(1, 0, 0.01)[0],
        "l2": rng.runif(1, 0, 0.01)[0],
        "input_dropout": rng.rbeta(1, 1, 12)[0],
        "rho": rng.runif(1, 0.9, 0.999)[0],
        "epsilon": rng.runif(1, 1e-10, 1e-4)[0],
        "neurons": rng.sample(range(20, 601), depth, True).tolist(),
        "hidden_dropout": (rng.rbeta(depth, 1.5, 1) / 2).tolist(),
    }
    got = LECTURE_SPACE.sample(77)
    assert {k: got[k] for k in want} == want
    assert got["SumNeurons"] == sum(want["neurons"])


def test_choice_fixed_and_fixed_length_draw_like_r():
    space = Space(
        {
            "activation": Choice(["Rectifier", "Tanh", "Maxout"]),
            "epochs": Fixed(100),
            "layers": Fixed(3),
            "hidden": PerLayer(Choice([50, 100, 200]), length="layers"),
            "rate": Uniform(0.001, 0.01),
        }
    )
    rng = RRandom(9)
    activation = ["Rectifier", "Tanh", "Maxout"][int(rng.sample(3, 1)[0]) - 1]
    hidden = [[50, 100, 200][i - 1] for i in rng.sample(3, 3, True)]
    rate = rng.runif(1, 0.001, 0.01)[0]
    want = {"activation": activation, "epochs": 100, "layers": 3, "hidden": hidden, "rate": rate}
    assert space.sample(9) == want


def test_mean_is_rs_long_double_mean():
    # R: sprintf("%.17g", mean(c(0.1, 0.2, 0.7)))  -> 0.33333333333333331
    space = Space(x=Fixed(3), v=PerLayer(Fixed(0.1), "x"), m=Mean("v"))
    assert space.sample(1)["m"] == 0.1
    assert Mean("v").compute([0.1, 0.2, 0.7]) == 0.33333333333333331


def test_json_round_trip_and_fingerprint_are_stable():
    text = LECTURE_SPACE.to_json()
    assert Space.from_json(text) == LECTURE_SPACE
    assert LECTURE_SPACE.fingerprint() == LECTURE_FINGERPRINT
    assert Space.from_json(text).fingerprint() == LECTURE_FINGERPRINT


def test_different_spaces_differ():
    other = Space(dict(LECTURE_SPACE.items()), l1=Uniform(0.0, 0.02))
    assert other != LECTURE_SPACE
    assert other.fingerprint() != LECTURE_FINGERPRINT
    assert Beta(1.5, 1, divisor=2) == Beta(1.5, 1.0, 2.0)
    assert Beta(1.5, 1, divisor=2) != Beta(1.5, 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Uniform(0.5, 0.1), "Uniform: `low <= high` must hold, but got low=0.5, high=0.1"),
        (lambda: IntRange(5, 1), "IntRange: `low <= high` must hold, but got low=5, high=1"),
        (lambda: IntRange(1.5, 3), "IntRange: `low` must be an integer, but got low=1.5"),
        (lambda: Beta(0, 1), "Beta: shapes must be > 0, but got shape1=0.0, shape2=1.0"),
        (lambda: Beta(1, -2), "Beta: shapes must be > 0, but got shape1=1.0, shape2=-2.0"),
        (lambda: Beta(1, float("nan")), "Beta: `shape2` must be a finite number"),
        (lambda: Beta(1, 1, divisor=0), "Beta: `divisor != 0` must hold"),
        (lambda: Choice([]), "Choice: `values` must hold at least one value, but got none"),
        (lambda: Choice("abc"), "Choice: `values` must be a list"),
        (lambda: Fixed({"a": 1}), "Fixed: values must be str, int, float, bool or None"),
    ],
)
def test_distributions_validate_themselves(make, message):
    with pytest.raises(UserInputError) as err:
        make()
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n": PerLayer(IntRange(1, 3), "depth")}, "PerLayer 'n': `length` must name an earlier"),
        (
            {"depth": Uniform(1, 5), "n": PerLayer(IntRange(1, 3), "depth")},
            "PerLayer 'n': `length` must name an earlier",
        ),
        (
            {"depth": IntRange(-1, 5), "n": PerLayer(IntRange(1, 3), "depth")},
            "PerLayer 'n': `length` must name an earlier IntRange (low >= 0)",
        ),
        ({"s": Sum("neurons")}, "Sum 's': `of` must name an earlier numeric draw"),
        ({"a": Choice(["x", "y"]), "m": Mean("a")}, "Mean 'm': `of` must name an earlier"),
        ({"seed": Fixed(1)}, "parameter name 'seed' is reserved"),
        ({"x": 3}, "parameter 'x' must be a distribution"),
    ],
)
def test_space_validates_names_and_references(params, message):
    with pytest.raises(UserInputError) as err:
        Space(params)
    assert str(err.value).startswith(message)


def test_json_errors_name_the_parameter():
    data = LECTURE_SPACE.to_dict()
    data["params"][1]["high"] = -1.0
    with pytest.raises(UserInputError) as err:
        Space.from_json(json.dumps(data))
    assert str(err.value) == "Uniform 'l1': `low <= high` must hold, but got low=0.0, high=-1.0"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "space JSON cannot be parsed"),
        ('{"params": []}', "not an h2osweep space"),
        (
            '{"h2osweep_space": 1, "params": [{"name": "a", "type": "Normal"}]}',
            "unknown distribution type 'Normal'",
        ),
    ],
)
def test_bad_json_is_refused(text, message):
    with pytest.raises(UserInputError, match=message):
        Space.from_json(text)


finite = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def spaces(draw):
    """Random valid spaces of every entry type."""
    low, width = draw(finite), draw(st.floats(0, 1e6))
    lo_int = draw(st.integers(0, 5))
    params = {
        "depth": IntRange(lo_int, lo_int + draw(st.integers(0, 4))),
        "u": Uniform(low, low + width),
        "b": Beta(
            draw(st.floats(0.05, 20)),
            draw(st.floats(0.05, 20)),
            draw(st.sampled_from([1.0, 2.0, 3.0])),
        ),
        "c": Choice(
            draw(st.lists(st.one_of(st.integers(), st.text(max_size=5)), min_size=1, max_size=4))
        ),
        "f": Fixed(draw(st.one_of(st.none(), st.booleans(), finite, st.text(max_size=5)))),
        "layers": PerLayer(Uniform(low, low + width), "depth"),
        "total": Sum("layers"),
    }
    return Space(params)


@settings(max_examples=60, deadline=None)
@given(spaces(), st.integers(-2147483647, 2147483647))
def test_any_space_round_trips_and_draws_within_bounds(space, seed):
    again = Space.from_json(space.to_json())
    assert again == space
    assert again.fingerprint() == space.fingerprint()
    drawn = space.sample(seed)
    assert again.sample(seed) == drawn
    assert space["depth"].low <= drawn["depth"] <= space["depth"].high
    assert len(drawn["layers"]) == drawn["depth"]
    assert space["u"].low <= drawn["u"] <= space["u"].high
    assert 0 <= drawn["b"] * space["b"].divisor <= 1
    assert drawn["c"] in space["c"].values
    assert np.isfinite(drawn["total"])


def test_int_and_float_choices_are_different_spaces():
    ints, floats = Space(c=Choice([1, 2])), Space(c=Choice([1.0, 2.0]))
    assert ints != floats
    assert ints.fingerprint() != floats.fingerprint()
    assert Space.from_json(floats.to_json()).sample(3) == {"c": floats.sample(3)["c"]}
    assert isinstance(floats.sample(3)["c"], float)

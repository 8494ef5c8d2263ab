"""RRandom: seeding, stream continuity, R's guarantees (property tests) and R's refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h2osweep.errors import UserInputError
from h2osweep.space import RRandom, check_seed, scramble_seed
from h2osweep.space import rng as rng_module

seeds = st.integers(-2147483647, 2147483647)
counts = st.integers(0, 300)
shapes = st.floats(0.05, 30.0)


def test_seed_403_first_draws_are_rs():
    # R: set.seed(403); sprintf("%.17g", runif(3))
    assert RRandom(403).runif(3).tolist() == [
        0.43588154739700258,
        0.3045039027929306,
        0.22512068599462509,
    ]


def test_scramble_seed_first_word_is_rs():
    # R: set.seed(403); .Random.seed[3]
    assert int(scramble_seed(403)[0].astype(np.int32)) == 1019711583


@pytest.mark.parametrize("bad", [1.5, 3.0, "7", None, True, 2147483648, -2147483648])
def test_bad_seeds_are_refused(bad):
    with pytest.raises(UserInputError, match=r"seed must be an integer in \[-2147483647, "):
        RRandom(bad)


def test_numpy_integer_seed_is_accepted():
    assert check_seed(np.int64(-5)) == -5
    assert RRandom(np.int32(7)).runif(2).tolist() == RRandom(7).runif(2).tolist()


@settings(max_examples=50, deadline=None)
@given(seeds, counts, counts)
def test_runif_calls_continue_one_stream(seed, k, m):
    split = RRandom(seed)
    parts = np.concatenate((split.runif(k), split.runif(m)))
    np.testing.assert_array_equal(parts, RRandom(seed).runif(k + m))


@settings(max_examples=50, deadline=None)
@given(seeds, counts, st.floats(-1e6, 1e6), st.floats(0, 1e6))
def test_runif_stays_within_bounds(seed, n, low, width):
    x = RRandom(seed).runif(n, low, low + width)
    assert ((x >= low) & (x <= low + width)).all()


def test_runif_with_equal_bounds_consumes_nothing():
    rng = RRandom(11)
    assert rng.runif(4, 2.5, 2.5).tolist() == [2.5] * 4
    assert rng.runif(3).tolist() == RRandom(11).runif(3).tolist()


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(0, 60), st.integers(0, 60), shapes, shapes)
def test_rbeta_calls_continue_one_stream(seed, k, m, a, b):
    split = RRandom(seed)
    parts = np.concatenate((split.rbeta(k, a, b), split.rbeta(m, a, b), split.runif(2)))
    whole = RRandom(seed)
    joined = np.concatenate((whole.rbeta(k + m, a, b), whole.runif(2)))
    np.testing.assert_array_equal(parts, joined)


@settings(max_examples=40, deadline=None)
@given(seeds, counts, shapes, shapes)
def test_rbeta_lies_in_unit_interval(seed, n, a, b):
    x = RRandom(seed).rbeta(n, a, b)
    assert x.shape == (n,)
    assert ((x >= 0) & (x <= 1)).all()


def test_rbeta_mean_is_close_to_theory_in_both_branches():
    for a, b in [(0.5, 0.7), (2.0, 3.0), (1.0, 12.0)]:
        x = RRandom(1).rbeta(20000, a, b)
        assert abs(x.mean() - a / (a + b)) < 0.01


@settings(max_examples=50, deadline=None)
@given(seeds, st.integers(1, 2000), st.data())
def test_sample_without_replacement_has_no_repeats(seed, n, data):
    size = data.draw(st.integers(0, n))
    x = RRandom(seed).sample(n, size)
    assert len(set(x.tolist())) == size
    assert ((x >= 1) & (x <= n)).all()


@settings(max_examples=30, deadline=None)
@given(seeds, st.integers(1, 300))
def test_sample_of_a_number_is_a_permutation(seed, n):
    assert sorted(RRandom(seed).sample(n).tolist()) == list(range(1, n + 1))


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(1, 70000), counts, counts)
def test_sample_with_replacement_continues_one_stream(seed, n, k, m):
    split = RRandom(seed)
    parts = np.concatenate((split.sample(n, k, True), split.sample(n, m, True)))
    joined = RRandom(seed).sample(n, k + m, True)
    np.testing.assert_array_equal(parts, joined)
    assert ((joined >= 1) & (joined <= n)).all()


def test_sample_of_a_vector_returns_its_elements():
    x = RRandom(3).sample(["a", "b", "c"], 10, replace=True)
    assert set(x.tolist()) <= {"a", "b", "c"}
    assert x.size == 10


def test_sample_of_one_value_vector_draws_it():
    assert RRandom(3).sample(["only"], 2, replace=True).tolist() == ["only", "only"]


def test_sample_larger_than_population_is_refused_with_the_values():
    with pytest.raises(UserInputError) as err:
        RRandom(1).sample(5, 7)
    assert str(err.value) == (
        "cannot take a sample larger than the population when 'replace = FALSE' "
        "(size=7, population=5)"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.rbeta(3, -1, 2), r"rbeta needs shapes >= 0, but got shape1=-1, shape2=2"),
        (lambda r: r.rbeta(3, math.nan, 2), r"`shape1` must not be NA/NaN"),
        (lambda r: r.runif(3, 2, 1), r"runif needs finite `min <= max`, but got min=2, max=1"),
        (lambda r: r.runif(3, 0, math.inf), r"runif needs finite `min <= max`"),
        (lambda r: r.runif(-1), r"`n` must be a non-negative integer, but got -1"),
        (lambda r: r.sample(5, -2), r"`size` must be a non-negative integer, but got -2"),
        (lambda r: r.sample([], 1), r"population size must be .* but got n=0, size=1"),
        (lambda r: r.sample_int(math.nan), r"`n` must not be NA/NaN"),
    ],
)
def test_what_r_rejects_is_refused(call, message):
    with pytest.raises(UserInputError, match=message):
        call(RRandom(1))


def test_random_seed_tracks_consumption():
    rng = RRandom(5)
    assert rng.random_seed[1] == 624
    rng.runif(10)
    assert rng.random_seed[1] == 10
    rng.sample(10)  # one 16-bit chunk per attempt
    assert rng.random_seed[1] > 19


@pytest.mark.parametrize(
    ("a", "b"), [(2.0, 3.0), (0.5, 0.7), (1.0, 12.0), (0.01, 0.02), (900.0, 0.03), (1e-3, 800.0)]
)
def test_rbeta_is_the_same_with_math_or_numpy_log_exp(monkeypatch, a, b):
    with_numpy = RRandom(8).rbeta(3000, a, b)
    monkeypatch.setattr(rng_module, "numpy_matches_libm", lambda: False)
    with_math = RRandom(8).rbeta(3000, a, b)
    np.testing.assert_array_equal(with_math, with_numpy)


def test_extreme_shapes_do_not_raise():
    x = RRandom(2).rbeta(500, 1e-3, 1e-3)
    assert ((x >= 0) & (x <= 1)).all()

"""The facet plot's smoother: loess below 1,000 points, a spline above, a line when loess fails."""

import numpy as np
import pytest

from h2osweep.analysis.smooth import smooth_curve


def test_loess_below_a_thousand_points():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 300)
    curve = smooth_curve(x, np.sin(3 * x) + rng.normal(0, 0.1, 300))
    assert len(curve) == 80 and set(curve["method"]) == {"loess"}
    assert np.abs(curve["fit"] - np.sin(3 * curve["x"])).max() < 0.1
    assert (curve["upper"] > curve["lower"]).all()


def test_spline_at_a_thousand_points():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 1000)
    curve = smooth_curve(x, x**2 + rng.normal(0, 0.05, 1000))
    assert set(curve["method"]) == {"gam"}
    assert np.abs(curve["fit"] - curve["x"] ** 2).max() < 0.05


@pytest.mark.parametrize("values", [[1, 2, 3], [16, 32, 128]])
def test_few_distinct_values_fall_back_to_a_line(values):
    x = np.array(values * 4, dtype=float)
    y = x * 2 + np.arange(len(x)) % 2
    curve = smooth_curve(x, y)
    assert set(curve["method"]) == {"lm (loess singular)"}
    assert curve["fit"].iloc[-1] > curve["fit"].iloc[0]


def test_tiny_samples_do_not_hang_and_constant_x_gives_nothing():
    x = np.array([1.0, 2.0, 4.0, 5.0, 7.0, 8.0])
    assert len(smooth_curve(x, np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0]))) == 80
    assert smooth_curve(np.ones(5), np.arange(5.0)).empty

"""The search space: R-exact random draws (`RRandom`), the entries a space is made of, `Space`
itself, grids (`expand_grid`) and the lecture's space."""

from h2osweep.space.distributions import (
    Beta,
    Choice,
    Derived,
    Distribution,
    Fixed,
    IntRange,
    Mean,
    PerLayer,
    SpaceError,
    Sum,
    Uniform,
)
from h2osweep.space.grid import expand_grid
from h2osweep.space.lecture import LECTURE_SPACE, run_name, sample_params
from h2osweep.space.rng import RRandom, check_seed, scramble_seed
from h2osweep.space.space import Space

__all__ = [
    "LECTURE_SPACE",
    "Beta",
    "Choice",
    "Derived",
    "Distribution",
    "Fixed",
    "IntRange",
    "Mean",
    "PerLayer",
    "RRandom",
    "Space",
    "SpaceError",
    "Sum",
    "Uniform",
    "check_seed",
    "expand_grid",
    "run_name",
    "sample_params",
    "scramble_seed",
]

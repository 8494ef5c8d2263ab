"""Sampling: R-exact random draws (`RRandom`), grids (`expand_grid`) and search spaces."""

from h2osweep.sampling.grid import expand_grid
from h2osweep.sampling.lecture import LECTURE_SPACE, run_name, sample_params
from h2osweep.sampling.rng import RRandom, check_seed, scramble_seed
from h2osweep.sampling.space import (
    Beta,
    Choice,
    Derived,
    Distribution,
    Fixed,
    IntRange,
    Mean,
    PerLayer,
    Space,
    SpaceError,
    Sum,
    Uniform,
)

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

"""The search space: R-exact random draws (`RRandom`), the entries a space is made of, `Space`
itself, space files (TOML/JSON) and their R code, grids (`expand_grid`) and the lecture's space."""

from h2osweep.space.distributions import (
    Beta,
    Choice,
    Derived,
    Distribution,
    Fixed,
    IntRange,
    LogIntRange,
    LogUniform,
    Mean,
    PerLayer,
    SpaceError,
    SteppedIntRange,
    SteppedUniform,
    Sum,
    Uniform,
)
from h2osweep.space.grid import expand_grid
from h2osweep.space.lecture import LECTURE_SPACE, run_name, sample_params
from h2osweep.space.rcode import space_to_r
from h2osweep.space.rng import RRandom, check_seed, scramble_seed
from h2osweep.space.space import Space
from h2osweep.space.space_file import read_space_file, space_from_tables, space_to_toml

__all__ = [
    "LECTURE_SPACE",
    "Beta",
    "Choice",
    "Derived",
    "Distribution",
    "Fixed",
    "IntRange",
    "LogIntRange",
    "LogUniform",
    "Mean",
    "PerLayer",
    "RRandom",
    "Space",
    "SpaceError",
    "SteppedIntRange",
    "SteppedUniform",
    "Sum",
    "Uniform",
    "check_seed",
    "expand_grid",
    "read_space_file",
    "run_name",
    "sample_params",
    "scramble_seed",
    "space_from_tables",
    "space_to_r",
    "space_to_toml",
]

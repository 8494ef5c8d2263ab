"""What a sweep will train: the runs of a grid or of a list of R seeds, and the definition that
identifies the sweep (a folder only resumes a sweep with the same definition)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from h2osweep.errors import UserInputError
from h2osweep.sampling import LECTURE_SPACE, Space, sample_params
from h2osweep.sampling.rng import check_seed
from h2osweep.training.parameters import check_keys, validate_config
from h2osweep.training.runs import RunResult, RunSpec


@dataclass
class Plan:
    """The runs of one sweep and the space they come from (as JSON-able data).

    The engine asks `pending()` for the runs still to train (pulled one at a time, when a build
    slot frees up) and reports each finished run to `observe()`; a model-based search overrides
    both to propose runs from the results so far.
    """

    strategy: str
    runs: list[RunSpec]
    space: dict

    fixed_in_advance = True  # every run is known before training (a model-based search: False)

    @property
    def size(self) -> int:
        """How many runs the sweep has in all (finished ones included)."""
        return len(self.runs)

    def done(self, finished: set[str]) -> int:
        """How many of this plan's runs are among the finished ones."""
        return sum(run.name in finished for run in self.runs)

    def pending(self, finished: set[str]) -> Iterable[RunSpec]:
        """The runs not finished yet, in plan order."""
        return [run for run in self.runs if run.name not in finished]

    def observe(self, result: RunResult) -> None:
        """A run has ended and is stored (nothing to learn for a grid or random search)."""

    def definition(self, training: dict, data: dict) -> dict:
        """Everything that makes two sweeps comparable: strategy, space, training, data."""
        return {"strategy": self.strategy, "space": self.space, "training": training, "data": data}


def random_plan(seeds, space: Space = LECTURE_SPACE) -> Plan:
    """The lecture's random search: one run per R seed, named `m_<seed>`, drawn as R would."""
    seeds = [check_seed(seed) for seed in seeds]
    if not seeds:
        raise UserInputError("a random search needs at least one seed")
    repeated = sorted({seed for seed in seeds if seeds.count(seed) > 1})
    if repeated:
        raise UserInputError(f"each seed may appear once, but {repeated} appear more than once")
    check_keys(space)
    runs = []
    for position, seed in enumerate(seeds):
        config = sample_params(seed, space)
        runs.append(RunSpec(config.pop("name"), config, seed=config.pop("seed"), position=position))
    return Plan("random", runs, space.to_dict())


def seeds_from_count(count: int, first_seed: int) -> list[int]:
    """`count` consecutive seeds from `first_seed` (what --n-runs/--first-seed mean)."""
    if count < 1:
        raise UserInputError(f"--n-runs must be at least 1, but got {count}")
    last = check_seed(first_seed) + count - 1
    check_seed(last)
    return list(range(first_seed, last + 1))


def grid_plan(grid: pd.DataFrame) -> Plan:
    """One run per row of an expand_grid frame, named `g_<row>` (1-based, as R numbers rows)."""
    if grid.empty or grid.shape[1] == 0:
        raise UserInputError("the grid is empty: give at least one --param NAME=VALUES")
    check_keys(grid.columns)
    runs = [
        RunSpec(f"g_{position + 1}", _plain_row(row), position=position)
        for position, row in enumerate(grid.to_dict(orient="records"))
    ]
    for run in runs:
        validate_config(run.config)
    columns = {column: _distinct(grid[column]) for column in grid.columns}
    return Plan("grid", runs, {"grid": columns})


def definition_id(definition: dict) -> str:
    """A short stable hash of a definition (used to name a sweep's models on the cluster)."""
    text = json.dumps(definition, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _plain_row(row: dict) -> dict:
    return {key: value.item() if hasattr(value, "item") else value for key, value in row.items()}


def _distinct(column: pd.Series) -> list:
    """The column's distinct values in order of appearance (lists allowed, as for `hidden`)."""
    seen: dict[str, object] = {}
    for value in column:
        value = value.item() if hasattr(value, "item") else value
        seen.setdefault(json.dumps(value, sort_keys=True, default=str), value)
    return list(seen.values())

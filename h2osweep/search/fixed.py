"""Searches whose runs are known before training starts: a grid (one run per row of an
`expand_grid` frame) and the lecture's random search (one run per R seed, drawn as R would)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from h2osweep.errors import UserInputError
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunSpec, value_text
from h2osweep.search.base import SearchContext, Strategy
from h2osweep.space import LECTURE_SPACE, Space, sample_params
from h2osweep.training.algorithms import DEEPLEARNING
from h2osweep.training.parameters import check_keys, validate_config, validate_values
from h2osweep.validation import R_SEED_LIMIT, check_int, check_r_seed, invalid


class FixedPlan(Strategy):
    """The runs of a grid or a random search, trained in plan order; a resume skips the runs
    stored `ok` and tries failed ones again."""

    known_in_advance = True

    def __init__(self, kind: str, runs: list[RunSpec], space: dict) -> None:
        self.kind = kind
        self.runs = runs
        self.space = space  # JSON-ready: a Space's to_dict(), or {"grid": {column: values}}
        self._pending: deque[RunSpec] = deque(runs)  # popped from the left, O(1) per ask
        self._ended = 0

    def describe(self, objective: Objective) -> dict:
        return {"space": self.space}

    def start(self, context: SearchContext) -> None:
        finished = {run.name for run in context.stored if run.ok}
        placed = placed_after(self.runs, {run.name: run.position for run in context.stored})
        self._pending = deque(run for run in placed if run.name not in finished)
        self._ended = len(self.runs) - len(self._pending)

    def ask(self) -> RunSpec | None:
        return self._pending.popleft() if self._pending else None

    def is_done(self) -> bool:
        return not self._pending

    @property
    def total(self) -> int:
        return len(self.runs)

    @property
    def ended(self) -> int:
        return self._ended

    def already_done(self, finished: set[str]) -> bool:
        return all(run.name in finished for run in self.runs)

    def example_runs(self) -> list[RunSpec]:
        return self.runs

    def parameter_values(self) -> dict[str, list]:
        values: dict[str, dict[str, object]] = {}
        for run in self.runs:
            for key, value in run.config.items():
                values.setdefault(key, {})[value_text(value)] = value
        return {key: list(distinct.values()) for key, distinct in values.items()}


def placed_after(runs: list[RunSpec], stored: dict[str, int]) -> list[RunSpec]:
    """The runs at positions that keep a folder's order: as planned when every stored run is
    where this plan puts it (a resume), else stored runs where they are and the new ones after
    them (runs added to a sweep, `random --seeds 403 10` then `--n-runs 50`)."""
    planned = {run.name: run.position for run in runs}
    if all(planned.get(name) == position for name, position in stored.items()):
        return runs
    after = itertools.count(max(stored.values(), default=-1) + 1)
    return [
        replace(run, position=stored[run.name] if run.name in stored else next(after))
        for run in runs
    ]


MAX_GRID_ROWS = 1_000_000  # the largest grid `h2osweep grid` plans (each row is one model)


def random_plan(seeds, space: Space = LECTURE_SPACE, algorithm: str = DEEPLEARNING) -> FixedPlan:
    """A random search: one run per R seed, named `m_<seed>`, drawn as R would (the lecture's
    space by default)."""
    if isinstance(seeds, str) or not isinstance(seeds, Iterable):
        raise invalid("seeds", "a list of R seeds (integers), e.g. range(1, 41)", seeds)
    seeds = [check_r_seed("seeds", seed) for seed in seeds]
    if not seeds:
        raise UserInputError("a random search needs at least one seed")
    repeated = sorted({seed for seed in seeds if seeds.count(seed) > 1})
    if repeated:
        raise UserInputError(f"each seed may appear once, but {repeated} appear more than once")
    check_keys(space, algorithm)
    validate_values(space.examples(), algorithm)
    runs = []
    for position, seed in enumerate(seeds):
        config = sample_params(seed, space)
        runs.append(RunSpec(config.pop("name"), config, seed=config.pop("seed"), position=position))
    return FixedPlan("random", runs, space.to_dict())


def seeds_from_count(n_runs: int, first_seed: int) -> list[int]:
    """`n_runs` consecutive R seeds from `first_seed`."""
    check_int("n_runs", n_runs, low=1)
    last = check_r_seed("first_seed", first_seed) + n_runs - 1
    if last > R_SEED_LIMIT:
        raise UserInputError(
            f"{{first_seed}} {first_seed} and {{n_runs}} {n_runs} go past R's largest seed, "
            f"{R_SEED_LIMIT}",
            "first_seed",
            "n_runs",
        )
    return list(range(first_seed, last + 1))


def grid_plan(grid: pd.DataFrame, algorithm: str = DEEPLEARNING) -> FixedPlan:
    """One run per row of an expand_grid frame, named `g_<row>` (1-based, as R numbers rows)."""
    if grid.empty or grid.shape[1] == 0:
        raise UserInputError("the grid is empty: give at least one parameter and its values")
    check_keys(grid.columns, algorithm)
    runs = [
        RunSpec(f"g_{position + 1}", _plain_row(row), position=position)
        for position, row in enumerate(grid.to_dict(orient="records"))
    ]
    for run in runs:
        validate_config(run.config, algorithm)
    columns = {column: _distinct(grid[column]) for column in grid.columns}
    return FixedPlan("grid", runs, {"grid": columns})


def _plain_row(row: dict) -> dict:
    return {key: value.item() if hasattr(value, "item") else value for key, value in row.items()}


def _distinct(column: pd.Series) -> list:
    """The column's distinct values in order of appearance (lists allowed, as for `hidden`)."""
    seen: dict[str, object] = {}
    for value in column:
        value = value.item() if hasattr(value, "item") else value
        seen.setdefault(value_text(value), value)
    return list(seen.values())

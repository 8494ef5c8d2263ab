"""The protocol every search strategy follows, in the manner of optuna's samplers: the engine
asks for the next run when a build slot frees up, tells each finished result, and asks whether
the search is done; a strategy rebuilds its state from the runs already stored, so a resumed
sweep continues where it stopped.

A run carries its own budget and rung (`RunSpec.budget`, `RunSpec.rung`), so a strategy may
train a configuration to 1 epoch, learn from it, and later continue it to 3.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from h2osweep.errors import UserInputError
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunResult, RunSpec, StoredRun
from h2osweep.space import LECTURE_SPACE, Space, sample_params
from h2osweep.training.algorithms import DEEPLEARNING
from h2osweep.training.preflight import MAX_CHECKED, SPACE_DRAW


@dataclass(frozen=True)
class SearchContext:
    """What a strategy is started with: the sweep folder (for files of its own), the objective
    that ranks runs, a short id of the sweep's definition, and the runs already stored."""

    folder: Path
    objective: Objective
    sweep_id: str
    stored: list[StoredRun] = field(default_factory=list)


OPTUNA_KIND = "optuna-"  # an Optuna search's kind is this and its sampler: optuna-tpe, ...


class Strategy(ABC):
    """Proposes the runs of one sweep, learns each finished one, and says when it is done."""

    known_in_advance: ClassVar[bool] = False  # every run is known before training starts
    grows: ClassVar[bool] = False  # `total` is a floor that may rise as results come in (ASHA)

    kind: str  # the strategy's name in the folder's definition: grid, random, optuna-tpe, ...

    @abstractmethod
    def describe(self, objective: Objective) -> dict:
        """The strategy's part of the folder's definition (its space and settings): a resume
        with another description is refused."""

    @abstractmethod
    def start(self, context: SearchContext) -> None:
        """Restore the search from the runs already stored; called once, before the first ask."""

    @abstractmethod
    def ask(self) -> RunSpec | None:
        """The next run to start now, or None: nothing until a result is told (or done)."""

    def tell(self, result: RunResult) -> None:  # noqa: B027 - most strategies learn nothing
        """A run has ended and is stored."""

    def parameter_values(self) -> dict[str, list]:
        """Each parameter's values in this search (every value of a plan, or the bounds and
        choices of a space), which the engine checks against the cluster's model builder
        before any build starts; a strategy that gives none is not checked."""
        return {}

    def example_runs(self) -> Sequence[RunSpec]:
        """Runs this search would train (a plan's own, else draws of its space), which the
        engine asks the cluster's model builder about before any build; none: not asked."""
        return ()

    def already_done(self, finished: set[str]) -> bool:
        """Whether the named finished runs complete the search, known before it starts (lets a
        resume with nothing left skip H2O altogether); False when that cannot be known."""
        return False

    @abstractmethod
    def is_done(self) -> bool:
        """Whether every run of the search has been asked for."""

    @property
    @abstractmethod
    def total(self) -> int:
        """How many runs the search has in all, those already stored included."""

    @property
    @abstractmethod
    def ended(self) -> int:
        """How many of its runs were already stored when the search started."""


def space_for(algorithm: str, space: Space | None) -> Space:
    """The space a search draws from: the one given, else the lecture's (for deep learning)."""
    if space is not None:
        return space
    if algorithm != DEEPLEARNING:
        raise UserInputError(
            f"{{algorithm}} {algorithm} needs its own {{space}} FILE: the lecture's space is "
            "deep learning's (examples are in docs/spaces/)",
            "algorithm",
            "space",
        )
    return LECTURE_SPACE


def space_draws(space: Space, budgets: Sequence[float | None] = (None,)) -> list[RunSpec]:
    """R-exact draws of `space` (seeds 1, 2, ...) named `space_draw_<seed>`, alternating
    `budgets`: what a search that proposes from the space's ranges may train."""
    runs = []
    for seed in range(1, MAX_CHECKED + 1):
        config = sample_params(seed, space)
        del config["name"], config["seed"]
        budget = budgets[seed % len(budgets)]
        runs.append(RunSpec(f"{SPACE_DRAW}{seed}", config, seed=seed, budget=budget))
    return runs

"""The rungs of a multi-fidelity search: the budgets a configuration climbs (min, min*eta, ...,
max) and who may climb, by the selection metric of the rung below (the best 1/eta)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from h2osweep.errors import UserInputError
from h2osweep.record.goal import Goal
from h2osweep.validation import check_int, check_positive, invalid


@dataclass(frozen=True)
class Ladder:
    """Budgets `min_budget * eta**k` for k = 0.. while they stay below `max_budget`, then
    `max_budget` itself: the last rung always trains the full budget."""

    min_budget: float
    max_budget: float
    eta: int = 3

    def __post_init__(self) -> None:
        for name in ("min_budget", "max_budget"):
            check_whole_budget(name, getattr(self, name))
        check_int("eta", self.eta, low=2)
        if self.min_budget > self.max_budget:
            raise UserInputError(
                f"{{min_budget}} {self.min_budget:g} is above {{max_budget}} {self.max_budget:g}",
                "min_budget",
                "max_budget",
            )
        if self.min_budget == self.max_budget:
            raise UserInputError(
                f"{{min_budget}} equals {{max_budget}} ({self.max_budget:g}): a single rung "
                "leaves nothing to halve; give a lower {min_budget}, or run a random search at "
                "that budget",
                "min_budget",
                "max_budget",
            )

    @property
    def budgets(self) -> tuple[float, ...]:
        """The budget of each rung, lowest first."""
        steps = math.floor(math.log(self.max_budget / self.min_budget, self.eta) + 1e-9)
        budgets = [self.min_budget * self.eta**k for k in range(steps + 1)]
        if budgets[-1] < self.max_budget:
            budgets.append(self.max_budget)
        return tuple(float(b) for b in budgets)

    @property
    def top(self) -> int:
        """The index of the full-budget rung."""
        return len(self.budgets) - 1

    def describe(self) -> dict:
        return {"min_budget": self.min_budget, "max_budget": self.max_budget, "eta": self.eta}


def check_whole_budget(name: str, value: float) -> None:
    """A rung budget is a whole number of epochs or trees: reproducible H2O trains a fraction
    of an epoch up to a whole one, and the next rung could then not continue past it."""
    check_positive(name, value)
    if not float(value).is_integer():
        raise invalid(name, "a whole number (H2O trains whole epochs and trees)", value)


def survivors(values: dict[str, float], count: int, goal: Goal) -> list[str]:
    """The `count` best names by value (failed runs, NaN, never survive); ties by name order."""
    ranked = sorted(
        (name for name, value in values.items() if not math.isnan(value)),
        key=lambda name: (goal.loss(values[name]), list(values).index(name)),
    )
    return ranked[:count]


def promotable(values: dict[str, float], eta: int, goal: Goal) -> list[str]:
    """The best 1/eta of a rung's results so far, best first (ASHA's promotion rule)."""
    return survivors(values, len(values) // eta, goal)

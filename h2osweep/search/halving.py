"""Multi-fidelity search: successive halving (one bracket, synchronous rungs), Hyperband
(textbook brackets, one after another) and ASHA (asynchronous promotions), on one ladder of
budgets. A promoted run continues its configuration's model from the rung below (H2O's
`checkpoint=`), so a configuration that reaches the top rung is exactly the model a full-budget
run would have trained.

Each strategy's state is a function of the rung results: every rung result is a stored run
(name, rung), the strategy replays them, so a killed search resumes where it stopped and never
trains a stored rung again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from h2osweep.errors import UserInputError
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunResult, RunSpec
from h2osweep.search.base import SearchContext, Strategy, space_draws
from h2osweep.search.proposers import Proposer
from h2osweep.search.rungs import Ladder, promotable, survivors
from h2osweep.validation import check_int

STRATEGIES = ("sha", "hyperband", "asha")


@dataclass
class Rungs:
    """What a multi-fidelity search knows: each configuration's first run, the results per rung
    (NaN for a failed run), and the runs asked for and not yet told."""

    ladder: Ladder
    proposer: Proposer
    objective: Objective = field(default_factory=Objective)
    configs: dict[str, RunSpec] = field(default_factory=dict)
    results: dict[int, dict[str, float]] = field(default_factory=dict)
    asked: set[tuple[str, int]] = field(default_factory=set)

    def config(self, index: int) -> str:
        """Configuration `index` (proposed now unless the store already holds it)."""
        name = self.proposer.name(index)
        if name not in self.configs:
            config, seed = self.proposer.propose(index, self.history(), self.objective.goal)
            self.configs[name] = RunSpec(name, config, seed=seed, position=index)
        return name

    def run(self, name: str, rung: int) -> RunSpec:
        """The run that trains configuration `name` to `rung`, noted as asked."""
        self.asked.add((name, rung))
        budget, final = self.ladder.budgets[rung], rung == self.ladder.top
        climbs = rung > 0 and name in self.at(rung - 1)
        return replace(self.configs[name], rung=rung, budget=budget, final=final, climbs=climbs)

    def tell(self, name: str, rung: int, value: float) -> None:
        self.asked.discard((name, rung))
        self.results.setdefault(rung, {})[name] = value

    def at(self, rung: int) -> dict[str, float]:
        return self.results.get(rung, {})

    def present(self, name: str, rung: int) -> bool:
        """Whether the run of `name` at `rung` has a result or is in flight."""
        return name in self.at(rung) or (name, rung) in self.asked

    def history(self) -> dict[int, list[tuple[dict, float]]]:
        """(config, value) of every result, by rung."""
        return {
            rung: [(self.configs[n].config, v) for n, v in values.items()]
            for rung, values in self.results.items()
        }


class MultiFidelity(Strategy):
    """What SHA, Hyperband and ASHA share: the ladder, the proposer, the rungs and resuming."""

    def __init__(self, kind: str, ladder: Ladder, n_runs: int, proposer: Proposer) -> None:
        self.kind = kind
        self.n_runs = check_int("n_runs", n_runs, low=1)
        self.rungs = Rungs(ladder, proposer)
        self._ended = 0

    @property
    def ladder(self) -> Ladder:
        return self.rungs.ladder

    def describe(self, objective: Objective) -> dict:
        proposer = self.rungs.proposer
        fidelity = {"n_runs": self.n_runs, **self.ladder.describe(), **proposer.describe()}
        chooser = {"metric": objective.metric, "goal": str(objective.goal)}
        return {"space": proposer.space.to_dict(), "fidelity": fidelity, "promotion": chooser}

    def start(self, context: SearchContext) -> None:
        self.rungs.objective = context.objective
        for stored in context.stored:
            spec = RunSpec(stored.name, stored.config, seed=stored.seed, position=stored.position)
            self.rungs.configs.setdefault(stored.name, spec)
            self.rungs.tell(stored.name, stored.rung, context.objective.value(stored))
        self._ended = len(context.stored)

    def tell(self, result: RunResult) -> None:
        self.rungs.tell(result.name, result.spec.rung, self.rungs.objective.value(result))

    def parameter_values(self) -> dict[str, list]:
        return self.rungs.proposer.space.examples()

    def example_runs(self) -> list[RunSpec]:
        budgets = self.ladder.budgets
        return space_draws(self.rungs.proposer.space, (budgets[0], budgets[-1]))

    @property
    def ended(self) -> int:
        return self._ended


class SuccessiveHalving(MultiFidelity):
    """One bracket: `n_runs` configurations (indices from `first`) at rung `bottom`, the best
    1/eta of each complete rung promoted to the next, up to the full budget."""

    def __init__(
        self, ladder: Ladder, n_runs: int, proposer: Proposer, first: int = 0, bottom: int = 0
    ) -> None:
        super().__init__("sha", ladder, n_runs, proposer)
        check_bracket(ladder, n_runs, bottom)
        self.first, self.bottom = first, bottom

    @property
    def total(self) -> int:
        return bracket_runs(self.ladder, self.n_runs, self.bottom)

    def position(self) -> tuple[int, list[str]]:
        """The rung the bracket is at and its members there, replayed from the results."""
        members = [self.rungs.config(self.first + i) for i in range(self.n_runs)]
        rung = self.bottom
        while rung < self.ladder.top and all(n in self.rungs.at(rung) for n in members):
            values = {n: self.rungs.at(rung)[n] for n in members}
            members = survivors(values, len(members) // self.ladder.eta, self.rungs.objective.goal)
            rung += 1
        return rung, members

    def ask(self) -> RunSpec | None:
        rung, members = self.position()
        waiting = [n for n in members if not self.rungs.present(n, rung)]
        return self.rungs.run(waiting[0], rung) if waiting else None

    def is_done(self) -> bool:
        rung, members = self.position()
        return rung == self.ladder.top and all(n in self.rungs.at(rung) for n in members)


class Hyperband(MultiFidelity):
    """Textbook Hyperband: brackets of successive halving from the most exploratory (many
    configurations from the lowest budget) to plain full-budget runs, one after another."""

    def __init__(self, ladder: Ladder, n_runs: int, proposer: Proposer) -> None:
        super().__init__("hyperband", ladder, n_runs, proposer)
        check_hyperband(ladder, n_runs)
        self.brackets = []
        first = 0
        for size, bottom in hyperband_sizes(ladder, n_runs):
            bracket = SuccessiveHalving(ladder, size, proposer, first, bottom)
            bracket.rungs = self.rungs  # one record of every rung, shared by the brackets
            self.brackets.append(bracket)
            first += size

    @property
    def total(self) -> int:
        return sum(bracket.total for bracket in self.brackets)

    def ask(self) -> RunSpec | None:
        current = next((b for b in self.brackets if not b.is_done()), None)
        return current.ask() if current is not None else None

    def is_done(self) -> bool:
        return all(bracket.is_done() for bracket in self.brackets)


class Asha(MultiFidelity):
    """Asynchronous successive halving: whenever a slot is free, promote a configuration that
    is in the best 1/eta of its rung's results so far (highest rung first), else start a new
    configuration at the first rung; no slot waits for a rung to complete."""

    grows = True

    def __init__(self, ladder: Ladder, n_runs: int, proposer: Proposer) -> None:
        super().__init__("asha", ladder, n_runs, proposer)

    @property
    def total(self) -> int:
        """Synchronous halving's count, or more: ASHA may promote a run that a later rung
        result pushes out of the best 1/eta, so its count grows with what it has asked."""
        asked = sum(len(values) for values in self.rungs.results.values()) + len(self.rungs.asked)
        return max(bracket_runs(self.ladder, self.n_runs, 0), asked + (not self.is_done()))

    def ask(self) -> RunSpec | None:
        promotion = self.promotion()
        if promotion is not None:
            return self.rungs.run(*promotion)
        index = self.next_index()
        return self.rungs.run(self.rungs.config(index), 0) if index is not None else None

    def promotion(self) -> tuple[str, int] | None:
        """(configuration, rung) of the best promotion now open, highest rung first."""
        goal, eta = self.rungs.objective.goal, self.ladder.eta
        for rung in range(self.ladder.top - 1, -1, -1):
            for name in promotable(self.rungs.at(rung), eta, goal):
                if not self.rungs.present(name, rung + 1):
                    return name, rung + 1
        return None

    def next_index(self) -> int | None:
        """The first configuration index not yet at the first rung (None: all were started)."""
        for index in range(self.n_runs):
            if not self.rungs.present(self.rungs.proposer.name(index), 0):
                return index
        return None

    def is_done(self) -> bool:
        idle = not self.rungs.asked and self.next_index() is None
        return idle and self.promotion() is None


def check_bracket(ladder: Ladder, n_runs: int, bottom: int) -> None:
    """A bracket must bring at least one configuration to the top rung."""
    needed = ladder.eta ** (ladder.top - bottom)
    if n_runs < needed:
        raise UserInputError(
            f"a bracket of {n_runs} configuration(s) from {ladder.budgets[bottom]:g} to "
            f"{ladder.max_budget:g} with eta {ladder.eta} leaves fewer than one at the top: "
            f"give {{n_runs}} of at least {needed}",
            "n_runs",
        )


def check_hyperband(ladder: Ladder, n_runs: int) -> None:
    """Every Hyperband bracket must bring at least one configuration to the top rung: say the
    fewest configurations that do, not the bracket that fell short."""
    needed = hyperband_min_runs(ladder)
    if n_runs < needed:
        raise UserInputError(
            f"hyperband from {ladder.budgets[0]:g} to {ladder.max_budget:g} with eta "
            f"{ladder.eta} shares {n_runs} configuration(s) among {ladder.top + 1} brackets, "
            f"leaving one with fewer than one at the top: give {{n_runs}} of at least {needed}",
            "n_runs",
        )


def hyperband_min_runs(ladder: Ladder) -> int:
    """The fewest configurations whose Hyperband brackets each bring one to the top rung."""
    textbook = textbook_brackets(ladder)
    total = sum(n for n, _ in textbook)
    n_runs = max(-(-(ladder.eta ** (ladder.top - b)) * total // n) for n, b in textbook)
    while any(n < ladder.eta ** (ladder.top - b) for n, b in hyperband_sizes(ladder, n_runs)):
        n_runs += 1  # a floor the float scaling moved
    return n_runs


def bracket_runs(ladder: Ladder, n_runs: int, bottom: int) -> int:
    """How many rung runs a bracket trains in all."""
    total, members = 0, n_runs
    for _ in range(bottom, ladder.top + 1):
        total += members
        members //= ladder.eta
    return total


def hyperband_sizes(ladder: Ladder, n_runs: int) -> list[tuple[int, int]]:
    """(configurations, bottom rung) of each textbook bracket, most exploratory first, scaled so
    that the brackets share `n_runs` configurations in the textbook's proportions."""
    textbook = textbook_brackets(ladder)
    scale = n_runs / sum(n for n, _ in textbook)
    return [(math.floor(n * scale), bottom) for n, bottom in textbook]


def textbook_brackets(ladder: Ladder) -> list[tuple[int, int]]:
    """(configurations, bottom rung) of each bracket in Li et al.'s Hyperband, most exploratory
    first."""
    top, eta = ladder.top, ladder.eta
    return [(math.ceil((top + 1) / (s + 1) * eta**s), top - s) for s in range(top, -1, -1)]


def multi_fidelity_plan(
    strategy: str,
    n_runs: int,
    ladder: Ladder,
    *,
    sampler: str = "random",
    seed: int = 1,
    space=None,
    algorithm: str = "deeplearning",
) -> MultiFidelity:
    """A `sha`, `hyperband` or `asha` search of `n_runs` configurations on `ladder`, proposed by
    R-exact random draws (`sampler="random"`) or by TPE (`"tpe"`); each rung sets the
    algorithm's budget parameter (epochs, or ntrees for tree ensembles)."""
    from h2osweep.search.proposers import SAMPLERS, RandomProposer, TPEProposer
    from h2osweep.space import LECTURE_SPACE
    from h2osweep.training.algorithms import budget_parameter as budget_of
    from h2osweep.training.parameters import check_keys
    from h2osweep.validation import check_choice

    check_choice("strategy", strategy, STRATEGIES)
    check_choice("sampler", sampler, SAMPLERS)
    space = LECTURE_SPACE if space is None else space
    check_keys(space, algorithm)
    budget_parameter = budget_of(algorithm)
    if budget_parameter in space:
        raise UserInputError(
            f"{{strategy}} {strategy} sets {budget_parameter} per rung, but the space sets "
            f"{budget_parameter} too: remove its entry from the space",
            "strategy",
        )
    proposer = (RandomProposer if sampler == "random" else TPEProposer)(space, seed)
    build = {"sha": SuccessiveHalving, "hyperband": Hyperband, "asha": Asha}[strategy]
    return build(ladder, n_runs, proposer)

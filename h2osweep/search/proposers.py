"""Who proposes the configurations a multi-fidelity search climbs with: R-exact random draws of
the space (configuration i is R's `run(first_seed + i)`, named `m_<seed>` as a random search
names it) or Optuna's TPE fitted on the rung results so far (a BOHB-like search)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from h2osweep.record.goal import Goal
from h2osweep.space import Space, sample_params
from h2osweep.validation import check_r_seed

SAMPLERS = ("random", "tpe")


class Proposer(ABC):
    """Names and makes configuration number `index` of a search."""

    kind: str

    def __init__(self, space: Space, seed: int = 1) -> None:
        self.space = space
        self.seed = check_r_seed("seed", seed)

    @abstractmethod
    def name(self, index: int) -> str:
        """The run name of configuration `index` (stable across sessions)."""

    @abstractmethod
    def propose(
        self, index: int, history: dict[int, list[tuple[dict, float]]], goal: Goal
    ) -> tuple[dict, int | None]:
        """Configuration `index` and its sampler seed; `history` holds (config, value) of the
        configurations measured so far, by rung."""

    def describe(self) -> dict:
        """What the folder records about the proposer (a resume must match)."""
        return {"sampler": self.kind, "seed": self.seed}


class RandomProposer(Proposer):
    """R-exact draws: configuration i is the space sampled after `set.seed(seed + i)`."""

    kind = "random"

    def name(self, index: int) -> str:
        return f"m_{check_r_seed('seed', self.seed + index)}"

    def propose(self, index: int, history, goal: Goal) -> tuple[dict, int]:
        config = sample_params(self.seed + index, self.space)
        seed = config.pop("seed")
        config.pop("name")
        return config, seed


class TPEProposer(Proposer):
    """BOHB-like: the first configurations are R-exact draws of the space (as random search's);
    then Optuna's multivariate TPE, fitted on the configurations of the highest rung with enough
    results, proposes each new one. Nothing but the stored rungs is needed to resume."""

    kind = "tpe"

    def name(self, index: int) -> str:
        return f"t_{index}"

    def propose(self, index: int, history, goal: Goal) -> tuple[dict, int | None]:
        from h2osweep.search.optuna.samplers import STARTUP_TRIALS

        fitted = [runs for _, runs in sorted(history.items()) if len(runs) >= STARTUP_TRIALS]
        if not fitted:
            return RandomProposer(self.space, self.seed).propose(index, history, goal)
        trial = self._study(fitted[-1], goal, index).ask()  # the highest rung with enough
        from h2osweep.search.optuna.translate import suggest_config

        return suggest_config(trial, self.space), None

    def _study(self, history, goal: Goal, index: int):
        """An in-memory study of the history, with a sampler seeded for this proposal."""
        import optuna

        from h2osweep.search.optuna.samplers import make_sampler
        from h2osweep.search.optuna.translate import config_params, param_distributions

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = make_sampler("tpe", self.seed, history=index)
        study = optuna.create_study(direction=goal.direction, sampler=sampler)
        for config, value in history:
            if value != value:  # a failed run tells the sampler nothing
                continue
            params = config_params(self.space, config)
            distributions = param_distributions(self.space, params)
            study.add_trial(
                optuna.trial.create_trial(params=params, distributions=distributions, value=value)
            )
        return study

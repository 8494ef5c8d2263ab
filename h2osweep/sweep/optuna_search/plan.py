"""A model-based search as a `Plan`: Optuna proposes each run when the engine pulls one, and
learns every stored result; the study lives in the sweep folder so a resume keeps its history.

With `startup="prior"` the first 10 trials of tpe and gp are draws from the space's own
distributions (the lecture's Beta priors included), enqueued for the sampler; the sampler then
models the space over the supports (see translate.py).

Trial k is run `t_k`. The engine's store stays the truth for results: on opening, trials left
RUNNING by a killed session are told what the store holds for their run, or trained again under
the same name when their run never finished. A failed run is told FAIL and is not
retried (the sampler proposes another configuration instead).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from h2osweep.errors import StoreError, UserInputError
from h2osweep.sampling import LECTURE_SPACE, Space
from h2osweep.sampling.rng import SEED_LIMIT
from h2osweep.store.results_store import DATABASE, RESULTS
from h2osweep.store.table import check_metric
from h2osweep.sweep.optuna_search.samplers import check_sampler_seed, check_strategy, make_sampler
from h2osweep.sweep.optuna_search.translate import prior_params, suggest_config
from h2osweep.sweep.plans import Plan, definition_id
from h2osweep.training.parameters import check_keys
from h2osweep.training.runs import OK, RunResult, RunSpec

STUDY_FILE = "optuna.sqlite"
RUN_ATTR = "run"
STARTUP_TRIALS = 10  # TPESampler's and GPSampler's n_startup_trials
STARTUPS = ("prior", "sampler")


@dataclass
class OptunaPlan(Plan):
    """`n_runs` runs proposed one at a time by an Optuna sampler over `search`."""

    fixed_in_advance = False

    n_runs: int = 1
    seed: int = 1
    out: Path = Path(".")
    metric: str = "test_mse"
    goal: str = "min"
    search: Space = LECTURE_SPACE
    startup: str = "prior"
    _study_name: str | None = field(default=None, repr=False)
    _study: object = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return self.n_runs

    def definition(self, training: dict, data: dict) -> dict:
        """The plan's definition plus the sampler's seed and objective (a resume must match)."""
        sampler = {"library": "optuna", "seed": self.seed, "startup": self.startup}
        sampler |= {"metric": self.metric, "goal": self.goal}
        definition = {**super().definition(training, data), "sampler": sampler}
        self._study_name = f"h2osweep_{definition_id(definition)}"
        return definition

    def done(self, finished: set[str]) -> int:
        """How many runs have ended (ok or failed), after reconciling the study with the store."""
        return len(_runs(self._open(), ended=True))

    def pending(self, finished: set[str]) -> Iterator[RunSpec]:
        """Runs left in flight by a killed session first, then one new trial per pull."""
        study = self._open()
        return self._proposals(study)

    def observe(self, result: RunResult) -> None:
        """Tell the study the run's metric, or FAIL when the run failed or has no such metric."""
        from optuna.trial import TrialState

        number = trial_number(result.name)
        value = result.metric(self.metric)
        if result.ok and math.isfinite(value):
            self._open().tell(number, value)
        else:
            self._open().tell(number, state=TrialState.FAIL)

    def study(self):
        """The Optuna study of this search (opened and reconciled on first use)."""
        return self._open()

    def _proposals(self, study) -> Iterator[RunSpec]:
        ended = len(_runs(study, ended=True))
        for trial in _runs(study, ended=False)[: max(self.n_runs - ended, 0)]:
            yield self._spec(trial.number, trial.params)
        while len(_runs(study, ended=None)) < self.n_runs:
            self._enqueue_prior_draw(study)
            trial = study.ask()
            config = suggest_config(trial, self.search)
            trial.set_user_attr(RUN_ATTR, run_name(trial.number))
            yield RunSpec(run_name(trial.number), config, position=trial.number)

    def _enqueue_prior_draw(self, study) -> None:
        """While the sampler would start at random, give it a draw from the space's priors."""
        from optuna.trial import TrialState

        history = len(study.trials)
        if self.startup != "prior" or self.strategy == "optuna-random":
            return
        if history >= STARTUP_TRIALS or study.get_trials(states=(TrialState.WAITING,)):
            return
        seed = (self.seed + 7919 * history) % (SEED_LIMIT + 1)
        study.enqueue_trial(prior_params(self.search, seed))

    def _spec(self, number: int, params: dict) -> RunSpec:
        from optuna.trial import FixedTrial

        config = suggest_config(FixedTrial(params, number), self.search)
        return RunSpec(run_name(number), config, position=number)

    def _open(self):
        if self._study is None:
            self._study = open_study(self)
        return self._study


def optuna_plan(
    strategy: str,
    n_runs: int,
    out: Path,
    *,
    seed: int = 1,
    metric: str = "test_mse",
    goal: str = "min",
    space: Space = LECTURE_SPACE,
    startup: str = "prior",
) -> OptunaPlan:
    """A model-based search of `n_runs` runs; `out` is the sweep folder, where the study is kept."""
    check_strategy(strategy)
    if isinstance(n_runs, bool) or not isinstance(n_runs, int) or n_runs < 1:
        raise UserInputError(f"--n-runs must be at least 1, but got {n_runs}")
    check_metric(metric)
    if goal not in ("min", "max"):
        raise UserInputError(f"--goal must be 'min' or 'max', but got {goal!r}")
    if startup not in STARTUPS:
        raise UserInputError(f"--startup must be one of {list(STARTUPS)}, but got {startup!r}")
    check_keys(space)
    return OptunaPlan(
        f"optuna-{strategy}",
        [],
        space.to_dict(),
        n_runs=n_runs,
        seed=check_sampler_seed(seed),
        out=Path(out),
        metric=metric,
        goal=goal,
        search=space,
        startup=startup,
    )


def run_name(number: int) -> str:
    """The run of trial `number`: `t_<number>`."""
    return f"t_{number}"


def trial_number(name: str) -> int:
    """The trial behind run `t_<number>`."""
    return int(name.removeprefix("t_"))


def open_study(plan: OptunaPlan):
    """Load or create the plan's study in its folder and make it agree with the store."""
    import optuna

    if plan._study_name is None or not (plan.out / DATABASE).is_file():
        raise RuntimeError("run the plan with run_sweep, with SweepOptions.out == plan.out")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{plan.out.absolute() / STUDY_FILE}"
    stored = _stored_runs(plan.out, plan.metric)
    if not stored and plan._study_name in _study_names(storage):
        optuna.delete_study(study_name=plan._study_name, storage=storage)  # store moved aside
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = optuna.create_study(
            storage=storage,
            study_name=plan._study_name,
            direction="minimize" if plan.goal == "min" else "maximize",
            sampler=optuna.samplers.RandomSampler(),  # replaced below, once the history is known
            load_if_exists=True,
        )
    _reconcile(study, stored)
    strategy = plan.strategy.removeprefix("optuna-")
    study.sampler = make_sampler(strategy, plan.seed, history=len(study.trials))
    return study


def _study_names(storage: str) -> set[str]:
    import optuna

    return {summary.study_name for summary in optuna.get_all_study_summaries(storage)}


def _stored_runs(folder: Path, metric: str) -> dict[str, float | None]:
    """Each stored run's metric (None for a failed run), read exactly from results.csv."""
    path = folder / RESULTS
    if not path.is_file():
        return {}
    table = pd.read_csv(path, float_precision="round_trip")
    return {
        name: float(value) if status == OK and math.isfinite(value) else None
        for name, status, value in zip(table["name"], table["status"], table[metric], strict=True)
    }


def _reconcile(study, stored: dict[str, float | None]) -> None:
    """Tell RUNNING trials what the store holds; FAIL those that never became a run."""
    from optuna.trial import TrialState

    known = {trial.user_attrs.get(RUN_ATTR) for trial in study.trials}
    unknown = sorted(set(stored) - known)
    if unknown:
        raise StoreError(
            f"the store holds runs {unknown[:5]} that the study in {STUDY_FILE} does not know; "
            "the study file was replaced or lost: use --force-new to start over"
        )
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        name = trial.user_attrs.get(RUN_ATTR)
        if name is None:
            study.tell(trial.number, state=TrialState.FAIL)
        elif name in stored and stored[name] is not None:
            study.tell(trial.number, stored[name])
        elif name in stored:
            study.tell(trial.number, state=TrialState.FAIL)


def _runs(study, ended: bool | None) -> list:
    """Trials that became runs: ended (COMPLETE/FAIL), in flight (RUNNING), or all (None)."""
    from optuna.trial import TrialState

    trials = [t for t in study.get_trials(deepcopy=False) if RUN_ATTR in t.user_attrs]
    if ended is None:
        return trials
    return [t for t in trials if (t.state != TrialState.RUNNING) == ended]

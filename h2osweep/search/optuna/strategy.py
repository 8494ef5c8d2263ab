"""A model-based search: an Optuna sampler proposes each run when the engine asks for one and
learns every stored result; the study lives in the sweep folder so a resume keeps its history.

With `startup="prior"` the first STARTUP_TRIALS (3) trials of tpe and gp are draws from the space's
distributions (R-exact, the lecture's Beta priors included), enqueued for the sampler, and
trained as R draws them; the sampler models each entry in its prior's quantile space (see
translate.py), so its own start-up draws follow the priors too.

Trial k is run `t_k`. The store stays the truth for results: on starting, trials left RUNNING
by a killed session are told what the store holds for their run, or trained again under the
same name when their run never finished. A trial killed while it was being proposed (before it
was named) never became a run: it is told FAIL and its number is skipped, as Optuna's own
heartbeat does with a trial whose process died. A failed run is told FAIL and is not retried
(the sampler proposes another configuration instead).
"""

from __future__ import annotations

import math
import warnings

from h2osweep.errors import StoreError
from h2osweep.record.goal import Objective
from h2osweep.record.runs import RunResult, RunSpec
from h2osweep.search.base import OPTUNA_KIND, SearchContext, Strategy, space_draws
from h2osweep.search.optuna import samplers
from h2osweep.search.optuna.samplers import (
    check_sampler_seed,
    check_strategy,
    make_sampler,
)
from h2osweep.search.optuna.translate import config_params, suggest_config
from h2osweep.space import LECTURE_SPACE, Space
from h2osweep.store.results_store import STUDY_FILE
from h2osweep.training.algorithms import DEEPLEARNING
from h2osweep.training.parameters import check_keys, validate_values
from h2osweep.validation import R_SEED_LIMIT, check_choice, check_int

RUN_ATTR = "run"
R_SEED_ATTR = "r_seed"  # a start-up trial's R seed: its run trains R's draw itself
STARTUPS = ("prior", "sampler")
DEFAULT_STARTUP = "prior"


class OptunaSearch(Strategy):
    """`n_runs` runs proposed one at a time by an Optuna sampler over `space`."""

    def __init__(self, sampler: str, n_runs: int, seed: int, space: Space, startup: str) -> None:
        self.kind = f"{OPTUNA_KIND}{sampler}"
        self.sampler = sampler
        self.n_runs = n_runs
        self.seed = seed
        self.space = space
        self.startup = startup
        self._study = None
        self._objective = Objective()
        self._pending: list[RunSpec] = []  # runs a killed session left in flight
        self._ended = 0

    def describe(self, objective: Objective) -> dict:
        sampler = {"library": "optuna", "seed": self.seed, "startup": self.startup}
        sampler["space"] = "quantile"  # a study over the supports (older) is refused, not misread
        sampler |= {"metric": objective.metric, "goal": str(objective.goal)}
        return {"space": self.space.to_dict(), "sampler": sampler}

    def start(self, context: SearchContext) -> None:
        """Open (or create) the study in the folder and make it agree with the store."""
        self._objective = context.objective
        values = {run.name: context.objective.value(run) for run in context.stored}
        self._study = open_study(self, context, values)
        self._ended = len(_runs(self._study, ended=True))
        left = _runs(self._study, ended=False)[: max(self.n_runs - self._ended, 0)]
        self._pending = [self._spec(trial) for trial in left]

    def ask(self) -> RunSpec | None:
        if self._pending:
            return self._pending.pop(0)
        if self.is_done():
            return None
        self._enqueue_prior_draw()
        trial = self._study.ask()
        config = suggest_config(trial, self.space)  # records the trial's parameters
        trial.set_user_attr(RUN_ATTR, run_name(trial.number))
        return self._run(trial.number, config, trial.user_attrs)

    def tell(self, result: RunResult) -> None:
        """Tell the study the run's value, or FAIL when the run failed or has no such value."""
        from optuna.trial import TrialState

        number = trial_number(result.name)
        value = self._objective.value(result)
        if math.isfinite(value):
            self._study.tell(number, value)
        else:
            self._study.tell(number, state=TrialState.FAIL)

    def is_done(self) -> bool:
        return not self._pending and len(_runs(self._study, ended=None)) >= self.n_runs

    def parameter_values(self) -> dict[str, list]:
        return self.space.examples()

    def example_runs(self) -> list[RunSpec]:
        return space_draws(self.space)

    @property
    def total(self) -> int:
        return self.n_runs

    @property
    def ended(self) -> int:
        return self._ended

    def _enqueue_prior_draw(self) -> None:
        """While the sampler would start at random, queue a draw from the space's priors for it,
        with its R seed (none when a killed session left one queued)."""
        from optuna.trial import TrialState

        study = self._study
        history = len(study.trials)
        if self.startup != "prior" or self.sampler == "random":
            return
        if history >= samplers.STARTUP_TRIALS or study.get_trials(states=(TrialState.WAITING,)):
            return
        seed = (self.seed + 7919 * history) % (R_SEED_LIMIT + 1)
        params = config_params(self.space, self.space.sample(seed))
        study.enqueue_trial(params, user_attrs={R_SEED_ATTR: seed})

    def _run(self, number: int, config: dict, attrs: dict) -> RunSpec:
        """Trial `number`'s run: `config`, or R's draw itself for a start-up trial (its
        quantiles map back to the draw only to the last bits)."""
        seed = attrs.get(R_SEED_ATTR)
        config = self.space.sample(seed) if seed is not None else config
        return RunSpec(run_name(number), config, position=number)

    def _spec(self, trial) -> RunSpec:
        """The run of a trial a killed session left in flight, as it was proposed."""
        from optuna.trial import FixedTrial

        config = suggest_config(FixedTrial(trial.params, trial.number), self.space)
        return self._run(trial.number, config, trial.user_attrs)


def optuna_plan(
    sampler: str,
    n_runs: int,
    *,
    seed: int = 1,
    space: Space = LECTURE_SPACE,
    startup: str = DEFAULT_STARTUP,
    algorithm: str = DEEPLEARNING,
) -> OptunaSearch:
    """A model-based search of `n_runs` runs with Optuna's `sampler` (tpe, gp or random)."""
    check_strategy(sampler)
    check_int("n_runs", n_runs, low=1)
    check_choice("startup", startup, STARTUPS)
    check_keys(space, algorithm)
    validate_values(space.examples(), algorithm)
    return OptunaSearch(sampler, n_runs, check_sampler_seed(seed), space, startup)


def run_name(number: int) -> str:
    """The run of trial `number`: `t_<number>`."""
    return f"t_{number}"


def trial_number(name: str) -> int:
    """The trial behind run `t_<number>`."""
    return int(name.removeprefix("t_"))


def open_study(search: OptunaSearch, context: SearchContext, values: dict[str, float]):
    """Load or create the search's study in its folder and make it agree with the stored runs
    (`values`: each stored run's objective value, NaN for a failed one)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = context.folder.absolute() / STUDY_FILE
    if values and not path.exists():
        raise _unknown_runs(sorted(values))  # refused before a new, empty study is created
    storage = f"sqlite:///{path}"
    name = f"h2osweep_{context.sweep_id}"
    if not values and name in _study_names(storage):
        optuna.delete_study(study_name=name, storage=storage)  # the store was moved aside
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = optuna.create_study(
            storage=storage,
            study_name=name,
            direction=context.objective.goal.direction,
            sampler=optuna.samplers.RandomSampler(),  # replaced below, once the history is known
            load_if_exists=True,
        )
    _reconcile(study, values)
    study.sampler = make_sampler(search.sampler, search.seed, history=len(study.trials))
    return study


def _study_names(storage: str) -> set[str]:
    import optuna

    return {summary.study_name for summary in optuna.get_all_study_summaries(storage)}


def _reconcile(study, values: dict[str, float]) -> None:
    """Tell RUNNING trials what the store holds; FAIL those that never became a run."""
    from optuna.trial import TrialState

    known = {trial.user_attrs.get(RUN_ATTR) for trial in study.trials}
    unknown = sorted(set(values) - known)
    if unknown:
        raise _unknown_runs(unknown)
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        name = trial.user_attrs.get(RUN_ATTR)
        if name is None:
            study.tell(trial.number, state=TrialState.FAIL)
        elif name in values and math.isfinite(values[name]):
            study.tell(trial.number, values[name])
        elif name in values:
            study.tell(trial.number, state=TrialState.FAIL)


def _unknown_runs(names: list[str]) -> StoreError:
    """The error for stored runs that the folder's study does not hold (lost or replaced)."""
    return StoreError(
        f"the store holds runs {names[:5]} that the study in {STUDY_FILE} does not know; "
        "the study file was replaced or lost: use {force_new} to start over",
        "force_new",
    )


def _runs(study, ended: bool | None) -> list:
    """Trials that became runs: ended (COMPLETE/FAIL), in flight (RUNNING), or all (None)."""
    from optuna.trial import TrialState

    trials = [t for t in study.get_trials(deepcopy=False) if RUN_ATTR in t.user_attrs]
    if ended is None:
        return trials
    return [t for t in trials if (t.state != TrialState.RUNNING) == ended]

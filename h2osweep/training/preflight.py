"""Ask the cluster, before a new sweep's first build, whether it would build the sweep's runs.

H2O's model builder checks a model's parameters against the frames without training
(`POST /3/ModelBuilders/{algo}/parameters`, the check a build's own start runs first), so a
value out of H2O's range (input dropout 1.5, GBM `learn_rate` 0, a space whose `sample_rate`
reaches past 1) is one line and nothing is written, instead of a sweep of failed runs.

Only a value is refused, and only when the sweep's own runs show it is the value: the refused
run is accepted with another value of the same parameter, and the value is refused in every
accepted run it is put into (when H2O names no parameter of the run, as for GLM's link, each
of the run's keys is tried). A run that fails for its combination (dropout ratios with an
activation without dropout) is left to fail as a run, as H2O's own grid does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace

from h2osweep.data import H2OData
from h2osweep.errors import UserInputError
from h2osweep.record.runs import RunSpec, value_text
from h2osweep.training import jobs
from h2osweep.training.parameters import config_key
from h2osweep.training.scheduler import TrainSettings, new_estimator

MAX_CHECKED = 24  # runs asked about per sweep (its cost: benchmarks/bench_preflight.py)
MAX_CONTEXTS = 8  # accepted runs a refused value is put into, and values put into its run
MAX_SUSPECTS = 4  # refused runs examined for a value to blame
SPACE_DRAW = "space_draw_"  # the name of a space's draw checked for a search (then its seed)
ERROR = "ERRR"
UNNAMED = ""  # the field of a refusal H2O raises (IllegalArgumentException) instead of naming
ILLEGAL_ARGUMENT = "java.lang.IllegalArgumentException"

Refusal = tuple[str, str]  # H2O's field and its reason


class Preflight:
    """The checks of one sweep, each set of parameters asked once."""

    def __init__(self, data: H2OData, settings: TrainSettings) -> None:
        self.data, self.settings = data, settings
        self.answers: dict[str, Refusal | None] = {}

    def refusal(self, run: RunSpec) -> Refusal | None:
        """H2O's first refusal of the run's parameters (field and reason), else None; an
        answer that is no verdict (an exception, an HTTP error) counts as no refusal."""
        asked = value_text(run.config) + repr(run.budget)
        if asked not in self.answers:
            self.answers[asked] = _ask(run, self.data, self.settings)
        return self.answers[asked]

    def blamed(self, run: RunSpec, accepted: list[RunSpec]) -> str | None:
        """The key of `run` whose value alone H2O refuses: another value of it from an accepted
        run makes `run` acceptable, and the value makes every accepted run unacceptable. A
        refusal whose field is none of the run's keys (GLM's link refused as the family's, or
        raised, naming no field) is tried on each key."""
        named = config_key(self.refusal(run)[0], run.config, self.settings.algorithm)
        keys = [named] if named else list(run.config)
        return next((key for key in keys if self._alone(run, key, accepted)), None)

    def _alone(self, run: RunSpec, key: str, accepted: list[RunSpec]) -> bool:
        """Whether `run`'s value of `key` is refused in every accepted run and mended by theirs."""
        value = value_text(run.config[key])
        holding = [other for other in accepted if key in other.config]
        if any(value_text(other.config[key]) == value for other in holding):
            return False  # H2O took the value in another run: not the value alone
        others = holding[:MAX_CONTEXTS]
        if all(self.refusal(_with(run, key, other.config[key])) for other in others):
            return False  # no other value mends the run: its combination is at fault
        spoiled = (self.refusal(_with(other, key, run.config[key])) for other in others)
        return all(refusal and _same(refusal, self.refusal(run)) for refusal in spoiled)


def check_builds(runs: Sequence[RunSpec], data: H2OData, settings: TrainSettings) -> None:
    """Refuse, in one line, a value H2O refuses whatever it is combined with in the sweep's
    runs, or a sweep whose every checked run H2O refuses."""
    preflight = Preflight(data, settings)
    checked = list(covering(runs))
    refused = [run for run in checked if preflight.refusal(run)]
    accepted = [run for run in checked if not preflight.refusal(run)]
    for run in refused[:MAX_SUSPECTS]:
        key = preflight.blamed(run, accepted) if accepted else None
        if key is not None:
            value, reason = value_text(run.config[key]), preflight.refusal(run)[1]
            raise UserInputError(
                f"parameter {key!r} = {value} is refused in every run of the sweep it was tried "
                f'in: H2O\'s {settings.algorithm} says "{reason}" (first in {_where(run)}; no '
                "model was built)"
            )
    if checked and not accepted:
        field, reason = preflight.refusal(checked[0])
        named = f"{field}: " if field != UNNAMED else ""
        raise UserInputError(
            f"H2O's {settings.algorithm} refuses each of the {len(checked)} run(s) checked, "
            f"{_where(checked[0])} first: {named}{reason} (no model was built)"
        )


def _where(run: RunSpec) -> str:
    """A checked run as a refusal names it: the run, or the space's draw it is."""
    if run.name.startswith(SPACE_DRAW):
        return f"the space's draw for seed {run.seed}"
    return run.name


def covering(runs: Sequence[RunSpec]) -> Iterator[RunSpec]:
    """Up to MAX_CHECKED runs in plan order, each with a value no earlier one has."""
    return itertools.islice(_bringing_new_values(runs), MAX_CHECKED)


def _bringing_new_values(runs: Sequence[RunSpec]) -> Iterator[RunSpec]:
    seen: set[tuple[str, str]] = set()
    for run in runs:
        values = {(key, value_text(value)) for key, value in run.config.items()}
        if not values <= seen:
            seen |= values
            yield run


def _ask(run: RunSpec, data: H2OData, settings: TrainSettings) -> Refusal | None:
    """One question to the model builder, with the parameters and frames a build would send
    (`_make_parms` is the h2o client's own step from estimator to request in `train`)."""
    import h2o

    try:
        estimator = new_estimator(run, data, settings)
        form = estimator._make_parms(x=data.features, y=data.target, training_frame=data.train)
        answer = h2o.api(f"POST /3/ModelBuilders/{settings.algorithm}/parameters", data=form)
    except UserInputError as error:
        return "parameters", str(error)
    except Exception as error:
        jobs.raise_if_cluster_lost(error)
        return _raised_refusal(error)
    errors = [m for m in answer.get("messages") or () if m.get("message_type") == ERROR]
    if not errors:
        return None
    first = errors[0]
    return first["field_name"].lstrip("_"), str(first["message"]).strip().splitlines()[0]


def _raised_refusal(error: Exception) -> Refusal | None:
    """The refusal H2O's check raises rather than returns (GLM's link for the family), which a
    build's start raises too; any other error is no verdict."""
    details = error.args[0] if error.args else None
    if getattr(details, "exception_type", None) != ILLEGAL_ARGUMENT:
        return None
    return UNNAMED, str(details.msg).strip().splitlines()[0]


def _same(refusal: Refusal, first: Refusal) -> bool:
    """The same refusal: of the same field, or (naming none) with the same reason."""
    return refusal[0] == first[0] and (first[0] != UNNAMED or refusal[1] == first[1])


def _with(run: RunSpec, key: str, value) -> RunSpec:
    return replace(run, config={**run.config, key: value})

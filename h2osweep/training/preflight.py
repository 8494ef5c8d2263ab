"""Ask the cluster, before any build starts, whether it would build a sweep's runs.

H2O's model builder checks a model's parameters against the frames without training
(`POST /3/ModelBuilders/{algo}/parameters`, what a build's own start runs first), so a value out
of H2O's range (input dropout 1.5, GBM `learn_rate` 0, GLM `alpha` 2) is one line and nothing is
written, instead of a sweep of failed runs. Only values are refused: a grid row that fails for
its combination of values (two dropout ratios for one layer) still trains the others and is
recorded as failed, as H2O's own grid does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from h2osweep.data import H2OData
from h2osweep.errors import UserInputError
from h2osweep.record.runs import RunSpec
from h2osweep.training import jobs
from h2osweep.training.parameters import config_key
from h2osweep.training.scheduler import TrainSettings, new_estimator

MAX_CHECKED = 24  # runs asked about per sweep (its cost: benchmarks/bench_preflight.py)
MAX_SECOND_OPINIONS = 3  # further runs holding a refused value, asked before it is refused
ERROR = "ERRR"


def check_builds(runs: Sequence[RunSpec], data: H2OData, settings: TrainSettings) -> None:
    """Refuse, in one line, a value H2O refuses in every checked run that holds it (on the
    value's own parameter), or a sweep whose every checked run H2O refuses."""
    checked = {run.name: (run, _refusal(run, data, settings)) for run in covering(runs)}
    for run, refusal in checked.values():
        key = refusal and config_key(refusal[0], run.config, settings.algorithm)
        if key and all(_refusal(other, data, settings) for other in _holding(runs, key, run)):
            raise UserInputError(
                f"parameter {key!r} cannot be {_text(run.config[key])}: H2O's "
                f'{settings.algorithm} says "{refusal[1]}" (in {run.name}; no model was built)'
            )
    refusals = [(run.name, refusal) for run, refusal in checked.values()]
    if refusals and all(refusal for _, refusal in refusals):
        name, (field, reason) = refusals[0]
        raise UserInputError(
            f"H2O's {settings.algorithm} refuses every run checked, {name} first: {field}: "
            f"{reason} (no model was built)"
        )


def covering(runs: Sequence[RunSpec]) -> Iterator[RunSpec]:
    """Up to MAX_CHECKED runs in plan order, each with a value no earlier one has."""
    seen: set[tuple[str, str]] = set()
    given = 0
    for run in runs:
        values = {(key, _text(value)) for key, value in run.config.items()}
        if values <= seen:
            continue
        seen |= values
        yield run
        given += 1
        if given == MAX_CHECKED:
            return


def _holding(runs: Sequence[RunSpec], key: str, refused: RunSpec) -> list[RunSpec]:
    """A few other runs with the refused run's value of `key` (an accepted one acquits it)."""
    value = _text(refused.config[key])
    found = []
    for run in runs:
        if run.name != refused.name and _text(run.config.get(key)) == value:
            found.append(run)
            if len(found) == MAX_SECOND_OPINIONS:
                break
    return found


def _refusal(run: RunSpec, data: H2OData, settings: TrainSettings) -> tuple[str, str] | None:
    """H2O's first refusal of the run's parameters (the field and its reason), else None."""
    import h2o

    try:
        estimator = new_estimator(run, data, settings)
        form = estimator._make_parms(x=data.features, y=data.target, training_frame=data.train)
        answer = h2o.api(f"POST /3/ModelBuilders/{settings.algorithm}/parameters", data=form)
    except UserInputError as error:
        return "parameters", str(error)
    except Exception as error:
        jobs.raise_if_cluster_lost(error)
        return "parameters", jobs.error_message(error)
    errors = [m for m in answer.get("messages") or () if m.get("message_type") == ERROR]
    if not errors:
        return None
    first = errors[0]
    return first["field_name"].lstrip("_"), str(first["message"]).strip().splitlines()[0]


def _text(value) -> str:
    """A value as comparable text (lists, numpy numbers and all)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    return json.dumps(value, sort_keys=True, default=str)

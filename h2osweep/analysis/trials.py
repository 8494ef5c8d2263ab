"""Any results table as Optuna trials: a distribution per hyperparameter, read off the table,
and one finished trial per run, so Optuna's importances and its dashboard work on sweeps Optuna
never ran (ours, W&B's, H2O's grids) without training anything again."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from h2osweep.analysis.preprocess import Prepared
from h2osweep.analysis.scales import is_log_scaled

LEVEL_TYPES = (str, int, float, bool)


def distribution_of(values: pd.Series, log: bool | None = None):
    """The Optuna distribution a column's values were drawn from, as far as the table tells:
    whole numbers an IntDistribution, other numbers a FloatDistribution (log when its values
    look log-scaled), anything else a CategoricalDistribution of its sorted levels."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    present = values.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    if present.empty or numbers.isna().any() or pd.api.types.is_bool_dtype(present):
        return CategoricalDistribution(sorted({plain_level(v) for v in present}, key=str))
    low, high = float(numbers.min()), float(numbers.max())
    log = is_log_scaled(numbers.to_numpy(dtype=float)) if log is None else log
    if (numbers == numbers.round()).all() and not log:
        return IntDistribution(int(low), int(high))
    return FloatDistribution(low, high, log=log and low > 0)


def plain_level(value: object) -> object:
    """A category level Optuna can store: a plain str, int, float or bool."""
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, LEVEL_TYPES) else str(value)


def param_value(value: object, distribution) -> object:
    """One run's value as its distribution holds it (ints for IntDistribution)."""
    from optuna.distributions import CategoricalDistribution, IntDistribution

    if isinstance(distribution, CategoricalDistribution):
        return plain_level(value)
    return int(round(float(value))) if isinstance(distribution, IntDistribution) else float(value)


def frozen_trial(
    number: int, params: dict, distributions: dict, values, attrs=None, intermediate=None,
    pruned: bool = False,
):  # fmt: skip
    """One finished trial (COMPLETE with its values, FAIL without, or `pruned`), for
    `Study.add_trials`, with its `intermediate` values ({step: value}: a multi-fidelity
    configuration's rungs). A parameter missing from the run (NaN or None) is left out."""
    from optuna.trial import TrialState, create_trial

    kept = {k: v for k, v in params.items() if not is_missing(v)}
    values = None if values is None else [float(v) for v in values]
    failed = values is None or any(math.isnan(v) for v in values)
    steps = {int(step): float(v) for step, v in (intermediate or {}).items() if not is_missing(v)}
    state = TrialState.PRUNED if pruned else TrialState.FAIL if failed else TrialState.COMPLETE
    return create_trial(
        state=state,
        values=None if failed or pruned else values,
        params={k: param_value(v, distributions[k]) for k, v in kept.items()},
        distributions={k: distributions[k] for k in kept},
        user_attrs=dict(attrs or {}),
        intermediate_values=steps,
    )


def is_missing(value: object) -> bool:
    """None or a float NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def prepared_params(prepared: Prepared) -> pd.DataFrame:
    """The prepared table's hyperparameters as they were given: numbers (mean-filled) and each
    categorical's level, one column per hyperparameter (not per indicator)."""
    frame = prepared.table[prepared.numeric].copy()
    for column, names in prepared.indicators.items():
        levels = np.asarray(prepared.categorical[column], dtype=object)
        frame[column] = levels[prepared.table[names].to_numpy().argmax(axis=1)]
    return frame


def study_of(prepared: Prepared, rows: Sequence[int] | None = None):
    """An in-memory Optuna study holding the prepared table's runs as finished trials."""
    import optuna

    params = prepared_params(prepared)
    if rows is not None:
        params = params.iloc[list(rows)]
    distributions = {c: distribution_of(params[c]) for c in params.columns}
    values = prepared.y if rows is None else prepared.y[list(rows)]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=prepared.goal.direction)
    records = params.to_dict("records")
    pairs = enumerate(zip(records, values, strict=True))
    study.add_trials([frozen_trial(i, r, distributions, [v]) for i, (r, v) in pairs])
    return study

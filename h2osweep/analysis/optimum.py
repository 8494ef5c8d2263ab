"""The configuration to train next: the best observed run, and the GAM's predicted optimum.

Both are plain dicts of hyperparameters (lists for layers when known), ready for retraining.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from h2osweep.analysis.gam import GamFit
from h2osweep.analysis.preprocess import Prepared, list_column
from h2osweep.record.columns import (
    ARCHITECTURE,
    LIST_COLUMNS,
    architecture,
    parse_list,
    with_layers,
)
from h2osweep.record.goal import Goal

RANDOM_POINTS = 5000
RETRAIN_HINT = "(optimize this sweep folder with the gam configuration)"


@dataclass
class Optimum:
    """A chosen configuration, where it came from and its (observed or predicted) target.

    `retrain` names the sweep folder whose GAM suggestion the note asks to retrain, in the
    words of `RETRAIN_HINT` (the command line spells that as its own command); `extrapolated`
    is the GAM's own prediction where `value` had to be clipped to the observed range.
    """

    source: str
    run: str
    value: float
    config: dict
    note: str = ""
    retrain: str | None = None
    extrapolated: float | None = None


def best_observed(prepared: Prepared) -> Optimum:
    """The best run as observed, with its hyperparameters as given in the table."""
    i = prepared.best_position()
    config = run_config(prepared, i)
    return Optimum("best observed run", prepared.labels.iloc[i], float(prepared.y[i]), config)


def run_config(prepared: Prepared, i: int) -> dict:
    """Every hyperparameter of run `i` of a prepared table (see `table_config`)."""
    return table_config(prepared.rows, i, prepared.params, prepared.integers)


def table_config(rows: pd.DataFrame, i: int, params: list[str], integers=()) -> dict:
    """Every hyperparameter of row `i` as given in the table, its layer lists included, and an
    `integers` column's whole value as an integer (H2O's grid table writes ntrees 10 as 10.0)."""
    config = config_of(rows.iloc[i], params)
    for column in (c for c in config if c in rows.columns):
        lists = list_column(rows[column])  # an H2O grid's hidden "10" is [10]
        if lists is not None and lists[i] is not None:
            config[column] = lists[i]
    whole = {k for k, v in config.items() if isinstance(v, float) and v.is_integer()}
    return {k: int(v) if k in whole & set(integers) else v for k, v in config.items()}


def config_of(row: pd.Series, params: list[str]) -> dict:
    """The hyperparameters of one row of a results table, its layer lists included."""
    columns = list(params) + [c for c in LIST_COLUMNS if c in row.index and c not in params]
    return {c: plain(row[c]) for c in columns}


def plain(value: object) -> object:
    """A table cell as a plain Python value: lists parsed, numpy scalars unwrapped, NaN as None."""
    parsed = parse_list(value)
    if parsed is not None:
        return parsed
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def gam_suggestion(
    fit: GamFit, prepared: Prepared, seed: int = 0, folder: str | None = None
) -> Optimum | None:
    """The GAM's best prediction over the observed runs plus random points inside their box.

    When an observed run wins, its own configuration is suggested whole; a random point takes
    the GAM's variables from the point and the rest from the best observed run (see
    `point_config`). `folder`, the sweep folder analysed (None for a foreign table), names the
    retrain command.
    """
    if fit.model is None:
        return None
    candidates = candidate_points(fit, prepared, seed)
    predicted = fit.predict(candidates)
    i = prepared.goal.best_position(predicted)
    extreme = "minimum" if prepared.goal is Goal.MIN else "maximum"
    note = f"GAM {extreme} over {len(candidates)} candidates: "
    if i < len(prepared.y):
        config = run_config(prepared, i)
        note += f"the observed run {prepared.labels.iloc[i]}, whose configuration this is."
    else:
        config = point_config(fit, prepared, candidates.iloc[i])
        note += "a random point in the sampled box" + kept_from_best(fit, prepared, config) + "."
    note += too_few_runs(fit, prepared)
    value = float(predicted[i])
    note += poor_fit(value, prepared)
    warning = impossible_prediction(value, prepared, folder)
    retrain = folder if warning and folder else None
    extrapolated = value if warning else None
    if warning:
        value = float(np.clip(value, prepared.y.min(), prepared.y.max()))
    return Optimum(
        "GAM-suggested", "(predicted)", value, config, note + warning, retrain, extrapolated
    )


def point_config(fit: GamFit, prepared: Prepared, point: pd.Series) -> dict:
    """A candidate point as a configuration: its GAM variables (integers rounded) over the best
    observed run's values, with layer lists made to agree with the point's depth and sizes."""
    config = best_observed(prepared).config
    for column in fit.columns:
        if column in prepared.numeric:
            value = float(point[column])
            config[column] = round(value) if column in prepared.integers else value
    config.update(chosen_levels(fit, prepared, point))
    if "layers" in config and not {"depth", "SumNeurons"} & set(fit.columns):
        # the GAM moved layers/units alone: they win over the best run's depth and SumNeurons
        own = architecture({k: v for k, v in config.items() if k not in ARCHITECTURE})
        config |= {key: own[key] for key in ("depth", "SumNeurons") if key in config}
    return with_layers(config)


def kept_from_best(fit: GamFit, prepared: Prepared, config: dict) -> str:
    """The note's clause naming the hyperparameters the GAM left alone (the best run's values)."""
    varied = set(fit.columns) | {
        column for column, names in prepared.indicators.items() if set(names) & set(fit.columns)
    }
    if set(ARCHITECTURE) & varied:
        varied |= set(LIST_COLUMNS)
    kept = [c for c in config if c not in varied]
    return f"; {', '.join(kept)} as in the best observed run" if kept else ""


def too_few_runs(fit: GamFit, prepared: Prepared) -> str:
    """A caution when the runs were too few for the GAM to keep every hyperparameter."""
    if not fit.left_out:
        return ""
    return (
        f" With {len(prepared.y)} runs the GAM had to leave out {', '.join(fit.left_out)}:"
        " a rough guess, which more runs would sharpen."
    )


def poor_fit(value: float, prepared: Prepared) -> str:
    """A warning when the GAM's best prediction is nearer the median run than the best one:
    the fit misses the good runs, so its suggestion is not worth a retrain before the best's."""
    loss = prepared.goal.loss
    median = float(np.median(prepared.y))
    best = float(prepared.y[prepared.best_position()])
    if loss(value) - loss(best) <= (loss(median) - loss(best)) / 2:
        return ""
    return (
        f" Its best prediction, {prepared.target} = {value:.3g}, is nearer the median run "
        f"({median:.4g}) than the best run observed ({best:.4g}): the GAM does not fit the good "
        "runs, so retrain the best run before this suggestion."
    )


def impossible_prediction(value: float, prepared: Prepared, folder: str | None = None) -> str:
    """A warning when the GAM's minimum lies below zero though no run was: an MSE or a logloss
    cannot be negative, so the smooth extrapolates there (the suggestion's `value` is then
    clipped to the observed range, its `extrapolated` the prediction), and only a retrained
    model tells."""
    if prepared.goal is not Goal.MIN or value >= 0 or prepared.y.min() < 0:
        return ""
    command = f" {RETRAIN_HINT}" if folder else ""
    return (
        f" It predicts {prepared.target} = {value:.3g} there, below zero where no run was:"
        f" the additive fit extrapolates, so take it as a direction and retrain it{command}"
        " to measure it (the gamma or log GAM family keeps predictions above zero)."
    )


def candidate_points(fit: GamFit, prepared: Prepared, seed: int) -> pd.DataFrame:
    """The observed rows, then uniform draws inside the observed range of each GAM variable."""
    observed = prepared.table[fit.columns].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    draws = {}
    for column in fit.columns:
        if column not in prepared.numeric:
            continue
        values = rng.uniform(observed[column].min(), observed[column].max(), RANDOM_POINTS)
        draws[column] = np.round(values) if column in prepared.integers else values
    if {"depth", "SumNeurons"} <= set(draws):
        draws["SumNeurons"] = widths_within_support(observed, draws, rng)
    for names in prepared.indicators.values():
        picks = rng.integers(0, len(names), RANDOM_POINTS)
        for j, name in enumerate(names):
            if name in fit.columns:
                draws[name] = (picks == j).astype(float)
    return pd.concat([observed, pd.DataFrame(draws)[fit.columns]], ignore_index=True)


def widths_within_support(observed: pd.DataFrame, draws: dict, rng) -> np.ndarray:
    """SumNeurons drawn within the range seen at the drawn depth, so layers stay a sampled size."""
    values = np.array(draws["SumNeurons"])
    for depth in np.unique(draws["depth"]):
        seen = observed.loc[observed["depth"] == depth, "SumNeurons"]
        if seen.empty:
            continue
        where = draws["depth"] == depth
        values[where] = np.round(rng.uniform(seen.min(), seen.max(), int(where.sum())))
    return values


def chosen_levels(fit: GamFit, prepared: Prepared, point: pd.Series) -> dict[str, str]:
    """The category level a candidate point stands for, for each categorical in the GAM."""
    chosen = {}
    for column, names in prepared.indicators.items():
        used = [n for n in names if n in fit.columns]
        if not used:
            continue
        levels = prepared.categorical[column]
        on = [lv for n, lv in zip(names, levels, strict=True) if n in used and point[n] > 0.5]
        chosen[column] = on[0] if on else levels[0]
    return chosen

"""The blog's preprocessing: drop missing targets, mean-fill, one indicator per category level.

Every step that changes the table adds a sentence to `Prepared.notes`, which the report and the
CLI show, so a reader knows what the numbers were computed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from h2osweep.errors import UserInputError
from h2osweep.record.columns import (
    dropout_summary,
    is_dropout_column,
    is_layer_column,
    layer_summary,
    parse_list,
)
from h2osweep.record.goal import Goal

LABEL_COLUMNS = ("name", "Name", "run", "model_id", "model_ids", "number", "id")


@dataclass
class Prepared:
    """A results table ready for the analyses: numeric features, the target and notes."""

    table: pd.DataFrame
    target: str
    goal: Goal
    numeric: list[str]
    categorical: dict[str, list[str]]
    indicators: dict[str, list[str]]
    integers: list[str]
    original: pd.DataFrame
    labels: pd.Series
    rows: pd.DataFrame
    params: list[str]
    notes: list[str] = field(default_factory=list)
    contenders: np.ndarray | None = None  # rows that may win (a multi-fidelity top rung)

    @property
    def features(self) -> list[str]:
        """Every feature column: numeric hyperparameters then all indicator columns."""
        return self.numeric + [c for cols in self.indicators.values() for c in cols]

    @property
    def treatment(self) -> list[str]:
        """Feature columns with each categorical's first (reference) level left out, as in R."""
        return self.numeric + [c for cols in self.indicators.values() for c in cols[1:]]

    @property
    def y(self) -> np.ndarray:
        """The target as a float array."""
        return self.table[self.target].to_numpy(dtype=float)

    @property
    def contending(self) -> int:
        """How many runs may win."""
        return len(self.y) if self.contenders is None else int(self.contenders.sum())

    def best_position(self) -> int | None:
        """Position of the best run among the contenders (every run unless some are set)."""
        if self.contenders is None:
            return self.goal.best_position(self.y)
        return self.goal.best_position(np.where(self.contenders, self.y, np.nan))


def prepare(frame: pd.DataFrame, target: str, params: list[str], goal: str = "min") -> Prepared:
    """Apply the blog's preprocessing to `frame` for `target` over the `params` columns."""
    goal = Goal.parse(goal)
    notes: list[str] = []
    y = numeric_target(frame, target)
    keep = y.notna().to_numpy()
    if not keep.all():
        notes.append(f"Dropped {int((~keep).sum())} run(s) whose {target} is missing.")
    infinite = np.isinf(y.to_numpy())
    if infinite.any():
        notes.append(f"Dropped {int(infinite.sum())} run(s) whose {target} is infinite (diverged).")
        keep = keep & ~infinite
    frame = frame.loc[keep].reset_index(drop=True)
    y = y.loc[keep].reset_index(drop=True)
    if len(frame) < 2:
        raise UserInputError(f"need at least 2 runs with a {target} to analyse, found {len(frame)}")
    if (y == y.iloc[0]).all():
        raise UserInputError(
            f"target {target!r} has a single value ({y.iloc[0]:.6g}) in every run: "
            "nothing to explain"
        )
    hyper = expand_lists(frame[params].copy(), notes, taken=[target])
    original = hyper.copy()
    numeric, categorical = split_types(hyper)
    num = fill_numeric(hyper[numeric], notes, conditions(hyper, numeric, categorical))
    cats = fill_categorical(hyper[categorical], notes)
    num, cats = drop_constant(num, cats, notes)
    if num.empty and cats.empty:
        raise UserInputError(
            f"no hyperparameter varies across the {len(frame)} runs with a {target} (each is "
            "constant or missing): nothing to explain it by"
        )
    indicators, dummies = encode(cats, notes, taken=[*num.columns, target])
    table = pd.concat([num, dummies, y.rename(target).astype(float)], axis=1)
    integers = [c for c in num.columns if is_integral(num[c])]
    return Prepared(
        table=table,
        target=target,
        goal=goal,
        numeric=list(num.columns),
        categorical={c: levels_of(cats[c]) for c in cats.columns},
        indicators=indicators,
        integers=integers,
        original=original,
        labels=run_labels(frame),
        rows=frame,
        params=list(params),
        notes=notes,
    )


def numeric_target(frame: pd.DataFrame, target: str) -> pd.Series:
    """The target column as numbers; a text or all-missing target is the user's mistake."""
    column = frame[target]
    values = pd.to_numeric(column, errors="coerce")
    if values.isna().all():
        if column.notna().any():
            raise UserInputError(
                f"target {target!r} is not numeric (e.g. {column.dropna().iloc[0]!r})"
            )
        raise UserInputError(f"target {target!r} is missing in every run")
    bad = values.isna() & column.notna()
    if bad.any():
        raise UserInputError(f"target {target!r} is not numeric (e.g. {column[bad].iloc[0]!r})")
    return values.astype(float)


def list_column(column: pd.Series) -> list | None:
    """The parsed lists of a column whose every non-missing cell is a list, else None.

    In a layer column a lone number is a one-layer list: an H2O grid table writes `hidden`
    as "5" for [5] beside "[5, 5]".
    """
    values = column.dropna()
    if values.empty or pd.api.types.is_numeric_dtype(column):
        return None
    parsed = [parse_list(v) for v in column]
    if is_layer_column(str(column.name)) and any(p is not None for p in parsed):
        pairs = zip(parsed, column, strict=True)
        parsed = [p if p is not None else _one_layer(v) for p, v in pairs]
    present = [p for p, v in zip(parsed, column.notna(), strict=True) if v]
    return parsed if all(p is not None for p in present) else None


def _one_layer(cell: object) -> list | None:
    """A number cell (5, "5") as the list [5]; anything else None."""
    number = pd.to_numeric(pd.Series([cell]), errors="coerce").iloc[0]
    return None if pd.isna(number) else [number.item() if hasattr(number, "item") else number]


def expand_lists(hyper: pd.DataFrame, notes: list[str], taken=()) -> pd.DataFrame:
    """Replace hidden-layer lists (sizes, dropouts) by depth, SumNeurons and MeanHiddenDropout
    (each unless a column, or a name in `taken` such as the target, already has that name);
    other list columns are analysed as they are (one-value lists as that value)."""
    for column in list(hyper.columns):
        parsed = list_column(hyper[column])
        if parsed is None:
            continue
        if not is_layer_column(str(column)):
            hyper[column] = unwrap_single(hyper[column], parsed, column, notes)
            continue
        hyper = hyper.drop(columns=column)
        summaries = list_summaries(column, parsed)
        derived = {n: v for n, v in summaries.items() if n not in [*hyper.columns, *taken]}
        for name, values in derived.items():
            hyper[name] = values
        what = ", ".join(derived) or "nothing (already present)"
        notes.append(f"List-valued {column} replaced by {what}.")
        notes.extend(shadowed(column, summaries, hyper))
    return hyper


def unwrap_single(column: pd.Series, parsed: list, name: str, notes: list[str]) -> pd.Series:
    """A list column whose every list holds one value (glm's `alpha` in an H2O grid table,
    "[0.5]") as those values; longer lists stay as they are, one category per list."""
    present = [p for p in parsed if p is not None]
    if not all(len(p) == 1 and not isinstance(p[0], list) for p in present):
        return column
    notes.append(f"One-value lists of {name} read as their value.")
    values = [p[0] if p is not None else np.nan for p in parsed]
    return pd.Series(values, index=column.index, name=column.name)


def list_summaries(column: str, parsed: list) -> dict[str, list]:
    """Summaries of one list column: mean for dropouts, depth and sum for layer sizes."""
    summarise = dropout_summary if is_dropout_column(column) else layer_summary
    rows = [summarise(p) if p else None for p in parsed]
    return {name: [row[name] if row else np.nan for row in rows] for name in summarise([1])}


def shadowed(column: str, summaries: dict[str, list], hyper: pd.DataFrame) -> list[str]:
    """Notes for the summaries of `column` that a table column of the same name but other
    values stands in for (its own `depth` beside a `hidden` list): that column is analysed."""
    notes = []
    for name in (n for n in summaries if n in hyper.columns):
        lists = np.asarray(summaries[name], dtype=float)
        own = pd.to_numeric(hyper[name], errors="coerce").to_numpy(dtype=float)
        differ = int((~np.isclose(lists, own, equal_nan=True) & ~np.isnan(lists)).sum())
        if differ:
            notes.append(
                f"The table's own {name} is analysed, not the {name} of {column}'s lists "
                f"(they differ in {differ} run(s)); rename that column to analyse both."
            )
    return notes


def split_types(hyper: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Numeric (numbers, booleans, numeric text) and categorical (other text) columns."""
    numeric, categorical = [], []
    for column in hyper.columns:
        values = hyper[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            numeric.append(column)
            continue
        converted = pd.to_numeric(values, errors="coerce")
        is_number = converted.notna().sum() == values.notna().sum() and values.notna().any()
        (numeric if is_number else categorical).append(column)
    return numeric, categorical


def conditions(hyper: pd.DataFrame, numeric: list[str], categorical: list[str]) -> dict:
    """For each number set in some runs only, the category that decides where (Optuna's
    `momentum` only where `optimizer` is sgd): {column: (category, levels where it is set)}."""
    levels = {c: hyper[c].astype("string") for c in categorical if hyper[c].notna().all()}
    found = {}
    for column in numeric:
        unset = hyper[column].isna()
        if not unset.any() or unset.all():
            continue
        for category, values in levels.items():
            where = set(values[~unset])
            if where.isdisjoint(values[unset]):
                found[column] = (category, sorted(where))
                break
    return found


def fill_numeric(num: pd.DataFrame, notes: list[str], conditional=None) -> pd.DataFrame:
    """Numbers as floats, missing values replaced by the column mean (the blog's choice); a
    conditional parameter's note says which runs never used it."""
    conditional = conditional or {}
    num = num.apply(lambda c: pd.to_numeric(c, errors="coerce").astype(float))
    for column in num.columns:
        if infinite := int(np.isinf(num[column]).sum()):
            num[column] = num[column].replace([np.inf, -np.inf], np.nan)
            notes.append(f"Counted {infinite} infinite {column} as missing.")
        missing = int(num[column].isna().sum())
        if missing == len(num):
            continue
        if missing:
            mean = num[column].mean()
            num[column] = num[column].fillna(mean)
            note = f"Filled {missing} missing {column} with the column mean {mean:.6g}"
            if column in conditional:
                category, levels = conditional[column]
                note += (f"; {column} is set only where {category} is {' or '.join(levels)} "
                         "(a conditional parameter): the other runs never used it")  # fmt: skip
            notes.append(note + ".")
    return num


def fill_categorical(cats: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Categories as text, missing values replaced by the most frequent level."""
    cats = cats.apply(lambda c: c.map(lambda v: v if pd.isna(v) else str(v)))
    for column in cats.columns:
        missing = int(cats[column].isna().sum())
        if missing and missing < len(cats):
            mode = sorted(cats[column].mode().tolist())[0]
            cats[column] = cats[column].fillna(mode)
            notes.append(
                f"Filled {missing} missing {column} with its most frequent level {mode!r}."
            )
    return cats


def drop_constant(num: pd.DataFrame, cats: pd.DataFrame, notes: list[str]):
    """Drop columns that are all missing or take one value: they cannot explain anything."""
    for frame in (num, cats):
        for column in list(frame.columns):
            values = frame[column]
            if values.isna().all():
                notes.append(f"Dropped {column}: missing in every run.")
            elif (values == values.iloc[0]).all():
                notes.append(f"Dropped {column}: constant ({values.iloc[0]}).")
            else:
                continue
            del frame[column]
    return num, cats


def levels_of(column: pd.Series) -> list[str]:
    """Sorted levels of a categorical column, as R's `factor` orders them."""
    return sorted(column.dropna().unique().tolist())


def encode(
    cats: pd.DataFrame, notes: list[str], taken=()
) -> tuple[dict[str, list[str]], pd.DataFrame]:
    """One 0/1 indicator per level, named `column_level` (`column[level]` where that name is
    taken by another column); the first level is the reference."""
    indicators: dict[str, list[str]] = {}
    parts = []
    used = set(taken) | set(cats.columns)
    for column in cats.columns:
        levels = levels_of(cats[column])
        names = [indicator_name(column, level, used) for level in levels]
        used |= set(names)
        block = pd.DataFrame(
            {n: (cats[column] == lv).astype(float) for n, lv in zip(names, levels, strict=True)}
        )
        indicators[column] = names
        parts.append(block)
        notes.append(
            f"Categorical {column} → indicators {', '.join(names)}; "
            f"reference level for OLS: {levels[0]!r}."
        )
    return indicators, pd.concat(parts, axis=1) if parts else pd.DataFrame(index=cats.index)


def indicator_name(column: str, level: str, used: set) -> str:
    """`column_level`, or `column[level]` when a column already has the first name."""
    name = f"{column}_{level}"
    return name if name not in used else f"{column}[{level}]"


def is_integral(column: pd.Series) -> bool:
    """True when every value is a whole number (depth, epochs, neurons)."""
    values = column.to_numpy(dtype=float)
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def run_labels(frame: pd.DataFrame) -> pd.Series:
    """A readable label per run: its name or id column, else its row number."""
    for column in LABEL_COLUMNS:
        if column in frame.columns:
            return frame[column].astype(str).reset_index(drop=True)
    return pd.Series([f"row {i + 1}" for i in range(len(frame))])

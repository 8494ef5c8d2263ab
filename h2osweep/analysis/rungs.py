"""A multi-fidelity sweep's rungs in the analysis: its top-rung runs by default (the budget
every configuration would have had), or every rung with the budget as a hyperparameter; and
the compute its early stops saved."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from h2osweep.errors import UserInputError
from h2osweep.record.runs import config_name

RUNG, BUDGET = "rung", "budget"
CONFIG = "configuration"  # a rung's configuration, in the rung table only


@dataclass
class Rungs:
    """The rows analysed, every rung's row (for the rung plot) and what the choice means."""

    frame: pd.DataFrame
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)


def is_multi_fidelity(frame: pd.DataFrame) -> bool:
    return {RUNG, BUDGET} <= set(frame.columns) and frame[BUDGET].notna().any()


def choose_rungs(
    frame: pd.DataFrame, budget_name: str, all_rungs: bool = False, full: float | None = None
) -> Rungs:
    """The top-rung runs (or, with `all_rungs`, every rung with its budget named `budget_name`
    as a hyperparameter); a single-fidelity table is returned as it is. `full` is the top
    budget the sweep records, of which an interrupted sweep may have no run yet."""
    if not is_multi_fidelity(frame):
        single = frame.drop(columns=[c for c in (RUNG, BUDGET) if c in frame])
        notes = ["Every rung was asked for, but the table has none (not a multi-fidelity "
                 "sweep): every run is analysed."] if all_rungs else []  # fmt: skip
        return Rungs(single, notes=notes)
    table = rung_table(frame)
    table.attrs |= {"budget_name": budget_name, "full": full}
    notes = [compute_note(table, budget_name)]
    if all_rungs:
        kept = frame.drop(columns=RUNG).rename(columns={BUDGET: budget_name})
        notes.append(f"Every rung is analysed, with {budget_name} as a hyperparameter.")
        return Rungs(kept.reset_index(drop=True), table, notes)
    top = frame[BUDGET].max()
    kept = frame[frame[BUDGET] == top].drop(columns=[RUNG, BUDGET])
    if len(kept) < 2:
        raise UserInputError(
            f"only {len(kept)} configuration(s) reached the top rung ({budget_name} {top:g}): "
            "analyse every rung with {all_rungs}",
            "all_rungs",
        )
    notes.append(
        f"Multi-fidelity sweep: the {len(kept)} top-rung runs ({budget_name} {top:g}) are "
        f"analysed; {len(frame) - len(kept)} lower-rung runs are left out (all rungs on request)."
    )
    if full is not None and top < full:
        notes.append(
            f"No run has reached the sweep's top rung ({budget_name} {full:g}) yet: the highest "
            f"rung trained ({top:g}) is analysed in its place."
        )
    return Rungs(kept.reset_index(drop=True), table, notes)


def rung_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every rung's row with its configuration's name, in budget order."""
    names = [
        config_name(str(key), int(rung))
        for key, rung in zip(frame["name"], frame[RUNG], strict=True)
    ]
    return frame.assign(**{CONFIG: names}).sort_values([CONFIG, BUDGET]).reset_index(drop=True)


def trained_budget(table: pd.DataFrame) -> float:
    """The budget actually trained: each rung adds what it trained beyond the rung below."""
    steps = table.groupby(CONFIG)[BUDGET].diff().fillna(table[BUDGET])
    return float(steps.sum())


def compute_note(table: pd.DataFrame, budget_name: str) -> str:
    """How much less the early stops trained than every configuration at the top budget."""
    trained = trained_budget(table)
    full = table[CONFIG].nunique() * (table.attrs.get("full") or table[BUDGET].max())
    return (
        f"Compute: {trained:g} {budget_name} trained in all, where all "
        f"{table[CONFIG].nunique()} configurations at the top budget would take {full:g} "
        f"({full / trained:.2g}x less)."
    )

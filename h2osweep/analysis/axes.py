"""Each hyperparameter as an axis in its own units: linear, log (for a log-scaled parameter) or
its category levels, with tick positions and labels. The parallel coordinates (static and
interactive) and the slice plot all draw from these, so they agree on scales and ticks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from h2osweep.analysis.preprocess import Prepared
from h2osweep.analysis.scales import is_log_scaled
from h2osweep.analysis.trials import prepared_params

TICKS = 5


@dataclass(frozen=True)
class Axis:
    """One hyperparameter's axis: `coded` are the runs' values in axis units (log10 for a log
    axis, the level's position for a category), `ticks` (axis units) with their `labels`."""

    name: str
    kind: str  # "linear", "log" or "category"
    coded: np.ndarray
    ticks: np.ndarray
    labels: list[str]

    @property
    def low(self) -> float:
        return float(min(self.coded.min(), self.ticks.min(initial=self.coded.min())))

    @property
    def high(self) -> float:
        return float(max(self.coded.max(), self.ticks.max(initial=self.coded.max())))

    def scaled(self, values: np.ndarray) -> np.ndarray:
        """Axis units mapped to 0-1 over the axis' span."""
        span = self.high - self.low
        return (values - self.low) / span if span > 0 else np.full(len(values), 0.5)


def short_number(value: float) -> str:
    """A tick label: 0.0025 and 1500 as written, tiny or huge numbers as 2.5e-05."""
    return f"{value:.4g}" if value == 0 or 1e-3 <= abs(value) < 1e5 else f"{value:.2g}"


def numeric_axis(name: str, values: np.ndarray, integral: bool) -> Axis:
    """A linear or log axis with a few round ticks inside the observed range."""
    from matplotlib.ticker import LogLocator, MaxNLocator

    low, high = float(values.min()), float(values.max())
    if is_log_scaled(values):
        locator = LogLocator(base=10, subs=(1.0, 2.0, 5.0), numticks=12)
        ticks = np.array([t for t in locator.tick_values(low, high) if low <= t <= high])
        if len(ticks) > 2 * TICKS:
            ticks = np.array([t for t in ticks if np.isclose(np.log10(t), round(np.log10(t)))])
        return Axis(
            name, "log", np.log10(values), np.log10(ticks), [short_number(t) for t in ticks]
        )
    ticks = MaxNLocator(TICKS, integer=integral).tick_values(low, high)
    ticks = np.array([t for t in ticks if low - 1e-12 * abs(low) <= t <= high + 1e-12 * abs(high)])
    return Axis(name, "linear", values, ticks, [short_number(t) for t in ticks])


def category_axis(name: str, values: pd.Series, levels: list[str]) -> Axis:
    """Levels in sorted order, evenly spaced."""
    position = {level: i for i, level in enumerate(levels)}
    coded = values.map(position).to_numpy(dtype=float)
    return Axis(name, "category", coded, np.arange(len(levels), dtype=float), list(levels))


def axes_of(prepared: Prepared) -> list[Axis]:
    """Every hyperparameter of the prepared table as an axis (numbers, then categories)."""
    params = prepared_params(prepared)
    axes = [
        numeric_axis(c, params[c].to_numpy(dtype=float), c in prepared.integers)
        for c in prepared.numeric
    ]
    axes += [category_axis(c, params[c], prepared.categorical[c]) for c in prepared.indicators]
    return axes


def parallel_axes(prepared: Prepared) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs on the parallel axes (`axis0`, `axis1`, ... scaled 0-1, `colour` the target)
    and the ticks (`axis` name, `position` on x, `y` on 0-1, `label` in the axis' units)."""
    axes = axes_of(prepared)
    runs = pd.DataFrame({f"axis{i}": axis.scaled(axis.coded) for i, axis in enumerate(axes)})
    runs["colour"] = prepared.y
    ticks = pd.DataFrame(
        [
            (axis.name + (" (log)" if axis.kind == "log" else ""), float(i), float(y), label)
            for i, axis in enumerate(axes)
            for y, label in zip(axis.scaled(axis.ticks), axis.labels, strict=True)
        ],
        columns=["axis", "position", "y", "label"],
    )
    return runs, ticks


def slice_points(prepared: Prepared) -> pd.DataFrame:
    """One row per run and hyperparameter: `panel` (its name, with the scale when not linear),
    `x` in axis units, `y` the target, `run` the run's position in the table."""
    parts = []
    axes = axes_of(prepared)
    for axis in axes:
        parts.append(
            pd.DataFrame(
                {
                    "panel": panel_name(axis),
                    "x": axis.coded,
                    "y": prepared.y,
                    "run": np.arange(1, len(prepared.y) + 1),
                }
            )  # fmt: skip
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["panel"] = pd.Categorical(frame["panel"], categories=[panel_name(a) for a in axes])
    return frame


def panel_name(axis: Axis) -> str:
    """A slice panel's title: the name, `log10` for a log axis, the levels for a category."""
    if axis.kind == "log":
        return f"{axis.name} (log10)"
    if axis.kind == "category":
        return f"{axis.name} ({', '.join(f'{i}={v}' for i, v in enumerate(axis.labels))})"
    return axis.name

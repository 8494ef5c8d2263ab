"""What a sweep trains and what it gets back: a planned run and its finished result."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

OK = "ok"
FAILED = "failed"
STATUSES = (OK, FAILED)


def value_text(value) -> str:
    """A configuration value as text that tells values apart (lists, numpy numbers and all)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class RunSpec:
    """One planned model: a unique name, the sampler's seed (if any) and its configuration.

    `budget` is what this run trains to (epochs for deep learning) when a strategy sets it per
    run, and `rung` numbers the budgets one configuration climbs in a multi-fidelity search
    (`final`: this rung trains the full budget; only final runs compete for the best;
    `climbs`: the configuration was trained to the rung below, whose model this run continues).
    A single-fidelity run keeps the defaults and trains to the sweep's setting.
    """

    name: str
    config: dict
    seed: int | None = None
    position: int = 0
    budget: float | None = None
    rung: int = 0
    final: bool = True
    climbs: bool = False


@dataclass
class RunResult:
    """A finished run: status, metrics (`train_mse`, `test_mse`, ...), confusion matrices."""

    spec: RunSpec
    status: str
    metrics: dict = field(default_factory=dict)
    confusion: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    error: str | None = None
    model_id: str | None = None
    build_seconds: float | None = None
    model: object = None
    note: str | None = None  # e.g. a continuation that had to train from scratch
    cluster: str | None = None  # the pool's cluster that built it (None: the only one)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def ok(self) -> bool:
        return self.status == OK

    def metric(self, name: str) -> float:
        """One metric, NaN when the run has none."""
        value = self.metrics.get(name)
        return math.nan if value is None else float(value)


@dataclass(frozen=True)
class StoredRun:
    """A run as the store holds it, for a strategy resuming its search: name, status, metrics."""

    name: str
    status: str
    metrics: dict
    rung: int = 0
    config: dict = field(default_factory=dict)
    seed: int | None = None
    position: int = 0

    @property
    def ok(self) -> bool:
        return self.status == OK

    def metric(self, name: str) -> float:
        """One metric, NaN when the run has none (or failed)."""
        value = self.metrics.get(name) if self.ok else None
        return math.nan if value is None else float(value)


def run_key(spec: RunSpec) -> str:
    """The run's name in the store and results.csv: its configuration's name, with the budget
    of a multi-fidelity rung above the first (`m_5@3`: configuration m_5 trained to 3)."""
    return spec.name if spec.rung == 0 else f"{spec.name}@{spec.budget:g}"


def config_name(key: str, rung: int) -> str:
    """The configuration a stored run's key names (the inverse of `run_key`)."""
    return key if rung == 0 else key.rsplit("@", 1)[0]

"""A sweep folder: `store.sqlite` (the truth, one transaction per finished run, with its metrics
indexed), `results.csv` (one line appended per run, rebuilt from the store when needed: see
results_csv.py), `sweep.json` (what the sweep is), and a lock file.

A folder belongs to one sweep definition (space or grid, training settings, data): resuming with
another is refused unless `force_new`, which moves the old files aside instead of deleting them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import math
import os
import platform
import shlex
import sqlite3
from pathlib import Path

import pandas as pd

from h2osweep.errors import DamagedStoreError, StoreError, UserInputError
from h2osweep.record.columns import ALL_METRIC_COLUMNS
from h2osweep.record.goal import Objective
from h2osweep.record.runs import OK, RunResult, StoredRun, config_name, run_key
from h2osweep.store.files import temporary_prefix, write_atomic
from h2osweep.store.mismatch import mismatch_error
from h2osweep.store.results_csv import CsvState, PlanKey, ResultsCsv, write_table
from h2osweep.store.table import (
    StoredMetrics,
    confusion_from_json,
    confusion_to_json,
    record_config,
    results_frame,
    run_record,
)
from h2osweep.training.algorithms import DEEPLEARNING

DATABASE = "store.sqlite"
RESULTS = "results.csv"
DESCRIPTION = "sweep.json"
LOCK = ".lock"
# what a sweep's store keeps in its folder (force_new moves them aside; an export never
# writes over them)
STORE_FILES = (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", RESULTS, DESCRIPTION)
STUDY_FILE = "optuna.sqlite"  # a model-based search's Optuna study
REPORT_FOLDER = "report"  # the report a sweep refreshes as it runs (--report-every)
OPTIMIZED = "optimized_{choice}.csv"  # optimize's comparison of a retrained configuration
CHECKPOINTS = "checkpoints"  # lower rungs' models a multi-fidelity resume may continue
# what else the sweep's commands write beside the store, which force_new moves aside with it
SWEEP_OUTPUTS = (f"{STUDY_FILE}*", REPORT_FOLDER, OPTIMIZED.format(choice="*"), CHECKPOINTS)
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    seed INTEGER,
    status TEXT NOT NULL,
    config TEXT NOT NULL,
    metrics TEXT NOT NULL,
    confusion TEXT,
    error TEXT,
    model_id TEXT,
    build_seconds REAL,
    attempts INTEGER NOT NULL DEFAULT 1,
    finished_at TEXT NOT NULL,
    rung INTEGER NOT NULL DEFAULT 0,
    budget REAL,
    final INTEGER NOT NULL DEFAULT 1
);
"""
# Columns a multi-fidelity search added to the runs table (a store from before gets them).
RUNG_COLUMNS = {
    "rung": "INTEGER NOT NULL DEFAULT 0",
    "budget": "REAL",
    "final": "INTEGER NOT NULL DEFAULT 1",
}
RUNG_DEFAULTS = {"rung": "0", "budget": "NULL", "final": "1"}
# Added to a store of any age on opening (an older one gets its metrics indexed then, once).
METRICS_TABLE = """CREATE TABLE metrics (
    name TEXT NOT NULL,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (name, metric)
) WITHOUT ROWID"""
METRICS_INDEXES = (
    "CREATE INDEX metrics_rank ON metrics (metric, value, position, name)",
    "CREATE INDEX IF NOT EXISTS runs_plan ON runs (position, name)",
)
# The stored fields a results-table record is made of (`table.run_record`'s arguments).
RECORD_FIELDS = (
    *("name", "seed", "status", "error", "config", "metrics", "build_seconds", "model_id"),
    *("rung", "budget"),
)
SELECT_RECORDS = f"SELECT {', '.join(RECORD_FIELDS)} FROM runs"
INSERT_METRIC = "INSERT INTO metrics (name, metric, value, position) VALUES (?, ?, ?, ?)"
CSV_STATE = "csv"  # the meta key of results.csv's state
SQLITE_LARGEST = 2**63 - 1  # the largest LIMIT SQLite takes


def check_folder(folder: Path, definition: dict, *, force_new: bool = False) -> None:
    """Everything `open_store` would refuse, checked without writing anything."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise StoreError(
            f"{{out}} {folder} is a file; give a folder for the sweep's results", "out"
        )
    if not folder.exists():
        parent = _existing_parent(folder)
        if not os.access(parent, os.W_OK | os.X_OK):
            raise StoreError(f"cannot create {folder}: {parent} is not writable")
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write to {folder}: the folder is not writable")
    if (folder / LOCK).exists():
        with open(folder / LOCK) as handle:
            _lock(handle, folder)
    if force_new:
        return  # whatever the folder holds is moved aside, damaged or not
    stored = _stored_definition(folder)
    if stored is not None and stored != definition:
        raise mismatch_error(folder, stored, definition)
    orphans = _orphans(folder)
    if orphans:
        raise StoreError(
            f"{folder} has {' and '.join(orphans)} but no {DATABASE} (not an h2osweep sweep, "
            "or its store was removed); use another {out}, or {force_new} to move them aside",
            "out",
            "force_new",
        )


def open_store(
    folder: Path, definition: dict, *, force_new: bool = False, outputs: tuple[str, ...] = ()
) -> ResultsStore:
    """Open (or create) the sweep folder for this definition, holding its lock until closed;
    `outputs` are glob patterns of what else the caller writes there (moved aside with the
    store when it starts over, as `SWEEP_OUTPUTS` are)."""
    folder = Path(folder)
    check_folder(folder, definition, force_new=force_new)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / LOCK, "a+")  # noqa: SIM115 - held for the store's lifetime
    except OSError as error:
        raise StoreError(f"cannot use {folder}: {error.strerror}") from error
    _lock(lock, folder)
    _write_holder(lock)
    if _holds_another(folder, definition, force_new):
        _move_aside(folder, (*SWEEP_OUTPUTS, *outputs))
    return ResultsStore(folder, definition, lock)


class ResultsStore:
    """The runs of one sweep; `commit` makes a finished run durable before returning."""

    def __init__(self, folder: Path, definition: dict, lock) -> None:
        self.folder = folder
        self.definition = definition
        self._lock = lock
        try:
            self._db = sqlite3.connect(folder / DATABASE, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            _add_rung_columns(self._db)
            self._index_metrics()
            self._write_definition()
            self._csv = ResultsCsv(folder / RESULTS, _csv_state(self._db))
            _remove_leftovers(folder)
            if not self._csv.is_current():
                self._settle_csv()
        except (sqlite3.Error, OSError, StoreError) as error:
            self.close()
            if isinstance(error, StoreError):
                raise
            if _is_damage(error):
                raise _damaged_error(folder / DATABASE, error) from error
            raise StoreError(f"cannot write the sweep store in {folder}: {error}") from error

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        try:
            if exc_type is None:
                self.finish()
        finally:
            self.close()

    def finish(self) -> None:
        """End a session with results.csv exactly as a rebuild would write it (plan order)."""
        if not self._csv.state.pristine:
            self._settle_csv()

    def close(self) -> None:
        """Release the database and the folder's lock."""
        with contextlib.suppress(Exception):
            self._db.close()
        with contextlib.suppress(Exception):
            self._lock.close()

    def finished(self) -> set[str]:
        """Names of runs that ended `ok` (a resume skips them; failed runs are tried again)."""
        rows = self._db.execute("SELECT name FROM runs WHERE status = ?", (OK,))
        return {name for (name,) in rows}

    @property
    def sweep_id(self) -> str:
        """A short id of the sweep, from its definition as the folder first recorded it (so an
        older folder's models and study keep their names)."""
        description = _read_json(self.folder / DESCRIPTION) or {}
        return definition_id(description.get("definition", self.definition))

    def stored_runs(self) -> list[StoredRun]:
        """Every stored run's name, status and metrics (exact floats), in plan order."""
        rows = self._db.execute(
            "SELECT name, status, metrics, rung, config, seed, position FROM runs "
            "ORDER BY position, name"
        )
        return [
            StoredRun(
                config_name(key, rung),
                status,
                StoredMetrics(metrics),
                rung,
                json.loads(config),
                seed,
                position,
            )  # fmt: skip
            for key, status, metrics, rung, config, seed, position in rows
        ]

    def commit(self, result: RunResult) -> None:
        """Store one finished run in a single transaction, then append it to results.csv (or
        rebuild that from the store when a line cannot be appended)."""
        spec = result.spec
        row = _run_row(result)
        record = run_record(**{field: row[field] for field in RECORD_FIELDS})
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                new = _write_run(self._db, row, record)
                state, line = self._csv.state.after(record, (spec.position, spec.name), new)
                _save_csv_state(self._db, state)
        except sqlite3.Error as error:
            raise StoreError(
                f"could not store run {spec.name} in {self.folder}: {error}; the runs stored "
                "before it are safe: free space or fix the folder, then run the same command "
                "again to resume"
            ) from error
        try:
            self._csv.committed(state, line)
        except OSError as error:
            raise _csv_error(self.folder, error) from error
        if self._csv.rebuild_due():
            self.rebuild_csv()

    def results(self) -> pd.DataFrame:
        """One row per run, in plan order, with the columns of results.csv."""
        rows = self._db.execute(f"{SELECT_RECORDS} ORDER BY position, name")
        return results_frame(rows.fetchall())

    def best(self, objective: Objective) -> tuple[float, str] | None:
        """The best stored value of the objective's metric among finished runs, and its run."""
        return _best(self._db, objective)

    def attempts(self) -> dict[str, int]:
        """How many times each run was trained and stored (finished runs: once)."""
        return dict(self._db.execute("SELECT name, attempts FROM runs"))

    def rebuild_csv(self) -> None:
        """Rewrite results.csv from the database, atomically and in plan order."""
        try:
            state = self._csv.rebuild(lambda: _plan_records(self._db), _last_key(self._db))
        except OSError as error:
            raise _csv_error(self.folder, error) from error
        with contextlib.suppress(sqlite3.Error):  # the next start checks the file again
            _save_csv_state(self._db, state)

    def _settle_csv(self) -> None:
        """Put results.csv in plan order with every stored run, from its own lines when they
        can be trusted (fast), else rebuilt from the store."""
        try:
            reordered = self._csv.resequence(
                _plan_keys(self._db), lambda names: _records_named(self._db, names)
            )
        except OSError as error:
            raise _csv_error(self.folder, error) from error
        if not reordered:
            self.rebuild_csv()
            return
        with contextlib.suppress(sqlite3.Error):  # the next start checks the file again
            _save_csv_state(self._db, self._csv.state)

    def record_session(self, cluster: dict) -> None:
        """Add this session's cluster (no credentials) and versions to sweep.json."""
        description = _read_json(self.folder / DESCRIPTION) or {}
        description.setdefault("sessions", []).append(
            {"started": _now(), "cluster": cluster, "versions": _versions()}
        )
        write_atomic(self.folder / DESCRIPTION, json.dumps(description, indent=2))

    def record_selection(self, objective: Objective) -> Objective | None:
        """Note in sweep.json the objective that now ranks the runs (what `show`, `analyze`
        and `optimize` default to); the one it replaces, if another was recorded."""
        description = _read_json(self.folder / DESCRIPTION) or {}
        before = description.get("selection")
        description["selection"] = {"metric": objective.metric, "goal": str(objective.goal)}
        write_atomic(self.folder / DESCRIPTION, json.dumps(description, indent=2))
        if not isinstance(before, dict) or before == description["selection"]:
            return None
        return Objective(before.get("metric", "test_mse"), before.get("goal", "min"))

    def _index_metrics(self) -> None:
        """Create the metric index, filled from the stored runs (an older store), atomically."""
        if _has_table(self._db, "metrics"):
            return
        runs = self._db.execute("SELECT name, position, metrics FROM runs")
        rows = sorted(
            metric
            for name, position, metrics in runs
            for metric in _metric_rows(name, position, json.loads(metrics))
        )
        with self._db:  # filled in key order, indexed afterwards: the fast way for SQLite
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(METRICS_TABLE)
            self._db.executemany(INSERT_METRIC, rows)
            for statement in METRICS_INDEXES:
                self._db.execute(statement)

    def _write_definition(self) -> None:
        existing = _read_json(self.folder / DESCRIPTION)
        if existing is not None:
            return
        description = {"definition": self.definition, "created": _now(), "versions": _versions()}
        self._db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('definition', ?)",
            (json.dumps(self.definition),),
        )
        write_atomic(self.folder / DESCRIPTION, json.dumps(description, indent=2))


def _run_row(result: RunResult) -> dict:
    """The runs table's row of a result."""
    spec = result.spec
    return {
        "name": run_key(spec),
        "position": spec.position,
        "seed": spec.seed,
        "status": result.status,
        "config": json.dumps(spec.config),
        "metrics": json.dumps(result.metrics),
        "confusion": confusion_to_json(result.confusion),
        "error": result.error,
        "model_id": result.model_id,
        "build_seconds": result.build_seconds,
        "finished_at": _now(),
        "rung": spec.rung,
        "budget": spec.budget,
        "final": int(spec.final),
    }


def _write_run(db: sqlite3.Connection, row: dict, record: dict) -> bool:
    """Insert or replace one run and its indexed metrics; True when the run is new to the store.
    Every row of the store is written here."""
    name, position = row["name"], row["position"]
    new = db.execute("SELECT 1 FROM runs WHERE name = ?", (name,)).fetchone() is None
    db.execute(
        """INSERT INTO runs (name, position, seed, status, config, metrics, confusion,
                             error, model_id, build_seconds, finished_at, rung, budget, final)
           VALUES (:name, :position, :seed, :status, :config, :metrics, :confusion,
                   :error, :model_id, :build_seconds, :finished_at, :rung, :budget, :final)
           ON CONFLICT(name) DO UPDATE SET
             position = excluded.position, seed = excluded.seed,
             status = excluded.status, config = excluded.config,
             metrics = excluded.metrics, confusion = excluded.confusion,
             error = excluded.error, model_id = excluded.model_id,
             build_seconds = excluded.build_seconds,
             finished_at = excluded.finished_at, attempts = runs.attempts + 1""",
        row,
    )
    if not new:
        db.execute("DELETE FROM metrics WHERE name = ?", (name,))
    _write_metrics(db, name, position, record)
    return new


def _add_rung_columns(db: sqlite3.Connection) -> None:
    """Give a store from before multi-fidelity search its rung columns (every run: rung 0)."""
    present = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    for column, declaration in RUNG_COLUMNS.items():
        if column not in present:
            db.execute(f"ALTER TABLE runs ADD COLUMN {column} {declaration}")


def _write_metrics(db: sqlite3.Connection, name: str, position: int, metrics: dict) -> None:
    db.executemany(INSERT_METRIC, _metric_rows(name, position, metrics))


def _metric_rows(name: str, position: int, metrics: dict) -> list[tuple]:
    """One indexed row per metric column the run has a number for (NaN: no row)."""
    return [
        (name, column, float(value), position)
        for column in ALL_METRIC_COLUMNS
        if _is_number(value := metrics.get(column))
    ]


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)


def _best(db: sqlite3.Connection, objective: Objective) -> tuple[float, str] | None:
    """The best finished run by the metric index; ties go to the first in plan order, as in
    `Goal.best_position`."""
    order = "ASC" if objective.goal.ascending else "DESC"
    row = db.execute(
        "SELECT m.value, m.name FROM metrics m JOIN runs r ON r.name = m.name "
        "WHERE m.metric = ? AND r.status = ? AND r.final "
        f"ORDER BY m.value {order}, m.position, m.name "
        "LIMIT 1",
        (objective.metric, OK),
    ).fetchone()
    return None if row is None else (float(row[0]), row[1])


def _plan_records(db: sqlite3.Connection):
    """Every stored run as a results-table record, in plan order."""
    rows = db.execute(f"{SELECT_RECORDS} ORDER BY position, name")
    return (run_record(*row) for row in rows)


def _records_named(db: sqlite3.Connection, names: set[str]) -> list[dict]:
    """The results-table records of the named runs (only those are decoded)."""
    if not names:
        return []
    rows = db.execute(SELECT_RECORDS)
    return [run_record(*row) for row in rows if row[0] in names]


def _plan_keys(db: sqlite3.Connection) -> dict[str, PlanKey]:
    """Each stored run's place in the plan."""
    rows = db.execute("SELECT name, position FROM runs")
    return {name: (position, name) for name, position in rows}


def _last_key(db: sqlite3.Connection) -> PlanKey | None:
    row = db.execute(
        "SELECT position, name FROM runs ORDER BY position DESC, name DESC LIMIT 1"
    ).fetchone()
    return None if row is None else (row[0], row[1])


def _csv_state(db: sqlite3.Connection) -> CsvState | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (CSV_STATE,)).fetchone()
    return None if row is None else CsvState.from_json(row[0])


def _save_csv_state(db: sqlite3.Connection, state: CsvState) -> None:
    db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (CSV_STATE, state.to_json())
    )


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(query, (name,)).fetchone() is not None


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of an atomic write that a killed process left behind (we hold the lock)."""
    for name in (RESULTS, DESCRIPTION):
        for leftover in folder.glob(f"{temporary_prefix(folder / name)}*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _csv_error(folder: Path, error: OSError) -> StoreError:
    return StoreError(
        f"could not write {folder / RESULTS}: {error.strerror}; the runs are safe in {DATABASE}"
    )


def records_sweep(folder: Path) -> bool:
    """Whether a folder records a sweep's definition (a bare results.csv does not)."""
    return (Path(folder) / DESCRIPTION).is_file()


def is_sweep_folder(folder: Path) -> bool:
    """Whether a folder holds runs written by h2osweep (its store, or a copy of results.csv)."""
    return any((Path(folder) / name).is_file() for name in (DATABASE, RESULTS))


def read_results(folder: Path) -> pd.DataFrame:
    """A sweep folder's runs in plan order, as results.csv has them (what `analyze` and the
    exports read), floats read exactly: from the store, which is always current (results.csv
    can lag while a sweep runs), else from results.csv (a copy, or a damaged store)."""
    return read_runs(folder)[0]


def read_runs(folder: Path) -> tuple[pd.DataFrame, str | None]:
    """`read_results`, and what is wrong with the store when the runs came from results.csv
    instead (None: from the store, or the folder has none)."""
    folder = Path(folder)
    if not (folder / DATABASE).is_file():
        return read_results_csv(folder), None
    try:
        return _store_table(folder), None
    except DamagedStoreError as error:
        return read_results_csv(folder), error.damage


def not_a_sweep_folder(folder: Path, why: str) -> str:
    """Why `folder` is not a sweep folder, said of what it is: nothing, a table file, or a
    folder that lacks one of a sweep's files (`why`)."""
    folder = Path(folder)
    if not folder.exists():
        return f"no sweep folder at {folder}: it does not exist"
    if folder.is_file():
        return (f"{folder} is a file, not a sweep folder (a table from elsewhere? "
                f"h2osweep analyze {shlex.quote(str(folder))} reads it)")  # fmt: skip
    return f"{folder} is not a sweep folder: {why}"


def read_results_csv(folder: Path) -> pd.DataFrame:
    """results.csv of a sweep folder alone, floats read exactly."""
    path = Path(folder) / RESULTS
    if not path.is_file():
        raise StoreError(not_a_sweep_folder(folder, f"it has no {RESULTS}"))
    return _parse_table(path, path)


def _store_table(folder: Path) -> pd.DataFrame:
    """Every stored run as results.csv has it, in plan order (none while a new store has no
    table yet)."""
    text = io.StringIO()
    with _read_only(folder) as db:
        if _has_table(db, "runs"):
            write_table(text, lambda: _plan_records(db))
    if not text.getvalue():
        return pd.DataFrame()
    return _parse_table(io.StringIO(text.getvalue()), folder / DATABASE)


def read_ranked(folder: Path, objective: Objective, top: int | None = None) -> pd.DataFrame:
    """A folder's runs best first (all, or the `top` best), as results.csv has them.

    Answered from the store, which is always current: the `top` best through its metric index
    without reading every run; from results.csv alone in a folder without a store (a copy).
    """
    folder = Path(folder)
    top = min(top, SQLITE_LARGEST) if top else top  # more than every run: every run
    if not (folder / DATABASE).is_file():
        return rank_results_csv(folder, objective, top)
    if top and objective.metric in ALL_METRIC_COLUMNS:
        with _read_only(folder) as db:
            state = _csv_state(db) if _has_table(db, "metrics") else None
            if state:
                records = [run_record(*row) for row in _top_rows(db, objective, top)]
                text = io.StringIO()
                state.layout.widened(records).write(text, records)
                return _parse_table(io.StringIO(text.getvalue()), folder / DATABASE)
    return _best_first(_store_table(folder), folder, objective, top)


def rank_results_csv(folder: Path, objective: Objective, top: int | None = None) -> pd.DataFrame:
    """results.csv alone, best first: a copy of a folder, or one whose store is damaged."""
    return _best_first(read_results_csv(folder), folder, objective, top)


def _best_first(table: pd.DataFrame, folder: Path, objective: Objective, top: int | None):
    if objective.metric not in table.columns and not table.empty:
        raise UserInputError(f"{folder}/{RESULTS} has no column {objective.metric!r}")
    ranked = objective.ranked(table) if not table.empty else table
    return ranked.head(top) if top else ranked


def _top_rows(db: sqlite3.Connection, objective: Objective, top: int) -> list[tuple]:
    """The `top` runs with the best values of the metric (any status, as `Objective.ranked`
    sorts them), then runs without a value in plan order if too few have one."""
    order = "ASC" if objective.goal.ascending else "DESC"
    fields = ", ".join(f"r.{field}" for field in RECORD_FIELDS)
    rows = db.execute(
        f"SELECT {fields} FROM metrics m JOIN runs r ON r.name = m.name WHERE m.metric = ? "
        f"ORDER BY m.value {order}, m.position, m.name LIMIT ?",
        (objective.metric, top),
    ).fetchall()
    if len(rows) < top:
        rows += db.execute(
            f"{SELECT_RECORDS} WHERE NOT EXISTS (SELECT 1 FROM metrics m "
            "WHERE m.name = runs.name AND m.metric = ?) ORDER BY position, name LIMIT ?",
            (objective.metric, top - len(rows)),
        ).fetchall()
    return rows


def _parse_table(source, path: Path) -> pd.DataFrame:
    """A results table's CSV text as pandas reads results.csv (floats exactly)."""
    try:
        return pd.read_csv(source, float_precision="round_trip")
    except pd.errors.EmptyDataError:
        raise StoreError(f"the table {str(path)!r} is empty (no rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as error:
        raise StoreError(f"cannot read {path}: {error}") from None


def read_confusion(folder: Path, name: str) -> dict[str, pd.DataFrame]:
    """The confusion matrices stored for one run ({'train': ..., 'test': ...}; none: {})."""
    with _read_only(folder) as db:
        row = db.execute("SELECT confusion FROM runs WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise StoreError(f"{folder} has no run named {name!r}")
    return confusion_from_json(row[0])


def definition_id(definition: dict) -> str:
    """A short stable hash of a definition (names the sweep's models and study on the cluster)."""
    text = json.dumps(definition, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def finished_runs(folder: Path) -> set[str]:
    """Names of the runs stored `ok` in a folder, read without the lock (none without a store)."""
    if not (Path(folder) / DATABASE).is_file():
        return set()
    with _read_only(folder) as db:
        return {name for (name,) in db.execute("SELECT name FROM runs WHERE status = ?", (OK,))}


def read_configs(folder: Path) -> dict[str, dict]:
    """Each stored run's full configuration (lists included), read without taking the lock;
    of a damaged store, what results.csv records of each run."""
    try:
        with _read_only(folder) as db:
            rows = db.execute("SELECT name, config FROM runs")
            return {name: json.loads(config) for name, config in rows}
    except DamagedStoreError:
        records = read_results_csv(folder).to_dict("records")
        return {record["name"]: record_config(record) for record in records}


def read_finish_times(folder: Path) -> dict[str, str]:
    """When each stored run finished (ISO 8601, UTC), read without taking the lock; none of a
    damaged store (results.csv does not record it)."""
    try:
        with _read_only(folder) as db:
            return dict(db.execute("SELECT name, finished_at FROM runs"))
    except DamagedStoreError:
        return {}


@contextlib.contextmanager
def _read_only(folder: Path):
    """The folder's database opened for reading only (a sweep may be running in it)."""
    path = Path(folder) / DATABASE
    if not path.is_file():
        raise StoreError(not_a_sweep_folder(folder, f"it has no {DATABASE}"))
    try:
        with contextlib.closing(_reader(path)) as db:
            yield db
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            raise _damaged_error(path, error) from error
        raise StoreError(f"cannot read {path}: {error}") from error


def store_damage(folder: Path) -> str | None:
    """What is wrong with a folder's store when it cannot be read (None: it reads, or there
    is none); the readers then use results.csv, which holds the runs finished before."""
    path = Path(folder) / DATABASE
    if not path.is_file():
        return None
    try:
        with contextlib.closing(_reader(path)) as db:
            if _has_table(db, "runs"):  # a store being created has none yet
                db.execute("SELECT sum(length(metrics)) FROM runs").fetchone()  # every page
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            return _damaged(path, error)
    return None


def _is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite's error says the file is damaged: a plain DatabaseError ("malformed",
    "not a database"), not a busy, locked, full or read-only one (OperationalError)."""
    return type(error) is sqlite3.DatabaseError


START_OVER = "move it away, or start the sweep over with {force_new}"


def _damaged(path: Path, error: sqlite3.DatabaseError) -> str:
    return f"{path} is damaged ({error})"


def _damaged_error(path: Path, error: sqlite3.DatabaseError) -> DamagedStoreError:
    advice = f"{START_OVER} (its results.csv keeps the runs finished before)"
    return DamagedStoreError(_damaged(path, error), advice, "force_new")


def _reader(path: Path) -> sqlite3.Connection:
    """A connection that cannot write. Opened read-write where the folder allows it, so that
    the last one to close removes the WAL files it created (a read-only connection leaves
    them behind); read-only elsewhere, and as immutable on read-only media, where no process
    can be writing (SQLite cannot open a WAL database there otherwise)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        _with_rung_columns(db)
        db.execute("PRAGMA query_only = ON")
        return db
    except sqlite3.OperationalError:
        media_read_only = os.statvfs(path.parent).f_flag & os.ST_RDONLY
        db = sqlite3.connect(
            f"file:{path}?mode=ro{'&immutable=1' * bool(media_read_only)}", uri=True
        )
        return _with_rung_columns(db)


def _with_rung_columns(db: sqlite3.Connection) -> sqlite3.Connection:
    """A reader of a store from before multi-fidelity search sees its runs with the rung
    columns' defaults (a temporary view in front of the table, nothing written)."""
    present = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    missing = [f"{default} AS {column}" for column, default in RUNG_DEFAULTS.items()
               if column not in present]  # fmt: skip
    if present and missing:
        db.execute(f"CREATE TEMP VIEW runs AS SELECT *, {', '.join(missing)} FROM main.runs")
    return db


def read_description(folder: Path) -> dict:
    """sweep.json of a sweep folder."""
    description = _read_json(Path(folder) / DESCRIPTION)
    if description is None:
        raise StoreError(not_a_sweep_folder(folder, f"it has no {DESCRIPTION}"))
    return description


def read_definition(folder: Path) -> dict:
    """The definition of a folder's sweep, in today's form (see `upgraded`)."""
    definition = read_description(folder).get("definition")
    if not isinstance(definition, dict):
        raise StoreError(f"{Path(folder) / DESCRIPTION} is damaged: it holds no definition")
    return upgraded(definition)


def read_objective(folder: Path) -> Objective:
    """The metric and goal a sweep ranks its runs by: what its last session selected on (what
    `show`, `analyze` and `optimize` default to), else what its definition records (a
    model-based search's sampler, a multi-fidelity search's promotion); else test_mse, min
    (a folder from before selection was recorded, or a bare results table)."""
    description = _read_json(Path(folder) / DESCRIPTION) or {}
    selection = description.get("selection")
    if isinstance(selection, dict) and selection.get("metric"):
        return Objective(selection["metric"], selection.get("goal", "min"))
    try:
        definition = read_definition(folder)
    except StoreError:
        return Objective()
    recorded_in = ("objective", "sampler", "promotion")
    for recorded in (definition.get(key) for key in recorded_in):
        if isinstance(recorded, dict) and recorded.get("metric"):
            return Objective(recorded["metric"], recorded.get("goal", "min"))
    return Objective()


def full_budget(folder: Path) -> float | None:
    """The top rung's budget a multi-fidelity folder records (None: it records none)."""
    if not records_sweep(folder):
        return None
    return (read_definition(folder).get("fidelity") or {}).get("max_budget")


def resumed_objective(folder: Path, force_new: bool = False) -> Objective | None:
    """What a folder that a sweep command resumes ranks its runs by (None: there is no sweep
    to resume, or `force_new` starts over)."""
    if force_new or not records_sweep(folder):
        return None
    return read_objective(folder)


def resumed_definition(folder: Path, force_new: bool = False) -> dict:
    """The definition of the sweep a command resumes in `folder` (empty: there is none to
    resume, or `force_new` starts over), whose settings a resume keeps where none is given."""
    if force_new or not records_sweep(folder):
        return {}
    return read_definition(folder)


def is_running(folder: Path) -> bool:
    """Whether a live process holds the folder's lock, told from the pid it wrote there (the
    lock itself is never taken, so a reader cannot stall the sweep)."""
    holder = _holder(Path(folder))
    if holder is None:
        return False
    try:
        os.kill(int(holder), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def runs_landed(folder: Path, seen: dict[str, int]) -> list[dict]:
    """The runs stored (or stored again) since `seen` (name -> attempts), oldest first; `seen`
    is updated. Read-only, without the lock: a sweep may be writing the folder meanwhile."""
    query = (
        "SELECT name, status, error, metrics, build_seconds, attempts FROM runs "
        "ORDER BY finished_at, position"
    )
    with _read_only(folder) as db:
        rows = db.execute(query).fetchall()
    landed = []
    for name, status, error, metrics, seconds, attempts in rows:
        if seen.get(name) == attempts:
            continue
        seen[name] = attempts
        landed.append(
            {
                "name": name,
                "status": status,
                "error": error,
                "metrics": json.loads(metrics),
                "build_seconds": seconds,
            }
        )
    return landed


def _lock(handle, folder: Path) -> None:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        holder = _holder(folder)
        who = f"another h2osweep process (pid {holder})" if holder else "another h2osweep process"
        raise StoreError(
            f"{who} is running a sweep in {folder} and holds {folder / LOCK}; "
            "wait for it to finish or choose another {out}",
            "out",
        ) from error


def _write_holder(handle) -> None:
    """Record our pid in the lock file, so that a refused second process can name us."""
    with contextlib.suppress(OSError):
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()


def _holds_another(folder: Path, definition: dict, force_new: bool) -> bool:
    """Whether the folder's files must be moved aside before this sweep writes there:
    force_new starts over even in a folder of the same sweep, without reading its files."""
    if force_new:
        return (folder / DATABASE).exists() or bool(_orphans(folder))
    stored = _stored_definition(folder)
    return (stored is not None and stored != definition) or bool(_orphans(folder))


def _holder(folder: Path) -> str | None:
    with contextlib.suppress(OSError):
        text = (folder / LOCK).read_text().strip()
        if text.isdigit():
            return text
    return None


def _stored_definition(folder: Path) -> dict | None:
    """The folder's definition, brought up to today's form (older folders still resume)."""
    description = _read_json(folder / DESCRIPTION)
    if description is None or not isinstance(description.get("definition"), dict):
        return None
    return upgraded(description["definition"])


def upgraded(definition: dict) -> dict:
    """A definition as written by an older h2osweep, in today's form: training settings that
    no longer exist (an always-empty `extra`) are dropped, and a sweep from before other
    algorithms trained deep learning."""
    training = definition.get("training")
    if not isinstance(training, dict):
        return definition
    if training.get("extra") == {}:
        training = {key: value for key, value in training.items() if key != "extra"}
    if "algorithm" not in training:
        training = {**training, "algorithm": DEEPLEARNING}
    return {**definition, "training": training}


def _orphans(folder: Path) -> list[str]:
    """Files a store writes, present without the store itself: results nothing backs."""
    if (folder / DATABASE).exists():
        return []
    return [name for name in (RESULTS, DESCRIPTION) if (folder / name).exists()]


def _move_aside(folder: Path, patterns: tuple[str, ...]) -> None:
    """Keep an old sweep's files (the store's and those `patterns` match) in a
    `previous-<time>` subfolder (force_new never deletes)."""
    outputs = {path.name: None for pattern in patterns for path in sorted(folder.glob(pattern))}
    try:
        backup = _new_backup(folder)
        for name in (*STORE_FILES, *outputs):
            if (folder / name).exists():
                os.replace(folder / name, backup / name)
    except OSError as error:
        raise StoreError(f"cannot move the old sweep aside in {folder}: {error}") from error


def _new_backup(folder: Path) -> Path:
    """A new `previous-<time>` folder (`-2`, `-3`, ... when one of that second exists)."""
    stem = folder / f"previous-{dt.datetime.now():%Y%m%d-%H%M%S}"
    backup, attempt = stem, 1
    while True:
        try:
            backup.mkdir()
            return backup
        except FileExistsError:
            attempt += 1
            backup = stem.with_name(f"{stem.name}-{attempt}")


def _read_json(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text())
    except (json.JSONDecodeError, OSError) as error:
        raise StoreError(f"{path} is damaged ({error}); {START_OVER}", "force_new") from error
    if not isinstance(content, dict):
        kind = type(content).__name__
        damage = f"{path} is damaged (it holds a {kind}, not an object)"
        raise StoreError(f"{damage}; {START_OVER}", "force_new")
    return content


def _existing_parent(folder: Path) -> Path:
    parent = folder.absolute().parent
    while not parent.exists():
        parent = parent.parent
    return parent


def _versions() -> dict:
    import h2osweep

    versions = {"h2osweep": h2osweep.__version__, "python": platform.python_version()}
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        versions["h2o"] = version("h2o")
    return versions


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

"""A sweep folder: `store.sqlite` (the truth, one transaction per finished run), `results.csv`
(rewritten atomically after each run), `sweep.json` (what the sweep is), and a lock file.

A folder belongs to one sweep definition (space or grid, training settings, data): resuming with
another is refused unless `force_new`, which moves the old files aside instead of deleting them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import platform
import sqlite3
from pathlib import Path

import pandas as pd

from h2osweep.errors import StoreError
from h2osweep.record.goal import Objective
from h2osweep.record.runs import OK, RunResult, StoredRun
from h2osweep.store.files import write_atomic
from h2osweep.store.table import confusion_from_json, confusion_to_json, results_frame
from h2osweep.training.algorithms import DEEPLEARNING

DATABASE = "store.sqlite"
RESULTS = "results.csv"
DESCRIPTION = "sweep.json"
LOCK = ".lock"
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
    finished_at TEXT NOT NULL
);
"""


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
    stored = _stored_definition(folder)
    if stored is not None and stored != definition and not force_new:
        raise StoreError(_mismatch_message(folder, stored, definition), "out", "force_new")
    orphans = _orphans(folder)
    if orphans and not force_new:
        raise StoreError(
            f"{folder} has {' and '.join(orphans)} but no {DATABASE} (not an h2osweep sweep, "
            "or its store was removed); use another {out}, or {force_new} to move them aside",
            "out",
            "force_new",
        )


def open_store(folder: Path, definition: dict, *, force_new: bool = False) -> ResultsStore:
    """Open (or create) the sweep folder for this definition, holding its lock until closed."""
    folder = Path(folder)
    check_folder(folder, definition, force_new=force_new)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / LOCK, "a+")  # noqa: SIM115 - held for the store's lifetime
    except OSError as error:
        raise StoreError(f"cannot use {folder}: {error.strerror}") from error
    _lock(lock, folder)
    _write_holder(lock)
    stored = _stored_definition(folder)
    another = stored is not None and stored != definition
    if another or _orphans(folder) or (force_new and (folder / DATABASE).exists()):
        _move_aside(folder)  # force_new starts over even in a folder of the same sweep
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
            self._write_definition()
            self.export_csv()
        except (sqlite3.Error, OSError) as error:
            self.close()
            raise StoreError(f"cannot write the sweep store in {folder}: {error}") from error

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

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
        rows = self._db.execute("SELECT name, status, metrics FROM runs ORDER BY position, name")
        return [StoredRun(name, status, json.loads(metrics)) for name, status, metrics in rows]

    def commit(self, result: RunResult) -> None:
        """Store one finished run in a single transaction, then rewrite results.csv atomically."""
        spec = result.spec
        row = (
            spec.name,
            spec.position,
            spec.seed,
            result.status,
            json.dumps(spec.config),
            json.dumps(result.metrics),
            confusion_to_json(result.confusion),
            result.error,
            result.model_id,
            result.build_seconds,
            _now(),
        )
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    """INSERT INTO runs (name, position, seed, status, config, metrics, confusion,
                                         error, model_id, build_seconds, finished_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT(name) DO UPDATE SET
                         position = excluded.position, seed = excluded.seed,
                         status = excluded.status, config = excluded.config,
                         metrics = excluded.metrics, confusion = excluded.confusion,
                         error = excluded.error, model_id = excluded.model_id,
                         build_seconds = excluded.build_seconds,
                         finished_at = excluded.finished_at, attempts = runs.attempts + 1""",
                    row,
                )
        except sqlite3.Error as error:
            raise StoreError(
                f"could not store run {spec.name} in {self.folder}: {error}; the runs stored "
                "before it are safe: free space or fix the folder, then run the same command "
                "again to resume"
            ) from error
        self.export_csv()

    def results(self) -> pd.DataFrame:
        """One row per run, in plan order, with the columns of results.csv."""
        rows = self._db.execute(
            "SELECT name, seed, status, error, config, metrics, build_seconds, model_id "
            "FROM runs ORDER BY position, name"
        ).fetchall()
        return results_frame(rows)

    def best(self, objective: Objective) -> tuple[float, str] | None:
        """The best stored value of the objective's metric among finished runs, and its run."""
        return objective.best_of(self.results())

    def attempts(self) -> dict[str, int]:
        """How many times each run was trained and stored (finished runs: once)."""
        return dict(self._db.execute("SELECT name, attempts FROM runs"))

    def export_csv(self) -> None:
        """Rewrite results.csv from the database, atomically."""
        try:
            write_atomic(self.folder / RESULTS, self.results().to_csv(index=False))
        except OSError as error:
            raise StoreError(
                f"could not write {self.folder / RESULTS}: {error.strerror}; "
                f"the runs are safe in {DATABASE}"
            ) from error

    def record_session(self, cluster: dict) -> None:
        """Add this session's cluster (no credentials) and versions to sweep.json."""
        description = _read_json(self.folder / DESCRIPTION) or {}
        description.setdefault("sessions", []).append(
            {"started": _now(), "cluster": cluster, "versions": _versions()}
        )
        write_atomic(self.folder / DESCRIPTION, json.dumps(description, indent=2))

    def record_selection(self, objective: Objective) -> None:
        """Note in sweep.json the objective that now ranks the runs (what `show`, `analyze`
        and `optimize` default to)."""
        description = _read_json(self.folder / DESCRIPTION) or {}
        description["selection"] = {"metric": objective.metric, "goal": str(objective.goal)}
        write_atomic(self.folder / DESCRIPTION, json.dumps(description, indent=2))

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


def is_sweep_folder(folder: Path) -> bool:
    """Whether a folder holds a results table written by h2osweep (its store or a copy)."""
    return (Path(folder) / RESULTS).is_file()


def read_results(folder: Path) -> pd.DataFrame:
    """results.csv of a sweep folder (what `show` and `analyze` read), floats read exactly."""
    path = Path(folder) / RESULTS
    if not path.is_file():
        raise StoreError(f"{folder} is not a sweep folder: it has no {RESULTS}")
    try:
        return pd.read_csv(path, float_precision="round_trip")
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
    """Each stored run's full configuration (lists included), read without taking the lock."""
    with _read_only(folder) as db:
        return {
            name: json.loads(config) for name, config in db.execute("SELECT name, config FROM runs")
        }


@contextlib.contextmanager
def _read_only(folder: Path):
    """The folder's database opened read-only (a sweep may be running in it)."""
    path = Path(folder) / DATABASE
    if not path.is_file():
        raise StoreError(f"{folder} is not a sweep folder: it has no {DATABASE}")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            yield db
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is damaged ({error}); move it away to start over") from error


def read_description(folder: Path) -> dict:
    """sweep.json of a sweep folder."""
    description = _read_json(Path(folder) / DESCRIPTION)
    if description is None:
        raise StoreError(f"{folder} is not a sweep folder: it has no {DESCRIPTION}")
    return description


def read_selection(folder: Path) -> Objective:
    """The objective a sweep folder ranks its runs by (test MSE for a folder from before
    selection was recorded, and for a bare results table)."""
    description = _read_json(Path(folder) / DESCRIPTION) or {}
    selection = description.get("selection") or {}
    return Objective(selection.get("metric", "test_mse"), selection.get("goal", "min"))


def read_definition(folder: Path) -> dict:
    """The definition of a folder's sweep, in today's form (see `upgraded`)."""
    definition = read_description(folder).get("definition")
    if not isinstance(definition, dict):
        raise StoreError(f"{Path(folder) / DESCRIPTION} is damaged: it holds no definition")
    return upgraded(definition)


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


def _mismatch_message(folder: Path, stored: dict, new: dict) -> str:
    differing = sorted(key for key in set(stored) | set(new) if stored.get(key) != new.get(key))
    details = _changed_settings(stored, new)[:3]
    shown = f" ({'; '.join(details)})" if details else ""
    return (
        f"{folder} holds a sweep with another {', '.join(differing)}{shown}; "
        "use another {out}, or {force_new} to move the old results aside and start over"
    )


def _changed_settings(stored: dict, new: dict, prefix: str = "") -> list[str]:
    """Each differing single setting as 'name: stored there, given here' (nested dicts walked)."""
    changes = []
    for key in sorted(set(stored) | set(new)):
        old, now = stored.get(key), new.get(key)
        if old == now:
            continue
        if isinstance(old, dict) and isinstance(now, dict):
            changes += _changed_settings(old, now, f"{prefix}{key}.")
        elif not isinstance(old, dict | list) and not isinstance(now, dict | list):
            changes.append(f"{prefix}{key} {old!r} there, {now!r} here")
    return changes


def _move_aside(folder: Path) -> None:
    """Keep an old sweep's files in a `previous-<time>` subfolder (force_new never deletes)."""
    backup = folder / f"previous-{dt.datetime.now():%Y%m%d-%H%M%S}"
    backup.mkdir()
    for name in (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", RESULTS, DESCRIPTION):
        if (folder / name).exists():
            os.replace(folder / name, backup / name)


def _read_json(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, OSError) as error:
        raise StoreError(f"{path} is damaged ({error}); move it away to start over") from error


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

"""An Optuna study read from its storage (`sqlite:///study.db`, a database URL, or the SQLite
file itself): its trials as `trials_dataframe()` gives them, each objective's goal taken from
the study's recorded directions, so a maximising study is never ranked the wrong way round."""

from __future__ import annotations

from pathlib import Path

from h2osweep.errors import UserInputError


def is_optuna_storage(source: str | Path) -> bool:
    """Whether `source` is a database URL, or a SQLite file holding Optuna's tables."""
    if "://" in str(source):
        return True
    import sqlite3

    try:
        with sqlite3.connect(f"file:{Path(source)}?mode=ro", uri=True) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error:
        return False
    return {"studies", "trials"} <= tables


def sqlite_file(storage: str) -> Path | None:
    """The database file of an SQLite storage URL (any driver, query or `file:` form), else
    None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(storage)
    except ArgumentError:
        return None  # refused when Optuna opens it
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database.removeprefix("file:"))


SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def storage_url(source: str | Path) -> str:
    """The storage URL Optuna opens: a URL as given, an SQLite file (one that exists, or a
    name ending .db, .sqlite or .sqlite3) as `sqlite:///` its path; anything else as given,
    for Optuna to refuse."""
    path = Path(source)
    if "://" in str(source) or not (path.is_file() or path.suffix.lower() in SQLITE_SUFFIXES):
        return str(source)
    return f"sqlite:///{path.resolve()}"


def load_study(source: str | Path, study_name: str | None = None):
    """The study `study_name` of the storage (its only one when no name is given)."""
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    url = storage_url(source)
    if (database := sqlite_file(url)) is not None and not database.is_file():
        raise UserInputError(f"no Optuna storage at {str(source)!r}: {database} does not exist")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        names = optuna.study.get_all_study_names(url)
    except (ValueError, ImportError, optuna.exceptions.OptunaError, SQLAlchemyError) as error:
        reason = str(error).splitlines()[0]
        raise UserInputError(f"cannot read the Optuna storage {str(source)!r}: {reason}") from None
    listed = ", ".join(map(repr, names)) or "none"
    if study_name is None and len(names) != 1:
        raise UserInputError(
            f"the Optuna storage {str(source)!r} holds {len(names)} studies ({listed}): "
            "name one with {study_name}",
            "study_name",
        )
    name = study_name or names[0]
    if name not in names:
        raise UserInputError(
            f"{{study_name}} {name!r} is not in {str(source)!r}; its studies: {listed}",
            "study_name",
        )
    return optuna.load_study(study_name=name, storage=url)


def study_table(source: str | Path, study_name: str | None = None):
    """The study's trials as an Optuna trials table, each objective's goal the study's own."""
    from h2osweep.analysis.tables import from_optuna

    study = load_study(source, study_name)
    frame = study.trials_dataframe()
    if frame.empty:
        raise UserInputError(f"the Optuna study {study.study_name!r} has no trials")
    goals = ["max" if d.name == "MAXIMIZE" else "min" for d in study.directions]
    raw = from_optuna(frame, goals)
    raw.notes.insert(0, f"Optuna study {study.study_name!r} read from {str(source)!r}.")
    return raw

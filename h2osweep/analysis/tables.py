"""Load a results table (our sweep folder, a W&B/Optuna/H2O export or a plain CSV) and pick columns.

Every loader returns a `RawTable`: the rows, which columns are hyperparameters, metrics or ids,
the default target and notes saying how the table was read.
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from h2osweep.analysis.rungs import BUDGET, choose_rungs, is_multi_fidelity
from h2osweep.data import read_frame
from h2osweep.errors import UserInputError
from h2osweep.record.columns import LIST_COLUMNS, PARTS, RUN_IDS
from h2osweep.record.runs import OK
from h2osweep.store.results_store import (
    DATABASE,
    RESULTS,
    full_budget,
    is_sweep_folder,
    read_definition,
    read_objective,
    read_runs,
    records_sweep,
)

SWEEP_FOLDER = "sweep folder"
ID_PATTERN = re.compile(
    r"^(name|id|run|run_?id|model_?ids?|seed|status|state|error|number|trial|trial_?id|"
    r"created_?at|timestamp|datetime.*|duration|runtime|notes|tags|sweep|url|path|group|"
    r"job_?type|_.*|.*_id|.*_ids|.*seconds|.*_time)$",
    re.IGNORECASE,
)
# the run columns of W&B's web-UI CSV export, and a run's states there
WANDB_RUN_COLUMNS = {
    *("Name", "State", "Notes", "User", "Tags", "Created", "Runtime", "Sweep", "ID", "Group"),
    *("Job Type", "Hostname", "GPU Type", "GPU Count", "Commit", "GitHub", "Command"),
}
WANDB_STATES = {"finished", "crashed", "failed", "killed", "running", "preempted", "pending"}
NON_FINITE = {"nan": math.nan, "NaN": math.nan, "inf": math.inf, "Infinity": math.inf}
OPTUNA_VALUES = re.compile(r"^values_.+$")
# a metric's word, whole: at the start, after a separator or a camelCase capital, and not
# followed by a lower-case letter (`val_acc`, `valLoss`, `test/r2`; not `layer2_units`)
METRIC_PATTERN = re.compile(
    r"(?:(?<![A-Za-z])|(?=[A-Z]))(?i:mse|rmse|mae|r2|logloss|loss|accuracy|acc|auc|aucpr|"
    r"error|scores?|f1|precision|recall|deviance|perplexity|metrics?)(?![a-z])"
    r"|^value$|^values_\d+$"
)


@dataclass
class RawTable:
    """A results table as read, with the column roles its format implies."""

    frame: pd.DataFrame
    kind: str
    params: list[str]
    metrics: list[str] = field(default_factory=list)
    default_target: str | None = None
    notes: list[str] = field(default_factory=list)
    source: str | None = None  # the sweep folder it came from, if it is one
    objectives: list[str] = field(default_factory=list)  # several default targets (Optuna)
    goals: dict[str, str] = field(default_factory=dict)  # goals its tool recorded, per target
    guess_note: str | None = None  # said only when no goal is given: how goals were guessed
    rungs: pd.DataFrame = field(default_factory=pd.DataFrame)  # a multi-fidelity sweep's rungs

    @property
    def default_targets(self) -> list[str]:
        """Every objective analysed when no target is given (none: the user must name one)."""
        if self.objectives:
            return list(self.objectives)
        return [self.default_target] if self.default_target else []


def load_results(
    source: str | Path, all_rungs: bool = False, study_name: str | None = None
) -> RawTable:
    """Read a sweep folder (a multi-fidelity one's top rungs, or `all_rungs`), an Optuna
    study's storage (`study_name`: which of its studies) or a CSV/Parquet file and recognise
    its format."""
    from h2osweep.analysis.studies import is_optuna_storage, study_table

    if "://" in str(source) or _is_sqlite(Path(source)):  # a database: Optuna's, or our store
        if is_optuna_storage(source):
            return study_table(source, study_name)
        raise UserInputError(
            f"{str(source)!r} is a database, but not an Optuna study's storage: give a sweep "
            "folder rather than its store, or a results table (CSV or Parquet)"
        )
    path = Path(source)
    if path.is_dir() and _foreign_results(path):
        raw = recognise(read_file(path / RESULTS), f"{path.name}/{RESULTS}")
        raw.notes.insert(0, f"{path / RESULTS} is not h2osweep's (no name and status columns): "
                            "read as a table from elsewhere.")  # fmt: skip
        return raw
    if path.is_dir():
        return load_sweep_folder(path, all_rungs)
    if not path.exists():
        raise UserInputError(f"results not found: {str(path)!r} is neither a file nor a folder")
    frame = read_file(path)
    if frame.empty or len(frame.columns) == 0:
        header = (
            f" (its one line, {str(frame.columns[0])!r}, is read as the header)"
            if len(frame.columns) == 1
            else ""
        )
        raise UserInputError(
            f"the table {str(path)!r} has no rows{header}: give a results table, one run per "
            "row under a header of column names"
        )
    raw = recognise(frame, path.name)
    raw.notes += repeated_names(frame)
    return raw


def repeated_names(frame: pd.DataFrame) -> list[str]:
    """Say which column names the file repeats (a W&B export with `epoch` in config and in
    summary): pandas reads the later ones as `epoch.1`, ..., each a column of its own."""
    names = {str(c) for c in frame.columns}
    repeats = sorted({m.group(1) for c in names if (m := re.match(r"^(.+)\.\d+$", c))} & names)
    return [f"Column {name} appears more than once: the later ones are read as {name}.1, …, "
            "each a column of its own." for name in repeats]  # fmt: skip


def _foreign_results(folder: Path) -> bool:
    """Whether a folder's only results are a results.csv another tool wrote (a W&B export
    saved under that name): no store beside it, and none of our run columns in it."""
    if records_sweep(folder) or (folder / DATABASE).is_file() or not (folder / RESULTS).is_file():
        return False
    try:
        columns = set(pd.read_csv(folder / RESULTS, nrows=0).columns)
    except (ValueError, OSError):  # empty or unreadable: the sweep folder's reader says so
        return False
    return not {"name", "status"} <= columns


def _is_sqlite(path: Path) -> bool:
    """Whether a file starts as every SQLite database does."""
    with contextlib.suppress(OSError), open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"
    return False


def read_file(path: Path) -> pd.DataFrame:
    """Read a CSV (comma-, semicolon- or tab-separated), Parquet or JSON file (a list of
    records, or one per line in .jsonl); anything unreadable is the user's mistake."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".json", ".jsonl"):
            return pd.read_json(path, orient="records", lines=suffix == ".jsonl")
        frame = read_frame(path)
        header = str(frame.columns[0]) if len(frame.columns) == 1 else ""
        separator = next((sep for sep in (";", "\t") if sep in header), None)
        return _reread(path, separator) if separator else frame
    except pd.errors.EmptyDataError:
        raise UserInputError(f"the table {str(path)!r} is empty (no rows)") from None
    except (ValueError, OSError, ImportError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UserInputError(
            f"cannot read {str(path)!r} as CSV, Parquet or JSON records: {reason}"
        ) from None


def _reread(path: Path, separator: str) -> pd.DataFrame:
    """A table read again with its own separator, and decimal commas (`0,79`, as a
    semicolon-separated export from a European locale writes them) read as numbers."""
    frame = pd.read_csv(path, sep=separator)
    text = frame.select_dtypes(exclude="number").astype("string")
    if text.apply(lambda c: c.dropna().str.fullmatch(r"-?\d+,\d+(?:[eE][-+]?\d+)?").any()).any():
        return pd.read_csv(path, sep=separator, decimal=",")
    return frame


def load_sweep_folder(folder: Path, all_rungs: bool = False) -> RawTable:
    """Read our own sweep folder's results, keeping the runs whose status is `ok` (of a
    multi-fidelity sweep, its top rung unless `all_rungs`)."""
    if not is_sweep_folder(folder):
        raise UserInputError(f"{str(folder)!r} is not a sweep folder: it has no {RESULTS}")
    frame, damage = read_runs(folder)
    if frame.empty:
        raise UserInputError(f"the results table of {str(folder)!r} is empty (no rows)")
    notes = [f"Read from {RESULTS}: {damage}."] if damage else []
    if "status" in frame.columns:
        ok = frame["status"].astype(str) == OK
        if (~ok).any():
            notes.append(f"Dropped {int((~ok).sum())} run(s) whose status is not '{OK}'.")
        frame = frame.loc[ok].reset_index(drop=True)
    budget_name = rung_budget_name(folder) if is_multi_fidelity(frame) else BUDGET
    rungs = choose_rungs(frame, budget_name, all_rungs, full_budget(folder))
    frame, notes = rungs.frame, notes + rungs.notes
    metrics = [c for c in frame.columns if c.startswith(tuple(f"{p}_" for p in PARTS + ("valid",)))]
    lists = [c for c in LIST_COLUMNS if c in frame.columns]
    skip = set(RUN_IDS) | set(metrics) | set(lists)
    params = [c for c in frame.columns if c not in skip]
    if lists:
        notes.append(
            f"List-valued {', '.join(lists)} are summarised by depth, SumNeurons and "
            "MeanHiddenDropout (columns of the sweep)."
        )
    objective = read_objective(folder)  # the metric that chose among the sweep's runs
    if not records_sweep(folder) and any(c.startswith(("valid_", "xval_")) for c in metrics):
        notes.append(
            f"No sweep.json says what the sweep chose on: {objective.metric} is the default "
            "target (the lecture's); name the target that chose (valid_mse, ...) if another did."
        )
    return RawTable(
        frame, SWEEP_FOLDER, params, metrics, objective.metric, notes, str(folder),
        goals={objective.metric: str(objective.goal)}, rungs=rungs.table,
    )  # fmt: skip


def rung_budget_name(folder: Path) -> str:
    """The parameter a multi-fidelity rung of the folder's algorithm sets (epochs, ntrees)."""
    from h2osweep.training.algorithms import BUDGETS, DEEPLEARNING

    if not records_sweep(folder):  # a copy of its results.csv alone
        return "budget"
    algorithm = read_definition(folder).get("training", {}).get("algorithm", DEEPLEARNING)
    return BUDGETS.get(algorithm, "budget")


def recognise(frame: pd.DataFrame, label: str) -> RawTable:
    """Recognise a foreign export by its columns and assign column roles."""
    columns = set(frame.columns)
    if {"config", "summary"} <= columns:
        return from_wandb(frame)
    if {"Name", "State", "Created", "Runtime"} <= columns:
        return from_wandb_flat(frame)
    if any(str(c).startswith("params_") for c in frame.columns):
        return from_optuna(frame)
    if "model_ids" in columns:
        return from_h2o_grid(frame)
    if "params" in columns and any(str(c).startswith("mean_test_") for c in frame.columns):
        return from_sklearn(frame)
    return from_plain(frame, label)


def parse_mapping(text: object) -> dict:
    """Parse a dict-like cell (JSON or Python repr, as W&B exports write them); empty if missing."""
    if not isinstance(text, str) or not text.strip():
        return {}
    for parse in (json.loads, python_literal):
        try:
            value = parse(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict):
            return flattened(value)
    return {}


def flattened(mapping: dict, prefix: str = "") -> dict:
    """A W&B mapping with one key per value: `{"value": v}` wrappers unwrapped, and nested
    settings named by their path (`opt.name`, as W&B's own flat export names them); a W&B
    object (`_type`: a histogram, an image) stays whole."""
    flat = {}
    for key, value in mapping.items():
        if isinstance(value, dict) and "value" in value:
            value = value["value"]
        if isinstance(value, dict) and value and "_type" not in value:
            flat.update(flattened(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def python_literal(text: str):
    """A Python repr read safely, with the `nan` and `inf` that W&B's export writes for a
    missing or infinite value (`ast.literal_eval` refuses those names)."""
    tree = _NonFinite().visit(ast.parse(text.strip(), mode="eval"))
    return ast.literal_eval(tree)


class _NonFinite(ast.NodeTransformer):
    """`nan`, `inf` (and JSON's `NaN`, `Infinity`) as the floats they name."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Constant(NON_FINITE[node.id]) if node.id in NON_FINITE else node


def expand_column(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Turn a column of dict-like strings into one column per key."""
    records = [parse_mapping(cell) for cell in frame[column]]
    return pd.DataFrame.from_records(records, index=frame.index)


def from_wandb(frame: pd.DataFrame) -> RawTable:
    """A W&B runs export: `config` holds hyperparameters, `summary` the metrics."""
    frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("Unnamed")])
    config = expand_column(frame, "config")
    summary = expand_column(frame, "summary")
    summary = summary.rename(columns={c: f"summary.{c}" for c in summary if c in config})
    rest = frame.drop(columns=["config", "summary"])
    summary = summary.drop(columns=[c for c in summary if c in rest])
    config = config.rename(columns={c: f"config.{c}" for c in config if c in rest})
    out, notes = finished_wandb_runs(pd.concat([rest, config, summary], axis=1))
    metrics = [c for c in summary.columns if not str(c).startswith("_")]
    notes.insert(0, f"W&B export: {len(config.columns)} hyperparameter(s) from 'config', "
                    f"{len(metrics)} metric(s) from 'summary'.")  # fmt: skip
    return RawTable(out, "W&B export", list(config.columns), metrics, None, notes)


def from_wandb_flat(frame: pd.DataFrame) -> RawTable:
    """The CSV the W&B web UI exports: its run columns (Name, State, Notes, User, Tags,
    Created, Runtime, Sweep, ...), then config and summary values side by side; the rest is
    read as a plain table's is."""
    own = [c for c in frame.columns if c in WANDB_RUN_COLUMNS or str(c).startswith("_")]
    out, notes = finished_wandb_runs(frame)
    plain = from_plain(out.drop(columns=own), "W&B export")
    notes.insert(0, f"W&B export (web UI): run columns {', '.join(map(str, own))} left out.")
    return RawTable(out, "W&B export", plain.params, plain.metrics, None, notes)


def finished_wandb_runs(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The W&B runs whose state is `finished` (a crashed, failed or killed run's summary holds
    its last logged values, a running one's a value still changing)."""
    column = next((c for c in ("State", "state") if c in frame.columns), None)
    if column is None:
        return frame, []
    state = frame[column].astype(str).str.lower()
    if not state.isin(WANDB_STATES).all():
        return frame, []
    return rows_kept(frame, state == "finished", state, "run(s) not finished")


def rows_kept(frame: pd.DataFrame, kept: pd.Series, state: pd.Series, what: str):
    """The `kept` rows, and a note counting the others by `state` (`what` says what they are)."""
    if kept.all():
        return frame, []
    counts = state[~kept].value_counts().sort_index()
    dropped = ", ".join(f"{count} {name}" for name, count in counts.items())
    note = f"Dropped {int((~kept).sum())} {what} ({dropped})."
    return frame.loc[kept].reset_index(drop=True), [note]


def from_optuna(frame: pd.DataFrame, goals: list[str] | None = None) -> RawTable:
    """Optuna's `trials_dataframe()`: `params_*` are hyperparameters, `value` the objective
    (`values_0`, `values_1`, ... for a multi-objective study: all of them by default), each
    with the study's own goal when `goals` (its directions) are known."""
    renames = {c: c.removeprefix("params_") for c in frame.columns if c.startswith("params_")}
    clash = set(renames.values()) & set(frame.columns)
    renames = {c: (c if renames[c] in clash else renames[c]) for c in renames}
    out, notes = complete_trials(frame.rename(columns=renames))
    params = list(renames.values())
    objectives = [c for c in out.columns if c == "value" or OPTUNA_VALUES.match(str(c))]
    metrics = objectives + [c for c in out.columns if str(c).startswith("user_attrs_")]
    notes.insert(
        0, "Optuna trials table: hyperparameters are the params_* columns (prefix removed)."
    )
    if len(objectives) > 1:
        notes.append(
            f"Optuna multi-objective table: all {len(objectives)} objectives analysed "
            f"({', '.join(objectives)}); name one target to analyse it alone."
        )
    guess = None
    if goals:
        stated = ", ".join(f"{o} {g}" for o, g in zip(objectives, goals, strict=False))
        notes.append(f"Goals as the study records them: {stated}.")
    elif objectives:
        guess = (
            f"Optuna trials table: {' and '.join(objectives)} minimised (the table does not "
            "record the study's directions; give the goal, max for a maximising study, or "
            "analyse the study's storage itself)."
        )
    target = objectives[0] if objectives else None
    recorded = dict(zip(objectives, goals or [], strict=False))
    return RawTable(out, "Optuna trials", params, metrics, target, notes, objectives=objectives,
                    goals=recorded, guess_note=guess)  # fmt: skip


def complete_trials(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The trials whose `state` is COMPLETE (pruned, failed and running ones have no value)."""
    if "state" not in frame.columns:
        return frame, []
    state = frame["state"].astype(str)
    complete = state.str.upper().str.removeprefix("TRIALSTATE.") == "COMPLETE"
    return rows_kept(frame, complete, state, "trial(s) that are not COMPLETE")


def from_sklearn(frame: pd.DataFrame) -> RawTable:
    """scikit-learn's `cv_results_` (GridSearchCV, RandomizedSearchCV, HalvingGridSearchCV):
    the `param_*` columns are hyperparameters (prefix removed), the `mean_test_*` scores the
    metrics (`mean_test_score` by default; several scorers: name one). A parameter left unset
    in some runs (`max_depth=None`) is a choice, not a gap: its values become categories."""
    frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("Unnamed")])
    renames = {c: c.removeprefix("param_") for c in frame.columns if str(c).startswith("param_")}
    renames = {c: (c if new in frame.columns else new) for c, new in renames.items()}
    out, notes = frame.rename(columns=renames), []
    for column in renames.values():
        unset = out[column].isna()
        if unset.any() and not unset.all():
            out[column] = out[column].map(lambda v: "None" if pd.isna(v) else _level(v))
            notes.append(f"{column} is None in {int(unset.sum())} run(s): its values are levels.")
    metrics = [c for c in out.columns if str(c).startswith(("mean_test_", "mean_train_"))]
    scores = [c for c in metrics if str(c).startswith("mean_test_")]
    target = "mean_test_score" if "mean_test_score" in scores else None
    target = target or (scores[0] if len(scores) == 1 else None)
    notes.insert(0, "scikit-learn cv_results_: hyperparameters are the param_* columns (prefix "
                    f"removed); scores {', '.join(scores)}.")  # fmt: skip
    return RawTable(out, "scikit-learn search", list(renames.values()), metrics, target, notes)


def _level(value: object) -> str:
    """A cell as a category level: a whole float as its integer (3.0 was max_depth=3)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_h2o_grid(frame: pd.DataFrame) -> RawTable:
    """H2O's grid summary table: hyperparameters, `model_ids`, then the sort metric last."""
    frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("Unnamed")])
    columns = [c for c in frame.columns if c != "model_ids"]
    metric = columns[-1]
    params = columns[:-1]
    note = f"H2O grid summary: hyperparameters {', '.join(params)}; metric {metric!r}."
    return RawTable(frame, "H2O grid", params, [metric], metric, [note])


def from_plain(frame: pd.DataFrame, label: str) -> RawTable:
    """Any other table: ids and metrics are recognised by name, the rest are hyperparameters."""
    frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("Unnamed")])
    ids = [c for c in frame.columns if ID_PATTERN.match(str(c)) or is_label(frame[c])]
    metrics = [
        c
        for c in frame.columns
        if c not in ids
        and METRIC_PATTERN.search(str(c))
        and pd.api.types.is_numeric_dtype(frame[c])
    ]  # a column of words (`loss_function`) is a hyperparameter whatever its name
    params = [c for c in frame.columns if c not in ids and c not in metrics]
    named = (
        f"columns {', '.join(map(str, ids))} look like ids" if ids else "no column looks like an id"
    )
    labels = [str(c) for c in ids if not ID_PATTERN.match(str(c))]
    if labels:  # a hyperparameter whose every level was run once looks like this too
        named += (f" ({', '.join(labels)}: a different text in every run, as a run's label has; "
                  "name it among the params to analyse it)")  # fmt: skip
    note = f"Plain table {label!r}: {named}."
    return RawTable(frame, "table", params, metrics, None, [note])


def is_label(column: pd.Series) -> bool:
    """A text column with a different value in every row is a run label, not a hyperparameter."""
    if pd.api.types.is_numeric_dtype(column) or len(column) < 5:
        return False
    values = column.dropna().astype(str)
    is_list = values.str.startswith("[").all()
    return not is_list and values.nunique() == len(column)


def choose_columns(
    raw: RawTable, target: str | None, params: list[str] | None
) -> tuple[str, list[str], list[str]]:
    """Settle one target and the hyperparameter columns, with notes saying what was chosen."""
    targets, chosen, notes = choose_objectives(raw, [target] if target else None, params)
    return targets[0], chosen, notes


def choose_objectives(
    raw: RawTable, targets: list[str] | None, params: list[str] | None
) -> tuple[list[str], list[str], list[str]]:
    """Settle the targets (the table's own objectives by default) and the hyperparameter
    columns, with notes saying what was chosen and why."""
    columns = list(map(str, raw.frame.columns))
    targets = list(targets or raw.default_targets)
    if not targets:
        raise UserInputError(f"give {{target}}: one of {brief(raw.metrics or columns)}", "target")
    for target in targets:
        if target not in columns:
            raise UserInputError(f"unknown target {target!r}; columns: {brief(columns)}")
    if len(set(targets)) < len(targets):
        raise UserInputError("each {target} may be given once", "target")
    chosen, how = choose_params(raw, targets, params)
    shown = ", ".join(targets)
    notes = [f"Target{'s' if len(targets) > 1 else ''}: {shown}. "
             f"Hyperparameters ({how}): {', '.join(chosen)}."]  # fmt: skip
    return targets, chosen, notes


def choose_params(raw: RawTable, targets: list[str], params: list[str] | None):
    """The hyperparameter columns (given, or all of the table's) and how they were chosen."""
    columns = list(map(str, raw.frame.columns))
    if params is not None and not params:
        raise UserInputError(
            "{params} lists no column: name hyperparameter columns, or leave {params} out for all",
            "params",
        )
    if params:
        unknown = [p for p in params if p not in columns]
        if unknown:
            raise UserInputError(
                f"unknown {{params}} column(s) {', '.join(unknown)}; columns: {brief(columns)}",
                "params",
            )
        chosen, how = list(params), "given by params"
    else:
        chosen = [p for p in raw.params if p not in targets]
        how = f"all {raw.kind} hyperparameter columns"
    both = [t for t in targets if t in chosen]
    if both:
        raise UserInputError(f"the target {both[0]!r} cannot also be a hyperparameter")
    if not chosen:
        raise UserInputError(
            f"no hyperparameter columns found; name them with {{params}} ({brief(columns)})",
            "params",
        )
    return chosen, how


def brief(names: list[str], limit: int = 12) -> str:
    """A short comma-separated list of names, elided after `limit`."""
    names = [str(n) for n in names]
    more = f", … ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more

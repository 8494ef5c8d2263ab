"""results.csv kept in step with the store without rewriting it for every run.

A committed run is appended as one line. When a line cannot just be appended (the run was stored
before, it brings a new column, or it would change how pandas writes a column) the file is stale
and is rebuilt from the store, at most once per `REBUILD_SPACING` times the last rebuild's
duration (so rebuilds take at most about 1/REBUILD_SPACING of a sweep's time; meanwhile the file
lacks the runs since). At the end of a session, and at the next start after a crash, a file that
is not stale is only put back in plan order, with the lines of runs a crash kept out of it added
(`resequence`); a stale one is rebuilt.

The text is what pandas' `to_csv` writes for the whole table, produced row by row. pandas types a
column as a whole: whole numbers beside a float or a gap become floats ('3.0'). So the types of
value each column holds are tracked (`Layout`), and a run that would change a column's type makes
the file stale like a new column does.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

from h2osweep.store.files import append_at, atomic_writer
from h2osweep.store.table import FIXED, results_columns

REBUILD_SPACING = 20.0
GUESS_ROWS = 1000  # runs a rebuild without a recorded layout takes it from
NUMERIC = frozenset({"int", "float", "NoneType"})
PlanKey = tuple[int, str]  # (position, name): the order of the plan, and of a rebuilt file


def as_floats(types: frozenset) -> bool:
    """Whether pandas makes a column holding these types float64 (NaN counts as a float)."""
    return types <= NUMERIC and types != {"int"}


@dataclass(frozen=True)
class Layout:
    """The columns of results.csv and the types of value in each, over `rows` runs."""

    columns: tuple[str, ...]
    types: dict[str, frozenset]
    rows: int = 0

    @classmethod
    def of(cls, records: Iterable[dict]) -> Layout:
        """The layout of a whole table (one pass; records are grouped by their keys and types)."""
        shapes: dict[tuple, int] = {}
        for record in records:
            shape = _shape(record)
            shapes[shape] = shapes.get(shape, 0) + 1
        return cls.of_shapes(shapes)

    @classmethod
    def of_shapes(cls, shapes: dict[tuple, int]) -> Layout:
        """The layout of records grouped as ((keys, type names), count), in plan order."""
        columns = tuple(results_columns(keys for keys, _ in shapes))
        types: dict[str, set] = {column: set() for column in columns}
        for keys, names in shapes:
            present = dict(zip(keys, names, strict=True))
            for column in columns:
                types[column].add(present.get(column, "NoneType"))
        frozen = {column: frozenset(types[column]) for column in columns}
        return cls(columns, frozen, sum(shapes.values()))

    def fits(self, record: dict) -> bool:
        """Whether `record` can be appended without changing the header or how a line already
        written would be written now (a column of whole numbers turning float, or back)."""
        if any(key not in self.types for key in record):
            return False
        return all(
            "int" not in known or as_floats(known) == as_floats(known | {_type(record, column)})
            for column, known in self.types.items()
        )

    def added(self, record: dict) -> Layout:
        """The layout once `record` (which `fits`) is a row too."""
        types = self.types
        for column, known in self.types.items():
            new = _type(record, column)
            if new not in known:
                types = {**types, column: known | {new}}
        return replace(self, types=types, rows=self.rows + 1)

    def widened(self, records: list[dict]) -> Layout:
        """This layout if every record fits its columns, else the records' own layout."""
        if all(key in self.types for record in records for key in record):
            return self
        return Layout.of(records)

    def writes_like(self, other: Layout) -> bool:
        """Whether `other` writes the records of this layout as this one does (the columns, and
        whole numbers as floats or not)."""
        return self.columns == other.columns and all(
            "int" not in self.types[c] or as_floats(self.types[c]) == as_floats(other.types[c])
            for c in self.columns
        )

    def parameters(self) -> list[str]:
        return [column for column in self.columns if column not in FIXED]

    def header(self) -> str:
        return _csv_text([self.columns])

    def line(self, record: dict) -> str:
        return _csv_text(self._rows([record]))

    def write(self, stream, records: Iterable[dict]) -> None:
        """The header and one line per record, written to a text stream as pandas would."""
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self._rows(records))

    def _rows(self, records: Iterable[dict]):
        """Cells for csv.writer, which writes None as empty, floats by repr, others by str."""
        columns = self.columns
        floats = [i for i, column in enumerate(columns) if as_floats(self.types[column])]
        for record in records:
            row = [record.get(column) for column in columns]
            row = [None if value != value else value for value in row]  # NaN: empty
            for i in floats:
                if type(row[i]) is int:  # a whole number in a float column: 3.0
                    row[i] = float(row[i])
            yield row

    def to_json(self) -> dict:
        types = {column: sorted(types) for column, types in self.types.items()}
        return {"columns": list(self.columns), "types": types, "rows": self.rows}

    @classmethod
    def from_json(cls, data: dict) -> Layout:
        types = {column: frozenset(data["types"][column]) for column in data["columns"]}
        return cls(tuple(data["columns"]), types, int(data["rows"]))


def write_table(stream, records: Callable[[], Iterable[dict]]) -> Layout:
    """The whole table as results.csv text: its layout from one pass, then its lines."""
    layout = Layout.of(records())
    layout.write(stream, records())
    return layout


def _csv_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _type(record: dict, column: str) -> str:
    """The name of the type of a record's cell (NoneType when the record lacks the column)."""
    return type(record.get(column)).__name__


def _shape(record: dict) -> tuple:
    """A record's keys and the names of its values' types (what its layout depends on)."""
    return tuple(record), tuple(type(value).__name__ for value in record.values())


@dataclass(frozen=True)
class CsvState:
    """What results.csv holds, as the store records it in the same transaction as each run.

    `size` is the file's length once the latest run's line is written; `stale` means some
    stored run is missing or out of date in the file; `ordered` that its rows follow the plan.
    """

    layout: Layout
    size: int
    last: PlanKey | None = None
    ordered: bool = True
    stale: bool = False

    @property
    def pristine(self) -> bool:
        """Whether the file is what a rebuild would write."""
        return self.ordered and not self.stale

    def after(self, record: dict, key: PlanKey, new: bool) -> tuple[CsvState, str | None]:
        """The state once a run is committed, and its line to append (None: the file is stale)."""
        in_order = self.last is None or key > self.last
        if self.stale or not new or not self.layout.fits(record):
            return replace(self, stale=True), None
        if not in_order and not self._keeps_header(record):
            return replace(self, stale=True), None
        layout = self.layout.added(record)
        line = layout.line(record)
        last = key if self.last is None else max(self.last, key)
        size = self.size + len(line.encode("utf-8"))
        return CsvState(layout, size, last, self.ordered and in_order), line

    def _keeps_header(self, record: dict) -> bool:
        """Whether a run placed before others leaves the parameters' order as it is (their
        order of first appearance in the plan): true when it has all of them, in that order."""
        return [key for key in record if key not in FIXED] == self.layout.parameters()

    def to_json(self) -> str:
        fields = {"size": self.size, "ordered": self.ordered, "stale": self.stale}
        return json.dumps({"layout": self.layout.to_json(), "last": self.last, **fields})

    @classmethod
    def from_json(cls, text: str | None) -> CsvState | None:
        """The recorded state, or None when there is none (an older store) or it is unreadable."""
        try:
            data = json.loads(text)
            last = None if data["last"] is None else (int(data["last"][0]), str(data["last"][1]))
            layout = Layout.from_json(data["layout"])
            return cls(layout, int(data["size"]), last, bool(data["ordered"]), bool(data["stale"]))
        except (TypeError, ValueError, KeyError, IndexError):
            return None


Records = Callable[[], Iterable[dict]]


class ResultsCsv:
    """results.csv of one open store: appended per run, rebuilt from the store when needed."""

    def __init__(self, path: Path, state: CsvState | None) -> None:
        self.path = Path(path)
        self.state = state
        self._next_rebuild = 0.0

    def is_current(self) -> bool:
        """Whether the file is exactly what a rebuild from the store would write now."""
        state = self.state
        if state is None or not state.pristine or not self.path.is_file():
            return False
        header = state.layout.header().encode("utf-8")
        with open(self.path, "rb") as stream:
            return stream.read(len(header)) == header and self._size() == state.size

    def committed(self, state: CsvState, line: str | None) -> None:
        """Adopt the state a commit recorded and append the run's line (OSError: cut back)."""
        size_before = self.state.size
        self.state = state
        if line is None:
            return
        try:
            appended = append_at(self.path, line.encode("utf-8"), size_before)
        except OSError:
            self.state = replace(state, stale=True)
            raise
        if not appended:  # the file changed under us or went away: rebuild it
            self.state = replace(state, stale=True)

    def rebuild_due(self) -> bool:
        """Whether the file misses runs and the last rebuild is long enough ago (or the file
        had no run yet: the first run brings the parameter columns)."""
        if not self.state.stale:
            return False
        return self.state.layout.rows == 0 or time.monotonic() >= self._next_rebuild

    def rebuild(self, records: Records, last: PlanKey | None) -> CsvState:
        """Rewrite the file atomically from the store's `records` in plan order; `last` is the
        plan key of the last one. One pass when the recorded layout (or, with none recorded,
        the layout of the first runs) is still right."""
        started = time.monotonic()
        guess = self.state.layout if self.state else Layout.of(islice(records(), GUESS_ROWS))
        layout = self._write_all(records, guess)
        if layout is None:
            layout = self._write_all(records, Layout.of(records()))
        self.state = CsvState(layout, self._size(), last)
        self._next_rebuild = time.monotonic() + REBUILD_SPACING * (time.monotonic() - started)
        return self.state

    def resequence(self, plan: dict[str, PlanKey], records: Callable[[set], Iterable]) -> bool:
        """Put a file that is not stale back in plan order, adding the lines of runs a crash
        kept out of it (`records(names)` gives theirs). False, file untouched, when its lines
        are not exactly the recorded ones: then it needs a rebuild."""
        state = self.state
        lines = self._complete_lines(state, plan) if state and not state.stale else None
        if lines is None:
            return False
        for record in records(set(plan) - set(lines)):
            lines[record["name"]] = state.layout.line(record).encode("utf-8")
        header = state.layout.header().encode("utf-8")
        if len(header) + sum(map(len, lines.values())) != state.size:
            return False
        with atomic_writer(self.path, binary=True) as stream:
            stream.write(header)
            stream.writelines(lines[name] for name in sorted(lines, key=plan.__getitem__))
        self.state = replace(state, last=max(plan.values(), default=None), ordered=True)
        return True

    def _complete_lines(self, state: CsvState, plan: dict[str, PlanKey]) -> dict | None:
        """The file's whole lines by run name (a torn last line dropped), or None when they are
        not one line per stored run (a header or a run that is not the store's, a run twice,
        a quoted name or a line break inside a cell)."""
        header = state.layout.header().encode("utf-8")
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        if not data.startswith(header):
            return None
        *whole, _torn = data[len(header) :].split(b"\n")
        lines = {}
        for line in whole:
            name = line[: line.find(b",")].decode("utf-8", "replace")
            if line.count(b'"') % 2 or name in lines or name not in plan:
                return None
            lines[name] = line + b"\n"
        return lines

    def _write_all(self, records: Records, layout: Layout) -> Layout | None:
        """Write every record with `layout`, noting their true layout as they go; the true
        layout, or None (file untouched) when `layout` would have written them otherwise."""
        shapes: dict[tuple, int] = {}

        def noted():
            for record in records():
                shape = _shape(record)
                shapes[shape] = shapes.get(shape, 0) + 1
                yield record

        try:
            with atomic_writer(self.path) as stream:
                layout.write(stream, noted())
                true = Layout.of_shapes(shapes)
                if not true.writes_like(layout):
                    raise _Rewrite
        except _Rewrite:
            return None
        return true

    def _size(self) -> int:
        return self.path.stat().st_size


class _Rewrite(Exception):
    """The layout a rebuild started with was not the table's (the temporary file is dropped)."""

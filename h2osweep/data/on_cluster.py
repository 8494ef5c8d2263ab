"""Data the cluster reads itself: `import_file` of a URI (hdfs://, s3://, s3a://, gs://) or of a
path on the cluster's file system, split on the cluster; nothing passes through the client.

The split is seeded and depends only on each row's position, not on how H2O chunked the file
(H2O's own `split_frame` draws per chunk, so two clusters of another size would split the same
file differently): a row goes to test when frac(i x phi + seed x c) < test_fraction (a
low-discrepancy Kronecker sequence), to validation by a second such sequence. The fingerprint
hashes the imported frame's rows, columns, types and the checksum H2O computes, so a resume on a
changed file is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from h2osweep.errors import UserInputError

CLUSTER_SCHEMES = ("hdfs", "s3", "s3a", "s3n", "gs", "maprfs")
ROW_LIMIT = 2**31 - 1  # row positions come from H2O's modulo fold column (an int)
# Two irrational steps (the golden ratio's and the plastic number's fractional parts): the
# test and validation sequences, each offset by the split seed.
TEST_STEP, VALID_STEP = 0.6180339887498949, 0.7548776662466927
SEED_STEP = 0.5698402909980532


def on_cluster(spec: str) -> bool:
    """Whether `spec` names a file system only the cluster reads (hdfs://, s3://, ...)."""
    return urlsplit(spec).scheme.lower() in CLUSTER_SCHEMES


@dataclass
class ClusterData:
    """A dataset imported by each cluster from `uri`; its facts come from the first import.

    Plays `LocalData`'s part for a sweep: name, target, task, features, whether there is a
    validation part, fingerprint and description."""

    uri: str
    target: str
    test_fraction: float
    split_seed: int
    valid_fraction: float | None = None
    facts: dict = field(default_factory=dict)  # rows, columns, types, checksum, task, classes

    @property
    def name(self) -> str:
        return PurePosixPath(urlsplit(self.uri).path).stem or "data"

    @property
    def valid(self) -> bool | None:
        """True when a validation part is carved (None: there is none), as `LocalData.valid`."""
        return True if self.valid_fraction else None

    @property
    def classification(self) -> bool:
        return self.facts["task"] == "classification"

    @property
    def features(self) -> list[str]:
        return [column for column in self.facts["columns"] if column != self.target]

    @property
    def outputs(self) -> int:
        """Output units of a network on this data: one per class, else one."""
        return len(self.facts["classes"]) if self.classification else 1

    def fingerprint(self) -> str:
        keys = ("rows", "columns", "types", "checksum", "split")
        text = json.dumps({key: self.facts[key] for key in keys}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> dict:
        """What a sweep records about its data (the split's rows as the cluster made it)."""
        parts = self.facts["split"]
        return {
            "name": self.name,
            "source": f"{self.uri} (read by the cluster)",
            "target": self.target,
            "task": self.facts["task"],
            "classes": self.facts["classes"],
            "train_rows": parts["train"],
            **({"valid_rows": parts["valid"]} if "valid" in parts else {}),
            "test_rows": parts["test"],
            "features": len(self.features),
            "fingerprint": self.fingerprint(),
            "reload": {
                "on_cluster": self.uri,
                "target": self.target,
                "test_fraction": self.test_fraction,
                "split_seed": self.split_seed,
                "valid_fraction": self.valid_fraction,
            },
        }


def import_on_cluster(data: ClusterData):
    """Import and split `data` on the current cluster; its H2OData. The first import sets the
    facts; a later one (another cluster of the pool, a rejoin) must find the same data."""
    from h2osweep.data.frames import H2OData

    frame, key = _imported(data)
    facts = _facts(frame, data)
    split = [facts["checksum"], data.split_seed, data.test_fraction, data.valid_fraction]
    stem = f"{key}_{hashlib.sha256(json.dumps(split).encode()).hexdigest()[:10]}"
    parts = _split(frame, data, stem)
    facts["split"] = {part: part_frame.nrow for part, part_frame in parts.items()}
    if data.facts and data.facts != facts:
        raise UserInputError(
            f"{data.uri} on this cluster differs from the first cluster's (rows, columns, "
            "types or H2O's checksum): give every cluster of the pool the same file"
        )
    data.facts = facts
    return H2OData(data, parts["train"], parts["test"], parts.get("valid"))


def _imported(data: ClusterData):
    """The file as H2O parsed it (the target as a factor when it holds classes), and its key."""
    import h2o

    from h2osweep.data.frames import key_safe
    from h2osweep.training.jobs import error_message

    key = f"h2osweep_{key_safe(data.name)}_{hashlib.sha256(data.uri.encode()).hexdigest()[:8]}"
    try:
        frame = h2o.import_file(data.uri, destination_frame=key)
    except Exception as error:
        if not _refused(error):
            raise
        raise UserInputError(
            f"{{data}} {data.uri}: the cluster cannot read it: {error_message(error)}", "data"
        ) from error
    if data.target not in frame.columns:
        raise UserInputError(
            f"{{target}} {data.target!r} is not a column of {data.uri}; its columns: "
            f"{', '.join(frame.columns[:20])}",
            "target",
        )
    if frame.nrow > ROW_LIMIT:
        raise UserInputError(f"{data.uri} has {frame.nrow} rows; at most {ROW_LIMIT} are split")
    if _holds_classes(frame[data.target]):
        frame[data.target] = frame[data.target].asfactor()
    return frame, key


def _facts(frame, data: ClusterData) -> dict:
    from h2osweep.training import rest

    summary = rest.get(f"/3/Frames/{frame.frame_id}?row_count=0&column_count=0")["frames"][0]
    target = frame[data.target]
    classes = sorted(map(str, target.levels()[0])) if target.isfactor()[0] else []
    return {
        "rows": frame.nrow,
        "columns": list(frame.columns),
        "types": [frame.types[column] for column in frame.columns],
        "checksum": summary["checksum"],
        "task": "classification" if classes else "regression",
        "classes": classes,
    }


def _split(frame, data: ClusterData, stem: str) -> dict:
    """Train, validation (when asked) and test by each row's position and the split seed,
    under keys named for the data and the split (parts already there are reused: a killed
    session's builds may still hold them)."""
    import h2o

    keys = {part: f"{stem}_{part}" for part in ("train", "valid", "test")}
    if not data.valid_fraction:
        del keys["valid"]
    existing = {part: _existing(key) for part, key in keys.items()}
    if all(frame is not None for frame in existing.values()):
        return existing
    position = frame.modulo_kfold_column(ROW_LIMIT)
    offset = data.split_seed * SEED_STEP
    test = ((position * TEST_STEP + offset) % 1) < data.test_fraction
    parts = {"test": test}
    rest_of = 1 - test
    if data.valid_fraction:
        valid = rest_of * (((position * VALID_STEP + offset) % 1) < data.valid_fraction)
        parts["valid"] = valid
        rest_of = rest_of * (1 - valid)
    parts["train"] = rest_of
    return {part: h2o.assign(frame[mask == 1, :], keys[part]) for part, mask in parts.items()}


def _existing(key: str):
    """The frame under `key`, or None."""
    import h2o

    try:
        return h2o.get_frame(key)
    except Exception:
        return None


def _holds_classes(column) -> bool:
    """Text and factors are classes; so are integers with at most MAX_CLASSES values (the
    rule for data read on the client)."""
    from h2osweep.data.split import MAX_CLASSES

    kind = column.types[column.columns[0]]
    if kind in ("enum", "string"):
        return True
    return kind == "int" and column.unique().nrow <= MAX_CLASSES


def _refused(error: Exception) -> bool:
    from h2o.exceptions import H2OResponseError, H2OServerError

    return isinstance(error, (H2OResponseError, H2OServerError))

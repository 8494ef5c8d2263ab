"""A dataset's parts as a sweep uses them: in pandas (`LocalData`: train, an optional validation
part, test) and on the cluster (`H2OData`), uploaded once per sweep."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field

import pandas as pd

from h2osweep.data.on_cluster import ClusterData, import_on_cluster
from h2osweep.validation import check_type


@dataclass
class LocalData:
    """A train/test split held in pandas, ready to upload, with an optional validation part
    (`valid`) that chooses among models while the test part only reports."""

    name: str
    source: str
    target: str
    train: pd.DataFrame
    test: pd.DataFrame
    classification: bool
    reload: dict = field(default_factory=dict)
    valid: pd.DataFrame | None = None

    def parts(self) -> dict[str, pd.DataFrame]:
        """The frames by role: train, valid (when there is one), test."""
        parts = {"train": self.train, "valid": self.valid, "test": self.test}
        return {name: frame for name, frame in parts.items() if frame is not None}

    @property
    def features(self) -> list[str]:
        """Every column but the target."""
        return [column for column in self.train.columns if column != self.target]

    @property
    def outputs(self) -> int:
        """Output units of a network on this data: one per class, else one."""
        return self.train[self.target].nunique() if self.classification else 1

    def fingerprint(self) -> str:
        """A hash of the split's contents: a sweep folder refuses to continue on other data."""
        digest = hashlib.sha256()
        for frame in self.parts().values():
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
            digest.update("|".join(map(str, frame.columns)).encode())
        return digest.hexdigest()[:16]

    def describe(self) -> dict:
        """What a sweep records about its data."""
        classes = sorted(map(str, self.train[self.target].unique())) if self.classification else []
        return {
            "name": self.name,
            "source": self.source,
            "target": self.target,
            "task": "classification" if self.classification else "regression",
            "classes": classes,
            "train_rows": len(self.train),
            **({"valid_rows": len(self.valid)} if self.valid is not None else {}),
            "test_rows": len(self.test),
            "features": len(self.features),
            "fingerprint": self.fingerprint(),
            "reload": self.reload,
        }


@dataclass
class H2OData:
    """The same split as H2OFrames on the cluster, uploaded once per sweep."""

    local: LocalData
    train: object
    test: object
    valid: object = None

    @property
    def target(self) -> str:
        return self.local.target

    @property
    def features(self) -> list[str]:
        return self.local.features


def upload(local: LocalData | ClusterData) -> H2OData:
    """Upload train and test through a written CSV (far faster than H2OFrame(pandas) when large).

    The frame keys hold the data's fingerprint, so frames already on the cluster under those
    keys (an earlier sweep, resume or retrain of the same split) are reused, not sent again.
    Data the cluster reads itself is imported there instead, never through the client.
    """
    import h2o

    from h2osweep.cluster import require_connection

    check_type("local", local, LocalData | ClusterData, "data from load_data(...)")
    require_connection("upload(data)")
    if isinstance(local, ClusterData):
        return import_on_cluster(local)

    stem = f"h2osweep_{key_safe(local.name)}_{local.fingerprint()}"
    parts = local.parts()
    frames = {
        part: _frame_on_cluster(f"{stem}_{part}", frame.shape) for part, frame in parts.items()
    }
    missing = [part for part, frame in frames.items() if frame is None]
    column_types = {local.target: "enum" if local.classification else "numeric"}
    with tempfile.TemporaryDirectory(prefix="h2osweep-upload-") as folder:
        for part in missing:
            path = os.path.join(folder, f"{part}.csv")
            parts[part].to_csv(path, index=False)
            frames[part] = h2o.upload_file(
                path, destination_frame=f"{stem}_{part}", header=1, col_types=column_types
            )
    return H2OData(local, **frames)


def _frame_on_cluster(key: str, shape: tuple[int, int]):
    """The frame stored under `key` if it has the expected shape, else None."""
    import h2o

    try:
        frame = h2o.get_frame(key)
    except Exception:
        return None
    return frame if frame is not None and frame.shape == shape else None


def key_safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)[:40]

"""Writing files so that a crash leaves either the old version or the new one, never a torn one,
and appending to a file so that a failed write leaves it as it was."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to a temporary file beside `path`, sync it, then rename it over `path`."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_writer(path, binary=True) as stream:
        stream.write(payload)


@contextlib.contextmanager
def atomic_writer(path: Path, *, binary: bool = False) -> Iterator[IO]:
    """A stream to a temporary file beside `path` that replaces `path` once the block ends
    (synced first); an error or a kill inside the block leaves `path` untouched."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=temporary_prefix(path), dir=path.parent)
    try:
        os.chmod(temporary, 0o666 & ~_umask())
        mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
        with os.fdopen(handle, **mode) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def temporary_prefix(path: Path) -> str:
    """How the temporary files of `atomic_writer(path)` begin (a killed writer leaves one)."""
    return f".{Path(path).name}."


def append_at(path: Path, data: bytes, size: int) -> bool:
    """Append `data` to `path` if the file is exactly `size` bytes long (False, nothing written,
    when it is not, or is missing); a write that fails is cut back to `size` before raising."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_APPEND)
    except FileNotFoundError:
        return False
    try:
        if os.fstat(handle).st_size != size:
            return False
        try:
            _write_all(handle, data)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(handle, size)
            raise
    finally:
        os.close(handle)
    return True


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(handle, view)
        if written == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current

"""Atomic file writes: a temporary file beside the target, then a rename.

A full disk or a read-only folder raises `RunFileError` and leaves no partial file.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from playground.core.base.errors import RunFileError


_UMASK_LOCK = threading.Lock()


def _default_mode() -> int:
    """The mode a plain open() would give: mkstemp's 0600 would hide handed-in work from others.
    (Reading the umask means setting it; done per write, it stays correct if the umask changes.)"""
    with _UMASK_LOCK:
        umask = os.umask(0)
        os.umask(umask)
    return 0o666 & ~umask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, _default_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise RunFileError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def ensure_writable_dir(path: Path) -> Path:
    """Create `path` if needed and prove it is writable, before any run file goes there."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise RunFileError(f"{path}: output folder is not writable ({exc.strerror or exc})") from None
    return path

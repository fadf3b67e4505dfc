"""Figures as files: a view exported as PNG (a chosen width in pixels) or SVG, written atomically.

`PlotView.export` draws into a private temporary folder; the bytes then go to the target
with the core's atomic write (a temporary file beside it, then a rename), so a full or
read-only target gives a `RunFileError` naming the file and leaves nothing behind.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from playground.core.base.fileio import RunFileError, atomic_write_bytes
from playground.ui.views.base import EXPORT_FORMATS

DEFAULT_WIDTH = 1600
MIN_WIDTH, MAX_WIDTH = 200, 10_000


def check_format(format: str) -> str:
    format = format.lower().lstrip(".")
    if format not in EXPORT_FORMATS:
        raise RunFileError(f"export format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    return format


def check_width(width: int) -> int:
    if not MIN_WIDTH <= int(width) <= MAX_WIDTH:
        raise RunFileError(f"image width {width}: choose between {MIN_WIDTH} and {MAX_WIDTH} pixels")
    return int(width)


def figure_bytes(view, format: str, width: int = DEFAULT_WIDTH) -> bytes:
    """The view's canvas as PNG or SVG bytes."""
    format = check_format(format)
    scratch = Path(tempfile.mkdtemp(prefix="playground-export-"))
    try:
        path = view.export(scratch / f"{view.key}.{format}", format=format, width=check_width(width))
        data = path.read_bytes() if path.exists() else b""
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not data:
        raise RunFileError(f"{view.title.replace('&&', '&')}: the figure could not be drawn")
    return data


def export_view(view, path: str | Path, format: str | None = None, width: int = DEFAULT_WIDTH) -> Path:
    """Write one view's figure to `path` (format from the suffix unless given)."""
    path = Path(path)
    format = check_format(format or path.suffix or "png")
    if path.suffix.lower() != f".{format}":
        path = path.with_name(path.name + f".{format}")
    if not path.parent.is_dir():
        raise RunFileError(f"{path.parent}: folder does not exist")
    atomic_write_bytes(path, figure_bytes(view, format, width))
    return path


def export_views(views, folder: str | Path, format: str = "png", width: int = DEFAULT_WIDTH) -> list[Path]:
    """Write `<key>.<format>` for each view into `folder`. On an error the files this call
    created are removed again (files it replaced stay replaced: each write is whole)."""
    folder = Path(folder)
    format = check_format(format)
    width = check_width(width)
    if not folder.is_dir():
        raise RunFileError(f"{folder}: folder does not exist")
    written: list[Path] = []
    created: list[Path] = []
    try:
        for view in views:
            path = folder / f"{view.key}.{format}"
            existed = path.exists()
            atomic_write_bytes(path, figure_bytes(view, format, width))
            written.append(path)
            if not existed:
                created.append(path)
    except Exception:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return written

"""Figures of a saved run without a window (`playground plot RUN_DIR --out DIR`): the app's own view
classes, drawn off screen from the run folder, one file per view that has data."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from playground.core.fileio import ensure_writable_dir

# Logical size of each figure (the PNG width scales it; the aspect ratio stays).
DEFAULT_SIZE = (1200, 750)
SIZES = {"network": (900, 700), "boundary": (800, 760)}


@dataclass
class Rendered:
    written: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # view key -> why (its message)


def ensure_platform() -> None:
    """Draw off screen where there is no display (servers, CI)."""
    from playground.ui.app import has_display

    if not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _quiet_offscreen(mode, context, message) -> None:
    """Qt's messages, less the offscreen platform's note on every window shown."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def drawn_views(history, comparison=None) -> list:
    """Every view class, laid out at its figure size and drawn from `history`."""
    from PySide6.QtGui import QGuiApplication

    from playground.ui.app import make_app
    from playground.ui.views import MAIN_VIEWS, SIDE_VIEWS

    app = make_app()
    if QGuiApplication.platformName() == "offscreen":
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(_quiet_offscreen)
    views = []
    for cls in (*MAIN_VIEWS, *SIDE_VIEWS):
        view = cls()
        view.resize(*SIZES.get(view.key, DEFAULT_SIZE))
        view.comparison = comparison
        view.show()
        views.append(view)
    app.processEvents()
    for view in views:
        view.update_from(history, force=True)
    app.processEvents()
    return views


def render_run(run_dir: str | Path, out_dir: str | Path, format: str = "png", width: int = 1600,
               compare: str | Path | None = None) -> Rendered:
    """Write `<view>.<format>` for each view of the run (and `compare` overlaid, dashed).

    A malformed run folder raises RunFileError before anything is written."""
    ensure_platform()
    from playground.ui.export import check_format, check_width, export_views
    from playground.ui.reopen import open_history

    format, width = check_format(format), check_width(width)
    history = open_history(run_dir)
    comparison = open_history(compare) if compare else None
    out = ensure_writable_dir(Path(out_dir))
    views = drawn_views(history, comparison)
    result = Rendered()
    try:
        with_data = []
        for view in views:
            if view.showing_message:
                result.skipped[view.key] = " ".join(view.message.text().split())
            else:
                with_data.append(view)
        result.written = export_views(with_data, out, format, width)
    finally:
        for view in views:
            view.close()
            view.deleteLater()
    return result

"""Figures of a saved run without a window (`playground plot RUN_DIR --out DIR`): the app's own view
classes, drawn off screen from the run folder, one file per view that has data."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from playground.core.base.fileio import ensure_writable_dir

# Logical size of each figure (the PNG width scales it; the aspect ratio stays).
DEFAULT_SIZE = (1200, 750)
SIZES = {"network": (900, 700), "boundary": (800, 760)}


@dataclass
class Rendered:
    written: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # view key -> why (its message)


def ensure_platform() -> None:
    """Draw off screen where there is no display (servers, CI)."""
    from playground.ui.application import has_display

    if not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _app():
    """The QApplication (made here when run headless), before any view is created."""
    from playground.ui.application import make_app

    return make_app()


def _laid_out(views: list) -> None:
    """Give each view its figure size and a layout, without putting a window on screen."""
    from PySide6.QtCore import Qt

    for view in views:
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        view.resize(*SIZES.get(view.key, DEFAULT_SIZE))
        view.show()
    _app().processEvents()


def drawn_views(history, comparison=None) -> list:
    """Every view the window always shows, and those a lesson adds that have data in `history`
    (adversarial, pruning, ...), laid out at their figure size and drawn from `history`."""
    from playground.ui.views import MAIN, ON_DEMAND, SIDE, make_view

    _app()
    views = [make_view(key) for key in (*MAIN, *SIDE, *ON_DEMAND)]
    _laid_out(views)
    for view in views:
        view.comparison = comparison
        view.update_from(history, force=True)
    idle = [view for view in views if view.key in ON_DEMAND and view.showing_message]
    discard(idle)
    views = [view for view in views if view not in idle]
    _app().processEvents()  # lay out what drawing added (legends) before anything is exported
    return views


def figure_of(view, history):
    """A copy of an on-screen view at its figure size (so exports look the same whatever the
    window's shape, and match `playground plot`), drawing `history` with the view's overlay and
    options."""
    from PySide6.QtWidgets import QComboBox

    copy = type(view)()
    _laid_out([copy])
    copy.comparison = view.comparison
    if history is not None:
        copy.update_from(history, force=True)  # fills the option lists (estimators, layers, ...)
        for mine, theirs in zip(copy.findChildren(QComboBox), view.findChildren(QComboBox)):
            mine.setCurrentText(theirs.currentText())
        copy.update_from(history, force=True)
        _app().processEvents()  # lay out what drawing added (legends) before anything is exported
    return copy


def discard(views) -> None:
    for view in views:
        view.close()
        view.deleteLater()


def render_run(run_dir: str | Path, out_dir: str | Path, format: str = "png", width: int = 1600,
               compare: str | Path | None = None) -> Rendered:
    """Write `<view>.<format>` for each view of the run (and `compare` overlaid, dashed).

    A malformed run folder raises RunFileError before anything is written."""
    ensure_platform()
    from playground.ui.figures.export import check_format, check_width, export_views
    from playground.ui.model.reopen import open_history

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
        discard(views)
    return result

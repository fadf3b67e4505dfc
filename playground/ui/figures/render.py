"""Figures of a saved run without a window (`playground plot RUN_DIR --out DIR`): the app's own view
classes, drawn off screen from the run folder, one file per view that has data."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from playground.core.base.fileio import RunFileError, ensure_writable_dir

# Logical size of each figure (the PNG width scales it; the aspect ratio stays).
DEFAULT_SIZE = (1200, 750)
SIZES = {"network": (900, 700), "boundary": (800, 760), "confusion": (900, 780)}


@dataclass
class Rendered:
    written: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # view key -> why (its message)
    notes: list[str] = field(default_factory=list)  # what else was left out, once each


def ensure_platform() -> None:
    """Draw off screen where there is no display (servers, CI)."""
    from playground.ui.application import has_display

    if not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _app():
    """The QApplication (made here when run headless), before any view is created."""
    from playground.ui.application import make_app

    return make_app()


def figure_size(view, history=None) -> tuple[int, int]:
    """A view's logical figure size: its own for this run where it has one (a grid of heatmaps
    grows with the network), else the view kind's."""
    if history is not None and hasattr(view, "figure_size") and view.has_data(history):
        return view.figure_size(history)
    return SIZES.get(view.key, DEFAULT_SIZE)


def _laid_out(views: list, history=None) -> None:
    """Give each view its figure size and a layout, without putting a window on screen."""
    from PySide6.QtCore import Qt

    for view in views:
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        view.resize(*figure_size(view, history))
        view.show()
    _app().processEvents()


def figure_keys() -> tuple[str, ...]:
    """What `playground plot` can draw: the views in PLOTTED, then the figures of this package."""
    from playground.ui.views import PLOTTED

    return (*PLOTTED, "neurons")


def make_figure(key: str):
    from playground.ui.figures.neurons import NeuronsFigure
    from playground.ui.views import make_view

    return NeuronsFigure() if key == NeuronsFigure.key else make_view(key)


def chosen_keys(keys: str | None) -> tuple[str, ...] | None:
    """The figures a comma-separated list names (None: all there are for the run); RunFileError
    names the choices."""
    from playground.ui.views import ON_DEMAND

    if not keys:
        return None
    known = tuple(dict.fromkeys((*figure_keys(), *ON_DEMAND)))
    chosen = tuple(dict.fromkeys(key.strip() for key in keys.split(",") if key.strip()))
    unknown = [key for key in chosen if key not in known]
    if unknown or not chosen:
        raise RunFileError(f"no figure {(unknown or [keys])[0]!r}: choose from {', '.join(known)}")
    return chosen


def drawn_views(history, comparison=None, keys: tuple[str, ...] | None = None) -> list:
    """The views and figures `playground plot` draws (or those of `keys`), laid out at their
    figure size and drawn from `history`."""
    _app()
    from playground.ui.views import ON_DEMAND

    extras = () if keys else tuple(key for key in ON_DEMAND if key not in figure_keys())
    views = [make_figure(key) for key in (*(keys or figure_keys()), *extras)]
    _laid_out(views, history)
    for view in views:
        view.comparison = comparison
        view.update_from(history, force=True)
    idle = [view for view in views if view.key in extras and view.showing_message]
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
    _laid_out([copy], history)
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
               compare: str | Path | None = None, keys: str | None = None) -> Rendered:
    """Write `<view>.<format>` for each view of the run (and `compare` overlaid, dashed); `keys`
    (comma-separated) draws only those.

    A malformed run folder raises RunFileError before anything is written."""
    ensure_platform()
    from playground.ui.figures.export import check_format, check_width, export_views

    format, width = check_format(format), check_width(width)
    chosen = chosen_keys(keys)
    history, comparison = _histories(run_dir, compare)
    out = ensure_writable_dir(Path(out_dir))
    views = drawn_views(history, comparison, chosen)
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


def _histories(run_dir, compare):
    from playground.ui.model.reopen import open_history

    return open_history(run_dir), (open_history(compare) if compare else None)


def animate_run(run_dir: str | Path, out_dir: str | Path, fps: int = 10, seconds: float = 5.0,
                width: int | None = None, compare: str | Path | None = None, keys: str | None = None) -> Rendered:
    """Write `<view>.gif` (and `<view>.mp4` where ffmpeg is on the PATH) for each view of the run
    that changes over its epochs; `skipped` says why the others are not written, `notes` what
    was left out (the MP4 without ffmpeg)."""
    ensure_platform()
    from playground.ui.figures.animation import DEFAULT_WIDTH, NothingToAnimate, animate
    from playground.ui.figures.export import check_width
    from playground.ui.model.timeline import check_length

    length = check_length(fps, seconds)
    width = check_width(width or DEFAULT_WIDTH)
    chosen = chosen_keys(keys)
    history, comparison = _histories(run_dir, compare)
    out = ensure_writable_dir(Path(out_dir))
    views = drawn_views(history, comparison, chosen)
    result = Rendered()
    try:
        for view in views:
            if view.showing_message:
                result.skipped[view.key] = " ".join(view.message.text().split())
                continue
            try:
                movie = animate(view, history, out / f"{view.key}.gif", length, width)
            except NothingToAnimate as exc:  # a still view; a file that cannot be written stops all
                result.skipped[view.key] = str(exc)
                continue
            result.written += movie.written
            result.notes += [note for note in movie.notes if note not in result.notes]
    finally:
        discard(views)
    return result

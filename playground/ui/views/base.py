"""The base of every live view: a toolbar row, a pyqtgraph canvas, and a message shown instead of
the canvas when the run has nothing for this view (e.g. "Information plane: enable probes").

A view redraws only from a `History` (never from the trainer), and only when something it
draws has changed since its last redraw (`redraw_key`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from playground.ui.model.history import History
from playground.ui.model.series import MEAN
from playground.ui.views.overlay import OverlayItems, items_of
from playground.ui.widgets.style import FONT_PT

EXPORT_FORMATS = ("png", "svg")


class PlotView(QWidget):
    title = "View"
    key = "view"  # a short name for export files

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setAntialiasing(False)
        self.toolbar = QHBoxLayout()
        self.toolbar.setContentsMargins(4, 2, 4, 2)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"font-size: {FONT_PT + 4}pt; color: #555; padding: 24px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.canvas)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.stack, 1)
        self._drawn_key: Any = None
        self._history: History | None = None
        # A second run drawn over this one for comparison (dashed; see playground.ui.views.overlay).
        self.comparison: History | None = None
        self.show_message(self.empty_message(None))

    # ------------------------------------------------------------ to override

    def has_data(self, history: History) -> bool:
        raise NotImplementedError

    def empty_message(self, history: History | None) -> str:
        return f"{self.title}: no data yet. Press Start."

    def redraw_key(self, history: History) -> Any:
        """Anything that changes when this view must redraw (table revisions, options)."""
        return (id(history), history.revision)

    def draw(self, history: History) -> None:
        raise NotImplementedError

    def data_items(self) -> list:
        """The curves and images this view fills (tests and the self-test check they hold data)."""
        return []

    def reset_items(self) -> None:
        """Empty every item (a new run)."""
        for item in self.data_items():
            if isinstance(item, pg.ImageItem):
                item.clear()
            elif isinstance(item, pg.ScatterPlotItem):
                item.clear()
            elif hasattr(item, "setData"):
                item.setData([], [])

    # ------------------------------------------------------------ the template

    def update_from(self, history: History, force: bool = False) -> None:
        self._history = history
        if not self.has_data(history):
            key = ("empty", self.empty_message(history))
            if force or key != self._drawn_key:
                self._drawn_key = key
                self.show_message(key[1])
            return
        key = (self.redraw_key(history), id(self.comparison))
        if not force and key == self._drawn_key:
            return
        self._drawn_key = key
        self.stack.setCurrentWidget(self.canvas)
        self.draw(history)
        self.draw_comparison(history, self.comparison)

    def draw_overlay(self, history: History, comparison: History, items: OverlayItems) -> None:
        """Draw `comparison` dashed over this view's own drawing, with curves from `items` (see
        playground.ui.views.overlay). Views without one show no comparison."""

    def draw_comparison(self, history: History, comparison: History | None) -> None:
        """Bring the comparison run's overlay up to date (given None, remove it)."""
        if comparison is None and not hasattr(self, "_overlay_items"):
            return
        items = items_of(self)
        items.begin()
        if comparison is not None:
            self.draw_overlay(history, comparison, items)
        items.end()

    def set_comparison(self, comparison: History | None) -> None:
        self.comparison = comparison
        self.redraw()

    def redraw(self) -> None:
        """Redraw at once after an option of the view changed."""
        if self._history is not None:
            self.update_from(self._history, force=True)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    @property
    def showing_message(self) -> bool:
        return self.stack.currentWidget() is self.message

    def clear(self) -> None:
        self.reset_items()
        self._drawn_key = None
        self._history = None
        self.show_message(self.empty_message(None))

    def holds_data(self) -> bool:
        """True when the canvas is shown and at least one item has points or pixels."""
        if self.showing_message:
            return False
        for item in self.data_items():
            if isinstance(item, pg.ImageItem):
                if item.image is not None and np.size(item.image) > 0:
                    return True
            elif isinstance(item, pg.ScatterPlotItem):
                if len(item.data) > 0:
                    return True
            elif isinstance(item, (pg.PlotDataItem, pg.PlotCurveItem)):
                x, _ = item.getData()
                if x is not None and len(x) > 0:
                    return True
        return False

    # ------------------------------------------------------------ export

    def plot_items(self) -> list[pg.PlotItem]:
        return [item for item in self.canvas.ci.items if isinstance(item, pg.PlotItem)]

    def export(self, path: str | Path, format: str | None = None, width: int = 1600) -> Path:
        """Write the view's canvas as PNG (width in pixels) or SVG."""
        from pyqtgraph.exporters import ImageExporter, SVGExporter

        from playground.ui.figures import svgfix

        svgfix.install()
        path = Path(path)
        format = (format or path.suffix.lstrip(".") or "png").lower()
        if format not in EXPORT_FORMATS:
            raise ValueError(f"export format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")
        if self.showing_message:
            # Lay the canvas out even when a message hides it, so it has a size to export.
            self.canvas.resize(self.stack.size())
        # Paint once first: axes size themselves to their tick labels while painting, and an
        # export made before that shows a label over the ticks.
        self.canvas.grab()
        QApplication.processEvents()
        scene = self.canvas.scene()
        if format == "png":
            exporter = ImageExporter(scene)
            exporter.parameters()["width"] = int(width)
        else:
            exporter = SVGExporter(scene)
        exporter.export(str(path))
        return path

    # ------------------------------------------------------------ helpers

    def add_combo(self, label: str, items: list[str], tooltip: str = "") -> QComboBox:
        caption = QLabel(label)
        combo = QComboBox()
        combo.addItems(items)
        combo.setToolTip(tooltip)
        # Shrinkable: a narrow window cuts the texts short rather than overflowing.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(5)
        combo.currentIndexChanged.connect(lambda _=None: self.redraw())
        self.toolbar.addWidget(caption)
        self.toolbar.addWidget(combo)
        return combo

    def finish_toolbar(self) -> None:
        self.toolbar.addStretch(1)


class MemberChoice:
    """A combo box: the ensemble mean, or one member."""

    def __init__(self, view: PlotView, label: str = "Show"):
        self.combo = view.add_combo(label, ["ensemble mean"], "average over the ensemble, or one network")
        self.members = 1

    def sync(self, members: int) -> None:
        if members == self.members:
            return
        self.members = members
        current = self.combo.currentIndex()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(["ensemble mean"] + [f"member {k}" for k in range(members)])
        self.combo.setCurrentIndex(current if current <= members else 0)
        self.combo.blockSignals(False)

    @property
    def member(self) -> int:
        index = self.combo.currentIndex()
        return MEAN if index <= 0 else index - 1


def members_of(history: History) -> int:
    if history.config is not None:
        return int(history.config.train.ensemble)
    return 1


def sync_combo(combo: QComboBox, items: list[str]) -> None:
    """Replace a combo's items, keeping the current choice where it still exists."""
    current = combo.currentText()
    existing = [combo.itemText(i) for i in range(combo.count())]
    if existing == items:
        return
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(items)
    if current in items:
        combo.setCurrentIndex(items.index(current))
    combo.blockSignals(False)


class RebuiltCurves:
    """For a view that rebuilds its curves on each redraw: they are `self.items`, on one plot
    (`self.plot`) with one key (`self.legend`). Put it before the PlotView class it mixes into."""

    items: list

    def data_items(self):
        return [item for item in self.items if isinstance(item, pg.PlotDataItem)]

    def reset_items(self) -> None:
        for item in getattr(self, "items", []):  # a redraw may come before the first draw made them
            self.plot.removeItem(item)
        self.items = []
        self.legend.clear()

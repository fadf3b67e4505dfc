"""One unit's heatmap, large, in a small window of its own: opened by a click on a unit of the
network drawing, and kept up to date while the run trains."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from playground.ui.widgets import style

POPUP_PX = 380


class UnitHeatmapWindow(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Tool)
        self.setWindowTitle("Unit heatmap")
        self.canvas = pg.GraphicsLayoutWidget()
        self.plot = self.canvas.addPlot()
        style.style_plot(self.plot, "", "x1", "x2")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555; padding: 2px 6px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.note)
        self.resize(POPUP_PX, POPUP_PX + 40)

    def show_map(self, title: str, rgba: np.ndarray, xs: np.ndarray, ys: np.ndarray, note: str) -> None:
        """`rgba` (R, R, 4) as the maps are laid out: [j, i] at (xs[i], ys[j])."""
        style.set_title(self.plot, title, bold=True)
        self.image.setImage(np.ascontiguousarray(np.asarray(rgba).transpose(1, 0, 2)), autoLevels=False,
                            levels=(0, 255))
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.image.setRect(pg.QtCore.QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        self.note.setText(note)
        self.setWindowTitle(f"Unit heatmap: {title}")

    def show_nothing(self, title: str, note: str) -> None:
        style.set_title(self.plot, title, bold=True)
        self.image.clear()
        self.note.setText(note)

"""The decision boundary of a 2-D task, like TensorFlow Playground's output: the network's class
probabilities as a heatmap over the input plane, with the data points on top."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.model.series import MEAN
from playground.ui.views.base import MemberChoice, PlotView, members_of


def class_rgb(classes: int) -> np.ndarray:
    return np.array([QColor(style.class_colour(c)).getRgb()[:3] for c in range(classes)], dtype=float)


def probability_rgb(probs: np.ndarray) -> np.ndarray:
    """(R, R, C) probabilities -> (R, R, 3) bytes: each class's colour weighted by its
    probability, washed towards white where the network is unsure (as TF Playground fades)."""
    probs = np.nan_to_num(np.asarray(probs, dtype=float), nan=0.0)
    classes = probs.shape[-1]
    mixed = probs @ class_rgb(classes)
    # Confidence 0 (uniform) .. 1 (certain).
    top = probs.max(axis=-1, keepdims=True)
    confidence = np.clip((top - 1.0 / classes) / (1.0 - 1.0 / classes), 0, 1) if classes > 1 else np.ones_like(top)
    strength = 0.15 + 0.6 * confidence
    rgb = 255.0 * (1 - strength) + mixed * strength
    return np.clip(rgb, 0, 255).astype(np.uint8)


class BoundaryView(PlotView):
    title = "Decision boundary"
    key = "boundary"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member_choice = MemberChoice(self)
        self.show_test = self.add_combo("Points", ["training", "training + test", "none"], "which data points to draw")
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Decision boundary", "x1", "x2")
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=False, y=False)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        # One scatter item per class and split: a single brush each keeps pyqtgraph on its fast path.
        # The class key sits beneath the plot, not over the data.
        self.legend = pg.LegendItem(colCount=4, labelTextSize=f"{style.FONT_PT - 1}pt")
        self.canvas.addItem(self.legend, row=1, col=0)
        self.train_points: list[pg.ScatterPlotItem] = []
        self.test_points: list[pg.ScatterPlotItem] = []
        self._points_key = None

    def has_data(self, history: History) -> bool:
        return "boundary" in history.live or "preview" in history.live

    def empty_message(self, history):
        inputs = history.live.get("task_inputs") if history is not None else None
        if inputs is not None and inputs != 2:
            return (f"Decision boundary: for tasks with 2 inputs (circle, xor, gauss, spiral, or a CSV with two "
                    f"columns); this task has {inputs}.")
        return "Decision boundary: pick a 2-D task (circle, xor, gauss, spiral) and press Start."

    def redraw_key(self, history: History):
        return (id(history), id(history.live.get("boundary")), id(history.live.get("preview")),
                self.member_choice.member, self.show_test.currentIndex())

    def data_items(self):
        return [self.image, *self.train_points]

    def _scatter(self, items: list, index: int, test: bool) -> pg.ScatterPlotItem:
        while len(items) <= index:
            colour = style.class_colour(len(items))
            if test:
                item = pg.ScatterPlotItem(size=8, brush=None, pen=pg.mkPen(colour, width=2))
            else:
                item = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(colour), pen=pg.mkPen("w", width=1))
                self.legend.addItem(item, f"class {len(items)}")
            self.plot.addItem(item)
            items.append(item)
        return items[index]

    def _draw_points(self, grid, which: int) -> None:
        """Points change only with the data (a new run or task), not with the weights."""
        key = (which, grid.points.shape, float(np.sum(grid.points)), int(np.sum(grid.labels)),
               grid.test_points.shape, float(np.sum(grid.test_points)))
        if key == self._points_key:
            return
        self._points_key = key
        for items in (self.train_points, self.test_points):
            for item in items:
                item.clear()
        if np.issubdtype(grid.labels.dtype, np.floating):  # a regression's targets: no classes (yet)
            grid = replace(grid, labels=np.zeros(len(grid.labels), int), test_labels=np.zeros(len(grid.test_labels), int))
        if which != 2:
            for c in np.unique(grid.labels).astype(int):
                self._scatter(self.train_points, c, False).setData(pos=grid.points[grid.labels == c])
        if which == 1:
            for c in np.unique(grid.test_labels).astype(int):
                self._scatter(self.test_points, c, True).setData(pos=grid.test_points[grid.test_labels == c])

    def draw(self, history: History) -> None:
        if "boundary" not in history.live:
            self._draw_preview(history.live["preview"])
            return
        grid = history.live["boundary"]
        self.member_choice.sync(members_of(history))
        member = self.member_choice.member
        probs = grid.probs.mean(axis=0) if member == MEAN else grid.probs[min(member, len(grid.probs) - 1)]
        rgb = probability_rgb(probs)  # (rows = y, cols = x, 3)
        self.image.setImage(np.ascontiguousarray(rgb.transpose(1, 0, 2)), autoLevels=False, levels=(0, 255))
        dx = grid.xs[1] - grid.xs[0] if len(grid.xs) > 1 else 1.0
        dy = grid.ys[1] - grid.ys[0] if len(grid.ys) > 1 else 1.0
        self.image.setRect(pg.QtCore.QRectF(grid.xs[0] - dx / 2, grid.ys[0] - dy / 2,
                                            dx * len(grid.xs), dy * len(grid.ys)))
        self._draw_points(grid, self.show_test.currentIndex())
        names = history.live.get("feature_names") or ["x1", "x2"]
        if len(names) >= 2:
            self.plot.getAxis("bottom").setLabel(names[0], **{"font-size": f"{style.FONT_PT}pt"})
            self.plot.getAxis("left").setLabel(names[1], **{"font-size": f"{style.FONT_PT}pt"})
        title = "Decision boundary" if len(grid.probs) == 1 else (
            "Decision boundary, mean" if member == MEAN else f"Decision boundary, member {member}")
        style.set_title(self.plot, title, bold=True)

    def _draw_preview(self, grid) -> None:
        """The data alone, before training: a white plane under the points."""
        self.image.setImage(np.full((2, 2, 3), 255, dtype=np.uint8), autoLevels=False, levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(grid.xs[0], grid.ys[0], grid.xs[-1] - grid.xs[0], grid.ys[-1] - grid.ys[0]))
        self._draw_points(grid, self.show_test.currentIndex())
        style.set_title(self.plot, "The data (untrained)", bold=True)

    def reset_items(self) -> None:
        self.image.clear()
        for item in (*self.train_points, *self.test_points):
            item.clear()
        self._points_key = None

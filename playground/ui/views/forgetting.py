"""Forgetting in a sequence of tasks: test accuracy on every task over time with the task
boundaries marked, the accuracy matrix as a heatmap, and a few inputs of the current task."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.model.series import MEAN, accuracy_matrix, mean_curve, task_boundaries
from playground.ui.views import readout
from playground.ui.views.overlay import OverlayItems, add_key, dashed, member_of
from playground.ui.views.base import MemberChoice, PlotView, members_of

MATRIX_MAP = "viridis"
MAX_CELL_LABELS = 12


def matrix_rgba(grid: np.ndarray, colormap: pg.ColorMap) -> np.ndarray:
    """(rows, cols) accuracies in [0, 1] -> RGBA bytes as ImageItem wants them (x = column,
    y = row); empty (NaN) cells are transparent."""
    values = np.clip(np.nan_to_num(grid, nan=0.0), 0, 1)
    rgba = colormap.map(values.reshape(-1), mode="byte").reshape(*grid.shape, 4).copy()
    rgba[np.isnan(grid), 3] = 0
    return np.ascontiguousarray(rgba.transpose(1, 0, 2))


def mosaic(images: np.ndarray, gap: int = 1) -> np.ndarray:
    """(n, h, w) images side by side with a gap, each scaled to [0, 1]; NaN in the gaps."""
    n, h, w = images.shape
    out = np.full((h, n * (w + gap) - gap), np.nan)
    for i, image in enumerate(np.asarray(images, dtype=float)):
        low, high = np.nanmin(image), np.nanmax(image)
        out[:, i * (w + gap): i * (w + gap) + w] = (image - low) / (high - low) if high > low else 0.5
    return out


class ForgettingView(PlotView):
    title = "Forgetting"
    key = "forgetting"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member_choice = MemberChoice(self)
        self.finish_toolbar()
        self.acc_plot = self.canvas.addPlot(row=0, col=0, rowspan=2)
        self.matrix_plot = self.canvas.addPlot(row=0, col=1)
        self.examples_plot = self.canvas.addPlot(row=1, col=1)
        self.canvas.ci.layout.setColumnStretchFactor(0, 3)
        self.canvas.ci.layout.setColumnStretchFactor(1, 2)
        self.canvas.ci.layout.setRowStretchFactor(0, 3)
        self.canvas.ci.layout.setRowStretchFactor(1, 1)
        # Short titles: two plots share the row, and the lessons panel narrows it on 1600 px screens.
        style.style_plot(self.acc_plot, "Test accuracy per task", "epoch (dashed: task t2, t3, ... begins)",
                         "accuracy", y_units="%")
        style.style_plot(self.matrix_plot, "Accuracy matrix", "task evaluated", "after training task")
        style.style_plot(self.examples_plot, "Inputs of the current task", "", "")
        self.acc_plot.setYRange(0, 100, padding=0.02)
        self.acc_plot.setClipToView(True)
        self.acc_plot.setDownsampling(auto=True, mode="peak")
        # The key beneath the plot: every corner holds a task's curve (old tasks fall to 0, new ones
        # rise to 100 %), so no corner inside would leave them all visible.
        self.legend = pg.LegendItem(colCount=5, labelTextSize=f"{style.FONT_PT - 1}pt")
        self.canvas.addItem(self.legend, row=2, col=0)
        readout.install(self.acc_plot)
        self.matrix_plot.invertY(True)
        self.matrix_plot.setAspectLocked(True)
        self.matrix_plot.showGrid(x=False, y=False)
        self.examples_plot.invertY(True)
        self.examples_plot.setAspectLocked(True)
        self.examples_plot.hideAxis("left")
        self.examples_plot.hideAxis("bottom")
        self.colormap = pg.colormap.get(MATRIX_MAP)
        self.matrix_image = pg.ImageItem()
        self.matrix_plot.addItem(self.matrix_image)
        self.examples_image = pg.ImageItem()
        self.examples_image.setColorMap(pg.colormap.get("CET-L1"))
        self.examples_plot.addItem(self.examples_image)
        self.curves: list[pg.PlotDataItem] = []
        self.boundaries: list[pg.InfiniteLine] = []
        self.cell_labels: list[pg.TextItem] = []

    def has_data(self, history: History) -> bool:
        return history.has("task_accuracy")

    def empty_message(self, history):
        return ("Forgetting: set Sequential tasks to 2 or more (Task > Sequential tasks) and press Start.\n"
                "Each task is trained in turn; watch the accuracy on the earlier ones.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("task_accuracy"), history.revision_of("accuracy_matrix"),
                history.live_revision, self.member_choice.member)

    def data_items(self):
        return [*self.curves, self.matrix_image]

    def draw(self, history: History) -> None:
        self.member_choice.sync(members_of(history))
        member = self.member_choice.member
        table = history.columns("task_accuracy")
        rows = np.ones(len(table["epoch"]), dtype=bool) if member == MEAN else table["member"] == member
        tasks = np.unique(table["task"]).astype(int)
        self._ensure_curves(len(tasks))
        for number, curve in zip(tasks, self.curves):
            keep = rows & (table["task"] == number)
            x, y = mean_curve(table["epoch"][keep], np.asarray(table["accuracy"][keep], dtype=float) * 100)
            curve.setData(x, y)
        self._draw_boundaries(history, len(tasks))
        self._draw_matrix(history, member)
        self._draw_examples(history)

    def _ensure_curves(self, count: int) -> None:
        while len(self.curves) < count:
            number = len(self.curves) + 1
            curve = pg.PlotDataItem(pen=style.pen(style.layer_colour(number - 1), style.LINE),
                                    name=f"task {number}", antialias=False, skipFiniteCheck=True)
            self.acc_plot.addItem(curve)
            self.legend.addItem(curve, f"task {number}")
            self.curves.append(curve)

    def _draw_boundaries(self, history: History, tasks: int) -> None:
        config = history.config
        if config is None:
            return
        per_task = config.continual.epochs_per_task or config.train.epochs
        epochs = task_boundaries(per_task, max(tasks, config.continual.tasks))
        while len(self.boundaries) < len(epochs):
            line = pg.InfiniteLine(angle=90, pen=style.pen("#444", 1.5, dashed=True), label="task",
                                   labelOpts={"position": 0.05, "color": "#444", "anchors": [(0, 1), (0, 1)]})
            self.acc_plot.addItem(line)
            self.boundaries.append(line)
        for index, line in enumerate(self.boundaries):
            if index < len(epochs):
                line.setPos(epochs[index])
                line.label.setFormat(f" t{index + 2}")
                line.setVisible(True)
            else:
                line.setVisible(False)

    def _draw_matrix(self, history: History, member: int) -> None:
        if not history.has("accuracy_matrix"):
            self.matrix_image.clear()
            return
        table = history.columns("accuracy_matrix")
        rows = np.ones(len(table["task"]), dtype=bool) if member == MEAN else table["member"] == member
        grid, row_numbers, col_numbers = accuracy_matrix(table["after_task"][rows], table["task"][rows],
                                                         table["accuracy"][rows])
        if grid.size == 0:
            self.matrix_image.clear()
            return
        size = grid.shape[0]
        self.matrix_image.setImage(matrix_rgba(grid, self.colormap), autoLevels=False)
        first = float(row_numbers[0])
        self.matrix_image.setRect(pg.QtCore.QRectF(first - 0.5, first - 0.5, size, size))
        self.matrix_plot.setRange(xRange=(first - 0.5, first - 0.5 + size), yRange=(first - 0.5, first - 0.5 + size),
                                  padding=0.02)
        ticks = [[(float(n), str(int(n))) for n in row_numbers]]
        self.matrix_plot.getAxis("bottom").setTicks(ticks)
        self.matrix_plot.getAxis("left").setTicks(ticks)
        for label in self.cell_labels:
            label.setText("")
        if size <= MAX_CELL_LABELS:
            self._label_cells(grid, row_numbers)

    def _label_cells(self, grid: np.ndarray, numbers: np.ndarray) -> None:
        needed = grid.size
        while len(self.cell_labels) < needed:
            label = pg.TextItem(anchor=(0.5, 0.5))
            font = label.textItem.font()
            font.setPointSize(style.FONT_PT - 2)
            label.setFont(font)
            self.matrix_plot.addItem(label)
            self.cell_labels.append(label)
        index = 0
        for r, after in enumerate(numbers):
            for c, task in enumerate(numbers):
                value = grid[r, c]
                label = self.cell_labels[index]
                index += 1
                if np.isnan(value):
                    label.setText("")
                    continue
                label.setText(f"{100 * value:.0f}", color="k" if value > 0.6 else "w")
                label.setPos(float(task), float(after))

    def _draw_examples(self, history: History) -> None:
        examples = history.live.get("examples")
        if not isinstance(examples, dict) or len(examples.get("images", ())) == 0:
            self.examples_image.clear()
            style.set_title(self.examples_plot, "(input images: image tasks only)", size=style.FONT_PT - 1, bold=False)
            return
        self.examples_image.setImage(mosaic(np.asarray(examples["images"])).T, levels=(0, 1))
        labels = " ".join(str(int(v)) for v in examples.get("labels", [])[:6])
        style.set_title(self.examples_plot, f"Task {examples.get('task_index', 0) + 1} inputs: {labels}",
                        size=style.FONT_PT - 1)

    def reset_items(self) -> None:
        super().reset_items()
        self.examples_image.clear()
        for label in self.cell_labels:
            label.setText("")
        for line in self.boundaries:
            line.setVisible(False)

    def draw_overlay(self, history: History, comparison: History, items: OverlayItems) -> None:
        if not comparison.has("task_accuracy"):
            return
        table = comparison.columns("task_accuracy")
        member = member_of(self, comparison)
        rows = np.ones(len(table["epoch"]), dtype=bool) if member == MEAN else table["member"] == member
        add_key(items, self.acc_plot, self.legend, history, comparison)
        for number in np.unique(table["task"]).astype(int):
            keep = rows & (table["task"] == number)
            x, y = mean_curve(table["epoch"][keep], np.asarray(table["accuracy"][keep], dtype=float) * 100)
            items.curve(self.acc_plot, f"task{number}", dashed(style.layer_colour(number - 1))).setData(x, y)

"""The decision boundary of a 2-D task, like TensorFlow Playground's output: the network's class
probabilities as a heatmap over the input plane, with the data points on top. "Discretize"
shows the predicted class alone, without the shading by certainty. For a regression the plane
is the predicted surface on a diverging scale (white 0, green +, purple −) with the points
coloured by their target on the same scale.

Draw mode (2-D tasks): left-click adds a point of the chosen class (or target value), right-
click removes the nearest; the signals go to playground.ui.controllers.draw_controller, which
makes the drawn set the settings' `drawn` task. While drawing, the plot's range stays put.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from playground.core.tasks.features import FORMULAS
from playground.ui.model import network_layout as layout
from playground.ui.model.history import History
from playground.ui.model.series import MEAN
from playground.ui.views.base import MemberChoice, PlotView, members_of
from playground.ui.widgets import style
from playground.ui.widgets.inputs import NumberField

DRAW_CLASSES = 8  # core/tasks/drawn.MAX_CLASSES
DRAFT_EXTENT = (-6.0, 6.0)  # the plane to draw on when there is no data yet (TensorFlow Playground's)
VALUE_LEVELS = 21  # a regression's point colours, quantised: pyqtgraph renders each brush once
TARGET = "target value"


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


def discrete_rgb(probs: np.ndarray, strength: float = 0.6) -> np.ndarray:
    """(R, R, C) probabilities -> (R, R, 3) bytes: the likeliest class's colour everywhere, at one
    strength (no shading by certainty)."""
    probs = np.nan_to_num(np.asarray(probs, dtype=float), nan=0.0)
    colours = class_rgb(probs.shape[-1])[np.argmax(probs, axis=-1)]
    return np.clip(255.0 * (1 - strength) + colours * strength, 0, 255).astype(np.uint8)


def value_rgb(values: np.ndarray, scale: float, discrete: bool = False) -> np.ndarray:
    """A regression's values -> (..., 3) bytes on the diverging sign scale (white 0); discrete:
    the sign alone, as TensorFlow Playground discretises its output."""
    values = np.nan_to_num(np.asarray(values, dtype=float))
    if discrete:
        values = np.sign(values) * scale * 0.45
    return layout.sign_rgba(values, scale, _rgb(style.POSITIVE), _rgb(style.NEGATIVE))[..., :3]


def value_scale(targets: np.ndarray) -> float:
    """The regression colour scale: the largest |target| (the surface and points share it)."""
    targets = np.abs(np.asarray(targets, dtype=float))
    targets = targets[np.isfinite(targets)]
    top = float(targets.max()) if targets.size else 0.0
    return top if top > 0 else 1.0


def _rgb(colour: str) -> tuple[int, int, int]:
    return QColor(colour).getRgb()[:3]


def is_regression(grid) -> bool:
    return getattr(grid, "values", None) is not None or np.issubdtype(np.asarray(grid.labels).dtype, np.floating)


class BoundaryView(PlotView):
    title = "Decision boundary"
    key = "boundary"
    draw_toggled = Signal(bool)
    # (x, y, add, pixels per unit of x, of y): a left (add) or right (remove) click while drawing
    draw_clicked = Signal(float, float, bool, float, float)
    draw_label_changed = Signal(object, bool)  # (the class or target a left click adds, targets?)
    draw_undo = Signal()
    draw_clear = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member_choice = MemberChoice(self)
        self.show_test = self.add_combo("Points", ["training", "training + test", "none"], "which data points to draw")
        self.discretize = QCheckBox("Discretize")
        self.discretize.setToolTip("the predicted class alone, without the shading by how sure the network is "
                                   "(for a regression: the sign of the prediction)")
        self.discretize.toggled.connect(lambda _=None: self.redraw())
        self.toolbar.addWidget(self.discretize)
        self.draw_mode = QCheckBox("Draw")
        self.draw_mode.setToolTip("draw your own data: left-click adds a point, right-click removes the nearest "
                                  "(the drawn task, saved with the settings)")
        self.draw_mode.toggled.connect(self._draw_mode_toggled)
        self.toolbar.addWidget(self.draw_mode)
        self.finish_toolbar()
        self._draw_bar()
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
        self._legend_key = None
        self.train_points: list[pg.ScatterPlotItem] = []
        self.test_points: list[pg.ScatterPlotItem] = []
        # A regression's points, coloured by their targets.
        self.value_points = pg.ScatterPlotItem(size=8, pen=pg.mkPen("#444", width=1))
        self.value_test_points = pg.ScatterPlotItem(size=8, brush=None)
        for item in (self.value_points, self.value_test_points):
            self.plot.addItem(item)
        self.draft_points = pg.ScatterPlotItem(size=10, pen=pg.mkPen("#222", width=1.5))
        self.draft_points.setZValue(20)
        self.plot.addItem(self.draft_points)
        self._draft: tuple[list, bool] | None = None  # points too few for a task, drawn as they are
        self._points_key = None
        self.canvas.scene().sigMouseClicked.connect(self._scene_clicked)

    def _draw_bar(self) -> None:
        """A second toolbar row, shown while drawing: what a click adds, Undo, Clear."""
        self.draw_row = QWidget()
        row = QHBoxLayout(self.draw_row)
        row.setContentsMargins(4, 0, 4, 2)
        self.draw_label = QComboBox()
        self.draw_label.addItems([f"class {c}" for c in range(DRAW_CLASSES)] + [TARGET])
        self.draw_label.setToolTip("what a left click adds: a point of this class, or (for a regression) of the "
                                   "target value given")
        self.draw_target = NumberField("target", float, 1.0, -1000.0, 1000.0)
        self.draw_target.setToolTip("the target value of the points a left click adds (a regression)")
        self.undo_button = QPushButton("Undo")
        self.clear_button = QPushButton("Clear")
        self.draw_hint = QLabel("left-click: add · right-click: remove")
        self.draw_hint.setStyleSheet("color: #555;")
        # Cut short in a narrow window rather than widen it.
        self.draw_hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for widget in (QLabel("Add"), self.draw_label, self.draw_target, self.undo_button, self.clear_button):
            row.addWidget(widget)
        row.addWidget(self.draw_hint, 1)
        self.draw_label.currentIndexChanged.connect(lambda _=None: self._label_changed())
        self.draw_target.valueChanged.connect(lambda _=None: self._label_changed())
        self.undo_button.clicked.connect(self.draw_undo)
        self.clear_button.clicked.connect(self.draw_clear)
        self.draw_row.hide()
        self.draw_target.hide()
        self.layout().insertWidget(1, self.draw_row)

    # ------------------------------------------------------------ drawing data

    @property
    def drawing(self) -> bool:
        return self.draw_mode.isChecked()

    def label(self) -> tuple[int | float, bool]:
        """What a left click adds, and whether it is a regression's target."""
        index = self.draw_label.currentIndex()
        if self.draw_label.currentText() == TARGET:
            return float(self.draw_target.value()), True
        return index, False

    def set_label(self, label: int | float, regression: bool) -> None:
        """Show what a click adds (the drawn set's kind) without reporting it."""
        self.draw_label.blockSignals(True)
        self.draw_target.blockSignals(True)
        if regression:
            self.draw_label.setCurrentIndex(self.draw_label.count() - 1)
            self.draw_target.setValue(float(label))
        else:
            self.draw_label.setCurrentIndex(int(label) if 0 <= int(label) < DRAW_CLASSES else 0)
        self.draw_target.setVisible(regression)
        self.draw_label.blockSignals(False)
        self.draw_target.blockSignals(False)

    def _label_changed(self) -> None:
        label, regression = self.label()
        self.draw_target.setVisible(regression)
        self.draw_label_changed.emit(label, regression)

    def _draw_mode_toggled(self, on: bool) -> None:
        self.draw_row.setVisible(on)
        # Clicks draw: no panning, no context menu on the right button, and the range stays put.
        self.plot.setMouseEnabled(x=not on, y=not on)
        self.plot.setMenuEnabled(not on)
        if on:
            self.plot.vb.disableAutoRange()
        else:
            self._draft = None
            self.plot.vb.enableAutoRange()
        self.draw_toggled.emit(on)
        self.redraw()

    def show_draft(self, points: list | None, regression: bool = False) -> None:
        """Points too few for a task (fewer than two), drawn as they are; None: the settings' data."""
        self._draft = None if points is None else (list(points), regression)
        # At once, even before the window's timer has shown this view anything.
        self.update_from(self._history if self._history is not None else History(), force=True)

    def _scene_clicked(self, event) -> None:
        if not self.drawing or event.double():
            return
        button = event.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return
        scene_pos = event.scenePos()
        if not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return
        event.accept()
        point = self.plot.vb.mapSceneToView(scene_pos)
        self.click(point.x(), point.y(), add=button == Qt.MouseButton.LeftButton)

    def click(self, x: float, y: float, add: bool = True) -> None:
        """A click at (x, y) in the plane while drawing: add (left) or remove the nearest (right)."""
        if not self.drawing:
            return
        (x_lo, x_hi), (y_lo, y_hi) = self.plot.vb.viewRange()
        width, height = max(self.plot.vb.width(), 1.0), max(self.plot.vb.height(), 1.0)
        self.draw_clicked.emit(float(x), float(y), add, width / max(x_hi - x_lo, 1e-12),
                               height / max(y_hi - y_lo, 1e-12))

    # ------------------------------------------------------------ PlotView

    def has_data(self, history: History) -> bool:
        return "boundary" in history.live or "preview" in history.live or self._draft is not None

    def empty_message(self, history):
        inputs = history.live.get("task_inputs") if history is not None else None
        if inputs is not None and inputs != 2:
            return (f"Decision boundary: for tasks with 2 inputs (circle, xor, gauss, spiral, or a CSV with two "
                    f"columns); this task has {inputs}. Tick Draw to draw your own.")
        return "Decision boundary: pick a 2-D task (circle, xor, gauss, spiral) and press Start, or tick Draw."

    def redraw_key(self, history: History):
        return (id(history), id(history.live.get("boundary")), id(history.live.get("preview")),
                self.member_choice.member, self.show_test.currentIndex(), self.discretize.isChecked(),
                repr(self._draft))

    def data_items(self):
        return [self.image, *self.train_points, self.value_points]

    def _scatter(self, items: list, index: int, test: bool) -> pg.ScatterPlotItem:
        while len(items) <= index:
            colour = style.class_colour(len(items))
            if test:
                item = pg.ScatterPlotItem(size=8, brush=None, pen=pg.mkPen(colour, width=2))
            else:
                item = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(colour), pen=pg.mkPen("w", width=1))
            self.plot.addItem(item)
            items.append(item)
        return items[index]

    def _set_legend(self, key, entries) -> None:
        """The key under the plot: (sample item, text) pairs, rebuilt only when they change."""
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        for item, text in entries:
            self.legend.addItem(item, text)

    def _class_legend(self, classes: int) -> None:
        self._scatter(self.train_points, max(classes - 1, 0), False)
        self._set_legend(("classes", classes), [(self.train_points[c], f"class {c}") for c in range(classes)])

    def _value_legend(self, scale: float) -> None:
        entries = []
        for value in (-scale, 0.0, scale):
            sample = pg.ScatterPlotItem(size=10, pen=pg.mkPen("#444"), brush=pg.mkBrush(*self._value_colour(value, scale)))
            entries.append((sample, f"target {value:+.3g}" if value else "target 0"))
        self._set_legend(("values", scale), entries)

    @staticmethod
    def _value_colour(value: float, scale: float) -> tuple[int, int, int]:
        return tuple(int(c) for c in value_rgb(np.array([value]), scale)[0])

    def _value_brushes(self, targets: np.ndarray, scale: float) -> list:
        levels = np.linspace(-scale, scale, VALUE_LEVELS)
        nearest = np.abs(np.asarray(targets, dtype=float)[:, None] - levels[None, :]).argmin(axis=1)
        brushes = [pg.mkBrush(*self._value_colour(v, scale)) for v in levels]
        return [brushes[k] for k in nearest]

    def _clear_points(self) -> None:
        for item in (*self.train_points, *self.test_points, self.value_points, self.value_test_points):
            item.clear()

    def _draw_points(self, grid, which: int) -> None:
        """Points change only with the data (a new run or task), not with the weights."""
        key = (which, grid.points.shape, float(np.sum(grid.points)), float(np.sum(grid.labels)),
               grid.test_points.shape, float(np.sum(grid.test_points)))
        if key == self._points_key:
            return
        self._points_key = key
        self._clear_points()
        if is_regression(grid):
            scale = value_scale(grid.labels)
            self._value_legend(scale)
            if which != 2:
                self.value_points.setData(pos=grid.points, brush=self._value_brushes(grid.labels, scale))
            if which == 1:
                pens = [pg.mkPen(b.color(), width=2) for b in self._value_brushes(grid.test_labels, scale)]
                self.value_test_points.setData(pos=grid.test_points, pen=pens, brush=None)
            return
        labels = np.asarray(grid.labels).astype(int)
        self._class_legend(int(max(labels.max(initial=0), np.asarray(grid.test_labels).astype(int).max(initial=0))) + 1)
        if which != 2:
            for c in np.unique(labels):
                self._scatter(self.train_points, c, False).setData(pos=grid.points[labels == c])
        if which == 1:
            test_labels = np.asarray(grid.test_labels).astype(int)
            for c in np.unique(test_labels):
                self._scatter(self.test_points, c, True).setData(pos=grid.test_points[test_labels == c])

    def draw(self, history: History) -> None:
        if self._draft is not None:
            self._draw_draft(*self._draft)
            return
        self.draft_points.clear()
        if "boundary" not in history.live:
            self._draw_preview(history.live["preview"])
            return
        grid = history.live["boundary"]
        self.member_choice.sync(members_of(history))
        member = self.member_choice.member
        discrete = self.discretize.isChecked()
        if grid.values is not None:  # a regression: the predicted surface
            values = grid.values.mean(axis=0) if member == MEAN else grid.values[min(member, len(grid.values) - 1)]
            rgb = value_rgb(values, value_scale(grid.labels), discrete)
        else:
            probs = grid.probs.mean(axis=0) if member == MEAN else grid.probs[min(member, len(grid.probs) - 1)]
            rgb = discrete_rgb(probs) if discrete else probability_rgb(probs)  # (rows = y, cols = x, 3)
        self.image.setImage(np.ascontiguousarray(rgb.transpose(1, 0, 2)), autoLevels=False, levels=(0, 255))
        dx = grid.xs[1] - grid.xs[0] if len(grid.xs) > 1 else 1.0
        dy = grid.ys[1] - grid.ys[0] if len(grid.ys) > 1 else 1.0
        self.image.setRect(pg.QtCore.QRectF(grid.xs[0] - dx / 2, grid.ys[0] - dy / 2,
                                            dx * len(grid.xs), dy * len(grid.ys)))
        self._draw_points(grid, self.show_test.currentIndex())
        names = history.live.get("feature_names") or []
        # The plane is (x1, x2) whatever features the network sees; a CSV's two columns name its axes.
        axes = ("x1", "x2") if len(names) != 2 or all(name in FORMULAS for name in names) else names
        self.plot.getAxis("bottom").setLabel(axes[0], **{"font-size": f"{style.FONT_PT}pt"})
        self.plot.getAxis("left").setLabel(axes[1], **{"font-size": f"{style.FONT_PT}pt"})
        what = "Predicted surface" if grid.values is not None else "Decision boundary"
        title = what if len(grid.probs) == 1 else (f"{what}, mean" if member == MEAN else f"{what}, member {member}")
        style.set_title(self.plot, title, bold=True)

    def _draw_preview(self, grid) -> None:
        """The data alone, before training: a white plane under the points."""
        self.image.setImage(np.full((2, 2, 3), 255, dtype=np.uint8), autoLevels=False, levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(grid.xs[0], grid.ys[0], grid.xs[-1] - grid.xs[0], grid.ys[-1] - grid.ys[0]))
        self._draw_points(grid, self.show_test.currentIndex())
        style.set_title(self.plot, "The data (untrained)", bold=True)

    def _draw_draft(self, points: list, regression: bool) -> None:
        """Fewer than two drawn points: a white plane and the points as drawn."""
        self._clear_points()
        self._points_key = None
        (x_lo, x_hi), (y_lo, y_hi) = self.plot.vb.viewRange()
        if self.image.image is None:  # nothing drawn yet: TensorFlow Playground's plane
            x_lo, x_hi = y_lo, y_hi = DRAFT_EXTENT
            self.plot.setRange(xRange=DRAFT_EXTENT, yRange=DRAFT_EXTENT, padding=0)
        self.image.setImage(np.full((2, 2, 3), 255, dtype=np.uint8), autoLevels=False, levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(x_lo, y_lo, x_hi - x_lo, y_hi - y_lo))
        if points:
            table = np.asarray(points, dtype=float).reshape(-1, 3)
            if regression:
                brushes = self._value_brushes(table[:, 2], value_scale(table[:, 2]))
            else:
                brushes = [pg.mkBrush(style.class_colour(int(label))) for label in table[:, 2]]
            self.draft_points.setData(pos=table[:, :2], brush=brushes)
        else:
            self.draft_points.clear()
        style.set_title(self.plot, "Draw: at least two points", bold=True)

    def reset_items(self) -> None:
        self.image.clear()
        self._clear_points()
        self.draft_points.clear()
        self._points_key = None

"""Double descent: test and training error against the number of random features p (the
width), from the width sweep, the interpolation threshold p = n marked; the random-features
fit (minimum-norm least squares, solid) and the same network trained fully (dashed). This
run's own point as stars, alone until a sweep arrives."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import finite_positive, last_epoch, sweep_points
from playground.ui.views.base import RebuiltCurves
from playground.ui.views.sweep_fed import SweepFedView, numeric_values, set_log_ticks
from playground.ui.widgets import style

# sweep column, how it becomes an error, legend, colour, dashed
SERIES = (
    ("rf_test_error", False, "random features, test", style.TEST, False),
    ("rf_train_error", False, "random features, train", style.TRAIN, False),
    ("final_test_acc", True, "trained fully, test", style.TEST, True),
    ("final_train_acc", True, "trained fully, train", style.TRAIN, True),
)
X_CHOICES = ["features p", "features per sample p / n"]


class DoubleDescentView(RebuiltCurves, SweepFedView):
    title = "Double descent"
    key = "double_descent"
    run_tables = ("double_descent",)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.x_choice = self.add_combo("x axis", X_CHOICES, "the width itself, or over the number of training points")
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Error against width", "features p (log scale)", "error", y_units="%")
        self.plot.setLogMode(x=True)
        # The key in a row beneath: inside, it would sit on the peak or on the curves.
        self.legend = pg.LegendItem(colCount=3, labelTextSize=f"{style.FONT_PT - 1}pt")
        self.canvas.addItem(self.legend, row=1, col=0)
        self.threshold = pg.InfiniteLine(angle=90, pen=style.pen("k", 2, dashed=True), label="p = n",
                                         labelOpts={"position": 0.9, "color": "k", "anchors": [(0, 0), (0, 0)]})
        self.plot.addItem(self.threshold)
        self.items: list = []

    def has_sweep_data(self, table) -> bool:
        return numeric_values(table) and "rf_test_error" in table

    def empty_message(self, history):
        return getattr(self, "sweep_status", "") or (
            "Double descent: open the lesson \"Double descent\", press Run, then run its sweep over the width: test "
            "and training error against the number of random features, with a peak where they reach the samples.")

    def options(self):
        return self.x_choice.currentIndex()

    def _add(self, item) -> None:
        self.plot.addItem(item)
        self.items.append(item)
        if item.name():
            self.legend.addItem(item, item.name())

    def draw(self, history: History | None) -> None:
        self.reset_items()
        sweep = self.sweep
        samples = self._samples(sweep, history)
        per_sample = self.x_choice.currentIndex() == 1 and np.isfinite(samples)
        scale = samples if per_sample else 1.0
        if sweep is not None:
            for column, from_accuracy, name, colour, dashed in SERIES:
                if column not in sweep:
                    continue
                values, means, seed_x, seed_y = sweep_points(sweep, column)
                if from_accuracy:
                    means, seed_y = 1 - means, 1 - seed_y
                if not dashed:
                    x, y = finite_positive(seed_x / scale, 100 * seed_y, log_x=True)
                    self._add(pg.PlotDataItem(x, y, pen=None, symbol="o", symbolSize=6, symbolPen=None,
                                              symbolBrush=style.faint(colour, 110)))
                x, y = finite_positive(values / scale, 100 * means, log_x=True)
                self._add(pg.PlotDataItem(x, y, pen=style.pen(colour, 3 if not dashed else 2, dashed=dashed), symbol="o",
                                          symbolSize=8, symbolBrush=colour if not dashed else None,
                                          symbolPen=pg.mkPen(colour, width=1.5), name=name))
        if history is not None and history.has("double_descent"):
            self._draw_run(history, scale)
        self.threshold.setVisible(bool(np.isfinite(samples)))
        if np.isfinite(samples):
            self.threshold.setValue(np.log10(samples / scale))
            self.threshold.label.setFormat(f"p = n = {samples:.0f}")
        self.plot.getAxis("bottom").setLabel(("features per sample p / n" if per_sample else "features p")
                                             + " (log scale)", **{"font-size": f"{style.FONT_PT}pt"})
        where = "sweep" if sweep is not None else "this run; the sweep adds widths"
        style.set_title(self.plot, f"Error against width ({where})")
        set_log_ticks(self.plot, self.data_items(), y=False)

    def _samples(self, sweep, history) -> float:
        """n, the number of training points: the interpolation threshold."""
        if sweep is not None and "samples" in sweep:
            values = np.asarray(sweep["samples"], dtype=float)
            if np.isfinite(values).any():
                return float(np.nanmean(values))
        if history is not None and history.has("double_descent"):
            return float(np.mean(np.asarray(history.columns("double_descent")["samples"], dtype=float)))
        return float("nan")

    def _draw_run(self, history: History, scale: float) -> None:
        table = history.columns("double_descent")
        p = float(np.mean(np.asarray(table["features"], dtype=float)))
        points = [(float(np.mean(np.asarray(table[column], dtype=float))), colour)
                  for column, colour in (("rf_test_error", style.TEST), ("rf_train_error", style.TRAIN))]
        if history.has("metrics"):
            metrics = history.columns("metrics")
            rows = last_epoch(metrics)
            for column, colour in (("test_acc", style.TEST), ("train_acc", style.TRAIN)):
                if column in metrics:
                    points.append((1 - float(np.mean(np.asarray(metrics[column], dtype=float)[rows])), colour))
        for index, (error, colour) in enumerate(points):
            x, y = finite_positive(np.array([p / scale]), np.array([100 * error]), log_x=True)
            filled = index < 2  # the random-features fit filled, the trained network open
            self._add(pg.PlotDataItem(x, y, pen=None, symbol="star", symbolSize=18,
                                      symbolBrush=colour if filled else None, symbolPen=pg.mkPen(colour if not filled else "k", width=1.5),
                                      name="this run" if index == 0 else None))

"""A sweep's summary: final accuracy against the swept setting (mean and spread over the seeds,
each seed a faint dot), and beside it one more measure of the sweep table (the parity gradient
signal, sharpness, time to fit, compression, ...), chosen in the toolbar.

The view draws a sweep table (playground.core.experiments.sweep), not the run history: the lessons panel
hands it each table as the sweep goes (`set_sweep`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from playground.core.base.records import Table
from playground.core.experiments.sweep import BASE_COLUMNS
from playground.ui.widgets import style
from playground.ui.views.base import PlotView, sync_combo

# Measures spanning orders of magnitude, drawn on a log axis.
LOG_MEASURES = ("gradient_signal",)
# Columns that are bookkeeping, not measures.
NOT_MEASURES = ("value", "seed", "member", "epochs", "stop_reason", "diverged", "gradient_signal_stderr",
                "gradient_signal_bound")


def value_positions(values: list[Any]) -> tuple[np.ndarray, list[str], bool]:
    """Where each swept value sits on the x axis, its tick label, and whether x is logarithmic:
    numbers at their value (log10 when all positive and spanning two decades or more), other
    values (names) at 0, 1, 2, ..."""
    labels = [f"{v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v) for v in values]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if not numeric:
        return np.arange(len(values), dtype=float), labels, False
    x = np.array(values, dtype=float)
    log = bool(np.all(x > 0) and x.max() / x.min() >= 100)
    return (np.log10(x) if log else x), labels, log


def distinct_values(table: Table) -> list[Any]:
    seen: list[Any] = []
    for v in table["value"]:
        if not any(str(v) == str(s) for s in seen):
            seen.append(v)
    return seen


def per_value(table: Table, column: str, values: list[Any]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Mean and standard deviation over seeds of `column` at each value (NaNs left out), and
    the seeds' own values."""
    means, stds, points = [], [], []
    for v in values:
        rows = np.array([str(w) == str(v) for w in table["value"]])
        picked = np.asarray(table[column], dtype=float)[rows]
        finite = picked[np.isfinite(picked)]
        means.append(finite.mean() if finite.size else np.nan)
        stds.append(finite.std() if finite.size else np.nan)
        points.append(picked)
    return np.array(means), np.array(stds), points


def measures(table: Table) -> list[str]:
    """Numeric columns worth plotting against the swept value, the lesson's own first."""
    extra = [c for c in table if c not in BASE_COLUMNS and c not in NOT_MEASURES]
    base = [c for c in ("final_test_loss", "final_train_loss") if c in table]
    names = []
    for column in extra + base:
        try:
            if np.isfinite(np.asarray(table[column], dtype=float)).any():
                names.append(column)
        except (TypeError, ValueError):
            continue
    return names


class SweepView(PlotView):
    title = "Sweep"
    key = "sweep"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.measure = self.add_combo("Measure", [], "the second plot: a column of the sweep table")
        self.finish_toolbar()
        self.table: Table | None = None
        self.param = "value"
        self.status = ""
        self.revision = 0
        self.acc_plot = self.canvas.addPlot(row=0, col=0)
        self.measure_plot = self.canvas.addPlot(row=0, col=1)
        style.style_plot(self.acc_plot, "Final accuracy", "value", "accuracy", y_units="%")
        style.style_plot(self.measure_plot, "Measure", "value", "")
        # y follows the data: a few points between seeds or values must be visible.
        # No legend over the points (they sit anywhere, 100% included): the title names the colours.
        self.acc_plot.getViewBox().setDefaultPadding(0.06)
        style.legend(self.measure_plot, offset=(-10, 10))
        self.items: list[tuple[pg.PlotItem, Any]] = []

    # ------------------------------------------------------------ data in

    def set_sweep(self, table: Table | None, param: str, status: str = "", show: str = "") -> None:
        """Show a sweep table (None: no sweep yet); `status` is shown while it has no rows;
        `show` is the column to plot beside the accuracy, when the table has it."""
        self.table, self.param, self.status = table, param, status
        self.revision += 1
        if table is not None and len(table.get("value", ())):
            names = measures(table)
            fresh = self.measure.count() == 0
            sync_combo(self.measure, names)
            if fresh and show in names:
                self.measure.setCurrentIndex(names.index(show))
        self.redraw_now()

    def redraw_now(self) -> None:
        self.update_from(self._history, force=True)

    # ------------------------------------------------------------ PlotView

    def has_data(self, history) -> bool:
        return self.table is not None and len(self.table.get("value", ())) > 0

    def empty_message(self, history):
        return getattr(self, "status", "") or ("Sweep: open a lesson with a sweep in the Lessons panel and press \"Run the sweep\": "
                               "each value of one setting is trained with several seeds, and the final figures "
                               "appear here value by value.")

    def redraw_key(self, history):
        return (self.revision, self.measure.currentText())

    def data_items(self):
        return [item for _, item in self.items if isinstance(item, (pg.PlotDataItem, pg.ScatterPlotItem))]

    def reset_items(self) -> None:
        for plot, item in getattr(self, "items", []):
            plot.removeItem(item)
        self.items = []
        for plot in (self.acc_plot, self.measure_plot) if hasattr(self, "measure_plot") else ():
            if plot.legend is not None:
                plot.legend.clear()

    def _add(self, plot, item) -> None:
        plot.addItem(item)
        self.items.append((plot, item))

    def draw(self, history) -> None:
        self.reset_items()
        table = self.table
        values = distinct_values(table)
        x, labels, log_x = value_positions(values)
        named = not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        for plot in (self.acc_plot, self.measure_plot):
            axis = plot.getAxis("bottom")
            axis.setLabel(self.param + (" (log scale)" if log_x else ""), **{"font-size": f"{style.FONT_PT}pt"})
            # Names and decades get a tick per value; plain numbers get pyqtgraph's own ticks
            # (a tick per value crowds when values are close, e.g. sw2 = 1.5, 1.76, 2).
            axis.setTicks([list(zip(x, labels))] if named or log_x else None)
        accuracy = [("final_train_acc", "train", style.TRAIN), ("final_test_acc", "test", style.TEST)]
        if "mean_task_acc" in table:
            accuracy.append(("mean_task_acc", "all tasks (test)", "#2ca02c"))
        for column, name, colour in accuracy:
            self._series(self.acc_plot, table, column, values, x, colour, name, scale=100.0)
        names = ", ".join(f"<span style='color:{colour}'>{name}</span>" for _, name, colour in accuracy)
        self.acc_plot.setTitle(f"Final accuracy: {names}", size=f"{style.TITLE_PT}pt", bold=True)
        column = self.measure.currentText()
        if not column:
            return
        self.measure_plot.setTitle(column.replace("_", " "), size=f"{style.TITLE_PT}pt", bold=True)
        self.measure_plot.getAxis("left").setLabel(column, **{"font-size": f"{style.FONT_PT}pt"})
        log_y = column in LOG_MEASURES
        self.measure_plot.setLogMode(y=log_y)
        if column == "gradient_signal":
            self._gradient_signal(table, values, x)
        else:
            self._series(self.measure_plot, table, column, values, x, style.TRAIN, column)

    def _series(self, plot, table, column, values, x, colour, name, scale=1.0) -> None:
        means, stds, points = per_value(table, column, values)
        for xi, seeds in zip(x, points):
            seeds = seeds[np.isfinite(seeds)] * scale
            self._add(plot, pg.ScatterPlotItem(np.full(len(seeds), xi), seeds, size=7,
                                               brush=style.faint(colour, 110), pen=None))
        ok = np.isfinite(means)
        self._add(plot, pg.PlotDataItem(x[ok], means[ok] * scale, pen=style.pen(colour), symbol="o",
                                        symbolBrush=colour, symbolSize=10, name=name))
        self._add(plot, pg.ErrorBarItem(x=x[ok], y=means[ok] * scale, height=2 * stds[ok] * scale,
                                        pen=pg.mkPen(colour, width=2)))

    def _gradient_signal(self, table, values, x) -> None:
        """Log scale: values resolved above twice their standard error as dots, the others as
        an upper limit (open triangles at 2 standard errors), and the bound 1/C(n, k)."""
        means, _, _ = per_value(table, "gradient_signal", values)
        errors, _, _ = per_value(table, "gradient_signal_stderr", values)
        bound, _, _ = per_value(table, "gradient_signal_bound", values)
        resolved = np.isfinite(means) & (means > 2 * np.nan_to_num(errors))
        limit = ~resolved & np.isfinite(errors) & (errors > 0)
        self._add(self.measure_plot, pg.PlotDataItem(x[resolved], means[resolved], pen=None, symbol="o",
                                                     symbolBrush=style.TRAIN, symbolSize=11, name="measured"))
        self._add(self.measure_plot, pg.PlotDataItem(x[limit], 2 * errors[limit], pen=None, symbol="t",
                                                     symbolBrush=None, symbolPen=pg.mkPen(style.TRAIN, width=2),
                                                     symbolSize=13, name="upper limit (below resolution)"))
        ok = np.isfinite(bound)
        self._add(self.measure_plot, pg.PlotDataItem(x[ok], bound[ok], pen=style.pen(style.TEST, 2, dashed=True),
                                                     name="bound 1/C(n, k)"))

"""A sweep's summary: final accuracy against the swept setting (mean and spread over the seeds,
each seed a faint dot), and beside it one more measure of the sweep table (the parity gradient
signal, sharpness, time to fit, compression, ...), chosen in the toolbar; with the lesson's
reference lines (2 / lr, the critical sw2, chance level, the gradient signal's bound) and axes
that fit the data (playground.ui.model.sweep_plot).

The view draws a sweep table (playground.core.experiments.sweep), not the run history: the lessons
panel hands it each table as the sweep goes (`set_sweep`), or each value's rows as they finish
(`add_value`).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pyqtgraph as pg

from playground.core.base.records import Table
from playground.core.experiments.sweep import BASE_COLUMNS
from playground.ui.model import sweep_plot
from playground.ui.views import keys, readout
from playground.ui.views.base import PlotView, sync_combo
from playground.ui.widgets import style

# Colours, one meaning each in this view: train and test (the accuracies), the measure, and the
# reference lines (grey, dashed; the gradient signal's bound is one).
MEASURE = "#222222"
REFERENCE = style.REFERENCE
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


def value_text(positions: np.ndarray, labels: list[str]):
    """The hover readout's x: the swept value at a position (log10 or slot), as its tick reads."""
    def text(position: float) -> str:
        if len(positions) == 0:
            return f"{position:g}"
        return labels[int(np.argmin(np.abs(np.asarray(positions) - position)))]
    return text


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
        self.config = None  # the sweep's base settings (for its reference lines)
        self.planned: list[Any] = []  # every value the sweep will train, so the x axis holds them all
        self.acc_plot = self.canvas.addPlot(row=0, col=0)
        self.measure_plot = self.canvas.addPlot(row=0, col=1)
        style.style_plot(self.acc_plot, "Final accuracy", "value", "accuracy", y_units="%")
        style.style_plot(self.measure_plot, "Measure", "value", "")
        for plot in (self.acc_plot, self.measure_plot):
            plot.getViewBox().setDefaultPadding(0.0)  # the ranges are set here, padded (sweep_plot)
            keys.corner_legend(plot)
        readout.install(self.acc_plot, self.measure_plot)
        self.items: list[tuple[pg.PlotItem, Any]] = []
        self.reference_items: list[tuple[pg.PlotItem, Any]] = []

    # ------------------------------------------------------------ data in

    def set_sweep(self, table: Table | None, param: str, status: str = "", show: str = "",
                  config=None, values=None) -> None:
        """Show a sweep table (None: no sweep yet); `status` is shown while it has no rows;
        `show` is the column to plot beside the accuracy, when the table has it; `config` the
        sweep's base settings (its reference lines; default: the window's run's) and `values`
        every value it will train (the x axis then spans them from the first one on)."""
        self.table, self.param, self.status = table, param, status
        if config is not None:
            self.config = config
        if values is not None:
            self.planned = list(values)
        elif table is None:
            self.planned = []
        self._show = show or getattr(self, "_show", "")
        self.revision += 1
        if table is not None and len(table.get("value", ())):
            names = measures(table)
            fresh = self.measure.count() == 0
            sync_combo(self.measure, names)
            if fresh and self._show in names:
                self.measure.setCurrentIndex(names.index(self._show))
        self.redraw_now()

    def add_value(self, value: Any, columns: Mapping[str, Any]) -> None:
        """One finished value of the sweep: its columns, one entry per seed (or a single number
        for one seed); every seed becomes a dot at once. Columns the table lacks are added (NaN
        for the values before)."""
        rows = {name: np.atleast_1d(np.asarray(v, dtype=object)) for name, v in columns.items()}
        count = max((len(v) for v in rows.values()), default=0)
        if count == 0:
            return
        rows["value"] = np.array([value] * count, dtype=object)
        old = self.table or {}
        before = len(old.get("value", ()))
        merged: Table = {}
        for name in [*old, *(n for n in rows if n not in old)]:
            mine = old.get(name, np.full(before, np.nan, dtype=object))
            new = rows.get(name, np.full(count, np.nan, dtype=object))
            merged[name] = np.concatenate([np.asarray(mine, dtype=object), np.broadcast_to(new, (count,)).astype(object)])
        self.set_sweep(merged, self.param, self.status)

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
        for plot, item in [*getattr(self, "items", []), *getattr(self, "reference_items", [])]:
            plot.removeItem(item)
        self.items, self.reference_items = [], []
        for plot in (self.acc_plot, self.measure_plot) if hasattr(self, "measure_plot") else ():
            if plot.legend is not None:
                plot.legend.clear()

    def _add(self, plot, item) -> None:
        plot.addItem(item)
        self.items.append((plot, item))

    def _base_config(self, history):
        if self.config is not None:
            return self.config
        return getattr(history, "config", None)

    def draw(self, history) -> None:
        self.reset_items()
        table = self.table
        values = distinct_values(table)
        axis_values = values + [v for v in self.planned if not any(str(v) == str(w) for w in values)]
        x_all, labels_all, log_x = value_positions(axis_values)
        x = x_all[: len(values)]
        named = not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in axis_values)
        x_span = sweep_plot.x_range(x_all, log_x, named)
        column = self.measure.currentText()
        log_y = column in LOG_MEASURES
        if self.measure_plot.getAxis("left").logMode != log_y:
            self.measure_plot.setLogMode(y=log_y)  # before the ranges: it turns auto-range back on
        for plot in (self.acc_plot, self.measure_plot):
            axis = plot.getAxis("bottom")
            axis.setLabel(self.param + (" (log scale)" if log_x else ""), **{"font-size": f"{style.FONT_PT}pt"})
            # Names and decades get a tick per value; plain numbers get pyqtgraph's own ticks
            # (a tick per value crowds when values are close, e.g. sw2 = 1.5, 1.76, 2).
            axis.setTicks([list(zip(x_all, labels_all))] if named or log_x else None)
            if x_span is not None:
                plot.setXRange(*x_span, padding=0.0)
            plot.readout.x_name = self.param
            plot.readout.x_text = value_text(x_all, labels_all)
        accuracy = [("final_train_acc", "train", style.TRAIN), ("final_test_acc", "test", style.TEST)]
        if "mean_task_acc" in table:
            accuracy.append(("mean_task_acc", "all tasks (test)", "#2ca02c"))
        shown = []
        for name, label, colour in accuracy:
            shown += self._series(self.acc_plot, table, name, values, x, colour, label, scale=100.0,
                                  split="test" if name == "final_test_acc" else "train")
        refs = sweep_plot.references(self.param, column, self._base_config(history), axis_values, shown)
        y_span = sweep_plot.accuracy_range(shown, refs)
        self.acc_plot.setYRange(*y_span, padding=0.0)
        style.set_title(self.acc_plot, "Final accuracy")
        self._draw_references(refs, "accuracy", self.acc_plot, log_x, False, y_span)
        if not column:
            keys.refresh(self.acc_plot)
            return
        style.set_title(self.measure_plot, column.replace("_", " "))
        self.measure_plot.getAxis("left").setLabel(column, **{"font-size": f"{style.FONT_PT}pt"})
        if column == "gradient_signal":
            drawn = self._gradient_signal(table, values, x)
        else:
            drawn = self._series(self.measure_plot, table, column, values, x, MEASURE, column)
        m_span = sweep_plot.measure_range(drawn, refs, log=log_y)
        if m_span is not None:
            self.measure_plot.setYRange(*m_span, padding=0.0)
        self._draw_references(refs, "measure", self.measure_plot, log_x, log_y, m_span)
        keys.refresh(self.acc_plot, self.measure_plot)

    def _draw_references(self, refs, which: str, plot, log_x: bool, log_y: bool, y_span) -> None:
        for ref in refs:
            if ref.plot != which or not sweep_plot.shown(ref, y_span):
                continue
            pen = style.pen(REFERENCE, 2, dashed=True)
            if ref.xs:
                xs = np.log10(ref.xs) if log_x else np.asarray(ref.xs)
                item = pg.PlotDataItem(xs, ref.ys, pen=pen, name=ref.label)
            else:
                vertical = ref.axis == "x"
                pos = ref.value
                if (log_x and vertical) or (log_y and not vertical):
                    pos = float(np.log10(pos)) if pos > 0 else None
                if pos is None:
                    continue
                item = pg.InfiniteLine(pos=pos, angle=90 if vertical else 0, pen=pen)
                if ref.label:  # named in the plot's key (placed clear of the data), not over the data
                    entry = pg.PlotDataItem([], [], pen=pen, name=ref.label)
                    plot.addItem(entry)
                    self.reference_items.append((plot, entry))
            item.setZValue(-2)
            plot.addItem(item)
            self.reference_items.append((plot, item))

    def _series(self, plot, table, column, values, x, colour, name, scale=1.0, split="train") -> list[float]:
        """Each seed a faint dot, the mean over seeds with its spread; returns the drawn values."""
        means, stds, points = per_value(table, column, values)
        drawn: list[float] = []
        for xi, seeds in zip(x, points):
            seeds = seeds[np.isfinite(seeds)] * scale
            drawn += list(seeds)
            dots = pg.ScatterPlotItem(np.full(len(seeds), xi), seeds, size=7, brush=style.faint(colour, 110), pen=None)
            dots.readout_name = f"{name}, one seed"  # named for the hover readout, not in the key
            self._add(plot, dots)
        ok = np.isfinite(means)
        symbol = "s" if split == "test" else "o"
        self._add(plot, pg.PlotDataItem(x[ok], means[ok] * scale, pen=style.split_pen(split, colour=colour),
                                        symbol=symbol, symbolBrush=colour, symbolPen=None, symbolSize=10,
                                        name=name))
        self._add(plot, pg.ErrorBarItem(x=x[ok], y=means[ok] * scale, height=2 * np.nan_to_num(stds[ok]) * scale,
                                        pen=pg.mkPen(colour, width=2)))
        drawn += list((means[ok] + stds[ok]) * scale) + list((means[ok] - stds[ok]) * scale)
        return drawn

    def _gradient_signal(self, table, values, x) -> list[float]:
        """Log scale: values resolved above twice their standard error as dots, the others as
        an upper limit (open triangles at 2 standard errors), and the bound 1/C(n, k)."""
        means, _, _ = per_value(table, "gradient_signal", values)
        errors, _, _ = per_value(table, "gradient_signal_stderr", values)
        bound, _, _ = per_value(table, "gradient_signal_bound", values)
        resolved = np.isfinite(means) & (means > 2 * np.nan_to_num(errors))
        limit = ~resolved & np.isfinite(errors) & (errors > 0)
        self._add(self.measure_plot, pg.PlotDataItem(x[resolved], means[resolved], pen=None, symbol="o",
                                                     symbolBrush=MEASURE, symbolSize=11, name="measured"))
        self._add(self.measure_plot, pg.PlotDataItem(x[limit], 2 * errors[limit], pen=None, symbol="t",
                                                     symbolBrush=None, symbolPen=pg.mkPen(MEASURE, width=2),
                                                     symbolSize=13, name="upper limit (below resolution)"))
        ok = np.isfinite(bound)
        self._add(self.measure_plot, pg.PlotDataItem(x[ok], bound[ok], pen=style.pen(REFERENCE, 2, dashed=True),
                                                     name="bound 1/C(n, k)"))
        return [*means[resolved], *(2 * errors[limit]), *bound[ok]]

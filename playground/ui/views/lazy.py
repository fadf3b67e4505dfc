"""Wide networks are lazy: from the width sweep, each layer's relative weight change
||W - W0|| / ||W0|| against width, and the distance between the trained network's test
outputs and its linearisation's, both log-log, with a slope of -1/2 for reference; this run's
own figures as stars (alone until a sweep arrives)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import finite_positive, last_epoch, numbered_columns, sweep_points
from playground.ui.views.sweep_fed import SweepFedView, numeric_values, set_log_ticks
from playground.ui.widgets import style

DISTANCES = (("linear_relative_distance", "relative_distance", "relative (over how far the outputs moved)",
              style.TRAIN),
             ("linear_distance", "distance", "absolute (RMS over the test outputs)", style.TEST))


def run_width(history: History) -> float:
    hidden = list(history.config.network.hidden) if history.config is not None else []
    return float(hidden[0]) if hidden else float("nan")


class LazyView(SweepFedView):
    title = "Lazy training"
    key = "lazy"
    run_tables = ("lazy",)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.finish_toolbar()
        self.change_plot = self.canvas.addPlot(row=0, col=0)
        self.distance_plot = self.canvas.addPlot(row=1, col=0)
        style.style_plot(self.change_plot, "Relative weight change", "width (log scale)", "||W - W0|| / ||W0||")
        style.style_plot(self.distance_plot, "Distance to the linearisation", "width (log scale)",
                         "test outputs' distance")
        for plot in (self.change_plot, self.distance_plot):
            plot.setLogMode(x=True, y=True)
        self.change_legend = style.legend(self.change_plot, offset=(10, -10))
        self.distance_legend = style.legend(self.distance_plot, offset=(10, -10))
        self.items: list = []

    def has_sweep_data(self, table) -> bool:
        return numeric_values(table) and bool(numbered_columns(table, "relative_change_"))

    def empty_message(self, history):
        return getattr(self, "sweep_status", "") or (
            "Lazy training: open the lesson \"Wide networks are lazy\", press Run, then run its sweep over the width: "
            "the relative change of the weights and the distance to the linearisation, against width.")

    def data_items(self):
        return [item for _, item in self.items if isinstance(item, pg.PlotDataItem)]

    def reset_items(self) -> None:
        for plot, item in getattr(self, "items", []):
            plot.removeItem(item)
        self.items = []
        for legend in (self.change_legend, self.distance_legend):
            legend.clear()

    def _add(self, plot, item) -> None:
        plot.addItem(item)
        self.items.append((plot, item))

    def draw(self, history: History | None) -> None:
        self.reset_items()
        sweep = self.sweep
        if sweep is not None:
            self._draw_sweep(sweep)
        if history is not None and history.has("lazy"):
            self._draw_run(history)
        where = "sweep" if sweep is not None else "this run; the sweep adds widths"
        style.set_title(self.change_plot, f"Relative weight change ({where})")
        set_log_ticks(self.change_plot, [item for plot, item in self.items if plot is self.change_plot])
        set_log_ticks(self.distance_plot, [item for plot, item in self.items if plot is self.distance_plot])

    def _series(self, plot, table, column, colour, name) -> np.ndarray | None:
        values, means, seed_x, seed_y = sweep_points(table, column)
        x, y = finite_positive(seed_x, seed_y, True, True)
        self._add(plot, pg.PlotDataItem(x, y, pen=None, symbol="o", symbolSize=6, symbolPen=None,
                                        symbolBrush=style.faint(colour, 110)))
        x, y = finite_positive(values, means, True, True)
        self._add(plot, pg.PlotDataItem(x, y, pen=style.pen(colour), symbol="o", symbolSize=9, symbolBrush=colour,
                                        name=name))
        return np.stack([x, y]) if len(x) else None

    def _draw_sweep(self, table) -> None:
        first = None
        for layer, column in numbered_columns(table, "relative_change_"):
            points = self._series(self.change_plot, table, column, style.layer_colour(layer - 1), f"layer {layer}")
            first = points if first is None else first
        if first is not None and first.shape[1] >= 2:
            # A slope of -1/2 through the first layer's narrowest point: the lazy regime's 1/sqrt(width).
            x = first[0][[0, -1]]
            self._add(self.change_plot, pg.PlotDataItem(x, first[1][0] * (x / x[0]) ** -0.5,
                                                        pen=style.pen("#555", 2, dashed=True), name="slope −1/2"))
        for column, _, name, colour in DISTANCES:
            if column in table:
                self._series(self.distance_plot, table, column, colour, name)

    def _draw_run(self, history: History) -> None:
        width = run_width(history)
        if not np.isfinite(width):
            return
        table = history.columns("lazy")
        rows = last_epoch(table)
        layers = np.asarray(table["layer"]).astype(int)
        change = np.asarray(table["relative_change"], dtype=float)
        for layer in np.unique(layers[rows]):
            value = change[rows & (layers == layer)].mean()
            self._star(self.change_plot, width, value, style.layer_colour(int(layer) - 1),
                       "this run" if layer == layers[rows].min() else None)
        if history.has("linearisation"):
            table = history.columns("linearisation")
            rows = last_epoch(table)
            for _, column, _, colour in DISTANCES:
                values = np.asarray(table[column], dtype=float)[rows]
                values = values[np.isfinite(values)]
                if values.size:
                    self._star(self.distance_plot, width, values.mean(), colour,
                               "this run" if column == "relative_distance" else None)

    def _star(self, plot, x: float, y: float, colour: str, name: str | None) -> None:
        x_, y_ = finite_positive(np.array([x]), np.array([y]), True, True)
        if len(x_):
            self._add(plot, pg.PlotDataItem(x_, y_, pen=None, symbol="star", symbolSize=18, symbolBrush=colour,
                                            symbolPen=pg.mkPen("k", width=1), name=name))

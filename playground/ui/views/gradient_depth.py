"""Vanishing gradients: the norm of the loss gradient for each layer's weights, from the input
layer to the output, at initialisation, log scale: from the activation sweep one line per
activation; until a sweep arrives, this run's lines, one per measured epoch."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import layer_profile, numbered_columns, sweep_profiles
from playground.ui.views.base import RebuiltCurves
from playground.ui.views.sweep_fed import SweepFedView, set_log_ticks
from playground.ui.widgets import style

ACTIVATION_COLOURS = {"sigmoid": "#d62728", "tanh": style.TRAIN, "relu": "#2ca02c", "linear": "#7f7f7f"}


class GradientDepthView(RebuiltCurves, SweepFedView):
    title = "Gradients by depth"
    key = "gradient_depth"
    run_tables = ("gradient_depth",)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Gradient norm per layer", "layer (1: the input layer; last: the output layer)",
                         "||d loss / d W|| (log scale)")
        self.plot.setLogMode(y=True)
        # Bottom right: sigmoid's gradients are smallest at the input, the others level.
        self.legend = style.legend(self.plot, offset=(-10, -10))
        self.items: list = []

    def has_sweep_data(self, table) -> bool:
        return bool(numbered_columns(table, "grad_norm_"))

    def empty_message(self, history):
        return getattr(self, "sweep_status", "") or (
            "Gradients by depth: open the lesson \"Flat activations and vanishing gradients\", press Run, then run "
            "its sweep over the activation: each layer's gradient norm at initialisation, one line per activation.")

    def data_items(self):
        return list(self.items)

    def _line(self, layers, norms, colour, width: float, name: str) -> None:
        keep = np.isfinite(norms) & (norms > 0)
        item = pg.PlotDataItem(np.asarray(layers)[keep], np.asarray(norms)[keep], pen=style.pen(colour, width),
                               symbol="o", symbolSize=7 if width >= 3 else 5, symbolBrush=colour, name=name)
        self.plot.addItem(item)
        self.items.append(item)

    def draw(self, history: History | None) -> None:
        self.reset_items()
        sweep = self.sweep
        if sweep is not None:
            values, layers, means = sweep_profiles(sweep, "grad_norm_")
            for index, (value, norms) in enumerate(zip(values, means)):
                name = value
                if "grad_ratio_first_last" in sweep:
                    picked = np.asarray(sweep["grad_ratio_first_last"], dtype=float)[
                        np.array([str(v) for v in sweep["value"]]) == value]
                    if np.isfinite(picked).any():
                        name = f"{value}  (first / last: {np.nanmean(picked):.2g})"
                self._line(layers, norms, ACTIVATION_COLOURS.get(value, style.layer_colour(index)), 3, name)
            swept = (self.sweep_param or "value").split(".")[-1]
            style.set_title(self.plot, f"Gradient norm at initialisation, by {swept}")
            ticks = layers
        else:
            table = history.columns("gradient_depth")
            epochs = np.unique(np.asarray(table["epoch"]).astype(int))
            colours = pg.colormap.get(style.EPOCH_MAP).getLookupTable(0.0, 0.85, max(len(epochs), 2), alpha=False)
            activation = history.config.network.activation if history.config is not None else ""
            for index, epoch in enumerate(epochs):
                layers, norms = layer_profile(table, "grad_norm", int(epoch))
                colour = pg.mkColor(*colours[index]).name()
                self._line(layers, norms, colour, 3 if epoch == 0 else 1.5, f"epoch {epoch}")
            style.set_title(self.plot, f"Gradient norm, this run ({activation}; the sweep adds others)")
            ticks = np.unique(np.asarray(table["layer"]).astype(int))
        self.plot.getAxis("bottom").setTicks([[(int(k), str(int(k))) for k in ticks]])
        set_log_ticks(self.plot, self.items, x=False)

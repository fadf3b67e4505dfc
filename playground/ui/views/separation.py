"""Layers that separate the classes: a linear probe's test accuracy on every layer's activity
(layer 0 the input, the last the output) over training, the same against depth at
initialisation and now, and a layer's test activity on its two leading principal components,
coloured by class (member 0; live as the run goes, and from final_state.npz when reopened)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import MEAN, layer_curves, layer_profile, separation_layers, separation_scatter
from playground.ui.views.base import MemberChoice, PlotView, sync_combo
from playground.ui.widgets import style

MAX_POINTS = 2000


def layer_name(layer: int, last: int) -> str:
    if layer == 0:
        return "input"
    return "output" if layer == last else f"layer {layer}"


class SeparationView(PlotView):
    title = "Separation"
    key = "separation"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member_choice = MemberChoice(self, "Probes of")
        self.layer = self.add_combo("Scatter of", ["output"], "the layer whose activity the scatter shows")
        self.finish_toolbar()
        self.time_plot = self.canvas.addPlot(row=0, col=0)
        self.depth_plot = self.canvas.addPlot(row=0, col=1)
        # The layers' key in a row of its own under the plots: inside, it would sit on the lines.
        self.time_legend = pg.LegendItem(colCount=6, labelTextSize=f"{style.FONT_PT - 1}pt")
        self.canvas.addItem(self.time_legend, row=1, col=0, colspan=2)
        self.scatter_plot = self.canvas.addPlot(row=2, col=0, colspan=2)
        layout = self.canvas.ci.layout
        layout.setColumnStretchFactor(0, 1)
        layout.setColumnStretchFactor(1, 1)
        for row, stretch in ((0, 4), (1, 0), (2, 5)):
            layout.setRowStretchFactor(row, stretch)
        layout.setRowMaximumHeight(1, 3 * (style.FONT_PT + 10))
        style.style_plot(self.time_plot, "Probe per layer", "epoch", "probe test accuracy", y_units="%")
        style.style_plot(self.depth_plot, "Against depth", "layer", "probe test accuracy", y_units="%")
        style.style_plot(self.scatter_plot, "Activity on two principal components", "PC 1", "PC 2")
        self.scatter = pg.ScatterPlotItem(size=6, pen=None)
        self.scatter_plot.addItem(self.scatter)
        self.items: list = []

    def has_data(self, history: History) -> bool:
        return history.has("separation")

    def empty_message(self, history):
        return ("Separation: open the lesson \"Layers that separate the classes\" and press Run: every few epochs a "
                "linear probe is fitted on each layer's activity and scored on the test images.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("separation"), history.live_revision,
                self.member_choice.member, self.layer.currentText())

    def data_items(self):
        return [*(item for _, item in self.items if isinstance(item, pg.PlotDataItem)), self.scatter]

    def reset_items(self) -> None:
        for plot, item in getattr(self, "items", []):
            plot.removeItem(item)
        self.items = []
        self.time_legend.clear()
        self.scatter.clear()

    def _add(self, plot, item) -> None:
        plot.addItem(item)
        self.items.append((plot, item))

    def draw(self, history: History) -> None:
        self.reset_items()
        cfg = history.config
        self.member_choice.sync(int(cfg.train.ensemble) if cfg is not None else 1)
        member = self.member_choice.member
        table = history.columns("separation")
        curves = layer_curves(table, "probe_accuracy", member)
        last = max(curves) if curves else 0
        for layer, (epochs, accuracy) in curves.items():
            item = pg.PlotDataItem(epochs, 100 * accuracy, pen=style.pen(style.layer_colour(layer)), symbol="o",
                                   symbolSize=6, symbolBrush=style.layer_colour(layer))
            self._add(self.time_plot, item)
            self.time_legend.addItem(item, layer_name(layer, last))
        rows = np.ones(len(table["epoch"]), dtype=bool) if member == MEAN else np.asarray(table["member"]) == member
        picked = {k: np.asarray(v)[rows] for k, v in table.items()}
        epochs = np.unique(picked["epoch"])
        profiles = [(int(epoch), colour, width, *layer_profile(picked, "probe_accuracy", int(epoch)))
                    for epoch, colour, width in ((epochs[0], "#7f7f7f", 2), (epochs[-1], style.TRAIN, 3))[:len(epochs)]]
        ends = [accuracy[-1] for *_, accuracy in profiles]
        for epoch, colour, width, layers, accuracy in profiles:
            self._add(self.depth_plot, pg.PlotDataItem(layers, 100 * accuracy, pen=style.pen(colour, width), symbol="o",
                                                       symbolSize=8, symbolBrush=colour))
            # Each line named at its deepest point, on the side facing the other line (inside the
            # plot): a legend would sit on the lines, wherever they go.
            higher = accuracy[-1] >= max(ends) and len(profiles) > 1
            label = pg.TextItem(f"epoch {epoch}", color=colour, anchor=(1, -0.15) if higher else (1, 1.15))
            label.setPos(float(layers[-1]), 100 * float(accuracy[-1]))
            self._add(self.depth_plot, label)
        self.depth_plot.getAxis("bottom").setTicks([[(k, layer_name(k, last).replace("layer ", "")) for k in range(last + 1)]])
        self.depth_plot.setXRange(0, last, padding=0.12)
        self._draw_scatter(history, last)

    def _draw_scatter(self, history: History, last: int) -> None:
        count = separation_layers(history.live)
        names = [layer_name(k, count - 1) for k in range(count)]
        previous = self.layer.currentText()
        if count:
            sync_combo(self.layer, names)
            if previous not in names:  # a new network: start on its output layer
                self.layer.blockSignals(True)
                self.layer.setCurrentIndex(count - 1)
                self.layer.blockSignals(False)
        found = separation_scatter(history.live, self.layer.currentIndex()) if count else None
        if found is None:
            style.set_title(self.scatter_plot, "(the scatter comes with the first measurement)", size=style.FONT_PT - 1,
                            bold=False)
            return
        points, labels = found
        points, labels = points[:MAX_POINTS], labels[:MAX_POINTS]
        brushes = [pg.mkBrush(style.layer_colour(int(c))) for c in labels]
        self.scatter.setData(pos=points, brush=brushes)
        style.set_title(self.scatter_plot, f"{self.layer.currentText().capitalize()} of member 0, two principal "
                                           "components (colour: class)", size=style.FONT_PT)

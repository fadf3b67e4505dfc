"""Pruning and lottery tickets: test accuracy against the share of weights removed, for the
four ways on (pruned only, fine-tuned, rewound to the initial values, reinitialised), each
member a faint dot, the dense network's accuracy dashed.

(The network drawing with the pruned links gone, from final_state's pruning masks, is left to
the network view.)"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import pruning_curves, remaining_position
from playground.ui.views.base import PlotView, RebuiltCurves
from playground.ui.widgets import style

METHODS = {  # name -> (legend, colour)
    "none": ("pruned, not retrained", "#7f7f7f"),
    "finetune": ("fine-tuned survivors", "#2ca02c"),
    "rewind": ("rewound to initial values (ticket)", style.TRAIN),
    "reinit": ("same mask, new random values", style.TEST),
}


class PruningView(RebuiltCurves, PlotView):
    title = "Pruning"
    key = "pruning"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Accuracy after pruning", "weights removed (log scale of the share kept)",
                         "test accuracy", y_units="%")
        self.plot.setYRange(0, 100, padding=0.02)
        self.legend = style.legend(self.plot, offset=(10, -10))
        self.dense = pg.InfiniteLine(angle=0, pen=style.pen("k", 2, dashed=True), label="dense network ({value:.0f}%)",
                                     labelOpts={"position": 0.08, "color": "k", "anchors": [(0, 1), (0, 1)]})
        self.plot.addItem(self.dense)
        self.items: list = []

    def has_data(self, history: History) -> bool:
        return history.has("pruning")

    def empty_message(self, history):
        return ("Pruning: open the lesson \"Pruning and lottery tickets\" and press Run. At the end each network is "
                "pruned to several sparsities and tested four ways (the retraining takes a while).")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("pruning"))

    def draw(self, history: History) -> None:
        self.reset_items()
        table = history.columns("pruning")
        dense, curves = pruning_curves(table)
        self.dense.setVisible(bool(np.isfinite(dense)))
        if np.isfinite(dense):
            self.dense.setValue(100 * dense)
        sparsity = np.asarray(table["sparsity"], dtype=float)
        method = np.asarray(table["method"]).astype(str)
        accuracy = 100 * np.asarray(table["accuracy"], dtype=float)
        shown = sorted({float(s) for s in sparsity if s > 0})
        for name, (s, mean) in curves.items():
            legend, colour = METHODS.get(name, (name, style.layer_colour(len(self.items))))
            keep = (method == name) & (sparsity > 0)
            self._add(pg.PlotDataItem(remaining_position(sparsity[keep]), accuracy[keep], pen=None, symbol="o",
                                      symbolSize=6, symbolPen=None, symbolBrush=style.faint(colour, 110)))
            self._add(pg.PlotDataItem(remaining_position(s), 100 * mean, pen=style.pen(colour), symbol="o",
                                      symbolSize=9, symbolBrush=colour, name=legend))
        ticks = [(float(remaining_position(s)), f"{100 * s:g}%") for s in shown]
        self.plot.getAxis("bottom").setTicks([ticks] if ticks else None)
        if shown:
            self.plot.setXRange(float(remaining_position(shown[0])), float(remaining_position(shown[-1])), padding=0.06)

    def _add(self, item) -> None:
        self.plot.addItem(item)
        self.items.append(item)

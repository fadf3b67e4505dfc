"""The modes lesson: each singular mode's strength over training, the ensemble mean bold and
the members faint, with its singular value (dotted) and the predicted half-way time (dashed)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.model.series import group_mean, member_curves
from playground.ui.views import keys, readout
from playground.ui.views.base import PlotView, RebuiltCurves, members_of


class ModesView(RebuiltCurves, PlotView):
    title = "Modes"
    key = "modes"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Mode strengths (dashed: predicted half-way)", "step",
                         "mode strength u")
        self.legend = keys.corner_legend(self.plot)  # clear of the modes' curves, mode 3's included
        readout.install(self.plot)
        self.items: list = []

    def has_data(self, history: History) -> bool:
        return history.has("modes")

    def empty_message(self, history):
        return ("Modes: open the lesson \"Modes one at a time\" (task modes, one hidden linear layer, "
                "squared error) and press Start.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("modes"))

    def draw(self, history: History) -> None:
        self.reset_items()
        t = history.columns("modes")
        several = members_of(history) > 1
        for mode in np.unique(t["mode"]).astype(int):
            rows = t["mode"] == mode
            colour = style.layer_colour(mode - 1)
            s = float(t["singular_value"][rows][0])
            (steps,), strength = group_mean([t["step"][rows]], t["strength"][rows])
            if several:
                x, y, connect = member_curves(t["step"][rows], t["member"][rows], t["strength"][rows])
                self._add(pg.PlotDataItem(x, y, connect=connect, pen=style.pen(style.faint(colour), style.FAINT_LINE)))
            self._add(pg.PlotDataItem(steps, strength, pen=style.pen(colour), name=f"mode {mode}  (s = {s:g})"))
            self._add(pg.InfiniteLine(pos=s, angle=0, pen=pg.mkPen(colour, width=1, style=pg.QtCore.Qt.PenStyle.DotLine)))
            predicted = float(np.mean(t["predicted_halfway"][rows & (t["epoch"] == t["epoch"][rows].max())]))
            if np.isfinite(predicted):
                self._add(pg.InfiniteLine(pos=predicted, angle=90, pen=style.pen(colour, 2, dashed=True)))
        keys.refresh(self.plot)

    def _add(self, item) -> None:
        self.plot.addItem(item)
        self.items.append(item)

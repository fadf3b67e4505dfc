"""Sharpness (top Hessian eigenvalue of the training loss) over training, with 2/lr: the
largest sharpness at which plain gradient descent is stable (the edge of stability)."""

from __future__ import annotations

import pyqtgraph as pg

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.model.series import mean_curve, member_curves
from playground.ui.views import keys, readout
from playground.ui.views.base import PlotView, members_of


class SharpnessView(PlotView):
    title = "Sharpness"
    key = "sharpness"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Sharpness of the training loss", "epoch", "top Hessian eigenvalue")
        keys.corner_legend(self.plot)
        readout.install(self.plot)
        self.members = pg.PlotDataItem(pen=style.pen(style.faint(style.TRAIN), style.FAINT_LINE))
        self.mean = pg.PlotDataItem(pen=style.pen(style.TRAIN), symbol="o", symbolSize=6,
                                    symbolBrush=style.TRAIN, name="sharpness")
        self.limit = pg.PlotDataItem(pen=style.pen(style.REFERENCE, 2, dashed=True), name="2 / learning rate")
        for item in (self.members, self.mean, self.limit):
            self.plot.addItem(item)

    def has_data(self, history: History) -> bool:
        return history.has("sharpness")

    def empty_message(self, history):
        return ("Sharpness: open the lesson \"Small batches against full batch\" (it measures the top "
                "eigenvalue of the loss's Hessian every few epochs) and press Start.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("sharpness"))

    def data_items(self):
        return [self.members, self.mean, self.limit]

    def draw(self, history: History) -> None:
        t = history.columns("sharpness")
        x, y = mean_curve(t["epoch"], t["sharpness"])
        self.mean.setData(x, y)
        lx, ly = mean_curve(t["epoch"], t["two_over_lr"])
        self.limit.setData(lx, ly)
        if members_of(history) > 1:
            mx, my, connect = member_curves(t["epoch"], t["member"], t["sharpness"])
            self.members.setData(mx, my, connect=connect)
        else:
            self.members.setData([], [])
        keys.refresh(self.plot)

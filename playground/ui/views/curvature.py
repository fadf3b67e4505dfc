"""The extreme eigenvalues of the training loss's Hessian over training: the largest (the
sharpest direction) and the smallest (below zero: a direction of descent, a saddle-like
region), the ensemble mean bold and the members faint."""

from __future__ import annotations

import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import mean_curve, member_curves
from playground.ui.views.base import PlotView, members_of
from playground.ui.widgets import style

SERIES = (("max_eig", "largest eigenvalue", style.TRAIN), ("min_eig", "smallest eigenvalue", style.TEST))


class CurvatureView(PlotView):
    title = "Curvature"
    key = "curvature"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Extreme Hessian eigenvalues (below 0: saddle)", "epoch",
                         "eigenvalue")
        self.legend = style.legend(self.plot, offset=(-10, 10))
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#555", width=1)))
        self.curves = {}
        for column, name, colour in SERIES:
            faint = pg.PlotDataItem(pen=style.pen(style.faint(colour), style.FAINT_LINE))
            bold = pg.PlotDataItem(pen=style.pen(colour), symbol="o", symbolSize=7, symbolBrush=colour, name=name)
            self.plot.addItem(faint)
            self.plot.addItem(bold)
            self.curves[column] = (faint, bold)

    def has_data(self, history: History) -> bool:
        return history.has("curvature")

    def empty_message(self, history):
        return ("Curvature: open the lesson \"The loss landscape\" and press Run: at initialisation and every few "
                "epochs the largest and smallest eigenvalue of the loss's Hessian are measured.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("curvature"))

    def data_items(self):
        return [item for pair in self.curves.values() for item in pair]

    def draw(self, history: History) -> None:
        table = history.columns("curvature")
        several = members_of(history) > 1
        for column, (faint, bold) in self.curves.items():
            bold.setData(*mean_curve(table["epoch"], table[column]))
            if several:
                x, y, connect = member_curves(table["epoch"], table["member"], table[column])
                faint.setData(x, y, connect=connect)
            else:
                faint.setData([], [])

"""The loss landscape: the loss along the straight line from the initial weights (alpha = 0)
to the final ones (alpha = 1) and beyond, training and test, and the training loss on a plane
through the final weights along two filter-normalised random directions, as a heatmap with
contours (log scale) and the final point marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import MEAN, contour_levels, group_mean, member_curves, plane_grid
from playground.ui.views.base import PlotView, members_of, sync_combo
from playground.ui.views.sweep_fed import set_log_ticks
from playground.ui.widgets import style

PLANE_MAP = "viridis"
CONTOURS = 8


class LandscapeView(PlotView):
    title = "Landscape"
    key = "landscape"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plane_member = self.add_combo("Plane of", ["ensemble mean"], "each member's plane has its own random "
                                           "directions; the mean is over the members' losses at the same (a, b)")
        self.finish_toolbar()
        self.line_plot = self.canvas.addPlot(row=0, col=0, colspan=2)
        self.plane_plot = self.canvas.addPlot(row=1, col=0)
        self.canvas.ci.layout.setRowStretchFactor(0, 2)
        self.canvas.ci.layout.setRowStretchFactor(1, 3)
        style.style_plot(self.line_plot, "Loss from the initial to the final weights", "alpha (0: initial, 1: final)",
                         "loss (log scale)")
        self.line_plot.setLogMode(y=True)
        self.legend = style.legend(self.line_plot, offset=(10, -10))  # bottom left: the loss falls to the right
        self.curves = {}
        for column, name, colour in (("train_loss", "training loss", style.TRAIN), ("test_loss", "test loss", style.TEST)):
            faint = pg.PlotDataItem(pen=style.pen(style.faint(colour), style.FAINT_LINE))
            bold = pg.PlotDataItem(pen=style.pen(colour), name=name)
            self.line_plot.addItem(faint)
            self.line_plot.addItem(bold)
            self.curves[column] = (faint, bold)
        for alpha, text in ((0.0, "initial"), (1.0, "final")):
            self.line_plot.addItem(pg.InfiniteLine(pos=alpha, angle=90, pen=pg.mkPen("#555", width=1, style=pg.QtCore.Qt.PenStyle.DotLine),
                                                   label=text, labelOpts={"position": 0.95, "color": "#555"}))
        style.style_plot(self.plane_plot, "Training loss around the final weights", "a (random direction 1)",
                         "b (random direction 2)")
        self.plane_plot.setAspectLocked(True)
        self.colormap = pg.colormap.get(PLANE_MAP)
        self.image = pg.ImageItem()
        self.image.setColorMap(self.colormap)
        self.plane_plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=self.colormap, label="log10 training loss",
                                          interactive=False, width=18)
        self.colour_bar.setImageItem(self.image)
        self.canvas.addItem(self.colour_bar, row=1, col=1)
        self.contours: list[pg.IsocurveItem] = []
        self.final_point = pg.ScatterPlotItem([0.0], [0.0], symbol="star", size=18, brush="w", pen=pg.mkPen("k", width=1.5))
        self.plane_plot.addItem(self.final_point)
        self.final_point.setZValue(10)

    def has_data(self, history: History) -> bool:
        return history.has("landscape_line") or history.has("landscape_plane")

    def empty_message(self, history):
        return ("Landscape: open the lesson \"The loss landscape\" and press Run. At the end the loss is taken along "
                "the straight line from the initial to the final weights, and on a plane around the final weights.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("landscape_line"), history.revision_of("landscape_plane"),
                self.plane_member.currentIndex())

    def data_items(self):
        return [item for pair in self.curves.values() for item in pair] + [self.image]

    def reset_items(self) -> None:
        super().reset_items()
        for contour in self.contours:
            contour.setData(None)

    def draw(self, history: History) -> None:
        sync_combo(self.plane_member, ["ensemble mean"] + [f"member {k}" for k in range(members_of(history))])
        self._draw_line(history)
        self._draw_plane(history)

    def _draw_line(self, history: History) -> None:
        if not history.has("landscape_line"):
            for pair in self.curves.values():
                for item in pair:
                    item.setData([], [])
            return
        table = history.columns("landscape_line")
        several = members_of(history) > 1
        for column, (faint, bold) in self.curves.items():
            values = np.asarray(table[column], dtype=float)
            (alpha,), mean = group_mean([np.asarray(table["alpha"], dtype=float)], values)
            bold.setData(alpha, mean)
            if several:
                x, y, connect = member_curves(table["alpha"], table["member"], values)
                faint.setData(x, y, connect=connect)
            else:
                faint.setData([], [])
        set_log_ticks(self.line_plot, [bold for _, bold in self.curves.values()], x=False)

    def _draw_plane(self, history: History) -> None:
        if not history.has("landscape_plane"):
            self.image.clear()
            for contour in self.contours:
                contour.setData(None)
            return
        index = self.plane_member.currentIndex()
        member = MEAN if index <= 0 else index - 1
        a, b, grid = plane_grid(history.columns("landscape_plane"), member)
        shown = np.log10(np.where(grid > 0, grid, np.nan))
        low, high = np.nanmin(shown), np.nanmax(shown)
        levels = (low, high if high > low else low + 1)
        self.image.setImage(np.nan_to_num(shown, nan=high), levels=levels)
        self.colour_bar.setLevels(levels)
        da = (a[-1] - a[0]) / max(len(a) - 1, 1) if len(a) > 1 else 1.0
        db = (b[-1] - b[0]) / max(len(b) - 1, 1) if len(b) > 1 else 1.0
        self.image.setRect(pg.QtCore.QRectF(a[0] - da / 2, b[0] - db / 2, da * len(a), db * len(b)))
        levels = contour_levels(grid, CONTOURS)
        while len(self.contours) < len(levels):
            contour = pg.IsocurveItem(pen=pg.mkPen("w", width=1.5))
            contour.setParentItem(self.image)  # drawn in the image's pixel coordinates
            self.contours.append(contour)
        for contour, level in zip(self.contours, levels):
            contour.setLevel(float(np.log10(level)))
            contour.setData(np.nan_to_num(shown, nan=high))
        for contour in self.contours[len(levels):]:
            contour.setData(None)
        centre = grid[np.argmin(np.abs(a)), np.argmin(np.abs(b))] if len(a) and len(b) else np.nan
        who = "mean of members" if member == MEAN else f"member {member}"
        style.set_title(self.plane_plot, f"Random plane, {who} (★ final {centre:.3g})")

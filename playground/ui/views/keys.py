"""A plot's key (legend) kept in the corner where it hides the least data: accuracy near 100 %
pushes it down, a falling loss up. The corner is chosen by playground.ui.model.placement on the
plot's own curves and reference lines, again whenever the range or the size changes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.placement import CORNERS, choose_corner
from playground.ui.widgets import style

MARGIN_PX = 8
ANCHORS = {  # corner -> (item anchor, parent anchor, offset sign)
    "top-right": ((1, 0), (1, 0), (-1, 1)),
    "top-left": ((0, 0), (0, 0), (1, 1)),
    "bottom-right": ((1, 1), (1, 1), (-1, -1)),
    "bottom-left": ((0, 1), (0, 1), (1, -1)),
}


def plot_curves(plot: pg.PlotItem) -> list[tuple]:
    """(x, y[, connect]) of what the plot shows, in its own coordinates (log10 on a log axis):
    its curves and scatter points, and its reference lines across the view."""
    log_x, log_y = plot.ctrl.logXCheck.isChecked(), plot.ctrl.logYCheck.isChecked()
    (x0, x1), (y0, y1) = plot.vb.viewRange()
    out = []
    for item in plot.items:
        if not item.isVisible() or getattr(item, "not_data", False):
            continue
        if isinstance(item, pg.PlotDataItem):
            x, y = item.getOriginalDataset()
            if x is None or len(x) == 0:
                continue
            x, y = _shown(np.asarray(x, dtype=float), log_x), _shown(np.asarray(y, dtype=float), log_y)
            connect = item.opts.get("connect")
            out.append((x, y, connect) if isinstance(connect, np.ndarray) and len(connect) == len(x) else (x, y))
        elif isinstance(item, pg.ScatterPlotItem):
            x, y = item.getData()
            if x is not None and len(x):
                out.append((np.asarray(x, dtype=float), np.asarray(y, dtype=float)))
        elif isinstance(item, pg.InfiniteLine):
            pos = item.value()
            if item.angle % 180 == 0:
                out.append((np.array([x0, x1]), np.array([pos, pos])))
            elif item.angle % 180 == 90:
                out.append((np.array([pos, pos]), np.array([y0, y1])))
    return out


def _shown(values: np.ndarray, log: bool) -> np.ndarray:
    if not log:
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)


class CornerKey:
    """Moves `legend` (inside `plot`) to the corner that hides the least of the plot's data."""

    def __init__(self, plot: pg.PlotItem, legend: pg.LegendItem, corners=CORNERS):
        self.plot, self.legend, self.corners = plot, legend, tuple(corners)
        self.corner: str | None = None
        plot.vb.sigRangeChanged.connect(self.update)
        plot.vb.sigResized.connect(self.update)
        self.place(self.corners[0])

    def update(self, *_) -> None:
        if not self.legend.items:
            return
        vb = self.plot.vb
        width_px, height_px = vb.width(), vb.height()
        if width_px < 20 or height_px < 20:
            return
        box = self.legend.boundingRect()
        width = min((box.width() + MARGIN_PX) / width_px, 1.0)
        height = min((box.height() + MARGIN_PX) / height_px, 1.0)
        x_range, y_range = vb.viewRange()
        corner = choose_corner(plot_curves(self.plot), x_range, y_range, width, height,
                               current=self.corner, corners=self.corners)
        if corner != self.corner:
            self.place(corner)

    def place(self, corner: str) -> None:
        item, parent, (sx, sy) = ANCHORS[corner]
        self.legend.anchor(itemPos=item, parentPos=parent, offset=(sx * MARGIN_PX, sy * MARGIN_PX))
        self.corner = corner


def corner_legend(plot: pg.PlotItem, corners=CORNERS) -> pg.LegendItem:
    """A legend inside `plot` that keeps to the corner away from the data (`plot.corner_key`)."""
    legend = style.legend(plot)
    plot.corner_key = CornerKey(plot, legend, corners)
    return legend


def refresh(*plots: pg.PlotItem) -> None:
    """Re-choose the corner of each plot's key (after a redraw, whose range may be unchanged)."""
    for plot in plots:
        key = getattr(plot, "corner_key", None)
        if key is not None:
            key.update()

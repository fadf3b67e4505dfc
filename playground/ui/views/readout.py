"""Values on hover: the mouse near a curve or a point shows that point's values beside it (the
curve's name, x and y as the axes name them), with a ring on the point. The nearest point is
found by playground.ui.model.placement.nearest_point, in pixels."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg

from playground.ui.model.placement import nearest_point
from playground.ui.widgets import style

NEAR_PX = 14  # the mouse this close to a point shows it
RATE_HZ = 30


def value_text(value: float) -> str:
    if not np.isfinite(value):
        return str(value)
    return f"{value:.4g}"


class Readout:
    """Hover readout of one plot. `x_name` / `y_name` default to the axes' labels."""

    def __init__(self, plot: pg.PlotItem, x_name: str | None = None, y_name: str | None = None):
        self.plot, self.x_name, self.y_name = plot, x_name, y_name
        # How an x position reads, where it is not the value itself (a sweep's log10 positions,
        # its named values); None: the value as the axis shows it.
        self.x_text: Callable[[float], str] | None = None
        self.label = pg.TextItem(color="#111", fill=pg.mkBrush(255, 255, 255, 235), border=pg.mkPen("#999"),
                                 anchor=(0, 1))
        font = self.label.textItem.font()
        font.setPointSize(style.FONT_PT - 1)
        self.label.setFont(font)
        self.ring = pg.ScatterPlotItem(size=13, pen=pg.mkPen("#111", width=2), brush=None)
        for item in (self.label, self.ring):
            item.not_data = True  # not a curve: keys and checks leave it out
            item.setZValue(100)
            item.setVisible(False)
            plot.addItem(item, ignoreBounds=True)
        self.text = ""
        scene = plot.scene()
        self._proxy = None if scene is None else pg.SignalProxy(scene.sigMouseMoved, rateLimit=RATE_HZ,
                                                                 slot=self._moved)

    def _moved(self, event) -> None:
        pos = event[0]
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(pos):
            self.hide()
            return
        point = vb.mapSceneToView(pos)
        self.show_at(point.x(), point.y())

    def hide(self) -> None:
        self.text = ""
        self.label.setVisible(False)
        self.ring.setVisible(False)

    def _items(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        out = []
        for item in self.plot.items:
            if not item.isVisible() or getattr(item, "not_data", False):
                continue
            if isinstance(item, (pg.PlotDataItem, pg.ScatterPlotItem)):
                x, y = item.getData()
                if x is not None and len(x):
                    name = getattr(item, "readout_name", None) or (
                        item.name() if isinstance(item, pg.PlotDataItem) else item.opts.get("name"))
                    out.append((name or "", np.asarray(x, dtype=float), np.asarray(y, dtype=float)))
        return out

    def show_at(self, x: float, y: float) -> str:
        """Show the point nearest to (x, y) (plot coordinates) if it is within NEAR_PX; returns
        the text shown ("" when none)."""
        items = self._items()
        pixel = self.plot.vb.viewPixelSize()
        found = nearest_point([(cx, cy) for _, cx, cy in items], x, y, pixel)
        if found is None or found[2] > NEAR_PX:
            self.hide()
            return ""
        index, point, _ = found
        name, xs, ys = items[index]
        px, py = float(xs[point]), float(ys[point])
        self.text = self.describe(name, px, py)
        self.label.setText(self.text)
        (x0, x1), (y0, y1) = self.plot.vb.viewRange()
        # The label on the side of the point away from the nearer edges, so it is never cut.
        self.label.setAnchor((1 if px > (x0 + x1) / 2 else 0, 0 if py > (y0 + y1) / 2 else 1))
        self.label.setPos(px, py)
        self.ring.setData([px], [py])
        self.label.setVisible(True)
        self.ring.setVisible(True)
        return self.text

    def describe(self, name: str, x: float, y: float) -> str:
        """The point's values as the axes show them (log axes hold log10 of the value)."""
        bottom, left = self.plot.getAxis("bottom"), self.plot.getAxis("left")
        lines = [name] if name else []
        for axis, value, given in ((bottom, x, self.x_name), (left, y, self.y_name)):
            label = given if given is not None else (axis.labelText or "")
            if axis is bottom and self.x_text is not None:
                shown = self.x_text(value)
            elif axis.logMode:
                floor = getattr(axis, "zero_floor", None)
                shown = "0" if floor is not None and abs(value - floor) < 1e-9 else value_text(10 ** value)
            else:
                shown = value_text(value)
            lines.append(f"{label} {shown}".strip())
        return "\n".join(lines)


def install(*plots: pg.PlotItem) -> list[Readout]:
    """A readout on each plot, kept on the plot (`plot.readout`)."""
    readouts = []
    for plot in plots:
        plot.readout = Readout(plot)
        readouts.append(plot.readout)
    return readouts

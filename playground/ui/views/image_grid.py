"""Small images side by side in one plot, with a caption under each and optional pixel
markers: the pictures of the adversarial, fooling and one-pixel views. The mosaic is built by
`playground.ui.model.series.tile_rgb` (plain numpy); this draws it, row 0 at the top."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont

from playground.ui.widgets import style

MARKER = "#d62728"


class ImageGrid:
    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        for side in ("left", "bottom"):
            plot.hideAxis(side)
        plot.invertY(True)
        plot.setAspectLocked(True)
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        self.image = pg.ImageItem()
        plot.addItem(self.image)
        self.markers = pg.ScatterPlotItem(symbol="s", size=1.15, pxMode=False, brush=None,
                                          pen=pg.mkPen(MARKER, width=3))
        plot.addItem(self.markers)
        self.captions: list[pg.TextItem] = []
        self.font = QFont()
        self.font.setPointSize(style.FONT_PT - 1)

    def show(self, mosaic: np.ndarray, captions=(), markers: np.ndarray | None = None,
             margins: tuple[float, float, float, float] = (0.5, 0.5, 0.5, 0.5)) -> None:
        """`mosaic` (H, W, 3) bytes; `captions` (x, y, text, colour, anchor) in pixel
        coordinates (x = column, y = row); `markers` (n, 2) pixel centres to outline;
        `margins` (left, top, right, bottom) in pixels kept in view around the mosaic for the
        captions."""
        self.image.setImage(np.ascontiguousarray(np.asarray(mosaic).transpose(1, 0, 2)), levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(0, 0, mosaic.shape[1], mosaic.shape[0]))
        while len(self.captions) < len(captions):
            item = pg.TextItem()
            item.setFont(self.font)
            self.plot.addItem(item)
            self.captions.append(item)
        for item, (x, y, text, colour, anchor) in zip(self.captions, captions):
            item.setText(text, color=colour)
            item.setAnchor(anchor)
            item.setPos(float(x), float(y))
            item.setVisible(True)
        for item in self.captions[len(captions):]:
            item.setVisible(False)
        if markers is not None and len(markers):
            self.markers.setData(pos=np.asarray(markers, dtype=float))
        else:
            self.markers.clear()
        left, top, right, bottom = margins
        # One call: with the aspect locked, two separate ranges would crop one another.
        self.plot.setRange(xRange=(-left, mosaic.shape[1] + right), yRange=(-top, mosaic.shape[0] + bottom),
                           padding=0.02)

    def clear(self) -> None:
        self.image.clear()
        self.markers.clear()
        for item in self.captions:
            item.setVisible(False)

    def data_items(self) -> list:
        return [self.image]

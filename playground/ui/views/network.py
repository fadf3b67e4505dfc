"""A drawing of the network: layers as columns of units, links coloured by the sign of their weight
(blue positive, orange negative, as in TensorFlow Playground) and sized by its magnitude."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSizePolicy

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.views.base import PlotView, sync_combo

MAX_UNITS = 24  # units drawn per layer; wider layers show their first MAX_UNITS
MAX_LINKS = 120  # links drawn per layer: the strongest, so a wide layer stays readable
WIDTHS = (0.5, 1.0, 2.2, 4.0)  # link widths by magnitude bucket
ALPHAS = (45, 100, 170, 235)


def unit_positions(sizes: list[int], max_units: int = MAX_UNITS) -> list[np.ndarray]:
    """y positions of the drawn units of each layer, centred on 0, one unit apart."""
    return [np.arange(min(n, max_units), dtype=float)[::-1] - (min(n, max_units) - 1) / 2 for n in sizes]


def link_segments(weights: list[np.ndarray], positions: list[np.ndarray], max_links: int = MAX_LINKS
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The drawn links as pairs of points: x and y of shape (2K,), and their weights (K,).
    Of each layer's links between drawn units, the `max_links` largest in magnitude."""
    xs, ys, ws = [], [], []
    for layer, w in enumerate(weights):
        start, end = positions[layer], positions[layer + 1]
        w = w[: len(start), : len(end)]
        i, j = np.meshgrid(np.arange(len(start)), np.arange(len(end)), indexing="ij")
        i, j = i.ravel(), j.ravel()
        if len(i) > max_links:
            strongest = np.argsort(-np.abs(np.nan_to_num(w[i, j])), kind="stable")[:max_links]
            i, j = i[strongest], j[strongest]
        x = np.empty(2 * len(i))
        y = np.empty(2 * len(i))
        x[0::2], x[1::2] = layer, layer + 1
        y[0::2], y[1::2] = start[i], end[j]
        xs.append(x)
        ys.append(y)
        ws.append(w[i, j])
    if not ws:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def magnitude_buckets(weights: np.ndarray, levels: int = len(WIDTHS)) -> np.ndarray:
    """Bucket 0..levels-1 of each |weight|, relative to the largest (its 99th percentile, so one
    outlier does not make every other link thin)."""
    magnitude = np.abs(np.nan_to_num(weights))
    reference = np.percentile(magnitude, 99) if magnitude.size else 1.0
    if reference <= 0:
        reference = 1.0
    return np.clip((magnitude / reference * levels).astype(int), 0, levels - 1)


class NetworkView(PlotView):
    title = "Network"
    key = "network"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member_combo = self.add_combo("Member", ["member 0"], "whose weights to draw")
        key = QLabel("<b style='color:#0877bd'>+</b> <b style='color:#f59322'>−</b> weights")
        key.setToolTip("each link is one weight: its colour is the sign, its width the magnitude")
        # The key may be cut short in a narrow window rather than widen it.
        key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(key, 1)
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.set_title(self.plot, "Network", bold=True)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.links: dict[tuple[int, int], pg.PlotCurveItem] = {}
        for sign, colour in ((1, style.POSITIVE), (-1, style.NEGATIVE)):
            for bucket, (width, alpha) in enumerate(zip(WIDTHS, ALPHAS)):
                item = pg.PlotCurveItem(pen=pg.mkPen(style.faint(colour, alpha), width=width),
                                        connect="pairs", antialias=False, skipFiniteCheck=True)
                self.plot.addItem(item)
                self.links[(sign, bucket)] = item
        self.units = pg.ScatterPlotItem(pen=pg.mkPen("#333", width=1.5))
        self.units.setZValue(10)
        self.plot.addItem(self.units)
        self.captions: list[pg.TextItem] = []
        self._layout_key = None
        self._brushes: dict = {}

    def has_data(self, history: History) -> bool:
        return "weights" in history.live

    def empty_message(self, history):
        return "Network: press Start (or Step) to draw the network and its weights."

    def redraw_key(self, history: History):
        return (id(history), id(history.live.get("weights")), self.member_combo.currentIndex())

    def data_items(self):
        return [self.units, *self.links.values()]

    def draw(self, history: History) -> None:
        live = history.live
        weights = live["weights"]
        sizes = live.get("layer_sizes") or [weights[0].shape[1]] + [w.shape[2] for w in weights]
        sync_combo(self.member_combo, [f"member {k}" for k in range(weights[0].shape[0])])
        member = min(max(self.member_combo.currentIndex(), 0), weights[0].shape[0] - 1)
        positions = unit_positions(sizes)
        x, y, w = link_segments([layer[member] for layer in weights], positions)
        buckets = magnitude_buckets(w)
        positive = np.repeat(w >= 0, 2)
        bucket2 = np.repeat(buckets, 2)
        for (sign, bucket), item in self.links.items():
            keep = (positive if sign > 0 else ~positive) & (bucket2 == bucket)
            item.setData(x[keep], y[keep])
        self._draw_units(live, sizes, positions, member)
        self._draw_captions(history, sizes, positions)

    def _draw_units(self, live, sizes, positions, member) -> None:
        biases = live.get("biases")
        xs, ys, sizes_px, brushes = [], [], [], []
        for layer, column in enumerate(positions):
            size = 18 if len(column) <= 8 else 13 if len(column) <= 16 else 9
            for index, y in enumerate(column):
                if layer == 0:
                    brush = self._brush("#dddddd", 255)
                elif layer == len(positions) - 1:
                    brush = self._brush(style.class_colour(index), 255)
                elif biases is None:
                    brush = self._brush("#ffffff", 255)
                else:
                    b = float(np.nan_to_num(biases[layer - 1][member][index]))
                    # A few shades only: pyqtgraph renders each distinct brush once.
                    level = int(round(min(abs(b), 1.0) * 4))
                    brush = self._brush(style.POSITIVE if b >= 0 else style.NEGATIVE, 40 + 45 * level)
                xs.append(layer)
                ys.append(y)
                sizes_px.append(size)
                brushes.append(brush)
        self.units.setData(x=xs, y=ys, size=sizes_px, brush=brushes)

    def _brush(self, colour: str, alpha: int):
        key = (colour, alpha)
        if key not in self._brushes:
            c = QColor(colour)
            c.setAlpha(alpha)
            self._brushes[key] = pg.mkBrush(c)
        return self._brushes[key]

    def _draw_captions(self, history: History, sizes, positions) -> None:
        live = history.live
        key = (tuple(sizes), tuple(live.get("activations") or ()), tuple(live.get("feature_names") or ()))
        if key == self._layout_key:
            return
        self._layout_key = key
        for caption in self.captions:
            self.plot.removeItem(caption)
        self.captions = []
        activations = live.get("activations") or [""] * (len(sizes) - 2)
        hinge = history.config is not None and history.config.train.loss == "hinge"
        top = max(float(p.max()) for p in positions) + 0.6
        # Room above the units for two lines of captions, about a fifth of the height.
        ceiling = top + 0.25 * (2 * top) + 0.6
        for layer, n in enumerate(sizes):
            if layer == 0:
                name = "input"
            elif layer == len(sizes) - 1:
                name = "score" if hinge else "softmax"
            else:
                name = activations[layer - 1]
            shown = "" if n <= MAX_UNITS else f"\n{MAX_UNITS} shown"  # short: columns are narrow
            size = style.FONT_PT - 1 if len(sizes) <= 6 else style.FONT_PT - 3
            self._caption(f"{name}\n{n}{shown}", layer, ceiling, anchor=(0.5, 0), size=size)
        names = live.get("feature_names") or []
        if len(names) == sizes[0] and sizes[0] <= 16:
            for name, y in zip(names, positions[0]):
                self._caption(name, -0.12, y, anchor=(1, 0.5), size=style.FONT_PT - 2)
        self.plot.setXRange(-0.5, len(sizes) - 0.5, padding=0.02)
        self.plot.setYRange(-top, ceiling, padding=0.0)

    def _caption(self, text: str, x: float, y: float, anchor, size: int = style.FONT_PT - 1) -> None:
        item = pg.TextItem(text, color="#222", anchor=anchor)
        font = item.textItem.font()
        font.setPointSize(size)
        item.setFont(font)
        item.setPos(x, y)
        self.plot.addItem(item)
        self.captions.append(item)

    def reset_items(self) -> None:
        super().reset_items()
        self.units.clear()
        for caption in self.captions:
            self.plot.removeItem(caption)
        self.captions = []
        self._layout_key = None

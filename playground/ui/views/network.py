"""A drawing of the network. A small net as TensorFlow Playground draws it: layers as columns of
units, each link coloured by the sign of its weight and sized by its magnitude. A deep or wide
one as a row of heatmaps, one per weight matrix, between bars for the layers' units (see
playground.ui.model.network_layout). One meaning of colour: the sign of a weight or bias (green +,
purple −), never a class."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QLabel, QSizePolicy

from playground.ui.model import network_layout as layout
from playground.ui.model.history import History
from playground.ui.views.base import PlotView, sync_combo
from playground.ui.widgets import style

MAX_UNITS = layout.DETAIL_UNITS  # units drawn per layer in the detailed drawing
MAX_LINKS = 120  # links drawn per layer: the strongest, so a layer stays readable
WIDTHS = (0.5, 1.0, 2.2, 4.0)  # link widths by magnitude bucket
ALPHAS = (45, 100, 170, 235)
CAPTION_PT = style.FONT_PT - 1
NAME_PT = style.FONT_PT - 2
MAX_NAME_PX = 110  # input names longer than this are elided (the full name is the tooltip)
DEFAULT_PX = (600, 500)  # the plot's size before it is laid out
# Short, so a narrow view shows it whole; the tooltip says the rest.
KEY_DETAILED = "<b style='color:{p}'>━ +</b> <b style='color:{n}'>━ −</b> sign"
KEY_MATRICES = "<b style='color:{p}'>■ +</b> <b style='color:{n}'>■ −</b> sign"


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


def _rgb(colour: str) -> tuple[int, int, int]:
    return QColor(colour).getRgb()[:3]


class NetworkView(PlotView):
    title = "Network"
    key = "network"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member_combo = self.add_combo("Member", ["member 0"], "whose weights to draw")
        self.key_label = QLabel()
        # The key may be cut short in a narrow window rather than widen it.
        self.key_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(self.key_label, 1)
        self._show_key(True)
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.set_title(self.plot, "Network", bold=True)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.getAxis("bottom").setTickFont(self._font(NAME_PT))
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.vb.setDefaultPadding(0.0)
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
        # The large drawing: a heatmap per weight matrix framed in grey, so each layer is its own
        # column even where its weights are pale, and a bar per layer's units.
        self.frames = pg.PlotCurveItem(pen=pg.mkPen("#888", width=1), connect="pairs", antialias=False)
        self.frames.setZValue(5)
        self.plot.addItem(self.frames)
        self.tiles: list[pg.ImageItem] = []
        self.bars: list[pg.ImageItem] = []  # one per layer's units (the large drawing)
        self.captions: list[pg.TextItem] = []
        self.names: list[pg.TextItem] = []
        self.caption_layout: list[layout.Caption] = []
        self._layout_key = None
        self._shape: dict | None = None  # what the captions describe, for a relayout on resize
        self._brushes: dict = {}
        self._matrices = None  # (matrices, biases, sizes) of the large drawing
        self.plot.vb.sigResized.connect(self._resized)

    def _resized(self, *_) -> None:
        self._relayout()
        self._draw_matrices()

    def _show_key(self, detailed: bool) -> None:
        text = (KEY_DETAILED if detailed else KEY_MATRICES).format(p=style.POSITIVE, n=style.NEGATIVE)
        self.key_label.setText(text)
        self.key_label.setToolTip(
            "colour: the sign of a weight or bias (green +, purple −). Each link is one weight, its width the "
            "magnitude; a unit's fill is its bias"
            if detailed else
            "colour: the sign of a weight or bias (green +, purple −; pale: small). "
            "Each square is one layer's weight matrix: its rows are the units it feeds (top to bottom), its columns "
            "the layer's inputs; a large matrix is shown by the largest weight of each block. Each matrix has its "
            "own colour scale (hover a matrix for its range). The thin bars are the layers' units, coloured by "
            "bias.")

    # ------------------------------------------------------------ PlotView

    def has_data(self, history: History) -> bool:
        return "weights" in history.live

    def empty_message(self, history):
        return "Network: press Start (or Step) to draw the network and its weights."

    def redraw_key(self, history: History):
        return (id(history), id(history.live.get("weights")), self.member_combo.currentIndex())

    def data_items(self):
        return [self.units, *self.links.values(), *self.tiles, *self.bars]

    @property
    def detailed(self) -> bool:
        return self._shape is None or self._shape["detailed"]

    def draw(self, history: History) -> None:
        live = history.live
        weights = live["weights"]
        sizes = [int(n) for n in (live.get("layer_sizes") or [weights[0].shape[1]] + [w.shape[2] for w in weights])]
        sync_combo(self.member_combo, [f"member {k}" for k in range(weights[0].shape[0])])
        member = min(max(self.member_combo.currentIndex(), 0), weights[0].shape[0] - 1)
        matrices = [layer[member] for layer in weights]
        biases = live.get("biases")
        member_biases = None if biases is None else [np.asarray(b[member]).reshape(-1) for b in biases]
        detailed = layout.detailed(sizes)
        if detailed:
            self._clear_matrices()
            self._draw_links(matrices, sizes)
            self._draw_units(member_biases, sizes)
        else:
            for item in self.links.values():
                item.setData([], [])
            self.units.clear()
        self._matrices = None if detailed else (matrices, member_biases, sizes)
        self._draw_captions(history, sizes, detailed)
        self._draw_matrices()

    # ------------------------------------------------------------ small nets: units and links

    def _draw_links(self, matrices, sizes) -> None:
        positions = unit_positions(sizes)
        x, y, w = link_segments(matrices, positions)
        buckets = magnitude_buckets(w)
        positive = np.repeat(w >= 0, 2)
        bucket2 = np.repeat(buckets, 2)
        for (sign, bucket), item in self.links.items():
            keep = (positive if sign > 0 else ~positive) & (bucket2 == bucket)
            item.setData(x[keep], y[keep])

    def _draw_units(self, biases, sizes) -> None:
        positions = unit_positions(sizes)
        xs, ys, sizes_px, brushes = [], [], [], []
        for layer, column in enumerate(positions):
            size = 18 if len(column) <= 8 else 13
            for index, y in enumerate(column):
                if layer == 0:
                    brush = self._brush("#dddddd", 255)
                elif biases is None:
                    brush = self._brush("#ffffff", 255)
                else:
                    b = float(np.nan_to_num(biases[layer - 1][index]))
                    # A few shades only: pyqtgraph renders each distinct brush once.
                    level = int(round(min(abs(b), 1.0) * 4))
                    brush = self._brush(style.sign_colour(b), 40 + 45 * level)
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

    # ------------------------------------------------------------ large nets: weight matrices

    def _draw_matrices(self) -> None:
        """The weight matrices at the resolution the plot's size allows (again on a resize)."""
        if self._matrices is None:
            return
        matrices, biases, sizes = self._matrices
        width_px, height_px = self._plot_px()
        x_lo, x_hi = self.plot.vb.viewRange()[0]
        column_px = width_px / max(x_hi - x_lo, 1e-9)
        rects = layout.tile_rects(sizes, column_px)
        rect_px = rects[0][2] * column_px
        max_cols = layout.cells_across(rect_px)
        max_rows = layout.cells_across(height_px * 0.8)
        # Rows: the units fed. Each matrix on its own colour scale: a trained output layer's large
        # weights would otherwise wash every other layer out (its range is in the tooltip).
        cells = [layout.block_extremes(np.asarray(w).T, max_rows, max_cols) for w in matrices]
        positive, negative = _rgb(style.POSITIVE), _rgb(style.NEGATIVE)
        self._ensure_images(self.tiles, len(cells))
        self.frames.setData(*layout.frame_segments(rects))
        for layer, (tile, grid, rect) in enumerate(zip(self.tiles, cells, rects)):
            rgba = layout.sign_rgba(grid, layout.weight_scale([grid]), positive, negative)
            # ImageItem: first axis x (the inputs), second y; row 0 of the matrix at the top.
            tile.setImage(np.ascontiguousarray(rgba.transpose(1, 0, 2)[:, ::-1]), autoLevels=False)
            tile.setRect(pg.QtCore.QRectF(*rect))
            w = np.asarray(matrices[layer])
            tile.setToolTip(f"layer {layer + 1}: {w.shape[0]} inputs → {w.shape[1]} units; weights "
                            f"{np.nanmin(w):.3g} to {np.nanmax(w):.3g}")
        heights = layout.column_heights(sizes)
        bar_width = layout.bar_width(column_px)
        if bar_width == 0:
            self._ensure_images(self.bars, 0)
            return
        # The input has no bias (grey); every other layer's bar shows its biases' signs.
        columns = [None] + [None if biases is None else layout.block_extremes(b.reshape(-1, 1), max_rows, 1)
                            for b in (biases or [None] * (len(sizes) - 1))]
        bias_scale = layout.weight_scale([c for c in columns if c is not None])
        self._ensure_images(self.bars, len(sizes))
        for layer, (bar, height, column) in enumerate(zip(self.bars, heights, columns)):
            if column is None:
                rgba = np.full((1, 1, 4), 190, dtype=np.uint8)
                rgba[..., 3] = 255
            else:
                rgba = layout.sign_rgba(column, bias_scale, positive, negative)  # (units, 1, 4)
            bar.setImage(np.ascontiguousarray(rgba.transpose(1, 0, 2)[:, ::-1]), autoLevels=False)
            bar.setRect(pg.QtCore.QRectF(layer - bar_width / 2, -height / 2, bar_width, height))
            what = "input" if layer == 0 else f"layer {layer}"
            sign = "" if layer == 0 else ", coloured by the sign of their bias"
            bar.setToolTip(f"{what}: {sizes[layer]} units{sign}")

    def _ensure_images(self, items: list[pg.ImageItem], count: int) -> None:
        while len(items) < count:
            item = pg.ImageItem()
            self.plot.addItem(item)
            items.append(item)
        for extra in items[count:]:
            extra.clear()

    def _clear_matrices(self) -> None:
        for item in (*self.tiles, *self.bars):
            item.clear()
        self.frames.setData([], [])

    # ------------------------------------------------------------ captions and ranges

    def _draw_captions(self, history: History, sizes, detailed: bool) -> None:
        live = history.live
        hinge = history.config is not None and history.config.train.loss == "hinge"
        names = list(live.get("feature_names") or [])
        key = (tuple(sizes), tuple(live.get("activations") or ()), tuple(names), hinge)
        if key == self._layout_key:
            return
        self._layout_key = key
        self._show_key(detailed)
        self._shape = {
            "sizes": sizes, "detailed": detailed,
            "names": layout.layer_names(sizes, live.get("activations") or [], hinge),
            "features": names if detailed and len(names) == sizes[0] else [],
        }
        self._relayout()

    def _plot_px(self) -> tuple[float, float]:
        width, height = self.plot.vb.width(), self.plot.vb.height()
        return (width, height) if width > 10 and height > 10 else DEFAULT_PX

    @staticmethod
    def _font(points: int) -> QFont:
        font = QFont()
        font.setPointSize(points)
        return font

    def _relayout(self, *_) -> None:
        """Ranges and captions for the plot's present size (again whenever it is resized)."""
        shape = self._shape
        if shape is None:
            return
        for item in (*self.captions, *self.names):
            self.plot.removeItem(item)
        self.captions, self.names = [], []
        sizes, detailed = shape["sizes"], shape["detailed"]
        width_px, height_px = self._plot_px()
        metrics = QFontMetricsF(self._font(CAPTION_PT))

        def text_width(text: str) -> float:
            return max(metrics.horizontalAdvance(line) for line in text.split("\n")) + 4

        name_metrics = QFontMetricsF(self._font(NAME_PT))
        features = shape["features"]
        left_px = 0.0
        if features:
            left_px = min(max(name_metrics.horizontalAdvance(n) for n in features), MAX_NAME_PX) + 16
        x_lo, x_hi = layout.x_range(len(sizes), width_px, left_px)
        centres = layout.columns_px(len(sizes), x_lo, x_hi, width_px)
        self.caption_layout = layout.caption_layout(shape["names"], sizes, centres, width_px, text_width)
        row_px = 2 * metrics.lineSpacing() + 6
        caption_px = layout.caption_rows(self.caption_layout) * row_px + 6
        if detailed:
            top = max(min(n, MAX_UNITS) for n in sizes) / 2
            content = (-top, top)
        else:
            content = (-0.5, 0.5)
        y_lo, y_hi = layout.y_range(content[0], content[1], height_px, caption_px)
        self.plot.setXRange(x_lo, x_hi, padding=0.0)
        self.plot.setYRange(y_lo, y_hi, padding=0.0)
        x_per_px = (x_hi - x_lo) / width_px
        y_per_px = (y_hi - y_lo) / height_px
        for caption in self.caption_layout:
            item = self._text(caption.text, CAPTION_PT, anchor=(0.5, 0))
            item.setPos(x_lo + caption.centre * x_per_px, y_hi - (3 + caption.row * row_px) * y_per_px)
            if caption.first != caption.last:
                item.setToolTip(f"layers {caption.first} to {caption.last}: {caption.text.replace(chr(10), ', ')}")
            self.captions.append(item)
        if features:
            positions = unit_positions(sizes)[0]
            for name, y in zip(features, positions):
                shown = layout.elide(name, left_px - 16, name_metrics.horizontalAdvance)
                item = self._text(shown, NAME_PT, anchor=(1, 0.5))
                item.setToolTip(name)
                item.setPos(-12 * x_per_px, y)
                self.names.append(item)
        self._layer_axis(sizes, detailed, width_px / max(x_hi - x_lo, 1e-9))

    def _layer_axis(self, sizes, detailed: bool, px_per_column: float) -> None:
        """Layer numbers under a large drawing, each under the matrix that feeds that layer (a
        50-layer net reads as 50 numbered columns)."""
        axis = self.plot.getAxis("bottom")
        if detailed:
            self.plot.hideAxis("bottom")
            return
        last = len(sizes) - 1
        step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if s * px_per_column >= 30), 200)
        labelled = [(k - 0.5, str(k)) for k in range(step, last, step)] or [(0.5, "1")]
        axis.setTicks([labelled, [(k - 0.5, "") for k in range(1, last + 1)]])
        axis.setLabel("layer (the matrix feeding it)", **{"font-size": f"{NAME_PT}pt"})
        self.plot.showAxis("bottom")

    def _text(self, text: str, points: int, anchor) -> pg.TextItem:
        item = pg.TextItem(text, color="#222", anchor=anchor)
        item.setFont(self._font(points))
        self.plot.addItem(item, ignoreBounds=True)
        return item

    def reset_items(self) -> None:
        super().reset_items()
        self.units.clear()
        self._clear_matrices()
        for item in (*self.captions, *self.names):
            self.plot.removeItem(item)
        self.captions, self.names = [], []
        self._layout_key = None
        self._shape = None
        self._matrices = None

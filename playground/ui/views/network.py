"""A drawing of the network. A small net as TensorFlow Playground draws it: layers as columns of
units, each link coloured by the sign of its weight and sized by its magnitude. A deep or wide
one as a row of heatmaps, one per weight matrix, between bars for the layers' units (see
playground.ui.model.network_layout). One meaning of colour for weights: the sign of a weight or
bias (green +, purple −), never a class.

For a 2-D task, each unit shows its own output over the (x1, x2) plane as a small heatmap, from
live["neurons"] (playground.ui.model.network_heatmaps): the input column has a unit per
available feature (a click switches it on or off), a click on a unit opens its heatmap large,
a click on a link offers its weight for editing (`link_clicked`). A large drawing shows the
first few units' heatmaps of each layer under its column. Where things are and what a click
hits: playground.ui.model.network_hits."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication
from PySide6.QtWidgets import QLabel, QSizePolicy

from playground.ui.model import network_heatmaps as heatmaps
from playground.ui.model import network_hits as hits
from playground.ui.model import network_layout as layout
from playground.ui.model.history import History
from playground.ui.views.base import PlotView, sync_combo
from playground.ui.views.unit_popup import UnitHeatmapWindow
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
DOT_PX = 18  # a unit's dot
STRIP = 0.7  # a large drawing's heatmap strip under its columns, in the drawing's heights
DIM_NAME = "#aaaaaa"  # the name of a feature not in use


def unit_positions(sizes: list[int], max_units: int = MAX_UNITS) -> list[np.ndarray]:
    """y positions of the drawn units of each layer, centred on 0, one unit apart."""
    return [hits.row_positions(min(n, max_units)) for n in sizes]


def link_segments(weights: list[np.ndarray], positions: list[np.ndarray], max_links: int = MAX_LINKS
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The drawn links as pairs of points: x and y of shape (2K,), and their weights (K,).
    Of each layer's links between drawn units, the `max_links` largest in magnitude."""
    links = hits.drawn_links(weights, positions, max_links)
    return links.x, links.y, links.weight


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
    feature_clicked = Signal(str)  # an input feature's unit: switch the feature on or off
    link_clicked = Signal(object, object)  # (network_hits.LinkChoice, QPoint on the screen or None)
    unit_selected = Signal(int, int)  # (column, unit) whose heatmap is shown large

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
        # The units' heatmaps (live["neurons"]): an image per drawn unit, framed, the chosen one outlined.
        self.heat_images: list[pg.ImageItem] = []
        self.heat_frames = pg.PlotCurveItem(pen=pg.mkPen("#999", width=1), connect="pairs", antialias=False)
        self.heat_frames.setZValue(9)
        self.plot.addItem(self.heat_frames)
        self.highlight = pg.PlotCurveItem(pen=pg.mkPen("#111", width=3), connect="pairs", antialias=False)
        self.highlight.setZValue(11)
        self.plot.addItem(self.highlight)
        self._rows: list[hits.InputRow] = []  # the input column
        self._columns: list[np.ndarray] = []  # y of each drawn unit, per column (the small drawing)
        self._links = hits.drawn_links([], [], 0)
        self._member = 0
        self._biases = None
        self._maps = None  # the NeuronMaps drawn (None: no heatmaps)
        self._unit_maps: list[list[heatmaps.UnitMap | None]] | None = None
        self._unit_rgba: dict[tuple[int, int], np.ndarray] = {}
        self._heat_cells: list[tuple[int, int, tuple[float, float, float, float]]] = []
        self._dot_half = (0.0, 0.0)  # a dot's half size in plot units, for clicks
        self._toggleable = False
        self._feature_names: list[str] = []
        self.selected: tuple[int, int] | None = None  # (column, unit) shown large
        self.popup: UnitHeatmapWindow | None = None
        self.plot.vb.sigResized.connect(self._resized)
        self.canvas.scene().sigMouseClicked.connect(self._scene_clicked)

    def _resized(self, *_) -> None:
        self._relayout()
        self._draw_matrices()
        self._draw_heatmaps()

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
        return (id(history), id(history.live.get("weights")), id(history.live.get("neurons")),
                self.member_combo.currentIndex())

    def data_items(self):
        return [self.units, *self.links.values(), *self.tiles, *self.bars, *self.heat_images]

    @property
    def detailed(self) -> bool:
        return self._shape is None or self._shape["detailed"]

    def draw(self, history: History) -> None:
        live = history.live
        weights = live["weights"]
        sizes = [int(n) for n in (live.get("layer_sizes") or [weights[0].shape[1]] + [w.shape[2] for w in weights])]
        sync_combo(self.member_combo, [f"member {k}" for k in range(weights[0].shape[0])])
        member = min(max(self.member_combo.currentIndex(), 0), weights[0].shape[0] - 1)
        self._member = member
        matrices = [layer[member] for layer in weights]
        biases = live.get("biases")
        member_biases = None if biases is None else [np.asarray(b[member]).reshape(-1) for b in biases]
        self._biases = member_biases
        detailed = layout.detailed(sizes)
        names = [str(n) for n in live.get("feature_names") or []]
        self._feature_names = names if len(names) == sizes[0] else []
        self._toggleable = detailed and bool(self._feature_names) and hits.features_toggleable(history.config)
        self._maps = self._neuron_maps(live, member, sizes)
        if detailed:
            self._clear_matrices()
            self._rows = (hits.input_rows(self._feature_names, self._toggleable) if self._feature_names
                          else [hits.InputRow("", k) for k in range(sizes[0])])
            drawn = [len(self._rows), *(min(n, MAX_UNITS) for n in sizes[1:])]
            self._columns = [hits.row_positions(n) for n in drawn]
            positions = [hits.network_input_positions(self._rows), *self._columns[1:]]
            self._links = hits.drawn_links(matrices, positions, MAX_LINKS)
            self._draw_links()
        else:
            for item in self.links.values():
                item.setData([], [])
            self.units.clear()
            self._columns, self._links = [], hits.drawn_links([], [], 0)
            self._rows = hits.input_rows(self._maps.feature_names[: len(self._maps.inputs)], False) if self._maps else []
            drawn = [len(self._rows), *(len(u) for u in self._maps.units)] if self._maps else []
        self._set_unit_maps(history, sizes, drawn)
        self._matrices = None if detailed else (matrices, member_biases, sizes)
        self._draw_captions(history, sizes, detailed)
        self._draw_matrices()
        self._draw_heatmaps()
        self._show_selected()

    def _neuron_maps(self, live, member: int, sizes):
        """live["neurons"] where it fits this drawing: the member shown, one map list per layer."""
        maps = live.get("neurons")
        if maps is None or maps.member != member or len(maps.layers) != len(sizes) - 1:
            return None
        return maps

    def _set_unit_maps(self, history: History, sizes, drawn) -> None:
        self._unit_rgba = {}
        if self._maps is None:
            self._unit_maps = None
            return
        config = history.config
        loss = config.train.loss if config is not None else "cross_entropy"
        self._unit_maps = heatmaps.column_maps(self._maps, self._rows, sizes, drawn, loss,
                                               hits.is_regression(config))
        positive, negative = _rgb(style.POSITIVE), _rgb(style.NEGATIVE)
        classes = [_rgb(style.class_colour(c)) for c in range(len(style.CLASS_COLOURS))]
        for column, units in enumerate(self._unit_maps):
            for unit, unit_map in enumerate(units):
                if unit_map is not None:
                    self._unit_rgba[(column, unit)] = heatmaps.unit_rgba(unit_map, positive, negative, classes)

    # ------------------------------------------------------------ small nets: units and links

    def _draw_links(self) -> None:
        links = self._links
        buckets = magnitude_buckets(links.weight)
        positive = np.repeat(links.weight >= 0, 2)
        bucket2 = np.repeat(buckets, 2)
        for (sign, bucket), item in self.links.items():
            keep = (positive if sign > 0 else ~positive) & (bucket2 == bucket)
            item.setData(links.x[keep], links.y[keep])

    def _draw_dots(self, skip: set[tuple[int, int]]) -> None:
        """A dot for each drawn unit without a heatmap: grey inputs (pale when not in use), the
        others filled by the sign of their bias."""
        xs, ys, sizes_px, brushes = [], [], [], []
        for layer, column in enumerate(self._columns):
            size = DOT_PX if len(column) <= 8 else 13
            for index, y in enumerate(column):
                if (layer, index) in skip:
                    continue
                if layer == 0:
                    active = index >= len(self._rows) or self._rows[index].active
                    brush = self._brush("#dddddd" if active else "#f4f4f4", 255)
                elif self._biases is None:
                    brush = self._brush("#ffffff", 255)
                else:
                    b = float(np.nan_to_num(self._biases[layer - 1][index]))
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
        regression = hits.is_regression(history.config)
        rows = tuple((row.name, row.active) for row in self._rows) if detailed and self._feature_names else ()
        has_maps = self._unit_maps is not None
        key = (tuple(sizes), tuple(live.get("activations") or ()), rows, hinge, regression, has_maps, detailed)
        if key == self._layout_key:
            return
        self._layout_key = key
        self._show_key(detailed)
        drawn = [len(self._rows) if detailed else sizes[0], *sizes[1:]]
        names = layout.layer_names(sizes, live.get("activations") or [], hinge)
        if regression:
            names[-1] = "linear"  # one output unit, the predicted value
        self._shape = {
            "sizes": sizes, "detailed": detailed, "drawn": [min(n, MAX_UNITS) for n in drawn],
            "names": names,
            "rows": [hits.InputRow(name, 0 if active else None) for name, active in rows],
            "heatmaps": has_maps,
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
        rows = shape["rows"]
        left_px = name_px = 0.0
        if rows:
            name_px = min(max(name_metrics.horizontalAdvance(row.name) for row in rows), MAX_NAME_PX)
            left_px = name_px + (10 + hits.HEATMAP_MAX_PX / 2 if shape["heatmaps"] else 16)
        x_lo, x_hi = layout.x_range(len(sizes), width_px, left_px)
        centres = layout.columns_px(len(sizes), x_lo, x_hi, width_px)
        self.caption_layout = layout.caption_layout(shape["names"], sizes, centres, width_px, text_width)
        row_px = 2 * metrics.lineSpacing() + 6
        caption_px = layout.caption_rows(self.caption_layout) * row_px + 6
        if detailed:
            top = max(shape["drawn"]) / 2
            content = (-top, top)
        else:
            # A large drawing's first units' heatmaps go in a strip under it.
            content = (-0.5 - STRIP if shape["heatmaps"] else -0.5, 0.5)
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
        if rows:
            side = hits.heatmap_px(1 / x_per_px, 1 / y_per_px) if shape["heatmaps"] else 0.0
            offset_px = side / 2 + 6 if side else 12
            for row, y in zip(rows, hits.row_positions(len(rows))):
                shown = layout.elide(row.name, name_px, name_metrics.horizontalAdvance)
                item = self._text(shown, NAME_PT, anchor=(1, 0.5), colour="#222" if row.active else DIM_NAME)
                item.setToolTip(row.name if not self._toggleable else
                                f"{row.name}: {'in use' if row.active else 'not in use'}; click its unit to switch")
                item.setPos(-offset_px * x_per_px, y)
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

    def _text(self, text: str, points: int, anchor, colour: str = "#222") -> pg.TextItem:
        item = pg.TextItem(text, color=colour, anchor=anchor)
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
        self._maps, self._unit_maps, self._unit_rgba = None, None, {}
        self._columns, self._rows, self._links = [], [], hits.drawn_links([], [], 0)
        self._draw_heatmaps()
        self.selected = None
        if self.popup is not None:
            self.popup.hide()

    # ------------------------------------------------------------ the units' heatmaps

    def _px_per_unit(self) -> tuple[float, float]:
        width_px, height_px = self._plot_px()
        (x_lo, x_hi), (y_lo, y_hi) = self.plot.vb.viewRange()
        return width_px / max(x_hi - x_lo, 1e-9), height_px / max(y_hi - y_lo, 1e-9)

    def _draw_heatmaps(self) -> None:
        """Each unit's heatmap where it has one and there is room (the small drawing), else a dot;
        in a large drawing, each column's first units' heatmaps in a strip under it."""
        px_x, px_y = self._px_per_unit()
        self._dot_half = (DOT_PX / 2 / px_x, DOT_PX / 2 / px_y)
        cells: list[tuple[int, int, tuple[float, float, float, float]]] = []
        if self._unit_maps is not None and self._columns:
            side = hits.heatmap_px(px_x, px_y)
            if side:
                w, h = side / px_x, side / px_y
                for column, ys in enumerate(self._columns):
                    for unit, y in enumerate(ys):
                        if (column, unit) in self._unit_rgba:
                            cells.append((column, unit, (column - w / 2, y - h / 2, w, h)))
        elif self._unit_maps is not None:
            counts = [len(units) for units in self._unit_maps]
            strip = hits.strip_rects(len(counts), counts, -0.56, STRIP - 0.06, px_x, px_y)
            cells = [(column, unit, rect) for column, rects in enumerate(strip) for unit, rect in enumerate(rects)
                     if (column, unit) in self._unit_rgba]
        self._heat_cells = cells
        if self._columns:
            self._draw_dots({(column, unit) for column, unit, _ in cells})
        self._ensure_images(self.heat_images, len(cells))
        for image, (column, unit, rect) in zip(self.heat_images, cells):
            image.setZValue(8)
            image.setImage(np.ascontiguousarray(self._unit_rgba[(column, unit)].transpose(1, 0, 2)),
                           autoLevels=False, levels=(0, 255))
            image.setRect(pg.QtCore.QRectF(*rect))
            image.setToolTip(self._unit_tip(column, unit))
        self.heat_frames.setData(*layout.frame_segments([rect for _, _, rect in cells]))
        self._draw_highlight()

    def _unit_tip(self, column: int, unit: int) -> str:
        unit_map = self._unit_maps[column][unit]
        if column == 0 and self._toggleable:
            return f"{unit_map.caption}: {'not ' if unit_map.dimmed else ''}in use; click to switch it " \
                   f"{'on' if unit_map.dimmed else 'off'}"
        return f"{unit_map.caption}: its output over the (x1, x2) plane; click to see it large"

    def heatmap_image(self, column: int, unit: int) -> np.ndarray | None:
        """The RGBA pixels drawn for a unit's heatmap, [j, i] as its map (None: not drawn)."""
        for image, (c, u, _) in zip(self.heat_images, self._heat_cells):
            if (c, u) == (column, unit):
                return np.asarray(image.image).transpose(1, 0, 2)
        return None

    def _draw_highlight(self) -> None:
        rects = [rect for column, unit, rect in self._heat_cells if (column, unit) == self.selected]
        self.highlight.setData(*layout.frame_segments(rects))

    # ------------------------------------------------------------ clicks

    def _scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        scene_pos = event.scenePos()
        if not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return
        point = self.plot.vb.mapSceneToView(scene_pos)
        screen = event.screenPos()
        self.click(point.x(), point.y(), QPoint(int(screen.x()), int(screen.y())))

    def click(self, x: float, y: float, screen_pos: QPoint | None = None):
        """A left click at (x, y) in the plot's coordinates: an input feature's unit switches the
        feature, another unit opens its heatmap large, a link offers its weight. Returns what
        was hit: ("feature", name), ("unit", column, unit), ("link", LinkChoice) or None."""
        hit = next(((column, unit) for column, unit, rect in self._heat_cells
                    if hits.rect_at([rect], x, y) is not None), None)
        if hit is None and self._columns:
            hit = hits.unit_at(self._columns, x, y, *self._dot_half)
        if hit is not None:
            column, unit = hit
            if column == 0 and self._toggleable and unit < len(self._rows):
                name = self._rows[unit].name
                self.feature_clicked.emit(name)
                return ("feature", name)
            self.select_unit(column, unit)
            return ("unit", column, unit)
        index = hits.link_at(self._links, x, y, *self._px_per_unit())
        if index is None:
            return None
        choice = self._link_choice(index)
        self.link_clicked.emit(choice, screen_pos)
        return ("link", choice)

    def _link_choice(self, index: int) -> hits.LinkChoice:
        links = self._links
        layer, source, target = int(links.layer[index]), int(links.source[index]), int(links.target[index])
        columns = len(self._columns)
        return hits.LinkChoice(
            member=self._member, layer=layer + 1, source=source, target=target, value=float(links.weight[index]),
            source_name=hits.unit_name(layer, source, columns, self._feature_names),
            target_name=hits.unit_name(layer + 1, target, columns, self._feature_names))

    def select_unit(self, column: int, unit: int) -> None:
        """Show this unit's heatmap large (and keep it up to date while the run trains)."""
        self.selected = (column, unit)
        self._draw_highlight()
        if self.popup is None:
            self.popup = UnitHeatmapWindow(self)
        self._show_selected()
        was_open = self.popup.isVisible()
        self.popup.show()
        if was_open and QGuiApplication.platformName() != "offscreen":
            self.popup.raise_()  # bring it forward
        self.unit_selected.emit(column, unit)

    def _show_selected(self) -> None:
        if self.popup is None or self.selected is None:
            return
        column, unit = self.selected
        unit_map = None
        if self._unit_maps is not None and column < len(self._unit_maps) and unit < len(self._unit_maps[column]):
            unit_map = self._unit_maps[column][unit]
        if unit_map is None or self._maps is None:
            self.popup.show_nothing(f"column {column}, unit {unit + 1}",
                                    "No heatmap for this unit: heatmaps are for tasks with two inputs (x1, x2), "
                                    "the first units of a wide layer, once the run sends them.")
            return
        self.popup.show_map(f"{unit_map.caption} (member {self._maps.member})", self._unit_rgba[(column, unit)],
                            self._maps.xs, self._maps.ys, heatmap_note(unit_map))


def heatmap_note(unit_map: heatmaps.UnitMap) -> str:
    """What a heatmap's colours mean."""
    if unit_map.kind == heatmaps.CLASS:
        return f"the network's probability of class {unit_map.colour}: white 0, the class's colour 1"
    if unit_map.kind == heatmaps.HINGE:
        return "P(class 1) from the score: white 0.5, towards class 1's colour 1, class 0's colour 0"
    scale = heatmaps.symmetric_scale(unit_map.values)
    dimmed = " (not in use: click its unit in the network to use it)" if unit_map.dimmed else ""
    return f"white 0, green + and purple − up to ±{scale:.3g}{dimmed}"

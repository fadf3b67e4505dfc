"""Look shared by every plot: large fonts and thick lines that read on a projector, one palette."""

from __future__ import annotations

import types

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF

from playground.ui.model.ticks import log_ticks

FONT_PT = 12
TITLE_PT = 14
LINE = 3  # bold (mean) curves
FAINT_LINE = 1
FAINT_ALPHA = 70

# Train and test differ by line style as well as colour (solid and dotted), so the key reads in
# grey print and to a colour-blind eye; dashed lines are kept for a compared run (views/overlay.py).
TRAIN = "#1f6fb4"
TEST = "#e8710a"
TRAIN_STYLE = Qt.PenStyle.SolidLine
TEST_STYLE = Qt.PenStyle.DotLine
BATCH = "#7f7f7f"
REFERENCE = "#666666"  # reference lines (2 / lr, a bound, chance), dashed
# Classes: a categorical palette, ten colours far apart (CIELAB distance >= 25, tests/test_ui_style.py),
# starting with TensorFlow Playground's orange (class 0) and blue (class 1). No green or purple:
# those are the weight signs.
CLASS_COLOURS = ["#f59322", "#0877bd", "#d62728", "#17becf", "#e377c2", "#8c564b", "#bcbd22", "#7f7f7f",
                 "#222222", "#f7b6d2"]
# The sign of a weight or bias: a diverging green / purple pair (ColorBrewer PRGn), distinct from
# every class colour, so the network drawing's colours are never read as classes.
POSITIVE = "#1b7837"
NEGATIVE = "#762a83"
# Distinct colours for layers 1..L (the last is usually the output).
LAYER_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
EPOCH_MAP = "plasma"
# Histograms over time: white (empty) to dark blue (crowded).
DENSITY_COLOURS = [(255, 255, 255), (158, 202, 225), (49, 130, 189), (8, 48, 107)]  # dark (early) to bright (late), like the original information-plane figure


def configure_pyqtgraph() -> None:
    pg.setConfigOptions(antialias=False, background="w", foreground="k", useOpenGL=False)


def layer_colour(index: int) -> str:
    return LAYER_COLOURS[index % len(LAYER_COLOURS)]


def class_colour(index: int) -> str:
    return CLASS_COLOURS[index % len(CLASS_COLOURS)]


def faint(colour: str, alpha: int = FAINT_ALPHA) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


def pen(colour, width: float = LINE, dashed: bool = False, style=None):
    if style is None:
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    return pg.mkPen(colour, width=width, style=style)


def split_pen(split: str, width: float = LINE, colour=None):
    """The pen of a train or test curve: its colour and its line style."""
    test = split == "test"
    return pen(colour if colour is not None else (TEST if test else TRAIN), width,
               style=TEST_STYLE if test else TRAIN_STYLE)


def sign_colour(value: float) -> str:
    return POSITIVE if value >= 0 else NEGATIVE


def style_plot(plot: pg.PlotItem, title: str, x_label: str, y_label: str,
               x_units: str | None = None, y_units: str | None = None) -> None:
    """Title, axis labels with units and tick fonts sized for a projector."""
    set_title(plot, title)
    tick_font = QFont()
    tick_font.setPointSize(FONT_PT - 1)
    style = {"font-size": f"{FONT_PT}pt"}
    for side, text, units in (("bottom", x_label, x_units), ("left", y_label, y_units)):
        axis = plot.getAxis(side)
        axis.enableAutoSIPrefix(False)  # "loss (x0.001)" misleads; show the values themselves
        axis.setTickFont(tick_font)
        axis.setPen(pg.mkPen("k", width=1))
        axis.setTextPen(pg.mkPen("k"))
        label = f"{text} ({units})" if units else text
        axis.setLabel(label, **style)
        readable_log_ticks(axis)
    # No grid: its translucent lines cost two thirds of a plot's paint time (measured), and
    # the plots repaint 30 times a second.


def readable_log_ticks(axis: pg.AxisItem) -> None:
    """On a log axis, labels that never overlap (decades, or 1-2-5 on a short range; see
    playground.ui.model.ticks) instead of pyqtgraph's "9·10¹ 8·10¹ ..." runs, and "0" at
    `axis.zero_floor` (log10 units) where the plot draws its zeros. Linear axes are unchanged."""
    if getattr(axis, "_readable_log", False):
        return
    axis._readable_log = True
    axis.zero_floor = None
    axis.logTickValues = types.MethodType(_log_tick_values, axis)
    axis.tickStrings = types.MethodType(_tick_strings, axis)


def _log_tick_values(axis, low, high, size, _std_ticks):
    metrics = QFontMetricsF(axis.style.get("tickFont") or QFont())
    if axis.orientation in ("left", "right"):
        height = metrics.height()

        def label_px(text):
            return height
    else:
        def label_px(text):
            return metrics.horizontalAdvance(text) + 2
    labelled, minor = log_ticks(low, high, size, label_px, zero_at=axis.zero_floor)
    axis._log_labels = {round(pos, 6): text for pos, text in labelled}
    return [(1.0, [pos for pos, _ in labelled]), (None, minor)]


def _tick_strings(axis, values, scale, spacing):
    if not axis.logMode:
        return pg.AxisItem.tickStrings(axis, values, scale, spacing)
    labels = getattr(axis, "_log_labels", {})
    return [labels.get(round(v, 6), "") for v in values]


def set_title(plot: pg.PlotItem, text: str, size: int = TITLE_PT, bold: bool = True) -> None:
    """A plot title that does not set the plot's minimum width (pyqtgraph's does, so a long
    title would make a narrow window overflow instead of clipping the title)."""
    label = plot.titleLabel
    if not getattr(label, "_relaxed", False):
        label.updateMin = types.MethodType(_update_min_height_only, label)
        label._relaxed = True
    plot.setTitle(text, size=f"{size}pt", bold=bold)


def _update_min_height_only(label) -> None:
    """pyqtgraph's LabelItem.updateMin, less the minimum width."""
    bounds = label.itemRect()
    label.setMinimumWidth(0)
    label.setMinimumHeight(bounds.height())
    label._sizeHint = {
        Qt.SizeHint.MinimumSize: (0, bounds.height()),
        Qt.SizeHint.PreferredSize: (bounds.width(), bounds.height()),
        Qt.SizeHint.MaximumSize: (-1, -1),
    }
    label.updateGeometry()


def legend(plot: pg.PlotItem, offset=(-10, 10)) -> pg.LegendItem:
    """A legend inside the plot; offset from the top-right corner (negative y: from the bottom)."""
    return plot.addLegend(offset=offset, labelTextSize=f"{FONT_PT - 1}pt", brush=pg.mkBrush(255, 255, 255, 200))


def density_colormap() -> pg.ColorMap:
    return pg.ColorMap(pos=[0.0, 0.2, 0.6, 1.0], color=DENSITY_COLOURS)

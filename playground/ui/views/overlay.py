"""A second run drawn over a view for comparison (File > Overlay run...): dashed curves in the
same colours as the view's own, and a legend key naming both runs (solid: this run, dashed:
the other). The parts every view's overlay is made of; each view draws its own
(`PlotView.draw_overlay`), and one that does not shows none (the network drawing and the
decision boundary: one network at a time).
"""

from __future__ import annotations

import pyqtgraph as pg

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.model.reopen import run_label
from playground.ui.model.series import MEAN

KEY_COLOUR = "#333333"
MAX_KEY_CHARS = 44  # a run's name in a key: longer ones are shortened in the middle, so the key fits the plot
OVERLAY_WIDTH = 2.5
OVERLAY_Z = -0.5  # under the view's own bold curves


class OverlayItems:
    """The overlay items of one view, reused from redraw to redraw; unused ones are removed."""

    def __init__(self):
        self.items: dict[tuple, tuple] = {}  # key -> (plot, item, legend, legend name)
        self.used: set[tuple] = set()

    def curve(self, plot: pg.PlotItem, name: str, pen, symbol_colour=None,
              legend: pg.LegendItem | None = None, legend_name: str | None = None) -> pg.PlotDataItem:
        key = (id(plot), name)
        entry = self.items.get(key)
        if entry is not None and entry[3] != legend_name:
            self._remove(key)
            entry = None
        if entry is None:
            options = {}
            if symbol_colour is not None:
                options = {"symbol": "o", "symbolSize": 7, "symbolBrush": None,
                           "symbolPen": pg.mkPen(symbol_colour, width=1.5)}
            item = pg.PlotDataItem(pen=pen, antialias=False, skipFiniteCheck=True, **options)
            item.setZValue(OVERLAY_Z)
            plot.addItem(item)
            if legend is not None and legend_name:
                legend.addItem(item, legend_name)
            self.items[key] = (plot, item, legend, legend_name)
        self.used.add(key)
        return self.items[key][1]

    def begin(self) -> None:
        self.used = set()

    def end(self) -> None:
        for key in [k for k in self.items if k not in self.used]:
            self._remove(key)

    def _remove(self, key: tuple) -> None:
        plot, item, legend, _ = self.items.pop(key)
        if legend is not None:
            legend.removeItem(item)
        plot.removeItem(item)

    def __len__(self) -> int:
        return len(self.items)


def items_of(view) -> OverlayItems:
    if not hasattr(view, "_overlay_items"):
        view._overlay_items = OverlayItems()
    return view._overlay_items


def dashed(colour, width: float = OVERLAY_WIDTH):
    return style.pen(colour, width, dashed=True)


def add_key(items: OverlayItems, plot: pg.PlotItem, legend: pg.LegendItem | None,
            history: History, comparison: History) -> None:
    """Two legend entries without data: solid = this run, dashed = the compared run."""
    if legend is None:
        return
    items.curve(plot, "key:this", style.pen(KEY_COLOUR, 2), legend=legend, legend_name=short(run_label(history)))
    items.curve(plot, "key:other", dashed(KEY_COLOUR, 2), legend=legend, legend_name=short(run_label(comparison)))


def short(text: str, limit: int = MAX_KEY_CHARS) -> str:
    """`text` cut in the middle to `limit` characters (both ends tell runs apart: the folder's
    date and the network)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def member_of(view, comparison: History) -> int:
    """The view's member choice, where the compared run has that member; else the mean."""
    choice = getattr(view, "member_choice", None)
    member = choice.member if choice is not None else MEAN
    members = comparison.config.train.ensemble if comparison.config is not None else 1
    return member if member == MEAN or member < members else MEAN

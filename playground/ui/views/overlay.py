"""A second run drawn over a view for comparison (File > Overlay run...): dashed curves in the
same colours as the view's own, and a legend key naming both runs (solid: this run, dashed:
the other). Views call `draw(view, history, comparison)` after their own drawing
(`PlotView.draw_comparison`); a view without an entry here shows no overlay (the network
drawing and the decision boundary: one network at a time).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.model.reopen import run_label
from playground.ui.model.series import MEAN, finite_positive, mean_curve

KEY_COLOUR = "#333333"
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
    items.curve(plot, "key:this", style.pen(KEY_COLOUR, 2), legend=legend, legend_name=run_label(history))
    items.curve(plot, "key:other", dashed(KEY_COLOUR, 2), legend=legend, legend_name=run_label(comparison))


def member_of(view, comparison: History) -> int:
    """The view's member choice, where the compared run has that member; else the mean."""
    choice = getattr(view, "member_choice", None)
    member = choice.member if choice is not None else MEAN
    members = comparison.config.train.ensemble if comparison.config is not None else 1
    return member if member == MEAN or member < members else MEAN


# ---------------------------------------------------------------- per view


def draw_loss(view, history: History, comparison: History, items: OverlayItems) -> None:
    if not comparison.has("metrics"):
        return
    table = comparison.columns("metrics")
    for plot, kind, scale, log_y in ((view.loss_plot, "loss", 1.0, True), (view.acc_plot, "acc", 100.0, False)):
        add_key(items, plot, plot.legend, history, comparison)
        for split, colour in (("train", style.TRAIN), ("test", style.TEST)):
            values = np.asarray(table[f"{split}_{kind}"], dtype=float) * scale
            x, y = mean_curve(table["epoch"], values)
            items.curve(plot, f"{split}_{kind}", dashed(colour)).setData(*finite_positive(x, y, log_y=log_y))


def draw_info_plane(view, history: History, comparison: History, items: OverlayItems) -> None:
    from playground.ui.views.info_plane import plane_points

    if not comparison.has("info_plane"):
        return
    table = comparison.columns("info_plane")
    available = sorted(set(table["estimator"].tolist()))
    estimator = view.estimator.currentText()
    if estimator not in available:
        return  # the other run did not measure this estimate: comparing across estimators misleads
    epoch, layer, i_xt, i_ty = plane_points(table, estimator, member_of(view, comparison))
    add_key(items, view.plot, view.legend, history, comparison)
    for index, number in enumerate(np.unique(layer)):
        rows = np.flatnonzero(layer == number)
        rows = rows[np.argsort(epoch[rows])]
        colour = style.layer_colour(index)
        items.curve(view.plot, f"layer{number}", dashed(colour), symbol_colour=colour).setData(i_xt[rows], i_ty[rows])


def draw_layer_stats(view, history: History, comparison: History, items: OverlayItems) -> None:
    from playground.ui.views.layer_stats import layer_series

    if not comparison.has("layer_stats"):
        return
    table = comparison.columns("layer_stats")
    member = member_of(view, comparison)
    add_key(items, view.snr_plot, view.legend, history, comparison)
    for plot, column, log_y in ((view.snr_plot, "snr", True), (view.norm_plot, "weight_norm", False)):
        for layer, (x, y) in layer_series(table, column, member).items():
            items.curve(plot, f"{column}{layer}", dashed(style.layer_colour(layer - 1))).setData(
                *finite_positive(x, y, log_x=True, log_y=log_y))


def draw_forgetting(view, history: History, comparison: History, items: OverlayItems) -> None:
    if not comparison.has("task_accuracy"):
        return
    table = comparison.columns("task_accuracy")
    member = member_of(view, comparison)
    rows = np.ones(len(table["epoch"]), dtype=bool) if member == MEAN else table["member"] == member
    add_key(items, view.acc_plot, view.legend, history, comparison)
    for number in np.unique(table["task"]).astype(int):
        keep = rows & (table["task"] == number)
        x, y = mean_curve(table["epoch"][keep], np.asarray(table["accuracy"][keep], dtype=float) * 100)
        items.curve(view.acc_plot, f"task{number}", dashed(style.layer_colour(number - 1))).setData(x, y)


OVERLAYS: dict[str, Callable] = {
    "loss": draw_loss,
    "info_plane": draw_info_plane,
    "layer_stats": draw_layer_stats,
    "forgetting": draw_forgetting,
}


def supports(view) -> bool:
    return view.key in OVERLAYS


def draw(view, history: History, comparison: History | None) -> None:
    """Bring the view's overlay up to date (none when `comparison` is None)."""
    drawer = OVERLAYS.get(view.key)
    if drawer is None or (comparison is None and not hasattr(view, "_overlay_items")):
        return
    items = items_of(view)
    items.begin()
    if comparison is not None:
        drawer(view, history, comparison, items)
    items.end()

"""Loss and accuracy, train (solid) and test (dotted): each member faint, the ensemble mean bold.
A loss of exactly 0 (a hinge loss that is met) is drawn at the log axis's floor, labelled "0"."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.widgets import style
from playground.ui.model.history import BATCH_LOSS, History
from playground.ui.model.series import finite_positive, floored, log_floor, mean_curve, member_curves
from playground.ui.views import keys, readout
from playground.ui.views.overlay import OverlayItems, add_key, dashed
from playground.ui.views.base import PlotView, members_of


def hot_curve(colour, width: float, name: str | None = None, pen=None) -> pg.PlotDataItem:
    item = pg.PlotDataItem(pen=pen if pen is not None else style.pen(colour, width), name=name,
                           antialias=False, skipFiniteCheck=True)
    return item


class LossView(PlotView):
    title = "Loss && accuracy"  # "&&": a plain & in a tab title
    key = "loss"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss_plot = self.canvas.addPlot(row=0, col=0)
        self.acc_plot = self.canvas.addPlot(row=0, col=1)
        style.style_plot(self.loss_plot, "Loss", "epoch", "loss", y_units="nats")
        style.style_plot(self.acc_plot, "Accuracy", "epoch", "accuracy", y_units="%")
        self.loss_plot.setLogMode(y=True)
        self.acc_plot.setYRange(0, 100, padding=0.02)
        self.items: dict[str, pg.PlotDataItem] = {}
        self.floor: float | None = None  # where zero losses are drawn
        # Keys in the corner away from the curves (accuracy near 100 % moves it down).
        keys.corner_legend(self.loss_plot)
        keys.corner_legend(self.acc_plot)
        for plot, kind in ((self.loss_plot, "loss"), (self.acc_plot, "acc")):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            for split, colour in (("train", style.TRAIN), ("test", style.TEST)):
                members = hot_curve(style.faint(colour), style.FAINT_LINE)
                mean = hot_curve(colour, style.LINE, name=split, pen=style.split_pen(split))
                plot.addItem(members)
                plot.addItem(mean)
                self.items[f"{split}_{kind}_members"] = members
                self.items[f"{split}_{kind}"] = mean
        batch = hot_curve(style.BATCH, 1.5, name="train, mini-batches")
        batch.setZValue(-1)  # under the evaluated curves
        self.loss_plot.addItem(batch)
        self.items["batch_loss"] = batch
        readout.install(self.loss_plot, self.acc_plot)
        self.finish_toolbar()

    def has_data(self, history: History) -> bool:
        return history.has("metrics") or history.has(BATCH_LOSS)

    def empty_message(self, history):
        return ("Press  ▶ Start  (top left) to train the network on the task.\n\n"
                "Loss and accuracy appear here as it learns. The learning rate can be changed while it trains; "
                "a change to the network or the task starts a new run.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("metrics"), history.revision_of(BATCH_LOSS))

    def data_items(self):
        return list(self.items.values())

    def draw(self, history: History) -> None:
        hinge = history.config is not None and history.config.train.loss == "hinge"
        self.loss_plot.getAxis("left").setLabel("hinge loss" if hinge else "loss (nats)", **{"font-size": f"{style.FONT_PT}pt"})
        several = members_of(history) > 1
        batch = history.columns(BATCH_LOSS) if history.has(BATCH_LOSS) else None
        t = history.columns("metrics") if history.has("metrics") else None
        floor = self._floor(batch, t)
        if batch is not None:
            x, y = mean_curve(batch["epoch"], batch["loss"])
            self.items["batch_loss"].setData(*floored(x, y, floor))
        if t is None:
            keys.refresh(self.loss_plot, self.acc_plot)
            return
        for split in ("train", "test"):
            for kind, scale, log_y in (("loss", 1.0, True), ("acc", 100.0, False)):
                values = np.asarray(t[f"{split}_{kind}"], dtype=float) * scale
                if log_y and floor is not None:
                    values = np.where(values == 0, floor, values)
                x, y = mean_curve(t["epoch"], values)
                self.items[f"{split}_{kind}"].setData(*finite_positive(x, y, log_y=log_y))
                members = self.items[f"{split}_{kind}_members"]
                if several:
                    ok = np.isfinite(values) & ((values > 0) if log_y else True)
                    mx, my, connect = member_curves(t["epoch"][ok], t["member"][ok], values[ok])
                    members.setData(mx, my, connect=connect)
                else:
                    members.setData([], [])
        keys.refresh(self.loss_plot, self.acc_plot)

    def _floor(self, batch, metrics) -> float | None:
        """Where this run's zero losses are drawn (None: it has none), for every loss curve."""
        arrays = [] if batch is None else [batch["loss"]]
        if metrics is not None:
            arrays += [metrics["train_loss"], metrics["test_loss"]]
        floor = log_floor(*arrays)
        self.floor = floor
        self.loss_plot.getAxis("left").zero_floor = None if floor is None else float(np.log10(floor))
        return floor

    def draw_overlay(self, history: History, comparison: History, items: OverlayItems) -> None:
        if not comparison.has("metrics"):
            return
        table = comparison.columns("metrics")
        floor = getattr(self, "floor", None)
        if floor is None:  # this run has no zero loss; the other may (one floor below both runs)
            own = history.columns("metrics") if history.has("metrics") else {"train_loss": [], "test_loss": []}
            floor = log_floor(table["train_loss"], table["test_loss"], own["train_loss"], own["test_loss"])
            if floor is not None:
                self.loss_plot.getAxis("left").zero_floor = float(np.log10(floor))
        for plot, kind, scale, log_y in ((self.loss_plot, "loss", 1.0, True), (self.acc_plot, "acc", 100.0, False)):
            add_key(items, plot, plot.legend, history, comparison)
            for split, colour in (("train", style.TRAIN), ("test", style.TEST)):
                values = np.asarray(table[f"{split}_{kind}"], dtype=float) * scale
                x, y = mean_curve(table["epoch"], values)
                points = floored(x, y, floor) if log_y else finite_positive(x, y)
                items.curve(plot, f"{split}_{kind}", dashed(colour)).setData(*points)

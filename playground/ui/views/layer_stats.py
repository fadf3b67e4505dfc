"""Layer statistics: gradient mean and std per layer (log-log), their signal-to-noise ratio with
the drift-to-diffusion marker, weight norms, and a histogram of one layer's weights (or
activity) over time."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.model.series import MEAN, drift_to_diffusion_epoch, finite_positive, group_mean
from playground.ui.views.overlay import OverlayItems, add_key, dashed, member_of
from playground.ui.views import readout
from playground.ui.views.base import MemberChoice, PlotView, members_of, sync_combo

HIST_KINDS = {"weights": "weight_hist", "activity": "activation_hist"}
HIST_COLUMNS = 160


def layer_series(table: dict, column: str, member: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """layer -> (epochs, values) of one statistic, for one member or the ensemble mean."""
    rows = np.ones(len(table["epoch"]), dtype=bool) if member == MEAN else table["member"] == member
    (epoch, layer), values = group_mean([table["epoch"][rows], table["layer"][rows]],
                                        np.asarray(table[column][rows], dtype=float))
    out = {}
    for number in np.unique(layer).astype(int):
        keep = layer == number
        out[number] = (epoch[keep], values[keep])
    return out


def histogram_image(snapshots: list[tuple[int, dict]], member: int, columns: int = HIST_COLUMNS
                    ) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]] | None:
    """Histograms of one layer over time as an image (columns = log-spaced epochs, rows = value
    bins on one common scale). Returns (image (columns, bins), (log10 epoch range), (value range))."""
    if not snapshots:
        return None
    low = min(float(h["edges"][0]) for _, h in snapshots)
    high = max(float(h["edges"][-1]) for _, h in snapshots)
    if not np.isfinite(low) or not np.isfinite(high):
        return None
    if high <= low:
        high = low + 1e-6
    bins = max(len(h["edges"]) - 1 for _, h in snapshots)
    edges = np.linspace(low, high, bins + 1)
    epochs = np.array([max(e, 1) for e, _ in snapshots], dtype=float)
    # Each snapshot's counts go, bin by bin, into the common bin that holds their centre
    # (snapshots have their own edges, and may differ in bin count).
    rebinned = np.zeros((len(snapshots), bins))
    for row, (_, h) in enumerate(snapshots):
        counts = np.asarray(h["counts"], dtype=float)
        counts = counts.mean(axis=0) if member == MEAN else counts[min(member, len(counts) - 1)]
        own = np.asarray(h["edges"], dtype=float)
        centres = 0.5 * (own[:-1] + own[1:])
        index = np.clip(np.searchsorted(edges, centres, side="right") - 1, 0, bins - 1)
        np.add.at(rebinned[row], index, counts)
    totals = rebinned.sum(axis=1, keepdims=True)
    rebinned = np.divide(rebinned, totals, out=np.zeros_like(rebinned), where=totals > 0)
    log_e = np.log10(epochs)
    span = (float(log_e[0]), float(max(log_e[-1], log_e[0] + 1e-3)))
    grid = np.linspace(span[0], span[1], columns)
    # Each column shows the latest snapshot at or before its epoch.
    index = np.clip(np.searchsorted(log_e, grid, side="right") - 1, 0, len(log_e) - 1)
    image = rebinned[index]
    # Each column scaled to its own peak: the shape of the distribution, at any spread.
    peak = image.max(axis=1, keepdims=True)
    image = np.divide(image, peak, out=np.zeros_like(image), where=peak > 0)
    return image, span, (low, high)


class LayerStatsView(PlotView):
    title = "Layer statistics"
    key = "layer_stats"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member_choice = MemberChoice(self)
        self.hist_kind = self.add_combo("Histogram of", list(HIST_KINDS), "weights or activity on the probe inputs")
        self.hist_layer = self.add_combo("layer", [], "which layer's histogram")
        self.finish_toolbar()
        self.grad_plot = self.canvas.addPlot(row=0, col=0)
        self.snr_plot = self.canvas.addPlot(row=0, col=1)
        self.norm_plot = self.canvas.addPlot(row=1, col=0)
        self.hist_plot = self.canvas.addPlot(row=1, col=1)
        style.style_plot(self.grad_plot, "Gradient mean — std - -", "epoch", "norm of gradient")
        style.style_plot(self.snr_plot, "Gradient SNR (dashed: each layer's drift → diffusion)", "epoch",
                         "|mean| / std")
        style.style_plot(self.norm_plot, "Weight norm", "epoch", "‖W‖ (Frobenius)")
        style.style_plot(self.hist_plot, "Histogram", "epoch", "value")
        for plot in (self.grad_plot, self.snr_plot):
            plot.setLogMode(x=True, y=True)
        for plot in (self.grad_plot, self.snr_plot, self.norm_plot):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
        self.norm_plot.setLogMode(x=True)
        self.hist_plot.setLogMode(x=True)
        # One key of layer colours for all four plots, in a row beneath them.
        self.legend = pg.LegendItem(colCount=3, labelTextSize=f"{style.FONT_PT - 1}pt")
        self.canvas.addItem(self.legend, row=2, col=0, colspan=2)
        # Left-anchored at the left edge: the label reads whole ("SNR = 1", not "R = 1").
        self.one_line = pg.InfiniteLine(pos=0.0, angle=0, pen=style.pen("#555", 1.5, dashed=True),
                                        label="SNR = 1", labelOpts={"position": 0.01, "color": "#555",
                                                                    "anchors": [(0, 1), (0, 1)]})
        self.snr_plot.addItem(self.one_line)
        # One drift-to-diffusion marker per layer, in its colour (deeper layers cross later).
        self.markers: list[pg.InfiniteLine] = []
        self.diffusion_epochs: dict[int, float] = {}
        self.curves: dict[tuple[str, int], pg.PlotDataItem] = {}
        self.image = pg.ImageItem()
        self.image.setColorMap(style.density_colormap())
        self.hist_plot.addItem(self.image)
        self.diffusion_epoch: float | None = None
        readout.install(self.grad_plot, self.snr_plot, self.norm_plot)
        self._in_legend: set = set()

    def has_data(self, history: History) -> bool:
        return history.has("layer_stats")

    def empty_message(self, history):
        return "Layer statistics: enable probes (with layer statistics) and press Start."

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("layer_stats"), history.live_revision,
                self.member_choice.member, self.hist_kind.currentText(), self.hist_layer.currentText())

    def data_items(self):
        return [*self.curves.values(), self.image]

    def _curve(self, plot: pg.PlotItem, kind: str, layer: int, dashed: bool, name: str | None) -> pg.PlotDataItem:
        key = (kind, layer)
        if key not in self.curves:
            item = pg.PlotDataItem(pen=style.pen(style.layer_colour(layer - 1), 2.5, dashed=dashed),
                                   antialias=False, skipFiniteCheck=True, name=name)
            plot.addItem(item)
            self.curves[key] = item
        return self.curves[key]

    def draw(self, history: History) -> None:
        self.member_choice.sync(members_of(history))
        member = self.member_choice.member
        table = history.columns("layer_stats")
        names = history.live.get("probe_layers") or []
        grad_mean = layer_series(table, "grad_mean_norm", member)
        grad_std = layer_series(table, "grad_std", member)
        snr = layer_series(table, "snr", member)
        norms = layer_series(table, "weight_norm", member)
        for layer in sorted(grad_mean):
            label = f"L{layer}" + (f" {names[layer - 1]}" if layer - 1 < len(names) else "")
            self._curve(self.grad_plot, "mean", layer, False, None).setData(
                *finite_positive(*grad_mean[layer], log_x=True, log_y=True))
            self._curve(self.grad_plot, "std", layer, True, None).setData(
                *finite_positive(*grad_std[layer], log_x=True, log_y=True))
            snr_curve = self._curve(self.snr_plot, "snr", layer, False, None)
            if snr_curve not in self._in_legend:
                self.legend.addItem(snr_curve, label)
                self._in_legend.add(snr_curve)
            snr_curve.setData(
                *finite_positive(*snr[layer], log_x=True, log_y=True))
            self._curve(self.norm_plot, "norm", layer, False, None).setData(
                *finite_positive(*norms[layer], log_x=True))
        self._draw_marker(table, member)
        self._draw_histogram(history, member)

    def _draw_marker(self, table: dict, member: int) -> None:
        rows = np.ones(len(table["epoch"]), dtype=bool) if member == MEAN else table["member"] == member
        snr = np.asarray(table["snr"][rows], dtype=float)
        positive = np.isfinite(snr) & (snr > 0)
        # The network's: the layers' geometric-mean SNR at each epoch.
        (epochs,), log_snr = group_mean([table["epoch"][rows][positive]], np.log10(snr[positive]))
        self.diffusion_epoch = drift_to_diffusion_epoch(epochs, 10 ** log_snr) if len(epochs) else None
        # Each layer's own: where the lesson's claim (deeper layers cross later) is seen.
        self.diffusion_epochs = {}
        for layer, (e, v) in sorted(layer_series(table, "snr", member).items()):
            crossing = drift_to_diffusion_epoch(e, v)
            if crossing is not None:
                self.diffusion_epochs[layer] = crossing
        while len(self.markers) < len(self.diffusion_epochs):
            marker = pg.InfiniteLine(angle=90, pen=style.pen("#c00", 2, dashed=True), label="",
                                     labelOpts={"color": "#c00", "anchors": [(0, 0), (0, 0)],
                                                "fill": pg.mkBrush(255, 255, 255, 210)})
            marker.setVisible(False)
            self.snr_plot.addItem(marker)
            self.markers.append(marker)
        for index, marker in enumerate(self.markers):
            if index >= len(self.diffusion_epochs):
                marker.setVisible(False)
                continue
            layer, epoch = list(self.diffusion_epochs.items())[index]
            colour = style.layer_colour(layer - 1)
            marker.setPen(style.pen(colour, 2, dashed=True))
            marker.setPos(np.log10(max(epoch, 1e-9)))  # log-x plots place items in log10 units
            marker.label.setColor(colour)
            marker.label.setFormat(f"L{layer} {epoch:g}")
            # Labels at different heights: layers crossing together stay legible.
            marker.label.setPosition(0.95 - 0.09 * (index % 9))
            marker.setToolTip(f"layer {layer}: drift → diffusion at epoch {epoch:g} (its SNR falls below 1)")
            marker.setVisible(True)
            marker.label.valueChanged()  # a label made while hidden has no text until told

    def _draw_histogram(self, history: History, member: int) -> None:
        key = HIST_KINDS[self.hist_kind.currentText() or "weights"]
        snapshots = history.live_series.get(key, [])
        if not snapshots:
            self.image.clear()
            # Histograms over time are live data; run folders do not keep them.
            live = getattr(history, "source", "live") == "live"
            style.set_title(self.hist_plot, "Histogram (no data yet)" if live
                            else "Histograms are shown live only (not kept in run files)")
            return
        layers = len(snapshots[-1][1])
        names = history.live.get("probe_layers") or []
        sync_combo(self.hist_layer, [f"L{i + 1}" + (f" {names[i]}" if i < len(names) else "") for i in range(layers)])
        layer = max(self.hist_layer.currentIndex(), 0)
        per_layer = [(epoch, hists[layer]) for epoch, hists in snapshots if layer < len(hists)]
        result = histogram_image(per_layer, member)
        if result is None:
            self.image.clear()
            return
        image, (x0, x1), (low, high) = result
        self.image.setImage(image, autoLevels=False, levels=(0, 1))
        self.image.setRect(pg.QtCore.QRectF(x0, low, x1 - x0, high - low))
        what = "weights" if key == "weight_hist" else "activity"
        style.set_title(self.hist_plot, f"L{layer + 1} {what}", bold=True)
        self.hist_plot.getAxis("left").setLabel("weight value" if key == "weight_hist" else "activation",
                                                **{"font-size": f"{style.FONT_PT}pt"})

    def reset_items(self) -> None:
        super().reset_items()
        self.legend.clear()
        self._in_legend = set()
        for marker in self.markers:
            marker.setVisible(False)

    def draw_overlay(self, history: History, comparison: History, items: OverlayItems) -> None:
        if not comparison.has("layer_stats"):
            return
        table = comparison.columns("layer_stats")
        member = member_of(self, comparison)
        add_key(items, self.snr_plot, self.legend, history, comparison)
        for plot, column, log_y in ((self.snr_plot, "snr", True), (self.norm_plot, "weight_norm", False)):
            for layer, (x, y) in layer_series(table, column, member).items():
                items.curve(plot, f"{column}{layer}", dashed(style.layer_colour(layer - 1))).setData(
                    *finite_positive(x, y, log_x=True, log_y=log_y))

"""The information plane: I(X;T) against I(T;Y) for every layer T, one trajectory per layer,
points coloured by epoch (dark early, bright late) as in Shwartz-Ziv & Tishby's figure."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.widgets import style
from playground.ui.model.history import History
from playground.ui.model.series import MEAN, group_mean
from playground.ui.views.overlay import OverlayItems, add_key, dashed, member_of
from playground.ui.views import keys, readout
from playground.ui.views.base import MemberChoice, PlotView, members_of, sync_combo

EPOCH_SHADES = 64
MAX_EPOCHS_DRAWN = 300  # a long run probed every epoch is drawn from this many of its epochs
ESTIMATOR_NAMES = {
    "binning": "binning",
    "binwidth": "fixed-width binning",
    "adaptive": "adaptive binning",
    "kde_upper": "KDE upper bound",
    "kde_lower": "KDE lower bound",
}


def plane_points(table: dict, estimator: str, member: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(epoch, layer, i_xt, i_ty) rows of one estimator, for one member or averaged over members."""
    rows = table["estimator"] == estimator
    if member != MEAN:
        rows &= table["member"] == member
    epoch, layer = table["epoch"][rows], table["layer"][rows]
    (e, l), i_xt = group_mean([epoch, layer], table["i_xt"][rows])
    _, i_ty = group_mean([epoch, layer], table["i_ty"][rows])
    return e, l.astype(int), i_xt, i_ty


def drawn_epochs(epochs: np.ndarray, limit: int = MAX_EPOCHS_DRAWN) -> np.ndarray:
    """At most `limit` of the distinct epochs, evenly spread over them in order, first and last
    included (the probe schedule's own spacing is kept)."""
    distinct = np.unique(epochs)
    if len(distinct) <= limit:
        return distinct
    return distinct[np.unique(np.linspace(0, len(distinct) - 1, limit).round().astype(int))]


class InfoPlaneView(PlotView):
    title = "Information plane"
    key = "info_plane"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.estimator = self.add_combo("Estimator", [], "which mutual-information estimate to show")
        self.member_choice = MemberChoice(self)
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Information plane", "I(X;T)", "I(T;Y)", "bits", "bits")
        self.colormap = pg.colormap.get(style.EPOCH_MAP)
        # A fixed set of brushes: pyqtgraph renders each distinct brush object once.
        self.epoch_brushes = np.array([pg.mkBrush(c) for c in self.colormap.getLookupTable(nPts=EPOCH_SHADES, mode="qcolor")],
                                      dtype=object)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=self.colormap, label="epoch",
                                        interactive=False, width=18)
        self.canvas.addItem(self.colorbar, row=0, col=1)
        self.scatter = pg.ScatterPlotItem(size=9, pen=None)
        self.plot.addItem(self.scatter)
        self.lines: list[pg.PlotDataItem] = []
        self.labels: list[pg.TextItem] = []
        self.legend = keys.corner_legend(self.plot)  # where the trajectories leave room
        readout.install(self.plot)
        self.ceilings = [pg.InfiniteLine(angle=90, pen=style.pen("#999", 1.5, dashed=True),
                                         label="H(X)", labelOpts={"position": 0.04, "color": "#555"}),
                         pg.InfiniteLine(angle=0, pen=style.pen("#999", 1.5, dashed=True),
                                         label="H(Y)", labelOpts={"position": 0.05, "color": "#555"})]
        for line in self.ceilings:
            line.setVisible(False)
            self.plot.addItem(line)

    def has_data(self, history: History) -> bool:
        return history.has("info_plane")

    def empty_message(self, history):
        return ("Information plane: enable probes (Probes > Measure the information plane) and press Start.\n"
                "The ib task with a tanh network shows the original figure.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("info_plane"), self.estimator.currentText(),
                self.member_choice.member)

    def data_items(self):
        return [self.scatter, *self.lines]

    def draw(self, history: History) -> None:
        table = history.columns("info_plane")
        estimators = [e for e in ESTIMATOR_NAMES if e in set(table["estimator"].tolist())]
        estimators += sorted(set(table["estimator"].tolist()) - set(estimators))
        sync_combo(self.estimator, estimators)
        self.member_choice.sync(members_of(history))
        estimator = self.estimator.currentText() or estimators[0]
        epoch, layer, i_xt, i_ty = plane_points(table, estimator, self.member_choice.member)
        if len(epoch) == 0:
            return
        keep = np.isin(epoch, drawn_epochs(epoch))
        epoch, layer, i_xt, i_ty = epoch[keep], layer[keep], i_xt[keep], i_ty[keep]
        low, high = float(epoch.min()), float(max(epoch.max(), epoch.min() + 1))
        self.colorbar.setLevels((low, high))
        shade = np.clip(((epoch - low) / (high - low) * (EPOCH_SHADES - 1)).round().astype(int), 0, EPOCH_SHADES - 1)
        self.scatter.setData(x=i_xt, y=i_ty, brush=self.epoch_brushes[shade].tolist(), pen=None)
        layers = np.unique(layer)
        self._ensure_lines(len(layers))
        names = history.live.get("probe_layers") or []
        ends = []
        for index, (number, line) in enumerate(zip(layers, self.lines)):
            rows = np.flatnonzero(layer == number)
            rows = rows[np.argsort(epoch[rows])]
            line.setData(i_xt[rows], i_ty[rows])
            line.setPen(style.pen(style.faint(style.layer_colour(index), 150), 2))
            name = f"L{number}" + (f" {names[number - 1]}" if number - 1 < len(names) else "")
            self._name_line(line, name)
            ends.append((float(i_xt[rows[-1]]), float(i_ty[rows[-1]]), f"L{number}", style.layer_colour(index)))
        self._place_labels(ends)
        self._draw_ceilings(history)
        style.set_title(self.plot, f"Information plane ({ESTIMATOR_NAMES.get(estimator, estimator)})")
        keys.refresh(self.plot)

    def _place_labels(self, ends: list[tuple[float, float, str, str]]) -> None:
        """One label at each trajectory's end; layers ending at (nearly) the same point share
        one label ("L1 L2 L3"), which would otherwise be drawn on top of each other."""
        groups: list[list[tuple[float, float, str, str]]] = []
        # "Nearly": within 6% of the span of the ends, about one label's width on screen.
        x_tol = max(0.06 * np.ptp([e[0] for e in ends]) if ends else 0.0, 0.1)
        y_tol = max(0.06 * np.ptp([e[1] for e in ends]) if ends else 0.0, 0.02)
        for end in ends:
            for group in groups:
                if abs(group[0][0] - end[0]) < x_tol and abs(group[0][1] - end[1]) < y_tol:
                    group.append(end)
                    break
            else:
                groups.append([end])
        for label in self.labels:
            label.setText("")
        xs = [end[0] for end in ends]
        # Labels near the right edge extend leftwards, so they are not cut off by the plot's edge.
        right_edge = max(xs, default=0.0) - 0.15 * (max(xs, default=0.0) - min(xs, default=0.0))
        for label, group in zip(self.labels, groups):
            label.setHtml(" ".join(f"<span style='color:{colour}'>{text}</span>" for _, _, text, colour in group))
            label.setAnchor((1, 1) if len(ends) > 1 and group[0][0] > right_edge else (0, 1))
            label.setPos(group[0][0], group[0][1])

    def _name_line(self, line: pg.PlotDataItem, name: str) -> None:
        if line.name() != name:
            self.legend.removeItem(line)
            line.opts["name"] = name
            self.legend.addItem(line, name)

    def _ensure_lines(self, count: int) -> None:
        while len(self.lines) < count:
            line = pg.PlotDataItem(antialias=False, skipFiniteCheck=True)
            label = pg.TextItem(anchor=(0, 1))
            font = label.textItem.font()
            font.setPointSize(style.FONT_PT)
            font.setBold(True)
            label.setFont(font)
            self.plot.addItem(line)
            self.plot.addItem(label)
            line.setZValue(-1)
            self.lines.append(line)
            self.labels.append(label)
        for extra_line, extra_label in zip(self.lines[count:], self.labels[count:]):
            extra_line.setData([], [])
            extra_label.setText("")
            self.legend.removeItem(extra_line)
            extra_line.opts["name"] = None

    def _draw_ceilings(self, history: History) -> None:
        live = history.live.get("info_plane")
        if not isinstance(live, dict) or "h_x" not in live:
            for line in self.ceilings:
                line.setVisible(False)
            return
        for line, key in zip(self.ceilings, ("h_x", "h_y")):
            line.setPos(float(np.mean(live[key])))
            line.setVisible(True)

    def reset_items(self) -> None:
        super().reset_items()
        for label in self.labels:
            label.setText("")
        for line in self.ceilings:
            line.setVisible(False)

    def draw_overlay(self, history: History, comparison: History, items: OverlayItems) -> None:
        if not comparison.has("info_plane"):
            return
        table = comparison.columns("info_plane")
        available = sorted(set(table["estimator"].tolist()))
        estimator = self.estimator.currentText()
        if estimator not in available:
            return  # the other run did not measure this estimate: comparing across estimators misleads
        epoch, layer, i_xt, i_ty = plane_points(table, estimator, member_of(self, comparison))
        add_key(items, self.plot, self.legend, history, comparison)
        for index, number in enumerate(np.unique(layer)):
            rows = np.flatnonzero(layer == number)
            rows = rows[np.argsort(epoch[rows])]
            colour = style.layer_colour(index)
            items.curve(self.plot, f"layer{number}", dashed(colour), symbol_colour=colour).setData(
                i_xt[rows], i_ty[rows])

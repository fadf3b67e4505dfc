"""The confusion matrix of a classification run on its test set: row = true class, column = the
class the network predicts, for the ensemble mean or one member, as counts or row fractions.

Drawn from live["confusion"] (core/measures/confusion.py: the training session sends it at the
boundary's rate; a reopened run has it from final_state.npz). The colour is always the row
fraction, so a rare class's mistakes show as clearly as a common one's.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.core.measures.confusion import row_fractions
from playground.ui.model.history import History
from playground.ui.model.series import MEAN
from playground.ui.views.base import MemberChoice, PlotView
from playground.ui.views.forgetting import MATRIX_MAP, MAX_CELL_LABELS, matrix_rgba
from playground.ui.widgets import style

VALUES = ("counts", "row fractions")


def shown_matrix(confusion: dict, member: int) -> np.ndarray:
    """The (C, C) counts drawn: the mean over members, or one member's."""
    counts = np.asarray(confusion["counts"], dtype=np.float64)
    if member != MEAN:
        return counts[min(member, counts.shape[0] - 1)]
    mean = confusion.get("mean")
    return counts.mean(axis=0) if mean is None else np.asarray(mean, dtype=np.float64)


def cell_text(value: float, fractions: bool, whole: bool) -> str:
    if np.isnan(value):
        return ""
    if fractions:
        return f"{value:.2f}"
    return f"{value:.0f}" if whole else f"{value:.1f}"


class ConfusionView(PlotView):
    title = "Confusion matrix"
    key = "confusion"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member_choice = MemberChoice(self)
        self.values = self.add_combo("Values", list(VALUES), "test samples per cell, or each row's share")
        self.finish_toolbar()
        self.plot = self.canvas.addPlot(row=0, col=0)
        style.style_plot(self.plot, "Confusion matrix (test set)", "predicted class", "true class")
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=False, y=False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.colormap = pg.colormap.get(MATRIX_MAP)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=self.colormap, label="share of the true class",
                                        interactive=False, width=18)
        self.canvas.addItem(self.colorbar, row=0, col=1)
        self.cell_labels: list[pg.TextItem] = []

    def has_data(self, history: History) -> bool:
        return isinstance(history.live.get("confusion"), dict)

    def empty_message(self, history: History | None) -> str:
        config = history.config if history is not None else None
        if config is not None and config.train.loss == "mse":
            return "Confusion matrix: a regression has no classes to confuse (see the loss and the surface)."
        return ("Confusion matrix: which classes the network mistakes for which, on the test set.\n"
                "It appears as a classification run trains (and for a reopened run that saved its final state).")

    def redraw_key(self, history: History):
        return (id(history), history.live_revision, self.member_choice.member, self.values.currentIndex())

    def data_items(self):
        return [self.image]

    def draw(self, history: History) -> None:
        confusion = history.live["confusion"]
        counts = np.asarray(confusion["counts"])
        self.member_choice.sync(counts.shape[0])
        member = self.member_choice.member
        matrix = shown_matrix(confusion, member)
        fractions = row_fractions(matrix)
        size = matrix.shape[0]
        self.image.setImage(matrix_rgba(fractions, self.colormap), autoLevels=False)
        self.image.setRect(pg.QtCore.QRectF(-0.5, -0.5, size, size))
        self.plot.setRange(xRange=(-0.5, size - 0.5), yRange=(-0.5, size - 0.5), padding=0.02)
        ticks = [[(float(c), str(c)) for c in range(size)]]
        self.plot.getAxis("bottom").setTicks(ticks)
        self.plot.getAxis("left").setTicks(ticks)
        total = float(matrix.sum())
        accuracy = 100.0 * float(np.trace(matrix)) / total if total else float("nan")
        who = "mean over members" if member == MEAN else f"member {member}"
        samples = f"{total:.0f} samples" + (" per member" if member == MEAN else "")
        style.set_title(self.plot, f"Test set, {who}: {samples}, {accuracy:.1f} % right", size=style.FONT_PT)
        self._label_cells(fractions if self.values.currentIndex() == 1 else matrix,
                          fractions, self.values.currentIndex() == 1)

    def _label_cells(self, shown: np.ndarray, fractions: np.ndarray, as_fractions: bool) -> None:
        for label in self.cell_labels:
            label.setText("")
        size = shown.shape[0]
        if size > MAX_CELL_LABELS:
            return
        while len(self.cell_labels) < size * size:
            label = pg.TextItem(anchor=(0.5, 0.5))
            font = label.textItem.font()
            font.setPointSize(style.FONT_PT - 1)
            label.setFont(font)
            self.plot.addItem(label)
            self.cell_labels.append(label)
        whole = bool(np.all(np.isnan(shown) | (shown == np.round(shown))))
        for t in range(size):
            for p in range(size):
                label = self.cell_labels[t * size + p]
                # Dark text on the bright (high-share) cells of viridis, light on the dark ones.
                colour = "k" if np.nan_to_num(fractions[t, p]) > 0.6 else "w"
                label.setText(cell_text(shown[t, p], as_fractions, whole), color=colour)
                label.setPos(float(p), float(t))

    def reset_items(self) -> None:
        super().reset_items()
        for label in self.cell_labels:
            label.setText("")

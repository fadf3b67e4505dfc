"""The `neurons` figure of `playground plot` for 2-D runs: every unit's output over the (x1, x2)
plane, as TensorFlow Playground draws inside its network (the first few units of a wide layer),
as a grid of small heatmaps: a row per layer (inputs, hidden layers, output), a caption per unit.

Drawn from live["neurons"] (core/measures/neurons.NeuronMaps, saved in final_state.npz). Orange
is negative, blue positive, white zero, each map on its own symmetric scale (as TF Playground).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.views.base import PlotView
from playground.ui.widgets import style

CELL_PX = 120
LABEL_PX = 190
TITLE_PX = 70


def diverging_colormap() -> pg.ColorMap:
    return pg.ColorMap([0.0, 0.5, 1.0], [pg.mkColor(style.NEGATIVE), pg.mkColor("#ffffff"),
                                         pg.mkColor(style.POSITIVE)])


def symmetric_levels(values: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m the largest magnitude (1 for an all-zero or empty map)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    m = float(np.abs(finite).max()) if finite.size else 0.0
    return (-m, m) if m > 0 else (-1.0, 1.0)


def layer_rows(maps, live: dict) -> list[tuple[str, list[str], list[np.ndarray]]]:
    """(row caption, unit captions, unit maps) for the inputs, each hidden layer and the output."""
    sizes = list(live.get("layer_sizes", []))
    activations = list(live.get("activations", []))
    rows = [("inputs", list(maps.feature_names)[: len(maps.inputs)], list(maps.inputs))]
    hidden = len(maps.layers) - 1
    for index, (layer, units) in enumerate(zip(maps.layers, maps.units)):
        width = sizes[index + 1] if index + 1 < len(sizes) else len(units)
        shown = f"\nfirst {len(units)} of {width}" if len(units) < width else f"\n{width} units"
        if index < hidden:
            kind = activations[index] if index < len(activations) else ""
            caption = f"hidden {index + 1}\n{kind}{shown}"
            names = [f"L{index + 1} unit {int(u) + 1}" for u in units]
        else:
            caption = f"output\n(raw){shown if len(units) < width else ''}"
            names = [f"class {int(u)}" for u in units] if len(units) > 1 else ["output"]
        rows.append((caption, names, list(layer)))
    return rows


class NeuronsFigure(PlotView):
    title = "Neuron heatmaps"
    key = "neurons"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.finish_toolbar()
        self.colormap = diverging_colormap()
        self.images: list[pg.ImageItem] = []

    def has_data(self, history: History) -> bool:
        return history.live.get("neurons") is not None

    def empty_message(self, history: History | None) -> str:
        return ("Neuron heatmaps: for tasks with two inputs (x1, x2) only, drawn from the run's final "
                "state (final_state.npz).")

    def redraw_key(self, history: History):
        return (id(history), history.live_revision)

    def data_items(self):
        return list(self.images)

    @staticmethod
    def grid_shape(history: History) -> tuple[int, int]:
        """(rows, unit columns) of the grid."""
        maps = history.live["neurons"]
        return 1 + len(maps.layers), max([len(maps.inputs), *(len(u) for u in maps.units)])

    def figure_size(self, history: History) -> tuple[int, int]:
        """The logical size at which every heatmap is about CELL_PX square."""
        rows, columns = self.grid_shape(history)
        return LABEL_PX + CELL_PX * columns, TITLE_PX + (CELL_PX + 22) * rows

    def draw(self, history: History) -> None:
        maps = history.live["neurons"]
        self.canvas.clear()
        self.images = []
        rows = layer_rows(maps, history.live)
        columns = max(len(names) for _, names, _ in rows)
        extent = pg.QtCore.QRectF(float(maps.xs[0]), float(maps.ys[0]), float(maps.xs[-1] - maps.xs[0]),
                                  float(maps.ys[-1] - maps.ys[0]))
        title = (f"Neuron heatmaps (member {maps.member}): each unit's output over the (x1, x2) plane<br>"
                 f"<span style='font-weight:normal'>orange &lt; 0 &lt; blue, each map on its own scale</span>")
        self.canvas.addLabel(title, row=0, col=0, colspan=columns + 1, size=f"{style.TITLE_PT}pt", bold=True)
        for r, (caption, names, layer) in enumerate(rows, start=1):
            label = self.canvas.addLabel(caption.replace("\n", "<br>"), row=r, col=0, size=f"{style.FONT_PT - 1}pt",
                                         justify="right")
            label.setFixedWidth(LABEL_PX - 10)
            for c, (name, values) in enumerate(zip(names, layer), start=1):
                plot = self.canvas.addPlot(row=r, col=c)
                plot.hideAxis("left")
                plot.hideAxis("bottom")
                plot.setMouseEnabled(x=False, y=False)
                plot.hideButtons()
                plot.setMenuEnabled(False)
                plot.setAspectLocked(True)
                style.set_title(plot, name, size=style.FONT_PT - 2, bold=False)
                image = pg.ImageItem(np.asarray(values, dtype=float).T, levels=symmetric_levels(values))
                image.setColorMap(self.colormap)
                image.setRect(extent)
                plot.addItem(image)
                plot.setRange(rect=extent, padding=0)
                self.images.append(image)

    def reset_items(self) -> None:
        self.canvas.clear()
        self.images = []

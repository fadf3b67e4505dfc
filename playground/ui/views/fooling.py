"""Fooling images: for one network, the image grown from noise for each class and the
confidence the network gives it; beside them the confidence along the ascent, per class."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import (MEAN, class_traces, confidence_text, final_arrays, grey_rgb, image_side,
                                        tile_origin, tile_rgb)
from playground.ui.views.base import PlotView, members_of, sync_combo
from playground.ui.views.image_grid import ImageGrid
from playground.ui.widgets import style

COLUMNS = 5
ROW_GAP = 5  # two lines of caption: the class and its confidence


class FoolingView(PlotView):
    title = "Fooling images"
    key = "fooling"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member = self.add_combo("Images of", ["member 0"], "whose fooling images to show")
        self.finish_toolbar()
        self.image_plot = self.canvas.addPlot(row=0, col=0)
        self.trace_plot = self.canvas.addPlot(row=1, col=0)
        self.canvas.ci.layout.setRowStretchFactor(0, 3)
        self.canvas.ci.layout.setRowStretchFactor(1, 2)
        self.grid = ImageGrid(self.image_plot)
        style.set_title(self.image_plot, "Fooling images")
        style.style_plot(self.trace_plot, "Confidence along the ascent", "step", "p(class | image)", y_units="%")
        self.trace_plot.setYRange(0, 100, padding=0.02)
        self.traces: list[pg.PlotDataItem] = []

    def has_data(self, history: History) -> bool:
        return history.has("fooling") or "fooling_images" in final_arrays(history.live)

    def empty_message(self, history):
        return ("Fooling images: open the lesson \"Fooling images\" and press Run. At the end, for every class, "
                "an image of random noise is changed step by step until the network is sure it shows that class.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("fooling"), history.live_revision, self.member.currentIndex())

    def data_items(self):
        return [*self.traces, *self.grid.data_items()]

    def reset_items(self) -> None:
        super().reset_items()
        self.grid.clear()

    def draw(self, history: History) -> None:
        sync_combo(self.member, [f"member {k}" for k in range(members_of(history))])
        member = max(self.member.currentIndex(), 0)
        self._draw_images(history, member)
        self._draw_traces(history)

    def _draw_images(self, history: History, member: int) -> None:
        arrays = final_arrays(history.live)
        images = arrays.get("fooling_images")
        side = image_side(np.shape(images)[-1]) if images is not None and np.ndim(images) == 3 else None
        if side is None:
            self.grid.clear()
            style.set_title(self.image_plot, "(the images come at the end of the run; square images only)",
                            size=style.FONT_PT - 1, bold=False)
            return
        member = min(member, len(images) - 1)
        images = np.asarray(images[member], dtype=float)
        confidence = np.asarray(arrays.get("fooling_confidence", np.full((member + 1, len(images)), np.nan)))[member]
        shape = (side, side)
        mosaic = tile_rgb([grey_rgb(x.reshape(shape)) for x in images], COLUMNS, gap=2, row_gap=ROW_GAP)
        captions = []
        for c, p in enumerate(confidence):
            top, left = tile_origin(c, COLUMNS, shape, 2, ROW_GAP)
            captions.append((left + side / 2, top + side, f"{c}\n{confidence_text(float(p))}",
                             style.layer_colour(c), (0.5, 0)))
        self.grid.show(mosaic, captions, margins=(0.5, 0.5, 0.5, ROW_GAP))
        lowest = float(np.nanmin(confidence)) if np.isfinite(confidence).any() else float("nan")
        style.set_title(self.image_plot, f"Member {member}'s images (lowest confidence {confidence_text(lowest)})")

    def _draw_traces(self, history: History) -> None:
        for item in self.traces:
            self.trace_plot.removeItem(item)
        self.traces = []
        if not history.has("fooling"):
            return
        steps, classes, grid = class_traces(history.columns("fooling"), MEAN)
        for c, curve in zip(classes, grid):
            item = pg.PlotDataItem(steps, 100 * curve, pen=style.pen(style.layer_colour(int(c)), 2), name=f"class {c}")
            self.trace_plot.addItem(item)
            self.traces.append(item)
        # No legend: each line has its class's colour, as the image captions do.
        style.set_title(self.trace_plot, "Confidence along the ascent (mean; colour: class)")

"""Adversarial examples: accuracy against the attack's size eps, on each network's own
perturbations and on the other networks' (transfer), FGSM and PGD; beside it member 0's first
test images, perturbed at the lesson's example eps, and the perturbation itself."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from playground.ui.model.history import History
from playground.ui.model.series import (adversarial_curves, diverging_rgb, final_arrays, grey_rgb, image_side,
                                        last_epoch, tile_origin, tile_rgb)
from playground.ui.views.base import PlotView
from playground.ui.views.image_grid import ImageGrid
from playground.ui.widgets import style

ATTACK_COLOURS = {"fgsm": style.TRAIN, "pgd": style.TEST}
WRONG = "#d62728"
ROW_GAP = 4  # pixels between the image rows: room for the labels


class AdversarialView(PlotView):
    title = "Adversarial"
    key = "adversarial"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.finish_toolbar()
        # Stacked: the app's main area is narrower than it is tall beside the network and the lesson.
        self.acc_plot = self.canvas.addPlot(row=0, col=0)
        self.image_plot = self.canvas.addPlot(row=1, col=0)
        self.canvas.ci.layout.setRowStretchFactor(0, 3)
        self.canvas.ci.layout.setRowStretchFactor(1, 2)
        style.style_plot(self.acc_plot, "Accuracy under attack", "eps (largest change of a pixel in [0, 1])",
                         "test accuracy", y_units="%")
        self.acc_plot.setYRange(0, 100, padding=0.02)
        self.legend = style.legend(self.acc_plot, offset=(10, -10))  # bottom left: the curves fall to the right
        self.curves = {}
        for attack, colour in ATTACK_COLOURS.items():
            for kind, dashed in (("own", False), ("transferred", True)):
                name = f"{attack.upper()}, {'own gradient' if kind == 'own' else 'transferred'}"
                item = pg.PlotDataItem(pen=style.pen(colour, 3 if kind == "own" else 2, dashed=dashed), symbol="o",
                                       symbolSize=7, symbolBrush=colour if kind == "own" else None,
                                       symbolPen=pg.mkPen(colour, width=1.5), name=name)
                self.acc_plot.addItem(item)
                self.curves[attack, kind] = item
        self.grid = ImageGrid(self.image_plot)
        style.set_title(self.image_plot, "Perturbed images")

    def has_data(self, history: History) -> bool:
        return history.has("adversarial") or "adversarial_clean" in final_arrays(history.live)

    def empty_message(self, history):
        return ("Adversarial examples: open the lesson \"Adversarial examples\" and press Run. At the end every "
                "network attacks its test images (FGSM, PGD) and is scored on every network's perturbed images.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("adversarial"), history.live_revision)

    def data_items(self):
        return [*self.curves.values(), *self.grid.data_items()]

    def reset_items(self) -> None:
        super().reset_items()
        self.grid.clear()

    def draw(self, history: History) -> None:
        self._draw_accuracy(history)
        self._draw_images(history)

    def _draw_accuracy(self, history: History) -> None:
        if not history.has("adversarial"):
            for item in self.curves.values():
                item.setData([], [])
            return
        table = history.columns("adversarial")
        curves = adversarial_curves(table)
        for key, item in self.curves.items():
            eps, accuracy = curves.get(key, ([], []))
            item.setData(np.asarray(eps, dtype=float), 100 * np.asarray(accuracy, dtype=float))
        epoch = int(np.asarray(table["epoch"])[last_epoch(table)][0])
        style.set_title(self.acc_plot, f"Accuracy under attack (epoch {epoch})")

    def _draw_images(self, history: History) -> None:
        arrays = final_arrays(history.live)
        clean = arrays.get("adversarial_clean")
        side = image_side(np.shape(clean)[-1]) if clean is not None and np.ndim(clean) == 2 else None
        if side is None or len(clean) == 0:
            self.grid.clear()
            style.set_title(self.image_plot, "(the perturbed images come at the end of the run; square images only)",
                            size=style.FONT_PT - 1, bold=False)
            return
        perturbed = np.asarray(arrays["adversarial_perturbed"], dtype=float)
        clean = np.asarray(clean, dtype=float)
        eps = float(arrays.get("adversarial_eps", np.abs(perturbed - clean).max()))
        labels = np.asarray(arrays.get("adversarial_labels", np.full(len(clean), -1))).astype(int)
        before = np.asarray(arrays.get("adversarial_clean_predictions", labels)).astype(int)
        after = np.asarray(arrays.get("adversarial_predictions", labels)).astype(int)
        n = len(clean)
        shape = (side, side)
        tiles = ([grey_rgb(x.reshape(shape)) for x in clean] + [grey_rgb(x.reshape(shape)) for x in perturbed]
                 + [diverging_rgb((p - c).reshape(shape), eps) for p, c in zip(perturbed, clean)])
        mosaic = tile_rgb(tiles, n, gap=1, row_gap=ROW_GAP)
        captions = []
        for row, name, predicted in ((0, "original", before), (1, "perturbed", after), (2, "difference", None)):
            top, _ = tile_origin(row * n, n, shape, 1, ROW_GAP)
            captions.append((-0.5, top + side / 2, name, "k", (1, 0.5)))
            if predicted is None:
                continue
            for k in range(n):
                top, left = tile_origin(row * n + k, n, shape, 1, ROW_GAP)
                colour = "k" if predicted[k] == labels[k] else WRONG
                captions.append((left + side / 2, top + side, f"{predicted[k]}", colour, (0.5, 0)))
        captions.append((0, mosaic.shape[0] + 1, "numbers: the network's answers, red where wrong\n"
                         "difference: red = darker, blue = lighter", "#555", (0, 0)))
        self.grid.show(mosaic, captions, margins=(1.6 * side, 0.5, 0.5, side))
        fooled = int(np.sum((after != labels) & (before == labels)))
        style.set_title(self.image_plot, f"Member 0, eps {eps:g}: {fooled} of {n} answers changed")

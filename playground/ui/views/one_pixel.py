"""The one-pixel attack: the share of correctly classified test images one changed pixel
fools, and examples: each image as it was, and with the pixel changed (outlined) and the
network's new answer."""

from __future__ import annotations

import numpy as np

from playground.ui.model.history import History
from playground.ui.model.series import (changed_image, final_arrays, grey_rgb, image_side, member_rows,
                                        tile_origin, tile_rgb)
from playground.ui.views.base import PlotView, members_of, sync_combo
from playground.ui.views.image_grid import ImageGrid
from playground.ui.widgets import style

ROW_GAP = 4
COLUMNS = 4  # examples side by side (the view is about as tall as it is wide)
WRONG = "#d62728"


class OnePixelView(PlotView):
    title = "One pixel"
    key = "one_pixel"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.member = self.add_combo("Examples of", ["member 0"], "whose fooled images to show")
        self.finish_toolbar()
        self.image_plot = self.canvas.addPlot(row=0, col=0)
        self.grid = ImageGrid(self.image_plot)
        style.set_title(self.image_plot, "One-pixel attack")

    def has_data(self, history: History) -> bool:
        return history.has("one_pixel")

    def empty_message(self, history):
        return ("One pixel: open the lesson \"The one-pixel attack\" and press Run. At the end every pixel of every "
                "correctly classified test image is set in turn to black and to white, and the answers read again.")

    def redraw_key(self, history: History):
        return (id(history), history.revision_of("one_pixel"), history.revision_of("one_pixel_examples"),
                history.live_revision, self.member.currentIndex())

    def data_items(self):
        return self.grid.data_items()

    def reset_items(self) -> None:
        self.grid.clear()

    def draw(self, history: History) -> None:
        sync_combo(self.member, [f"member {k}" for k in range(members_of(history))])
        member = max(self.member.currentIndex(), 0)
        totals = history.columns("one_pixel")
        fooled, total = np.asarray(totals["fooled"], dtype=float), np.asarray(totals["total"], dtype=float)
        share = fooled.sum() / max(total.sum(), 1)
        style.set_title(self.image_plot, f"One pixel fools {100 * share:.0f}% of the correct answers")
        mine = np.flatnonzero(np.asarray(totals["member"]) == member)
        counts = f"member {member}: {fooled[mine[0]]:.0f} of {total[mine[0]]:.0f} fooled. " if len(mine) else ""
        self.footnote = f"{counts}\nOutlined: the pixel set to black or white;\nnumbers: the network's answers."
        images = final_arrays(history.live).get("one_pixel_images")
        examples = history.columns("one_pixel_examples")
        side = image_side(np.shape(images)[-1]) if images is not None and np.ndim(images) == 2 else None
        if side is None or not examples or len(images) != len(examples["member"]):
            self.grid.clear()
            return
        rows = member_rows(examples, member)
        if len(rows) == 0:
            self.grid.clear()
            return
        self._draw_examples(examples, images, rows, side)

    def _draw_examples(self, examples, images, rows, side: int) -> None:
        """Blocks of up to COLUMNS examples: a row as they were, beneath it the same changed."""
        shape = (side, side)
        n = len(rows)
        columns = min(COLUMNS, n)
        blocks = -(-n // columns)
        pixel = np.asarray(examples["pixel"]).astype(int)[rows]
        value = np.asarray(examples["value"], dtype=float)[rows]
        old, new = (np.asarray(examples[k]).astype(int)[rows] for k in ("old_label", "new_label"))
        blank = np.full((side, side, 3), 255, dtype=np.uint8)
        tiles = [blank] * (2 * blocks * columns)
        captions, markers = [], []
        for k, index in enumerate(rows):
            block, j = divmod(k, columns)
            before, after = 2 * block * columns + j, (2 * block + 1) * columns + j
            original = np.asarray(images[index], dtype=float)
            tiles[before] = grey_rgb(original.reshape(shape))
            tiles[after] = grey_rgb(changed_image(original, pixel[k], value[k]).reshape(shape))
            top, left = tile_origin(before, columns, shape, 2, ROW_GAP)
            captions.append((left + side / 2, top + side, f"{old[k]}", "k", (0.5, 0)))
            top, left = tile_origin(after, columns, shape, 2, ROW_GAP)
            captions.append((left + side / 2, top + side, f"→ {new[k]}", WRONG, (0.5, 0)))
            markers.append((left + pixel[k] % side + 0.5, top + pixel[k] // side + 0.5))
        mosaic = tile_rgb(tiles, columns, gap=2, row_gap=ROW_GAP)
        for block in range(blocks):
            for row, name in ((2 * block, "before"), (2 * block + 1, "after")):
                top, _ = tile_origin(row * columns, columns, shape, 2, ROW_GAP)
                captions.append((-0.5, top + side / 2, name, "k", (1, 0.5)))
        captions.append((0, mosaic.shape[0] + ROW_GAP, self.footnote, "#555", (0, 0)))
        self.grid.show(mosaic, captions, np.array(markers), margins=(1.2 * side, 0.5, 0.5, ROW_GAP + side))

"""The layout of the network drawing, without Qt: whether to draw units and links or weight
matrices, where each layer's matrix goes, how a wide matrix is shrunk to a few cells, and where
each caption goes so that no two overlap, whatever the depth and width.

Small nets (every layer at most `DETAIL_UNITS` units, at most `DETAIL_COLUMNS` columns) are drawn
as TensorFlow Playground draws them: a dot per unit, a line per weight. Larger ones as a row of
heatmaps, one per weight matrix (rows: the units it feeds, columns: its inputs), between thin
bars for the layers' units: a 50-layer net reads as 50 columns at any width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

DETAIL_UNITS = 16
DETAIL_COLUMNS = 10  # input, up to 8 hidden layers, output
MAX_CELLS = 64  # a drawn matrix has at most this many cells a side
CELL_PX = 3  # and none narrower than this: finer stripes only blur the columns together
BAR = 0.1  # width of a layer's bar, in columns
TILE_GAP = 0.12  # between a bar and a matrix, in columns
MIN_HEIGHT = 0.3  # a 1-unit layer's bar, as a share of the widest layer's
CAPTION_GAP_PX = 8  # between two captions on one row
BARS_FROM_PX = 16  # columns narrower than this drop the layers' bars: white gaps part them instead
GAP_PX = 2  # at least this much white either side of a matrix


def detailed(sizes: Sequence[int]) -> bool:
    """True when the net is small enough to draw every unit and link."""
    return len(sizes) <= DETAIL_COLUMNS and max(sizes) <= DETAIL_UNITS


def column_heights(sizes: Sequence[int]) -> np.ndarray:
    """Each layer's bar height (the widest is 1), growing with the log of its width, so 2, 64
    and 4096 units all read as different and none dwarfs the rest."""
    logs = np.log2(np.maximum(np.asarray(sizes, dtype=float), 1.0))
    top = logs.max() if len(logs) else 0.0
    if top <= 0:
        return np.ones(len(logs))
    return MIN_HEIGHT + (1 - MIN_HEIGHT) * logs / top


def bar_width(column_px: float | None = None) -> float:
    """The width of a layer's bar (columns), 0 where columns are too narrow to show one."""
    return BAR if column_px is None or column_px >= BARS_FROM_PX else 0.0


def tile_rects(sizes: Sequence[int], column_px: float | None = None) -> list[tuple[float, float, float, float]]:
    """(x, y, width, height) of each weight matrix's heatmap: between the bars of layers l and
    l + 1, as tall as layer l + 1's bar (its rows are layer l + 1's units, top to bottom), with
    at least GAP_PX of white either side when `column_px` (a column's width in pixels) is known."""
    heights = column_heights(sizes)
    bar = bar_width(column_px)
    gap = TILE_GAP if column_px is None else max(TILE_GAP, GAP_PX / max(column_px, 1e-9))
    width = max(1 - bar - 2 * gap, 0.05)
    rects = []
    for layer in range(len(sizes) - 1):
        h = float(heights[layer + 1])
        rects.append((layer + bar / 2 + gap, -h / 2, width, h))
    return rects


def frame_segments(rects: Sequence[tuple[float, float, float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """The outlines of `rects` as pairs of points (x, y), four sides each, for one line item."""
    xs, ys = [], []
    for x, y, w, h in rects:
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
        for (ax, ay), (bx, by) in zip(corners, corners[1:]):
            xs += [ax, bx]
            ys += [ay, by]
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def cells_across(px: float, cell_px: float = CELL_PX, most: int = MAX_CELLS) -> int:
    """How many cells fit across `px` pixels (at least 1)."""
    return int(min(max(px // cell_px, 1), most))


def block_extremes(w: np.ndarray, max_rows: int = MAX_CELLS, max_cols: int = MAX_CELLS) -> np.ndarray:
    """`w` shrunk to at most max_rows x max_cols cells, each the entry of largest magnitude of its
    block, sign kept (a mean would cancel random signs to grey; the extreme shows structure)."""
    w = np.asarray(w)
    rows, cols = w.shape
    if w.size == 0 or (rows <= max_rows and cols <= max_cols):
        return np.nan_to_num(w.astype(float))
    r_starts = (np.arange(min(rows, max_rows)) * rows) // min(rows, max_rows)
    c_starts = (np.arange(min(cols, max_cols)) * cols) // min(cols, max_cols)
    # fmax / fmin pass over NaN; the contiguous axis first is ten times faster on a large matrix.
    axes = ((1, c_starts), (0, r_starts)) if w.strides[1] <= w.strides[0] else ((0, r_starts), (1, c_starts))
    high, low = w, w
    for axis, starts in axes:
        high = np.fmax.reduceat(high, starts, axis=axis)
        low = np.fmin.reduceat(low, starts, axis=axis)
    high, low = np.nan_to_num(high.astype(float)), np.nan_to_num(low.astype(float))
    return np.where(high >= -low, high, low)


def weight_scale(matrices: Sequence[np.ndarray]) -> float:
    """A colour scale for these matrices: the 99th percentile of |w| (one outlier does not pale
    the rest)."""
    values = np.concatenate([np.abs(np.nan_to_num(m)).ravel() for m in matrices]) if matrices else np.zeros(0)
    scale = float(np.percentile(values, 99)) if values.size else 1.0
    return scale if scale > 0 else 1.0


def sign_rgba(values: np.ndarray, scale: float, positive: Sequence[int], negative: Sequence[int]) -> np.ndarray:
    """Values -> RGBA bytes on a diverging scale: white at 0, `positive` / `negative` (RGB) at
    +-scale and beyond."""
    values = np.nan_to_num(np.asarray(values, dtype=float))
    strength = np.clip(np.abs(values) / scale, 0, 1)[..., None] ** 0.7
    colour = np.where(values[..., None] >= 0, np.asarray(positive, float)[:3], np.asarray(negative, float)[:3])
    rgb = 255.0 * (1 - strength) + colour * strength
    alpha = np.full(values.shape + (1,), 255.0)
    return np.concatenate([rgb, alpha], axis=-1).round().astype(np.uint8)


def layer_names(sizes: Sequence[int], activations: Sequence[str], hinge: bool = False) -> list[str]:
    """What each column is: the input, each hidden layer's nonlinearity, the output."""
    hidden = len(sizes) - 2
    names = list(activations)[:hidden] + [""] * max(hidden - len(activations), 0)
    return ["input", *names, "score" if hinge else "softmax"]


# ---------------------------------------------------------------- captions


@dataclass(frozen=True)
class Caption:
    text: str  # lines separated by "\n"
    centre: float  # pixels from the plot's left edge
    width: float  # pixels
    row: int  # 0: the top row; 1: the row below it
    first: int  # the columns it names, first..last
    last: int

    @property
    def left(self) -> float:
        return self.centre - self.width / 2

    @property
    def right(self) -> float:
        return self.centre + self.width / 2


def overlapping(captions: Sequence[Caption], gap: float = 0.0) -> list[tuple[Caption, Caption]]:
    """Pairs of captions on one row closer than `gap` pixels (none, in any layout made here)."""
    pairs = []
    for row in {c.row for c in captions}:
        on_row = sorted((c for c in captions if c.row == row), key=lambda c: c.centre)
        pairs += [(a, b) for a, b in zip(on_row, on_row[1:]) if b.left - a.right < gap - 1e-6]
    return pairs


def _runs(names: Sequence[str], sizes: Sequence[int]) -> list[tuple[int, int]]:
    """Columns grouped: the input and the output alone, each run of identical hidden layers
    (same nonlinearity and width) together."""
    runs: list[tuple[int, int]] = [(0, 0)]
    last = len(sizes) - 1
    for column in range(1, last):
        start = runs[-1][0]
        if start != 0 and names[column] == names[start] and sizes[column] == sizes[start]:
            runs[-1] = (start, column)
        else:
            runs.append((column, column))
    if last > 0:
        runs.append((last, last))
    return runs


def _text(names, sizes, first: int, last: int) -> str:
    name = names[first] or "layer"
    if first == last:
        return f"{name}\n{sizes[first]}"
    return f"{last - first + 1} × {name}\n{sizes[first]} each"


def _place(runs, names, sizes, centres, plot_px, text_width, stagger: bool) -> list[Caption]:
    captions = []
    for index, (first, last) in enumerate(runs):
        text = _text(names, sizes, first, last)
        width = text_width(text)
        centre = (centres[first] + centres[last]) / 2
        # Kept inside the plot: a caption at the edge is moved in, never cut.
        centre = min(max(centre, width / 2), max(plot_px - width / 2, width / 2))
        captions.append(Caption(text, centre, width, index % 2 if stagger else 0, first, last))
    return captions


def caption_layout(names: Sequence[str], sizes: Sequence[int], centres: Sequence[float], plot_px: float,
                   text_width: Callable[[str], float], gap: float = CAPTION_GAP_PX) -> list[Caption]:
    """One caption per column ("tanh" over "64") where they fit side by side, else staggered on
    two rows, else one caption per run of identical layers ("50 × tanh" over "64 each"), else
    the most telling of those that fit (input, output, the longest runs). `centres` are the
    columns' x in pixels, `text_width(text)` a caption's width in pixels. No two captions on a
    row come closer than `gap` pixels."""
    singles = [(c, c) for c in range(len(sizes))]
    grouped = _runs(names, sizes)
    for runs, stagger in ((singles, False), (singles, True), (grouped, False), (grouped, True)):
        captions = _place(runs, names, sizes, centres, plot_px, text_width, stagger)
        if not overlapping(captions, gap) and all(c.width <= plot_px for c in captions):
            return captions
    # Nothing fits whole: keep the most telling captions that do not touch.
    captions = _place(grouped, names, sizes, centres, plot_px, text_width, False)
    last = len(sizes) - 1
    order = sorted(range(len(captions)), key=lambda i: (
        captions[i].first not in (0, last), -(captions[i].last - captions[i].first), i))
    kept: list[Caption] = []
    for i in order:
        candidate = captions[i]
        if candidate.width > plot_px:
            continue
        if all(candidate.left >= k.right + gap or candidate.right <= k.left - gap for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda c: c.first)


def caption_rows(captions: Sequence[Caption]) -> int:
    return 1 + max((c.row for c in captions), default=0)


def x_range(columns: int, plot_px: float, left_px: float = 0.0, pad: float = 0.5) -> tuple[float, float]:
    """The x range (column units) that shows `columns` columns (0 .. columns - 1) with `pad`
    around them and `left_px` pixels free left of the first (for input names): the room left of
    column 0 is solved for, as it is itself a share of the range."""
    span = columns - 1 + 2 * pad
    left_px = min(max(left_px, 0.0), plot_px / 3) if plot_px > 0 else 0.0
    if plot_px <= 0 or left_px <= 0:
        return -pad, columns - 1 + pad
    total = span / (1 - left_px / plot_px)
    return -pad - (total - span), columns - 1 + pad


def y_range(content_low: float, content_high: float, plot_px: float, caption_px: float,
            pad: float = 0.04) -> tuple[float, float]:
    """The y range that shows the drawing from `content_low` to `content_high` with `caption_px`
    pixels above it for the captions (at most half the plot)."""
    span = (content_high - content_low) * (1 + 2 * pad)
    low = content_low - (content_high - content_low) * pad
    caption_px = min(max(caption_px, 0.0), plot_px / 2) if plot_px > 0 else 0.0
    total = span / (1 - caption_px / plot_px) if plot_px > 0 else span
    return low, low + total


def columns_px(columns: int, x_lo: float, x_hi: float, plot_px: float) -> np.ndarray:
    """The pixel x of each column's centre for an x range."""
    return (np.arange(columns) - x_lo) / (x_hi - x_lo) * plot_px


def elide(text: str, max_px: float, text_width: Callable[[str], float], mark: str = "…") -> str:
    """`text` shortened in the middle to fit `max_px` ("length_cm" -> "len…cm"), whole if it fits."""
    if text_width(text) <= max_px:
        return text
    for keep in range(len(text) - 1, 0, -1):
        head = math.ceil(keep / 2)
        candidate = text[:head] + mark + text[len(text) - (keep - head):] if keep - head else text[:head] + mark
        if text_width(candidate) <= max_px:
            return candidate
    return mark

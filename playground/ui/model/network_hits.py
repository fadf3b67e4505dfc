"""Where things are in the detailed network drawing, without Qt: the input column (one row per
available input feature, the unused ones dimmed), the drawn links with the weight each one is,
the squares of the units' heatmaps, and what a click at a point hits.

Coordinates are the plot's: layer l's units sit at x = l, one unit apart in y. Hit tests take
the plot's pixels per unit of x and of y, so a tolerance is in pixels whatever the zoom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from playground.core.base.errors import ConfigError
from playground.core.tasks import get_task
from playground.core.tasks.features import NAMES

HEATMAP_MAX_PX = 56  # a unit's heatmap is at most this many pixels a side
HEATMAP_MIN_PX = 10  # below this, units are drawn as dots
LINK_TOLERANCE_PX = 4.0


@dataclass(frozen=True)
class InputRow:
    name: str
    index: int | None  # which network input this row is; None: a feature not in use (dimmed)

    @property
    def active(self) -> bool:
        return self.index is not None


def input_rows(active: Sequence[str], toggleable: bool) -> list[InputRow]:
    """The input column. With toggleable features (the 2-D tasks), every available feature in
    TensorFlow Playground's order, each marked with the network input it is, if any; otherwise
    just the network's inputs."""
    active = list(active)
    if not toggleable:
        return [InputRow(name, k) for k, name in enumerate(active)]
    extra = [name for name in active if name not in NAMES]  # never for a validated config
    return [InputRow(name, active.index(name) if name in active else None) for name in (*NAMES, *extra)]


def toggled_features(active: Sequence[str], name: str) -> tuple[str, ...]:
    """The features after a click on `name`: dropped if in use, else added (in TensorFlow
    Playground's order; the network is rebuilt either way). Dropping the last one gives ()
    for the config's check to refuse with its reason."""
    if name in active:
        return tuple(n for n in active if n != name)
    wanted = set(active) | {name}
    return tuple(n for n in NAMES if n in wanted) + tuple(n for n in active if n not in NAMES)


def row_positions(count: int) -> np.ndarray:
    """y of `count` drawn units, top to bottom, centred on 0, one unit apart."""
    return np.arange(count, dtype=float)[::-1] - (count - 1) / 2


def network_input_positions(rows: Sequence[InputRow]) -> np.ndarray:
    """y of each network input (by its index), from the rows that show them."""
    ys = row_positions(len(rows))
    inputs = sorted((row.index, y) for row, y in zip(rows, ys) if row.index is not None)
    return np.array([y for _, y in inputs], dtype=float)


@dataclass
class DrawnLinks:
    """The drawn links: point pairs x, y (2K,), and per link its weight and which one it is."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray  # (K,)
    layer: np.ndarray  # (K,) the weight matrix, 0-based (the trainer's layer is layer + 1)
    source: np.ndarray  # (K,) unit of layer `layer`
    target: np.ndarray  # (K,) unit of layer `layer + 1`

    def __len__(self) -> int:
        return len(self.weight)


def drawn_links(weights: Sequence[np.ndarray], positions: Sequence[np.ndarray], max_links: int) -> DrawnLinks:
    """Of each layer's links between drawn units, the `max_links` largest in magnitude.
    `positions[l]` are the y of layer l's drawn units, by unit index."""
    parts: list[tuple[np.ndarray, ...]] = []
    for layer, w in enumerate(weights):
        start, end = positions[layer], positions[layer + 1]
        w = np.asarray(w)[: len(start), : len(end)]
        i, j = np.meshgrid(np.arange(w.shape[0]), np.arange(w.shape[1]), indexing="ij")
        i, j = i.ravel(), j.ravel()
        if len(i) > max_links:
            strongest = np.argsort(-np.abs(np.nan_to_num(w[i, j])), kind="stable")[:max_links]
            i, j = i[strongest], j[strongest]
        x = np.empty(2 * len(i))
        y = np.empty(2 * len(i))
        x[0::2], x[1::2] = layer, layer + 1
        y[0::2], y[1::2] = start[i], end[j]
        parts.append((x, y, w[i, j].astype(float), np.full(len(i), layer), i, j))
    if not parts:
        empty = np.zeros(0)
        return DrawnLinks(empty, empty, empty, empty.astype(int), empty.astype(int), empty.astype(int))
    return DrawnLinks(*(np.concatenate(column) for column in zip(*parts)))


def heatmap_px(px_per_column: float, px_per_row: float) -> float:
    """A unit heatmap's side in pixels for this drawing's scale; 0 where too small to read."""
    side = min(0.55 * px_per_column, 0.82 * px_per_row, HEATMAP_MAX_PX)
    return float(side) if side >= HEATMAP_MIN_PX else 0.0


def unit_at(columns: Sequence[np.ndarray], x: float, y: float, half_width: float, half_height: float
            ) -> tuple[int, int] | None:
    """(layer, unit) of the drawn unit whose box (half sizes in plot units) holds (x, y)."""
    layer = int(round(x))
    if not 0 <= layer < len(columns) or abs(x - layer) > half_width:
        return None
    ys = np.asarray(columns[layer])
    if not len(ys):
        return None
    nearest = int(np.argmin(np.abs(ys - y)))
    return (layer, nearest) if abs(ys[nearest] - y) <= half_height else None


def link_at(links: DrawnLinks, x: float, y: float, px_x: float, px_y: float,
            tolerance_px: float = LINK_TOLERANCE_PX) -> int | None:
    """The index of the drawn link nearest (x, y) within `tolerance_px` pixels, or None."""
    if not len(links):
        return None
    ax, bx = links.x[0::2] * px_x, links.x[1::2] * px_x
    ay, by = links.y[0::2] * px_y, links.y[1::2] * px_y
    px, py = x * px_x, y * px_y
    dx, dy = bx - ax, by - ay
    length2 = np.maximum(dx * dx + dy * dy, 1e-12)
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
    distance = np.hypot(ax + t * dx - px, ay + t * dy - py)
    best = int(np.argmin(distance))
    return best if distance[best] <= tolerance_px else None


def rect_at(rects: Sequence[tuple[float, float, float, float]], x: float, y: float) -> int | None:
    """The index of the first (x, y, width, height) rectangle holding the point."""
    for index, (left, bottom, width, height) in enumerate(rects):
        if left <= x <= left + width and bottom <= y <= bottom + height:
            return index
    return None


def strip_rects(columns: int, counts: Sequence[int], top: float, height: float, px_x: float, px_y: float,
                gap_px: float = 3.0, most_px: float = 40.0) -> list[list[tuple[float, float, float, float]]]:
    """Heatmap squares for a large drawing: under each column, its first units' heatmaps stacked
    down from `top` within `height` (plot units), as large as fits (none where under 6 px)."""
    if columns == 0 or height <= 0:
        return [[] for _ in range(columns)]
    deepest = max(max(counts, default=0), 1)
    side_px = min(0.8 * px_x, (height * px_y - gap_px * deepest) / deepest, most_px)
    if side_px < 6:
        return [[] for _ in range(columns)]
    width, side_y, gap_y = side_px / px_x, side_px / px_y, gap_px / px_y
    return [[(column - width / 2, top - (k + 1) * side_y - k * gap_y, width, side_y) for k in range(count)]
            for column, count in zip(range(columns), counts)]


@dataclass(frozen=True)
class LinkChoice:
    """A clicked link: the weight it draws, as Trainer.set_weight names it."""

    member: int
    layer: int  # 1-based, as the trainer, the tables and changes.csv count
    source: int
    target: int
    value: float
    source_name: str
    target_name: str

    def describe(self) -> str:
        return f"layer {self.layer}: {self.source_name} → {self.target_name} (member {self.member})"


def unit_name(column: int, unit: int, columns: int, feature_names: Sequence[str]) -> str:
    """How a unit is named in the drawing's messages."""
    if column == 0:
        return feature_names[unit] if unit < len(feature_names) else f"input {unit + 1}"
    if column == columns - 1:
        return f"output {unit}"
    return f"unit {unit + 1} of layer {column}"


def features_toggleable(config) -> bool:
    """Whether the config's task takes input features (task.features: the 2-D tasks)."""
    if config is None or config.continual.tasks > 1:
        return False
    try:
        spec = get_task(config.task.name)
    except ConfigError:
        return False
    return any(option.name == "features" for option in spec.options)


def is_regression(config) -> bool:
    """Whether the config's task has a numeric target (one linear output unit)."""
    if config is None:
        return False
    try:
        return bool(get_task(config.task.name).regression(config.task.params))
    except ConfigError:
        return False

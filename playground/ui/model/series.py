"""Plain-numpy reshaping of run tables into what plots draw (no Qt; tested on its own)."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

MEAN = -1  # "member" choice meaning the ensemble mean


def group_mean(keys: list[np.ndarray], values: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Mean of `values` over rows sharing the same key tuple; keys come back sorted."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return [np.asarray(k)[:0] for k in keys], values
    inverse, unique = _group_index([np.asarray(k) for k in keys])
    sums = np.bincount(inverse, weights=values, minlength=len(unique[0]))
    counts = np.bincount(inverse, minlength=len(unique[0]))
    return unique, sums / counts


def _group_index(keys: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group number of each row and the distinct key tuples in sorted order. Whole-number keys
    are folded into one int64 (a 1-D unique is far faster than a row-wise one)."""
    if all(k.dtype.kind in "iub" for k in keys):
        lows = [int(k.min()) for k in keys]
        spans = [int(k.max()) - low + 1 for k, low in zip(keys, lows)]
        if float(np.prod([float(s) for s in spans])) < 2**62:
            combined = np.zeros(len(keys[0]), dtype=np.int64)
            for k, low, span in zip(keys, lows, spans):
                combined = combined * span + (k.astype(np.int64) - low)
            codes, inverse = np.unique(combined, return_inverse=True)
            unique = []
            for low, span in zip(reversed(lows), reversed(spans)):
                unique.append(codes % span + low)
                codes = codes // span
            return inverse.reshape(-1), unique[::-1]
    stacked = np.stack([k.astype(float) for k in keys], axis=1)
    rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return inverse.reshape(-1), [rows[:, i] for i in range(rows.shape[1])]


def select(table: Mapping[str, np.ndarray], **equal) -> np.ndarray:
    """Boolean mask of the rows whose columns equal the given values."""
    n = len(next(iter(table.values()))) if table else 0
    mask = np.ones(n, dtype=bool)
    for name, value in equal.items():
        mask &= table[name] == value
    return mask


def mean_curve(epoch: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean over members at each epoch, in epoch order."""
    (epochs,), means = group_mean([epoch], values)
    return epochs, means


def member_curves(epoch: np.ndarray, member: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every member's curve joined into one polyline: x, y and a `connect` mask that breaks
    the line between members (one plot item draws a whole ensemble)."""
    order = np.lexsort((epoch, member))
    x = np.asarray(epoch, dtype=float)[order]
    y = np.asarray(values, dtype=float)[order]
    m = np.asarray(member)[order]
    connect = np.ones(len(x), dtype=bool)
    if len(x):
        connect[:-1] = m[1:] == m[:-1]
        connect[-1] = False
    return x, y, connect


def finite_positive(x: np.ndarray, y: np.ndarray, log_x: bool = False, log_y: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Drop points a (log-)plot cannot show: non-finite, or <= 0 on a log axis."""
    keep = np.isfinite(x) & np.isfinite(y)
    if log_x:
        keep &= x > 0
    if log_y:
        keep &= y > 0
    return x[keep], y[keep]


def log_floor(*arrays: np.ndarray) -> float | None:
    """Where a log plot draws its zeros (it cannot draw 0 itself): one decade below the decade of
    the smallest positive value of all the arrays (1e-3 when none is positive); None when no array
    holds a zero. A hinge loss that reaches 0 stays on the plot, at its floor."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays]) if arrays else np.zeros(0)
    values = values[np.isfinite(values)]
    if not (values == 0).any():
        return None
    positive = values[values > 0]
    if len(positive) == 0:
        return 1e-3
    return float(10.0 ** (np.floor(np.log10(positive.min())) - 1))


def floored(x: np.ndarray, y: np.ndarray, floor: float | None) -> tuple[np.ndarray, np.ndarray]:
    """The points a log-y plot shows: zeros raised to `floor` (see `log_floor`), negative and
    non-finite values left out."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if floor is not None:
        y = np.where(y == 0, floor, y)
    return finite_positive(x, y, log_y=True)


def drift_to_diffusion_epoch(epochs: np.ndarray, snr: np.ndarray, threshold: float = 1.0) -> float | None:
    """The first epoch at which the signal-to-noise ratio of the gradients falls below
    `threshold` after having been at or above it: the end of the drift phase (high SNR,
    mean gradient dominates) and the start of the diffusion phase (noise dominates).
    None when the curve never crosses downwards."""
    epochs = np.asarray(epochs, dtype=float)
    snr = np.asarray(snr, dtype=float)
    keep = np.isfinite(snr)
    epochs, snr = epochs[keep], snr[keep]
    if len(snr) < 2:
        return None
    order = np.argsort(epochs)
    epochs, snr = epochs[order], snr[order]
    above = snr >= threshold
    if not above.any():
        return None
    first_above = int(np.argmax(above))
    below_after = np.flatnonzero(~above[first_above:])
    if len(below_after) == 0:
        return None
    return float(epochs[first_above + below_after[0]])


def task_boundaries(epochs_per_task: int, tasks: int) -> list[int]:
    """Epochs at which one task ends and the next begins."""
    if epochs_per_task <= 0 or tasks < 2:
        return []
    return [epochs_per_task * t for t in range(1, tasks)]


def accuracy_matrix(after_task: np.ndarray, task: np.ndarray, accuracy: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean accuracy (over members) as a grid: rows = after training task r, columns = task
    evaluated c, for the task numbers as they appear (1-based in run files). NaN where a cell
    has no value. Returns (grid, row task numbers, column task numbers)."""
    after_task = np.asarray(after_task, dtype=int)
    task = np.asarray(task, dtype=int)
    if len(after_task) == 0:
        return np.zeros((0, 0)), after_task[:0], task[:0]
    numbers = np.union1d(after_task, task)
    numbers = np.arange(numbers.min(), numbers.max() + 1)
    (rows, cols), means = group_mean([after_task, task], accuracy)
    grid = np.full((len(numbers), len(numbers)), np.nan)
    grid[rows.astype(int) - numbers[0], cols.astype(int) - numbers[0]] = means
    return grid, numbers, numbers


# ------------------------------------------------------------ lessons 11-19 (issue 15)


def last_epoch(table: Mapping[str, np.ndarray]) -> np.ndarray:
    """Mask of the rows at the table's latest epoch (all rows when it has no epoch column)."""
    n = len(next(iter(table.values()))) if table else 0
    if "epoch" not in table or n == 0:
        return np.ones(n, dtype=bool)
    epoch = np.asarray(table["epoch"])
    return epoch == epoch.max()


def image_side(dim: int) -> int | None:
    """The side of a square image of `dim` pixels (8 for the 8x8 digits); None if not square."""
    side = int(round(np.sqrt(dim)))
    return side if side > 0 and side * side == dim else None


def grey_rgb(pixels: np.ndarray) -> np.ndarray:
    """Pixels in [0, 1] as RGB bytes, ink dark on white (1 -> black), as digits are printed."""
    grey = np.round(255 * (1 - np.clip(np.asarray(pixels, dtype=float), 0, 1)))
    return np.repeat(grey[..., None], 3, axis=-1).astype(np.uint8)


def diverging_rgb(values: np.ndarray, scale: float) -> np.ndarray:
    """Signed values as RGB bytes: white at 0, red up to +scale, blue down to -scale."""
    t = np.clip(np.asarray(values, dtype=float) / max(float(scale), 1e-12), -1, 1)
    up, down = np.clip(t, 0, 1), np.clip(-t, 0, 1)
    rgb = np.stack([1 - down, 1 - up - down, 1 - up], axis=-1)
    return np.round(255 * rgb).astype(np.uint8)


def tile_rgb(tiles: list[np.ndarray], columns: int, gap: int = 1, row_gap: int | None = None) -> np.ndarray:
    """RGB images (each (h, w, 3)) in rows of `columns`, `gap` white pixels between them side
    by side and `row_gap` (default `gap`) between rows, room for captions: one (H, W, 3)
    mosaic, row-major (tile k at row k // columns, column k % columns)."""
    if not tiles:
        return np.full((0, 0, 3), 255, dtype=np.uint8)
    h, w = tiles[0].shape[:2]
    row_gap = gap if row_gap is None else row_gap
    columns = max(1, min(columns, len(tiles)))
    rows = -(-len(tiles) // columns)
    out = np.full((rows * (h + row_gap) - row_gap, columns * (w + gap) - gap, 3), 255, dtype=np.uint8)
    for k, tile in enumerate(tiles):
        top, left = tile_origin(k, columns, (h, w), gap, row_gap)
        out[top: top + h, left: left + w] = tile
    return out


def tile_origin(k: int, columns: int, shape: tuple[int, int], gap: int = 1, row_gap: int | None = None) -> tuple[int, int]:
    """(top, left) pixel of tile k in `tile_rgb`'s mosaic."""
    h, w = shape
    row_gap = gap if row_gap is None else row_gap
    return (k // columns) * (h + row_gap), (k % columns) * (w + gap)


def final_arrays(live: Mapping[str, Any]) -> Mapping[str, np.ndarray]:
    """The lesson hooks' arrays of the run's end (final_state.npz, or the live run's last record)."""
    arrays = live.get("final_arrays")
    return arrays if isinstance(arrays, Mapping) else {}


def adversarial_curves(table: Mapping[str, np.ndarray]) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """At the latest epoch, accuracy against eps for each (attack, "own" | "transferred"): the
    mean over the scored members of their accuracy on their own perturbations (member ==
    source_member), or on the other members' (NaN cells, no unseen images, left out)."""
    rows = last_epoch(table)
    own = np.asarray(table["member"]) == np.asarray(table["source_member"])
    accuracy = np.asarray(table["accuracy"], dtype=float)
    curves = {}
    for attack in dict.fromkeys(str(a) for a in np.asarray(table["attack"])[rows]):
        for kind, pick in (("own", own), ("transferred", ~own)):
            keep = rows & pick & (np.asarray(table["attack"]).astype(str) == attack) & np.isfinite(accuracy)
            if keep.any():
                (eps,), means = group_mean([np.asarray(table["eps"], dtype=float)[keep]], accuracy[keep])
                curves[attack, kind] = (eps, means)
    return curves


def confidence_text(p: float) -> str:
    """A softmax confidence as a percentage that shows how close to certain it is."""
    if not np.isfinite(p):
        return "?"
    if p >= 0.9999:
        return ">99.99%"
    return f"{100 * p:.2f}%" if p >= 0.99 else f"{100 * p:.0f}%"


def class_traces(table: Mapping[str, np.ndarray], member: int = MEAN) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fooling table as curves: steps, classes, and confidence (classes, steps), the mean
    over members (or one member)."""
    rows = np.ones(len(table["step"]), dtype=bool) if member == MEAN else np.asarray(table["member"]) == member
    (classes, steps), means = group_mean([np.asarray(table["class"])[rows], np.asarray(table["step"])[rows]],
                                         np.asarray(table["confidence"], dtype=float)[rows])
    all_classes, all_steps = np.unique(classes), np.unique(steps)
    grid = np.full((len(all_classes), len(all_steps)), np.nan)
    grid[np.searchsorted(all_classes, classes), np.searchsorted(all_steps, steps)] = means
    return all_steps, all_classes, grid


def changed_image(image: np.ndarray, pixel: int, value: float) -> np.ndarray:
    """A copy of a flat image with one pixel set (the one-pixel attack's change)."""
    out = np.array(image, dtype=float)
    out[int(pixel)] = value
    return out


def member_rows(table: Mapping[str, np.ndarray], member: int) -> np.ndarray:
    """Indices of the rows of one member, in table order."""
    return np.flatnonzero(np.asarray(table["member"]) == member)


def remaining_position(sparsity: np.ndarray) -> np.ndarray:
    """Where a sparsity sits on an axis of the weights removed that spreads 90%, 95%, 98%
    apart: -log10 of the fraction remaining (0 = dense, 1 = 90% removed, 2 = 99%)."""
    remaining = 1 - np.asarray(sparsity, dtype=float)
    return -np.log10(np.clip(remaining, 1e-6, 1))


def pruning_curves(table: Mapping[str, np.ndarray]) -> tuple[float, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The dense accuracy (sparsity 0, mean over members; NaN if absent) and, per method in
    table order, accuracy against sparsity (mean over members, sparsities > 0)."""
    sparsity = np.asarray(table["sparsity"], dtype=float)
    method = np.asarray(table["method"]).astype(str)
    accuracy = np.asarray(table["accuracy"], dtype=float)
    dense_rows = sparsity == 0
    dense = float(accuracy[dense_rows].mean()) if dense_rows.any() else float("nan")
    curves = {}
    for name in dict.fromkeys(method[~dense_rows]):
        keep = (method == name) & ~dense_rows
        (s,), means = group_mean([sparsity[keep]], accuracy[keep])
        curves[name] = (s, means)
    return dense, curves


def plane_grid(table: Mapping[str, np.ndarray], member: int = MEAN) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss plane as a grid: a values, b values and loss[i, j] at (a_i, b_j), of one member
    or the mean over members (each member's plane has its own random directions). NaN where
    a cell is missing."""
    rows = np.ones(len(table["a"]), dtype=bool) if member == MEAN else np.asarray(table["member"]) == member
    a, b = np.asarray(table["a"], dtype=float)[rows], np.asarray(table["b"], dtype=float)[rows]
    (ga, gb), loss = group_mean([a, b], np.asarray(table["loss"], dtype=float)[rows])
    a_values, b_values = np.unique(ga), np.unique(gb)
    grid = np.full((len(a_values), len(b_values)), np.nan)
    grid[np.searchsorted(a_values, ga), np.searchsorted(b_values, gb)] = loss
    return a_values, b_values, grid


def contour_levels(grid: np.ndarray, count: int = 8) -> np.ndarray:
    """Levels evenly spaced in log(loss) between the grid's finite positive extremes (the basin
    is steep at the rim and flat near the minimum; log spacing shows both)."""
    values = np.asarray(grid, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0 or values.max() <= values.min():
        return np.zeros(0)
    return np.exp(np.linspace(np.log(values.min()), np.log(values.max()), count + 2)[1:-1])


def layer_curves(table: Mapping[str, np.ndarray], column: str, member: int = MEAN
                 ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per layer, `column` against epoch (mean over members, or one member)."""
    rows = np.ones(len(table["epoch"]), dtype=bool) if member == MEAN else np.asarray(table["member"]) == member
    layer = np.asarray(table["layer"]).astype(int)
    curves = {}
    for number in np.unique(layer[rows]):
        keep = rows & (layer == number)
        curves[int(number)] = mean_curve(np.asarray(table["epoch"])[keep], np.asarray(table[column], dtype=float)[keep])
    return curves


def layer_profile(table: Mapping[str, np.ndarray], column: str, epoch: int) -> tuple[np.ndarray, np.ndarray]:
    """`column` against layer at one epoch, the mean over members."""
    keep = np.asarray(table["epoch"]) == epoch
    (layers,), means = group_mean([np.asarray(table["layer"]).astype(int)[keep]], np.asarray(table[column], dtype=float)[keep])
    return layers, means


def numbered_columns(table: Mapping[str, Any], prefix: str) -> list[tuple[int, str]]:
    """The columns `<prefix><n>` of a sweep table (e.g. grad_norm_1 ... grad_norm_11) as
    (n, name), by n."""
    found = []
    for name in table:
        rest = name[len(prefix):] if name.startswith(prefix) else ""
        if rest.isdigit():
            found.append((int(rest), name))
    return sorted(found)


def sweep_profiles(table: Mapping[str, Any], prefix: str) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """From a sweep table, one profile over the numbered columns per swept value: the values in
    sweep order, the numbers n, and the mean over seeds (values, numbers) (NaNs left out)."""
    columns = numbered_columns(table, prefix)
    values = list(dict.fromkeys(str(v) for v in table.get("value", ())))
    means = np.full((len(values), len(columns)), np.nan)
    labels = np.array([str(v) for v in table.get("value", ())])
    for i, value in enumerate(values):
        for j, (_, name) in enumerate(columns):
            picked = np.asarray(table[name], dtype=float)[labels == value]
            picked = picked[np.isfinite(picked)]
            if picked.size:
                means[i, j] = picked.mean()
    return values, np.array([n for n, _ in columns], dtype=int), means


def sweep_points(table: Mapping[str, Any], column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A numeric sweep's `column` against the swept value: the distinct values (sorted), the
    mean over seeds at each (NaNs left out), and every seed's (value, column) pair."""
    x = np.asarray(table["value"], dtype=float)
    y = np.asarray(table[column], dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    (values,), means = group_mean([x[keep]], y[keep])
    return values, means, x[keep], y[keep]


def separation_scatter(live: Mapping[str, Any], layer: int) -> tuple[np.ndarray, np.ndarray] | None:
    """One layer's PCA scatter (N, 2) and the class labels (N,): from the live run
    (live["separation_pca"], a list per layer) or a reopened one (final_arrays
    separation_pca_<layer>); None when there is none for this layer."""
    labels = live.get("separation_labels")
    pca = live.get("separation_pca")
    points = pca[layer] if isinstance(pca, (list, tuple)) and 0 <= layer < len(pca) else None
    if points is None or labels is None:
        arrays = final_arrays(live)
        points, labels = arrays.get(f"separation_pca_{layer}"), arrays.get("separation_labels")
    if points is None or labels is None:
        return None
    return np.asarray(points, dtype=float), np.asarray(labels).astype(int)


def separation_layers(live: Mapping[str, Any]) -> int:
    """How many layers (the input included) have a PCA scatter."""
    pca = live.get("separation_pca")
    if isinstance(pca, (list, tuple)):
        return len(pca)
    return len(numbered_columns(final_arrays(live), "separation_pca_"))


def log_ticks(values: np.ndarray, most: int = 12) -> list[tuple[float, str]]:
    """Ticks for a log axis holding `values` (pyqtgraph's log mode places ticks at log10 of the
    value): 1, 2, 5 in every decade the values touch, or decades alone (every second, third,
    ... when there are many) when those would be more than `most`."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return []
    low, high = np.log10(values.min()), np.log10(values.max())
    decades = np.arange(np.floor(low), np.ceil(high) + 1)
    candidates = [m * 10.0 ** d for d in decades for m in (1, 2, 5)]
    inside = [v for v in candidates if low - 1e-9 <= np.log10(v) <= high + 1e-9]
    if not 2 <= len(inside) <= most:
        step = max(1, int(np.ceil(len(decades) / most)))
        inside = [10.0 ** d for d in decades[::step]]
    return [(float(np.log10(v)), f"{v:g}") for v in inside]

"""Plain-numpy reshaping of run tables into what plots draw (no Qt; tested on its own)."""

from __future__ import annotations

from typing import Mapping

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

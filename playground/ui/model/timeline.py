"""A run as it stood at an earlier epoch, for movies of a view: `truncated(history, epoch)` is
a History holding only what had been logged by then, `frame_epochs` picks the epochs of a
movie's frames. No Qt; the views redraw each frame from the truncated History as they would live.

Only the tables and the live snapshots over time (LIVE_SERIES) have a past: the other live data
(the network's weights, the decision boundary) is the latest state, kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.core.base.fileio import RunFileError
from playground.ui.model.history import History

# The accuracy matrix has no epoch column: a row is logged when its task's training ends.
TASK_END_TABLES = {"accuracy_matrix": "after_task"}
MAX_FPS = 60
MAX_SECONDS = 120
MAX_FRAMES = 1200


@dataclass(frozen=True)
class MovieLength:
    fps: int
    seconds: float

    @property
    def frames(self) -> int:
        return max(2, round(self.fps * self.seconds))


def check_length(fps, seconds) -> MovieLength:
    """The frame rate and length a user asked for, or RunFileError saying what is allowed."""
    try:
        fps, seconds = int(fps), float(seconds)
    except (TypeError, ValueError):
        raise RunFileError(f"animation: frame rate {fps!r} and length {seconds!r} must be numbers") from None
    if not 1 <= fps <= MAX_FPS:
        raise RunFileError(f"animation frame rate {fps}: choose 1 to {MAX_FPS} frames per second")
    if not 0 < seconds <= MAX_SECONDS:
        raise RunFileError(f"animation length {seconds:g} s: choose more than 0 and at most {MAX_SECONDS} s")
    length = MovieLength(fps, seconds)
    if length.frames > MAX_FRAMES:
        raise RunFileError(f"animation of {length.frames} frames: at most {MAX_FRAMES} (lower the rate or length)")
    return length


def logged_epochs(history: History) -> np.ndarray:
    """Every distinct epoch at which any table logged a row, in order."""
    found = [np.asarray(history.tables[name].column("epoch"), dtype=np.int64)
             for name in history.tables if history.tables[name].has("epoch")]
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def spread(epochs: np.ndarray, frames: int) -> np.ndarray:
    """`frames` of the (sorted) epochs spread evenly from the first to the last; all of them
    when there are no more than that."""
    epochs = np.asarray(epochs)
    if len(epochs) <= frames:
        return epochs
    return epochs[np.round(np.linspace(0, len(epochs) - 1, frames)).astype(int)]


def frame_epochs(history: History, frames: int) -> np.ndarray:
    """The epochs of a movie's frames: `frames` logged epochs from the first to the last (a frame
    per logged epoch when fewer were logged)."""
    return spread(logged_epochs(history), frames)


def epochs_per_task(history: History) -> int | None:
    config = history.config
    if config is None:
        return None
    return int(config.continual.epochs_per_task or config.train.epochs)


def truncated(history: History, epoch: int) -> History:
    """A new History of what `history` held at the end of `epoch` (the tables' rows up to it, the
    live snapshots up to it); `history` is left as it is."""
    past = History(history.max_rows)
    past.config, past.source = history.config, history.source
    per_task = epochs_per_task(history)
    for name, buffer in history.tables.items():
        table = buffer.as_table()
        if "epoch" in table:
            keep = np.asarray(table["epoch"]) <= epoch
        elif name in TASK_END_TABLES and per_task:
            keep = np.asarray(table[TASK_END_TABLES[name]]) * per_task <= epoch
        else:  # a table with no time in it: the whole of it
            keep = np.ones(buffer.rows, dtype=bool)
        if keep.any():
            past.table(name).append({column: values[keep] for column, values in table.items()})
    past.live = dict(history.live)
    for key, series in history.live_series.items():
        kept = [(e, value) for e, value in series if e <= epoch]
        if kept:
            past.live_series[key] = kept
            past.live[key] = kept[-1][1]
    past.live_revision = 1
    past.epoch = min(int(epoch), history.epoch)
    past.task_index = min((past.epoch - 1) // per_task, history.task_index) if per_task and past.epoch else 0
    share = past.epoch / history.epoch if history.epoch else 0.0  # the run's step and time, pro rata
    past.step = round(history.step * share)
    past.elapsed = history.elapsed * share
    past.stop_reason = history.stop_reason if epoch >= history.epoch else None
    past.revision = 1
    return past

"""Which epochs get evaluated or probed: every epoch, or every epoch early then log-spaced."""

from __future__ import annotations

import numpy as np


def log_epochs(total: int, points: int) -> np.ndarray:
    """About `points` distinct epochs in 1..total, dense at the start and log-spaced later.

    Rounding a log grid merges its early points into consecutive integers, which is what
    makes the schedule "every epoch early"; the grid is refined until enough remain.
    """
    if points >= total:
        return np.arange(1, total + 1)
    count = points
    while True:
        epochs = np.unique(np.round(np.logspace(0, np.log10(total), count)).astype(int))
        if len(epochs) >= points or count > 50 * points:
            return epochs
        count = int(count * 1.1) + 1


class Schedule:
    def __init__(self, kind: str, total: int, points: int):
        self.kind = kind
        self._epochs = set(log_epochs(total, points).tolist()) if kind == "log" else None
        self.total = total

    def due(self, epoch: int) -> bool:
        """True for epochs (1-based) on the schedule; the last epoch is always due."""
        if self._epochs is None or epoch >= self.total:
            return True
        return epoch in self._epochs

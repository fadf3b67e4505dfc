"""The modes lesson's probe: each singular mode's strength during training (see tasks/modes.py)."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from playground.core.config import Config
from playground.core.training.hooks import TrainerHook
from playground.core.tasks.modes import effective_start, halfway_time, mode_strengths, mode_svd, observed_halfway


class ModeStrengthHook(TrainerHook):
    """Writes table `modes`: epoch, step, member, mode (1-based), singular_value, strength,
    u0 (effective start) and predicted_halfway (steps)."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.u = self.v = self.s = None
        self.predicted: np.ndarray | None = None
        self.u0: np.ndarray | None = None
        self.steps: list[int] = []
        self.history: list[np.ndarray] = []  # (E, r) strengths after each epoch

    def _weights(self, trainer) -> tuple[np.ndarray, np.ndarray]:
        w1, w2 = trainer.weights()
        return w1.astype(np.float64), w2.astype(np.float64)

    def on_start(self, trainer) -> None:
        data = trainer.task.datasets[0]
        self.u, self.s, self.v = mode_svd(data.x_train, data.y_train, trainer.n_classes)
        w1, w2 = self._weights(trainer)
        self.u0 = effective_start(w1, w2, self.u, self.v)
        self.predicted = halfway_time(self.s[None, :], self.u0, trainer.config.train.lr)

    def after_epoch(self, trainer, record) -> None:
        w1, w2 = self._weights(trainer)
        strength = mode_strengths(w1, w2, self.u, self.v)
        self.steps.append(record.step)
        self.history.append(strength)
        members, modes = strength.shape
        record.add_table("modes", {
            "epoch": np.full(members * modes, record.epoch),
            "step": np.full(members * modes, record.step),
            "member": np.repeat(np.arange(members), modes),
            "mode": np.tile(np.arange(1, modes + 1), members),
            "singular_value": np.tile(self.s, members),
            "strength": strength.reshape(-1),
            "u0": self.u0.reshape(-1),
            "predicted_halfway": self.predicted.reshape(-1),
        })

    def observed(self) -> np.ndarray:
        """Observed half-way steps, (E, r); NaN where a mode has not reached s/2."""
        steps, history = np.array(self.steps), np.array(self.history)  # (T,), (T, E, r)
        members, modes = self.predicted.shape
        return np.array([[observed_halfway(steps, history[:, e, k], self.s[k]) if len(steps) else np.nan
                          for k in range(modes)] for e in range(members)])

    def summary(self, trainer) -> dict[str, np.ndarray]:
        observed = self.observed()
        out = {}
        for k in range(self.predicted.shape[1]):
            out[f"predicted_halfway_{k + 1}"] = self.predicted[:, k].copy()
            out[f"observed_halfway_{k + 1}"] = observed[:, k]
        return out

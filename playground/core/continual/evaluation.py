"""Test accuracy on every task of the sequence (seen and to come), on a schedule.

Writes the `task_accuracy` and `accuracy_matrix` tables and `record.live["continual"]`
(documented in the package docstring, playground/core/continual/__init__.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from playground.core.continual import metrics
from playground.core.training.hooks import TrainerHook

if TYPE_CHECKING:
    from playground.core.base.records import EpochRecord
    from playground.core.training.trainer import Trainer


def task_accuracies(trainer: "Trainer") -> np.ndarray:
    """(members, tasks) test accuracy of every member on every task."""
    return np.stack([trainer.evaluate(t.x_test, t.y_test, t)[1] for t in trainer.tasks], axis=1).astype(np.float64)


class TaskEvaluation(TrainerHook):
    """Every `every` epochs, at the end of every task and at the last epoch."""

    def __init__(self, every: int = 1):
        self.every = every
        self.matrix: np.ndarray | None = None  # (members, T, T), NaN rows for unfinished tasks
        self.finished = 0  # tasks whose training has ended

    def on_start(self, trainer: "Trainer") -> None:
        T = len(trainer.tasks)
        self.matrix = np.full((trainer.members, T, T), np.nan)

    def due(self, trainer: "Trainer") -> bool:
        return (
            trainer.epoch % self.every == 0
            or trainer.epoch % trainer.epochs_per_task == 0
            or trainer.epoch >= trainer.total_epochs
        )

    def after_epoch(self, trainer: "Trainer", record: "EpochRecord") -> None:
        if not self.due(trainer):
            return
        accuracy = task_accuracies(trainer)
        members, T = accuracy.shape
        member_ids = np.repeat(np.arange(members), T)
        task_ids = np.tile(np.arange(1, T + 1), members)
        record.add_table("task_accuracy", {
            "epoch": np.full(members * T, record.epoch),
            "member": member_ids,
            "task": task_ids,
            "accuracy": accuracy.reshape(-1),
        })
        task_done = trainer.epoch % trainer.epochs_per_task == 0
        if task_done:
            i = record.task_index
            self.matrix[:, i, :] = accuracy
            self.finished = i + 1
            record.add_table("accuracy_matrix", {
                "after_task": np.full(members * T, i + 1),
                "task": task_ids,
                "member": member_ids,
                "accuracy": accuracy.reshape(-1),
            })
        record.live["continual"] = self._live(trainer, record, accuracy, task_done)

    def _live(self, trainer: "Trainer", record: "EpochRecord", accuracy: np.ndarray, task_done: bool) -> dict:
        current = record.task_index
        live = {
            "epoch": record.epoch,
            "task_index": current,
            "task_done": task_done,
            "task_names": [t.name for t in trainer.tasks],
            "task_accuracy": accuracy.copy(),
            "seen_accuracy": accuracy[:, : current + 1].mean(axis=1),
            "accuracy_matrix": self.matrix.copy(),
        }
        members, T = accuracy.shape
        live["tasks_finished"] = self.finished
        if self.finished:
            after = self.finished - 1
            live["average_accuracy"] = metrics.average_accuracy(self.matrix, after)
            live["forgetting"] = metrics.forgetting(self.matrix, after)
            live["forgetting_last"] = metrics.forgetting_last(self.matrix, after)
            live["backward_transfer"] = metrics.backward_transfer(self.matrix, after)
        else:
            live["average_accuracy"] = np.full(members, np.nan)
            live["forgetting"] = np.full((members, T), np.nan)
            live["forgetting_last"] = np.full((members, T), np.nan)
            live["backward_transfer"] = np.full(members, np.nan)
        return live

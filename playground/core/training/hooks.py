"""Extension points of the trainer: probes and continual-learning methods subclass `TrainerHook`.

Every method is a no-op here, so a hook overrides only what it needs. Hooks run in the
thread that trains; they must not touch any GUI object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from playground.core.base.records import EpochRecord
    from playground.core.training.trainer import Trainer


class TrainerHook:
    def on_start(self, trainer: "Trainer") -> None:
        """Once, before the first step."""

    def before_epoch(self, trainer: "Trainer") -> None:
        """Before each epoch's first step."""

    def transform_batch(
        self, trainer: "Trainer", x: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Change a training batch (members, batch, ...) before the forward pass (e.g. replay)."""
        return x, y

    def penalty(self, trainer: "Trainer") -> torch.Tensor | None:
        """An extra loss term, summed over members (e.g. EWC)."""
        return None

    def after_backward(self, trainer: "Trainer") -> None:
        """After gradients are computed and before the optimizer step (gradient statistics)."""

    def after_step(self, trainer: "Trainer") -> None:
        """After the optimizer step (e.g. SI's path integral)."""

    def after_epoch(self, trainer: "Trainer", record: "EpochRecord") -> None:
        """Add tables or live data to the epoch's record."""

    def on_task_end(self, trainer: "Trainer", task_index: int) -> None:
        """After the last epoch of a task in a sequential run."""

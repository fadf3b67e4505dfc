"""A measure taken at initialisation, every `every` epochs and at the end of a run."""

from __future__ import annotations

from typing import Any

from playground.core.measures.hook_options import due
from playground.core.training.hooks import TrainerHook


class MeasuredOverTraining(TrainerHook):
    """Subclasses give `measure(trainer)` and `write_rows(record, epoch, value)`; the value at
    initialisation is written as epoch 0 with the first record (no record exists before it)."""

    def __init__(self, every: int):
        self.every = every
        self.initial: Any = None
        self.last: Any = None
        self.pending_initial = False

    def measure(self, trainer) -> Any:
        raise NotImplementedError

    def write_rows(self, record, epoch: int, value: Any) -> None:
        raise NotImplementedError

    def on_start(self, trainer) -> None:
        self.initial = self.measure(trainer)
        self.pending_initial = True

    def after_epoch(self, trainer, record) -> None:
        if self.pending_initial:
            self.pending_initial = False
            self.write_rows(record, 0, self.initial)
        if due(trainer, record, self.every):
            self.last = self.measure(trainer)
            self.write_rows(record, record.epoch, self.last)
            self.measured(trainer, record)

    def measured(self, trainer, record) -> None:
        """After a due measurement (e.g. live data that goes with it)."""

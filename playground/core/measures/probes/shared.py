"""State the probe hooks share: the probe schedule, this epoch's activity, the task's targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from playground.core.config import ProbeConfig
from playground.core.measures.probes.targets import ProbeTargets, make_targets
from playground.core.base.schedule import Schedule

if TYPE_CHECKING:
    from playground.core.training.trainer import Trainer


class ProbeContext:
    def __init__(self, config: ProbeConfig):
        self.config = config
        self.schedule: Schedule | None = None
        self._activity_epoch = -1
        self._activity: list[np.ndarray] = []
        self._targets: dict[int, ProbeTargets] = {}

    def start(self, trainer: "Trainer") -> None:
        """Called by every probe hook's on_start; the first call builds the schedule."""
        if self.schedule is None:
            self.schedule = Schedule(self.config.schedule, trainer.total_epochs, self.config.points)

    def due(self, epoch: int) -> bool:
        return self.schedule is not None and self.schedule.due(epoch)

    def activity(self, trainer: "Trainer") -> list[np.ndarray]:
        """Every layer's activity on the probe inputs at the current epoch, as float32 numpy
        arrays (E, N, units): computed once per epoch, shared by all probe hooks."""
        if self._activity_epoch != trainer.epoch:
            self._activity = [np.ascontiguousarray(a.detach().cpu().numpy(), dtype=np.float32)
                              for a in trainer.layer_activations()]
            self._activity_epoch = trainer.epoch
        return self._activity

    def targets(self, trainer: "Trainer") -> ProbeTargets:
        """Labels and input groups of the current task's probe inputs (cached per task)."""
        index = trainer.task_index
        if index not in self._targets:
            data = trainer.task
            self._targets[index] = make_targets(
                data.x_probe.detach().cpu().numpy(), data.y_probe.detach().cpu().numpy(), data.n_classes
            )
        return self._targets[index]


def layer_kinds(trainer: "Trainer") -> list[str]:
    """The nonlinearity of each layer 1..L: the hidden ones, then softmax or the raw score."""
    output = "softmax" if trainer.config.train.loss == "cross_entropy" else "score"
    return [*trainer.model.activation_names, output]


def layer_labels(trainer: "Trainer") -> list[str]:
    sizes = trainer.model.sizes[1:]
    return [f"{kind} {units}" for kind, units in zip(layer_kinds(trainer), sizes)]

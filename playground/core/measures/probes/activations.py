"""Raw activity at every probed epoch, saved for a scientist's own estimators."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

from playground.core.training.hooks import TrainerHook
from playground.core.measures.probes.shared import ProbeContext

if TYPE_CHECKING:
    from playground.core.base.records import EpochRecord
    from playground.core.training.trainer import Trainer


def activations_path(epoch: int) -> str:
    return f"activations/epoch_{epoch}.npz"


def activations_npz(activity: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> bytes:
    """An .npz with layer1..layerL (members, inputs, units), hidden first, output last; x and y."""
    arrays = {f"layer{i}": np.asarray(a, dtype=np.float32) for i, a in enumerate(activity, start=1)}
    arrays["x"] = np.asarray(x, dtype=np.float32)
    arrays["y"] = np.asarray(y, dtype=np.int64)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


class ActivationSaver(TrainerHook):
    def __init__(self, context: ProbeContext):
        self.context = context

    def on_start(self, trainer: "Trainer") -> None:
        self.context.start(trainer)

    def after_epoch(self, trainer: "Trainer", record: "EpochRecord") -> None:
        if not self.context.due(trainer.epoch):
            return
        data = trainer.task
        record.files[activations_path(record.epoch)] = activations_npz(
            self.context.activity(trainer), data.x_probe.cpu().numpy(), data.y_probe.cpu().numpy()
        )

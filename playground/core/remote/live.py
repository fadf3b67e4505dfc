"""The live data a run sends besides its records: the weights, biases and decision boundary (a
snapshot), and a task's example images when a sequence moves to the next task.

Snapshots are taken at most every `interval_s` and never take more than `DUTY` of the training
process's time: a network whose snapshot costs seconds (width 128 x depth 64 x 100 members:
400 MB of weights and a 30 s boundary) is drawn less often instead of training in slow motion.
"""

from __future__ import annotations

import time
from typing import Any

from playground.core.base.records import EpochRecord

# Seconds between snapshots at the most (the GUI redraws at ~30 Hz; a boundary is not worth more).
LIVE_INTERVAL_S = 0.15
# The largest share of the training process's time that snapshots may take.
DUTY = 0.1
# What a snapshot holds (and what the parent needs to write final_state.npz from it).
# The settings a run may change while it trains (Trainer.set_optimizer_params).
LIVE_PARAMS = ("lr", "momentum", "weight_decay", "l1")
SNAPSHOT_KEYS = ("weights", "biases", "layer_sizes", "activations", "feature_names", "task_inputs", "boundary")


class LiveSnapshots:
    """Weights and the decision boundary, added to a record at most every `interval_s`."""

    def __init__(self, trainer, interval_s: float = LIVE_INTERVAL_S, duty: float = DUTY,
                 clock=time.perf_counter):
        from playground.core.measures.boundary import supports_boundary

        self.trainer = trainer
        self.interval_s = interval_s
        self.duty = duty
        self.clock = clock
        self.last = -float("inf")
        self.cost = 0.0  # seconds the last snapshot took
        self.boundary = supports_boundary(trainer)
        self.examples_task: int | None = None  # the task whose example images were last sent

    @property
    def due_every(self) -> float:
        return max(self.interval_s, self.cost / self.duty)

    def attach(self, record: EpochRecord, force: bool = False) -> None:
        if len(self.trainer.tasks) > 1 and self.trainer.task_index != self.examples_task:
            self.examples_task = self.trainer.task_index
            examples = task_examples(self.trainer)
            if examples is not None:
                record.live["examples"] = examples
        now = self.clock()
        if not force and now - self.last < self.due_every:
            return
        record.live.update(self.snapshot())
        self.last = self.clock()
        self.cost = self.last - now

    def snapshot(self) -> dict[str, Any]:
        from playground.core.measures.boundary import compute_boundary
        from playground.core.measures.confusion import live_confusion
        from playground.core.measures.neurons import compute_neuron_maps

        trainer = self.trainer
        live: dict[str, Any] = {
            "weights": trainer.weights(),
            "biases": [b.detach().cpu().numpy().reshape(trainer.members, -1).copy() for b in trainer.model.biases],
            "layer_sizes": list(trainer.model.sizes),
            "activations": list(trainer.model.activation_names),
            "feature_names": feature_names(trainer),
            "task_inputs": trainer.task.input_dim,
        }
        if self.boundary:
            live["boundary"] = compute_boundary(trainer)
            live["neurons"] = compute_neuron_maps(trainer, 0)  # the network drawing's heatmaps
        confusion = live_confusion(trainer)  # None for a regression
        if confusion is not None:
            live["confusion"] = confusion
        return live


def task_examples(trainer) -> dict[str, Any] | None:
    """A few inputs of the current task as images (image-like tasks only, e.g. digits)."""
    from playground.core.continual.examples import example_images

    examples = example_images(trainer, trainer.task_index)
    if examples.images.ndim != 3 or examples.images.shape[1] < 2:
        return None
    return {"images": examples.images, "labels": examples.labels, "name": examples.name,
            "task_index": trainer.task_index}


def feature_names(trainer) -> list[str]:
    datasets = getattr(trainer.task, "datasets", ())
    if datasets and datasets[0].feature_names:
        return list(datasets[0].feature_names)
    return [f"x{i}" for i in range(trainer.task.input_dim)]


def optimizer_params(trainer) -> dict[str, float]:
    """The live settings as the optimizer holds them now (Adam has no momentum)."""
    group = trainer.optimizer.param_groups[0]
    return {key: float(group[key]) for key in LIVE_PARAMS if key in group}


def run_meta(trainer) -> dict[str, Any]:
    """What final_state.npz holds besides a snapshot (the probes' layer names, the tasks)."""
    from playground.core.measures.probes.shared import layer_labels

    return {"probe_layers": list(layer_labels(trainer)), "task_names": [t.name for t in trainer.tasks]}

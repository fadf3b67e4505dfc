"""Fooling images (Nguyen, Yosinski & Clune 2015): inputs no person would call a digit that
the network labels with near certainty.

From uniform noise, gradient ascent on log p(class | x), one image per class and member, in
signed steps (each pixel moves by `step_size` along its gradient's sign, the steepest ascent
in the max-norm; plain steps stall as p -> 1, where the log-probability's gradient vanishes),
pixels kept in the inputs' range. The paper's directly encoded images came from evolution;
gradient ascent is the standard small-scale version."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch

from playground.core.config import Config
from playground.core.training.hooks import TrainerHook
from playground.core.training.perturb import input_range


def class_log_probs(trainer, x: torch.Tensor) -> torch.Tensor:
    """log p(c | x_c) for inputs x (E, C, d) where row c is the image meant for class c: (E, C)."""
    log_p = torch.log_softmax(trainer.model(x), dim=-1)
    target = torch.arange(x.shape[1], device=x.device)
    return log_p[:, target, target]


def uniform_noise(trainer, seed: int) -> torch.Tensor:
    """(E, C, d) images of uniform noise over the inputs' range, one per member and class."""
    data = trainer.task
    low, high = input_range(data.x_train)
    generator = torch.Generator().manual_seed(seed)
    noise = torch.rand((trainer.members, trainer.n_classes, data.input_dim), generator=generator)
    return (low + (high - low) * noise).to(data.x_train.device)


def fooling_images(trainer, steps: int = 100, step_size: float = 0.02, seed: int = 0, record_every: int = 1,
                   start: torch.Tensor | None = None) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
    """The images (E, C, d) after `steps` ascent steps from `start` (default: uniform noise
    drawn with `seed`) and the confidence trace: a list of (step, p(c | x_c) as (E, C)) at
    step 0, every `record_every` steps, and the last."""
    low, high = input_range(trainer.task.x_train)
    x = uniform_noise(trainer, seed) if start is None else start
    trace = []
    for step in range(steps + 1):
        with torch.enable_grad():
            x = x.detach().requires_grad_(True)
            log_p = class_log_probs(trainer, x)
            grad = torch.autograd.grad(log_p.sum(), x)[0] if step < steps else None
        if step % record_every == 0 or step == steps:
            trace.append((step, log_p.detach().exp().cpu().numpy().astype(np.float64)))
        if grad is not None:
            x = (x.detach() + step_size * grad.sign()).clamp(low, high)
    return x.detach().cpu().numpy(), trace


class FoolingHook(TrainerHook):
    """At the end of the run writes table `fooling`: member, class, step, confidence
    (p(class | image) along the ascent); `final_arrays` puts the images into final_state.npz
    (`fooling_images`, (members, classes, inputs))."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.steps = settings["steps"]
        self.step_size = settings["step_size"]
        self.record_every = settings["record_every"]
        self.seed = config.train.seed
        self.images: np.ndarray | None = None
        self.final: np.ndarray | None = None  # (E, C) confidence at the last step

    def run(self, trainer):
        self.images, trace = fooling_images(trainer, self.steps, self.step_size, self.seed, self.record_every)
        self.final = trace[-1][1]
        return trace

    def after_epoch(self, trainer, record) -> None:
        if record.epoch < trainer.total_epochs:
            return
        trace = self.run(trainer)
        members, classes = self.final.shape
        for step, confidence in trace:
            record.add_table("fooling", {
                "member": np.repeat(np.arange(members), classes),
                "class": np.tile(np.arange(classes), members),
                "step": np.full(members * classes, step),
                "confidence": confidence.reshape(-1),
            })

    def summary(self, trainer) -> dict[str, np.ndarray]:
        if self.final is None:
            self.run(trainer)
        return {"fooling_confidence": self.final.mean(axis=1), "fooling_min_confidence": self.final.min(axis=1)}

    def final_arrays(self, trainer) -> dict[str, np.ndarray]:
        if self.images is None:
            self.run(trainer)
        return {"fooling_images": self.images.astype(np.float32),
                "fooling_confidence": self.final.astype(np.float32)}

"""Hooks lessons switch on: a deficit during a window of epochs, a learning-rate decay, and
the time to fit the training set. Configured through lesson_hooks (their options live there)."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch

from playground.core.config import Config
from playground.core.hooks import TrainerHook
from playground.core.lesson_hooks import image_side


# ---------------------------------------------------------------- deficit


def blur(x: torch.Tensor, side: int, factor: int) -> torch.Tensor:
    """Average `factor` x `factor` blocks of (..., side*side) square images and spread each
    block's mean back over it: the down- then up-sampling blur of Achille et al."""
    shape = x.shape
    images = x.reshape(-1, side // factor, factor, side // factor, factor)
    means = images.mean(dim=(2, 4), keepdim=True).expand_as(images)
    return means.reshape(shape)


class DeficitHook(TrainerHook):
    """Corrupts training inputs (never the evaluation sets) for `length` epochs from `start`.

    Epochs are counted from 0: start = 0, length = 20 corrupts the first 20 epochs."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.kind = settings["kind"]
        self.start, self.end = settings["start"], settings["start"] + settings["length"]
        self.noise = settings["noise"]
        self.factor = settings["blur_factor"]
        self.generator = torch.Generator().manual_seed(config.train.seed + 7919)
        self.side = 0

    def on_start(self, trainer) -> None:
        self.side = image_side(trainer.task.input_dim, self.factor) if self.kind == "blur" else 0

    def active(self, epoch: int) -> bool:
        return self.start <= epoch < self.end

    def transform_batch(self, trainer, x, y):
        if not self.active(trainer.epoch):
            return x, y
        if self.kind == "blur":
            return blur(x, self.side, self.factor), y
        noise = torch.randn(x.shape, generator=self.generator).to(x.device)
        return x + self.noise * noise, y

    def after_epoch(self, trainer, record) -> None:
        record.live["deficit"] = self.active(trainer.epoch - 1)


# ---------------------------------------------------------------- learning-rate decay


class LrDecayHook(TrainerHook):
    """lr at epoch e (0-based) = train.lr * factor**e, as in Achille et al.'s schedule."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.base = config.train.lr
        self.factor = settings["factor"]

    def before_epoch(self, trainer) -> None:
        lr = self.base * self.factor ** trainer.epoch
        for group in trainer.optimizer.param_groups:
            group["lr"] = lr


# ---------------------------------------------------------------- time to fit


class FitTimeHook(TrainerHook):
    """The first evaluated epoch at which each member's training accuracy reached `threshold`."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.threshold = settings["threshold"]
        self.fit_epoch: np.ndarray | None = None

    def after_epoch(self, trainer, record) -> None:
        if self.fit_epoch is None:
            self.fit_epoch = np.full(trainer.members, np.nan)
        if record.evaluated:
            newly = np.isnan(self.fit_epoch) & (record.train_acc >= self.threshold)
            self.fit_epoch[newly] = record.epoch

    def summary(self, trainer) -> dict[str, np.ndarray]:
        fitted = self.fit_epoch if self.fit_epoch is not None else np.full(trainer.members, np.nan)
        return {"fit_epoch": fitted.copy()}

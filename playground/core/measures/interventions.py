"""Hooks lessons switch on: a deficit during a window of epochs, a learning-rate decay, and
the time to fit the training set. Their options are declared in hook_kinds."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch

from playground.core.config import Config
from playground.core.training.hooks import TrainerHook
from playground.core.measures.images import image_side


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
    """lr at epoch e (0-based) = train.lr * factor**e, as in Achille et al.'s schedule.

    The hook sets only the factor: a live change of train.lr (the app's slider, `run --change`)
    changes the base, so from then on the lr is the new train.lr * factor**e."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.factor = settings["factor"]

    def before_epoch(self, trainer) -> None:
        trainer.set_lr_scale(self.factor ** trainer.epoch)


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


# ---------------------------------------------------------------- probe summary


class ProbeSummaryHook(TrainerHook):
    """Follows one layer's information-plane and gradient statistics (from the probe hooks'
    tables, which run before it) and sums them up per member for a sweep: the peak and final
    I(X;T), the compression (peak - final), the final I(T;Y) (bits, the first estimator row),
    the drift-to-diffusion epoch, and the peak and final SNR of the layer's gradients."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.layer = settings["layer"] or len(config.network.hidden)  # 0: the last hidden layer
        self.ixt_peak = self.ixt_final = self.ity_final = None
        self.snr_peak = self.snr_final = self.diffusion = None

    def _rows(self, table, members: int, column: str) -> np.ndarray:
        picked = table["layer"] == self.layer
        if "estimator" in table:
            picked &= table["estimator"] == table["estimator"][0]
        values = np.full(members, np.nan)
        values[np.asarray(table["member"])[picked]] = np.asarray(table[column], dtype=float)[picked]
        return values

    def after_epoch(self, trainer, record) -> None:
        members = trainer.members
        info = record.tables.get("info_plane")
        if info is not None:
            self.ixt_final = self._rows(info, members, "i_xt")
            self.ity_final = self._rows(info, members, "i_ty")
            self.ixt_peak = self.ixt_final if self.ixt_peak is None else np.fmax(self.ixt_peak, self.ixt_final)
        stats = record.tables.get("layer_stats")
        if stats is not None:
            self.snr_final = self._rows(stats, members, "snr")
            self.snr_peak = self.snr_final if self.snr_peak is None else np.fmax(self.snr_peak, self.snr_final)
            self.diffusion = self._rows(stats, members, "diffusion_epoch")

    def summary(self, trainer) -> dict[str, np.ndarray]:
        nan = np.full(trainer.members, np.nan)
        out = {}
        if self.ixt_peak is not None:
            out.update(ixt_peak=self.ixt_peak, ixt_final=self.ixt_final,
                       compression=self.ixt_peak - self.ixt_final, ity_final=self.ity_final)
        if self.snr_peak is not None:
            out.update(diffusion_epoch=self.diffusion, snr_peak=self.snr_peak, snr_final=self.snr_final)
        return {k: (v if v is not None else nan).copy() for k, v in out.items()}

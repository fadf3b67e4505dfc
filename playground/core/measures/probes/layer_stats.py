"""Per-layer statistics: weights, the gradient's drift and diffusion, saturation, histograms.

Gradient statistics follow Shwartz-Ziv & Tishby: over the B mini-batches of one epoch,
member e's weight gradients g_1..g_B of layer l give
    grad_mean_norm = ||(1/B) sum_b g_b||,  grad_std = sqrt((1/B) sum_b ||g_b - mean||^2),
    snr = grad_mean_norm / grad_std   (SNR > 1: drift; < 1: diffusion).
They are accumulated only on epochs that will be probed, as two running sums per step over a
flat view of all layers' gradients: a handful of tensor operations per step, whatever the
number of layers or members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from playground.core.training.hooks import TrainerHook
from playground.core.measures.probes.shared import ProbeContext, layer_kinds, layer_labels

if TYPE_CHECKING:
    from playground.core.base.records import EpochRecord
    from playground.core.training.trainer import Trainer

STAT_COLUMNS = ("weight_norm", "weight_mean", "weight_std", "grad_mean_norm", "grad_std", "snr", "saturation")
SATURATED = 0.99  # |tanh| above this, or sigmoid/softmax within 1 - this of 0 or 1


class GradientMoments:
    """Running sums of each member's flattened weight gradients and of their squared norms per
    layer, over the steps since `reset`."""

    def __init__(self, shapes: list[tuple[int, ...]], device: torch.device):
        sizes = [int(np.prod(shape[1:])) for shape in shapes]
        self.members = shapes[0][0]
        self.bounds = np.concatenate([[0], np.cumsum(sizes)])
        layer_of = np.repeat(np.arange(len(sizes)), sizes)
        # (P, L) indicator: squared entries times it = squared norm of each layer's gradient.
        indicator = np.zeros((int(self.bounds[-1]), len(sizes)))
        indicator[np.arange(len(layer_of)), layer_of] = 1.0
        self.indicator = torch.as_tensor(indicator, dtype=torch.float64, device=device)
        self.sum = torch.zeros((self.members, int(self.bounds[-1])), dtype=torch.float64, device=device)
        self.sum_squares = torch.zeros((self.members, len(sizes)), dtype=torch.float64, device=device)
        self.count = 0

    def reset(self) -> None:
        self.sum.zero_()
        self.sum_squares.zero_()
        self.count = 0

    def add(self, grads: list[torch.Tensor]) -> None:
        flat = torch.cat([g.reshape(self.members, -1) for g in grads], dim=1).to(torch.float64)
        self.sum += flat
        self.sum_squares.addmm_(flat * flat, self.indicator)
        self.count += 1

    def statistics(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """grad_mean_norm, grad_std, snr: each (members, layers); NaN before two batches."""
        layers = self.sum_squares.shape[1]
        if self.count == 0:
            empty = np.full((self.members, layers), np.nan)
            return empty, empty.copy(), empty.copy()
        mean = (self.sum / self.count).cpu().numpy()
        mean_sq = (mean * mean) @ self.indicator.cpu().numpy()  # ||mean||^2 per layer
        second = self.sum_squares.cpu().numpy() / self.count  # mean of ||g_b||^2
        mean_norm = np.sqrt(mean_sq)
        # trace Cov = E||g||^2 - ||E g||^2; float64 sums keep its round-off far below its size.
        std = np.sqrt(np.maximum(second - mean_sq, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            snr = np.where((std > 0) & (self.count >= 2), mean_norm / std, np.nan)
        if self.count < 2:
            std = np.full_like(std, np.nan)
        return mean_norm, std, snr


# Consecutive probes below 1 that confirm the transition: on ib-tanh the output layer's SNR
# dips below 1 for 3 probes early in drift (epochs ~8-10) in some seeds, never for 5.
DIFFUSION_PATIENCE = 5


class DiffusionDetector:
    """The drift-to-diffusion epoch of each (member, layer): the first probed epoch at which the
    SNR falls below 1 after a drift phase (SNR > 1 at an earlier probe) and stays below 1 for
    `patience` probes in a row; -1 until confirmed. NaN leaves the state unchanged.

    The SNR at the very first epochs is often below 1 before drift builds up, and single
    probes dip below 1 during drift; neither is the transition the study describes.
    """

    def __init__(self, shape: tuple[int, int], patience: int = DIFFUSION_PATIENCE):
        self.patience = patience
        self.epoch = np.full(shape, -1, dtype=np.int64)
        self.drift_seen = np.zeros(shape, dtype=bool)
        self.streak = np.zeros(shape, dtype=np.int64)
        self.candidate = np.full(shape, -1, dtype=np.int64)

    def update(self, epoch: int, snr: np.ndarray) -> np.ndarray:
        snr = np.asarray(snr, dtype=np.float64)
        known = np.isfinite(snr)
        open_ = self.epoch < 0
        below = known & (snr < 1.0) & self.drift_seen & open_
        above = known & (snr >= 1.0) & open_
        self.candidate[below & (self.streak == 0)] = epoch
        self.streak[below] += 1
        self.streak[above] = 0
        self.drift_seen |= known & (snr > 1.0)
        confirmed = open_ & (self.streak >= self.patience)
        self.epoch[confirmed] = self.candidate[confirmed]
        return self.epoch.copy()


def saturation(activity: np.ndarray, kind: str) -> np.ndarray:
    """Saturated fraction of one layer's activity (E, N, U) per member (see the package docs)."""
    if kind == "tanh":
        return (np.abs(activity) > SATURATED).mean(axis=(1, 2))
    if kind in ("sigmoid", "softmax"):
        edge = 1.0 - SATURATED
        return ((activity < edge) | (activity > SATURATED)).mean(axis=(1, 2))
    if kind == "relu":
        dead = activity.max(axis=1) <= 0.0  # (E, U): zero on every probe input
        return dead.mean(axis=1)
    return np.zeros(activity.shape[0])


def histogram(values: np.ndarray, bins: int, low: float | None = None, high: float | None = None) -> dict[str, np.ndarray]:
    """Per-member histogram of (E, ...) values on shared edges; range = the data's unless given."""
    members = values.shape[0]
    flat = values.reshape(members, -1).astype(np.float64)
    if low is None or high is None:
        low, high = float(flat.min()), float(flat.max())
    if not high > low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    index = np.floor((flat - low) * (bins / (high - low))).astype(np.int64)
    np.clip(index, 0, bins - 1, out=index)
    index += (np.arange(members) * bins)[:, None]
    counts = np.bincount(index.reshape(-1), minlength=members * bins).reshape(members, bins)
    return {"counts": counts, "edges": edges}


ACTIVITY_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0)}


class LayerStatsHook(TrainerHook):
    def __init__(self, context: ProbeContext):
        self.context = context
        self.moments: GradientMoments | None = None
        self.detector: DiffusionDetector | None = None
        self.collecting = False

    def on_start(self, trainer: "Trainer") -> None:
        self.context.start(trainer)
        weights = list(trainer.model.weights)
        self.moments = GradientMoments([tuple(w.shape) for w in weights], weights[0].device)
        self.detector = DiffusionDetector((trainer.members, len(weights)))

    def before_epoch(self, trainer: "Trainer") -> None:
        self.collecting = self.context.due(trainer.epoch + 1)
        if self.collecting:
            self.moments.reset()

    def after_backward(self, trainer: "Trainer") -> None:
        if self.collecting:
            self.moments.add([w.grad if w.grad is not None else torch.zeros_like(w) for w in trainer.model.weights])

    def after_epoch(self, trainer: "Trainer", record: "EpochRecord") -> None:
        if not self.context.due(trainer.epoch):
            return
        weights = trainer.weights()
        members, layers = trainer.members, len(weights)
        stats = {name: np.zeros((members, layers)) for name in STAT_COLUMNS}
        for layer, w in enumerate(weights):
            flat = w.reshape(members, -1).astype(np.float64)
            stats["weight_norm"][:, layer] = np.sqrt((flat * flat).sum(axis=1))
            stats["weight_mean"][:, layer] = flat.mean(axis=1)
            stats["weight_std"][:, layer] = flat.std(axis=1)
        if self.collecting:
            stats["grad_mean_norm"], stats["grad_std"], stats["snr"] = self.moments.statistics()
        else:  # probed without having collected (e.g. hooks attached mid-run)
            for name in ("grad_mean_norm", "grad_std", "snr"):
                stats[name][:] = np.nan
        activity = self.context.activity(trainer)
        kinds = layer_kinds(trainer)
        for layer, (act, kind) in enumerate(zip(activity, kinds)):
            stats["saturation"][:, layer] = saturation(act, kind)
        diffusion = self.detector.update(record.epoch, stats["snr"])
        units = np.array(trainer.model.sizes[1:], dtype=np.int64)
        table = {
            "epoch": np.full(members * layers, record.epoch, dtype=np.int64),
            "member": np.repeat(np.arange(members), layers),
            "layer": np.tile(np.arange(1, layers + 1), members),
            "units": np.tile(units, members),
        }
        table.update({name: stats[name].reshape(-1).copy() for name in STAT_COLUMNS})
        table["diffusion_epoch"] = diffusion.reshape(-1).copy()
        record.add_table("layer_stats", table)
        bins = self.context.config.histogram_bins
        record.live["layer_stats"] = {**stats, "diffusion_epoch": diffusion}
        record.live["weight_hist"] = [histogram(w, bins) for w in weights]
        record.live["activation_hist"] = [
            histogram(act, bins, *ACTIVITY_RANGES.get(kind, (None, None)))
            for act, kind in zip(activity, kinds)
        ]
        record.live["probe_layers"] = layer_labels(trainer)
        self.collecting = False

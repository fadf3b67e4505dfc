"""The information-plane hook: I(X;T) and I(T;Y) of every layer and member on probed epochs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from playground.core.training.hooks import TrainerHook
from playground.core.measures.probes.binning import (
    AdaptiveRange, adaptive_information, fixed_information, width_information,
)
from playground.core.measures.probes.kde import kde_information
from playground.core.measures.probes.shared import ProbeContext, layer_labels
from playground.core.measures.probes.targets import ProbeTargets

if TYPE_CHECKING:
    from playground.core.base.records import EpochRecord
    from playground.core.training.trainer import Trainer


class InfoPlaneEstimator:
    """The estimator `probes.estimator` names, applied to all layers of an ensemble.

    "adaptive" keeps, per layer and member, the smallest and largest activation seen so far
    (at the probed epochs), so it must see the epochs in order.
    """

    def __init__(self, estimator: str, bins: int, adaptive_bins: int, noise_var: float, bin_width: float = 0.07):
        self.estimator = estimator
        self.bins = bins
        self.adaptive_bins = adaptive_bins
        self.noise_var = noise_var
        self.bin_width = bin_width
        self.ranges: list[AdaptiveRange] = []

    @property
    def names(self) -> tuple[str, ...]:
        return ("kde_upper", "kde_lower") if self.estimator == "kde" else (self.estimator,)

    def __call__(self, activity: list[np.ndarray], targets: ProbeTargets) -> tuple[np.ndarray, np.ndarray]:
        """I(X;T), I(T;Y) in bits, each (len(names), members, layers)."""
        members, layers = targets.members, len(activity)
        i_xt = np.zeros((len(self.names), members, layers))
        i_ty = np.zeros_like(i_xt)
        while len(self.ranges) < layers:
            self.ranges.append(AdaptiveRange())
        for layer, act in enumerate(activity):
            if self.estimator == "binning":
                i_xt[0, :, layer], i_ty[0, :, layer] = fixed_information(act, self.bins, targets)
            elif self.estimator == "binwidth":
                i_xt[0, :, layer], i_ty[0, :, layer] = width_information(act, self.bin_width, targets)
            elif self.estimator == "adaptive":
                low, high = self.ranges[layer].update(act)
                i_xt[0, :, layer], i_ty[0, :, layer] = adaptive_information(act, low, high, self.adaptive_bins, targets)
            else:
                bounds = kde_information(act, targets, self.noise_var)
                i_xt[0, :, layer], i_ty[0, :, layer] = bounds["i_xt_upper"], bounds["i_ty_upper"]
                i_xt[1, :, layer], i_ty[1, :, layer] = bounds["i_xt_lower"], bounds["i_ty_lower"]
        return i_xt, i_ty


def info_plane_table(epoch: int, names: tuple[str, ...], i_xt: np.ndarray, i_ty: np.ndarray) -> dict[str, np.ndarray]:
    """Rows (estimator, member, layer) in that order; layers 1-based."""
    count, members, layers = i_xt.shape
    rows = count * members * layers
    return {
        "epoch": np.full(rows, epoch, dtype=np.int64),
        "member": np.tile(np.repeat(np.arange(members), layers), count),
        "layer": np.tile(np.arange(1, layers + 1), count * members),
        "estimator": np.repeat(np.array(names, dtype=object), members * layers),
        "i_xt": i_xt.reshape(-1).copy(),
        "i_ty": i_ty.reshape(-1).copy(),
    }


class InfoPlaneHook(TrainerHook):
    def __init__(self, context: ProbeContext):
        self.context = context
        config = context.config
        self.estimate = InfoPlaneEstimator(config.estimator, config.bins, config.adaptive_bins, config.kde_noise_var,
                                           config.bin_width)

    def on_start(self, trainer: "Trainer") -> None:
        self.context.start(trainer)

    def after_epoch(self, trainer: "Trainer", record: "EpochRecord") -> None:
        if not self.context.due(trainer.epoch):
            return
        targets = self.context.targets(trainer)
        i_xt, i_ty = self.estimate(self.context.activity(trainer), targets)
        names = self.estimate.names
        record.add_table("info_plane", info_plane_table(record.epoch, names, i_xt, i_ty))
        record.live["info_plane"] = {
            "epoch": record.epoch,
            "estimators": names,
            "i_xt": i_xt,
            "i_ty": i_ty,
            "h_x": targets.h_x.copy(),
            "h_y": targets.h_y.copy(),
        }
        record.live["probe_layers"] = layer_labels(trainer)

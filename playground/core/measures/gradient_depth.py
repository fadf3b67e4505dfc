"""Vanishing gradients (Glorot & Bengio 2010; Shalev-Shwartz, Shamir & Shammah 2017, "flat
activations"): the norm of the training loss's gradient with respect to each layer's weights,
from the input layer to the output, at initialisation and during training. In a deep sigmoid
network it falls layer by layer towards the input: saturating units pass little gradient back."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch

from playground.core.config import Config
from playground.core.measures.over_training import MeasuredOverTraining


def layer_gradient_norms(trainer, samples: int) -> np.ndarray:
    """(E, layers): ||d loss / d W_l|| (Frobenius) of each member's mean training loss on
    (up to) `samples` training inputs; layer 1 is the input layer, the last the output."""
    data = trainer.task
    x, y = data.x_train[:, :samples], data.y_train[:, :samples]
    weights = list(trainer.model.weights)
    with torch.enable_grad():
        loss = trainer.loss_per_member(trainer.model(x), y, data).sum()
        grads = torch.autograd.grad(loss, weights)
    return torch.stack([g.flatten(1).norm(dim=1) for g in grads], dim=1).cpu().numpy().astype(np.float64)


class GradientDepthHook(MeasuredOverTraining):
    """Writes table `gradient_depth`: epoch, member, layer (1-based), grad_norm, at
    initialisation (epoch 0, with the first record), every `every` epochs and at the end."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        super().__init__(settings["every"])
        self.samples = settings["samples"]

    def measure(self, trainer) -> np.ndarray:
        return layer_gradient_norms(trainer, self.samples)

    def write_rows(self, record, epoch: int, norms: np.ndarray) -> None:
        members, layers = norms.shape
        record.add_table("gradient_depth", {
            "epoch": np.full(members * layers, epoch), "member": np.repeat(np.arange(members), layers),
            "layer": np.tile(np.arange(1, layers + 1), members), "grad_norm": norms.reshape(-1),
        })

    def summary(self, trainer) -> dict[str, np.ndarray]:
        """At initialisation: every layer's gradient norm, and the first layer's over the last's."""
        initial = self.initial if self.initial is not None else layer_gradient_norms(trainer, self.samples)
        out = {f"grad_norm_{layer + 1}": initial[:, layer].copy() for layer in range(initial.shape[1])}
        out["grad_ratio_first_last"] = initial[:, 0] / np.maximum(initial[:, -1], 1e-300)
        return out

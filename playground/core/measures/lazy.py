"""Wide networks are lazy (Jacot, Gabriel & Hongler 2018; Lee et al. 2019; Chizat, Oyallon &
Bach 2019): the wider the network, the less its weights move, and the closer it stays to its
linearisation around the initial weights, f_lin(x; theta) = f(x; theta0) + J(x; theta0)
(theta - theta0), a kernel machine with the neural tangent kernel.

The linearisation is trained beside the network on the same batches with the same optimizer
settings. Its Jacobian-vector product is carried forward layer by layer with the network's
own activations (forward-mode differentiation written out for the MLP), so it is linear in
theta - theta0 and ordinary backpropagation trains it."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch

from playground.core.config import Config
from playground.core.measures.hook_options import due
from playground.core.training.hooks import TrainerHook
from playground.core.training.model import ACTIVATION_FUNCTIONS


def activation_slope(name: str, z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """phi'(z), from the pre-activation z and the activation a = phi(z)."""
    if name == "tanh":
        return 1 - a * a
    if name == "sigmoid":
        return a * (1 - a)
    if name == "relu":
        return (z > 0).to(z.dtype)
    return torch.ones_like(z)


def linearised_forward(model, weights0: Sequence[torch.Tensor], biases0: Sequence[torch.Tensor],
                       d_weights: Sequence[torch.Tensor], d_biases: Sequence[torch.Tensor],
                       x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(f(x; theta0), J(x; theta0) delta) for x (E, N, d): the network at theta0 and its
    directional derivative along delta = (d_weights, d_biases), each (E, N, outputs)."""
    h = x if x.dim() == 3 else x.unsqueeze(0).expand(len(weights0[0]), -1, -1)
    dh = torch.zeros_like(h)
    last = len(weights0) - 1
    for index, (w, b, dw, db) in enumerate(zip(weights0, biases0, d_weights, d_biases)):
        scale = model.scales[index]
        z = scale * torch.bmm(h, w) + b
        dz = scale * (torch.bmm(dh, w) + torch.bmm(h, dw)) + db
        if index < last:
            name = model.activation_names[index]
            a = ACTIVATION_FUNCTIONS[name](z)
            dh = activation_slope(name, z, a) * dz
            h = a
        else:
            h, dh = z, dz
    return h, dh


def relative_change(current: Sequence[torch.Tensor], initial: Sequence[torch.Tensor]) -> np.ndarray:
    """(E, layers): ||W_l - W_l(0)|| / ||W_l(0)|| per member and layer (Frobenius norms)."""
    return torch.stack([(c - i).flatten(1).norm(dim=1) / i.flatten(1).norm(dim=1).clamp_min(1e-30)
                        for c, i in zip(current, initial)], dim=1).detach().cpu().numpy().astype(np.float64)


class LinearisedModel:
    """theta0 (frozen) and delta (trained) with its own optimizer of the trainer's kind."""

    def __init__(self, trainer):
        model = trainer.model
        self.model = model
        self.weights0 = [w.detach().clone() for w in model.weights]
        self.biases0 = [b.detach().clone() for b in model.biases]
        self.d_weights = [torch.zeros_like(w, requires_grad=True) for w in self.weights0]
        self.d_biases = [torch.zeros_like(b, requires_grad=True) for b in self.biases0]
        tr = trainer.config.train
        params = [*self.d_weights, *self.d_biases]
        if tr.optimizer == "sgd":
            self.optimizer = torch.optim.SGD(params, lr=tr.lr, momentum=tr.momentum)
        else:
            self.optimizer = torch.optim.Adam(params, lr=tr.lr)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f0, jvp = linearised_forward(self.model, self.weights0, self.biases0, self.d_weights, self.d_biases, x)
        return f0 + jvp

    def step(self, trainer, x: torch.Tensor, y: torch.Tensor) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = trainer.optimizer.param_groups[0]["lr"]  # follows live lr changes
        self.optimizer.zero_grad(set_to_none=True)
        with torch.enable_grad():
            trainer.loss_per_member(self.forward(x), y, trainer.task).sum().backward()
        self.optimizer.step()


class LazyHook(TrainerHook):
    """Writes table `lazy`: epoch, member, layer (1-based), relative_change of that layer's
    weights since initialisation; and `linearisation`: epoch, member, distance (RMS over the
    test outputs between the network and its trained linearisation), output_change (RMS of
    f - f(theta0)), relative_distance (their ratio). At epoch 0, every `every` epochs and at
    the end."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.every = settings["every"]
        self.linear: LinearisedModel | None = None
        self.batch: tuple[torch.Tensor, torch.Tensor] | None = None
        self.last: dict[str, np.ndarray] = {}
        self.start_pending = False

    def on_start(self, trainer) -> None:
        self.linear = LinearisedModel(trainer)
        self.start_pending = True

    def transform_batch(self, trainer, x, y):
        self.batch = (x, y)  # the same batch trains the linearisation, after the network's step
        return x, y

    def after_step(self, trainer) -> None:
        if self.batch is not None:
            self.linear.step(trainer, *self.batch)
            self.batch = None

    def measure(self, trainer) -> dict[str, np.ndarray]:
        x = trainer.task.x_test
        with torch.no_grad():
            f = trainer.model(x)
            f_lin = self.linear.forward(x)
            f0, _ = linearised_forward(trainer.model, self.linear.weights0, self.linear.biases0,
                                       self.linear.d_weights, self.linear.d_biases, x)

        def rms(t: torch.Tensor) -> np.ndarray:
            return t.pow(2).flatten(1).mean(dim=1).sqrt().cpu().numpy().astype(np.float64)

        distance, moved = rms(f - f_lin), rms(f - f0)
        return {"relative_change": relative_change(list(trainer.model.weights), self.linear.weights0),
                "distance": distance, "output_change": moved,
                "relative_distance": distance / np.maximum(moved, 1e-30)}

    def _rows(self, record, epoch: int, values: Mapping[str, np.ndarray]) -> None:
        change = values["relative_change"]
        members, layers = change.shape
        record.add_table("lazy", {
            "epoch": np.full(members * layers, epoch), "member": np.repeat(np.arange(members), layers),
            "layer": np.tile(np.arange(1, layers + 1), members), "relative_change": change.reshape(-1),
        })
        record.add_table("linearisation", {
            "epoch": np.full(members, epoch), "member": np.arange(members),
            "distance": values["distance"], "output_change": values["output_change"],
            "relative_distance": values["relative_distance"],
        })

    def after_epoch(self, trainer, record) -> None:
        if self.start_pending:
            self.start_pending = False
            self._rows(record, 0, {"relative_change": np.zeros((trainer.members, trainer.model.n_layers)),
                                   **{k: np.zeros(trainer.members) for k in ("distance", "output_change")},
                                   "relative_distance": np.full(trainer.members, np.nan)})
        if due(trainer, record, self.every):
            self.last = self.measure(trainer)
            self._rows(record, record.epoch, self.last)

    def summary(self, trainer) -> dict[str, np.ndarray]:
        values = self.last or self.measure(trainer)
        change = values["relative_change"]
        out = {f"relative_change_{layer + 1}": change[:, layer].copy() for layer in range(change.shape[1])}
        out.update({
            "relative_change": change.mean(axis=1),
            "linear_distance": values["distance"].copy(),
            "linear_relative_distance": values["relative_distance"].copy(),
        })
        return out

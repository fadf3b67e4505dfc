"""Layers that separate the classes (Cohen, Chung, Lee & Sompolinsky 2020): how linearly
separable the classes are in each layer's activity, measured by a linear probe.

The probe is multinomial logistic regression with a small L2 penalty on the standardised
activity of (up to `samples`) training inputs, fitted by L-BFGS to convergence (the objective
is strictly convex, so the fit is unique), and scored on the test inputs. Layer 0 is the input
itself, the baseline; the last layer is the output. All members' probes are fitted at once
(the sum of their objectives is separable)."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch

from playground.core.config import Config
from playground.core.measures.over_training import MeasuredOverTraining


def standardise(train: torch.Tensor, test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both sets scaled by the training set's mean and spread per unit (constant units -> 0)."""
    mean = train.mean(dim=1, keepdim=True)
    std = train.std(dim=1, keepdim=True, unbiased=False)
    std = torch.where(std > 1e-8, std, torch.ones_like(std))
    return (train - mean) / std, (test - mean) / std


def probe_objective(weights: torch.Tensor, bias: torch.Tensor, x: torch.Tensor, y: torch.Tensor, l2: float) -> torch.Tensor:
    """Per member: mean cross-entropy of softmax(x W + b) + (l2 / 2) ||W||^2. x (E, N, d)."""
    logits = torch.baddbmm(bias, x, weights)
    loss = torch.nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none").mean(dim=1)
    return loss + 0.5 * l2 * weights.pow(2).flatten(1).sum(dim=1)


def fit_probe(x: torch.Tensor, y: torch.Tensor, classes: int, l2: float = 1e-3,
              max_iter: int = 500, tolerance: float = 1e-9) -> tuple[torch.Tensor, torch.Tensor]:
    """The probe's weights (E, d, C) and bias (E, 1, C), in float64."""
    x = x.double()
    members, _, dim = x.shape
    weights = torch.zeros((members, dim, classes), dtype=torch.float64, device=x.device, requires_grad=True)
    bias = torch.zeros((members, 1, classes), dtype=torch.float64, device=x.device, requires_grad=True)
    optimizer = torch.optim.LBFGS([weights, bias], lr=1.0, max_iter=max_iter, tolerance_grad=tolerance,
                                  tolerance_change=1e-14, history_size=20, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = probe_objective(weights, bias, x, y, l2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    return weights.detach(), bias.detach()


def probe_accuracy(train_x, train_y, test_x, test_y, classes: int, l2: float = 1e-3) -> np.ndarray:
    """Test accuracy per member of a probe fitted on (train_x, train_y), each (E, N, d)/(E, N)."""
    train_x, test_x = standardise(train_x.double(), test_x.double())
    weights, bias = fit_probe(train_x, train_y, classes, l2)
    predictions = torch.baddbmm(bias, test_x, weights).argmax(dim=-1)
    return (predictions == test_y).double().mean(dim=1).cpu().numpy()


def layer_activity(trainer, x: torch.Tensor) -> list[torch.Tensor]:
    """The input, then every layer's activity (hidden layers after their nonlinearity, then the
    raw output), each (E, N, units)."""
    with torch.no_grad():
        _, kept = trainer.model(x, keep_activations=True)
    inputs = x if x.dim() == 3 else x.unsqueeze(0).expand(trainer.members, -1, -1)
    return [inputs, *kept]


def pca_2d(activity: torch.Tensor) -> np.ndarray:
    """(N, 2): the activity (N, units) projected on its two leading principal components."""
    centred = activity.double() - activity.double().mean(dim=0, keepdim=True)
    _, _, vh = torch.linalg.svd(centred, full_matrices=False)
    components = vh[:2].T if vh.shape[0] >= 2 else torch.cat([vh.T, torch.zeros_like(vh.T)], dim=1)
    return (centred @ components).cpu().numpy()


class SeparationHook(MeasuredOverTraining):
    """Writes table `separation`: epoch, member, layer (0 = the input), probe_accuracy, at
    initialisation (epoch 0, with the first record), every `every` epochs and at the end.
    Live for the app: `separation_pca` (per layer, member 0's test activity on its two leading
    principal components) and `separation_labels`; the same in final_state.npz (`final_arrays`)."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        super().__init__(settings["every"])  # its values: (E, layers + 1) probe accuracies
        self.samples = settings["samples"]
        self.l2 = settings["l2"]

    def measure(self, trainer) -> np.ndarray:
        data = trainer.task
        x_train, y_train = data.x_train[:, :self.samples], data.y_train[:, :self.samples]
        train_layers = layer_activity(trainer, x_train)
        test_layers = layer_activity(trainer, data.x_test)
        return np.stack([probe_accuracy(a, y_train, b, data.y_test, trainer.n_classes, self.l2)
                         for a, b in zip(train_layers, test_layers)], axis=1)

    def write_rows(self, record, epoch: int, accuracy: np.ndarray) -> None:
        members, layers = accuracy.shape
        record.add_table("separation", {
            "epoch": np.full(members * layers, epoch), "member": np.repeat(np.arange(members), layers),
            "layer": np.tile(np.arange(layers), members), "probe_accuracy": accuracy.reshape(-1),
        })

    def measured(self, trainer, record) -> None:
        activity = layer_activity(trainer, trainer.task.x_test)
        record.live["separation_pca"] = [pca_2d(layer[0]) for layer in activity]
        record.live["separation_labels"] = trainer.task.y_test[0].cpu().numpy()

    def final_arrays(self, trainer) -> dict[str, np.ndarray]:
        """The live PCA of the last state, for a reopened run: `separation_pca_<layer>`, `separation_labels`."""
        activity = layer_activity(trainer, trainer.task.x_test)
        arrays = {f"separation_pca_{index}": pca_2d(layer[0]).astype(np.float32) for index, layer in enumerate(activity)}
        arrays["separation_labels"] = trainer.task.y_test[0].cpu().numpy()
        return arrays

    def summary(self, trainer) -> dict[str, np.ndarray]:
        last = self.last if self.last is not None else self.measure(trainer)
        return {f"probe_accuracy_{layer}": last[:, layer].copy() for layer in range(last.shape[1])}

"""The loss landscape: along the straight line from the initial to the final weights
(Goodfellow, Vinyals & Saxe 2015) and on a plane through the final weights spanned by two
random directions normalised unit by unit to the weights' norms (Li, Xu, Taylor, Studer &
Goldstein 2018, "filter normalisation"; for an MLP a filter is one unit's incoming weights).
Bias directions are zero, as in Li et al.'s default. Every member along its own line and
plane, all at once."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch

from playground.core.config import Config
from playground.core.measures.parameters import parameters_set_to, snapshot
from playground.core.training.hooks import TrainerHook


def losses_at(trainer, params: Sequence[torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Each member's loss on (x, y) with the model's parameters set to `params`."""
    with torch.no_grad(), parameters_set_to(trainer.model, params):
        return trainer.loss_per_member(trainer.model(x), y, trainer.task).cpu().numpy().astype(np.float64)


def interpolation_line(trainer, start: Sequence[torch.Tensor], end: Sequence[torch.Tensor], alphas: Sequence[float],
                       sets: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> np.ndarray:
    """(len(sets), A, E): the loss on each (x, y) set at start + alpha (end - start)."""
    out = np.zeros((len(sets), len(alphas), trainer.members))
    for i, alpha in enumerate(alphas):
        point = [a + alpha * (b - a) for a, b in zip(start, end)]
        for k, (x, y) in enumerate(sets):
            out[k, i] = losses_at(trainer, point, x, y)
    return out


def filter_normalised_direction(params: Sequence[torch.Tensor], n_weights: int, generator: torch.Generator) -> list[torch.Tensor]:
    """A Gaussian direction with each unit's incoming weights scaled to that unit's norm in
    `params`; the first `n_weights` tensors are weights (E, fan_in, fan_out), the rest biases."""
    direction = []
    for index, p in enumerate(params):
        if index >= n_weights:
            direction.append(torch.zeros_like(p))
            continue
        d = torch.randn(p.shape, generator=generator).to(p)
        scale = p.norm(dim=1, keepdim=True) / d.norm(dim=1, keepdim=True).clamp_min(1e-12)
        direction.append(d * scale)
    return direction


def loss_plane(trainer, centre: Sequence[torch.Tensor], d1, d2, coords: Sequence[float], x, y) -> np.ndarray:
    """(len(coords), len(coords), E): the loss at centre + a d1 + b d2, indexed [a, b]."""
    out = np.zeros((len(coords), len(coords), trainer.members))
    for i, a in enumerate(coords):
        for j, b in enumerate(coords):
            point = [c + a * u + b * v for c, u, v in zip(centre, d1, d2)]
            out[i, j] = losses_at(trainer, point, x, y)
    return out


def max_rise(values: np.ndarray) -> np.ndarray:
    """Largest increase from any point to a later one along axis 0 (0 where it only falls)."""
    running_min = np.minimum.accumulate(values, axis=0)
    return np.max(values - running_min, axis=0)


class LandscapeHook(TrainerHook):
    """At the end writes table `landscape_line`: member, alpha, train_loss, test_loss (alpha 0
    the initial weights, 1 the final), and `landscape_plane`: member, a, b, loss (training
    loss; a = b = 0 the final weights)."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.settings = dict(settings)
        self.seed = config.train.seed
        self.initial: list[torch.Tensor] | None = None
        self.line: np.ndarray | None = None
        # Rounded so that 0 and 1 (the initial and final weights) are hit exactly when on the grid.
        self.alphas = np.round(np.linspace(settings["line_from"], settings["line_to"], settings["line_points"]), 12)
        self.coords = np.linspace(-settings["plane_span"], settings["plane_span"], settings["plane_points"])

    def on_start(self, trainer) -> None:
        self.initial = snapshot(trainer.model)

    def _train_set(self, trainer):
        data, count = trainer.task, self.settings["samples"]
        return data.x_train[:, :count], data.y_train[:, :count]

    def measure_line(self, trainer) -> np.ndarray:
        data = trainer.task
        self.line = interpolation_line(trainer, self.initial, snapshot(trainer.model), self.alphas,
                                       [self._train_set(trainer), (data.x_test, data.y_test)])
        return self.line

    def after_epoch(self, trainer, record) -> None:
        if record.epoch < trainer.total_epochs:
            return
        line = self.measure_line(trainer)
        members = trainer.members
        alphas = len(self.alphas)
        record.add_table("landscape_line", {
            "member": np.repeat(np.arange(members), alphas),
            "alpha": np.tile(self.alphas, members),
            "train_loss": line[0].T.reshape(-1),
            "test_loss": line[1].T.reshape(-1),
        })
        final = snapshot(trainer.model)
        generator = torch.Generator().manual_seed(self.seed + 4242)
        n_weights = trainer.model.n_layers
        d1 = filter_normalised_direction(final, n_weights, generator)
        d2 = filter_normalised_direction(final, n_weights, generator)
        plane = loss_plane(trainer, final, d1, d2, self.coords, *self._train_set(trainer))
        points = len(self.coords)
        record.add_table("landscape_plane", {
            "member": np.repeat(np.arange(members), points * points),
            "a": np.tile(np.repeat(self.coords, points), members),
            "b": np.tile(self.coords, members * points),
            "loss": plane.transpose(2, 0, 1).reshape(-1),
        })

    def summary(self, trainer) -> dict[str, np.ndarray]:
        """Along alpha in [0, 1]: the largest rise of the training loss (0: it only falls) and
        the loss at both ends."""
        line = self.line if self.line is not None else self.measure_line(trainer)
        inside = (self.alphas >= 0) & (self.alphas <= 1)
        train = line[0][inside]
        return {"line_max_rise": max_rise(train), "line_start_loss": train[0].copy(), "line_end_loss": train[-1].copy()}

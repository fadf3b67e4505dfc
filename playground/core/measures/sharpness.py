"""Sharpness: the top eigenvalue of the Hessian of the training loss, by power iteration.

Hessian-vector products come from double backpropagation. The members of an ensemble have
disjoint parameters, so the Hessian of the summed loss is block-diagonal and one product
serves every member; each member's vector is normalised on its own block.

Power iteration converges to the eigenvalue of largest magnitude; near a minimum (where
sharpness is read) that is the top one. For gradient descent with step lr the loss can only
decrease steadily where sharpness < 2/lr (Cohen et al. 2021, "Gradient descent on neural
networks typically occurs at the edge of stability").
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch

from playground.core.config import Config
from playground.core.training.hooks import TrainerHook


def _member_norms(vectors: Sequence[torch.Tensor]) -> torch.Tensor:
    """Per-member norm over all parameter tensors, each (E, ...) -> (E,)."""
    return torch.sqrt(sum(v.flatten(1).pow(2).sum(dim=1) for v in vectors))


def top_hessian_eigenvalue(
    loss_fn: Callable[[], torch.Tensor],
    params: Sequence[torch.Tensor],
    iterations: int = 30,
    seed: int = 0,
    tolerance: float = 1e-5,
) -> np.ndarray:
    """Largest-magnitude Hessian eigenvalue of each member's loss.

    `loss_fn()` returns per-member losses (E,); every tensor in `params` has the members as
    its first dimension. Stops early when every member's estimate changed by less than
    `tolerance` (relative)."""
    params = list(params)
    loss = loss_fn().sum()
    grads = torch.autograd.grad(loss, params, create_graph=True)
    generator = torch.Generator().manual_seed(seed)
    vectors = [torch.randn(p.shape, generator=generator).to(p) for p in params]
    estimate = None
    for _ in range(iterations):
        norms = _member_norms(vectors)
        vectors = [v / norms.view(-1, *([1] * (v.dim() - 1))) for v in vectors]
        dot = sum((g * v).sum() for g, v in zip(grads, vectors))
        products = torch.autograd.grad(dot, params, retain_graph=True)
        rayleigh = sum((h * v).flatten(1).sum(dim=1) for h, v in zip(products, vectors))
        previous, estimate = estimate, rayleigh.detach()
        vectors = [h.detach() for h in products]
        if previous is not None:
            change = (estimate - previous).abs() / estimate.abs().clamp_min(1e-12)
            if bool(torch.all(change < tolerance)):
                break
    return estimate.cpu().numpy().astype(np.float64)


def trainer_sharpness(trainer, samples: int = 2048, iterations: int = 30) -> np.ndarray:
    """Top Hessian eigenvalue of each member's loss on (up to) `samples` training samples."""
    data = trainer.task
    x, y = data.x_train[:, :samples], data.y_train[:, :samples]

    def loss_fn() -> torch.Tensor:
        return trainer.loss_per_member(trainer.model(x), y, data)

    return top_hessian_eigenvalue(loss_fn, trainer.model.parameters(), iterations, seed=trainer.config.train.seed)


class SharpnessHook(TrainerHook):
    """Writes table `sharpness`: epoch, member, sharpness, two_over_lr (the stability limit
    of plain gradient descent at the current learning rate)."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.every = settings["every"]
        self.iterations = settings["iterations"]
        self.samples = settings["samples"]
        self.last: np.ndarray | None = None

    def after_epoch(self, trainer, record) -> None:
        due = record.epoch >= trainer.total_epochs or (self.every and record.epoch % self.every == 0)
        if not due:
            return
        self.last = trainer_sharpness(trainer, self.samples, self.iterations)
        lr = trainer.optimizer.param_groups[0]["lr"]
        members = trainer.members
        record.add_table("sharpness", {
            "epoch": np.full(members, record.epoch),
            "member": np.arange(members),
            "sharpness": self.last,
            "two_over_lr": np.full(members, 2.0 / lr),
        })

    def summary(self, trainer) -> dict[str, np.ndarray]:
        if self.last is None:
            self.last = trainer_sharpness(trainer, self.samples, self.iterations)
        return {"sharpness": self.last.copy()}

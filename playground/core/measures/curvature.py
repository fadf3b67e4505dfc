"""The extreme eigenvalues of the training loss's Hessian, by Lanczos iteration on
Hessian-vector products (double backpropagation), per member.

Dauphin et al. (2014): in high dimensions most critical points are saddles, seen as negative
Hessian eigenvalues; early in training the smallest eigenvalue is clearly negative, near a
minimum it is close to 0. The members' Hessians are blocks of one block-diagonal Hessian, so
one product serves all members and each runs its own Lanczos recurrence (with full
reorthogonalisation, in float64). Ritz values lie inside the spectrum: a negative smallest
Ritz value proves a negative eigenvalue."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch

from playground.core.config import Config
from playground.core.measures.over_training import MeasuredOverTraining


def lanczos_extremes(
    loss_fn: Callable[[], torch.Tensor], params: Sequence[torch.Tensor], iterations: int = 20, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """(largest, smallest) Ritz values of each member's Hessian after `iterations` Lanczos steps
    (exact once `iterations` reaches the number of parameters). `loss_fn()` returns per-member
    losses (E,); each tensor in `params` has the members as its first dimension."""
    params = list(params)
    members = params[0].shape[0]
    sizes = [p[0].numel() for p in params]
    grads = torch.autograd.grad(loss_fn().sum(), params, create_graph=True)

    def hvp(flat: torch.Tensor) -> torch.Tensor:
        pieces = [v.view_as(p).to(p.dtype) for v, p in zip(flat.split(sizes, dim=1), params)]
        dot = sum((g * v).sum() for g, v in zip(grads, pieces))
        products = torch.autograd.grad(dot, params, retain_graph=True)
        return torch.cat([h.flatten(1) for h in products], dim=1).double()

    total = sum(sizes)
    steps = min(iterations, total)
    generator = torch.Generator().manual_seed(seed)
    v = torch.randn((members, total), generator=generator, dtype=torch.float64).to(params[0].device)
    v = v / v.norm(dim=1, keepdim=True)
    basis = [v]
    alphas, betas = [], []
    size = np.full(members, steps)  # each member's Krylov dimension (smaller where it broke down)
    for j in range(steps):
        w = hvp(basis[-1])
        alpha = (w * basis[-1]).sum(dim=1)
        alphas.append(alpha)
        if j == steps - 1:
            break
        stacked = torch.stack(basis, dim=1)  # (E, j+1, P)
        for _ in range(2):  # full reorthogonalisation, twice for stability
            w = w - torch.einsum("ek,ekp->ep", torch.einsum("ep,ekp->ek", w, stacked), stacked)
        beta = w.norm(dim=1)
        scale = torch.stack(alphas).abs().max(dim=0).values.clamp_min(1e-30)
        broke = (beta <= 1e-10 * scale).cpu().numpy() & (size == steps)
        size[broke] = j + 1
        betas.append(beta)
        basis.append(torch.where(beta[:, None] > 0, w / beta.clamp_min(1e-300)[:, None], torch.zeros_like(w)))
    a = torch.stack(alphas, dim=1).cpu().numpy()
    b = torch.stack(betas, dim=1).cpu().numpy() if betas else np.zeros((members, 0))
    largest, smallest = np.zeros(members), np.zeros(members)
    for e in range(members):
        k = size[e]
        tridiagonal = np.diag(a[e, :k]) + np.diag(b[e, :k - 1], 1) + np.diag(b[e, :k - 1], -1)
        ritz = np.linalg.eigvalsh(tridiagonal)
        largest[e], smallest[e] = ritz[-1], ritz[0]
    return largest, smallest


def trainer_extremes(trainer, samples: int, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    data = trainer.task
    x, y = data.x_train[:, :samples], data.y_train[:, :samples]

    def loss_fn() -> torch.Tensor:
        return trainer.loss_per_member(trainer.model(x), y, data)

    with torch.enable_grad():
        return lanczos_extremes(loss_fn, list(trainer.model.parameters()), iterations, seed=trainer.config.train.seed)


class CurvatureHook(MeasuredOverTraining):
    """Writes table `curvature`: epoch, member, max_eig, min_eig, at initialisation (epoch 0,
    with the first record), every `every` epochs and at the end."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        super().__init__(settings["every"])
        self.iterations = settings["iterations"]
        self.samples = settings["samples"]

    def measure(self, trainer) -> tuple[np.ndarray, np.ndarray]:
        return trainer_extremes(trainer, self.samples, self.iterations)

    def write_rows(self, record, epoch: int, values: tuple[np.ndarray, np.ndarray]) -> None:
        members = len(values[0])
        record.add_table("curvature", {
            "epoch": np.full(members, epoch), "member": np.arange(members),
            "max_eig": values[0], "min_eig": values[1],
        })

    def summary(self, trainer) -> dict[str, np.ndarray]:
        if self.initial is None:
            self.initial = self.measure(trainer)
        last = self.last if self.last is not None else self.measure(trainer)
        return {"max_eig_init": self.initial[0].copy(), "min_eig_init": self.initial[1].copy(),
                "max_eig_final": last[0].copy(), "min_eig_final": last[1].copy()}

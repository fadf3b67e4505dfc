"""Input perturbations along the loss's gradient: FGSM (Goodfellow, Shlens & Szegedy 2015).

Here, below the measures, because adversarial training (`train.adversarial_eps`) uses it in
every step; the adversarial-examples measure (measures/adversarial.py) builds PGD on it.
"""

from __future__ import annotations

from typing import Callable

import torch

# (inputs (E, N, d), labels (E, N)) -> each member's loss (E,)
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def input_range(x_train: torch.Tensor) -> tuple[float, float]:
    """Where perturbed inputs are clipped: the training inputs' range ([0, 1] for pixels)."""
    return float(x_train.min()), float(x_train.max())


def input_gradient(loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d(sum of the members' losses)/dx: member k's gradient on its own inputs x[k]."""
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(loss_fn(x, y).sum(), x)
    return grad


def fgsm(loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor, eps: float, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    """x' = clip(x + eps * sign(grad_x loss), low, high), per member on its own inputs.

    The loss is a mean over the batch; its gradient's sign is each sample's own."""
    step = eps * input_gradient(loss_fn, x, y).sign()
    return (x.detach() + step).clamp(low, high)

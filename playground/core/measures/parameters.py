"""A model's parameters as plain tensors: copy them, and evaluate the model at other values.

The measures that probe around the trained weights (the loss landscape, pruning, the lazy
regime) all need "the network with these weights for a moment"; this is the one place that
swaps them in and puts the trained ones back."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

import torch


def snapshot(model: torch.nn.Module) -> list[torch.Tensor]:
    """Detached copies of every parameter, in `model.parameters()` order (weights, then biases)."""
    return [p.detach().clone() for p in model.parameters()]


def load(model: torch.nn.Module, values: Sequence[torch.Tensor]) -> None:
    """Copy `values` into the model's parameters (same order and shapes as `snapshot`)."""
    params = list(model.parameters())
    if len(params) != len(values):
        raise ValueError(f"expected {len(params)} tensors, got {len(values)}")
    with torch.no_grad():
        for p, v in zip(params, values):
            p.copy_(v)


@contextmanager
def parameters_set_to(model: torch.nn.Module, values: Sequence[torch.Tensor]) -> Iterator[None]:
    """The model with `values` inside the block; its own parameters again after it."""
    saved = snapshot(model)
    load(model, values)
    try:
        yield
    finally:
        load(model, saved)


def member_dot(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]) -> torch.Tensor:
    """Per-member inner product of two parameter lists, each tensor (E, ...) -> (E,)."""
    return sum((x * y).flatten(1).sum(dim=1) for x, y in zip(a, b))


def member_norm(a: Sequence[torch.Tensor]) -> torch.Tensor:
    return torch.sqrt(member_dot(a, a))

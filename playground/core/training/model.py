"""An ensemble of MLPs as one batched computation.

Layer l holds weights of shape (members, fan_in, fan_out) and biases (members, 1, fan_out);
one `baddbmm` runs every member at once. Member k is initialised from its own generator
seeded with `seed + k`, so it equals a single-network run with that seed.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

class _FastTanh(torch.autograd.Function):
    """tanh(x) = 2 sigmoid(2x) - 1: on CPU torch's sigmoid is ~10x faster than its tanh
    (absolute difference below 2e-7); the backward is tanh's own, from the output."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        y = torch.sigmoid(x * 2).mul_(2).sub_(1)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        (y,) = ctx.saved_tensors
        return torch.ops.aten.tanh_backward(grad, y)


def fast_tanh(x: torch.Tensor) -> torch.Tensor:
    return _FastTanh.apply(x) if x.device.type == "cpu" else torch.tanh(x)


ACTIVATION_FUNCTIONS = {
    "tanh": fast_tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "linear": lambda h: h,
}


def _truncated_normal(shape: tuple[int, ...], std: float, generator: torch.Generator) -> torch.Tensor:
    """N(0, std^2) redrawn outside two standard deviations (TensorFlow's truncated_normal)."""
    out = torch.randn(shape, generator=generator)
    while True:
        outside = out.abs() > 2
        if not outside.any():
            return out * std
        out[outside] = torch.randn(int(outside.sum()), generator=generator)


def init_layer(
    scheme: str, fan_in: int, fan_out: int, generator: torch.Generator, sw2: float = 1.0, sb2: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights (fan_in, fan_out) and bias (fan_out,) for one member's layer."""
    shape = (fan_in, fan_out)
    if scheme == "default":
        # nn.Linear's own: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and bias.
        bound = 1 / math.sqrt(fan_in)
        w = torch.rand(shape, generator=generator) * 2 * bound - bound
        b = torch.rand(fan_out, generator=generator) * 2 * bound - bound
    elif scheme == "xavier":
        bound = math.sqrt(6 / (fan_in + fan_out))
        w = torch.rand(shape, generator=generator) * 2 * bound - bound
        b = torch.zeros(fan_out)
    elif scheme == "kaiming":
        w = torch.randn(shape, generator=generator) * math.sqrt(2 / fan_in)
        b = torch.zeros(fan_out)
    elif scheme == "truncnormal":
        w = _truncated_normal(shape, 1 / math.sqrt(fan_in), generator)
        b = torch.zeros(fan_out)
    elif scheme == "meanfield":
        w = torch.randn(shape, generator=generator) * math.sqrt(sw2 / fan_in)
        b = torch.randn(fan_out, generator=generator) * math.sqrt(sb2)
    else:
        raise ValueError(f"unknown initialisation {scheme!r}")
    return w, b


class EnsembleMLP(nn.Module):
    def __init__(
        self,
        sizes: Sequence[int],
        activations: Sequence[str],
        seeds: Sequence[int],
        init: str = "default",
        sw2: float = 1.0,
        sb2: float = 0.0,
        parameterisation: str = "standard",
    ):
        super().__init__()
        if len(activations) != len(sizes) - 2:
            raise ValueError("one activation per hidden layer")
        self.sizes = list(sizes)
        self.activation_names = list(activations)
        self.members = len(seeds)
        # NTK parameterisation: layer l computes W x / sqrt(fan_in) + b. The stored weights are
        # the scheme's times sqrt(fan_in), so the function at initialisation is the same.
        ntk = parameterisation == "ntk"
        self.scales = [1 / math.sqrt(fan_in) if ntk else 1.0 for fan_in in sizes[:-1]]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        per_member = []
        for seed in seeds:
            generator = torch.Generator().manual_seed(int(seed))
            per_member.append([
                init_layer(init, fan_in, fan_out, generator, sw2, sb2)
                for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
            ])
        for layer in range(len(sizes) - 1):
            w = torch.stack([member[layer][0] for member in per_member]) / self.scales[layer]
            b = torch.stack([member[layer][1] for member in per_member]).unsqueeze(1)
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(b))

    @property
    def n_layers(self) -> int:
        return len(self.weights)

    def forward(self, x: torch.Tensor, keep_activations: bool = False):
        """x: (members, batch, inputs) or (batch, inputs) shared by all members.

        Returns the output (members, batch, outputs), and with `keep_activations` also the
        list of every layer's activity: hidden layers after their nonlinearity, then the output.
        """
        h = x if x.dim() == 3 else x.unsqueeze(0).expand(self.members, -1, -1)
        # Compute in the (members, units, batch) layout: with the batch as the long inner
        # dimension, the tiny per-member matrix products run 2-4x faster on CPU.
        h = h.transpose(1, 2)
        kept = []
        last = self.n_layers - 1
        for index, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(b.transpose(1, 2), w.transpose(1, 2), h, alpha=self.scales[index])
            if index < last:
                h = ACTIVATION_FUNCTIONS[self.activation_names[index]](h)
            if keep_activations:
                kept.append(h.transpose(1, 2))
        out = h.transpose(1, 2)
        return (out, kept) if keep_activations else out

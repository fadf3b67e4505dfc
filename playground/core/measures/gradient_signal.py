"""The gradient signal of parity at initialisation (Shalev-Shwartz, Shamir & Shammah 2017).

Why gradient descent cannot find a large parity: the gradient hardly depends on which subset
is the target. For a target subset v let g_v = grad_w E_x[loss(f_w(x), chi_v(x))] be the
population gradient at the initial weights w. We report

    signal = Var_v(g_v) / G^2,  Var_v(g_v) = E_v ||g_v - E_v' g_v'||^2,  G^2 = E_x ||grad_w f_w(x)||^2,

the share of the gradient's size that says anything about v (v uniform over the subsets of
size k; x uniform on {-1,+1}^n). Their Theorem 1 (Bessel's inequality: the size-k parities are
orthonormal) bounds it by 1 / C(n, k) wherever the hinge loss is in its linear part, as at a
small initialisation.

Computation: with n <= `exact_up_to` the expectation over x is exact (all 2^n inputs), and
all subsets are used when there are at most `subsets` of them (then Var_v is exact). Otherwise
subsets are drawn with replacement and each gets its own `samples` fresh inputs; both terms are
then estimated without bias: E||g_v||^2 by the U-statistic (||sum_i z_i||^2 - sum_i ||z_i||^2)
/ (N (N-1)) over the per-example gradients z_i, and ||E_v g_v||^2 from pairs of distinct
subsets (independent samples). The estimate can then fall below zero where the true signal
is far below the sampling resolution (about 1/N): it is reported as it is, with its
standard error.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import torch

from playground.core.config import Config
from playground.core.training.hooks import TrainerHook
from playground.core.training.model import ACTIVATION_FUNCTIONS
from playground.core.tasks.parity import parity_labels, subset_size


@dataclass
class GradientSignal:
    signal: np.ndarray  # (members,) Var_v(g_v) / G^2
    stderr: np.ndarray  # (members,) standard error of `signal` (0 where exact)
    bound: float  # 1 / C(n, k)
    exact: bool  # both expectations exact (no sampling)


def all_inputs(n: int) -> np.ndarray:
    """Every point of {-1,+1}^n, (2^n, n) float32."""
    codes = np.arange(2**n)[:, None] >> np.arange(n)[None, :]
    return (1 - 2 * (codes & 1)).astype(np.float32)


def per_example_grad_sq_norms(model, x: torch.Tensor) -> torch.Tensor:
    """||grad_w f(x)||^2 of the first output for every member and example: x (E, N, d) -> (E, N).

    For a layer z = h W + b the example's gradient is the outer product h^T delta (plus delta
    for the bias), whose squared norm is (||h||^2 + 1) ||delta||^2, delta = df/dz."""
    inputs, pre = [], []
    h = x
    last = len(model.weights) - 1
    with torch.enable_grad():
        for index, (w, b) in enumerate(zip(model.weights, model.biases)):
            inputs.append(h.detach())
            z = torch.baddbmm(b, h, w)
            pre.append(z)
            h = ACTIVATION_FUNCTIONS[model.activation_names[index]](z) if index < last else z
        deltas = torch.autograd.grad(h[..., 0].sum(), pre)
    return sum((hin.pow(2).sum(-1) + 1) * d.pow(2).sum(-1) for hin, d in zip(inputs, deltas))


def _subsets(n: int, k: int, count: int, rng: np.random.Generator) -> tuple[list[np.ndarray], bool]:
    """All size-k subsets where there are at most `count`, else `count` drawn with replacement."""
    if math.comb(n, k) <= count:
        return [np.array(c) for c in itertools.combinations(range(n), k)], True
    return [np.sort(rng.choice(n, size=k, replace=False)) for _ in range(count)], False


def _gradient(trainer, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Flattened gradient of each member's mean loss: (E, P)."""
    params = list(trainer.model.parameters())
    loss = trainer.loss_per_member(trainer.model(x), y).sum()
    grads = torch.autograd.grad(loss, params)
    return torch.cat([g.flatten(1) for g in grads], dim=1).double()


def _variance(g_all: torch.Tensor, sq: torch.Tensor, all_subsets: bool) -> torch.Tensor:
    """Var_v(g_v) per member from the subsets' gradients g_all (m, E, P) and ||g_v||^2 sq (m, E)."""
    m = g_all.shape[0]
    cross = g_all.sum(dim=0).pow(2).sum(dim=1) - g_all.pow(2).sum(dim=(0, 2))  # sum over j != l
    if all_subsets:
        # ||mean over all subsets||^2, from the cross terms and the unbiased squares.
        centre = (cross + sq.sum(dim=0)) / m**2
    else:
        centre = cross / (m * (m - 1))  # E over independent draws of g_j . g_l
    return sq.mean(dim=0) - centre


def _jackknife_stderr(g_all: torch.Tensor, sq: torch.Tensor, all_subsets: bool) -> torch.Tensor:
    """Leave-one-subset-out standard error of `_variance` (it covers both of its terms)."""
    m = g_all.shape[0]
    if m < 3:
        return torch.full(sq.shape[1:], float("nan"), dtype=sq.dtype)
    keep = ~torch.eye(m, dtype=torch.bool)
    loo = torch.stack([_variance(g_all[keep[j]], sq[keep[j]], all_subsets) for j in range(m)])
    return torch.sqrt((m - 1) / m * (loo - loo.mean(dim=0)).pow(2).sum(dim=0))


def parity_gradient_signal(
    trainer, subsets: int = 32, samples: int = 4096, exact_up_to: int = 12, seed: int = 0
) -> GradientSignal:
    """The signal at the trainer's current weights (call before training for the paper's)."""
    params = trainer.config.task.params
    n, k = params["n"], subset_size(params)
    rng = np.random.default_rng([seed, n, k])
    members = trainer.members
    chosen, all_subsets = _subsets(n, k, subsets, rng)
    exact_x = n <= exact_up_to
    device = trainer.device

    def on_device(x_np: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.as_tensor(x_np, device=device).expand(members, -1, -1)
        return x, per_example_grad_sq_norms(trainer.model, x).double()  # (E, N)

    fixed = on_device(all_inputs(n)) if exact_x else None
    means, squares, g_norms = [], [], []
    for subset in chosen:
        x, grad_sq = fixed if exact_x else on_device(
            rng.choice(np.array([-1.0, 1.0], np.float32), size=(samples, n)))
        y = parity_labels(x[0].cpu().numpy(), subset)
        y = torch.as_tensor(y, device=device).expand(members, -1)
        g = _gradient(trainer, x, y)
        g_norms.append(grad_sq.mean(dim=1))
        if exact_x:
            squares.append(g.pow(2).sum(dim=1))
        else:
            # Per-example loss-gradient norms: the hinge's slope is 0 or 1 in size.
            with torch.no_grad():
                out = trainer.model(x)[..., 0]
            margin = (2.0 * y.to(out.dtype) - 1.0) * out
            z_sq = (grad_sq * (margin < 1).double()).sum(dim=1)
            count = x.shape[1]
            squares.append((count**2 * g.pow(2).sum(dim=1) - z_sq) / (count * (count - 1)))
        means.append(g)
    g_all = torch.stack(means)  # (m, E, P)
    sq = torch.stack(squares)  # (m, E): ||g_v||^2, exact or unbiased
    g2 = torch.stack(g_norms).mean(dim=0)
    signal = _variance(g_all, sq, all_subsets) / g2
    exact = exact_x and all_subsets
    stderr = torch.zeros_like(signal) if exact else _jackknife_stderr(g_all, sq, all_subsets) / g2
    return GradientSignal(
        signal=signal.cpu().numpy(), stderr=stderr.cpu().numpy(),
        bound=1.0 / math.comb(n, k), exact=exact,
    )


class GradientSignalHook(TrainerHook):
    """Measures the signal at initialisation; writes table `gradient_signal` with the first
    epoch's record: epoch (0), member, n, k, signal, stderr, bound, exact."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.settings = dict(settings)
        self.result: GradientSignal | None = None
        self.written = False

    def on_start(self, trainer) -> None:
        self.result = parity_gradient_signal(
            trainer, self.settings["subsets"], self.settings["samples"], self.settings["exact_up_to"],
            seed=trainer.config.train.seed,
        )

    def after_epoch(self, trainer, record) -> None:
        if self.written or self.result is None:
            return
        self.written = True
        members = trainer.members
        params = trainer.config.task.params
        record.add_table("gradient_signal", {
            "epoch": np.zeros(members, dtype=np.int64),
            "member": np.arange(members),
            "n": np.full(members, params["n"]),
            "k": np.full(members, subset_size(params)),
            "signal": self.result.signal,
            "stderr": self.result.stderr,
            "bound": np.full(members, self.result.bound),
            "exact": np.full(members, int(self.result.exact)),
        })

    def summary(self, trainer) -> dict[str, np.ndarray]:
        if self.result is None:
            self.on_start(trainer)
        return {
            "gradient_signal": self.result.signal.copy(),
            "gradient_signal_stderr": self.result.stderr.copy(),
            "gradient_signal_bound": np.full(trainer.members, self.result.bound),
        }

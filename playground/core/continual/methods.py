"""Remedies against forgetting, as trainer hooks; `continual_hooks(config)` picks them.

Every quantity is per ensemble member: the parameters are stacked (members, ...), each
member's penalty involves only its own parameters, and the sum over members that the trainer
back-propagates gives each member its own gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from playground.core.training.data import TaskData
from playground.core.training.hooks import TrainerHook
from playground.core.training.model import ACTIVATION_FUNCTIONS, EnsembleMLP

if TYPE_CHECKING:
    from playground.core.config import Config
    from playground.core.training.trainer import Trainer

# Samples of a task's training set the Fisher is averaged over (evenly spaced through it).
FISHER_SAMPLES = 1000
# SI's damping xi in Omega = omega / (delta^2 + xi) (van de Ven & Tolias's value).
SI_DAMPING = 0.1


def parameters(model: EnsembleMLP) -> list[torch.nn.Parameter]:
    """Weights of every layer, then biases: the order all per-parameter lists here use."""
    return [*model.weights, *model.biases]


# ---------------------------------------------------------------- Fisher information


def _forward_layers(model: EnsembleMLP, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """The output (E, N, out), each layer's input (E, N, fan_in) and pre-activation (E, N, fan_out)."""
    inputs, pre = [], []
    h = x
    last = model.n_layers - 1
    for index, (w, b) in enumerate(zip(model.weights, model.biases)):
        inputs.append(h)
        z = torch.baddbmm(b, h, w)
        pre.append(z)
        h = ACTIVATION_FUNCTIONS[model.activation_names[index]](z) if index < last else z
    return h, inputs, pre


def fisher_diagonal(trainer: "Trainer", data: TaskData, max_samples: int = FISHER_SAMPLES) -> list[torch.Tensor]:
    """Diagonal Fisher information of every parameter on `data`'s training inputs, per member.

    Cross-entropy: the exact expectation over the model's own predictive distribution
    (restricted to the task's head), F = mean_n sum_c p(c|x_n) (d log p(c|x_n) / d theta)^2.
    Hinge (no likelihood): the mean squared per-sample gradient of the loss. Squared error:
    the Fisher of a unit-variance Gaussian, mean_n sum_c (d f_c(x_n) / d theta)^2.
    A layer z = a W + b has per-sample gradient a_n^T delta_n, so its squared entries are
    (a_n^2)^T (delta_n^2): one backward pass per class gives every sample's share at once.
    """
    model = trainer.model
    n_all = data.n_train
    count = min(n_all, max_samples)
    index = torch.as_tensor(np.unique(np.linspace(0, n_all - 1, count).round().astype(np.int64)), device=data.x_train.device)
    x = data.x_train.index_select(1, index)
    y = data.y_train.index_select(1, index)
    n = x.shape[1]
    fisher_w = [torch.zeros_like(w) for w in model.weights]
    fisher_b = [torch.zeros_like(b) for b in model.biases]

    def accumulate(grads: Sequence[torch.Tensor], inputs_sq: Sequence[torch.Tensor], weight: torch.Tensor | None) -> None:
        for layer, (g, a2) in enumerate(zip(grads, inputs_sq)):
            g2 = g.square()
            if weight is not None:
                g2 = g2 * weight.unsqueeze(-1)
            fisher_w[layer] += torch.bmm(a2.transpose(1, 2), g2)
            fisher_b[layer] += g2.sum(dim=1, keepdim=True)

    with torch.enable_grad():
        output, inputs, pre = _forward_layers(model, x)
        inputs_sq = [a.detach().square() for a in inputs]
        loss_name = trainer.config.train.loss
        if loss_name == "hinge":
            target = 2.0 * y.to(output.dtype) - 1.0
            loss = torch.clamp(1.0 - target * output[..., 0], min=0).sum()
            accumulate(torch.autograd.grad(loss, pre), inputs_sq, None)
        elif loss_name == "mse":
            # Gaussian likelihood with unit variance: F = sum_c (d f_c / d theta)^2.
            for c in range(output.shape[-1]):
                accumulate(torch.autograd.grad(output[..., c].sum(), pre, retain_graph=True), inputs_sq, None)
        else:
            if data.class_mask is not None:
                output = output.masked_fill(~data.class_mask, float("-inf"))
                classes = torch.nonzero(data.class_mask).flatten().tolist()
            else:
                classes = range(output.shape[-1])
            log_p = F.log_softmax(output, dim=-1)
            p = log_p.detach().exp()
            for c in classes:
                grads = torch.autograd.grad(log_p[..., c].sum(), pre, retain_graph=True)
                accumulate(grads, inputs_sq, p[..., c])
    return [f / n for f in (*fisher_w, *fisher_b)]


# ---------------------------------------------------------------- EWC and online EWC


class EWC(TrainerHook):
    """loss + (lambda/2) sum_k F_k (theta_k - theta*_k)^2, F the diagonal Fisher at the end of
    each earlier task (Kirkpatrick et al. 2017): one term per old task.

    Online EWC (Schwarz et al. 2018): one term, F <- gamma F + F_new, anchored at the end of the
    latest task.

    The terms are summed into one quadratic, sum_t F_t (theta - a_t)^2 =
    F (theta - m)^2 + r with F = sum_t F_t, m = sum_t F_t a_t / F and r >= 0 a constant, so
    a step costs the same however many tasks came before.
    """

    def __init__(self, strength: float, online: bool = False, gamma: float = 1.0):
        self.strength = strength
        self.online = online
        self.gamma = gamma
        self.terms: list[tuple[list[torch.Tensor], list[torch.Tensor]]] = []
        self._merged: tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor] | None = None

    def on_task_end(self, trainer: "Trainer", task_index: int) -> None:
        if task_index >= len(trainer.tasks) - 1:
            return  # no later task to protect it from
        fisher = fisher_diagonal(trainer, trainer.tasks[task_index])
        anchor = [p.detach().clone() for p in parameters(trainer.model)]
        if self.online and self.terms:
            previous, _ = self.terms[0]
            fisher = [self.gamma * old + new for old, new in zip(previous, fisher)]
            self.terms = []
        self.terms.append((fisher, anchor))
        self._merged = self._merge()

    def _merge(self) -> tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor]:
        total_f, means, rest = [], [], torch.zeros(())
        for index in range(len(self.terms[0][0])):
            fs = torch.stack([f[index] for f, _ in self.terms])
            anchors = torch.stack([a[index] for _, a in self.terms])
            f = fs.sum(dim=0)
            mean = torch.where(f > 0, (fs * anchors).sum(dim=0) / f.clamp_min(1e-30), anchors[-1])
            total_f.append(f)
            means.append(mean)
            rest = rest + (fs * (anchors - mean).square()).sum().cpu()
        return total_f, means, rest

    def penalty(self, trainer: "Trainer") -> torch.Tensor | None:
        if self._merged is None or self.strength == 0:
            return None
        fisher, means, rest = self._merged
        total = rest.to(means[0].device)
        for p, f, m in zip(parameters(trainer.model), fisher, means):
            total = total + (f * (p - m).square()).sum()
        return 0.5 * self.strength * total


# ---------------------------------------------------------------- SI


class SynapticIntelligence(TrainerHook):
    """SI (Zenke et al. 2017): each parameter's contribution to the drop of the task loss along
    its path, omega += -g * delta_theta (g the gradient of the loss without the SI term),
    turned into Omega += omega / (total change^2 + xi) at the end of each task;
    penalty c sum_k Omega_k (theta_k - theta*_k)^2.
    """

    def __init__(self, strength: float, damping: float = SI_DAMPING):
        self.strength = strength
        self.damping = damping
        self.omega: list[torch.Tensor] = []
        self.importance: list[torch.Tensor] = []
        self.anchor: list[torch.Tensor] | None = None
        self.task_start: list[torch.Tensor] = []
        self._before: list[torch.Tensor] = []
        self._grad: list[torch.Tensor] = []

    def on_start(self, trainer: "Trainer") -> None:
        params = parameters(trainer.model)
        self.omega = [torch.zeros_like(p) for p in params]
        self.importance = [torch.zeros_like(p) for p in params]
        self.task_start = [p.detach().clone() for p in params]

    def penalty(self, trainer: "Trainer") -> torch.Tensor | None:
        if self.anchor is None:
            return None
        total = torch.zeros((), device=self.anchor[0].device)
        for p, big, a in zip(parameters(trainer.model), self.importance, self.anchor):
            total = total + (big * (p - a).square()).sum()
        return self.strength * total

    def after_backward(self, trainer: "Trainer") -> None:
        params = parameters(trainer.model)
        self._before = [p.detach().clone() for p in params]
        grads = [torch.zeros_like(p) if p.grad is None else p.grad.detach().clone() for p in params]
        if self.anchor is not None:
            # Remove the SI term's own gradient, 2 c Omega (theta - theta*).
            for g, p, big, a in zip(grads, params, self.importance, self.anchor):
                g -= 2 * self.strength * big * (p.detach() - a)
        self._grad = grads

    def after_step(self, trainer: "Trainer") -> None:
        for w, g, p, before in zip(self.omega, self._grad, parameters(trainer.model), self._before):
            w -= g * (p.detach() - before)

    def on_task_end(self, trainer: "Trainer", task_index: int) -> None:
        params = [p.detach().clone() for p in parameters(trainer.model)]
        for big, w, p, start in zip(self.importance, self.omega, params, self.task_start):
            big += w / ((p - start).square() + self.damping)
            w.zero_()
        self.anchor = params
        self.task_start = [p.clone() for p in params]


# ---------------------------------------------------------------- replay and joint training


class _Pool:
    """Training samples of several tasks for every member: x (E, M, d), y (E, M), and the task
    each sample came from, (M,), for its head mask."""

    def __init__(self, xs: list[torch.Tensor], ys: list[torch.Tensor], owners: list[int], masks: torch.Tensor | None):
        self.x = torch.cat(xs, dim=1)
        self.y = torch.cat(ys, dim=1)
        self.owner = torch.as_tensor(np.repeat(owners, [t.shape[1] for t in ys]), device=self.y.device)
        self.masks = masks  # (T, C) head masks, or None where no task has one

    @property
    def size(self) -> int:
        return int(self.y.shape[1])

    def draw(self, rngs: Sequence[np.random.Generator], count: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """`count` samples per member, uniformly with replacement, each from its own generator."""
        members = len(rngs)
        idx = np.stack([rng.integers(0, self.size, size=count) for rng in rngs])
        flat = torch.as_tensor((idx + np.arange(members)[:, None] * self.size).reshape(-1), device=self.x.device)
        x = self.x.reshape(members * self.size, -1).index_select(0, flat).view(members, count, -1)
        y = self.y.reshape(-1).index_select(0, flat).view(members, count)
        mask = None
        if self.masks is not None:
            owner = self.owner.index_select(0, torch.as_tensor(idx.reshape(-1), device=self.x.device))
            mask = self.masks.index_select(0, owner).view(members, count, -1)
        return x, y, mask


def head_masks(tasks: Sequence[TaskData]) -> torch.Tensor | None:
    if all(t.class_mask is None for t in tasks):
        return None
    return torch.stack([t.class_mask for t in tasks])


def _current_mask(trainer: "Trainer", batch: int) -> torch.Tensor:
    mask = trainer.task.class_mask
    return mask.expand(trainer.members, batch, -1)


class Replay(TrainerHook):
    """A buffer of `size` training samples of the earlier tasks (per member, shared evenly
    between them); each batch gets as many replayed samples as it has new ones."""

    def __init__(self, size: int):
        self.size = size
        self.pool: _Pool | None = None
        self.orders: list[np.ndarray] = []  # per old task: (members, n_train) keep order

    def on_start(self, trainer: "Trainer") -> None:
        self.rngs = [np.random.default_rng([seed, 43]) for seed in trainer.seeds]

    def on_task_end(self, trainer: "Trainer", task_index: int) -> None:
        if task_index >= len(trainer.tasks) - 1:
            return
        n = trainer.tasks[task_index].n_train
        self.orders.append(np.stack([rng.permutation(n) for rng in self.rngs]))
        seen = len(self.orders)
        xs, ys, owners = [], [], []
        for j, order in enumerate(self.orders):
            count = min(self.size // seen + (1 if j < self.size % seen else 0), order.shape[1])
            if count == 0:
                continue
            task = trainer.tasks[j]
            keep = torch.as_tensor(order[:, :count], device=task.x_train.device)
            xs.append(torch.gather(task.x_train, 1, keep.unsqueeze(-1).expand(-1, -1, task.input_dim)))
            ys.append(torch.gather(task.y_train, 1, keep))
            owners.append(j)
        masks = head_masks(trainer.tasks)
        self.pool = _Pool(xs, ys, owners, masks)

    def transform_batch(self, trainer: "Trainer", x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.pool is None:
            return x, y
        batch = x.shape[1]
        x_old, y_old, mask_old = self.pool.draw(self.rngs, batch)
        if mask_old is not None:
            trainer.batch_class_mask = torch.cat([_current_mask(trainer, batch), mask_old], dim=1)
        return torch.cat([x, x_old], dim=1), torch.cat([y, y_old], dim=1)


class Joint(TrainerHook):
    """The upper bound: every batch is drawn from the training sets of all tasks at once
    (the trainer's own batch is replaced), for the same number of steps as sequential training."""

    def on_start(self, trainer: "Trainer") -> None:
        self.rngs = [np.random.default_rng([seed, 44]) for seed in trainer.seeds]
        tasks = trainer.tasks
        self.pool = _Pool([t.x_train for t in tasks], [t.y_train for t in tasks], list(range(len(tasks))), head_masks(tasks))

    def transform_batch(self, trainer: "Trainer", x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x_all, y_all, mask = self.pool.draw(self.rngs, x.shape[1])
        if mask is not None:
            trainer.batch_class_mask = mask
        return x_all, y_all


# ---------------------------------------------------------------- selection


def method_hook(config: "Config") -> TrainerHook | None:
    co = config.continual
    if co.method == "ewc":
        return EWC(co.ewc_lambda)
    if co.method == "online_ewc":
        return EWC(co.ewc_lambda, online=True, gamma=co.online_gamma)
    if co.method == "si":
        return SynapticIntelligence(co.si_c)
    if co.method == "replay":
        return Replay(co.replay_size)
    if co.method == "joint":
        return Joint()
    return None


def continual_hooks(config: "Config") -> list[TrainerHook]:
    """The method's hook (none for plain training), then the per-task evaluation."""
    from playground.core.continual.evaluation import TaskEvaluation

    hooks: list[TrainerHook] = []
    method = method_hook(config)
    if method is not None:
        hooks.append(method)
    hooks.append(TaskEvaluation(config.continual.eval_every))
    return hooks

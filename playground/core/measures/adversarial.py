"""Adversarial examples (Szegedy et al. 2014; Goodfellow, Shlens & Szegedy 2015).

FGSM takes one step of size eps along the sign of the input gradient of the loss; PGD takes
several smaller ones, each projected back into the eps-ball around the input and the pixel
range. Every member crafts perturbations of its own test images with its own gradient, and
every member is scored on every member's perturbed images: the diagonal is the attack on the
network itself, the rest is transfer. A transferred image is scored only where it is not in
the scoring member's training set (the members' splits differ), so no network is scored on
images it was trained on."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch

from playground.core.config import Config
from playground.core.measures.hook_options import due, parse_numbers
from playground.core.training.hooks import TrainerHook
from playground.core.training.perturb import LossFn, fgsm, input_gradient, input_range

ATTACKS = ("fgsm", "pgd")


def pgd(loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor, eps: float, steps: int = 10,
        step_size: float | None = None, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    """Projected gradient descent on the loss (ascent), from x itself (no random start);
    step size 2.5 eps / steps by default (Madry et al.'s rule)."""
    step_size = 2.5 * eps / steps if step_size is None else step_size
    x0 = x.detach()
    adv = x0.clone()
    for _ in range(steps):
        adv = adv + step_size * input_gradient(loss_fn, adv, y).sign()
        adv = torch.minimum(torch.maximum(adv, x0 - eps), x0 + eps).clamp(low, high)
    return adv


def unseen_masks(x_test: np.ndarray, x_train: np.ndarray) -> np.ndarray:
    """(E, E, N) bool: [s, j, n] is True where member s's test image n is not among member j's
    training images (compared by content)."""
    members = x_test.shape[0]
    seen = [{row.tobytes() for row in x_train[j]} for j in range(members)]
    return np.array([[[row.tobytes() not in seen[j] for row in x_test[s]] for j in range(members)]
                     for s in range(members)])


def transfer_accuracy(trainer, x_adv: torch.Tensor, y: torch.Tensor, unseen: np.ndarray) -> np.ndarray:
    """(E, E) accuracy[s, j]: member j on member s's perturbed images x_adv[s] (its unseen ones)."""
    members = trainer.members
    out = np.zeros((members, members))
    with torch.no_grad():
        for s in range(members):
            shared = x_adv[s].unsqueeze(0).expand(members, -1, -1)
            labels = y[s].unsqueeze(0).expand(members, -1)
            correct = (trainer.predictions(trainer.model(shared), trainer.task) == labels).cpu().numpy()
            for j in range(members):
                keep = unseen[s, j]
                out[s, j] = correct[j][keep].mean() if keep.any() else np.nan
    return out


def loss_function(trainer) -> LossFn:
    data = trainer.task
    return lambda inputs, labels: trainer.loss_per_member(trainer.model(inputs), labels, data)


def perturb(trainer, attack: str, eps: float, pgd_steps: int) -> torch.Tensor:
    """Every member's own test images, perturbed with its own gradient."""
    data = trainer.task
    low, high = input_range(data.x_train)
    if eps == 0:
        return data.x_test.detach().clone()
    if attack == "fgsm":
        return fgsm(loss_function(trainer), data.x_test, data.y_test, eps, low, high)
    return pgd(loss_function(trainer), data.x_test, data.y_test, eps, pgd_steps, low=low, high=high)


class AdversarialHook(TrainerHook):
    """Writes table `adversarial`: epoch, member (the one scored), attack, eps, source_member
    (whose gradient made the perturbation), accuracy. At the end, `final_arrays` gives
    examples for the app: member 0's first test images clean and FGSM-perturbed at
    `example_eps`, with labels and predictions."""

    EXAMPLES = 8

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.eps = parse_numbers("hooks.adversarial.eps", settings["eps"], 0.0, 1.0)
        self.pgd_steps = settings["pgd_steps"]
        self.every = settings["every"]
        self.example_eps = settings["example_eps"]
        self.unseen: np.ndarray | None = None
        self.last: dict[tuple[str, float], np.ndarray] = {}  # (attack, eps) -> (E, E)

    def on_start(self, trainer) -> None:
        data = trainer.task
        self.unseen = unseen_masks(data.x_test.cpu().numpy(), data.x_train.cpu().numpy())

    def measure(self, trainer) -> dict[tuple[str, float], np.ndarray]:
        y = trainer.task.y_test
        results = {}
        for attack in ATTACKS:
            for eps in self.eps:
                x_adv = perturb(trainer, attack, eps, self.pgd_steps)
                results[attack, eps] = transfer_accuracy(trainer, x_adv, y, self.unseen)
        return results

    def after_epoch(self, trainer, record) -> None:
        if not due(trainer, record, self.every):
            return
        self.last = self.measure(trainer)
        members = trainer.members
        for (attack, eps), matrix in self.last.items():
            record.add_table("adversarial", {
                "epoch": np.full(members * members, record.epoch),
                "member": np.tile(np.arange(members), members),
                "attack": np.array([attack] * members * members),
                "eps": np.full(members * members, eps),
                "source_member": np.repeat(np.arange(members), members),
                "accuracy": matrix.reshape(-1),
            })

    def summary(self, trainer) -> dict[str, np.ndarray]:
        """At the eps nearest `example_eps`: each member's accuracy on its own FGSM and PGD
        images, on the other members' FGSM images (transfer), and clean."""
        if not self.last:
            self.last = self.measure(trainer)
        eps = min(self.eps, key=lambda e: abs(e - self.example_eps))
        fgsm_matrix, pgd_matrix = self.last["fgsm", eps], self.last["pgd", eps]
        members = trainer.members
        others = ~np.eye(members, dtype=bool)
        transfer = np.array([np.nanmean(fgsm_matrix[others[:, j], j]) if members > 1 else np.nan
                             for j in range(members)])
        _, clean = trainer.evaluate(trainer.task.x_test, trainer.task.y_test, trainer.task)
        return {"clean_acc": clean, "fgsm_acc": np.diag(fgsm_matrix).copy(), "pgd_acc": np.diag(pgd_matrix).copy(),
                "fgsm_transfer_acc": transfer}

    def final_arrays(self, trainer) -> dict[str, np.ndarray]:
        data = trainer.task
        count = min(self.EXAMPLES, data.x_test.shape[1])
        x_adv = perturb(trainer, "fgsm", self.example_eps, self.pgd_steps)
        with torch.no_grad():
            clean = trainer.predictions(trainer.model(data.x_test), data)[0, :count]
            perturbed = trainer.predictions(trainer.model(x_adv), data)[0, :count]
        return {
            "adversarial_eps": np.array(self.example_eps),
            "adversarial_clean": data.x_test[0, :count].cpu().numpy(),
            "adversarial_perturbed": x_adv[0, :count].cpu().numpy(),
            "adversarial_labels": data.y_test[0, :count].cpu().numpy(),
            "adversarial_clean_predictions": clean.cpu().numpy(),
            "adversarial_predictions": perturbed.cpu().numpy(),
        }

"""Double descent (Belkin, Hsu, Ma & Mandal 2019; Nakkiran et al. 2020) with random features:
the first layer stays at its random initial values, the last is the minimum-norm least-squares
fit to the one-hot training labels (the pseudo-inverse). As the number of features p passes
the number of training points n the fit starts to interpolate, and the test error peaks
there (p = n), then falls again as p grows: the minimum-norm interpolant gets smoother. Label
noise (task.random_labels) sharpens the peak."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch
import torch.nn.functional as F

from playground.core.config import Config
from playground.core.training.hooks import TrainerHook
from playground.core.training.model import ACTIVATION_FUNCTIONS


def random_features(model, x: torch.Tensor) -> torch.Tensor:
    """The first hidden layer's activity at the model's current weights: (E, N, p)."""
    w, b = model.weights[0], model.biases[0]
    with torch.no_grad():
        return ACTIVATION_FUNCTIONS[model.activation_names[0]](model.scales[0] * torch.bmm(x, w) + b)


def min_norm_fit(features: torch.Tensor, targets: torch.Tensor, rcond: float | None = None) -> torch.Tensor:
    """beta = pinv(Phi) Y per member, in float64: (E, n, p), (E, n, C) -> (E, p, C). The least-
    squares fit of minimum norm (the interpolant of minimum norm once p >= n). `rcond`: singular
    values below rcond * the largest count as zero (default max(n, p) * machine epsilon)."""
    phi = features.double()
    if rcond is None:
        rcond = max(phi.shape[1:]) * torch.finfo(torch.float64).eps
    return torch.linalg.pinv(phi, rtol=rcond) @ targets.double()


def fit_and_score(model, x_train, y_train, x_test, y_test, classes: int) -> dict[str, np.ndarray]:
    """Per member: train and test classification error and mean squared error of the random-
    features fit (squared error summed over the C outputs, averaged over samples)."""
    train_phi, test_phi = random_features(model, x_train), random_features(model, x_test)
    target = F.one_hot(y_train, classes).double()
    beta = min_norm_fit(train_phi, target)
    errors, squares = {}, {}
    for name, phi, y in (("train", train_phi, y_train), ("test", test_phi, y_test)):
        prediction = phi.double() @ beta
        errors[f"rf_{name}_error"] = (prediction.argmax(dim=-1) != y).double().mean(dim=1).cpu().numpy()
        squares[f"rf_{name}_mse"] = (prediction - F.one_hot(y, classes).double()).pow(2).sum(-1).mean(1).cpu().numpy()
    return {**errors, **squares}


class RandomFeaturesHook(TrainerHook):
    """At initialisation fits the random-features model on the network's own first layer; writes
    table `double_descent` with the first record: member, features (p, the first layer's
    width), parameters (p x classes, the fitted ones), samples (n), rf_train_error,
    rf_test_error, rf_train_mse, rf_test_mse. The network itself trains as usual (its final
    figures are the sweep's fully trained counterpart)."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.result: dict[str, np.ndarray] | None = None
        self.written = False

    def on_start(self, trainer) -> None:
        data = trainer.task
        self.result = fit_and_score(trainer.model, data.x_train, data.y_train, data.x_test, data.y_test,
                                    trainer.n_classes)

    def _context(self, trainer) -> dict[str, np.ndarray]:
        members = trainer.members
        width = trainer.model.sizes[1]
        return {"features": np.full(members, width), "parameters": np.full(members, width * trainer.n_classes),
                "samples": np.full(members, trainer.task.n_train)}

    def after_epoch(self, trainer, record) -> None:
        if self.written or self.result is None:
            return
        self.written = True
        record.add_table("double_descent", {"member": np.arange(trainer.members), **self._context(trainer),
                                            **self.result})

    def summary(self, trainer) -> dict[str, np.ndarray]:
        if self.result is None:
            self.on_start(trainer)
        context = self._context(trainer)
        return {"samples": context["samples"], "features_per_sample": context["features"] / context["samples"],
                **{k: v.copy() for k, v in self.result.items()}}

"""Pruning and lottery tickets (Han, Pool, Tran & Dally 2015; Frankle & Carbin 2019).

Global magnitude pruning: of all of a member's weights (biases kept), keep the fraction
1 - sparsity of largest magnitude. Then four ways on, each tested on the member's test set:

    none      the trained weights with the mask, no retraining
    finetune  retrain the surviving trained weights (the mask held fixed)
    rewind    reset the survivors to their initial values and retrain: the lottery ticket
    reinit    the same mask on fresh random initial values, retrained

Retraining is a fresh run of the same config (same data, splits and batch order), one ensemble
per (sparsity, method), with the pruned weights held at zero after every step."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

import numpy as np
import torch

from playground.core.config import Config
from playground.core.measures.hook_options import PRUNING_METHODS, parse_names, parse_numbers
from playground.core.training.hooks import TrainerHook
from playground.core.training.model import EnsembleMLP
from playground.core.training.trainer import Trainer

METHODS = PRUNING_METHODS
# Fresh initial values for `reinit` come from seeds this far from the members' own.
REINIT_SEED_OFFSET = 1_000_003


def magnitude_masks(weights: Sequence[torch.Tensor], sparsity: float) -> list[torch.Tensor]:
    """Per member, keep exactly round((1 - sparsity) * total) weights of largest magnitude over
    all layers together. weights: each (E, fan_in, fan_out); masks: bool, same shapes."""
    flat = torch.cat([w.detach().abs().flatten(1) for w in weights], dim=1)
    members, total = flat.shape
    keep = int(round((1.0 - sparsity) * total))
    mask = torch.zeros_like(flat, dtype=torch.bool)
    if keep > 0:
        mask.scatter_(1, flat.topk(keep, dim=1).indices, True)
    sizes = [w[0].numel() for w in weights]
    return [m.view_as(w) for m, w in zip(mask.split(sizes, dim=1), weights)]


class MaskHook(TrainerHook):
    """Holds pruned weights at zero: masks the start and every step (Adam's moments would
    otherwise move them again)."""

    def __init__(self, masks: Sequence[torch.Tensor]):
        self.masks = list(masks)

    def apply(self, trainer) -> None:
        with torch.no_grad():
            for w, m in zip(trainer.model.weights, self.masks):
                w.mul_(m)

    def on_start(self, trainer) -> None:
        self.apply(trainer)

    def after_step(self, trainer) -> None:
        self.apply(trainer)


def member_test_accuracy(trainer) -> np.ndarray:
    data = trainer.task
    return trainer.evaluate(data.x_test, data.y_test, data)[1]


def retrain(config: Config, weights, biases, masks, epochs: int) -> np.ndarray:
    """Test accuracy per member after training `epochs` from these weights under the masks."""
    # Evaluated only at the end (the log schedule with two points: epoch 1 and the last).
    trainer = Trainer(replace(config, train=replace(config.train, epochs=epochs, eval_schedule="log", eval_points=2)),
                      hooks=[MaskHook(masks)])
    with torch.no_grad():
        for p, v in zip(trainer.model.weights, weights):
            p.copy_(v)
        for p, v in zip(trainer.model.biases, biases):
            p.copy_(v)
    for _ in trainer.epochs():
        pass
    return member_test_accuracy(trainer)


def fresh_initial(trainer) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """New random initial weights and biases of the same scheme, from other seeds."""
    net = trainer.config.network
    model = EnsembleMLP(trainer.model.sizes, trainer.model.activation_names,
                        [s + REINIT_SEED_OFFSET for s in trainer.seeds], init=net.init, sw2=net.sw2, sb2=net.sb2,
                        parameterisation=net.parameterisation)
    return [w.detach() for w in model.weights], [b.detach() for b in model.biases]


class PruningHook(TrainerHook):
    """At the end writes table `pruning`: member, sparsity, method, accuracy (sparsity 0 with
    method none is the dense network). `final_arrays` gives the masks at `draw_sparsity`
    (`pruning_mask_<layer>`, (members, fan_in, fan_out)) for the network drawing."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.sparsities = parse_numbers("hooks.pruning.sparsities", settings["sparsities"], 0.0, 1.0)
        self.methods = parse_names("hooks.pruning.methods", settings["methods"], METHODS)
        self.retrain_epochs = settings["retrain_epochs"] or config.train.epochs
        self.draw_sparsity = settings["draw_sparsity"]
        self.initial: tuple[list[torch.Tensor], list[torch.Tensor]] | None = None
        self.results: dict[tuple[float, str], np.ndarray] = {}

    def on_start(self, trainer) -> None:
        model = trainer.model
        self.initial = ([w.detach().clone() for w in model.weights], [b.detach().clone() for b in model.biases])

    def measure(self, trainer) -> dict[tuple[float, str], np.ndarray]:
        model = trainer.model
        final_w = [w.detach().clone() for w in model.weights]
        final_b = [b.detach().clone() for b in model.biases]
        results = {(0.0, "none"): member_test_accuracy(trainer)}
        fresh = fresh_initial(trainer) if "reinit" in self.methods else None
        for sparsity in (s for s in self.sparsities if s > 0):
            masks = magnitude_masks(final_w, sparsity)
            starts = {
                "finetune": (final_w, final_b),
                "rewind": self.initial,
                "reinit": fresh,
            }
            for method in self.methods:
                if method == "none":
                    with torch.no_grad():
                        for w, m in zip(model.weights, masks):
                            w.mul_(m)
                    results[sparsity, method] = member_test_accuracy(trainer)
                    with torch.no_grad():
                        for w, v in zip(model.weights, final_w):
                            w.copy_(v)
                else:
                    weights, biases = starts[method]
                    masked = [w * m for w, m in zip(weights, masks)]
                    results[sparsity, method] = retrain(trainer.config, masked, biases, masks, self.retrain_epochs)
        return results

    def after_epoch(self, trainer, record) -> None:
        if record.epoch < trainer.total_epochs:
            return
        self.results = self.measure(trainer)
        members = trainer.members
        for (sparsity, method), accuracy in self.results.items():
            record.add_table("pruning", {
                "member": np.arange(members), "sparsity": np.full(members, sparsity),
                "method": np.array([method] * members), "accuracy": accuracy,
            })

    def summary(self, trainer) -> dict[str, np.ndarray]:
        if not self.results:
            self.results = self.measure(trainer)
        return {f"{method}_{sparsity:g}": acc.copy() for (sparsity, method), acc in self.results.items()
                if sparsity > 0}

    def final_arrays(self, trainer) -> dict[str, np.ndarray]:
        masks = magnitude_masks(list(trainer.model.weights), self.draw_sparsity)
        return {f"pruning_mask_{index}": m.cpu().numpy() for index, m in enumerate(masks)}

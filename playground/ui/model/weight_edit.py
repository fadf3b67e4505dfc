"""A weight edited in the network drawing, shown at once: while the run is paused the trainer
applies the edit only before its next step, so the drawing would wait for it. This redoes what
the next snapshot will show before any training: the weights with the edit, and the units'
heatmaps and the decision boundary computed from them by the core's own code (a model built
from the live weights, the grid of the live maps)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import torch

from playground.core.measures.boundary import Plane, output_probabilities, plane_grid
from playground.core.measures.neurons import neuron_maps
from playground.core.tasks.features import FORMULAS
from playground.core.training.model import EnsembleMLP


def edited_weights(weights: list[np.ndarray], member: int, layer: int, source: int, target: int,
                   value: float) -> list[np.ndarray]:
    """A copy of the live weights (each (members, fan_in, fan_out)) with one set (layer 1-based)."""
    edited = [np.array(w, copy=True) if index == layer - 1 else w for index, w in enumerate(weights)]
    edited[layer - 1][member, source, target] = value
    return edited


def edited_live(live: dict[str, Any], config, member: int, layer: int, source: int, target: int,
                value: float) -> dict[str, Any]:
    """The live entries that change when one weight is set: "weights", and "neurons" and
    "boundary" where the live data has them (recomputed; left out where they cannot be)."""
    weights = edited_weights(live["weights"], member, layer, source, target, value)
    out: dict[str, Any] = {"weights": weights}
    maps, grid = live.get("neurons"), live.get("boundary")
    if (maps is None and grid is None) or live.get("biases") is None or config is None:
        return out
    plane = _plane(live, maps)
    if plane is None:
        return out
    model = _model(live, config, weights)
    if maps is not None and maps.member == member:
        new = _neuron_maps(model, plane, maps)
        if new is not None:
            out["neurons"] = new
    if grid is not None and config.continual.tasks == 1:
        new_grid = _boundary(model, plane, grid, config)
        if new_grid is not None:
            out["boundary"] = new_grid
    return out


def _plane(live: dict[str, Any], maps):
    grid = live.get("boundary") or live.get("preview")
    if grid is None:
        return None
    names = tuple(maps.feature_names) if maps is not None else tuple(live.get("feature_names") or ())
    features = names if names and all(name in FORMULAS for name in names) else None
    return Plane(np.asarray(grid.points), np.asarray(grid.test_points), features)


def _model(live: dict[str, Any], config, weights: list[np.ndarray]):
    members = int(weights[0].shape[0])
    sizes = [int(n) for n in live.get("layer_sizes") or [weights[0].shape[1]] + [w.shape[2] for w in weights]]
    activations = list(live.get("activations") or [config.network.activation] * (len(sizes) - 2))
    with torch.no_grad():
        model = EnsembleMLP(sizes, activations, [0] * members, parameterisation=config.network.parameterisation)
        for parameter, w in zip(model.weights, weights):
            parameter.copy_(torch.as_tensor(np.asarray(w), dtype=parameter.dtype))
        for parameter, b in zip(model.biases, live["biases"]):
            parameter.copy_(torch.as_tensor(np.asarray(b), dtype=parameter.dtype).reshape(parameter.shape))
    return model


def _neuron_maps(model, plane, maps):
    widest = max((len(units) for units in maps.units), default=1)
    new = neuron_maps(model, plane, maps.member, maps.feature_names, resolution=len(maps.xs), max_units=widest)
    same_grid = np.allclose(new.xs, maps.xs) and np.allclose(new.ys, maps.ys)
    return new if same_grid else None


def _boundary(model, plane, grid, config):
    resolution = len(grid.xs)
    xs, ys, inputs = plane_grid(plane, resolution)
    if not (np.allclose(xs, grid.xs) and np.allclose(ys, grid.ys)):
        return None
    with torch.no_grad():
        output = model(torch.as_tensor(inputs))
        members = output.shape[0]
        values = None
        if grid.values is not None:
            values = output[..., 0].reshape(members, resolution, resolution).numpy().astype(np.float32)
        probs = output_probabilities(output, config.train.loss)
        probs = probs.reshape(members, resolution, resolution, -1).numpy().astype(np.float32)
    return replace(grid, probs=probs, values=values)
